"""Column types shared by every domain."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Days, months and times are shown and counted in Finnish time.
LOCAL_TIME = ZoneInfo("Europe/Helsinki")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on PostgreSQL and SQLite alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def saved_id(value: int | None) -> int:
    """The primary key of a row that has been flushed."""
    if value is None:
        raise RuntimeError("row has no id yet; flush it first")
    return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def epoch_ms(moment: datetime) -> int:
    """A moment as milliseconds since 1970, as a browser counts time."""
    return int(moment.timestamp() * 1000)


def local_midnight(day: date) -> datetime:
    """The moment (UTC) a day begins in Finnish time."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TIME).astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Finnish time."""
    return (now or utcnow()).astimezone(LOCAL_TIME).date()
