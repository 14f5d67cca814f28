"""The plan pages: both sides edit one plan; a stale edit is shown beside the current text."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from app.auth.deps import SignedIn, YoungPerson
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.forms import FormDep, text_fields
from app.core.templates import render
from app.plan import agreement, forms, presenters, service
from app.plan.deps import ActionWrite, GoalRead, GoalWrite, PlanRead, PlanWrite, ReviewWrite
from app.plan.errors import StaleEdit
from app.plan.models import Plan
from app.plan.presenters import FormState

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _plan_url(plan: Plan, anchor: str = "") -> str:
    return f"/people/{plan.young_person_id}/plan{anchor}"


def _page(
    request: Request,
    session: SessionDep,
    actor: Any,
    plan: Plan,
    key: str,
    state: FormState,
    status: int,
) -> Response:
    context = presenters.page(session, actor=actor, plan=plan, forms={key: state})
    return render(request, "plan/page.html", context, status_code=status)


def _refused(error: AppError, values: dict[str, Any]) -> FormState:
    current = error.extra.get("current") if isinstance(error, StaleEdit) else None
    return FormState(values, forms.problems_by_field(error), current)  # type: ignore[arg-type]


@router.get("/plan")
def my_plan(actor: YoungPerson) -> Response:
    return RedirectResponse(f"/people/{actor.id}/plan", status_code=303)


@router.get("/people/{person_id}/plan")
def plan_page(request: Request, session: SessionDep, actor: SignedIn, plan: PlanRead) -> Response:
    return render(request, "plan/page.html", presenters.page(session, actor=actor, plan=plan))


@router.get("/people/{person_id}/plan/live")
def live(request: Request, session: SessionDep, actor: SignedIn, person_id: Id) -> Response:
    """Polled by the open page: 304 until the plan changes, then the changed parts."""
    seen = request.headers.get("if-none-match")
    poll = service.read_plan_if_changed(
        session, actor=actor, person_id=person_id, if_none_match=seen
    )
    if not poll.changed:
        return Response(status_code=304, headers={"ETag": poll.etag})
    context = presenters.page(session, actor=actor, plan=poll.plan)
    context["changed"] = presenters.changed_since(
        session, plan=poll.plan, revision=poll.since, reader=actor
    )
    return render(request, "plan/live.html", context, headers={"ETag": poll.etag})


@router.post("/people/{person_id}/plan/goals")
def add_goal(
    request: Request, session: SessionDep, actor: SignedIn, plan: PlanWrite, form: FormDep
) -> Response:
    values: dict[str, Any] = {}
    try:
        values = forms.goal(form, with_status=False)
        goal = service.add_goal(session, actor=actor, plan=plan, **values)
    except AppError as error:
        values = values or {"text": str(form.get("text") or ""), "themes": form.getlist("themes")}
        return _page(request, session, actor, plan, "new-goal", _refused(error, values), 422)
    return RedirectResponse(_plan_url(plan, f"#goal-{goal.id}"), status_code=303)


@router.post("/goals/{goal_id}")
def update_goal(
    request: Request, session: SessionDep, actor: SignedIn, found: GoalWrite, form: FormDep
) -> Response:
    goal, plan = found
    values: dict[str, Any] = {
        "text": str(form.get("text") or ""),
        "themes": form.getlist("themes"),
        "status": str(form.get("status") or ""),
    }
    try:
        values = forms.goal(form, with_status=True)
        service.update_goal(
            session,
            actor=actor,
            plan=plan,
            goal=goal,
            expected_version=forms.version(form),
            changes=values,
        )
    except AppError as error:
        state = _refused(error, values)
        return _page(request, session, actor, plan, f"goal-{goal.id}", state, error.status)
    return RedirectResponse(_plan_url(plan, f"#goal-{goal.id}"), status_code=303)


@router.post("/goals/{goal_id}/actions")
def add_action(
    request: Request, session: SessionDep, actor: SignedIn, found: GoalWrite, form: FormDep
) -> Response:
    goal, plan = found
    raw = text_fields(form, forms.ACTION_FIELDS)
    try:
        service.add_action(session, actor=actor, plan=plan, goal=goal, values=forms.action(form))
    except AppError as error:
        state = _refused(error, raw)
        return _page(request, session, actor, plan, f"new-action-{goal.id}", state, 422)
    return RedirectResponse(_plan_url(plan, f"#goal-{goal.id}"), status_code=303)


@router.post("/actions/{action_id}")
def update_action(
    request: Request, session: SessionDep, actor: SignedIn, found: ActionWrite, form: FormDep
) -> Response:
    action, plan = found
    raw = text_fields(form, forms.ACTION_FIELDS)
    try:
        service.update_action(
            session,
            actor=actor,
            plan=plan,
            action=action,
            expected_version=forms.version(form),
            changes=forms.action(form, partial=True),
        )
    except AppError as error:
        state = _refused(error, raw)
        return _page(request, session, actor, plan, f"action-{action.id}", state, error.status)
    return RedirectResponse(_plan_url(plan, f"#goal-{action.goal_id}"), status_code=303)


@router.post("/people/{person_id}/plan/reviews")
def add_review(
    request: Request, session: SessionDep, actor: SignedIn, plan: PlanWrite, form: FormDep
) -> Response:
    raw = text_fields(form, forms.REVIEW_FIELDS)
    try:
        service.add_review(session, actor=actor, plan=plan, values=forms.review(form))
    except AppError as error:
        return _page(request, session, actor, plan, "new-review", _refused(error, raw), 422)
    return RedirectResponse(_plan_url(plan, "#reviews"), status_code=303)


@router.post("/reviews/{review_id}")
def update_review(
    request: Request, session: SessionDep, actor: SignedIn, found: ReviewWrite, form: FormDep
) -> Response:
    review, plan = found
    raw = text_fields(form, forms.REVIEW_FIELDS)
    try:
        service.update_review(
            session,
            actor=actor,
            plan=plan,
            review=review,
            expected_version=forms.version(form),
            changes=forms.review(form),
        )
    except AppError as error:
        state = _refused(error, raw)
        return _page(request, session, actor, plan, f"review-{review.id}", state, error.status)
    return RedirectResponse(_plan_url(plan, "#reviews"), status_code=303)


@router.post("/people/{person_id}/plan/agreement")
def agree(session: SessionDep, actor: SignedIn, plan: PlanWrite) -> Response:
    agreement.agree(session, actor=actor, plan=plan)
    return RedirectResponse(_plan_url(plan, "#agreement"), status_code=303)


@router.get("/people/{person_id}/plan/agreements/{agreement_id}")
def agreed(request: Request, session: SessionDep, plan: PlanRead, agreement_id: Id) -> Response:
    found = agreement.agreed_version(session, plan=plan, agreement_id=agreement_id)
    context = {
        "plan": plan,
        "agreement": found,
        "titles": presenters.theme_titles(session),
        "person": presenters.person_of(session, plan),
    }
    return render(request, "plan/agreed.html", context)


@router.get("/people/{person_id}/plan/history")
def plan_history(request: Request, session: SessionDep, plan: PlanRead) -> Response:
    return render(request, "plan/history.html", presenters.history_page(session, plan=plan))


@router.get("/goals/{goal_id}/history")
def goal_history(request: Request, session: SessionDep, found: GoalRead) -> Response:
    goal, plan = found
    context = presenters.history_page(session, plan=plan, goal=goal)
    return render(request, "plan/history.html", context)
