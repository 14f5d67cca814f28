"""Password hashing, CSRF tokens, signed cookies and security headers."""

import hashlib
import hmac
import os
import re
import secrets
import threading
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import get_settings

CSRF_COOKIE = "mylife_csrf"
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
    return URLSafeSerializer(get_settings().secret_key, salt=f"mylife.{purpose}")


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
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"mylife.{purpose}".encode(), hashlib.sha256).hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(seed: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(seed: str | None, token: str | None) -> bool:
    return bool(seed and token) and hmac.compare_digest(csrf_token_for(seed or ""), token or "")


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'{form_targets}; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)


def content_security_policy() -> str:
    """The policy; signing out is a form whose redirect may go on to a sign-in provider."""
    origins = get_settings().oidc_origins
    return CONTENT_SECURITY_POLICY.format(form_targets="".join(f" {o}" for o in origins))


class SecurityMiddleware:
    """Security headers on every response, and a CSRF seed cookie for every browser.

    The seed is random per browser; forms carry an HMAC of it (signed double
    submit), so a page from another site can neither read nor forge the token.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seed = scope_cookie(scope, CSRF_COOKIE)
        new_seed = None
        if not seed or len(seed) < 32:
            seed = new_seed = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_seed"] = seed
        secure = get_settings().secure_cookies

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", content_security_policy())
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if secure:
                    headers.setdefault("Strict-Transport-Security", "max-age=63072000")
                if new_seed:
                    flags = "; Secure" if secure else ""
                    headers.append(
                        "Set-Cookie",
                        f"{CSRF_COOKIE}={new_seed}; Path=/; HttpOnly; SameSite=Lax{flags}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def scope_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            for morsel in value.decode("latin-1").split(";"):
                k, _sep, v = morsel.strip().partition("=")
                if k == name:
                    return v
    return None


MAX_CHECKED_BODY = 4 * 1024 * 1024
URL_NUL = b"%00"
# A JSON escape of NUL, not itself escaped: `\u0000` after an even run of backslashes.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def carries_nul(body: bytes, content_type: bytes) -> bool:
    """Whether a request body would decode to text with a NUL character in it."""
    if b"\x00" in body:
        return True
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        return URL_NUL in body
    if b"json" in content_type:
        return JSON_NUL.search(body) is not None
    return False


class RejectNulMiddleware:
    """Refuse requests that carry a NUL character anywhere (PostgreSQL cannot store one).

    No browser form sends one; refusing at the edge keeps every query and every
    text column safe, instead of each service having to remember.
    """

    def __init__(self, app: ASGIApp, on_refuse: ASGIApp) -> None:
        self.app = app
        self.on_refuse = on_refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("raw_path") or scope["path"].encode()
        target = path + b"?" + scope.get("query_string", b"")
        if b"\x00" in target or URL_NUL in target:
            await self.on_refuse(scope, receive, send)
            return
        body, more = b"", True
        messages: list[Message] = []
        while more:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            more = message.get("more_body", False) and len(body) <= MAX_CHECKED_BODY
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        if carries_nul(body, content_type.lower()):
            await self.on_refuse(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
