"""Pages that belong to no one domain: home, language, offline, PWA files."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from app.auth import service as auth_service
from app.auth.deps import CurrentAccount, SignedIn
from app.auth.models import Role
from app.core.assets import REVALIDATE, assets, respond
from app.core.bounds import INT_MAX
from app.core.db import SessionDep
from app.core.i18n import LOCALES, remember_locale, set_locale
from app.core.problems import safe_next
from app.core.templates import render
from app.home import tick, young_home
from app.plan.deps import ActionWrite

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(
    request: Request,
    session: SessionDep,
    account: CurrentAccount,
    changed: Annotated[int | None, Query(ge=1, le=INT_MAX)] = None,
) -> Response:
    if account is None:
        return RedirectResponse("/signin", status_code=303)
    if account.role == Role.YOUNG_PERSON:
        context = young_home(session, person=account, changed=changed)
        context["ticked"] = request.query_params.get("step")  # "done", or "changed" meanwhile
        return render(request, "home_young.html", context)
    if account.role == Role.CASE_MANAGER:
        return RedirectResponse("/caseload", status_code=303)
    return render(request, "home_staff.html")


@router.post("/next-step/{action_id}")
def tick_next_step(
    session: SessionDep,
    account: SignedIn,
    found: ActionWrite,
    version: Annotated[int, Form(ge=0, le=INT_MAX)],
) -> Response:
    """The big tick on the home page: the step is done, unless it changed meanwhile."""
    action, plan = found
    ticked = tick(session, actor=account, plan=plan, action=action, version=version)
    after = "step=done" if ticked else f"step=changed&changed={action.id}"
    return RedirectResponse(f"/?{after}#next-step", 303)


@router.post("/language")
def choose_language(
    request: Request,
    session: SessionDep,
    account: CurrentAccount,
    lang: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LOCALES:
        remember_locale(response, lang)
        if account is not None:
            auth_service.set_locale(session, account=account, locale=lang)
    return response


@router.get("/offline")
def offline(request: Request, lang: Annotated[str, Query(max_length=2)] = "") -> Response:
    """What the service worker shows for a page it cannot fetch offline. It keeps this page
    fetched signed out (nothing personal in it), in the language of the person's pages."""
    if lang in LOCALES:
        set_locale(lang)
    return render(request, "offline.html")


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    # Served from the root so that it may control every page; never kept without asking.
    headers = {"Service-Worker-Allowed": "/"}
    return respond(assets()["sw.js"], request.headers, REVALIDATE, headers)


@router.get("/healthz")
def health(session: SessionDep) -> dict[str, str]:
    session.connection()
    return {"status": "ok"}
