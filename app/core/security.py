"""Password hashing, signed values, CSRF tokens and the content security policy."""

import hashlib
import hmac
import os
import threading
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer

from app.core.config import get_settings

SESSION_COOKIE = "mylife_session"  # the signed sign-in session token (see cookie_name)
CSRF_COOKIE = "mylife_csrf"  # the browser's seed, before sign-in
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@lru_cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib
    )


@lru_cache
def _dummy_hash() -> str:
    """Verified against when an account does not exist, so timing does not tell."""
    return _hasher().hash("not-a-real-password")


# At most one password hash per CPU at a time: a burst of sign-ins queues for the
# CPU instead of starving every other request (and its database transaction) of it.
_HASHING = threading.BoundedSemaphore(os.cpu_count() or 1)


def hash_password(password: str) -> str:
    with _HASHING:
        return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    stored = password_hash or _dummy_hash()
    try:
        with _HASHING:
            return _hasher().verify(stored, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash was made with other cost settings than the current ones."""
    return _hasher().check_needs_rehash(password_hash)


def _serializer(purpose: str) -> URLSafeSerializer:
    return _serializer_for(get_settings().secret_key, purpose)


@lru_cache
def _serializer_for(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=f"mylife.{purpose}")


def sign(value: str, purpose: str) -> str:
    return str(_serializer(purpose).dumps(value))


def unsign(signed: str | None, purpose: str) -> str | None:
    if not signed:
        return None
    try:
        value = _serializer(purpose).loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def derived_key(purpose: str) -> str:
    """A key for one purpose, derived from the secret key."""
    return _derived_key(get_settings().secret_key, purpose)


@lru_cache
def _derived_key(secret_key: str, purpose: str) -> str:
    return hmac.new(secret_key.encode(), f"mylife.{purpose}".encode(), hashlib.sha256).hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_name(base: str) -> str:
    """A cookie's name: `__Host-` in production, so no sibling origin can set or shadow it
    (the browser accepts such a cookie only from this very origin, Secure, Path=/)."""
    return f"__Host-{base}" if get_settings().secure_cookies else base


def csrf_binding(session_cookie: str | None, browser_seed: str | None) -> str | None:
    """What a page's CSRF token is bound to: the sign-in session, else the browser's seed.

    Bound to the session, a token from one session is worthless in another, and it
    changes at every sign-in and sign-out.
    """
    session_token = unsign(session_cookie, "session")
    if session_token:
        return "session:" + token_digest(session_token)
    if browser_seed and 32 <= len(browser_seed) <= 64:
        return "browser:" + browser_seed
    return None


def csrf_token_for(binding: str) -> str:
    key = derived_key("csrf").encode()
    return hmac.new(key, binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    # As bytes: compare_digest refuses a str that is not ASCII, and a client may send one.
    return hmac.compare_digest(csrf_token_for(binding).encode(), token.encode("utf-8", "replace"))


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'{form_targets}; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)


def content_security_policy() -> str:
    """The policy; signing out is a form whose redirect may go on to a sign-in provider."""
    return _policy(tuple(provider.discovery_url for provider in get_settings().oidc_providers))


@lru_cache(maxsize=8)
def _policy(_discovery_urls: tuple[str, ...]) -> str:
    origins = get_settings().oidc_origins
    return CONTENT_SECURITY_POLICY.format(form_targets="".join(f" {o}" for o in origins))
