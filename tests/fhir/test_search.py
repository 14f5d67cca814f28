"""FHIR search values: dates with prefixes and references to the token's person."""

from datetime import UTC, datetime

import pytest

from app.fhir.search import BadSearch, DateFilter, date_filter, names_only, number, within


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2025", at(2025, 1, 1), at(2026, 1, 1)),
        ("2025-02", at(2025, 2, 1), at(2025, 3, 1)),
        ("2025-12", at(2025, 12, 1), at(2026, 1, 1)),
        ("2024-02-29", at(2024, 2, 29), at(2024, 3, 1)),
        ("2025-12-31", at(2025, 12, 31), at(2026, 1, 1)),
    ],
)
def test_a_date_names_its_whole_year_month_or_day(value: str, start: datetime, end: datetime):
    assert date_filter(value) == DateFilter("eq", start, end)


@pytest.mark.parametrize(
    ("prefix", "before", "inside", "after"),
    [
        ("eq", False, True, False),
        ("ne", True, False, True),
        ("gt", False, False, True),
        ("sa", False, False, True),
        ("ge", False, True, True),
        ("lt", True, False, False),
        ("eb", True, False, False),
        ("le", True, True, False),
    ],
)
def test_each_prefix_relates_a_moment_to_the_period(
    prefix: str, before: bool, inside: bool, after: bool
):
    march = [date_filter(f"{prefix}2025-03")]
    assert within(at(2025, 2, 28, 23, 59, 59), march) is before
    assert within(at(2025, 3, 1), march) is inside
    assert within(at(2025, 3, 31, 23, 59, 59), march) is inside
    assert within(at(2025, 4, 1), march) is after


def test_every_filter_must_match_and_none_matches_everything():
    spring = [date_filter("ge2025-03"), date_filter("lt2025-06")]
    assert within(at(2025, 4, 15), spring)
    assert not within(at(2025, 6, 1), spring)
    assert not within(at(2025, 2, 1), spring)
    assert within(at(1999, 1, 1), [])


@pytest.mark.parametrize(
    "value", ["yesterday", "25", "2025-3", "2025-13", "2025-02-30", "xx2025", "ge2025-01-01T10"]
)
def test_anything_else_is_a_bad_search_naming_the_parameter(value: str):
    with pytest.raises(BadSearch) as refused:
        date_filter(value)
    assert refused.value.status == 400
    assert [error.field for error in refused.value.errors] == ["authored"]


def test_references_must_all_name_the_person():
    assert names_only([], 7)
    assert names_only(["Patient/7", "7", "https://x.example/fhir/R4/Patient/7/"], 7)
    assert not names_only(["Patient/7", "Patient/8"], 7)
    assert not names_only(["Patient/abc"], 7)
    assert not names_only([], None)
    assert number("12") == 12
    assert number("0012") == 12
    assert number("1234567890") is None
    assert number("-1") is None
