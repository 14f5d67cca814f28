"""The one place that decides whether an actor may touch a young person's data.

A young person may touch their own data; a case manager the data of the young
people in their caseload. Every access by someone other than the person is
written to the audit log, allowed or not. Refusals look exactly like a missing
object (404), so an outsider learns nothing.
"""

from enum import StrEnum

from sqlmodel import Session, select

from app.audit import service as audit
from app.audit.models import Outcome
from app.auth.models import Account, CaseAssignment, Role
from app.core.errors import NotFound


class Relation(StrEnum):
    SELF = "self"
    CASE_MANAGER = "case_manager"


def relation(session: Session, *, actor: Account, subject_id: int) -> Relation | None:
    if actor.id == subject_id and actor.role == Role.YOUNG_PERSON:
        return Relation.SELF
    if actor.role == Role.CASE_MANAGER:
        link = session.exec(
            select(CaseAssignment.id).where(
                CaseAssignment.case_manager_id == actor.id,
                CaseAssignment.young_person_id == subject_id,
            )
        ).first()
        if link is not None:
            return Relation.CASE_MANAGER
    return None


def authorize(
    session: Session,
    *,
    actor: Account,
    subject_id: int,
    action: str,
    object_type: str,
    object_id: int | None,
    audit_allowed: bool = True,
) -> Relation:
    """Allow, or raise NotFound; audit whenever the actor is not the person.

    `audit_allowed=False` is for a check that discloses nothing by itself (a poll
    answered "unchanged"); the caller records the read if it then returns data.
    A refusal is always recorded.
    """
    found = relation(session, actor=actor, subject_id=subject_id)
    if found is None:
        refusal = audit.event(
            actor=actor,
            subject_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome=Outcome.DENIED,
        )
        raise NotFound(keep=[refusal])  # stored although the request is rolled back
    if found is Relation.CASE_MANAGER and audit_allowed:
        record_access(
            session,
            actor=actor,
            subject_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
        )
    return found


def record_access(
    session: Session,
    *,
    actor: Account,
    subject_id: int,
    action: str,
    object_type: str,
    object_id: int | None,
) -> None:
    """Write an allowed access to the audit log (for a check made with audit_allowed=False)."""
    if actor.id == subject_id:
        return
    session.add(
        audit.event(
            actor=actor,
            subject_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome=Outcome.ALLOWED,
        )
    )
    session.flush()
