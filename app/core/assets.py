"""Static files: fingerprinted names, compressed once per process, kept by browsers.

`static_url('app.css')` is `/static/app.3f2a1b9c0d.css`: the name carries a hash of the
content, so a browser keeps the file a year without asking again (`immutable`), and a new
version is a new name. The plain name (`/static/app.css`) is served too, kept for minutes
only: the manifest and the icons it names keep their addresses, as the service worker keeps
its own (`/sw.js`, `app/pages.py`, revalidated every time). A name with a hash that is no
longer the file's (a page from before a deployment) gets the current file, revalidated.

Every file is read, hashed and compressed (Brotli, gzip: whichever is smaller than the file)
once per process, the first time one is asked for; a request only picks the encoding.
"""

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

import brotli
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.core.compression import MIN_SIZE, accepted_encoding, compressible

APP_DIR = Path(__file__).resolve().parents[1]
STATIC_DIR = APP_DIR / "static"

DIGEST_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
BRIEF = "public, max-age=300"
REVALIDATE = "no-cache"
FINGERPRINTED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$"
)
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True)
class Asset:
    name: str  # its path under the static folder: app.css
    digest: str
    media_type: str
    # The body by content coding: "identity", and "br" and "gzip" where smaller.
    bodies: dict[str, bytes] = field(repr=False)

    @property
    def fingerprinted(self) -> str:
        path = PurePosixPath(self.name)
        return str(path.with_name(f"{path.stem}.{self.digest}{path.suffix}"))

    def encoding_for(self, accept_encoding: str | None) -> str:
        chosen = accepted_encoding(accept_encoding)
        return chosen if chosen in self.bodies else "identity"


def load(path: Path, name: str) -> Asset:
    body = path.read_bytes()
    media_type = MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"
    bodies = {"identity": body}
    if compressible(media_type) and len(body) >= MIN_SIZE:
        packed = {
            "br": bytes(brotli.compress(body, quality=11)),
            "gzip": gzip.compress(body, compresslevel=9, mtime=0),
        }
        bodies.update((coding, data) for coding, data in packed.items() if len(data) < len(body))
    digest = hashlib.sha256(body).hexdigest()[:DIGEST_LENGTH]
    return Asset(name=name, digest=digest, media_type=media_type, bodies=bodies)


@cache
def assets(directory: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every file of the static folder by its name, loaded once per process."""
    found = (path for path in sorted(directory.rglob("*")) if path.is_file())
    return {
        name: load(path, name)
        for path in found
        if not (name := path.relative_to(directory).as_posix()).startswith(".")
    }


def static_url(name: str) -> str:
    """A static file's address with its content's hash in the name, kept for a year."""
    return f"/static/{assets()[name].fingerprinted}"


def find(name: str, directory: Path = STATIC_DIR) -> tuple[Asset, str] | None:
    """The file a name asks for, and how long it may be kept."""
    table = assets(directory)
    if name in table:
        return table[name], BRIEF
    match = FINGERPRINTED.match(name)
    if match is None:
        return None
    plain = table.get(str(PurePosixPath(name).with_name(match["stem"] + match["suffix"])))
    if plain is None:
        return None
    return plain, IMMUTABLE if match["digest"] == plain.digest else REVALIDATE


def respond(
    asset: Asset, request: Headers, cache_control: str, headers: dict[str, str] | None = None
) -> Response:
    """The file in the encoding the client accepts, or 304 if it has this version already."""
    coding = asset.encoding_for(request.get("accept-encoding"))
    etag = f'"{asset.digest}-{coding}"'
    sent = {"Cache-Control": cache_control, "ETag": etag, **(headers or {})}
    if len(asset.bodies) > 1:
        sent["Vary"] = "Accept-Encoding"
    if etag in (request.get("if-none-match") or ""):
        return Response(status_code=304, headers=sent)
    if coding != "identity":
        sent["Content-Encoding"] = coding
    return Response(asset.bodies[coding], media_type=asset.media_type, headers=sent)


class Assets(StaticFiles):
    """The static folder, answered from memory (`find`, `respond`)."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        super().__init__(directory=directory)
        self.folder = directory

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405)
        found = find(PurePosixPath(path).as_posix(), self.folder)
        if found is None:
            raise HTTPException(status_code=404)
        asset, cache_control = found
        return respond(asset, Headers(scope=scope), cache_control)
