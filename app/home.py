"""The young person's home page, a read model over their own survey, plan and case managers:
their next step, the latest Circle of Life, the assessment to start or continue, the plan,
and who their case managers are and how to reach them. Reads only."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.auth.models import Account
from app.core.types import local_today, saved_id
from app.plan import queries, summaries
from app.plan import service as plan_service
from app.plan.errors import StaleEdit
from app.plan.models import GoalStatus, Plan, PlanAction, PlanState
from app.survey import service as survey_service
from app.survey.help import Contact, latest_help, managers_to_reach


@dataclass(frozen=True)
class PlanSummary:
    goals: list[tuple[str, int, int]]  # each open goal: its text, actions done, actions
    state: PlanState
    next_review_on: date | None


def next_step(actions: list[PlanAction]) -> PlanAction | None:
    """The rule: the open action due soonest (one with a date before one without), of open
    goals; ties by the order they were added."""
    open_ones = [a for a in actions if not a.done]
    return min(
        open_ones, key=lambda a: (a.due_on is None, a.due_on or date.max, a.id or 0), default=None
    )


def _plan(session: Session, person_id: int) -> tuple[PlanAction | None, PlanSummary | None]:
    plan = queries.plan_of_person(session, person_id)
    if plan is None:
        return None, None
    whole = queries.view(session, plan=plan)
    open_goals = [g for g in whole.goals if g.goal.status == GoalStatus.OPEN]
    actions = [a for g in open_goals for a in g.actions]
    goals = [(g.goal.text, sum(a.done for a in g.actions), len(g.actions)) for g in open_goals]
    glance = summaries.plan_summaries(session, [person_id], local_today())[person_id]
    summary = PlanSummary(goals=goals, state=glance.state, next_review_on=glance.next_review_on)
    return next_step(actions), summary


def young_home(session: Session, *, person: Account) -> dict[str, Any]:
    """What the person's home page shows (their own data: nothing is audited)."""
    open_one = survey_service.open_assessment(session, person=person)
    progress = survey_service.answer_progress(session, assessment=open_one) if open_one else None
    completed = [
        a for a in survey_service.list_assessments(session, actor=person) if a.completed_at
    ]
    step, plan = _plan(session, saved_id(person.id))
    managers: list[tuple[str, list[Contact]]] = managers_to_reach(session, saved_id(person.id))
    return {
        "open": open_one,
        "progress": progress,
        "completed": completed,
        "help": latest_help(session, person=person),
        "step": step,
        "plan": plan,
        "managers": managers,
        "today": local_today(),
    }


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
