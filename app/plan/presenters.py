"""The plan as API schemas and page data, built from the service layer."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlmodel import Session

from app.auth.models import Account, Role
from app.auth.naming import describe, describe_account, role_label
from app.core.i18n import N_, gettext
from app.core.types import local_today
from app.plan import agreement, etags, queries
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
    Review,
    ReviewPublic,
)
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


def named(session: Session, account_id: int | None, role: str) -> str:
    """Who proposed or agreed, as others see them; their role if the account is gone."""
    account = session.get(Account, account_id) if account_id is not None else None
    if account is not None:
        return describe_account(account)
    return role_label(role) or gettext("Someone")


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


def reader_of(actor: Account, plan: Plan) -> dict[str, bool]:
    """Whose eyes the plan is read with: the young person's own (`mine`: "you", "your case
    manager") or a case manager's (`managing`: the person's name, "you" for the case manager)."""
    return {
        "mine": actor.id == plan.young_person_id,
        "managing": actor.role == Role.CASE_MANAGER,
    }


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
    proposal = state.proposal
    return {
        "plan": plan,
        "etag": etags.plan_etag(plan, state.current),
        "person": person_of(session, plan),
        **reader_of(actor, plan),
        "whole": whole,
        "state": state,
        "proposer": named(session, proposal.proposed_by_id, proposal.proposed_by_role)
        if proposal
        else "",
        "titles": theme_titles(session),
        "focus": {f.theme_id: f for f in focus},
        "forms": forms or {},
        "saved": saved,
        "field_label": field_label,
        "today": local_today(),
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
# What happened, as one whole sentence per object and kind of change: by someone (`who`),
# and as the reader's own change.
CHANGE_SENTENCES = {
    ("goal", "created"): (N_("%(who)s added a goal"), N_("You added a goal")),
    ("goal", "updated"): (N_("%(who)s changed a goal"), N_("You changed a goal")),
    ("action", "created"): (N_("%(who)s added an action"), N_("You added an action")),
    ("action", "updated"): (N_("%(who)s changed an action"), N_("You changed an action")),
    ("action", "done"): (N_("%(who)s marked an action done"), N_("You marked an action done")),
    ("action", "not-done"): (
        N_("%(who)s marked an action not done"),
        N_("You marked an action not done"),
    ),
    ("review", "created"): (N_("%(who)s recorded a review"), N_("You recorded a review")),
    ("review", "updated"): (N_("%(who)s changed a review"), N_("You changed a review")),
}


def field_label(key: str, kind: str = "") -> str:
    """A field's name in the reader's language: a form's own label (`kind`: goal, action),
    else the field's; the key itself for an unknown one."""
    label = FIELD_LABELS.get(f"{kind}.{key}") or FIELD_LABELS.get(key)
    return gettext(label) if label else key


def _change_kind(change: PlanChange) -> str:
    """created or updated; an action ticked done (or not), when that is all that changed."""
    before = change.before or {}
    differs = {k for k, v in change.after.items() if k != "version" and before.get(k) != v}
    if change.kind == "updated" and change.object_type == "action" and differs == {"done"}:
        return "done" if change.after["done"] else "not-done"
    return change.kind


def change_sentence(change: PlanChange, reader: Account | None = None) -> str:
    """Who did what to what, e.g. "Kaisa Korhonen (case manager) added a goal"; the reader's
    own change "You added a goal"."""
    key = (change.object_type, _change_kind(change))
    theirs, own = CHANGE_SENTENCES.get(key, CHANGE_SENTENCES["review", "updated"])
    if reader is not None and change.actor_id == reader.id:
        return gettext(own)
    who = describe(change.actor_name, change.actor_role, change.actor_organisation)
    return gettext(theirs, who=who)


def history_page(
    session: Session, *, actor: Account, plan: Plan, goal: Goal | None = None
) -> dict[str, Any]:
    """Every change to the plan, or to one goal, with the words the page shows."""
    return {
        "plan": plan,
        "changes": queries.history(session, plan=plan, goal_id=goal.id if goal else None),
        "goal": goal,
        "titles": theme_titles(session),
        "person": person_of(session, plan),
        **reader_of(actor, plan),
        "field_label": field_label,
        "change_sentence": partial(change_sentence, reader=actor),
    }


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


def agreement_news(session: Session, *, state: agreement.Status, reader: Account) -> str:
    """What the other side just did about the agreement, in words ('' if it was the reader)."""
    found = state.current
    if found is None:
        return ""
    if found.agreed_at is not None and found.agreed_by_id != reader.id:
        who = named(session, found.agreed_by_id, "")
        return gettext("%(name)s agreed: you have both agreed on this version.", name=who)
    if found.agreed_at is None and Role(found.proposed_by_role) != reader.role:
        who = named(session, found.proposed_by_id, found.proposed_by_role)
        return gettext("%(name)s proposed this version. Do you agree?", name=who)
    return ""


def live(session: Session, *, actor: Account, poll: etags.PlanPoll) -> Context:
    """The open page's update: the whole page's data and what changed since the caller's."""
    context = page(session, actor=actor, plan=poll.plan)
    changed = changed_since(session, plan=poll.plan, revision=poll.since, reader=actor)
    if poll.agreement_moved:
        changed.agreement = agreement_news(session, state=context["state"], reader=actor)
    return {**context, "changed": changed}
