"""Value types for the JSON API, so the published schema says what the service accepts."""

from datetime import date
from typing import Annotated, Any, get_args

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from app.core.bounds import DATE_RANGE, INT_MAX, date_in_range


def _date_as_text(value: Any) -> Any:
    # JSON has no dates: accept the ISO text only, never a number read as a timestamp.
    if not isinstance(value, str | date):
        raise ValueError("give the date as text, YYYY-MM-DD")
    return value


def _date_in_range(value: date) -> date:
    if not date_in_range(value):
        raise PydanticCustomError(
            "date_out_of_range",
            "give a date between {first} and {last}",
            {"first": DATE_RANGE.start, "last": DATE_RANGE.stop - 1},
        )
    return value


# The published schema says what is accepted: YYYY-MM-DD within the years a column holds.
DATE_PATTERN = r"^(19\d\d|2[01]\d\d|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
IsoDate = Annotated[
    date,
    BeforeValidator(_date_as_text),
    AfterValidator(_date_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
# An object's id in a path (/people/{person_id}/…): a positive whole number its column holds.
PathId = Annotated[int, Path(ge=1, le=INT_MAX)]
# A version number a client sends back: a positive whole number that fits its column.
Version = Annotated[int, Strict(), Field(ge=1, le=INT_MAX)]


# No text may hold a NUL character (PostgreSQL cannot store it; see RejectNulMiddleware).
NO_NUL = r"^[^\u0000]*$"
VISIBLE = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def visible(max_length: int) -> StringConstraints:
    """Text with at least one visible character: `Annotated[str, Strict(), visible(n)]`."""
    return StringConstraints(pattern=VISIBLE, max_length=max_length)


def no_nul(max_length: int) -> StringConstraints:
    """The rule of text that may be empty: `Annotated[str, Strict(), no_nul(n)]`."""
    return StringConstraints(pattern=NO_NUL, max_length=max_length)


def text(max_length: int) -> Any:
    """Text with at least one visible character."""
    return Annotated[str, Strict(), visible(max_length)]


def free_text(max_length: int) -> Any:
    return Annotated[str, Strict(), no_nul(max_length)]


# A request body: unknown fields are refused, not silently dropped.
BODY_CONFIG = ConfigDict(extra="forbid", regex_engine="python-re")


class Body(BaseModel):
    """A request body: unknown fields are refused, not silently dropped."""

    model_config = BODY_CONFIG


def max_length(model: type[BaseModel], name: str) -> int:
    """The longest text a model's field takes, read from its declared rule (`Field(max_length=)`,
    or `text()` / `free_text()`, also inside `X | None`): forms and pages read limits here."""
    field = model.model_fields[name]
    nested = [
        meta for arg in get_args(field.annotation) for meta in getattr(arg, "__metadata__", ())
    ]
    found = [getattr(meta, "max_length", None) for meta in [*field.metadata, *nested]]
    return next(length for length in found if length is not None)
