"""Invitations and the caseload. Flushes, never commits."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth import service as auth_service
from app.auth.models import Account, CaseAssignment, Role
from app.caseload.errors import BirthDateInvalid, FieldRequired, InvitationInvalid, UsernameTaken
from app.caseload.models import Invitation
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.security import token_digest
from app.core.types import saved_id, utcnow
from app.survey.models import Assessment

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


def _use(session: Session, invitation: Invitation, person: Account) -> None:
    """Mark the invitation used, once: a second use in a race finds no row to update."""
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


def accept_as(session: Session, *, token: str, person: Account) -> Account:
    """A signed-in young person joins the caseload of the invitation's case manager."""
    if person.role != Role.YOUNG_PERSON:
        raise InvitationInvalid()
    invitation, manager = open_invitation(session, token=token)
    _use(session, invitation, person)
    return manager


def parse_birth_date(text: str) -> date:
    parts = text.strip().replace("-", ".").replace("/", ".").split(".")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
        elif len(parts) == 3:
            day = date(int(parts[2]), int(parts[1]), int(parts[0]))
        else:
            raise ValueError(text)
    except ValueError as error:
        raise BirthDateInvalid(field="birth_date") from error
    if not date(1900, 1, 1) <= day <= utcnow().date():
        raise BirthDateInvalid(field="birth_date")
    return day


def accept_with_new_account(
    session: Session,
    *,
    token: str,
    username: str,
    display_name: str,
    password: str,
    birth_date: str,
) -> Account:
    """Create the young person's account from an invitation and link it, in one step."""
    invitation, _manager = open_invitation(session, token=token)
    problems: list[AppError] = []
    for field, value in (("display_name", display_name), ("username", username)):
        if not value.strip():
            problems.append(FieldRequired(field=field))
    if username.strip() and auth_service.username_taken(session, username=username):
        problems.append(UsernameTaken(field="username"))
    born: date | None = None
    try:
        born = parse_birth_date(birth_date)
    except AppError as error:
        problems.append(error)
    try:
        auth_service.check_password(password)
    except AppError as error:
        problems.append(error)
    if problems:
        raise InvalidInput(errors=[e for problem in problems for e in problem.errors])
    person = auth_service.create_local_account(
        session,
        username=username,
        password=password,
        display_name=display_name.strip()[:120],
        role=Role.YOUNG_PERSON,
        birth_date=born,
    )
    _use(session, invitation, person)
    return person


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


def caseload(session: Session, *, actor: Account) -> list[CaseloadRow]:
    """The case manager's young people with what matters now, in a fixed number of queries."""
    if actor.role != Role.CASE_MANAGER:
        raise NotFound()
    last_completed = (
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
    rows = session.exec(
        select(Account.id, Account.display_name, last_completed.c.last_at, last_completed.c.open)
        .join(CaseAssignment, col(CaseAssignment.young_person_id) == col(Account.id))
        .outerjoin(last_completed, last_completed.c.subject_id == col(Account.id))
        .where(CaseAssignment.case_manager_id == actor.id)
        .order_by(col(Account.display_name), col(Account.id))
    ).all()
    audit_rows = [
        audit.event(
            actor=actor,
            subject_id=person_id,
            action="caseload.read",
            object_type="person",
            object_id=person_id,
        )
        for person_id, *_rest in rows
    ]
    session.add_all(audit_rows)
    session.flush()
    return [
        CaseloadRow(
            person_id=saved_id(person_id),
            display_name=name,
            last_assessment_at=last_at,
            open_assessment=bool(open_count),
        )
        for person_id, name, last_at, open_count in rows
    ]
