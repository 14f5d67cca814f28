"""Compressed responses: Brotli or gzip, as the client accepts, for text over a minimum size.

A dynamic response is compressed only when no other site can have asked for it (BREACH): a
page holds secrets (the CSRF token, the person's answers and plan) next to what the request
put in it (the address, in the language form's `next`), so a site that could make the
person's browser ask for a page again and again, each time with a different guess in the
address, could read a secret off the compressed length. The browser says who asked
(`Sec-Fetch-Site`): the person themselves (`none`: typed, bookmarked) or this service's own
pages (`same-origin`) get it compressed; another site, a sibling origin, or a browser that
does not say, get it whole. A request that carries no cookie is compressed whoever made it:
it has no sign-in and no CSRF seed of the person's to carry.
Static files are not compressed here: `app/core/assets.py` compresses each once per process.
"""

import gzip

import anyio.to_thread
import brotli
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi import header

# Below about a network packet, compressing saves no round trip and costs CPU.
MIN_SIZE = 1024
IN_THREAD_FROM = 64 * 1024
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/problem+json",
    "application/fhir+json",
    "application/javascript",
    "application/manifest+json",
    "image/svg+xml",
)
# The encodings this service sends, best first.
ENCODINGS = ("br", "gzip")
OWN_REQUEST = ("same-origin", "none")


def accepted_encoding(accept_encoding: str | None) -> str | None:
    """The best encoding the client accepts (`Accept-Encoding`), or None for none."""
    accepted = set()
    for part in (accept_encoding or "").lower().split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        quality = next((param[2:] for param in params if param.startswith("q=")), "1")
        if not _zero(quality):
            accepted.add(name)
    return next((name for name in ENCODINGS if name in accepted or "*" in accepted), None)


def _zero(quality: str) -> bool:
    try:
        return float(quality) <= 0
    except ValueError:
        return True


def compressible(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).lower().startswith(COMPRESSIBLE)


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        # Quality 5: about gzip's speed at a better ratio, for a page made per request.
        return bytes(brotli.compress(body, quality=5))
    return gzip.compress(body, compresslevel=6, mtime=0)


def may_compress(scope: Scope) -> bool:
    """Whether a response to this request may be compressed without opening it to BREACH."""
    if header(scope, b"cookie") is None:
        return True
    return header(scope, b"sec-fetch-site") in OWN_REQUEST


class Compression:
    """Compresses a whole response body (not a streamed one) when `may_compress` and the
    client accepts it; says `Vary: Accept-Encoding` on what it could have compressed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http = scope["type"] == "http"
        encoding = accepted_encoding(header(scope, b"accept-encoding")) if http else None
        if encoding is None or not may_compress(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None

        async def sending(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            first, start = start, None
            if not message.get("more_body", False):  # a streamed body is passed on as it is
                await _encode(first, message, encoding)
            await send(first)
            await send(message)

        await self.app(scope, receive, sending)


async def _encode(start: Message, message: Message, encoding: str) -> None:
    """Compress `message`'s body in place, and say so in `start`'s headers, where it pays.
    A large body (a FHIR bundle) is compressed in a worker thread, so the loop serves on."""
    headers = MutableHeaders(scope=start)
    body = message.get("body", b"")
    if "content-encoding" in headers or not compressible(headers.get("content-type")):
        return
    headers.add_vary_header("Accept-Encoding")
    if len(body) < MIN_SIZE or start["status"] in (204, 206, 304):
        return
    if len(body) > IN_THREAD_FROM:
        message["body"] = await anyio.to_thread.run_sync(compress, body, encoding)
    else:
        message["body"] = compress(body, encoding)
    headers["Content-Encoding"] = encoding
    headers["Content-Length"] = str(len(message["body"]))
