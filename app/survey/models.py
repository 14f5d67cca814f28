"""Instruments, their versions, assessments and answers."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field as PydanticField
from pydantic import Strict
from sqlalchemy import (
    JSON,
    Column,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from app.core.columns import foreign_key
from app.core.schemas import Body, free_text
from app.core.types import UTCDateTime, utcnow


class Instrument(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InstrumentVersion(SQLModel, table=True):
    """One immutable version of an instrument definition."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = foreign_key("instrument.id", ondelete="RESTRICT", index=False)
    version: str = Field(max_length=20)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    checksum: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssessmentStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Assessment(SQLModel, table=True):
    __table_args__ = (
        # At most one open assessment per person, whichever device starts it.
        Index(
            "uq_assessment_open_per_subject",
            "subject_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        # A response imported from elsewhere (the portal) is stored once per identifier.
        Index(
            "uq_assessment_external", "subject_id", "external_system", "external_id", unique=True
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = foreign_key("account.id")
    instrument_version_id: int = foreign_key(
        "instrument_version.id", ondelete="RESTRICT", index=False
    )
    status: AssessmentStatus = Field(default=AssessmentStatus.IN_PROGRESS, sa_type=String(20))
    # Index of the theme the person was last on, for resuming.
    position: int = 0
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Where an imported assessment came from: the identifier it carried there.
    external_system: str | None = Field(default=None, max_length=255)
    external_id: str | None = Field(default=None, max_length=255)
    imported_by: str | None = Field(default=None, max_length=120)  # the client that sent it


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("assessment_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = foreign_key("assessment.id", index=False)
    item_id: str = Field(max_length=81)
    value_int: int | None = None
    value_text: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def value(self) -> int | str | None:
        """The answer as given: a number on the scale, or text."""
        return self.value_int if self.value_int is not None else self.value_text


class AnswerChange(SQLModel, table=True):
    """A change of an answer as a device sent it, under the id the device gave it: a resend of
    the same change (its reply lost on the way, or sent again after being offline) is
    recognised and applied once, and answered as the first time (`saved_at`)."""

    __tablename__ = "answer_change"
    __table_args__ = (UniqueConstraint("assessment_id", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = foreign_key("assessment.id", index=False)  # the unique key's first
    client_id: str = Field(max_length=36)
    item_id: str = Field(max_length=81)
    saved_at: datetime = Field(sa_type=UTCDateTime)


class StaffReading(SQLModel, table=True):
    """A case manager's own reading of one theme of an assessment, kept beside the
    young person's answers and never in place of them."""

    __tablename__ = "staff_reading"
    __table_args__ = (UniqueConstraint("assessment_id", "author_id", "theme_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = foreign_key("assessment.id")
    author_id: int | None = foreign_key(
        "account.id", ondelete="SET NULL", nullable=True, index=False
    )
    author_name: str = Field(max_length=120)
    theme_id: str = Field(max_length=40)
    satisfaction: int
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- API schemas -------------------------------------------------------------


class InstrumentVersionPublic(SQLModel):
    code: str
    version: str
    title: dict[str, str]
    themes: int
    items: int


class AnswerIn(Body):
    """A multiple-choice answer is a whole number, a comment is text; null clears it."""

    value: Annotated[int, Strict()] | free_text(10000) | None = PydanticField(  # type: ignore[valid-type]
        description="A number on the item's scale, or text for a comment; null clears it"
    )


class AnswerPublic(SQLModel):
    item_id: str
    value: int | str | None


class AssessmentPublic(SQLModel):
    id: int
    instrument: str
    version: str
    status: AssessmentStatus
    position: int
    started_at: datetime
    completed_at: datetime | None
    answers: dict[str, int | str]
    unanswered: list[str]


class AssessmentSummary(SQLModel):
    id: int
    status: AssessmentStatus
    started_at: datetime
    completed_at: datetime | None


class ThemeReadingPublic(SQLModel):
    theme_id: str
    title: str
    importance: int | None
    satisfaction: int | None
    band: str | None
    more_important_than_satisfying: bool
    previous_satisfaction: int | None
    change: int | None
    staff_satisfaction: int | None = None
    staff_differs: bool = False


class CirclePublic(SQLModel):
    assessment_id: int
    compared_with: int | None
    scale_min: int
    scale_max: int
    themes: list[ThemeReadingPublic]
