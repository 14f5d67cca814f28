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
        assert "csrf" in answer.text.lower() or "expired" in answer.text.lower(), case
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
