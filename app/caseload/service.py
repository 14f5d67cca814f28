"""Invitations and the caseload. Flushes, never commits."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.actions import AuditAction
from app.auth import access
from app.auth import service as auth_service
from app.auth.models import Account, Role
from app.caseload import team
from app.caseload.errors import (
    InvitationInvalid,
)
from app.caseload.models import Invitation
from app.core.errors import NotFound
from app.core.security import token_digest
from app.core.types import local_today, saved_id, utcnow
from app.plan import agreement, summaries
from app.plan.models import PlanState
from app.survey import help as survey_help
from app.survey import queries as survey_queries

INVITATION_LIFETIME = timedelta(days=14)


def invite(session: Session, *, actor: Account, name_hint: str = "") -> str:
    """A new invitation; returns the token for the link (shown once, stored as a digest)."""
    if actor.role != Role.CASE_MANAGER:
        raise NotFound()
    token = secrets.token_urlsafe(24)
    session.add(
        Invitation(
            token_digest=token_digest(token),
            case_manager_id=saved_id(actor.id),
            name_hint=name_hint.strip()[:120],
            expires_at=utcnow() + INVITATION_LIFETIME,
        )
    )
    session.flush()
    return token


def open_invitation(session: Session, *, token: str) -> tuple[Invitation, Account]:
    """The invitation behind a link and its case manager, if it can still be used."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_digest == token_digest(token))
    ).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise InvitationInvalid()
    manager = auth_service.account(session, invitation.case_manager_id)
    if manager is None or not manager.is_active:
        raise InvitationInvalid()
    return invitation, manager


def use_invitation(session: Session, invitation: Invitation, person: Account) -> None:
    """Mark the invitation used, once: a second use in a race finds no row to update.
    The person joins the caseload, written to the audit log with the person as actor."""
    now = utcnow()
    result = session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=now, used_by_id=person.id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvitationInvalid()
    manager = auth_service.account(session, invitation.case_manager_id)
    assert manager is not None
    assignment = auth_service.assign_case(session, case_manager=manager, young_person=person)
    session.add(
        audit.event(
            **access.audit_actor(person),
            subject_id=person.id,
            action=AuditAction.CASELOAD_JOIN,
            object_type="case_assignment",
            object_id=assignment,
        )
    )
    session.flush()


def accept_as(session: Session, *, token: str, person: Account) -> Account:
    """A signed-in young person, who has confirmed it, joins the caseload of the
    invitation's case manager (who from then on sees all their data)."""
    if person.role != Role.YOUNG_PERSON:
        raise InvitationInvalid()
    invitation, manager = open_invitation(session, token=token)
    use_invitation(session, invitation, person)
    return manager


@dataclass(frozen=True)
class JoinPreview:
    """What a young person is asked before joining: who will see what, who sees it now."""

    manager: Account
    assessments: int  # made so far: the new case manager will see every one
    current: list[team.Colleague]  # the case managers who see the person's data now
    already: bool  # the person is in this case manager's caseload already


def preview_joining(session: Session, *, token: str, person: Account) -> JoinPreview:
    """The confirmation a signed-in young person sees before joining; changes nothing."""
    if person.role != Role.YOUNG_PERSON:
        raise InvitationInvalid()
    _invitation, manager = open_invitation(session, token=token)
    person_id = saved_id(person.id)
    current = team.managers_of(session, [person_id]).get(person_id, [])
    return JoinPreview(
        manager=manager,
        assessments=survey_queries.assessment_count(session, person_id),
        current=[c for c in current if c.manager_id != manager.id],
        already=any(c.manager_id == manager.id for c in current),
    )


def person(session: Session, *, person_id: int) -> Account:
    """A young person's account (the caller has checked access)."""
    found = auth_service.account(session, person_id)
    if found is None or found.role != Role.YOUNG_PERSON:
        raise NotFound()
    return found


@dataclass(frozen=True)
class CaseloadRow:
    person_id: int
    display_name: str
    last_assessment_at: datetime | None
    open_assessment: bool
    plan_state: PlanState | None  # None: no plan yet
    next_review_on: date | None
    overdue_actions: int
    needs_help: bool
    also_with: tuple[team.Colleague, ...] = ()  # the person's other case managers
    new_assessment: bool = False  # completed after the reader last opened one of theirs
    standing: agreement.Standing = agreement.Standing.NOT_STARTED
    last_agreed_at: datetime | None = None  # the plan's latest agreement, if any

    @property
    def urgency(self) -> tuple[bool, bool, bool]:
        """Sorts first (False before True): flagged, overdue, a new assessment to look at."""
        return (not self.needs_help, not self.overdue_actions, not self.new_assessment)


def caseload(
    session: Session, *, actor: Account, search: str = "", now: datetime | None = None
) -> list[CaseloadRow]:
    """The case manager's young people with what matters now, in a fixed number of queries:
    flagged, overdue and new assessments first, then by name; `search`: a part of the name."""
    if actor.role != Role.CASE_MANAGER:
        raise NotFound()
    people = auth_service.young_people_of(session, manager_id=saved_id(actor.id))
    wanted = search.strip().casefold()  # in Python: SQLite's lower() knows only ASCII
    people = [person for person in people if wanted in person.display_name.casefold()]
    ids = [saved_id(person.id) for person in people]
    # A list view (reloaded often) is recorded once per person per day, not per load.
    audit.record_once_a_day(
        session,
        **access.audit_actor(actor),
        subject_ids=ids,
        action=AuditAction.CASELOAD_READ,
        object_type="person",
    )
    others = team.managers_of(session, ids, besides=actor.id)
    found = _rows(session, actor, people, others, local_today(now))
    return sorted(found, key=lambda row: row.urgency)  # stable: by name within each


def summary(
    session: Session, *, actor: Account, person_id: int, now: datetime | None = None
) -> CaseloadRow:
    """One person's row of the caseload, for their page (the caller has checked access)."""
    people = auth_service.young_people_of(
        session, manager_id=saved_id(actor.id), person_id=person_id
    )
    if not people:
        raise NotFound()
    return _rows(session, actor, people, {}, local_today(now))[0]


def _rows(
    session: Session,
    actor: Account,
    people: list[Account],
    others: dict[int, list[team.Colleague]],
    today: date,
) -> list[CaseloadRow]:
    """The rows, combined from each domain's named queries, one query each however many."""
    ids = [saved_id(person.id) for person in people]
    assessments = survey_queries.assessment_summaries(session, ids)
    plans = summaries.plan_summaries(session, ids, today)
    flagged = survey_help.needing_help(session, ids)
    # "Since you last looked": the reader's last allowed read of one of the person's
    # assessments, from the audit log that records every such read anyway.
    seen = audit.last_allowed(
        session, actor_id=saved_id(actor.id), action=AuditAction.ASSESSMENT_READ, subject_ids=ids
    )
    rows = []
    for person_id, person in zip(ids, people, strict=True):
        last_at = assessments[person_id].last_completed_at if person_id in assessments else None
        plan, seen_at = plans.get(person_id), seen.get(person_id)
        rows.append(
            CaseloadRow(
                person_id=person_id,
                display_name=person.display_name,
                last_assessment_at=last_at,
                open_assessment=person_id in assessments and assessments[person_id].open,
                plan_state=plan.state if plan else None,
                next_review_on=plan.next_review_on if plan else None,
                overdue_actions=plan.overdue_actions if plan else 0,
                needs_help=person_id in flagged,
                also_with=tuple(others.get(person_id, ())),
                new_assessment=last_at is not None and (seen_at is None or seen_at < last_at),
                standing=summaries.standing(plan, reader=actor.role),
                last_agreed_at=plan.last_agreed_at if plan else None,
            )
        )
    return rows
