"""The one place that decides whether an actor may touch a young person's data.

A young person may touch their own data; a case manager the data of the young
people in their caseload; a machine client (the national portal) the data of
the one person its access token was issued for, within the token's scopes.
Every access by someone other than the person is written to the audit log,
allowed or not. Refusals look exactly like a missing object (404), so an
outsider learns nothing.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import TypedDict

from sqlmodel import Session, select

from app.audit import service as audit
from app.audit.actions import AuditAction, Purpose
from app.audit.models import AuditEvent, Outcome
from app.auth.models import Account, CaseAssignment, Role
from app.core.errors import AppError, NotFound
from app.core.i18n import N_


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


class AuditActor(TypedDict):
    """Who did it, as an audit row records it: `audit.event(**audit_actor(account), ...)`."""

    actor_id: int | None
    actor_role: str


def audit_actor(account: Account | None) -> AuditActor:
    """An account as an audit row's actor: `audit.event`'s `actor_id` and `actor_role`, the
    role the account has now (no account: no one signed in)."""
    if account is None:
        return AuditActor(actor_id=None, actor_role=audit.ANONYMOUS)
    return AuditActor(actor_id=account.id, actor_role=str(account.role))


def authorize(
    session: Session,
    *,
    actor: Account,
    subject_id: int,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
    audit_allowed: bool = True,
    only_self: bool = False,
) -> Relation:
    """Allow, or raise NotFound; audit whenever the actor is not the person.

    `only_self`: what only the person may do (answer their own survey); their case manager
    is refused like anyone else.

    `audit_allowed=False` is for a check that discloses nothing by itself (a poll
    answered "unchanged"); the caller records the read if it then returns data.
    A refusal is always recorded.
    """
    audited = partial(_access_event, actor, subject_id, action, object_type, object_id)
    found = relation(session, actor=actor, subject_id=subject_id)
    if found is not Relation.SELF and only_self:
        found = None
    if found is None:  # the refusal is stored although the request is rolled back
        raise NotFound(keep=[audited(Outcome.DENIED)])
    if found is Relation.CASE_MANAGER and audit_allowed:
        session.add(audited())
        session.flush()
    return found


def record_access(
    session: Session,
    *,
    actor: Account,
    subject_id: int,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
) -> None:
    """Write an allowed access to the audit log (for a check made with audit_allowed=False)."""
    if actor.id == subject_id:
        return
    session.add(_access_event(actor, subject_id, action, object_type, object_id))
    session.flush()


def _access_event(
    actor: Account,
    subject_id: int,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
    outcome: Outcome = Outcome.ALLOWED,
) -> AuditEvent:
    """The audit row of an account's access to a person's data (not yet added)."""
    return audit.event(
        **audit_actor(actor),
        subject_id=subject_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
    )


class ScopeMissing(AppError):
    status = 403
    code = "insufficient-scope"
    message = N_("The access token does not allow this.")


def scope_allows(granted: frozenset[str], needed: str) -> bool:
    """SMART scopes: `patient/Goal.read` is met by itself, by `patient/*.read`, and by the
    SMART v2 forms (`patient/Goal.rs`: read and search; `.c`: create)."""
    context, _, rest = needed.partition("/")
    resource, _, permission = rest.partition(".")
    letters = {"read": set("rs"), "write": set("cu")}[permission]
    for scope in granted:
        their_context, _, their_rest = scope.partition("/")
        their_resource, _, their_permission = their_rest.partition(".")
        if their_context != context or their_resource not in (resource, "*"):
            continue
        if their_permission == permission or (
            their_permission
            and set(their_permission) <= set("cruds")
            and letters & set(their_permission)
        ):
            return True
    return False


def client_event(
    outcome: Outcome,
    *,
    client_id: str | None,
    token_subject: str | None,
    subject_id: int | None,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
) -> AuditEvent:
    """The audit row of a machine client's access (not yet added to the session); without a
    valid token, no client or subject is known."""
    return audit.event(
        actor_id=None,
        actor_role=audit.PORTAL,
        subject_id=subject_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        purpose=Purpose.PORTAL,
        client_id=client_id,
        token_subject=token_subject,
    )


def authorize_client(
    session: Session,
    *,
    client_id: str | None,
    token_subject: str,
    person_id: int | None,
    granted: frozenset[str],
    needed: str,
    action: AuditAction,
    object_type: str,
    object_id: int | None = None,
    owner_id: int | None = None,
    exists: bool = True,
    record_allowed: bool = True,
) -> AuditEvent:
    """Allow a machine client acting for `person_id` (the token subject's account, if any),
    or raise: 403 without the scope, 404 for anyone else's object. Always audited.

    `owner_id` is whose object it is; None for a search within the person's own data.
    `exists=False`: no such object; refused like someone else's, and recorded.
    Returns the audit row of the allowed access; with `record_allowed=False` the caller
    stores it once it knows the object (an import).
    """
    record = partial(
        client_event,
        client_id=client_id,
        token_subject=token_subject,
        subject_id=owner_id if owner_id is not None else person_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
    )
    _check_client(granted, needed, own_data=exists and owner_id in (None, person_id), record=record)
    allowed = record(Outcome.ALLOWED)
    if record_allowed:
        session.add(allowed)
        session.flush()
    return allowed


def _check_client(
    granted: frozenset[str], needed: str, *, own_data: bool, record: Callable[[Outcome], AuditEvent]
) -> None:
    """Refuse a client, the refusal recorded: without the scope for this (403), or for an
    object not of its person's own data, or none at all (404, like a missing one)."""
    if not scope_allows(granted, needed):
        challenge = f'Bearer realm="mylife-fhir", error="insufficient_scope", scope="{needed}"'
        raise ScopeMissing(headers={"WWW-Authenticate": challenge}, keep=[record(Outcome.DENIED)])
    if not own_data:
        raise NotFound(keep=[record(Outcome.DENIED)])
