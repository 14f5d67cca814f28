"""The plan as API schemas and page data, built from the service layer."""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.auth.models import Account
from app.auth.naming import describe
from app.core.i18n import N_, gettext
from app.core.types import local_today, saved_id
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
        id=saved_id(plan.id),
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


def page(session: Session, *, actor: Account, plan: Plan, forms: Forms | None = None) -> Context:
    """Everything the plan page shows, in a fixed number of queries; `today` (for the actions'
    `overdue`) in Finnish time."""
    whole = queries.view(session, plan=plan)
    person = person_of(session, plan)
    focus = queries.focus_suggestions(session, plan=plan)
    return {
        "plan": plan,
        "etag": etags.plan_etag(plan),
        "person": person,
        "mine": actor.id == plan.young_person_id,
        "whole": whole,
        "state": agreement.status(session, plan=plan),
        "titles": theme_titles(session),
        "focus": {f.theme_id: f for f in focus},
        "forms": forms or {},
        "today": local_today(),
    }


# How the history names a changed field, what was done and to what.
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
}
CHANGE_KIND_LABELS = {"created": N_("added"), "updated": N_("changed")}
CHANGED_OBJECT_LABELS = {"goal": N_("a goal"), "action": N_("an action"), "review": N_("a review")}


def field_label(key: str) -> str:
    """A field's name in the reader's language (the key itself for an unknown one)."""
    return gettext(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def change_kind_label(kind: str) -> str:
    return gettext(CHANGE_KIND_LABELS.get(kind, CHANGE_KIND_LABELS["updated"]))


def changed_object_label(object_type: str) -> str:
    return gettext(CHANGED_OBJECT_LABELS.get(object_type, CHANGED_OBJECT_LABELS["review"]))


def history_page(session: Session, *, plan: Plan, goal: Goal | None = None) -> dict[str, Any]:
    """Every change to the plan, or to one goal, with the labels the page shows."""
    return {
        "plan": plan,
        "changes": queries.history(session, plan=plan, goal_id=goal.id if goal else None),
        "goal": goal,
        "titles": theme_titles(session),
        "person": person_of(session, plan),
        "field_label": field_label,
        "change_kind_label": change_kind_label,
        "changed_object_label": changed_object_label,
    }


@dataclass
class LiveChanges:
    """What changed after a revision, for live updates: the goals and reviews to redraw,
    and who made the changes (as the reader sees them), apart from the reader."""

    goal: set[int] = field(default_factory=set)
    new_goal: set[int] = field(default_factory=set)
    review: set[int] = field(default_factory=set)
    by: list[str] = field(default_factory=list)


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
