"""Sign-in through OpenID Connect providers, with Authlib's Starlette client.

Authorization code flow with PKCE (S256); Authlib keeps state, nonce and the
code verifier in a signed, short-lived cookie (Starlette's SessionMiddleware,
so no worker holds them), checks the state on return, and validates the ID
token against the provider's published keys (fetched again on an unknown key
id), its issuer, audience, expiry and nonce. Beside them, under the same
state, the cookie holds what the flow is for (a `Flow`: sign in, or link to
the account that asked). The authorization response's `iss` parameter
(RFC 9207) must name the provider the request went to.
"""

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

import httpx2
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from app.core.config import OidcProvider, get_settings
from app.core.errors import AppError, NotFound
from app.core.i18n import N_
from app.core.security import derived_key

log = logging.getLogger("mylife.oidc")
FLOW_COOKIE = "mylife_oidc"
FLOW_SECONDS = 600
FLOWS_KEY = "mylife_flows"
_clients: dict[str, StarletteOAuth2App] = {}


class SignInCancelled(AppError):
    status = 400
    code = "sign-in-cancelled"
    message = N_("The sign-in was cancelled or refused. You can try again.")


class SignInExpired(AppError):
    status = 400
    code = "sign-in-expired"
    message = N_(
        "The sign-in took too long or was started in another browser window. Please try again."
    )


class SignInUnavailable(AppError):
    status = 502
    code = "sign-in-unavailable"
    message = N_("The sign-in service could not be reached or gave an answer we cannot trust.")


@dataclass(frozen=True)
class Identity:
    """A person as the provider vouched for them in a validated ID token."""

    issuer: str
    subject: str
    name: str
    birth_date: str | None
    id_token: str
    auth_time: int | None = None  # when they last signed in at the provider (epoch seconds)


class FlowPurpose(StrEnum):
    SIGN_IN = "sign_in"
    LINK = "link"  # link the identity to the signed-in account


@dataclass(frozen=True)
class Flow:
    """What one authorization request is for; kept in the flow cookie under its state.

    `purpose` "link": the signed-in account `account_id` asked to link an identity, from
    the sign-in session that `session_binding` (a keyed digest of its token) stands for.
    """

    provider: str
    purpose: FlowPurpose = FlowPurpose.SIGN_IN
    next: str = "/"
    invitation: str | None = None
    account_id: int | None = None
    session_binding: str | None = None
    started_at: float = field(default_factory=time.time)
    browser: str | None = None  # which browser started it (see browser_mark)


def browser_mark(request: Request) -> str:
    """Stands for the browser (its sign-in session, else its seed): a flow is finished only
    in the browser that started it, so a flow cookie planted from another port of the same
    host, with the planter's own answer, signs nobody in."""
    key = derived_key("oidc-browser").encode()
    binding = str(request.state.csrf_binding).encode()
    return hmac.new(key, binding, hashlib.sha256).hexdigest()


def _remember(request: Request, state: str, flow: Flow) -> None:
    """Keep the flow under its state. Like Authlib's own state data, a newer flow with the
    same provider replaces an older one; flows with other providers stay while fresh."""
    oldest = time.time() - FLOW_SECONDS
    kept = {
        key: value
        for key, value in dict(request.session.get(FLOWS_KEY) or {}).items()
        if isinstance(value, dict)
        and value.get("provider") != flow.provider
        and float(value.get("started_at", 0)) > oldest
    }
    request.session[FLOWS_KEY] = {**kept, state: asdict(flow)}


def _recall(request: Request, state: str | None) -> Flow | None:
    """The flow started with this state, taken out of the cookie (good once)."""
    flows = dict(request.session.get(FLOWS_KEY) or {})
    found = flows.pop(state, None) if state else None
    if found is None:
        return None
    request.session[FLOWS_KEY] = flows
    try:
        flow = Flow(**found)
    except TypeError:  # written by an older version
        return None
    return flow if flow.started_at > time.time() - FLOW_SECONDS else None


def provider_named(name: str) -> OidcProvider:
    provider = get_settings().oidc_provider(name)
    if provider is None:
        raise NotFound()
    return provider


def client(provider: OidcProvider) -> StarletteOAuth2App:
    """One Authlib client per provider configuration; it caches the discovery document."""
    key = provider.model_dump_json()
    found = _clients.get(key)
    if found is None:
        registry = OAuth()
        auth_method = "client_secret_basic" if provider.client_secret else "none"
        found = registry.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret or None,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": auth_method,
                "timeout": 10,
            },
        )
        _clients[key] = found
    return found


async def start(
    request: Request, provider: OidcProvider, *, redirect_uri: str, locale: str, flow: Flow
) -> Response:
    """Send the browser to the provider. A link asks for a fresh sign-in there
    (`prompt=login`, `max_age=0`), whoever is signed in at the provider already."""
    state = secrets.token_urlsafe(24)
    fresh: dict[str, Any] = (
        {"prompt": "login", "max_age": 0} if flow.purpose == FlowPurpose.LINK else {}
    )
    try:
        response: Response = await client(provider).authorize_redirect(
            request, redirect_uri, state=state, ui_locales=locale, **fresh
        )
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as error:
        log.warning("cannot start sign-in with %s: %r", provider.name, error)
        raise SignInUnavailable() from error
    _remember(request, state, replace(flow, browser=browser_mark(request)))
    return response


async def _check_issuer(request: Request, app: StarletteOAuth2App) -> None:
    """RFC 9207: the answer names the provider the request was sent to. A provider that
    says it always names itself must do so in every answer that carries a code."""
    try:
        metadata = await app.load_server_metadata()
    except (httpx2.HTTPError, ValueError, KeyError) as error:
        log.warning("no metadata from %s: %r", app.name, error)
        raise SignInUnavailable() from error
    given = request.query_params.get("iss")
    if given is None:
        required = metadata.get("authorization_response_iss_parameter_supported") is True
        if required and "code" in request.query_params:
            log.warning("answer from %s without iss refused", app.name)
            raise SignInUnavailable()
    elif given != metadata.get("issuer"):
        log.warning("answer for %s from another issuer refused: %r", app.name, given[:200])
        raise SignInUnavailable()


async def finish(request: Request, provider: OidcProvider) -> tuple[Flow, Identity]:
    """Check the provider's answer; return what the flow was for and who signed in."""
    app = client(provider)
    await _check_issuer(request, app)
    flow = _recall(request, request.query_params.get("state"))
    if request.query_params.get("error"):
        raise SignInCancelled()
    if flow is None or flow.provider != provider.name:
        raise SignInExpired()
    # A link is bound more tightly, to its account and sign-in session, and says so itself.
    if flow.purpose != FlowPurpose.LINK and flow.browser != browser_mark(request):
        raise SignInExpired()
    token = await _token(request, app)
    return flow, await _identity(app, token)


async def _token(request: Request, app: StarletteOAuth2App) -> dict[str, Any]:
    """The code exchanged for tokens; the ID token checked (signature, nonce, audience)."""
    try:
        token: dict[str, Any] = await app.authorize_access_token(request)
    except MismatchingStateError as error:
        raise SignInExpired() from error
    except OAuthError as error:
        if request.query_params.get("error"):
            raise SignInCancelled() from error
        log.warning("sign-in with %s refused: %r", app.name, error)
        raise SignInUnavailable() from error
    except (JoseError, httpx2.HTTPError, ValueError, KeyError) as error:
        log.warning("sign-in with %s failed: %r", app.name, error)
        raise SignInUnavailable() from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub") or not token.get("id_token"):
        raise SignInUnavailable()
    return token


async def _identity(app: StarletteOAuth2App, token: dict[str, Any]) -> Identity:
    """Who signed in: the ID token's claims, a missing name and birth date from userinfo."""
    claims = token["userinfo"]
    name, birth_date = claims.get("name"), claims.get("birthdate")
    if not name:
        profile = await _userinfo(app, token, claims["sub"])
        name, birth_date = profile.get("name"), birth_date or profile.get("birthdate")
    auth_time = claims.get("auth_time")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        name=str(name or "").strip()[:120],
        birth_date=str(birth_date) if birth_date else None,
        id_token=str(token["id_token"]),
        auth_time=int(auth_time) if isinstance(auth_time, int | float) else None,
    )


async def _userinfo(app: StarletteOAuth2App, token: dict[str, Any], subject: str) -> dict[str, Any]:
    """Name and birth date from the userinfo endpoint, if it has them; never required."""
    try:
        metadata = await app.load_server_metadata()
        if not metadata.get("userinfo_endpoint"):
            return {}
        info = dict(await app.userinfo(token=token))
    except (OAuthError, httpx2.HTTPError, ValueError, KeyError) as error:
        log.info("no userinfo from %s: %r", app.name, error)
        return {}
    return info if info.get("sub") == subject else {}


async def logout_url(provider: OidcProvider, *, id_token: str | None, return_to: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), if it offers one."""
    try:
        metadata = await client(provider).load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        result = await client(provider).create_logout_url(
            post_logout_redirect_uri=return_to,
            id_token_hint=id_token,
            client_id=provider.client_id,
        )
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as error:
        log.warning("no sign-out at %s: %r", provider.name, error)
        return None
    return str(result["url"])


async def young_people_issuers() -> dict[str, OidcProvider]:
    """The young people's providers by issuer (from their metadata, cached per client);
    one that cannot be reached now is left out."""
    found: dict[str, OidcProvider] = {}
    for provider in get_settings().young_people_providers:
        try:
            metadata = await client(provider).load_server_metadata()
        except (httpx2.HTTPError, ValueError, KeyError) as error:
            log.warning("no metadata from %s: %r", provider.name, error)
            continue
        if metadata.get("issuer"):
            found[str(metadata["issuer"])] = provider
    return found
