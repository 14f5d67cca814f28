"""The plan pages: both sides edit one plan; a stale edit is shown beside the current text."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from app.auth.deps import SignedIn, YoungPerson
from app.auth.models import Account
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.forms import FormDep
from app.core.schemas import PathId
from app.core.templates import render
from app.core.types import saved_id
from app.plan import agreement, etags, forms, presenters, service
from app.plan.deps import ActionWrite, GoalRead, GoalWrite, PlanRead, PlanWrite, ReviewWrite
from app.plan.errors import StaleEdit
from app.plan.models import Goal, Plan, PlanAction, Review
from app.plan.presenters import FormState
from app.plan.service import AnyEditable, Editable

router = APIRouter(include_in_schema=False)


def _plan_url(plan: Plan, saved: str = "", at: str = "") -> str:
    """The plan page; after a save, with a confirmation of `saved` shown at `at` (scrolled to)."""
    after = f"?saved={saved}&at={at}#{at}" if saved else ""
    return f"/people/{plan.young_person_id}/plan{after}"


def _anchor(obj: Editable) -> str:
    """Where the page shows an object: a goal and its actions under the goal, reviews together."""
    if isinstance(obj, Review):
        return "reviews"
    return f"goal-{obj.goal_id if isinstance(obj, PlanAction) else obj.id}"


def _refused(error: AppError, values: dict[str, Any]) -> FormState:
    current = error.extra.get("current") if isinstance(error, StaleEdit) else None
    return FormState(values, forms.problems_by_field(error), current)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Sent:
    """A plan form one person sent. Saved: back to the saved part of the page, which says so.
    Refused: the page again with their values, the problems listed above the form (which the
    page focuses) and, for a stale edit, the newer version."""

    request: Request
    session: Session
    actor: Account
    form: FormData

    def add(self, plan: Plan, model: type[AnyEditable], key: str, **parents: int) -> Response:
        """A new goal, action (`goal_id` in `parents`) or review; refused with 422."""
        kind = service.KINDS[model]

        def save() -> Editable:
            values = forms.new(kind, self.form)
            return service.add_object(
                self.session, actor=self.actor, plan=plan, model=model, values=values, **parents
            )

        return self._save(plan, key, kind, save, added=True)

    def edit(self, found: tuple[AnyEditable, Plan]) -> Response:
        """An edit of a goal, an action or a review, made on the version the form names."""
        obj, plan = found
        kind = service.object_type(obj)

        def save() -> Editable:
            changes, expected = forms.changes(kind, self.form), forms.version(self.form)
            return service.update_object(
                self.session,
                actor=self.actor,
                plan=plan,
                obj=obj,
                expected_version=expected,
                changes=changes,
            )

        return self._save(plan, f"{kind}-{obj.id}", kind, save)

    def _save(
        self, plan: Plan, key: str, kind: str, save: Callable[[], Editable], added: bool = False
    ) -> Response:
        try:
            saved = save()
        except AppError as error:
            state = _refused(error, forms.sent(kind, self.form))
            context = presenters.page(self.session, actor=self.actor, plan=plan, forms={key: state})
            status = 422 if added else error.status
            return render(self.request, "plan/page.html", context, status_code=status)
        url = _plan_url(plan, self._note(kind, saved, added=added), _anchor(saved))
        return RedirectResponse(url, status_code=303)

    def _note(self, kind: str, saved: Editable, *, added: bool) -> str:
        """Which confirmation the page shows: added, saved, or an action ticked done (or not)."""
        if added:
            return f"{kind}-added"
        if isinstance(saved, PlanAction) and "done_present" in self.form:
            return "done" if saved.done else "not-done"
        return kind


def _sent(request: Request, session: SessionDep, actor: SignedIn, form: FormDep) -> Sent:
    return Sent(request, session, actor, form)


SentForm = Annotated[Sent, Depends(_sent)]


@router.get("/plan")
def my_plan(actor: YoungPerson) -> Response:
    return RedirectResponse(f"/people/{actor.id}/plan", status_code=303)


@router.get("/people/{person_id}/plan")
def plan_page(request: Request, session: SessionDep, actor: SignedIn, plan: PlanRead) -> Response:
    saved = presenters.saved_note(request.query_params)
    context = presenters.page(session, actor=actor, plan=plan, saved=saved)
    return render(request, "plan/page.html", context)


@router.get("/people/{person_id}/plan/live")
def live(request: Request, session: SessionDep, actor: SignedIn, person_id: PathId) -> Response:
    """Polled by the open page: 304 until the plan or its agreement changes, then the changed
    parts (the agreement box always)."""
    seen = request.headers.get("if-none-match")
    poll = etags.read_plan_if_changed(session, actor=actor, person_id=person_id, if_none_match=seen)
    if not poll.changed:
        return Response(status_code=304, headers={"ETag": poll.etag})
    context = presenters.live(session, actor=actor, poll=poll)
    return render(request, "plan/live.html", context, headers={"ETag": poll.etag})


@router.post("/people/{person_id}/plan/goals")
def add_goal(plan: PlanWrite, sent: SentForm) -> Response:
    return sent.add(plan, Goal, "new-goal")


@router.post("/goals/{goal_id}")
def update_goal(found: GoalWrite, sent: SentForm) -> Response:
    return sent.edit(found)


@router.post("/goals/{goal_id}/actions")
def add_action(found: GoalWrite, sent: SentForm) -> Response:
    goal, plan = found
    return sent.add(plan, PlanAction, f"new-action-{goal.id}", goal_id=saved_id(goal.id))


@router.post("/actions/{action_id}")
def update_action(found: ActionWrite, sent: SentForm) -> Response:
    return sent.edit(found)


@router.post("/reviews/{review_id}")
def update_review(found: ReviewWrite, sent: SentForm) -> Response:
    return sent.edit(found)


@router.post("/people/{person_id}/plan/reviews")
def add_review(plan: PlanWrite, sent: SentForm) -> Response:
    return sent.add(plan, Review, "new-review")


@router.post("/people/{person_id}/plan/agreement")
def agree(request: Request, sent: SentForm, plan: PlanWrite) -> Response:
    """Propose, or agree to the other side's proposal, as the page showed it; refused in the
    agreement box (an empty plan, or one that changed since)."""
    try:
        found = agreement.agree(
            sent.session, actor=sent.actor, plan=plan, seen=forms.seen(sent.form)
        )
    except AppError as error:
        refused = {"agreement": FormState(problems=forms.problems_by_field(error))}
        context = presenters.page(sent.session, actor=sent.actor, plan=plan, forms=refused)
        return render(request, "plan/page.html", context, status_code=error.status)
    note = "agreed" if found.agreed_at is not None else "proposed"
    return RedirectResponse(_plan_url(plan, note, "agreement"), status_code=303)


@router.get("/people/{person_id}/plan/agreements/{agreement_id}")
def agreed(
    request: Request, session: SessionDep, actor: SignedIn, plan: PlanRead, agreement_id: PathId
) -> Response:
    found = agreement.agreed_version(session, plan=plan, agreement_id=agreement_id)
    context = presenters.agreed_page(session, actor=actor, plan=plan, found=found)
    return render(request, "plan/agreed.html", context)


@router.get("/people/{person_id}/plan/history")
def plan_history(
    request: Request, session: SessionDep, actor: SignedIn, plan: PlanRead
) -> Response:
    context = presenters.history_page(session, actor=actor, plan=plan)
    return render(request, "plan/history.html", context)


@router.get("/goals/{goal_id}/history")
def goal_history(
    request: Request, session: SessionDep, actor: SignedIn, found: GoalRead
) -> Response:
    goal, plan = found
    context = presenters.history_page(session, actor=actor, plan=plan, goal=goal)
    return render(request, "plan/history.html", context)
