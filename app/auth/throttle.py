"""Slowing down password guessing without letting anyone lock the owner out.

Every password attempt is counted, before its password is checked, against:

- the account (a keyed digest of the username, so a name that does not exist
  is counted and answered exactly like one that does): 5 attempts free, then
  each further attempt waits 1, 2, 4 … seconds after the previous one, at most
  5 minutes; the count starts over after a successful sign-in, or the next day.
  Someone guessing around the clock gets under 300 tries a day at one account,
  while a person who mistypes a few times waits seconds, not minutes;
- the client address (an IPv6 client: its /64 network) and the whole service,
  which count failures: `sign_in_address_limit` and `sign_in_total_limit` per
  15 minutes are free, so a school behind one address is not slowed by a few
  typos, then the same growing delay.

A browser where the account has signed in before (a known device, see
devices.py) is exempt from all three: someone else's guessing can slow the
owner down nowhere they have signed in before. Its own attempts are counted
per device instead, with the account's rule.

Counting is one INSERT … ON CONFLICT DO UPDATE … WHERE "may try now"
RETURNING per counter, on PostgreSQL and SQLite alike: parallel attempts queue
on the row, so a burst of guesses gets no more checks than the rule allows.
"""

import hashlib
import hmac
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, case, delete, literal, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.auth.errors import TooManyAttempts
from app.auth.models import SignInCounter
from app.core.config import get_settings
from app.core.security import derived_key, token_digest
from app.core.types import UTCDateTime

ACCOUNT = "account"
DEVICE = "device"
ADDRESS = "address"
TOTAL = "total"
ACCOUNT_FREE_ATTEMPTS = 5
ACCOUNT_WINDOW = timedelta(days=1)
RATE_WINDOW = timedelta(minutes=15)  # of the address and service-wide counts
MAX_WAIT = timedelta(minutes=5)
SWEEP_BATCH = 20  # expired rows removed whenever a new counter row is started


@dataclass(frozen=True)
class Limit:
    kind: str
    free: int  # attempts in a window before any waiting
    window: timedelta
    counts_failures_only: bool  # a success takes its attempt back (else: starts over)


@dataclass(frozen=True)
class Counter:
    limit: Limit
    subject: str
    window_start: datetime

    @property
    def window_end(self) -> datetime:
        return self.window_start + self.limit.window


@dataclass(frozen=True)
class KnownDevice:
    """A browser's signed claim: its id, and the accounts that have signed in on it."""

    id: str
    accounts: tuple[str, ...]


def wait_after(attempts: int, free: int) -> timedelta:
    """How long the next attempt waits after `attempts` in a window."""
    if attempts < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(attempts - free, 30)), MAX_WAIT)


def account_key(username: str) -> str:
    """The account's name in counters and device cookies: never the username itself."""
    key = derived_key("sign-in.account").encode()
    return hmac.new(key, username.encode(), hashlib.sha256).hexdigest()


def address_subject(host: str) -> str:
    """A client address; all of an IPv6 client's /64 network counts as one."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _counter(limit: Limit, subject: str, now: datetime) -> Counter:
    seconds = int(limit.window.total_seconds())
    start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
    return Counter(limit, subject, start)


def counters_for(
    *, username: str, client: str, device: KnownDevice | None, now: datetime
) -> tuple[Counter, ...]:
    """What one attempt counts against, always in the same order (so locks never cross)."""
    name = account_key(username)
    if device is not None and name in device.accounts:
        limit = Limit(DEVICE, ACCOUNT_FREE_ATTEMPTS, ACCOUNT_WINDOW, False)
        return (_counter(limit, token_digest(f"{device.id}:{name}"), now),)
    settings = get_settings()
    return (
        _counter(Limit(ACCOUNT, ACCOUNT_FREE_ATTEMPTS, ACCOUNT_WINDOW, False), name, now),
        _counter(
            Limit(ADDRESS, settings.sign_in_address_limit, RATE_WINDOW, True),
            address_subject(client),
            now,
        ),
        _counter(Limit(TOTAL, settings.sign_in_total_limit, RATE_WINDOW, True), "all", now),
    )


def _moment(value: datetime) -> ColumnElement[datetime]:
    return literal(value, UTCDateTime())


def _next_not_before(limit: Limit, attempts: ColumnElement[int], now: datetime) -> Any:
    """SQL: when the attempt after this one may start, given the count including this one."""
    branches = [(attempts < limit.free, _moment(now))]
    n = limit.free
    while wait_after(n, limit.free) < MAX_WAIT:
        branches.append((attempts == n, _moment(now + wait_after(n, limit.free))))
        n += 1
    return case(*branches, else_=_moment(now + MAX_WAIT))


def _table() -> Table:
    return SignInCounter.__table__  # type: ignore[attr-defined]


def _insert(session: Session) -> Callable[..., Any]:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _count(session: Session, counter: Counter, now: datetime) -> int | None:
    """Count one attempt, unless it has to wait: then nothing changes and None is returned."""
    table = _table()
    limit = counter.limit
    statement = (
        _insert(session)(table)
        .values(
            kind=limit.kind,
            subject=counter.subject,
            window_start=counter.window_start,
            attempts=1,
            not_before=now + wait_after(1, limit.free),
            expires_at=counter.window_end,
        )
        .on_conflict_do_update(
            index_elements=[table.c.kind, table.c.subject, table.c.window_start],
            set_={
                "attempts": table.c.attempts + 1,
                "not_before": _next_not_before(limit, table.c.attempts + 1, now),
            },
            where=or_(table.c.attempts < limit.free, table.c.not_before <= now),
        )
        .returning(table.c.attempts)
    )
    counted = session.execute(statement).scalar()
    return None if counted is None else int(counted)


class _MustWait(Exception):
    pass


def count_attempt(session: Session, counters: tuple[Counter, ...], now: datetime) -> None:
    """Count an attempt against every counter, or (TooManyAttempts) against none."""
    try:
        with session.begin_nested():
            for counter in counters:
                counted = _count(session, counter, now)
                if counted is None:
                    raise _MustWait()
                if counted == 1:
                    _sweep(session, now)
    except _MustWait:
        raise TooManyAttempts(wait_seconds=_wait_seconds(session, counters, now)) from None


def _wait_seconds(session: Session, counters: tuple[Counter, ...], now: datetime) -> int:
    """How long until every counter lets the next attempt through (a new window forgets)."""
    table = _table()
    wait = timedelta(0)
    for counter in counters:
        row = session.execute(
            select(table.c.attempts, table.c.not_before).where(
                table.c.kind == counter.limit.kind,
                table.c.subject == counter.subject,
                table.c.window_start == counter.window_start,
            )
        ).first()
        if row is not None and row.attempts >= counter.limit.free:
            wait = max(wait, min(row.not_before, counter.window_end) - now)
    return max(1, math.ceil(wait.total_seconds()))


def forgive(session: Session, counters: tuple[Counter, ...]) -> None:
    """A successful sign-in: the account's (or device's) count starts over, and the
    address and the service take the attempt back, as they count failures only."""
    table = _table()
    for counter in counters:
        same = (table.c.kind == counter.limit.kind, table.c.subject == counter.subject)
        if counter.limit.counts_failures_only:
            session.execute(
                update(table)
                .where(*same, table.c.window_start == counter.window_start, table.c.attempts > 0)
                .values(attempts=table.c.attempts - 1)
            )
        else:
            session.execute(delete(table).where(*same))


def _sweep(session: Session, now: datetime) -> None:
    """Remove a few counters of windows that have ended: each new row pays for a few old
    ones, so the table stays about as small as the live windows and no request pays for
    a big delete. Rows another transaction is removing are skipped (PostgreSQL)."""
    table = _table()
    expired = (
        select(table.c.kind, table.c.subject, table.c.window_start)
        .where(table.c.expires_at <= now)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    key = tuple_(table.c.kind, table.c.subject, table.c.window_start)
    session.execute(delete(table).where(key.in_(expired)))
