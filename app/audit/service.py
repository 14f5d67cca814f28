"""Writing the audit log, and reading one person's part of it.

The person's own view (`/me/access`) is read only through the named queries
below, each bounded in SQL (LIMIT/OFFSET, GROUP BY, EXISTS), so that a flood of
refused attempts can neither slow the page down nor push real reads out of
view: allowed reads are paged in full, refusals are only ever counted.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, insert, literal_column, null, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.audit.actions import OWN_ACTS, Access, AuditAction, Purpose
from app.audit.models import AuditEvent, Outcome
from app.core.types import local_midnight, local_today

# The Finnish Client Data Act: a person can see who accessed their data over two years.
LOG_YEARS = 2
PAGE_SIZE = 50
PORTAL = "portal"  # actor_role of a machine client, and the "who" filter's value for it
ANONYMOUS = "anonymous"  # actor_role of an attempt by no one signed in
# Accesses that were allowed (and those allowed but then not accepted): everything not
# refused. The same inline literal as the partial index on them, so that both SQLite
# and PostgreSQL use that index: a flood of refusals is never read to find them.
SHOWN = col(AuditEvent.outcome) != literal_column(f"'{Outcome.DENIED.value}'")
# Roles whose refused attempts are shown without a name: other young people.
YOUNG_PERSON = "young_person"  # `Role.YOUNG_PERSON` as the log records it (audit imports no auth)
UNNAMED_ROLES = (YOUNG_PERSON, ANONYMOUS)
SELF = "self"  # the person themself, in their own refused attempts (a link that failed)
MAX_GROUPS = 500  # safety bound on the rows a GROUP BY hands back


def event(
    *,
    actor_id: int | None,
    actor_role: str,
    subject_id: int | None,
    action: AuditAction,
    object_type: str,
    object_id: int | None,
    outcome: Outcome = Outcome.ALLOWED,
    purpose: Purpose = Purpose.CASE_WORK,
    client_id: str | None = None,
    token_subject: str | None = None,
) -> AuditEvent:
    """One audit row. `actor_role`: the role the actor had (as text), PORTAL for a client
    such as the national portal acting on a token (`client_id`, `token_subject`), or
    ANONYMOUS for no one signed in."""
    return AuditEvent(
        actor_id=actor_id,
        actor_role=actor_role,
        subject_id=subject_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        purpose=purpose,
        client_id=client_id,
        token_subject=token_subject[:255] if token_subject else None,
    )


def as_invalid(allowed: AuditEvent) -> AuditEvent:
    """The row again, as a new row recorded as invalid: an allowed request that then failed
    (its own row is rolled back with it)."""
    return AuditEvent.model_validate(
        {**allowed.model_dump(exclude={"id"}), "outcome": Outcome.INVALID}
    )


def record_all(session: Session, events: list[AuditEvent]) -> None:
    """Store many audit events in one statement (one per person on a caseload page)."""
    if events:
        rows = [event.model_dump(exclude={"id"}) for event in events]
        session.execute(insert(AuditEvent), rows)


def record_once_a_day(
    session: Session,
    *,
    actor_id: int | None,
    actor_role: str,
    subject_ids: list[int],
    action: AuditAction,
    object_type: str,
) -> None:
    """Record that the actor saw each person in a list view, once per person per Finnish day.

    Two queries whatever the list's length: which of them already have such a row
    today, and one insert for the rest. Two loads at the same instant may both
    write one; that only repeats a true record.
    """
    if not subject_ids:
        return
    seen = _seen_today(session, actor_id=actor_id, subject_ids=subject_ids, action=action)
    record_all(
        session,
        [
            event(
                actor_id=actor_id,
                actor_role=actor_role,
                subject_id=person_id,
                action=action,
                object_type=object_type,
                object_id=person_id,
            )
            for person_id in dict.fromkeys(subject_ids)
            if person_id not in seen
        ],
    )


def _seen_today(
    session: Session, *, actor_id: int | None, subject_ids: list[int], action: AuditAction
) -> set[int]:
    """Which of these people the actor has been recorded doing `action` on today."""
    found = session.exec(
        select(AuditEvent.subject_id).where(
            col(AuditEvent.subject_id).in_(subject_ids),
            SHOWN,
            col(AuditEvent.at) >= local_midnight(local_today()),
            AuditEvent.actor_id == actor_id,
            AuditEvent.action == action,
        )
    )
    return {person_id for person_id in found if person_id is not None}


def last_allowed(
    session: Session, *, actor_id: int, action: str, subject_ids: Collection[int]
) -> dict[int, datetime]:
    """When the actor was last allowed `action` on each of these people's data, by person,
    in one query. What a read model asks for "new since you last looked"."""
    if not subject_ids:
        return {}
    statement = (
        select(col(AuditEvent.subject_id), func.max(col(AuditEvent.at)))
        .where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.action == action,
            col(AuditEvent.outcome) == Outcome.ALLOWED.value,
            col(AuditEvent.subject_id).in_(subject_ids),
        )
        .group_by(col(AuditEvent.subject_id))
    )
    return {subject_id: at for subject_id, at in session.exec(statement) if subject_id is not None}


def access_kind(action: str, object_type: str) -> Access:
    """What the person is told a stored row's action was (`AuditAction.kind`)."""
    return AuditAction(action).kind(object_type)


# --- the person's own view: filters and the four bounded queries ------------------


def log_start(now: datetime | None = None) -> datetime:
    """The oldest moment the person's log shows: the same day two years ago (Finnish time)."""
    today = local_today(now)
    try:
        start = today.replace(year=today.year - LOG_YEARS)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - LOG_YEARS, day=28)
    return local_midnight(start)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first and the first-after moments (UTC) of a calendar month in Finnish time."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return local_midnight(first), local_midnight(following)


@dataclass(frozen=True)
class LogFilter:
    """Which allowed accesses to show. `who`: an account id as text, or PORTAL."""

    since: datetime
    who: str | None = None
    month: date | None = None


@dataclass(frozen=True)
class Actor:
    """Someone who appears in the person's log: the "who" filter offers each one."""

    key: str  # the filter's value: the account id, or PORTAL
    role: str
    actor_id: int | None  # None for the portal


@dataclass(frozen=True)
class AccessPage:
    rows: list[AuditEvent]
    total: int
    page: int
    pages: int
    per_page: int


@dataclass
class Refusals:
    """Refused attempts by one actor to do one kind of thing, counted."""

    role: str
    actor_id: int | None  # None for an unnamed actor (another young person) or the portal
    client_id: str | None
    kind: Access
    count: int
    first: datetime
    last: datetime


def _by_others(subject_id: int) -> ColumnElement[bool]:
    """Rows about the person written by someone else, and the person's own acts that change
    who can see their data or sign in as them (`OWN_ACTS`)."""
    return or_(
        col(AuditEvent.actor_id).is_(None),
        col(AuditEvent.actor_id) != subject_id,
        col(AuditEvent.action).in_(list(OWN_ACTS)),
    )


def _shown(subject_id: int, filters: LogFilter) -> list[ColumnElement[bool]]:
    where = [
        col(AuditEvent.subject_id) == subject_id,
        SHOWN,
        col(AuditEvent.at) >= filters.since,
        _by_others(subject_id),
    ]
    if filters.who == PORTAL:
        where.append(col(AuditEvent.actor_role) == PORTAL)
    elif filters.who is not None:
        where.append(col(AuditEvent.actor_id) == int(filters.who))
    if filters.month is not None:
        start, end = month_bounds(filters.month)
        where += [col(AuditEvent.at) >= start, col(AuditEvent.at) < end]
    return where


def access_page(
    session: Session, *, subject_id: int, filters: LogFilter, page: int, per_page: int = PAGE_SIZE
) -> AccessPage:
    """One page of the allowed accesses to the person's data, newest first.

    A page past the end is the last page, anything below 1 the first.
    """
    where = _shown(subject_id, filters)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    statement = (
        select(AuditEvent)
        .where(*where)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = list(session.exec(statement).all())
    return AccessPage(rows=rows, total=total, page=page, pages=pages, per_page=per_page)


def access_actors(session: Session, *, subject_id: int, since: datetime) -> list[Actor]:
    """Everyone with an allowed access in the person's log, latest first: staff by account,
    the portal once. Who they are is the caller's to name (`Actor.actor_id`)."""
    columns = (col(AuditEvent.actor_role), col(AuditEvent.actor_id))
    statement = (
        sa_select(*columns)
        .where(*_shown(subject_id, LogFilter(since=since)))
        .group_by(*columns)
        .order_by(func.max(col(AuditEvent.at)).desc())
        .limit(MAX_GROUPS)
    )
    actors: dict[str, Actor] = {}
    for role, actor_id in session.execute(statement).all():
        if role == PORTAL or actor_id is None:
            actors.setdefault(PORTAL, Actor(PORTAL, role, None))
        else:
            actors.setdefault(str(actor_id), Actor(str(actor_id), role, actor_id))
    return list(actors.values())


def access_months(
    session: Session, *, subject_id: int, since: datetime, now: datetime | None = None
) -> list[date]:
    """The months (newest first, Finnish time) that hold an allowed access since `since`.

    One query of at most 25 EXISTS probes, each stopping at its first row.
    """
    months: list[date] = []
    month = local_today(now).replace(day=1)
    while month_bounds(month)[1] > since:
        months.append(month)
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    probes = [
        exists().where(*_shown(subject_id, LogFilter(since=since, month=month))).label(f"m{index}")
        for index, month in enumerate(months)
    ]
    found = session.execute(sa_select(*probes)).one()
    return [month for month, present in zip(months, found, strict=True) if present]


def refusals(session: Session, *, subject_id: int, since: datetime) -> list[Refusals]:
    """Refused attempts on the person's data, counted per actor and kind, latest first.

    Other young people are one unnamed actor: the person is not told who they are.
    """
    lines: dict[tuple[str, int | None, str | None, Access], Refusals] = {}
    for row in session.execute(_refused_groups(subject_id, since)).all():
        kind = access_kind(row.action, row.object_type)
        key = (row.role, row.actor_id, row.client_id, kind)
        line = lines.setdefault(
            key, Refusals(row.role, row.actor_id, row.client_id, kind, 0, row.first, row.last)
        )
        line.count += row.attempts
        line.first, line.last = min(line.first, row.first), max(line.last, row.last)
    return sorted(lines.values(), key=lambda line: line.last, reverse=True)


def _refused_groups(subject_id: int, since: datetime) -> Select[Any]:
    """Refused attempts counted per actor (other young people as one), client and action."""
    # Labels, so that GROUP BY names the same expressions as the SELECT on PostgreSQL.
    themself = col(AuditEvent.actor_id) == subject_id
    unnamed = col(AuditEvent.actor_role).in_(UNNAMED_ROLES) & ~themself
    role = case(
        (themself, literal_column(f"'{SELF}'")),
        (unnamed, literal_column(f"'{YOUNG_PERSON}'")),
        else_=col(AuditEvent.actor_role),
    ).label("role")
    actor_id = case((unnamed, null()), else_=col(AuditEvent.actor_id)).label("actor_id")
    group = (role, actor_id, col(AuditEvent.client_id), col(AuditEvent.action))
    return (
        sa_select(
            *group,
            col(AuditEvent.object_type),
            func.count().label("attempts"),
            func.min(col(AuditEvent.at)).label("first"),
            func.max(col(AuditEvent.at)).label("last"),
        )
        .where(
            col(AuditEvent.subject_id) == subject_id,
            col(AuditEvent.outcome) == Outcome.DENIED.value,
            col(AuditEvent.at) >= since,
            _by_others(subject_id),
        )
        .group_by(*group, col(AuditEvent.object_type))
        .order_by(func.max(col(AuditEvent.at)).desc())
        .limit(MAX_GROUPS)
    )
