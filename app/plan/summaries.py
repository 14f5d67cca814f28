"""Many plans at a glance, for read models (the caseload and a person's page): each plan's
state by the agreement's rule, its goals, its overdue actions by the action's rule and its next
review, in one query however many plans. Checks nothing (the caller has checked access)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import Session, col

from app.plan import agreement
from app.plan.models import Goal, Plan, PlanAction, PlanAgreement, PlanState, Review


@dataclass(frozen=True)
class PlanSummary:
    state: PlanState
    goals: int
    overdue_actions: int
    next_review_on: date | None  # the latest a review has set
    proposed_by_role: str | None  # of the current revision's proposal, if any
    last_agreed_at: datetime | None = None  # when its latest agreed version was agreed on


def standing(summary: PlanSummary | None, *, reader: str) -> agreement.Standing:
    """Whose move it is, as `reader` (a role) reads it in a list (None: no plan yet)."""
    if summary is None:
        return agreement.standing_of(None, goals=0, proposed_by_role=None, reader=reader)
    return agreement.standing_of(
        summary.state,
        goals=summary.goals,
        proposed_by_role=summary.proposed_by_role,
        reader=reader,
        agreed_before=summary.last_agreed_at is not None,
    )


def plan_summaries(
    session: Session, person_ids: Collection[int], today: date
) -> dict[int, PlanSummary]:
    """Each person's plan at a glance, by person (those without a plan left out), in one
    query; `today` in Finnish time (`local_today`) decides which actions are overdue."""
    if not person_ids:
        return {}
    overdue = _per_plan(PlanAction.plan_id, func.count(), PlanAction.overdue(today))
    goals = _per_plan(Goal.plan_id, func.count())
    upcoming = _per_plan(Review.plan_id, func.max(Review.next_review_on))
    agreed = _per_plan(PlanAgreement.plan_id, func.max(col(PlanAgreement.agreed_at)))
    statement = (
        select(
            col(Plan.young_person_id),
            col(PlanAgreement.id),
            col(PlanAgreement.agreed_at),
            col(PlanAgreement.proposed_by_role),
            func.coalesce(goals.c.value, 0),
            func.coalesce(overdue.c.value, 0),
            upcoming.c.value,
            agreed.c.value,
        )
        .outerjoin(PlanAgreement, agreement.of_current_revision())
        .outerjoin(goals, goals.c.plan_id == col(Plan.id))
        .outerjoin(overdue, overdue.c.plan_id == col(Plan.id))
        .outerjoin(upcoming, upcoming.c.plan_id == col(Plan.id))
        .outerjoin(agreed, agreed.c.plan_id == col(Plan.id))
        .where(col(Plan.young_person_id).in_(person_ids))
    )
    return {row[0]: _summary(*row[1:]) for row in session.execute(statement)}


def _summary(
    agreement_id: int | None,
    agreed_at: datetime | None,
    proposed_by: str | None,
    goals: int,
    late: int,
    next_on: date | None,
    last_agreed: datetime | None,
) -> PlanSummary:
    """One plan's row of `plan_summaries`, its state decided by the agreement's rule."""
    return PlanSummary(
        state=agreement.state_of(agreement_id, agreed_at),
        goals=int(goals),
        overdue_actions=int(late),
        next_review_on=next_on,
        proposed_by_role=proposed_by,
        last_agreed_at=last_agreed,
    )


def _per_plan(
    plan_id: Any, value: Any, *where: ColumnElement[bool] | SQLCoreOperations[bool]
) -> Any:
    """A subquery (`plan_id`, `value`): an aggregate of a plan's rows in one of its tables,
    of those that meet `where`, per plan."""
    return (
        select(col(plan_id).label("plan_id"), value.label("value"))
        .where(*where)
        .group_by(col(plan_id))
        .subquery()
    )
