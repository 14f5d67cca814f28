"""Plan use cases: goals, actions and reviews, edited by both sides. Flushes, never commits.

An edit names the version it was made on. It is applied with a single
`UPDATE ... WHERE id = ? AND version = ?`: if someone else changed the object
first, nothing is written and StaleEdit carries the current object back, so
nobody's words are silently overwritten. Every applied change bumps the
plan's revision and is kept in the history, in the same transaction.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.auth import access
from app.auth.models import Account
from app.core.bounds import storable_text
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.types import saved_id, utcnow
from app.plan.errors import (
    NextReviewBeforeReview,
    ServiceNameRequired,
    StaleEdit,
    TextRequired,
    TextTooLong,
    UnknownTheme,
)
from app.plan.models import ActionOwner, Goal, GoalStatus, Plan, PlanAction, PlanChange, Review
from app.survey import service as survey

Editable = Goal | PlanAction | Review
AnyEditable = TypeVar("AnyEditable", Goal, PlanAction, Review)
FIELDS: dict[str, tuple[str, ...]] = {
    "goal": ("text", "themes", "status"),
    "action": ("goal_id", "text", "owner", "service_name", "due_on", "done"),
    "review": ("held_on", "agreed", "changed", "next_review_on"),
}
LIMITS = {"text": 2000, "agreed": 4000, "changed": 4000, "service_name": 120}
NOT_EMPTY = ("text", "themes", "status", "owner", "held_on", "done", "agreed", "changed")


def object_type(obj: Editable) -> str:
    return {Goal: "goal", PlanAction: "action", Review: "review"}[type(obj)]


def data(obj: Editable) -> dict[str, Any]:
    """The object as plain JSON data, with its id and version."""
    values: dict[str, Any] = {"id": obj.id, "version": obj.version}
    for name in FIELDS[object_type(obj)]:
        value = getattr(obj, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


# --- loading, with the access check -----------------------------------------------


def plan_of(
    session: Session, *, actor: Account, person_id: int, action: str, audited: bool = True
) -> Plan:
    """The person's plan (created on first use), if the actor may touch it (audited)."""
    access.authorize(
        session,
        actor=actor,
        subject_id=person_id,
        action=action,
        object_type="plan",
        object_id=None,
        audit_allowed=audited,
    )
    plan = plan_of_person(session, person_id)
    if plan is not None:
        return plan
    try:
        with session.begin_nested():
            plan = Plan(young_person_id=person_id)
            session.add(plan)
    except IntegrityError as error:  # created by the other side at the same moment
        created = plan_of_person(session, person_id)
        if created is None:
            raise NotFound() from error
        return created
    return plan


def plan_etag(plan: Plan) -> str:
    """The plan's entity tag, `"r<revision>"`: the one format the page, its poll and the API use."""
    return f'"r{plan.revision}"'


def _tags(if_none_match: str | None) -> list[str]:
    """The entity tags of an If-None-Match header (weak ones compared as strong), at most 20."""
    parts = (if_none_match or "")[:1000].split(",")[:20]
    return [part.strip().removeprefix("W/") for part in parts if part.strip()]


def _revision_named(tags: list[str]) -> int:
    """The newest plan revision the caller names (0: none), to send what changed since."""
    found = [re.fullmatch(r'"r([0-9]{1,9})"', tag) for tag in tags]
    return max((int(match.group(1)) for match in found if match), default=0)


@dataclass(frozen=True)
class PlanPoll:
    plan: Plan
    etag: str
    changed: bool  # False: the caller has this revision already (304, nothing disclosed)
    since: int  # the revision the caller has, 0 if it named none


def read_plan_if_changed(
    session: Session, *, actor: Account, person_id: int, if_none_match: str | None
) -> PlanPoll:
    """Read the plan for a poll: the one rule for the page's poll and the JSON API alike.

    Access is checked first (a refusal is always recorded). A caller that already
    has the current revision learns only "unchanged", which discloses nothing and
    is not audited; a caller that gets the plan is recorded as having read it.
    """
    plan = plan_of(session, actor=actor, person_id=person_id, action="plan.read", audited=False)
    etag, tags = plan_etag(plan), _tags(if_none_match)
    if etag in tags:  # "*" proves nothing: it would learn the revision without a record
        return PlanPoll(plan=plan, etag=etag, changed=False, since=plan.revision)
    access.record_access(
        session,
        actor=actor,
        subject_id=person_id,
        action="plan.read",
        object_type="plan",
        object_id=plan.id,
    )
    return PlanPoll(plan=plan, etag=etag, changed=True, since=_revision_named(tags))


def object_in_plan(
    session: Session, *, actor: Account, model: type[AnyEditable], object_id: int, action: str
) -> tuple[AnyEditable, Plan]:
    """A goal, action or review and its plan, if the actor may touch it (audited)."""
    obj = session.get(model, object_id)
    plan = session.get(Plan, obj.plan_id) if obj is not None else None
    if obj is None or plan is None:
        raise NotFound()
    access.authorize(
        session,
        actor=actor,
        subject_id=plan.young_person_id,
        action=action,
        object_type=object_type(obj),
        object_id=object_id,
    )
    return obj, plan


def plan_of_person(session: Session, person_id: int) -> Plan | None:
    """The person's plan, if one exists (the caller has checked access; nothing is created)."""
    return session.exec(select(Plan).where(Plan.young_person_id == person_id)).first()


def plan_and_owner(session: Session, plan_id: int) -> tuple[Plan, int] | None:
    """A plan and whose it is (the caller checks access against the owner)."""
    plan = session.get(Plan, plan_id)
    return (plan, plan.young_person_id) if plan is not None else None


def goal_and_owner(session: Session, goal_id: int) -> tuple[Goal, int] | None:
    """A goal and whose plan it is in (the caller checks access against the owner)."""
    goal = session.get(Goal, goal_id)
    plan = session.get(Plan, goal.plan_id) if goal is not None else None
    return (goal, plan.young_person_id) if goal is not None and plan is not None else None


def goals_of_person(session: Session, person_id: int) -> list[Goal]:
    """Every goal in the person's plan, oldest first (the caller has checked access)."""
    statement = (
        select(Goal)
        .join(Plan, col(Plan.id) == col(Goal.plan_id))
        .where(Plan.young_person_id == person_id)
        .order_by(col(Goal.id))
    )
    return list(session.exec(statement).all())


# --- validation --------------------------------------------------------------------


def _text(name: str, value: str, *, required: bool = True) -> str:
    value = storable_text(name, value).strip()
    if required and not value:
        raise TextRequired(field=name)
    if len(value) > LIMITS[name]:
        raise TextTooLong(field=name, params={"max": LIMITS[name], "length": len(value)})
    return value


def theme_ids(session: Session) -> list[str]:
    """The themes a goal may be tied to: those of the newest instruments."""
    ids: list[str] = []
    for version in survey.latest_versions(session):
        ids += [t.id for t in survey.definition_of(version).themes if t.id not in ids]
    return ids


def _themes(session: Session, themes: Sequence[str]) -> list[str]:
    known = theme_ids(session)
    if any(theme not in known for theme in themes):
        raise UnknownTheme(field="themes")
    return [theme for theme in known if theme in themes]  # instrument order, no repeats


def _clean(session: Session, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check each given field; every problem is reported, each naming its field."""
    cleaned: dict[str, Any] = {}
    problems: list[AppError] = []
    for name, value in values.items():
        try:
            if value is None and name in NOT_EMPTY:
                raise TextRequired(field=name)
            if name in ("text",):
                cleaned[name] = _text(name, value)
            elif name in ("agreed", "changed"):
                cleaned[name] = _text(name, value, required=False)
            elif name == "service_name":
                cleaned[name] = _text(name, value or "", required=False) or None
            elif name == "themes":
                cleaned[name] = _themes(session, value)
            else:
                cleaned[name] = value
        except AppError as error:
            problems.append(error)
    if problems:
        raise InvalidInput(errors=[e for problem in problems for e in problem.errors])
    return cleaned


def _check_action(values: Mapping[str, Any]) -> None:
    if values.get("owner") == ActionOwner.SERVICE and not values.get("service_name"):
        raise ServiceNameRequired(field="service_name")


def _check_review(values: Mapping[str, Any]) -> None:
    held, following = values.get("held_on"), values.get("next_review_on")
    if held and following and following < held:
        raise NextReviewBeforeReview(field="next_review_on")


# --- changes, kept in the history ----------------------------------------------------


def _record(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    obj: Editable,
    kind: str,
    before: dict[str, Any] | None,
) -> None:
    now = utcnow()
    revision = session.execute(
        update(Plan)
        .where(col(Plan.id) == plan.id)
        .values(revision=Plan.revision + 1, updated_at=now)
        .returning(col(Plan.revision))
    ).scalar_one()
    set_committed_value(plan, "revision", revision)
    goal_id = obj.id if isinstance(obj, Goal) else getattr(obj, "goal_id", None)
    session.add(
        PlanChange(
            plan_id=saved_id(plan.id),
            goal_id=goal_id,
            revision=revision,
            object_type=object_type(obj),
            object_id=saved_id(obj.id),
            kind=kind,
            actor_id=actor.id,
            actor_name=actor.display_name,
            actor_role=str(actor.role),
            actor_organisation=actor.organisation,
            at=now,
            before=before,
            after=data(obj),
        )
    )
    session.flush()


def _create(session: Session, *, actor: Account, plan: Plan, obj: Editable) -> Editable:
    session.add(obj)
    session.flush()
    _record(session, actor=actor, plan=plan, obj=obj, kind="created", before=None)
    return obj


def _update(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    obj: Editable,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Editable:
    """Apply changes made on `expected_version`, or refuse them as stale."""
    before = data(obj)
    changes = {k: v for k, v in changes.items() if before.get(k) != data_value(v)}
    model = type(obj)
    if not changes:  # nothing differs from the current version: nothing to refuse
        return obj
    result = session.execute(
        update(model)
        .where(col(model.id) == obj.id, col(model.version) == expected_version)
        .values(**changes, version=model.version + 1, updated_at=utcnow())
    )
    session.refresh(obj)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleEdit(field="version", extra={"current": data(obj)})
    _record(session, actor=actor, plan=plan, obj=obj, kind="updated", before=before)
    return obj


def data_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# --- the use cases -------------------------------------------------------------------


def add_goal(
    session: Session, *, actor: Account, plan: Plan, text: str, themes: Sequence[str]
) -> Goal:
    values = _clean(session, {"text": text, "themes": list(themes)})
    goal = Goal(plan_id=saved_id(plan.id), **values)
    _create(session, actor=actor, plan=plan, obj=goal)
    return goal


def update_goal(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    goal: Goal,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Goal:
    values = _clean(session, changes)
    if "status" in values:
        values["status"] = GoalStatus(values["status"])
    _update(
        session, actor=actor, plan=plan, obj=goal, expected_version=expected_version, changes=values
    )
    return goal


def add_action(
    session: Session, *, actor: Account, plan: Plan, goal: Goal, values: Mapping[str, Any]
) -> PlanAction:
    cleaned = _clean(session, values)
    _check_action(cleaned)
    action = PlanAction(plan_id=saved_id(plan.id), goal_id=saved_id(goal.id), **cleaned)
    _create(session, actor=actor, plan=plan, obj=action)
    return action


def update_action(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    action: PlanAction,
    expected_version: int,
    changes: Mapping[str, Any],
) -> PlanAction:
    cleaned = _clean(session, changes)
    _check_action({**data(action), **cleaned})
    _update(
        session,
        actor=actor,
        plan=plan,
        obj=action,
        expected_version=expected_version,
        changes=cleaned,
    )
    return action


def add_review(
    session: Session, *, actor: Account, plan: Plan, values: Mapping[str, Any]
) -> Review:
    cleaned = _clean(session, values)
    _check_review(cleaned)
    review = Review(plan_id=saved_id(plan.id), **cleaned)
    _create(session, actor=actor, plan=plan, obj=review)
    return review


def update_review(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    review: Review,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Review:
    cleaned = _clean(session, changes)
    _check_review(
        {**{"held_on": review.held_on, "next_review_on": review.next_review_on}, **cleaned}
    )
    _update(
        session,
        actor=actor,
        plan=plan,
        obj=review,
        expected_version=expected_version,
        changes=cleaned,
    )
    return review


@dataclass
class GoalView:
    goal: Goal
    actions: list[PlanAction] = field(default_factory=list)


@dataclass
class PlanView:
    plan: Plan
    goals: list[GoalView]
    reviews: list[Review]


def view(session: Session, *, plan: Plan) -> PlanView:
    """The whole plan in three queries, however long it is."""
    goals = session.exec(select(Goal).where(Goal.plan_id == plan.id).order_by(col(Goal.id))).all()
    by_goal = {goal.id: GoalView(goal) for goal in goals}
    actions = session.exec(
        select(PlanAction).where(PlanAction.plan_id == plan.id).order_by(col(PlanAction.id))
    ).all()
    for action in actions:
        by_goal[action.goal_id].actions.append(action)
    reviews = session.exec(
        select(Review)
        .where(Review.plan_id == plan.id)
        .order_by(col(Review.held_on).desc(), col(Review.id).desc())
    ).all()
    return PlanView(plan=plan, goals=list(by_goal.values()), reviews=list(reviews))


def actions_of(session: Session, *, goal: Goal) -> list[PlanAction]:
    statement = select(PlanAction).where(PlanAction.goal_id == goal.id).order_by(col(PlanAction.id))
    return list(session.exec(statement).all())


def history(
    session: Session, *, plan: Plan, goal_id: int | None = None, since: int = 0
) -> list[PlanChange]:
    """Applied changes after revision `since`, newest first; for one goal, it and its actions."""
    statement = select(PlanChange).where(
        PlanChange.plan_id == plan.id, col(PlanChange.revision) > since
    )
    if goal_id is not None:
        statement = statement.where(PlanChange.goal_id == goal_id)
    return list(session.exec(statement.order_by(col(PlanChange.revision).desc())).all())


@dataclass(frozen=True)
class Focus:
    theme_id: str
    importance: int
    satisfaction: int


def focus_suggestions(session: Session, *, plan: Plan) -> list[Focus]:
    """Themes of the latest completed assessment rated clearly more important than satisfying."""
    completed = [
        a for a in survey.assessments_of(session, subject_id=plan.young_person_id) if a.completed_at
    ]
    if not completed:
        return []
    latest = max(completed, key=lambda a: a.completed_at)  # type: ignore[arg-type,return-value]
    definition = survey.assessment_definition(session, latest)
    answers = survey.answers_for(session, [saved_id(latest.id)])[saved_id(latest.id)]
    found = []
    for theme in definition.themes:
        importance = answers.get(f"{theme.id}.importance")
        satisfaction = answers.get(f"{theme.id}.satisfaction")
        if importance is None or satisfaction is None:
            continue
        imp, sat = importance.value_int or 0, satisfaction.value_int or 0
        if imp - sat >= definition.gap_threshold:
            found.append(Focus(theme.id, imp, sat))
    return sorted(found, key=lambda f: f.satisfaction - f.importance)
