"""Sign-in and sign-out: local accounts, and OpenID Connect providers; a young person's
own sign-in methods (link a provider, remove one)."""

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from app.auth import identities, oidc, service
from app.auth.deps import (
    CaseManager,
    CurrentAccount,
    YoungPerson,
    session_token,
    sign_in_response,
)
from app.auth.devices import KnownDevice, KnownDeviceDep, remember_device
from app.auth.models import Account
from app.core.config import OidcProvider, get_settings
from app.core.db import SessionDep, end_transaction
from app.core.edge import set_browser_seed
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.i18n import current_locale
from app.core.problems import safe_next
from app.core.schemas import PathId, max_length
from app.core.security import SESSION_COOKIE, cookie_name, derived_key
from app.core.templates import render

router = APIRouter(include_in_schema=False)


def _signin_page(
    request: Request, next_path: str, error: AppError | None = None, **context: object
) -> Response:
    """The sign-in page; with an error, its status and headers (a wait to come back after)."""
    settings = get_settings()
    values = {
        "next": safe_next(next_path),
        "local_enabled": service.local_accounts_enabled(),
        "providers": sorted(settings.oidc_providers, key=lambda p: not p.for_young_people),
    }
    context = {**values, "error": error, **context}
    page = render(request, "auth/signin.html", context, status_code=error.status if error else 200)
    page.headers.update(error.headers if error else {})
    return page


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
    try:
        account, attempt = _checked_password(request, session, device, username, password)
    except AppError as error:
        return _signin_page(request, next, error=error, username=username)
    response = sign_in_response(request, session, account, safe_next(next))
    remember_device(response, device, attempt.account_key)
    return response


def _checked_password(
    request: Request, session: SessionDep, device: KnownDevice | None, username: str, password: str
) -> tuple[Account, service.SignInAttempt]:
    """The account whose password this is, the attempt counted first; else an AppError."""
    client = request.client.host if request.client else "unknown"
    attempt = service.begin_sign_in(session, username=username, client=client, device=device)
    end_transaction(session)  # Argon2 takes half a second: hold no lock through it
    return service.finish_sign_in(session, service.check_sign_in(attempt, password)), attempt


@router.post("/auth/oidc/{name}/login")
async def oidc_login(
    request: Request,
    name: str,
    next: Annotated[str, Form(max_length=2000)] = "/",
    invitation: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Send the browser to the provider to sign in; remember where to go and which
    invitation it holds. A POST from this service's own page (the edge checks it), so no
    other site can start a sign-in that replaces whoever is signed in here. Nothing here
    links an identity to the signed-in account: that starts only from the sign-in methods
    page."""
    provider = oidc.provider_named(name)
    flow = oidc.Flow(provider=name, next=safe_next(next), invitation=invitation or None)
    return await _to_provider(request, provider, flow)


async def _to_provider(request: Request, provider: OidcProvider, flow: oidc.Flow) -> Response:
    redirect_uri = get_settings().absolute_url(f"/auth/oidc/{provider.name}/callback")
    return await oidc.start(
        request, provider, redirect_uri=redirect_uri, locale=current_locale(), flow=flow
    )


def _session_binding(request: Request) -> str | None:
    """Stands for this browser's sign-in session in the flow cookie (not the token itself)."""
    token = session_token(request)
    key = derived_key("link-session").encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest() if token else None


INVITATION_SIGN_UP = "invitation_sign_up"  # the application's state that holds it


def invitation_sign_up(request: Request) -> identities.InvitationSignUp | None:
    """How a new identity signs up from an invitation: the caseload's, which `create_app`
    puts in the application's state (auth imports no caseload)."""
    found: identities.InvitationSignUp | None = getattr(request.app.state, INVITATION_SIGN_UP, None)
    return found


@router.get("/auth/oidc/{name}/callback", name="oidc_callback")
async def oidc_callback(
    request: Request, name: str, session: SessionDep, current: CurrentAccount
) -> Response:
    provider = oidc.provider_named(name)
    flow, identity = await oidc.finish(request, provider)

    def complete() -> Response:
        account, target = _finish_flow(request, session, current, provider, flow, identity)
        return sign_in_response(
            request, session, account, target, provider=provider.name, id_token=identity.id_token
        )

    return await run_in_threadpool(complete)


def _finish_flow(
    request: Request,
    session: SessionDep,
    current: Account | None,
    provider: OidcProvider,
    flow: oidc.Flow,
    identity: oidc.Identity,
) -> tuple[Account, str]:
    """Who the provider's answer signs in, and where to: a link, to the signed-in young
    person who asked (back to their page); else the identity's account, or one made from the
    flow's invitation (an existing account accepts the invitation with one tap, on its page).
    """
    if flow.purpose == oidc.FlowPurpose.LINK:
        binding = _session_binding(request)
        account = identities.link_requested(
            session,
            provider=provider,
            identity=identity,
            flow=flow,
            account=current,
            session_binding=binding,
        )
        request.session[NOTICE_KEY] = {"linked": provider.label, "as": identity.name}
        return account, METHODS_PATH
    sign_up = invitation_sign_up(request)
    account, joined = identities.sign_in(
        session, provider=provider, identity=identity, invitation=flow.invitation, sign_up=sign_up
    )
    if flow.invitation and not joined:
        return account, f"/invitations/{flow.invitation}"
    return account, flow.next


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
    return _signed_out(target)


def _signed_out(target: str) -> Response:
    """On to `target` with the session cookie gone, and what the browser kept of the
    person's pages; the signed-out pages get a browser seed (and tokens) of their own."""
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(
        cookie_name(SESSION_COOKIE), httponly=True, samesite="lax", secure=secure_cookies()
    )
    set_browser_seed(response.headers)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def secure_cookies() -> bool:
    return get_settings().secure_cookies


METHODS_PATH = "/account/sign-in-methods"
NOTICE_KEY = "mylife_notice"  # what was just linked or removed, shown once (flow cookie)
YoungPeopleIssuers = Annotated[dict[str, OidcProvider], Depends(oidc.young_people_issuers)]


def _methods_page(
    request: Request,
    session: SessionDep,
    actor: YoungPerson,
    issuers: YoungPeopleIssuers,
    error: AppError | None = None,
) -> Response:
    methods = identities.sign_in_methods(session, account=actor, issuers=issuers)
    notice = request.session.pop(NOTICE_KEY, None) if error is None else None
    context = {"methods": methods, "notice": notice, "error": error}
    return render(
        request, "auth/sign_in_methods.html", context, status_code=error.status if error else 200
    )


@router.get(METHODS_PATH)
def sign_in_methods(
    request: Request, session: SessionDep, actor: YoungPerson, issuers: YoungPeopleIssuers
) -> Response:
    return _methods_page(request, session, actor, issuers)


@router.post(METHODS_PATH + "/link/{name}")
async def start_link(request: Request, name: str, actor: YoungPerson) -> Response:
    """Link a provider to the signed-in young person (a form with the CSRF token): the
    provider asks them to sign in afresh, and the answer counts only in this session."""
    provider = oidc.provider_named(name)
    if not provider.for_young_people:
        raise NotFound()
    flow = oidc.Flow(
        provider=name,
        purpose=oidc.FlowPurpose.LINK,
        next=METHODS_PATH,
        account_id=actor.id,
        session_binding=_session_binding(request),
    )
    return await _to_provider(request, provider, flow)


@router.post(METHODS_PATH + "/remove/{identity_id}")
def remove_method(
    request: Request,
    session: SessionDep,
    actor: YoungPerson,
    issuers: YoungPeopleIssuers,
    identity_id: PathId,
) -> Response:
    try:
        removed = identities.unlink(session, account=actor, identity_id=identity_id)
    except identities.LastSignInMethod as error:
        return _methods_page(request, session, actor, issuers, error=error)
    provider = issuers.get(removed.issuer)
    request.session[NOTICE_KEY] = {"removed": provider.label if provider else removed.issuer}
    return RedirectResponse(METHODS_PATH, status_code=303)


CONTACT_PATH = "/account/contact"


def _contact_page(
    request: Request,
    actor: Account,
    sent: dict[str, str] | None = None,
    error: AppError | None = None,
) -> Response:
    values = sent or {
        "contact_phone": actor.contact_phone or "",
        "contact_note": actor.contact_note or "",
    }
    problems = {problem.field: problem for problem in error.errors} if error else {}
    context = {
        "values": values,
        "problems": problems,
        "saved": "saved" in request.query_params and not error,
        "note_limit": max_length(Account, "contact_note"),
    }
    status = error.status if error else 200
    return render(request, "auth/contact.html", context, status_code=status)


@router.get(CONTACT_PATH)
def contact_details(request: Request, actor: CaseManager) -> Response:
    """How the case manager's young people reach them: shown on their home page and help box."""
    return _contact_page(request, actor)


@router.post(CONTACT_PATH)
def save_contact_details(
    request: Request,
    session: SessionDep,
    actor: CaseManager,
    contact_phone: Annotated[str, Form()] = "",
    contact_note: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.set_contact(session, account=actor, phone=contact_phone, note=contact_note)
    except InvalidInput as error:
        sent = {"contact_phone": contact_phone, "contact_note": contact_note}
        return _contact_page(request, actor, sent, error)
    return RedirectResponse(CONTACT_PATH + "?saved=1", status_code=303)
