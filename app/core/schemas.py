"""Value types for the JSON API, so the published schema says what the service accepts."""

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict, StringConstraints


def _date_as_text(value: Any) -> Any:
    # JSON has no dates: accept the ISO text only, never a number read as a timestamp.
    if not isinstance(value, str | date):
        raise ValueError("give the date as text, YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_date_as_text)]


def text(max_length: int) -> Any:
    """Text with at least one visible character."""
    return Annotated[str, Strict(), StringConstraints(pattern=r"\S", max_length=max_length)]


def free_text(max_length: int) -> Any:
    return Annotated[str, Strict(), StringConstraints(max_length=max_length)]
