"""What every request passes before any route, and every response after it.

`EdgeMiddleware` refuses, before a route runs: a Host this service does not answer to,
another site's background request for personal data, a NUL character anywhere, a body over
the limit, and a state change that does not come from this service's own pages (cross-site
request forgery). `ResponseHeaders` wraps the
whole application, error pages included, with the security headers and `no-store`.
"""

import re
import secrets
from collections.abc import Awaitable, Callable
from functools import lru_cache
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi import header, scope_cookie
from app.core.config import get_settings
from app.core.errors import AppError, CharacterNotAllowed, CsrfFailed
from app.core.i18n import N_
from app.core.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    content_security_policy,
    cookie_name,
    csrf_binding,
    csrf_valid,
)

Refuse = Callable[[Scope, Receive, Send, AppError], Awaitable[None]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Routes under these paths are called with a bearer token, never with this site's cookies,
# so a forged request from a browser carries no credentials for them.
BEARER_PREFIXES = ("/fhir/",)
# A navigation into one of these is a frame in someone else's page, not the person's window.
EMBEDDED_DESTINATIONS = ("iframe", "frame", "embed", "object", "fencedframe")
# Anyone's page may embed these: they hold nothing personal.
OPEN_PREFIXES = (*BEARER_PREFIXES, "/static/")

URL_NUL = b"%00"
# A JSON escape of NUL, not itself escaped: `\u0000` after an even run of backslashes.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class UnknownHost(AppError):
    status = 400
    code = "unknown-host"
    message = N_("This address is not served here.")


class BodyTooLarge(AppError):
    status = 413
    code = "body-too-large"
    message = N_("That is too much to send at once.")


class EmbeddedElsewhere(AppError):
    status = 403
    code = "cross-site-request"
    message = N_("This can only be opened from MyLife itself.")


class NulCharacter(CharacterNotAllowed):
    """The same refusal as a service's, found before any route: no field to name, a 400."""

    status = 400


def carries_nul(body: bytes, content_type: str) -> bool:
    """Whether a request body would decode to text with a NUL character in it, read the way
    the application reads it: a form when it says so, JSON when it says so or says nothing."""
    if b"\x00" in body:
        return True
    if content_type.startswith("application/x-www-form-urlencoded"):
        return URL_NUL in body
    if not content_type or "json" in content_type:
        return JSON_NUL.search(body) is not None
    return False


def comes_from_own_page(scope: Scope) -> bool | None:
    """True when the browser says the request comes from this service's own pages, False
    when it says it comes from elsewhere (another site, or a sibling origin), None when it
    says nothing (not a browser, or a very old one)."""
    site = header(scope, b"sec-fetch-site")
    origin = header(scope, b"origin")
    if site is not None and site != "same-origin":
        return False
    if origin is not None:
        return origin.lower() in get_settings().allowed_origins
    return True if site == "same-origin" else None


def embedded_elsewhere(scope: Scope) -> bool:
    """A request another site's page makes in the background (an image, a script, a fetch,
    a frame) rather than a person opening a page. It carries this site's cookies, so it
    would read (and have audited) data the person never looked at."""
    if scope["method"] not in SAFE_METHODS or scope["path"].startswith(OPEN_PREFIXES):
        return False  # a change is the forgery check's to refuse
    if header(scope, b"sec-fetch-site") not in ("same-site", "cross-site"):
        return False
    destination = header(scope, b"sec-fetch-dest")
    # A navigation, also when the page's service worker fetches it again (mode same-origin,
    # destination still the document).
    navigation = header(scope, b"sec-fetch-mode") == "navigate" or destination == "document"
    return not navigation or destination in EMBEDDED_DESTINATIONS


def form_token(body: bytes, content_type: str) -> str | None:
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return None
    try:
        values = parse_qs(body.decode("latin-1"), max_num_fields=1000).get(CSRF_FIELD)
    except ValueError:
        return None
    return values[0] if values else None


class EdgeMiddleware:
    """Host, another site's background request, NUL, body size and cross-site request
    forgery checks, in that order."""

    def __init__(self, app: ASGIApp, refuse: Refuse) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        binding, new_seed = self._binding(scope)
        scope.setdefault("state", {})["csrf_binding"] = binding
        if not scope["path"].startswith(OPEN_PREFIXES):  # never on what a cache may keep
            send = _with_seed_cookie(send, new_seed)
        if (header(scope, b"host") or "").lower() not in settings.allowed_hosts:
            await self.refuse(scope, receive, send, UnknownHost())
            return
        if embedded_elsewhere(scope):
            await self.refuse(scope, receive, send, EmbeddedElsewhere())
            return
        path = scope.get("raw_path") or scope["path"].encode()
        if b"\x00" in path or URL_NUL in path + b"?" + scope.get("query_string", b""):
            await self.refuse(scope, receive, send, NulCharacter())
            return
        body, messages = await _read_body(scope, receive, settings.max_body_bytes)
        if body is None:
            await self.refuse(scope, receive, send, BodyTooLarge())
            return
        content_type = (header(scope, b"content-type") or "").lower()
        if carries_nul(body, content_type):
            await self.refuse(scope, receive, send, NulCharacter())
            return
        if not self._allowed(scope, binding, body, content_type):
            await self.refuse(scope, receive, send, _forgery_refused(scope["path"]))
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _binding(scope: Scope) -> tuple[str, str | None]:
        """The request's CSRF binding, and a new browser seed to set if it had none."""
        seed = scope_cookie(scope, cookie_name(CSRF_COOKIE))
        binding = csrf_binding(scope_cookie(scope, cookie_name(SESSION_COOKIE)), seed)
        if binding is not None:
            return binding, None
        seed = secrets.token_urlsafe(32)
        return csrf_binding(None, seed) or "", seed

    @staticmethod
    def _allowed(scope: Scope, binding: str, body: bytes, content_type: str) -> bool:
        """A state change needs proof that it comes from this service's own page: the
        browser's word (Origin, Sec-Fetch-Site), else the session-bound token."""
        if scope["method"] in SAFE_METHODS or scope["path"].startswith(BEARER_PREFIXES):
            return True
        own = comes_from_own_page(scope)
        if own is not None:
            return own
        sent = (header(scope, CSRF_HEADER.encode()), form_token(body, content_type))
        return any(csrf_valid(binding, token) for token in sent)


def _forgery_refused(path: str) -> CsrfFailed:
    if path.startswith("/api/"):
        message = N_(
            "Send the X-CSRF-Token header with the token of your session "
            "(GET /api/v1/session) with every change."
        )
        return CsrfFailed(message, field=CSRF_HEADER)
    return CsrfFailed(field=CSRF_FIELD)


async def _read_body(
    scope: Scope, receive: Receive, limit: int
) -> tuple[bytes | None, list[Message]]:
    """The whole body (None if it is over `limit`), and the messages to replay to the app."""
    declared = header(scope, b"content-length")
    if declared is not None and (not declared.strip().isdecimal() or int(declared) > limit):
        return None, []
    body, more = b"", True
    messages: list[Message] = []
    while more:
        message = await receive()
        if message["type"] != "http.request":
            messages.append(message)
            break
        body += message.get("body", b"")
        if len(body) > limit:
            return None, []
        messages.append(message)
        more = message.get("more_body", False)
    return body, messages


def set_browser_seed(headers: MutableHeaders, seed: str | None = None) -> None:
    """Give the browser a (new) CSRF seed: for its first visit, and at sign-in and sign-out."""
    secure = get_settings().secure_cookies
    flags = "; Secure" if secure else ""
    value = seed or secrets.token_urlsafe(32)
    name = cookie_name(CSRF_COOKIE)
    headers.append("Set-Cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Lax{flags}")


def _with_seed_cookie(send: Send, seed: str | None) -> Send:
    if seed is None:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if not any(
                value.startswith(cookie_name(CSRF_COOKIE) + "=")
                for value in headers.getlist("set-cookie")
            ):
                set_browser_seed(headers, seed)
        await send(message)

    return sending


@lru_cache(maxsize=8)
def security_headers(policy: str, secure: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every response gets unless it set its own, encoded once."""
    headers = {
        "content-security-policy": policy,
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
        "cross-origin-opener-policy": "same-origin",
        "cache-control": "no-store",
    }
    if secure:
        headers["strict-transport-security"] = "max-age=63072000"
    return tuple((name.encode(), value.encode("latin-1")) for name, value in headers.items())


class ResponseHeaders:
    """Security headers on every response, error pages included; nothing personal is kept
    by the browser or a proxy (`no-store`) unless the response says otherwise (static files).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = security_headers(content_security_policy(), get_settings().secure_cookies)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {bytes(name).lower() for name, _value in headers}
                headers += [pair for pair in defaults if pair[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
