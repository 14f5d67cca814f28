"""The young person's home page, a read model over their own survey, plan and case managers:
their next step, the latest Circle of Life, the assessment to start or continue, the plan,
and who their case managers are and how to reach them. Reads only."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app.auth.models import Account, Role
from app.auth.naming import describe
from app.auth.service import case_managers_of
from app.core.i18n import gettext
from app.core.types import local_today, saved_id
from app.plan import queries, summaries
from app.plan import service as plan_service
from app.plan.agreement import Standing
from app.plan.errors import StaleEdit
from app.plan.models import ActionOwner, GoalStatus, Plan, PlanAction
from app.plan.owners import reader_for
from app.survey import service as survey_service
from app.survey.help import latest_help, managers_to_reach


@dataclass(frozen=True)
class PlanSummary:
    goals: list[tuple[str, int, int]]  # each open goal: its text, actions done, actions
    standing: Standing  # as the young person reads it: whose move it is
    last_agreed_at: datetime | None
    next_review_on: date | None


OTHERS_SHOWN = 3  # what others are doing: the soonest few (the plan has them all)


def _soonest(action: PlanAction) -> tuple[bool, date, int]:
    """Dated before undated, the nearest date first; ties by the order they were added."""
    return (action.due_on is None, action.due_on or date.max, action.id or 0)


def next_step(actions: list[PlanAction]) -> PlanAction | None:
    """The rule: the young person's own open action due soonest, of open goals. Others' actions
    are never theirs to tick (`others_doing`)."""
    own = [a for a in actions if not a.done and a.owner == ActionOwner.YOUNG_PERSON]
    return min(own, key=_soonest, default=None)


def others_doing(actions: list[PlanAction]) -> list[PlanAction]:
    """What others (a case manager, a service) are doing in the plan: their open actions of
    open goals, the soonest few."""
    theirs = [a for a in actions if not a.done and a.owner != ActionOwner.YOUNG_PERSON]
    return sorted(theirs, key=_soonest)[:OTHERS_SHOWN]


@dataclass(frozen=True)
class PlanGlance:
    step: PlanAction | None = None
    others: list[PlanAction] = field(default_factory=list)
    summary: PlanSummary | None = None


def _plan(session: Session, person_id: int) -> PlanGlance:
    plan = queries.plan_of_person(session, person_id)
    if plan is None:
        return PlanGlance()
    whole = queries.view(session, plan=plan)
    open_goals = [g for g in whole.goals if g.goal.status == GoalStatus.OPEN]
    actions = [a for g in open_goals for a in g.actions]
    goals = [(g.goal.text, sum(a.done for a in g.actions), len(g.actions)) for g in open_goals]
    glance = summaries.plan_summaries(session, [person_id], local_today())[person_id]
    summary = PlanSummary(
        goals=goals,
        standing=summaries.standing(glance, reader=Role.YOUNG_PERSON),
        last_agreed_at=glance.last_agreed_at,
        next_review_on=glance.next_review_on,
    )
    return PlanGlance(next_step(actions), others_doing(actions), summary)


def young_home(session: Session, *, person: Account, changed: int | None = None) -> dict[str, Any]:
    """What the person's home page shows (their own data: nothing is audited); `changed`: a
    step of theirs that someone changed before their tick reached it."""
    open_one = survey_service.open_assessment(session, person=person)
    progress = survey_service.answer_progress(session, assessment=open_one) if open_one else None
    completed = [
        a for a in survey_service.list_assessments(session, actor=person) if a.completed_at
    ]
    person_id = saved_id(person.id)
    plan = _plan(session, person_id)
    managers = case_managers_of(session, person_id=person_id)
    owner_ids = {action.owner_id for action in plan.others}
    return {
        "open": open_one,
        "progress": progress,
        "completed": completed,
        "help": latest_help(session, person=person, managers=managers),
        "step": plan.step,
        "others": plan.others,
        "reader": reader_for(
            session, actor=person, person=person, owner_ids=owner_ids, managers=managers
        ),
        "plan": plan.summary,
        "managers": managers_to_reach(session, person_id, managers),
        "changed_by": changed_by(session, person=person, action_id=changed) if changed else "",
        "today": local_today(),
    }


def changed_by(session: Session, *, person: Account, action_id: int) -> str:
    """Who changed a step of the person's own plan before their tick reached it, from the
    plan's history ('' for a step not in their plan)."""
    plan = queries.plan_of_person(session, saved_id(person.id))
    last = (
        queries.last_change(session, plan=plan, object_type="action", object_id=action_id)
        if plan is not None
        else None
    )
    if last is None:
        return ""
    if last.actor_id == person.id:
        return gettext(
            "You changed this step in another window, so it was not marked done here. Check "
            "it and tick again."
        )
    name = describe(last.actor_name, last.actor_role, last.actor_organisation)
    return gettext(
        "%(name)s changed this step meanwhile, so it was not marked done. Check it and tick again.",
        name=name,
    )


def tick(session: Session, *, actor: Account, plan: Plan, action: PlanAction, version: int) -> bool:
    """Mark the next step done through the plan's own update and its version check; False
    (nothing written) if the step changed since the page showed it."""
    try:
        plan_service.update_object(
            session,
            actor=actor,
            plan=plan,
            obj=action,
            expected_version=version,
            changes={"done": True},
        )
    except StaleEdit:
        return False
    return True
