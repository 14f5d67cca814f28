"""Light pages: compressed text, static files by content hash, scripts only where used."""

import gzip
import re

import brotli
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.responses import PlainTextResponse, StreamingResponse

from app.core.assets import STATIC_DIR, assets
from app.core.compression import MIN_SIZE, Compression, accepted_encoding
from tests.factories import make_young_person, sign_in

YEAR = "public, max-age=31536000, immutable"
OWN_PAGE = {"Sec-Fetch-Site": "same-origin", "Accept-Encoding": "gzip, br"}


def static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_files_are_named_by_their_content_and_kept_a_year(client: TestClient) -> None:
    links = static_links(client.get("/signin").text)
    css = next(link for link in links if link.endswith(".css"))
    assert re.fullmatch(r"/static/app\.[0-9a-f]{10}\.css", css)
    answer = client.get(css)
    assert answer.headers["cache-control"] == YEAR
    assert answer.content == (STATIC_DIR / "app.css").read_bytes()
    again = client.get(css, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_plain_and_outdated_names_are_served_but_not_kept(client: TestClient) -> None:
    current = (STATIC_DIR / "app.css").read_bytes()
    plain = client.get("/static/app.css")
    assert plain.content == current and plain.headers["cache-control"] == "public, max-age=300"
    outdated = client.get("/static/app.0123456789.css")  # a page from before a deployment
    assert outdated.content == current and outdated.headers["cache-control"] == "no-cache"
    for missing in ("/static/nothing.css", "/static/nothing.0123456789.css", "/static/"):
        assert client.get(missing).status_code == 404, missing


def test_manifest_and_service_worker_keep_their_addresses(client: TestClient) -> None:
    page = client.get("/signin").text
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in page
    worker = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert worker.headers["cache-control"] == "no-cache"
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["content-encoding"] == "gzip"
    assert worker.content == (STATIC_DIR / "sw.js").read_bytes()


@pytest.mark.parametrize(("accept", "coding"), [("br, gzip", "br"), ("gzip", "gzip"), ("", None)])
def test_static_text_is_compressed_once_for_every_request(
    client: TestClient, accept: str, coding: str | None
) -> None:
    name = assets()["htmx-2.0.11.min.js"].fingerprinted
    with client.stream("GET", f"/static/{name}", headers={"Accept-Encoding": accept}) as answer:
        raw = b"".join(answer.iter_raw())
    assert answer.headers.get("content-encoding") == coding
    assert answer.headers["vary"] == "Accept-Encoding"
    plain = (STATIC_DIR / "htmx-2.0.11.min.js").read_bytes()
    unpack = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding]
    assert unpack(raw) == plain
    assert raw == assets()["htmx-2.0.11.min.js"].bodies[coding or "identity"]
    assert len(raw) < len(plain) * 0.35 or coding is None


def loads_htmx_iff_it_uses_it(html: str) -> bool:
    uses = re.search(r"\shx-(get|post|put|patch|delete|trigger)=", html) is not None
    return uses == any("htmx" in link for link in static_links(html))


def test_pages_load_htmx_only_where_they_use_it(client: TestClient, session: Session) -> None:
    assert loads_htmx_iff_it_uses_it(client.get("/signin").text)
    sign_in(client, make_young_person(session))
    screen = client.post("/survey/start", data={"csrf_token": client.headers["X-CSRF-Token"]})
    pages = [client.get("/").text, screen.text, client.get("/plan").text]
    assert all(loads_htmx_iff_it_uses_it(page) for page in pages)
    assert "hx-get" in pages[-1]  # the plan's live poll


def compressed(client: TestClient, path: str, **headers: str) -> str | None:
    with client.stream("GET", path, headers=headers) as answer:
        assert answer.status_code == 200
        return answer.headers.get("content-encoding")


def test_a_page_is_compressed_only_when_no_other_site_can_have_asked_for_it(
    client: TestClient, session: Session
) -> None:
    """BREACH: a signed-in page holds secrets next to what the address put in it, so a page
    another site's link or script asked for is sent whole; the person's own are compressed."""
    assert compressed(client, "/signin", **{"Accept-Encoding": "br"}) == "br"  # no cookie yet
    sign_in(client, make_young_person(session))
    assert compressed(client, "/plan?x=guess", **OWN_PAGE) == "br"
    assert compressed(client, "/plan", **{**OWN_PAGE, "Sec-Fetch-Site": "none"}) == "br"
    assert compressed(client, "/plan", **{**OWN_PAGE, "Accept-Encoding": "gzip"}) == "gzip"
    for site in ("cross-site", "same-site"):  # another site's link: a navigation, allowed
        link = {**OWN_PAGE, "Sec-Fetch-Site": site, "Sec-Fetch-Mode": "navigate"}
        assert compressed(client, "/plan?x=guess", **link) is None
    assert compressed(client, "/plan?x=guess", **{"Accept-Encoding": "br"}) is None  # says nothing
    api = client.get("/api/v1/session", headers=OWN_PAGE)
    assert api.headers["vary"] == "Accept-Encoding" and "content-encoding" not in api.headers
    assert len(api.content) < MIN_SIZE  # too short to be worth it


def test_a_large_body_is_compressed_and_a_streamed_one_passed_on() -> None:
    text = "".join(f"line {n}\n" for n in range(20_000))  # over 64 KB: in a worker thread
    whole = TestClient(Compression(PlainTextResponse(text)))
    with whole.stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as answer:
        assert gzip.decompress(b"".join(answer.iter_raw())).decode() == text
    streamed = TestClient(Compression(StreamingResponse(iter([text, text]))))
    answer = streamed.get("/", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in answer.headers and answer.text == text + text


def test_accepted_encodings() -> None:
    assert accepted_encoding("gzip, deflate, br, zstd") == "br"
    assert accepted_encoding("br;q=0, gzip;q=0.5") == "gzip"
    assert accepted_encoding("*") == "br"
    assert accepted_encoding("identity") is None
    assert accepted_encoding(None) is None
