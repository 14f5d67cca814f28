"""Bearer access tokens from the portal's issuer: JWTs checked against the issuer's keys.

The keys (JWKS) are cached; a token whose key id is not in the cache makes
one fetch of the key set (a key rotation), at most once per cool-down, so a
stream of made-up key ids cannot make us hammer the issuer.
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from joserfc import jws, jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from app.core.config import Settings, get_settings

log = logging.getLogger("mylife.fhir")
LEEWAY_SECONDS = 30


class TokenRefused(Exception):
    """Why a token is not accepted (said in WWW-Authenticate's error_description)."""


@dataclass(frozen=True)
class AccessToken:
    subject: str
    client_id: str | None
    scopes: frozenset[str]


class KeyCache:
    """The issuer's published keys, fetched on first use, after `max_age`, and on an
    unknown key id (no more often than `cooldown`)."""

    def __init__(self, *, max_age: float = 3600, cooldown: float = 30) -> None:
        self.max_age = max_age
        self.cooldown = cooldown
        self.fetches = 0
        self._lock = threading.Lock()
        self._source: tuple[str, str | None] | None = None
        self._jwks_url: str | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0

    def _find_jwks_url(self, issuer: str, configured: str | None) -> str:
        if configured:
            return configured
        for path in (
            "/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server",
        ):
            answer = httpx2.get(issuer.rstrip("/") + path, timeout=5)
            if answer.status_code == 200:
                return str(answer.json()["jwks_uri"])
        raise TokenRefused("the issuer publishes no keys")

    def _fetch(self, issuer: str, configured: str | None) -> None:
        if self._jwks_url is None:
            self._jwks_url = self._find_jwks_url(issuer, configured)
        answer = httpx2.get(self._jwks_url, timeout=5)
        answer.raise_for_status()
        self._keys = KeySet.import_key_set(answer.json())
        self._fetched_at = time.monotonic()
        self.fetches += 1

    def keys(self, issuer: str, configured: str | None, kid: str | None) -> KeySet:
        with self._lock:
            if self._source != (issuer, configured):
                self._source, self._jwks_url, self._keys = (issuer, configured), None, None
            age = time.monotonic() - self._fetched_at
            unknown = kid is not None and not _has_kid(self._keys, kid)
            if self._keys is None or age > self.max_age or (unknown and age > self.cooldown):
                try:
                    self._fetch(issuer, configured)
                except (httpx2.HTTPError, ValueError, KeyError, JoseError) as error:
                    log.warning("cannot fetch the keys of %s: %r", issuer, error)
                    if self._keys is None:
                        raise TokenRefused("the issuer's keys cannot be fetched") from error
            assert self._keys is not None
            return self._keys


def _has_kid(keys: KeySet | None, kid: str) -> bool:
    return keys is not None and any(key.kid == kid for key in keys.keys)


KEYS = KeyCache()


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    scope = claims.get("scope", claims.get("scp", ""))
    values = scope.split() if isinstance(scope, str) else scope
    return (
        frozenset(v for v in values if isinstance(v, str))
        if isinstance(values, list)
        else frozenset()
    )


def validate(token: str, *, cache: KeyCache = KEYS) -> AccessToken:
    """The token's subject, client and scopes, or TokenRefused saying why not."""
    settings = get_settings()
    if not settings.fhir_issuer or not settings.fhir_audience:
        raise TokenRefused("this service accepts no tokens")
    issuer, audience = settings.fhir_issuer, settings.fhir_audience
    claims = _signed_claims(token, issuer=issuer, settings=settings, cache=cache)
    _check_claims(claims, issuer=issuer, audience=audience)
    client = claims.get("client_id", claims.get("azp"))
    return AccessToken(
        subject=claims["sub"],
        client_id=str(client)[:120] if client else None,
        scopes=_scopes(claims),
    )


def _signed_claims(
    token: str, *, issuer: str, settings: Settings, cache: KeyCache
) -> dict[str, Any]:
    """The claims of a JWT signed with an accepted algorithm by one of the issuer's keys."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError, UnicodeError) as error:
        raise TokenRefused("the token is not a signed JWT") from error
    alg = header.get("alg")
    if alg not in settings.fhir_algorithms:
        raise TokenRefused("the token's signing algorithm is not accepted")
    kid = header.get("kid")
    keys = cache.keys(issuer, settings.fhir_jwks_url, kid)
    if kid is None and len(keys.keys) != 1:
        raise TokenRefused("the token names no key")
    if kid is not None and not _has_kid(keys, kid):
        raise TokenRefused("the token is signed with an unknown key")
    key = keys.keys[0] if kid is None else keys.get_by_kid(kid)
    try:
        return dict(jwt.decode(token, key, algorithms=[str(alg)]).claims)
    except JoseError as error:
        raise TokenRefused("the token's signature is not valid") from error


def _check_claims(claims: dict[str, Any], *, issuer: str, audience: str) -> None:
    """Issued by the portal's issuer for this service, current, and about someone."""
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise TokenRefused("the token has expired") from error
    except ClaimError as error:
        if error.claim == "nbf":
            raise TokenRefused("the token is not valid yet") from error
        raise TokenRefused(f"the token's {error.claim} claim is not valid") from error
    if not isinstance(claims["sub"], str):
        raise TokenRefused("the token's sub claim is not valid")
