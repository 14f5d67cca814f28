"""Who is asking: the signed-in account, and the role checks built on it."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse

from app.auth import service
from app.auth.models import Account, Role
from app.core.asgi import scope_cookie
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.edge import set_browser_seed
from app.core.errors import NotFound, NotSignedIn
from app.core.i18n import remember_locale
from app.core.security import SESSION_COOKIE, cookie_name, sign, unsign


def session_token(request: Request) -> str | None:
    """The sign-in session's token, read as the edge reads it (a cookie sent twice counts
    as none, so a cookie planted beside ours signs nobody in)."""
    return unsign(scope_cookie(request.scope, cookie_name(SESSION_COOKIE)), "session")


@dataclass(frozen=True)
class Viewer:
    """What pages show of the signed-in person; outlives the request's transaction."""

    id: int
    display_name: str
    role: Role


def current_account(request: Request, session: SessionDep) -> Account | None:
    token = session_token(request)
    account = service.resume_session(session, token=token) if token else None
    if account is not None and account.id is not None:
        request.state.viewer = Viewer(account.id, account.display_name, account.role)
    return account


CurrentAccount = Annotated[Account | None, Depends(current_account)]


# The role checks read nothing: `async`, so FastAPI runs them on the event loop instead of
# handing each to the thread pool and back.
async def require_account(account: CurrentAccount) -> Account:
    if account is None:
        raise NotSignedIn()
    return account


SignedIn = Annotated[Account, Depends(require_account)]


async def require_young_person(account: SignedIn) -> Account:
    # Other roles have no survey of their own; to them these pages do not exist.
    if account.role != Role.YOUNG_PERSON:
        raise NotFound()
    return account


YoungPerson = Annotated[Account, Depends(require_young_person)]


async def require_case_manager(account: SignedIn) -> Account:
    if account.role != Role.CASE_MANAGER:
        raise NotFound()
    return account


CaseManager = Annotated[Account, Depends(require_case_manager)]


def sign_in_response(
    request: Request,
    session: Session,
    account: Account,
    target: str,
    *,
    provider: str | None = None,
    id_token: str | None = None,
) -> RedirectResponse:
    """End the session open on this browser (whoever was signed in before is signed out),
    open a sign-in session for the account and send the browser on to `target`.

    The session cookie is new, so every CSRF token of the browser's earlier pages is void;
    the browser's seed for signed-out pages is replaced too.
    """
    earlier = session_token(request)
    if earlier:
        service.end_session(session, token=earlier)
    token = service.start_session(session, account=account, provider=provider, id_token=id_token)
    settings = get_settings()
    response = RedirectResponse(target, status_code=303)
    set_browser_seed(response.headers)
    response.set_cookie(
        cookie_name(SESSION_COOKIE),
        sign(token, "session"),
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    if account.locale:
        remember_locale(response, account.locale)
    return response
