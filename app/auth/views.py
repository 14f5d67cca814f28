"""Sign-in and sign-out: local accounts, and OpenID Connect providers."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from app.auth import identities, oidc, service
from app.auth.deps import (
    CurrentAccount,
    session_token,
    sign_in_response,
)
from app.auth.devices import KnownDeviceDep, remember_device
from app.core.config import get_settings
from app.core.db import SessionDep, end_transaction
from app.core.edge import set_browser_seed
from app.core.errors import AppError
from app.core.i18n import current_locale
from app.core.problems import safe_next
from app.core.security import SESSION_COOKIE, cookie_name
from app.core.templates import render

router = APIRouter(include_in_schema=False)


def _signin_page(request: Request, next_path: str, **context: object) -> Response:
    status = int(str(context.pop("status_code", 200)))
    settings = get_settings()
    values = {
        "next": safe_next(next_path),
        "local_enabled": settings.local_accounts_enabled,
        "providers": sorted(settings.oidc_providers, key=lambda p: p.audience != "young_people"),
    }
    return render(request, "auth/signin.html", {**values, **context}, status_code=status)


@router.get("/signin")
def signin_form(request: Request, account: CurrentAccount, next: str = "/") -> Response:
    if account is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _signin_page(request, next)


@router.post("/signin")
def signin(
    request: Request,
    session: SessionDep,
    device: KnownDeviceDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Count the attempt, check the password with no transaction open, then sign in."""
    client = request.client.host if request.client else "unknown"
    try:
        attempt = service.begin_sign_in(session, username=username, client=client, device=device)
        end_transaction(session)  # Argon2 takes half a second: hold no lock through it
        account = service.finish_sign_in(session, service.check_sign_in(attempt, password))
    except AppError as error:
        page = _signin_page(request, next, error=error, username=username, status_code=error.status)
        page.headers.update(error.headers)
        return page
    earlier = session_token(request)
    if earlier:  # whoever was signed in on this browser before is signed out
        service.end_session(session, token=earlier)
    response = sign_in_response(session, account, safe_next(next))
    remember_device(response, device, attempt.account_key)
    return response


RETURN_KEY = "mylife_return"


@router.get("/auth/oidc/{name}/login")
async def oidc_login(
    request: Request,
    name: str,
    current: CurrentAccount,
    next: str = "/",
    invitation: str | None = None,
    link: bool = False,
) -> Response:
    """Send the browser to the provider; remember where to go, which invitation it holds,
    and whether the signed-in person asked to link this provider to their account."""
    provider = oidc.provider_named(name)
    request.session[RETURN_KEY] = {
        "provider": name,
        "next": safe_next(next),
        "invitation": invitation[:100] if invitation else None,
        "link_to": current.id if link and current is not None else None,
    }
    redirect_uri = get_settings().absolute_url(f"/auth/oidc/{name}/callback")
    return await oidc.start(request, provider, redirect_uri=redirect_uri, locale=current_locale())


@router.get("/auth/oidc/{name}/callback", name="oidc_callback")
async def oidc_callback(
    request: Request, name: str, session: SessionDep, current: CurrentAccount
) -> Response:
    provider = oidc.provider_named(name)
    back: dict[str, Any] = request.session.pop(RETURN_KEY, None) or {}
    if back.get("provider") != name:
        back = {}
    identity = await oidc.finish(request, provider)
    invitation = back.get("invitation")
    # Only the person who asked for the link, still signed in, gets it (not whoever
    # signs in at the provider next on a shared computer).
    link_to = current if current is not None and current.id == back.get("link_to") else None

    earlier = session_token(request)

    def complete() -> Response:
        account, joined = identities.sign_in(
            session, provider=provider, identity=identity, invitation=invitation, link_to=link_to
        )
        if earlier:  # whoever was signed in on this browser before is signed out
            service.end_session(session, token=earlier)
        target = back.get("next") or "/"
        if invitation and not joined:
            target = f"/invitations/{invitation}"  # an existing account accepts with one tap
        return sign_in_response(
            session, account, target, provider=provider.name, id_token=identity.id_token
        )

    return await run_in_threadpool(complete)


@router.post("/signout")
async def signout(request: Request, session: SessionDep) -> Response:
    """End the session here and, for a provider's session, at the provider too."""
    token = session_token(request)
    ended = await run_in_threadpool(service.end_session, session, token=token) if token else None
    target = "/signin"
    provider = get_settings().oidc_provider(ended.provider) if ended and ended.provider else None
    if ended and provider:
        back = get_settings().absolute_url("/signin")
        target = await oidc.logout_url(provider, id_token=ended.id_token, return_to=back) or target
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(
        cookie_name(SESSION_COOKIE), httponly=True, samesite="lax", secure=secure_cookies()
    )
    set_browser_seed(response.headers)  # the signed-out pages get tokens of their own
    # What the browser kept of this person's pages goes with the session.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def secure_cookies() -> bool:
    return get_settings().secure_cookies
