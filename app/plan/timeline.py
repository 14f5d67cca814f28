"""The plan's history as its page reads: each change as one whole sentence naming the goal,
action or review it changed ("Kaisa … marked the action “Call the housing office” done"),
with what changed in it; and, in the whole plan's history, every proposal and agreement.
Newest first; the reader's own acts read "You …"."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app.auth.models import Account
from app.auth.naming import describe
from app.core.i18n import N_, gettext
from app.core.templates import day
from app.plan import agreement, queries
from app.plan.models import Goal, GoalStatus, Plan, PlanAgreement, PlanChange
from app.plan.owners import Reader, reader_for

SHORT = 50  # how much of a goal's or an action's text names it in a sentence
# What happened, as one whole sentence per object and kind of change: by someone (`who`), and
# as the reader's own; `what` names the object: a goal's or action's text, a review's day.
CHANGE_SENTENCES = {
    ("goal", "created"): (
        N_("%(who)s added the goal “%(what)s”"),
        N_("You added the goal “%(what)s”"),
    ),
    ("goal", "updated"): (
        N_("%(who)s changed the goal “%(what)s”"),
        N_("You changed the goal “%(what)s”"),
    ),
    ("action", "created"): (
        N_("%(who)s added the action “%(what)s”"),
        N_("You added the action “%(what)s”"),
    ),
    ("action", "updated"): (
        N_("%(who)s changed the action “%(what)s”"),
        N_("You changed the action “%(what)s”"),
    ),
    ("action", "done"): (
        N_("%(who)s marked the action “%(what)s” done"),
        N_("You marked the action “%(what)s” done"),
    ),
    ("action", "not-done"): (
        N_("%(who)s marked the action “%(what)s” not done"),
        N_("You marked the action “%(what)s” not done"),
    ),
    ("review", "created"): (
        N_("%(who)s recorded the review of %(what)s"),
        N_("You recorded the review of %(what)s"),
    ),
    ("review", "updated"): (
        N_("%(who)s changed the review of %(what)s"),
        N_("You changed the review of %(what)s"),
    ),
}
AGREEMENT_SENTENCES = {
    "proposed": (
        N_("%(who)s proposed this version of the plan to be agreed on"),
        N_("You proposed this version of the plan to be agreed on"),
    ),
    "agreed": (
        N_("%(who)s agreed on this version of the plan: it is agreed"),
        N_("You agreed on this version of the plan: it is agreed"),
    ),
}
# How the history and the error summaries name a field: a form's own label first.
FIELD_LABELS = {
    "text": N_("Text"),
    "themes": N_("Themes"),
    "status": N_("Status"),
    "owner": N_("Who"),
    "service_name": N_("Service"),
    "due_on": N_("By when"),
    "done": N_("Done"),
    "held_on": N_("Date of the review"),
    "agreed": N_("What was agreed"),
    "changed": N_("What has changed"),
    "next_review_on": N_("Next review"),
    "goal.text": N_("The goal in your own words"),
    "goal.themes": N_("Themes this goal is about"),
    "action.text": N_("What is done"),
    "action.owner": N_("Who does it"),
    "action.service_name": N_("Service, if a service does it"),
}
HIDDEN = {"id", "version", "goal_id", "owner_id", "service_name"}  # said with who does it
WHO = ("owner", "owner_id", "service_name")
DAYS = {"due_on", "held_on", "next_review_on"}


def field_label(key: str, kind: str = "", person: str = "") -> str:
    """A field's name in the reader's language: a form's own label (`kind`: goal, action; a
    goal's words are the young person's, `person` to anyone else), else the field's; the key
    itself for an unknown one."""
    if (kind, key, bool(person)) == ("goal", "text", True):
        return gettext("The goal in %(name)s's own words", name=person)
    label = FIELD_LABELS.get(f"{kind}.{key}") or FIELD_LABELS.get(key)
    return gettext(label) if label else key


@dataclass(frozen=True)
class Row:
    """One field a change changed: its name, what it was (None for a new object), what it is."""

    label: str
    before: str | None
    after: str


@dataclass(frozen=True)
class Entry:
    at: datetime
    sentence: str
    rows: list[Row] = field(default_factory=list)
    link: str = ""  # an agreed version's own page


def _short(text: str) -> str:
    """A text on one line, cut after its last whole word that fits (a word longer than the
    limit is cut), with "…" if cut."""
    text = " ".join(text.split())
    if len(text) <= SHORT:
        return text
    cut = text[: SHORT - 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut and text[SHORT - 1] != " " else cut
    return words.rstrip(" ,.;:") + "…"


def _what(change: PlanChange) -> str:
    """The object a change changed, as a sentence names it: its text, a review by its day."""
    if change.object_type == "review":
        return _day(change.after.get("held_on"))
    return _short(str(change.after.get("text") or ""))


def _day(value: Any) -> str:
    return day(date.fromisoformat(value)) if isinstance(value, str) and value else ""


def _change_kind(change: PlanChange) -> str:
    """created or updated; an action ticked done (or not), when that is all that changed."""
    before = change.before or {}
    differs = {k for k, v in change.after.items() if k != "version" and before.get(k) != v}
    if change.kind == "updated" and change.object_type == "action" and differs == {"done"}:
        return "done" if change.after["done"] else "not-done"
    return change.kind


def change_sentence(change: PlanChange, reader: Account | None = None) -> str:
    """Who did what to which object, e.g. "Kaisa Korhonen (case manager) added the goal “A
    home”"; the reader's own change "You added the goal “A home”"."""
    key = (change.object_type, _change_kind(change))
    theirs, own = CHANGE_SENTENCES.get(key, CHANGE_SENTENCES["review", "updated"])
    if reader is not None and change.actor_id == reader.id:
        return gettext(own, what=_what(change))
    who = describe(change.actor_name, change.actor_role, change.actor_organisation)
    return gettext(theirs, who=who, what=_what(change))


@dataclass(frozen=True)
class Values:
    """How one reader reads the values a change holds."""

    reader: Reader
    titles: Mapping[str, str]

    def text(self, key: str, values: Mapping[str, Any]) -> str:
        value = values.get(key)
        if key == "owner" and value:
            return self.reader.who(value, values.get("owner_id"), values.get("service_name"))
        if value is None or value == "" or value == []:
            return "–"
        if key == "themes":
            return ", ".join(self.titles.get(theme, theme) for theme in value)
        if key == "status":
            return GoalStatus(value).label
        if key == "done":
            return gettext("yes") if value else gettext("no")
        if key in DAYS:
            return _day(value)
        return str(value)

    def rows(self, change: PlanChange) -> list[Row]:
        """What the change changed: every field of a new object, else those that differ (who
        does an action as one field, with its staff member or service)."""
        before, after = change.before, change.after
        rows = []
        for key in after:
            if key in HIDDEN:
                continue
            keys = WHO if key == "owner" else (key,)
            if before is not None and all(before.get(k) == after.get(k) for k in keys):
                continue
            was = None if before is None else self.text(key, before)
            rows.append(Row(field_label(key), was, self.text(key, after)))
        return rows


def _agreement_entries(
    session: Session, actor: Account, agreements: Iterable[PlanAgreement], plan: Plan
) -> list[Entry]:
    """Each proposal, and each agreement with a link to the version agreed on."""
    entries = []
    for found in agreements:
        theirs, own = AGREEMENT_SENTENCES["proposed"]
        entries.append(_act(session, actor, found.proposed_at, found.proposed_by_id, theirs, own))
        if found.agreed_at is not None:
            theirs, own = AGREEMENT_SENTENCES["agreed"]
            link = f"/people/{plan.young_person_id}/plan/agreements/{found.id}"
            entry = _act(session, actor, found.agreed_at, found.agreed_by_id, theirs, own)
            entries.append(Entry(entry.at, entry.sentence, link=link))
    return entries


def _act(
    session: Session, actor: Account, at: datetime, by: int | None, theirs: str, own: str
) -> Entry:
    if by is not None and by == actor.id:
        return Entry(at, gettext(own))
    return Entry(at, gettext(theirs, who=agreement.named(session, by)))


def entries(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    person: Account,
    titles: Mapping[str, str],
    goal: Goal | None = None,
) -> list[Entry]:
    """The history, newest first: the plan's changes (or one goal's) and, for the whole
    plan, its proposals and agreements."""
    changes = queries.history(session, plan=plan, goal_id=goal.id if goal else None)
    owner_ids = {values.get("owner_id") for c in changes for values in (c.before or {}, c.after)}
    reader = reader_for(session, actor=actor, person=person, owner_ids=owner_ids)
    values = Values(reader, titles)
    found = [Entry(c.at, change_sentence(c, actor), values.rows(c)) for c in changes]
    if goal is None and plan.id is not None:
        found += _agreement_entries(session, actor, queries.agreements_of(session, plan=plan), plan)
    return sorted(found, key=lambda entry: entry.at, reverse=True)
