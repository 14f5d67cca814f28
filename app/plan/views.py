"""The plan pages: both sides edit one plan; a stale edit is shown beside the current text."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from app.auth.deps import SignedIn, YoungPerson
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.forms import FormDep
from app.core.templates import render
from app.plan import agreement, etags, forms, presenters, service
from app.plan.deps import ActionWrite, GoalRead, GoalWrite, PlanRead, PlanWrite, ReviewWrite
from app.plan.errors import StaleEdit
from app.plan.models import Plan
from app.plan.presenters import FormState
from app.plan.service import AnyEditable

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


@dataclass(frozen=True)
class Submit:
    """One plan form: which form it is on the page (`key`), what the person sent (`raw`, shown
    again if refused) and the status of a refusal (None: the error's own)."""

    key: str
    raw: dict[str, Any]
    refused_status: int | None = None


def _submit(
    request: Request,
    session: SessionDep,
    actor: Any,
    plan: Plan,
    submit: Submit,
    save: Callable[[], str],
) -> Response:
    """Save a plan form and go back to the saved part (`save` returns its anchor), or show the
    page again with the person's values, the problems and, for a stale edit, the newer version."""
    try:
        anchor = save()
    except AppError as error:
        status = submit.refused_status or error.status
        return _page(request, session, actor, plan, submit.key, _refused(error, submit.raw), status)
    return RedirectResponse(_plan_url(plan, anchor), status_code=303)


def _edit(
    request: Request,
    session: SessionDep,
    actor: Any,
    found: tuple[AnyEditable, Plan],
    form: FormData,
    anchor: str,
) -> Response:
    """Save the edit form of a goal, an action or a review, made on the version it names."""
    obj, plan = found
    kind = service.object_type(obj)

    def save() -> str:
        changes = forms.changes(kind, form)
        expected = forms.version(form)
        service.update_object(
            session, actor=actor, plan=plan, obj=obj, expected_version=expected, changes=changes
        )
        return anchor

    return _submit(
        request, session, actor, plan, Submit(f"{kind}-{obj.id}", forms.sent(kind, form)), save
    )


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
    poll = etags.read_plan_if_changed(session, actor=actor, person_id=person_id, if_none_match=seen)
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
    def save() -> str:
        values = forms.goal(form, with_status=False)
        return f"#goal-{service.add_goal(session, actor=actor, plan=plan, **values).id}"

    submit = Submit("new-goal", forms.sent("goal", form), refused_status=422)
    return _submit(request, session, actor, plan, submit, save)


@router.post("/goals/{goal_id}")
def update_goal(
    request: Request, session: SessionDep, actor: SignedIn, found: GoalWrite, form: FormDep
) -> Response:
    return _edit(request, session, actor, found, form, f"#goal-{found[0].id}")


@router.post("/goals/{goal_id}/actions")
def add_action(
    request: Request, session: SessionDep, actor: SignedIn, found: GoalWrite, form: FormDep
) -> Response:
    goal, plan = found

    def save() -> str:
        values = forms.action(form)
        service.add_action(session, actor=actor, plan=plan, goal=goal, values=values)
        return f"#goal-{goal.id}"

    submit = Submit(f"new-action-{goal.id}", forms.sent("action", form), refused_status=422)
    return _submit(request, session, actor, plan, submit, save)


@router.post("/actions/{action_id}")
def update_action(
    request: Request, session: SessionDep, actor: SignedIn, found: ActionWrite, form: FormDep
) -> Response:
    return _edit(request, session, actor, found, form, f"#goal-{found[0].goal_id}")


@router.post("/people/{person_id}/plan/reviews")
def add_review(
    request: Request, session: SessionDep, actor: SignedIn, plan: PlanWrite, form: FormDep
) -> Response:
    def save() -> str:
        service.add_review(session, actor=actor, plan=plan, values=forms.review(form))
        return "#reviews"

    submit = Submit("new-review", forms.sent("review", form), refused_status=422)
    return _submit(request, session, actor, plan, submit, save)


@router.post("/reviews/{review_id}")
def update_review(
    request: Request, session: SessionDep, actor: SignedIn, found: ReviewWrite, form: FormDep
) -> Response:
    return _edit(request, session, actor, found, form, "#reviews")


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
