"""Whatever a client sends, to any route, the answer is never a server error.

Oversized and negative numbers, far-off dates and NUL characters in every path parameter,
query, header and body field; undecodable header bytes; bodies over the limit. Every answer,
refusals included, carries the security headers and is not stored by the browser.
"""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import csrf_from, sign_in
from tests.routes import UNSAFE, RouteInfo, World, build_world, route_table

ROUTES = route_table()
HUGE = "99999999999999999999"
PATH_VALUES = [HUGE, "2147483648", "-1", "0", "%00", "%FF%FE", "x" * 300]
QUERY = (
    f"?compare={HUGE}&page={HUGE}&page=-5&month=99999-99&who={HUGE}&next=%00"
    f"&authored=ge99999-01-01&date=le0000-01-01&subject=Patient/{HUGE}&x=%C0%AE"
)
JSON_VALUES: list[Any] = [
    2**40,
    -(2**40),
    1e308,
    "9999-12-31",
    "0001-01-01",
    "a\u0000b",
    {"kind": "service", "name": "\u0000"},
    [2**40, "\u0000"],
]
FORM_VALUES = [HUGE, "-2147483649", "9999-12-31", "0001-01-01", "31.12.99999", "a\x00b"]
FORM_FIELDS = [
    "text", "themes", "status", "version", "owner", "service_name", "due_on", "done",
    "done_present", "held_on", "agreed", "changed", "next_review_on", "nav", "username",
    "password", "display_name", "birth_date", "name", "lang", "next", "health",
    "health.importance", "health.satisfaction", "health.future",
]  # fmt: skip


def assert_handled(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    assert "content-security-policy" in response.headers, what
    assert response.headers.get("x-content-type-options") == "nosniff", what
    assert "cache-control" in response.headers, what


def send(client: TestClient, route: RouteInfo, path: str, **kwargs: Any) -> Any:
    return client.request(route.method, path, follow_redirects=False, **kwargs)


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_no_input_makes_a_server_error(
    client: TestClient, session: Session, world: World, route: RouteInfo
) -> None:
    anonymous = csrf_from(client.get("/signin").text)
    for value in PATH_VALUES:
        for param in route.params:
            path = route.fill(world.values, **{param: value})
            assert_handled(send(client, route, path, headers={"X-CSRF-Token": anonymous}), path)
    sign_in(client, world.person)
    values = {**world.values}
    if route.method in UNSAFE:
        values["assessment_id"] = values["open_assessment_id"]
    path = route.fill(values)
    assert_handled(send(client, route, path + QUERY), path + QUERY)
    hostile_headers = [
        (b"if-none-match", f'"r{HUGE}"'.encode()),
        (b"if-match", f'"{HUGE}"'.encode()),
        (b"accept-language", b"\xff\xfe;q=\xff"),
        (b"authorization", b"Bearer \xff\xfe\x80"),
        (b"content-type", b"application/\xff"),
        (b"x-forwarded-for", b"\xff"),
    ]
    for header, raw in hostile_headers:
        hostile = {header: raw}
        assert_handled(send(client, route, path, headers=hostile), f"{path} {header!r}")
    if route.method not in UNSAFE:
        return
    for value in FORM_VALUES:
        form = {name: value for name in FORM_FIELDS}
        assert_handled(send(client, route, path, data=form), f"{path} form {value!r}")
    fields = list(route.body.model_fields) if route.body else ["value", "resourceType", "item"]
    for field in fields:
        for value in JSON_VALUES:
            body = json.dumps({field: value})
            headers = {"content-type": "application/json"}
            answer = send(client, route, path, content=body, headers=headers)
            assert_handled(answer, f"{path} {field}={value!r}")


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.person)
    path = f"/api/v1/assessments/{world.values['open_assessment_id']}/answers/health.future"
    big = json.dumps({"value": "x" * (1024 * 1024 + 1)})
    refused = client.put(path, content=big, headers={"content-type": "application/json"})
    assert refused.status_code == 413
    assert refused.json()["type"] == "urn:mylife:problem:body-too-large"
    assert "content-security-policy" in refused.headers
    # Said up front, the size alone is enough: nothing is read.
    declared = client.post(
        "/signin",
        content=b"x",
        headers={"content-length": str(10**9), "content-type": "text/plain"},
    )
    assert declared.status_code == 413
    saved = client.put(path, json={"value": "fits"})
    assert saved.status_code == 200 and saved.json()["value"] == "fits"


def test_another_host_is_refused_and_never_reaches_a_link(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.manager)
    refused = client.post("/invitations", data={"name": "Lumi"}, headers={"host": "evil.example"})
    assert refused.status_code == 400 and "evil.example" not in refused.text
    created = client.post("/invitations", data={"name": "Lumi"})
    assert created.status_code == 201
    assert 'value="http://testserver/invitations/' in created.text
    metadata = client.get("/fhir/R4/metadata", headers={"host": "evil.example"})
    assert metadata.status_code == 400


def test_a_server_error_page_has_the_security_headers(client: TestClient) -> None:
    """A route that fails unexpectedly still answers with every header (the page is made
    outside the routes, by Starlette's error middleware)."""
    from app.main import app

    @app.get("/__explode")
    def explode() -> None:
        raise RuntimeError("boom")

    try:
        with TestClient(app, raise_server_exceptions=False) as plain:
            answer = plain.get("/__explode")
    finally:
        app.router.routes.pop()
    assert answer.status_code == 500
    assert "content-security-policy" in answer.headers
    assert answer.headers["cache-control"] == "no-store"
