"""Writing the audit log, and reading one person's part of it."""

from sqlalchemy import insert, or_
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent, Outcome
from app.auth.models import Account


def event(
    *,
    actor: Account | None,
    subject_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    outcome: Outcome = Outcome.ALLOWED,
    purpose: str = "case_work",
    client_id: str | None = None,
    machine: bool = False,
    token_subject: str | None = None,
) -> AuditEvent:
    """One audit row. `machine`: a client such as the national portal acting on a token
    (`client_id`, `token_subject`) rather than a signed-in person."""
    return AuditEvent(
        actor_id=actor.id if actor else None,
        actor_role="portal" if machine else str(actor.role) if actor else "anonymous",
        subject_id=subject_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        purpose=purpose,
        client_id=client_id,
        token_subject=token_subject[:255] if token_subject else None,
    )


def record_all(session: Session, events: list[AuditEvent]) -> None:
    """Store many audit events in one statement (one per person on a caseload page)."""
    if events:
        rows = [event.model_dump(exclude={"id"}) for event in events]
        session.execute(insert(AuditEvent), rows)


def events_about(
    session: Session, *, subject_id: int, limit: int = 200
) -> list[tuple[AuditEvent, str | None]]:
    """What others did with one person's data, newest first, with who did it.
    The person's own acts (joining a caseload) are theirs, not someone else's access."""
    statement = (
        select(AuditEvent, Account.display_name)
        .outerjoin(Account, col(Account.id) == col(AuditEvent.actor_id))
        .where(
            AuditEvent.subject_id == subject_id,
            or_(col(AuditEvent.actor_id).is_(None), col(AuditEvent.actor_id) != subject_id),
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return [(event, name) for event, name in session.exec(statement).all()]
