"""Sign-in through OpenID Connect providers, with Authlib's Starlette client.

Authorization code flow with PKCE (S256); Authlib keeps state, nonce and the
code verifier in a signed, short-lived cookie (Starlette's SessionMiddleware,
so no worker holds them), checks the state on return, and validates the ID
token against the provider's published keys (fetched again on an unknown key
id), its issuer, audience, expiry and nonce.
"""

import logging
from dataclasses import dataclass
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

log = logging.getLogger("mylife.oidc")
FLOW_COOKIE = "mylife_oidc"
FLOW_SECONDS = 600
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
    request: Request, provider: OidcProvider, *, redirect_uri: str, locale: str
) -> Response:
    try:
        response: Response = await client(provider).authorize_redirect(
            request, redirect_uri, ui_locales=locale
        )
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as error:
        log.warning("cannot start sign-in with %s: %r", provider.name, error)
        raise SignInUnavailable() from error
    return response


async def finish(request: Request, provider: OidcProvider) -> Identity:
    """Check the provider's answer and return who signed in."""
    app = client(provider)
    try:
        token: dict[str, Any] = await app.authorize_access_token(request)
    except MismatchingStateError as error:
        raise SignInExpired() from error
    except OAuthError as error:
        if request.query_params.get("error"):
            raise SignInCancelled() from error
        log.warning("sign-in with %s refused: %r", provider.name, error)
        raise SignInUnavailable() from error
    except (JoseError, httpx2.HTTPError, ValueError, KeyError) as error:
        log.warning("sign-in with %s failed: %r", provider.name, error)
        raise SignInUnavailable() from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub") or not token.get("id_token"):
        raise SignInUnavailable()
    name, birth_date = claims.get("name"), claims.get("birthdate")
    if not name:
        profile = await _userinfo(app, token, claims["sub"])
        name, birth_date = profile.get("name"), birth_date or profile.get("birthdate")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        name=str(name or "").strip()[:120],
        birth_date=str(birth_date) if birth_date else None,
        id_token=str(token["id_token"]),
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
