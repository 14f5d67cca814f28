"""Plan use cases: goals, actions and reviews, edited by both sides. Flushes, never commits.

An edit names the version it was made on. It is applied with a single
`UPDATE ... WHERE id = ? AND version = ?`: if someone else changed the object
first, nothing is written and StaleEdit carries the current object back, so
nobody's words are silently overwritten. Every applied change bumps the
plan's revision and is kept in the history, in the same transaction; a change to
what an agreement covers (`AGREED`) bumps its content revision too.

A plan is made by its first change: reading a person who has none shows an
empty plan and writes nothing.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from app.audit.actions import AuditAction
from app.auth import access
from app.auth.models import Account
from app.auth.naming import describe
from app.core.bounds import storable_text
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.schemas import max_length
from app.core.types import saved_id, utcnow
from app.plan import owners, queries
from app.plan.errors import (
    ChangedByOther,
    ChangedByYou,
    NextReviewBeforeReview,
    ServiceNameRequired,
    StaleEdit,
    TextRequired,
    TextTooLong,
    UnknownTheme,
)
from app.plan.models import ActionOwner, Goal, Plan, PlanAction, PlanChange, Review
from app.survey import service as survey

Editable = Goal | PlanAction | Review
AnyEditable = TypeVar("AnyEditable", Goal, PlanAction, Review)
FIELDS: dict[str, tuple[str, ...]] = {
    "goal": ("text", "themes", "status"),
    "action": ("goal_id", "text", "owner", "owner_id", "service_name", "due_on", "done"),
    "review": ("held_on", "agreed", "changed", "next_review_on"),
}
NOT_EMPTY = ("text", "themes", "status", "owner", "held_on", "done", "agreed", "changed")
# What an agreement covers: the goals and actions, what is done, by whom and by when. A goal's
# status, an action's `done` and the reviews are progress: they never undo an agreement.
AGREED: dict[str, tuple[str, ...]] = {
    "goal": ("text", "themes"),
    "action": ("goal_id", "text", "owner", "owner_id", "service_name", "due_on"),
    "review": (),
}


KINDS: dict[type[Editable], str] = {Goal: "goal", PlanAction: "action", Review: "review"}


def object_type(obj: Editable) -> str:
    return KINDS[type(obj)]


def data_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def data(obj: Editable, *, agreed_only: bool = False) -> dict[str, Any]:
    """The object as plain JSON data, with its id and version; or (`agreed_only`) with its id
    and what an agreement covers of it."""
    kind = object_type(obj)
    values: dict[str, Any] = (
        {"id": obj.id} if agreed_only else {"id": obj.id, "version": obj.version}
    )
    for name in AGREED[kind] if agreed_only else FIELDS[kind]:
        values[name] = data_value(getattr(obj, name))
    return values


def changes_agreement(kind: str, changed: Iterable[str] | None) -> bool:
    """Whether a change touches what an agreement covers: a new goal or action does, a new
    review does not; an edit does if it changes one of the `AGREED` fields."""
    covered = AGREED[kind]
    if changed is None:  # created
        return bool(covered)
    return any(name in covered for name in changed)


# --- loading, with the access check -----------------------------------------------


def plan_of(
    session: Session, *, actor: Account, person_id: int, action: AuditAction, audited: bool = True
) -> Plan:
    """The person's plan if the actor may touch it (audited): the stored one, or an empty plan
    not saved (it is saved by its first change, `stored`)."""
    access.authorize(
        session,
        actor=actor,
        subject_id=person_id,
        action=action,
        object_type="plan",
        object_id=None,
        audit_allowed=audited,
    )
    return queries.plan_of_person(session, person_id) or Plan(young_person_id=person_id)


def stored(session: Session, plan: Plan) -> Plan:
    """The plan, saved now if this is its first change (or the one the other side saved at
    the same moment)."""
    if plan.id is not None:
        return plan
    try:
        with session.begin_nested():
            session.add(plan)
    except IntegrityError as error:  # created by the other side at the same moment
        created = queries.plan_of_person(session, plan.young_person_id)
        if created is None:
            raise NotFound() from error
        return created
    return plan


def object_in_plan(
    session: Session,
    *,
    actor: Account,
    model: type[AnyEditable],
    object_id: int,
    action: AuditAction,
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


# --- validation --------------------------------------------------------------------


def _text(model: type[Editable], name: str, value: str, *, required: bool = True) -> str:
    value = storable_text(name, value).strip()
    if required and not value:
        raise TextRequired(field=name)
    limit = max_length(model, name)  # the rule on the model, as the API and the page have it
    if len(value) > limit:
        raise TextTooLong(field=name, params={"max": limit, "length": len(value)})
    return value


def _themes(session: Session, themes: Sequence[str]) -> list[str]:
    known = survey.theme_ids(session)
    if any(theme not in known for theme in themes):
        raise UnknownTheme(field="themes")
    return [theme for theme in known if theme in themes]  # instrument order, no repeats


def _cleaned(session: Session, model: type[Editable], name: str, value: Any) -> Any:
    if value is None and name in NOT_EMPTY:
        raise TextRequired(field=name)
    if name == "text":
        return _text(model, name, value)
    if name in ("agreed", "changed"):
        return _text(model, name, value, required=False)
    if name == "service_name":
        return _text(model, name, value or "", required=False) or None
    if name == "themes":
        return _themes(session, value)
    return value


def _clean(session: Session, model: type[Editable], values: Mapping[str, Any]) -> dict[str, Any]:
    """Check each given field; every problem is reported, each naming its field."""
    cleaned: dict[str, Any] = {}
    problems: list[AppError] = []
    for name, value in values.items():
        try:
            cleaned[name] = _cleaned(session, model, name, value)
        except AppError as error:
            problems.append(error)
    if problems:
        raise InvalidInput(errors=[e for problem in problems for e in problem.errors])
    return cleaned


def _check(model: type[Editable], values: Mapping[str, Any]) -> None:
    """The rules between fields: a service action names its service; a review is not
    followed by one before it."""
    service_unnamed = values.get("owner") == ActionOwner.SERVICE and not values.get("service_name")
    if model is PlanAction and service_unnamed:
        raise ServiceNameRequired(field="service_name")
    if model is Review:
        held, following = values.get("held_on"), values.get("next_review_on")
        if held and following and following < held:
            raise NextReviewBeforeReview(field="next_review_on")


# --- changes, kept in the history ----------------------------------------------------


def _bump_revision(session: Session, plan: Plan, content: bool, now: datetime) -> int:
    """The plan's next revision (and, for a change of what an agreement covers, its next
    content revision), counted by the database; the new revision."""
    counted = {"content_revision": Plan.revision + 1} if content else {}
    revision, content_revision = session.execute(
        update(Plan)
        .where(col(Plan.id) == plan.id)
        .values(revision=Plan.revision + 1, updated_at=now, **counted)
        .returning(col(Plan.revision), col(Plan.content_revision))
    ).one()
    set_committed_value(plan, "revision", revision)
    set_committed_value(plan, "content_revision", content_revision)
    return int(revision)


def _record(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    obj: Editable,
    kind: str,
    before: dict[str, Any] | None,
) -> None:
    now, after = utcnow(), data(obj)
    changed = None if before is None else [k for k, v in after.items() if before.get(k) != v]
    revision = _bump_revision(session, plan, changes_agreement(object_type(obj), changed), now)
    session.add(
        PlanChange(
            plan_id=saved_id(plan.id),
            goal_id=obj.id if isinstance(obj, Goal) else getattr(obj, "goal_id", None),
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
            after=after,
        )
    )
    session.flush()


def _create(session: Session, *, actor: Account, plan: Plan, obj: Editable) -> Editable:
    session.add(obj)
    session.flush()
    _record(session, actor=actor, plan=plan, obj=obj, kind="created", before=None)
    return obj


def _write(
    session: Session,
    actor: Account,
    plan: Plan,
    obj: Editable,
    expected_version: int,
    changes: Mapping[str, Any],
) -> None:
    """One `UPDATE ... WHERE version = expected`; StaleEdit, with the current object and who
    made it, if the object changed since."""
    model = type(obj)
    result = session.execute(
        update(model)
        .where(col(model.id) == obj.id, col(model.version) == expected_version)
        .values(**changes, version=model.version + 1, updated_at=utcnow())
    )
    session.refresh(obj)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _stale(session, actor, plan, obj)


def _stale(session: Session, actor: Account, plan: Plan, obj: Editable) -> StaleEdit:
    """The refusal of a stale edit, saying who made the version it missed (the object's
    latest change in the history): a name, or the actor themself in another window."""
    extra: dict[str, object] = {"current": data(obj)}
    last = queries.last_change(
        session, plan=plan, object_type=object_type(obj), object_id=saved_id(obj.id)
    )
    if last is not None and last.actor_id == actor.id:
        return ChangedByYou(field="version", extra=extra)
    if last is not None:
        name = describe(last.actor_name, last.actor_role, last.actor_organisation)
        return ChangedByOther(field="version", extra=extra, params={"name": name})
    return StaleEdit(field="version", extra=extra)


# --- the use cases -------------------------------------------------------------------


def add_object(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    model: type[AnyEditable],
    values: Mapping[str, Any],
    **parents: int,
) -> AnyEditable:
    cleaned = _clean(session, model, values)
    if model is PlanAction:
        cleaned = owners.with_owner(session, actor, plan, cleaned)
    _check(model, cleaned)
    plan = stored(session, plan)
    obj = model(**{"plan_id": saved_id(plan.id), **parents, **cleaned})
    _create(session, actor=actor, plan=plan, obj=obj)
    return obj


def add_goal(
    session: Session, *, actor: Account, plan: Plan, text: str, themes: Sequence[str]
) -> Goal:
    values = {"text": text, "themes": list(themes)}
    return add_object(session, actor=actor, plan=plan, model=Goal, values=values)


def add_action(
    session: Session, *, actor: Account, plan: Plan, goal: Goal, values: Mapping[str, Any]
) -> PlanAction:
    goal_id = saved_id(goal.id)
    return add_object(
        session, actor=actor, plan=plan, model=PlanAction, values=values, goal_id=goal_id
    )


def add_review(
    session: Session, *, actor: Account, plan: Plan, values: Mapping[str, Any]
) -> Review:
    return add_object(session, actor=actor, plan=plan, model=Review, values=values)


def update_object(
    session: Session,
    *,
    actor: Account,
    plan: Plan,
    obj: AnyEditable,
    expected_version: int,
    changes: Mapping[str, Any],
) -> AnyEditable:
    """Change a goal, an action or a review as edited on `expected_version`, or refuse the
    change as stale; a change to nothing that differs is no change (and never stale)."""
    model = type(obj)
    cleaned = _clean(session, model, changes)
    if isinstance(obj, PlanAction):
        cleaned = owners.with_owner(session, actor, plan, cleaned, obj)
    _check(model, {**{name: getattr(obj, name) for name in FIELDS[object_type(obj)]}, **cleaned})
    before = data(obj)
    differing = {k: v for k, v in cleaned.items() if before.get(k) != data_value(v)}
    if differing:
        _write(session, actor, plan, obj, expected_version, differing)
        _record(session, actor=actor, plan=plan, obj=obj, kind="updated", before=before)
    return obj
