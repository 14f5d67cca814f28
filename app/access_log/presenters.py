"""A young person's access log as their page shows it: who, what, when, in their words.

The log's queries hand back account ids; the people behind them are named here, all of
a page's in one query (`naming.names_of`), the way everyone names them (`naming.describe`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from sqlmodel import Session

from app.audit import service as audit
from app.audit.models import AuditEvent, Outcome
from app.auth import naming
from app.core import i18n
from app.core.i18n import gettext


def staff_name(name: str | None, role: str, organisation: str | None) -> str:
    """A staff member as a young person is told of them: name, role and organisation
    (the one naming function everyone uses), the role being the one recorded at the time.
    """
    return naming.describe(name or gettext("a former user"), role, organisation)


def actor_name(
    role: str,
    name: str | None,
    organisation: str | None = None,
    client_id: str | None = None,
    *,
    is_self: bool = False,
) -> str:
    """Who did something: the person themself, a named staff member, the portal, or an
    unnamed other user."""
    if is_self:
        return gettext("You")
    if role == audit.PORTAL:
        portal = gettext("The national portal")
        return f"{portal} ({client_id})" if client_id else portal
    if role in audit.UNNAMED_ROLES:
        return gettext("Another MyLife user")
    return staff_name(name, role, organisation)


def month_name(month: date) -> str:
    return format_date(month, "LLLL yyyy", locale=i18n.babel_locale())


def month_key(month: date) -> str:
    return month.strftime("%Y-%m")


def page_number(text: str) -> int:
    """The `page` asked for: a number, else the first; a huge one is simply past the end."""
    text = text.strip()
    if not re.fullmatch(r"[0-9]+", text):
        return 1
    return int(text) if len(text) <= 9 else 10**9  # never int() of a thousand digits


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    refused_data: bool  # allowed, but what was sent was not accepted


@dataclass(frozen=True)
class RefusalLine:
    who: str
    what: str
    count: int
    first: datetime
    last: datetime


Names = dict[int, tuple[str, str | None]]  # an account's name and organisation, by its id


def _named(names: Names, actor_id: int | None) -> tuple[str | None, str | None]:
    """An actor's name and organisation; none for the portal or an account now gone."""
    return names.get(actor_id, (None, None)) if actor_id is not None else (None, None)


def entry(found: AuditEvent, names: Names) -> Entry:
    kind = audit.access_kind(found.action, found.object_type)
    return Entry(
        at=found.at,
        who=actor_name(
            found.actor_role,
            *_named(names, found.actor_id),
            found.client_id,
            is_self=found.actor_id is not None and found.actor_id == found.subject_id,
        ),
        what=kind.done,
        refused_data=found.outcome == Outcome.INVALID,
    )


def refusal_line(group: audit.Refusals, names: Names) -> RefusalLine:
    return RefusalLine(
        who=actor_name(
            group.role,
            *_named(names, group.actor_id),
            group.client_id,
            is_self=group.role == audit.SELF,
        ),
        what=group.kind.tried,
        count=group.count,
        first=group.first,
        last=group.last,
    )


def access_log(
    session: Session, *, subject_id: int, who: str, month: str, page: int
) -> dict[str, Any]:
    """The page's context: the filters offered and chosen, one page of accesses, the refusals.

    A filter value that is not offered (someone or a month not in the log) is ignored.
    """
    since = audit.log_start()
    actors = audit.access_actors(session, subject_id=subject_id, since=since)
    months = audit.access_months(session, subject_id=subject_id, since=since)
    chosen_who = who if who in {actor.key for actor in actors} else None
    chosen_month = next((m for m in months if month_key(m) == month), None)
    filters = audit.LogFilter(since=since, who=chosen_who, month=chosen_month)
    found = audit.access_page(session, subject_id=subject_id, filters=filters, page=page)
    refusals = audit.refusals(session, subject_id=subject_id, since=since)
    names = _names(session, [a.actor_id for a in actors], found, refusals)
    query = {"who": chosen_who or "", "month": month_key(chosen_month) if chosen_month else ""}
    return {
        "since": since,
        "who_options": [
            (
                a.key,
                actor_name(a.role, *_named(names, a.actor_id), is_self=a.actor_id == subject_id),
            )
            for a in actors
        ],
        "month_options": [(month_key(m), month_name(m)) for m in months],
        "who": query["who"],
        "month": query["month"],
        "filtered": bool(chosen_who or chosen_month),
        "found": found,
        "first_shown": (found.page - 1) * found.per_page + 1,
        "entries": [entry(row, names) for row in found.rows],
        "page_url": _page_url(query),
        "refusals": [refusal_line(group, names) for group in refusals],
    }


def _names(
    session: Session,
    actor_ids: list[int | None],
    found: audit.AccessPage,
    refusals: list[audit.Refusals],
) -> Names:
    """Everyone the page names: the "who" filter's people, the page's rows, the refusals."""
    ids = actor_ids + [row.actor_id for row in found.rows] + [group.actor_id for group in refusals]
    return naming.names_of(session, {actor_id for actor_id in ids if actor_id is not None})


def _page_url(query: dict[str, str]) -> Callable[[int], str]:
    def url(page: int) -> str:
        values = {name: value for name, value in query.items() if value}
        if page > 1:
            values["page"] = str(page)
        return "/me/access" + (f"?{urlencode(values)}" if values else "") + "#accesses"

    return url
