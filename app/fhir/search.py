"""FHIR search parameters: `date` values with their prefixes, and references to a person.

A date names a period (a year, a month or a day, in UTC); its prefix says how a
moment must relate to that period: eq (within), ne (outside), gt and sa (after
it), lt and eb (before it), ge (within or after), le (within or before).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.core.errors import FieldError, InvalidInput
from app.core.i18n import N_


class BadSearch(InvalidInput):
    status = 400


_DATE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TESTS: dict[str, Callable[[datetime, datetime, datetime], bool]] = {
    "eq": lambda moment, start, end: start <= moment < end,
    "ne": lambda moment, start, end: not start <= moment < end,
    "gt": lambda moment, start, end: moment >= end,
    "sa": lambda moment, start, end: moment >= end,
    "ge": lambda moment, start, end: moment >= start,
    "lt": lambda moment, start, end: moment < start,
    "eb": lambda moment, start, end: moment < start,
    "le": lambda moment, start, end: moment < end,
}


@dataclass(frozen=True)
class DateFilter:
    """One `date` search value: a prefix and the period [start, end) it names."""

    prefix: str
    start: datetime
    end: datetime

    def matches(self, moment: datetime) -> bool:
        return _TESTS[self.prefix](moment, self.start, self.end)


def number(text: str) -> int | None:
    """A resource id as MyLife's integer id, or None for anything else."""
    return int(text) if text.isdecimal() and len(text) < 10 else None


def _period(year: str, month: str | None, day: str | None) -> tuple[datetime, datetime]:
    start = datetime(int(year), int(month or 1), int(day or 1), tzinfo=UTC)
    if day:
        return start, start + timedelta(days=1)
    if month:
        return start, start.replace(
            year=start.year + (start.month == 12), month=start.month % 12 + 1
        )
    return start, start.replace(year=start.year + 1)


def date_filter(value: str, *, parameter: str = "authored") -> DateFilter:
    """One value such as `ge2025-03`; BadSearch (400) naming `parameter` if it is not one."""
    match = _DATE.match(value)
    try:
        if not match:
            raise ValueError(value)
        prefix, year, month, day = match.groups()
        start, end = _period(year, month, day)
    except ValueError as error:
        message = N_("Give a date as YYYY, YYYY-MM or YYYY-MM-DD, with a prefix such as ge or lt.")
        raise BadSearch(errors=[FieldError(parameter, message)]) from error
    return DateFilter(prefix or "eq", start, end)


def date_filters(values: list[str]) -> list[DateFilter]:
    return [date_filter(value) for value in values]


def within(moment: datetime, filters: list[DateFilter]) -> bool:
    """Whether the moment meets every filter (no filters: always)."""
    return all(found.matches(moment) for found in filters)


def names_only(references: list[str], person_id: int | None) -> bool:
    """`subject`/`patient` values (`Patient/7`, `…/Patient/7` or `7`) all name this person."""
    if person_id is None:
        return False
    return all(number(value.rstrip("/").rsplit("/", 1)[-1]) == person_id for value in references)
