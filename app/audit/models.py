"""The append-only audit log: who touched whose data, what, why, when, and the outcome.

Rows are never updated, deleted or replaced; database triggers refuse it (see the
migrations), and on PostgreSQL the application's role may only insert and read them
(app/core/db_roles.py). Ids are plain numbers, not foreign keys, so that no later change
to an account can alter the record.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, text
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    INVALID = "invalid"  # allowed, but what was sent was refused (a bad import)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    # The person's view of their log reads allowed accesses by subject, newest first; a
    # partial index keeps a flood of refused attempts out of that read.
    __table_args__ = (
        Index(
            "ix_audit_event_shown",
            "subject_id",
            "at",
            "id",
            sqlite_where=text("outcome != 'denied'"),
            postgresql_where=text("outcome != 'denied'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_role: str = Field(max_length=20)
    subject_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    purpose: str = Field(default="case_work", max_length=40)
    outcome: Outcome = Field(sa_type=String(10))
    # A machine client (the portal): its OAuth client id and the token's subject.
    client_id: str | None = Field(default=None, max_length=120)
    token_subject: str | None = Field(default=None, max_length=255)
