"""What every response carries, in development and in production, and what logs never hold."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import get_settings
from app.core.logs import RedactSecrets, redact
from app.core.security import needs_rehash
from tests.factories import PASSWORD, csrf_from, make_young_person, sign_in


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "environment", "production")
    monkeypatch.setattr(settings, "public_url", "https://testserver")


def test_production_cookies_are_host_only_and_secure(
    client: TestClient, session: Session, production: None
) -> None:
    person = make_young_person(session)
    with TestClient(client.app, base_url="https://testserver") as browser:
        page = browser.get("/signin")
        assert page.headers["strict-transport-security"] == "max-age=63072000"
        seed = page.headers["set-cookie"]
        assert seed.startswith("__Host-mylife_csrf=") and "Secure" in seed and "Path=/" in seed
        form = {
            "username": person.username,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        }
        signed_in = browser.post("/signin", data=form, follow_redirects=False)
        cookies = signed_in.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith("__Host-mylife_session="))
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        assert "Domain" not in session_cookie and "Path=/" in session_cookie
        home = browser.get("/")
        assert (home.status_code == 200 and "Hello" in home.text) or "Hei" in home.text


def test_development_has_no_hsts(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/signin").headers


def test_personal_pages_and_api_answers_are_not_stored(
    client: TestClient, session: Session
) -> None:
    sign_in(client, make_young_person(session))
    for path in ("/", "/plan", "/api/v1/assessments", "/api/v1/session", "/me/access"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    static = client.get("/static/app.css")
    assert static.headers["cache-control"].startswith("public")


def test_sign_out_clears_site_data_and_back_shows_nothing(
    client: TestClient, session: Session
) -> None:
    token = sign_in(client, make_young_person(session, display_name="Aino A"))
    assert "Aino A" in client.get("/plan").text
    out = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["clear-site-data"] == '"cache", "storage"'
    back = client.get("/plan", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].startswith("/signin")


def test_password_hash_cost_is_a_setting() -> None:
    from argon2 import PasswordHasher

    production_like = PasswordHasher(time_cost=3, memory_cost=65536).hash(PASSWORD)
    assert needs_rehash(production_like)  # the tests run with a cheaper setting


@pytest.mark.parametrize(
    ("line", "kept", "secret"),
    [
        ("GET /invitations/AbC123-xyz_987 HTTP/1.1", "/invitations/", "AbC123-xyz_987"),
        ("/invitations/AbC123-xyz_987/join", "/join", "AbC123-xyz_987"),
        ("/auth/oidc/portal/callback?code=s3cr3t&state=st4te&iss=x", "iss=x", "s3cr3t"),
        ("/auth/oidc/portal/login?invitation=T0k3n&next=/", "next=/", "T0k3n"),
    ],
)
def test_logs_never_hold_a_bearer_secret(line: str, kept: str, secret: str) -> None:
    assert secret not in redact(line) and kept in redact(line)
    record = logging.LogRecord(
        "uvicorn.access", 20, "", 0, '%s - "%s" %d', ("1.2.3.4", line, 200), None
    )
    RedactSecrets().filter(record)
    assert secret not in record.getMessage()


def test_what_a_cache_may_keep_sets_no_cookie(client: TestClient) -> None:
    static = client.get("/static/app.css")
    assert static.status_code == 200 and "set-cookie" not in static.headers
    assert "set-cookie" not in client.get("/fhir/R4/metadata").headers
    assert client.get("/signin").headers["set-cookie"].startswith("mylife_csrf=")
