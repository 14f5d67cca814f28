"""Invitations and the caseload. Flushes, never commits."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.actions import AuditAction
from app.auth import access
from app.auth import service as auth_service
from app.auth.models import Account, CaseAssignment, Role
from app.caseload import team
from app.caseload.errors import (
    InvitationInvalid,
)
from app.caseload.models import Invitation
from app.core.errors import NotFound
from app.core.security import token_digest
from app.core.types import saved_id, utcnow
from app.plan import agreement
from app.plan.models import Plan, PlanAction, PlanAgreement, PlanState, Review
from app.survey import service as survey_service
from app.survey.models import Answer, Assessment, InstrumentVersion

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
    manager = session.get(Account, invitation.case_manager_id)
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
    manager = session.get(Account, invitation.case_manager_id)
    assert manager is not None
    auth_service.assign_case(session, case_manager=manager, young_person=person)
    assignment = session.exec(
        select(CaseAssignment.id).where(
            CaseAssignment.case_manager_id == manager.id,
            CaseAssignment.young_person_id == person.id,
        )
    ).one()
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
    count = session.exec(
        select(func.count()).select_from(Assessment).where(Assessment.subject_id == person_id)
    ).one()
    return JoinPreview(
        manager=manager,
        assessments=int(count),
        current=[c for c in current if c.manager_id != manager.id],
        already=any(c.manager_id == manager.id for c in current),
    )


def person(session: Session, *, person_id: int) -> Account:
    """A young person's account (the caller has checked access)."""
    found = session.get(Account, person_id)
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


def _assessment_summary() -> Any:
    return (
        select(
            col(Assessment.subject_id).label("subject_id"),
            func.max(Assessment.completed_at).label("last_at"),
            func.count(col(Assessment.id))
            .filter(col(Assessment.completed_at).is_(None))
            .label("open"),
        )
        .group_by(col(Assessment.subject_id))
        .subquery()
    )


def _plan_summary(today: date) -> Any:
    overdue = (
        select(col(PlanAction.plan_id).label("plan_id"), func.count().label("overdue"))
        .where(col(PlanAction.done).is_(False), col(PlanAction.due_on) < today)
        .group_by(col(PlanAction.plan_id))
        .subquery()
    )
    upcoming = (
        select(
            col(Review.plan_id).label("plan_id"), func.max(Review.next_review_on).label("next_on")
        )
        .group_by(col(Review.plan_id))
        .subquery()
    )
    return (
        sa_select(
            col(Plan.young_person_id).label("person_id"),
            col(PlanAgreement.id).label("agreement_id"),
            col(PlanAgreement.agreed_at).label("agreed_at"),
            upcoming.c.next_on,
            func.coalesce(overdue.c.overdue, 0).label("overdue"),
        )
        .outerjoin(PlanAgreement, agreement.of_current_revision())
        .outerjoin(upcoming, upcoming.c.plan_id == col(Plan.id))
        .outerjoin(overdue, overdue.c.plan_id == col(Plan.id))
        .subquery()
    )


def _plan_state(
    has_plan: bool, agreement_id: int | None, agreed_at: datetime | None
) -> PlanState | None:
    return agreement.state_of(agreement_id, agreed_at) if has_plan else None


def _needing_help(session: Session, people: list[int]) -> set[int]:
    """People whose latest completed assessment meets its instrument's help rule."""
    latest = (
        select(col(Assessment.subject_id), func.max(col(Assessment.completed_at)).label("at"))
        .where(col(Assessment.subject_id).in_(people), col(Assessment.completed_at).is_not(None))
        .group_by(col(Assessment.subject_id))
        .subquery()
    )
    rows = session.exec(
        select(
            Assessment.subject_id,
            Assessment.instrument_version_id,
            Answer.item_id,
            Answer.value_int,
        )
        .join(
            latest,
            (latest.c.subject_id == col(Assessment.subject_id))
            & (latest.c.at == col(Assessment.completed_at)),
        )
        .join(Answer, col(Answer.assessment_id) == col(Assessment.id))
        .where(col(Answer.item_id).like("%.satisfaction"))
    ).all()
    by_person: dict[tuple[int, int], dict[str, int | None]] = {}
    for subject_id, version_id, item_id, value in rows:
        by_person.setdefault((subject_id, version_id), {})[item_id.split(".")[0]] = value
    versions = {v.id: v for v in survey_service.latest_versions(session)} if by_person else {}
    flagged = set()
    for (subject_id, version_id), values in by_person.items():
        version = versions.get(version_id) or session.get(InstrumentVersion, version_id)
        if version and survey_service.definition_of(version).help_needed(values):
            flagged.add(subject_id)
    return flagged


def caseload(session: Session, *, actor: Account) -> list[CaseloadRow]:
    """The case manager's young people with what matters now, in a fixed number of queries."""
    if actor.role != Role.CASE_MANAGER:
        raise NotFound()
    rows = session.execute(_caseload_query(saved_id(actor.id))).all()
    people = [saved_id(row.id) for row in rows]
    # A list view (reloaded often) is recorded once per person per day, not per load.
    audit.record_once_a_day(
        session,
        **access.audit_actor(actor),
        subject_ids=people,
        action=AuditAction.CASELOAD_READ,
        object_type="person",
    )
    flagged = _needing_help(session, people) if people else set()
    others = team.managers_of(session, people, besides=actor.id) if people else {}
    return [
        CaseloadRow(
            person_id=saved_id(row.id),
            display_name=row.display_name,
            last_assessment_at=row.last_at,
            open_assessment=bool(row.open),
            plan_state=_plan_state(row.person_id is not None, row.agreement_id, row.agreed_at),
            next_review_on=row.next_on,
            overdue_actions=int(row.overdue or 0),
            needs_help=row.id in flagged,
            also_with=tuple(others.get(row.id, ())),
        )
        for row in rows
    ]


def _caseload_query(manager_id: int) -> Select[Any]:
    """One row per young person in the case manager's caseload: their assessments' and
    plan's summaries, by name."""
    assessments, plans = _assessment_summary(), _plan_summary(utcnow().date())
    return (
        sa_select(
            col(Account.id),
            col(Account.display_name),
            assessments.c.last_at,
            assessments.c.open,
            plans.c.person_id,
            plans.c.agreement_id,
            plans.c.agreed_at,
            plans.c.next_on,
            plans.c.overdue,
        )
        .join(CaseAssignment, col(CaseAssignment.young_person_id) == col(Account.id))
        .outerjoin(assessments, assessments.c.subject_id == col(Account.id))
        .outerjoin(plans, plans.c.person_id == col(Account.id))
        .where(col(CaseAssignment.case_manager_id) == manager_id)
        .order_by(col(Account.display_name), col(Account.id))
    )
