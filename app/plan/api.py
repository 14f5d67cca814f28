"""The plan as JSON under /api/v1. ETag carries an object's version; send it back in
If-Match (412 when stale) or as `version` in the body (409 when stale)."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from sqlmodel import Session
from starlette.responses import Response as PlainResponse

from app.auth.deps import SignedIn
from app.auth.models import Account
from app.core.db import SessionDep
from app.core.openapi import problem_responses
from app.core.schemas import PathId
from app.plan import agreement, etags, presenters, queries, service
from app.plan.deps import (
    ActionWrite,
    GoalRead,
    GoalWrite,
    PlanRead,
    PlanWrite,
    ReviewWrite,
)
from app.plan.errors import PreconditionFailed, StaleEdit, VersionRequired
from app.plan.models import (
    ActionCreate,
    ActionPublic,
    ActionUpdate,
    AgreementPublic,
    ChangePublic,
    FocusPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    Plan,
    PlanPublic,
    ReviewCreate,
    ReviewPublic,
    ReviewUpdate,
    owner_values,
)
from app.plan.service import AnyEditable, Editable

router = APIRouter(tags=["plan"], responses=problem_responses(400, 401, 404, 422))
EDIT_PROBLEMS = problem_responses(409, 412, 428)
IfMatch = Annotated[str | None, Header(max_length=100)]
IfNoneMatch = Annotated[str | None, Header(max_length=1000)]
PLAN_PATH = "/people/{person_id}/plan"


def _version(if_match: str | None, body_version: int | None) -> tuple[int, bool]:
    """The version an edit was made on, and whether it came as If-Match."""
    if if_match is not None:
        version = etags.version_in(if_match)
        if version is None:
            raise VersionRequired(field="If-Match")
        return version, True
    if body_version is None:
        raise VersionRequired(field="version")
    return body_version, False


def _tagged(response: Response, obj: Editable) -> None:
    response.headers["ETag"] = etags.object_etag(obj.version)


def _changes(body: GoalUpdate | ActionUpdate | ReviewUpdate) -> dict[str, Any]:
    """The fields a PATCH sent, as the plan's columns (an action's owner object as two)."""
    changes = body.model_dump(exclude_unset=True, exclude={"version", "owner"})
    if isinstance(body, ActionUpdate) and "owner" in body.model_fields_set:
        changes.update(owner_values(body.owner) if body.owner else {"owner": None})
    return changes


@dataclass(frozen=True)
class Edit:
    """A PATCH by one caller: its precondition (If-Match, or `version` in the body) and its
    response's ETag."""

    session: Session
    actor: Account
    response: Response
    if_match: str | None

    def apply(
        self, found: tuple[AnyEditable, Plan], body: GoalUpdate | ActionUpdate | ReviewUpdate
    ) -> AnyEditable:
        """Change a goal, an action or a review; stale is 412 by If-Match, 409 by version."""
        (obj, plan), (expected, by_header) = found, _version(self.if_match, body.version)
        try:
            service.update_object(
                self.session,
                actor=self.actor,
                plan=plan,
                obj=obj,
                expected_version=expected,
                changes=_changes(body),
            )
        except StaleEdit as error:
            if by_header:
                raise PreconditionFailed(
                    error.message, field="If-Match", params=error.params, extra=error.extra
                ) from error
            raise
        _tagged(self.response, obj)
        return obj


def _edit(
    session: SessionDep, actor: SignedIn, response: Response, if_match: IfMatch = None
) -> Edit:
    return Edit(session, actor, response, if_match)


EditDep = Annotated[Edit, Depends(_edit)]


@router.get(PLAN_PATH, response_model=PlanPublic, responses={304: {"description": "Unchanged"}})
def get_plan(
    session: SessionDep, actor: SignedIn, person_id: PathId, if_none_match: IfNoneMatch = None
) -> Any:
    """The whole plan. Poll with If-None-Match: 304 (not audited) until something changes."""
    poll = etags.read_plan_if_changed(
        session, actor=actor, person_id=person_id, if_none_match=if_none_match
    )
    if not poll.changed:
        return PlainResponse(status_code=304, headers={"ETag": poll.etag})
    body = presenters.plan_public(session, poll.plan)
    return PlainResponse(
        body.model_dump_json(), media_type="application/json", headers={"ETag": poll.etag}
    )


@router.post(f"{PLAN_PATH}/goals", response_model=GoalPublic, status_code=201)
def add_goal(
    session: SessionDep, actor: SignedIn, plan: PlanWrite, body: GoalCreate, response: Response
) -> GoalPublic:
    goal = service.add_goal(session, actor=actor, plan=plan, text=body.text, themes=body.themes)
    response.headers["Location"] = f"/api/v1/goals/{goal.id}"
    _tagged(response, goal)
    return presenters.goal_public(goal)


@router.get("/goals/{goal_id}", response_model=GoalPublic)
def get_goal(session: SessionDep, found: GoalRead, response: Response) -> GoalPublic:
    goal, _plan = found
    actions = queries.actions_of(session, goal=goal)
    _tagged(response, goal)
    return presenters.goal_public(goal, actions)


@router.patch("/goals/{goal_id}", response_model=GoalPublic, responses=EDIT_PROBLEMS)
def update_goal(found: GoalWrite, body: GoalUpdate, edit: EditDep) -> GoalPublic:
    return presenters.goal_public(edit.apply(found, body))


@router.get("/goals/{goal_id}/history", response_model=list[ChangePublic])
def goal_history(session: SessionDep, found: GoalRead) -> list[ChangePublic]:
    goal, plan = found
    return presenters.changes_public(session, plan, goal.id)


@router.post("/goals/{goal_id}/actions", response_model=ActionPublic, status_code=201)
def add_action(
    session: SessionDep, actor: SignedIn, found: GoalWrite, body: ActionCreate, response: Response
) -> ActionPublic:
    goal, plan = found
    values = {**body.model_dump(exclude={"owner"}), **owner_values(body.owner)}
    action = service.add_action(session, actor=actor, plan=plan, goal=goal, values=values)
    _tagged(response, action)
    return presenters.action_public(action)


@router.patch("/actions/{action_id}", response_model=ActionPublic, responses=EDIT_PROBLEMS)
def update_action(found: ActionWrite, body: ActionUpdate, edit: EditDep) -> ActionPublic:
    return presenters.action_public(edit.apply(found, body))


@router.post(f"{PLAN_PATH}/reviews", response_model=ReviewPublic, status_code=201)
def add_review(
    session: SessionDep, actor: SignedIn, plan: PlanWrite, body: ReviewCreate, response: Response
) -> ReviewPublic:
    review = service.add_review(session, actor=actor, plan=plan, values=body.model_dump())
    _tagged(response, review)
    return presenters.review_public(review)


@router.patch("/reviews/{review_id}", response_model=ReviewPublic, responses=EDIT_PROBLEMS)
def update_review(found: ReviewWrite, body: ReviewUpdate, edit: EditDep) -> ReviewPublic:
    return presenters.review_public(edit.apply(found, body))


@router.get(f"{PLAN_PATH}/history", response_model=list[ChangePublic])
def plan_history(session: SessionDep, plan: PlanRead) -> list[ChangePublic]:
    return presenters.changes_public(session, plan)


@router.get(f"{PLAN_PATH}/focus", response_model=list[FocusPublic])
def focus(session: SessionDep, plan: PlanRead) -> list[FocusPublic]:
    """Themes of the latest assessment rated clearly more important than satisfying."""
    return presenters.focus_public(session, plan)


@router.post(
    f"{PLAN_PATH}/agreement", response_model=AgreementPublic, responses=problem_responses(409)
)
def agree(session: SessionDep, actor: SignedIn, plan: PlanWrite) -> AgreementPublic:
    """Propose the current content (goals and actions), or agree to the other side's proposal
    of it; 409 for a plan without goals. Progress (done, a goal's status, reviews) never undoes
    an agreement."""
    found = agreement.agree(session, actor=actor, plan=plan)
    return AgreementPublic.model_validate(found, from_attributes=True)


@router.get(f"{PLAN_PATH}/agreements/{{agreement_id}}")
def agreed_version(session: SessionDep, plan: PlanRead, agreement_id: PathId) -> dict[str, Any]:
    """An agreed, frozen version of the plan."""
    found = agreement.agreed_version(session, plan=plan, agreement_id=agreement_id)
    public = AgreementPublic.model_validate(found, from_attributes=True)
    return {**public.model_dump(mode="json"), "plan": found.snapshot}
