"""Invitations that bring a young person into a case manager's caseload."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.columns import foreign_key
from app.core.types import UTCDateTime, utcnow


class Invitation(SQLModel, table=True):
    """A single-use link with an expiry. Only a digest of its token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64, unique=True)
    case_manager_id: int = foreign_key("account.id")
    name_hint: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_id: int | None = foreign_key(
        "account.id", ondelete="SET NULL", nullable=True, index=False
    )
