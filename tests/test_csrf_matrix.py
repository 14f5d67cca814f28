"""Cross-site request forgery: every state-changing route of the application, page, htmx and
API alike, refuses a request that does not prove it comes from this service's own page.

The proof is the browser's word (Origin or Sec-Fetch-Site naming this very origin) or the
token bound to the sign-in session. Refused requests change nothing in the database.
"""

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.core.db import metadata
from app.core.security import csrf_binding, csrf_token_for
from tests.factories import PASSWORD, csrf_from, make_young_person, sign_in
from tests.routes import UNSAFE, RouteInfo, World, build_world, route_table

ROUTES = [route for route in route_table() if route.method in UNSAFE]
BEARER_ONLY = {"POST /fhir/R4/QuestionnaireResponse"}  # no cookies: nothing to forge
FORGED = {
    "no token": {},
    "another session's token": "other",
    "a signed-out token": "anonymous",
    "a made-up token": {"X-CSRF-Token": "0" * 64},
    "a cross-site origin": {"Origin": "https://evil.example"},
    "a sibling origin": {"Origin": "http://testserver:8443"},
    "a sibling subdomain": {"Origin": "http://shop.testserver"},
    "a cross-site fetch": {"Sec-Fetch-Site": "cross-site"},
    "a same-site fetch": {"Sec-Fetch-Site": "same-site"},
    "origin null": {"Origin": "null"},
}


def fingerprint(session: Session) -> str:
    """Every row of every table, as one digest."""
    digest = hashlib.sha256()
    for table in metadata.sorted_tables:
        rows = session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")).all()
        digest.update(repr(rows).encode())
    return digest.hexdigest()


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def headers_for(case: str, client: TestClient, world: World, session: Session) -> dict[str, str]:
    forged: Any = FORGED[case]
    if forged == "other":
        with TestClient(client.app, base_url="http://testserver") as other:
            return {"X-CSRF-Token": sign_in(other, world.other_person)}
    if forged == "anonymous":
        with TestClient(client.app, base_url="http://testserver") as stranger:
            return {"X-CSRF-Token": csrf_from(stranger.get("/signin").text)}
    return dict(forged)


def form_for(route: RouteInfo) -> dict[str, str]:
    return {"text": "Forged", "themes": "housing", "name": "x", "lang": "en"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_a_forged_change_is_refused_and_changes_nothing(
    client: TestClient, session: Session, world: World, route: RouteInfo
) -> None:
    if route.id in BEARER_ONLY:
        pytest.skip("called with a bearer token, never with cookies")
    sign_in(client, world.person)
    client.headers.pop("X-CSRF-Token")
    path = route.fill(world.values)
    for case in FORGED:
        forged = headers_for(case, client, world, session)
        session.flush()
        before = fingerprint(session)
        answer = client.request(
            route.method, path, data=form_for(route), headers=forged, follow_redirects=False
        )
        assert answer.status_code == 403, (case, answer.status_code, answer.text[:200])
        said = answer.text.lower()
        assert any(word in said for word in ("csrf", "expired", "cross-site")), case
        assert fingerprint(session) == before, case


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_the_same_change_from_the_own_page_is_not_refused(
    client: TestClient, session: Session, world: World, route: RouteInfo
) -> None:
    """The control: with the session's token, or from this origin, the forgery check lets
    the request through (whatever the route then decides)."""
    token = sign_in(client, world.person)
    client.headers.pop("X-CSRF-Token")
    path = route.fill(world.values)
    for proof in ({"X-CSRF-Token": token}, {"Origin": "http://testserver"}):
        answer = client.request(route.method, path, headers=proof, follow_redirects=False)
        assert "csrf-failed" not in answer.text, (proof, answer.text[:200])
    form = client.request(route.method, path, data={"csrf_token": token}, follow_redirects=False)
    assert "csrf-failed" not in form.text


def test_a_planted_seed_does_not_make_a_token_for_a_session(
    client: TestClient, session: Session
) -> None:
    """A sibling origin can set a cookie for this host (in development, without __Host-),
    but a signed-in session's token is bound to the session, not to that cookie."""
    person = make_young_person(session)
    sign_in(client, person)
    client.headers.pop("X-CSRF-Token")
    client.cookies.set("mylife_csrf", "p" * 43)
    planted = csrf_token_for(csrf_binding(None, "p" * 43) or "")
    refused = client.post("/api/v1/assessments", headers={"X-CSRF-Token": planted})
    assert refused.status_code == 403


def test_login_forgery_from_a_sibling_origin_is_refused(
    client: TestClient, session: Session
) -> None:
    """Signing a victim in to the attacker's account (login CSRF), with a seed the attacker
    planted and its matching token, from a page on another port of the same host."""
    attacker = make_young_person(session)
    client.cookies.set("mylife_csrf", "p" * 43)
    token = csrf_token_for(csrf_binding(None, "p" * 43) or "")
    form = {"username": attacker.username, "password": PASSWORD, "csrf_token": token}
    refused = client.post(
        "/signin", data=form, headers={"Origin": "http://testserver:8443"}, follow_redirects=False
    )
    assert refused.status_code == 403 and "mylife_session" not in client.cookies


def test_the_token_changes_at_sign_in_and_sign_out(client: TestClient, session: Session) -> None:
    signed_out = csrf_from(client.get("/signin").text)
    signed_in = sign_in(client, make_young_person(session))
    assert signed_in != signed_out
    client.post("/signout", data={"csrf_token": signed_in})
    again = csrf_from(client.get("/signin").text)
    assert again not in (signed_in, signed_out)
    # The old session's token is worthless now, even for the signed-out pages.
    client.headers.pop("X-CSRF-Token")
    old = client.post("/language", data={"lang": "en", "csrf_token": signed_in})
    assert old.status_code == 403


BACKGROUND = [
    {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
    {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"},
]
READS = [r for r in route_table() if r.method == "GET" and "{" in r.path and "/fhir/" not in r.path]


@pytest.mark.parametrize("route", READS, ids=lambda r: r.id)
def test_another_sites_background_request_reads_nothing_and_writes_no_audit_row(
    client: TestClient, session: Session, world: World, route: RouteInfo
) -> None:
    """An <img> or fetch on a sibling origin's page carries the case manager's cookies (same
    site): it would read a young person's data in their name and fill their access log."""
    sign_in(client, world.manager)
    path = route.fill(world.values)
    session.flush()
    before = fingerprint(session)
    for headers in BACKGROUND:
        answer = client.get(path, headers=headers, follow_redirects=False)
        assert answer.status_code == 403, (headers, answer.status_code)
    assert fingerprint(session) == before
    # The person opening the page from a link elsewhere is a navigation: it is let through,
    # also when the page's service worker fetches it again (mode same-origin, a document).
    for navigation in (
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
        {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "empty"},
        {
            "Sec-Fetch-Site": "same-site",
            "Sec-Fetch-Mode": "same-origin",
            "Sec-Fetch-Dest": "document",
        },
    ):
        opened = client.get(path, headers=navigation, follow_redirects=False)
        assert opened.status_code != 403, navigation


@pytest.mark.parametrize("token", ["ä", "\u00ff" * 64, "0" * 63 + "é"])
def test_a_token_that_is_not_ascii_is_refused_not_an_error(client: TestClient, token: str) -> None:
    page = client.get("/signin")
    assert page.status_code == 200
    refused = client.post("/signout", headers={b"X-CSRF-Token": token.encode()})
    assert refused.status_code == 403
    form = client.post("/signin", data={"username": "x", "password": "y", "csrf_token": token})
    assert form.status_code == 403


def test_a_session_cookie_planted_beside_ours_signs_nobody_in(
    client: TestClient, session: Session
) -> None:
    """Another port of the same host can set a cookie of the same name (cookies ignore
    ports): sent twice, it is trusted neither way."""
    victim, attacker = make_young_person(session), make_young_person(session)
    sign_in(client, attacker)
    planted = client.cookies.get("mylife_session")
    client.cookies.clear()
    sign_in(client, victim)
    own = client.cookies.get("mylife_session")
    both = f"mylife_session={planted}; mylife_session={own}"
    answer = client.get("/api/v1/session", headers={"Cookie": both})
    assert answer.status_code == 401
