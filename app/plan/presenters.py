"""The plan as API schemas and page data, built from the service layer."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlmodel import Session

from app.auth.models import Account
from app.auth.naming import describe
from app.core.i18n import N_, gettext
from app.core.templates import day
from app.core.types import local_today
from app.plan import agreement, etags, queries, timeline
from app.plan.models import (
    ActionPublic,
    AgreementPublic,
    ChangePublic,
    FocusPublic,
    Goal,
    GoalPublic,
    Plan,
    PlanAction,
    PlanAgreement,
    PlanChange,
    PlanPublic,
    PlanState,
    Review,
    ReviewPublic,
)
from app.plan.owners import choice_value, reader_for
from app.plan.timeline import field_label
from app.survey import service as survey


def action_public(action: PlanAction) -> ActionPublic:
    return ActionPublic.of(action)


def goal_public(goal: Goal, actions: list[PlanAction] | None = None) -> GoalPublic:
    public = GoalPublic.model_validate(goal, from_attributes=True)
    public.actions = [action_public(a) for a in actions or []]
    return public


def review_public(review: Review) -> ReviewPublic:
    return ReviewPublic.model_validate(review, from_attributes=True)


def agreement_public(found: PlanAgreement | None) -> AgreementPublic | None:
    return AgreementPublic.model_validate(found, from_attributes=True) if found else None


def plan_public(session: Session, plan: Plan) -> PlanPublic:
    whole = queries.view(session, plan=plan)
    state = agreement.status(session, plan=plan)
    return PlanPublic(
        id=plan.id,
        person_id=plan.young_person_id,
        revision=plan.revision,
        state=state.state,
        proposal=agreement_public(state.proposal),
        last_agreed=agreement_public(state.last_agreed),
        goals=[goal_public(g.goal, g.actions) for g in whole.goals],
        reviews=[review_public(r) for r in whole.reviews],
    )


def change_public(change: PlanChange) -> ChangePublic:
    return ChangePublic.model_validate(
        {
            **change.model_dump(),
            "actor": describe(change.actor_name, change.actor_role, change.actor_organisation),
        }
    )


def changes_public(session: Session, plan: Plan, goal_id: int | None = None) -> list[ChangePublic]:
    changes = queries.history(session, plan=plan, goal_id=goal_id)
    return [change_public(change) for change in changes]


def theme_titles(session: Session) -> dict[str, str]:
    """Theme titles in the reader's language."""
    return {theme: str(title) for theme, title in survey.theme_texts(session).items()}


def focus_public(session: Session, plan: Plan) -> list[FocusPublic]:
    titles = theme_titles(session)
    return [
        FocusPublic(
            theme_id=f.theme_id,
            title=titles.get(f.theme_id, f.theme_id),
            importance=f.importance,
            satisfaction=f.satisfaction,
        )
        for f in queries.focus_suggestions(session, plan=plan)
    ]


@dataclass
class FormState:
    """What a form shows after a refused submit: the person's values and the problems."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] | None = None  # the newer version, when the edit was stale


Forms = dict[str, FormState]  # each refused form on the page, by its key
Context = dict[str, Any]


def person_of(session: Session, plan: Plan) -> Account:
    person = session.get(Account, plan.young_person_id)
    assert person is not None  # foreign key
    return person


# A short confirmation beside what was just saved: `?saved=<what>&at=<where>#<where>`.
SAVED_NOTES = {
    "goal-added": N_("The goal is added."),
    "goal": N_("The goal is saved."),
    "action-added": N_("The action is added."),
    "action": N_("The action is saved."),
    "done": N_("Marked done."),
    "not-done": N_("Marked not done."),
    "review-added": N_("The review is saved."),
    "review": N_("The review is saved."),
    "proposed": N_("You proposed this version."),
    "agreed": N_("You agreed on this version."),
}
SAVED_AT = re.compile(r"goal-[0-9]{1,9}|reviews|agreement")


@dataclass(frozen=True)
class SavedNote:
    at: str  # the id of the part of the page it is shown in
    text: str


def saved_note(query: Mapping[str, str]) -> SavedNote | None:
    """The confirmation a redirect after a save asks for (nothing for anything else)."""
    key, at = query.get("saved", ""), query.get("at", "")
    if key not in SAVED_NOTES or not SAVED_AT.fullmatch(at):
        return None
    return SavedNote(at, gettext(SAVED_NOTES[key]))


def page(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    forms: Forms | None = None,
    saved: SavedNote | None = None,
) -> Context:
    """Everything the plan page shows, in a fixed number of queries; `today` (for the actions'
    `overdue`) in Finnish time."""
    whole = queries.view(session, plan=plan)
    focus = queries.focus_suggestions(session, plan=plan)
    state = agreement.status(session, plan=plan)
    person = person_of(session, plan)
    owner_ids = {a.owner_id for g in whole.goals for a in g.actions}
    reader = reader_for(session, actor=actor, person=person, owner_ids=owner_ids)
    return {
        "plan": plan,
        "etag": etags.plan_etag(plan, state.current),
        "person": person,
        "mine": reader.mine,
        "reader": reader,
        "whole": whole,
        "state": state,
        "box": agreement_box(
            session, state=state, reader=actor, person=person, goals=bool(whole.goals)
        ),
        "titles": theme_titles(session),
        "focus": {f.theme_id: f for f in focus},
        "forms": forms or {},
        "saved": saved,
        "field_label": partial(field_label, person="" if reader.mine else person.display_name),
        "choice_value": choice_value,
        "today": local_today(),
    }


@dataclass(frozen=True)
class AgreementBox:
    """The agreement box as its reader reads it: where the plan stands (`says`), whether that
    is the reader's own act (`settled`: the confirmation after they proposed or agreed), the
    one choice they have ("agree", "propose" or none) and whether it is asked of them."""

    says: str
    choice: str = ""
    settled: bool = False
    asks: bool = False


def agreement_box(
    session: Session, *, state: agreement.Status, reader: Account, person: Account, goals: bool
) -> AgreementBox:
    """Who did what about the agreement, by account: "you" only for the reader's own act."""
    if state.state is PlanState.AGREED and state.last_agreed is not None:
        return _agreed(session, state.last_agreed, reader)
    if state.state is PlanState.PROPOSED and state.proposal is not None:
        return _proposed(session, state.proposal, reader, person)
    if not goals:
        return AgreementBox(
            gettext("Add a goal first. Then you can propose the plan to be agreed on.")
        )
    last = state.last_agreed
    if last is None:
        return AgreementBox("", choice="propose")
    on = day(last.agreed_at)
    if reader.id in (last.proposed_by_id, last.agreed_by_id):
        says = gettext("The plan has changed since you agreed on it (%(date)s).", date=on)
    else:
        says = gettext("The plan has changed since it was agreed on (%(date)s).", date=on)
    return AgreementBox(says, choice="propose")


def _agreed(session: Session, found: PlanAgreement, reader: Account) -> AgreementBox:
    on = day(found.agreed_at)
    proposer = agreement.named(session, found.proposed_by_id, found.proposed_by_role)
    if reader.id == found.proposed_by_id or reader.id == found.agreed_by_id:
        other = found.agreed_by_id if reader.id == found.proposed_by_id else found.proposed_by_id
        name = agreement.named(session, other) if other == found.agreed_by_id else proposer
        says = gettext("You and %(name)s agreed on this version (%(date)s).", name=name, date=on)
        return AgreementBox(says, settled=True)
    agreer = agreement.named(session, found.agreed_by_id)
    return AgreementBox(
        gettext(
            "%(first)s and %(second)s agreed on this version (%(date)s).",
            first=proposer,
            second=agreer,
            date=on,
        )
    )


def _proposed(
    session: Session, found: PlanAgreement, reader: Account, person: Account
) -> AgreementBox:
    if found.proposed_by_id == reader.id:
        if reader.id == person.id:
            says = gettext("You proposed this version. Waiting for your case manager to agree.")
        else:
            says = gettext(
                "You proposed this version. Waiting for %(name)s to agree.",
                name=person.display_name,
            )
        return AgreementBox(says, settled=True)
    name = agreement.named(session, found.proposed_by_id, found.proposed_by_role)
    if agreement.same_side(found.proposed_by_role, reader.role):
        says = gettext(
            "%(name)s proposed this version. Waiting for %(person)s to agree.",
            name=name,
            person=person.display_name,
        )
        return AgreementBox(says)
    says = gettext("%(name)s proposed this version. Do you agree?", name=name)
    return AgreementBox(says, choice="agree", asks=True)


@dataclass
class LiveChanges:
    """What changed after a revision, for live updates: the goals and reviews to redraw,
    who made the changes (as the reader sees them), apart from the reader, and what the
    other side did about the agreement."""

    goal: set[int] = field(default_factory=set)
    new_goal: set[int] = field(default_factory=set)
    review: set[int] = field(default_factory=set)
    by: list[str] = field(default_factory=list)
    agreement: str = ""


def changed_since(session: Session, *, plan: Plan, revision: int, reader: Account) -> LiveChanges:
    found = LiveChanges()
    for change in reversed(queries.history(session, plan=plan, since=revision)):
        if change.goal_id is not None:
            found.goal.add(change.goal_id)
        if change.object_type == "goal" and change.kind == "created":
            found.new_goal.add(change.object_id)
        if change.object_type == "review":
            found.review.add(change.object_id)
        who = describe(change.actor_name, change.actor_role, change.actor_organisation)
        if change.actor_id != reader.id and who not in found.by:
            found.by.append(who)
    return found


def agreement_news(
    session: Session, *, state: agreement.Status, reader: Account, person: Account
) -> str:
    """What someone else just did about the agreement, in words ('' if it was the reader)."""
    found = state.current
    if found is None:
        return ""
    if found.agreed_at is not None and found.agreed_by_id != reader.id:
        who = agreement.named(session, found.agreed_by_id)
        if found.proposed_by_id == reader.id:
            return gettext("%(name)s agreed: you have both agreed on this version.", name=who)
        return gettext("%(name)s agreed on this version: the plan is agreed.", name=who)
    if found.agreed_at is None and found.proposed_by_id != reader.id:
        return _proposed(session, found, reader, person).says
    return ""


def live(session: Session, *, actor: Account, poll: etags.PlanPoll) -> Context:
    """The open page's update: the whole page's data and what changed since the caller's."""
    context = page(session, actor=actor, plan=poll.plan)
    changed = changed_since(session, plan=poll.plan, revision=poll.since, reader=actor)
    if poll.agreement_moved:
        changed.agreement = agreement_news(
            session, state=context["state"], reader=actor, person=context["person"]
        )
    return {**context, "changed": changed}


def history_page(
    session: Session, *, actor: Account, plan: Plan, goal: Goal | None = None
) -> Context:
    """Every change to the plan (with its proposals and agreements), or to one goal."""
    person, titles = person_of(session, plan), theme_titles(session)
    found = timeline.entries(
        session, actor=actor, plan=plan, person=person, titles=titles, goal=goal
    )
    return {"plan": plan, "goal": goal, "entries": found, "person": person}


def agreed_page(session: Session, *, actor: Account, plan: Plan, found: PlanAgreement) -> Context:
    """An agreed version, with who does each action as the reader says it."""
    person = person_of(session, plan)
    owner_ids = {
        action.get("owner_id") for goal in found.snapshot["goals"] for action in goal["actions"]
    }
    reader = reader_for(session, actor=actor, person=person, owner_ids=owner_ids)
    return {
        "plan": plan,
        "mine": reader.mine,
        "reader": reader,
        "agreement": found,
        "titles": theme_titles(session),
        "person": person,
    }
