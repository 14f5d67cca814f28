"""Load a plan or one of its objects and check the actor may touch it: one per object type."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from app.audit.actions import AuditAction
from app.auth.deps import SignedIn
from app.core.db import SessionDep
from app.core.schemas import PathId
from app.plan import service
from app.plan.models import Goal, Plan, PlanAction, Review
from app.plan.service import AnyEditable


def plan_for(action: AuditAction) -> Callable[..., Plan]:
    def load(session: SessionDep, actor: SignedIn, person_id: PathId) -> Plan:
        return service.plan_of(session, actor=actor, person_id=person_id, action=action)

    return load


def _found(
    session: SessionDep,
    actor: SignedIn,
    model: type[AnyEditable],
    object_id: int,
    action: AuditAction,
) -> tuple[AnyEditable, Plan]:
    return service.object_in_plan(
        session, actor=actor, model=model, object_id=object_id, action=action
    )


def goal_for(action: AuditAction) -> Callable[..., tuple[Goal, Plan]]:
    def load(session: SessionDep, actor: SignedIn, goal_id: PathId) -> tuple[Goal, Plan]:
        return _found(session, actor, Goal, goal_id, action)

    return load


def action_for(action: AuditAction) -> Callable[..., tuple[PlanAction, Plan]]:
    def load(session: SessionDep, actor: SignedIn, action_id: PathId) -> tuple[PlanAction, Plan]:
        return _found(session, actor, PlanAction, action_id, action)

    return load


def review_for(action: AuditAction) -> Callable[..., tuple[Review, Plan]]:
    def load(session: SessionDep, actor: SignedIn, review_id: PathId) -> tuple[Review, Plan]:
        return _found(session, actor, Review, review_id, action)

    return load


PlanRead = Annotated[Plan, Depends(plan_for(AuditAction.PLAN_READ))]
PlanWrite = Annotated[Plan, Depends(plan_for(AuditAction.PLAN_UPDATE))]
GoalRead = Annotated[tuple[Goal, Plan], Depends(goal_for(AuditAction.GOAL_READ))]
GoalWrite = Annotated[tuple[Goal, Plan], Depends(goal_for(AuditAction.GOAL_UPDATE))]
ActionWrite = Annotated[tuple[PlanAction, Plan], Depends(action_for(AuditAction.ACTION_UPDATE))]
ReviewWrite = Annotated[tuple[Review, Plan], Depends(review_for(AuditAction.REVIEW_UPDATE))]
