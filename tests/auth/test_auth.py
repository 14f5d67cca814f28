"""Local sign-in: hashed passwords, a server-side session behind a signed cookie."""

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth import service as auth_service
from app.auth.models import Account, AuthSession, Role
from app.auth.throttle import ACCOUNT_FREE_ATTEMPTS
from app.core.security import needs_rehash, verify_password
from app.main import app
from tests.factories import PASSWORD, csrf_from, make_young_person, sign_in, try_sign_in


def test_password_is_stored_as_an_argon2_hash(session: Session) -> None:
    person = auth_service.create_local_account(
        session, username="hashed", password=PASSWORD, display_name="Hashed", role=Role.YOUNG_PERSON
    )
    row = session.exec(select(Account).where(Account.id == person.id)).one()
    assert row.password_hash and row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash


def test_wrong_password_keeps_the_username_and_says_why(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session)
    client.cookies.set("mylife_lang", "en")
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin", data={"username": person.username, "password": "nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "The username or password is not right." in response.text
    assert f'value="{person.username}"' in response.text
    unknown = client.post(
        "/signin", data={"username": "ghost", "password": "nope", "csrf_token": token}
    )
    assert "The username or password is not right." in unknown.text


def test_session_cookie_is_signed_httponly_and_lax(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={
            "username": person.username,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/assessments",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/assessments"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("mylife_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert session.exec(select(AuthSession).where(AuthSession.account_id == person.id)).one()


def test_sign_in_never_redirects_off_site(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={
            "username": person.username,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_sign_out_ends_the_session_on_the_server(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    token = sign_in(client, person)
    stolen = client.cookies.get("mylife_session")
    assert client.get("/api/v1/assessments").status_code == 200
    client.post("/signout", data={"csrf_token": token})
    assert (
        session.exec(select(AuthSession).where(AuthSession.account_id == person.id)).first() is None
    )
    client.cookies.set("mylife_session", stolen or "")
    assert client.get("/api/v1/assessments").status_code == 401


def test_tampered_cookie_is_ignored(client: TestClient, session: Session) -> None:
    sign_in(client, make_young_person(session))
    value = client.cookies.get("mylife_session") or ""
    client.cookies.clear()
    client.cookies.set("mylife_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/api/v1/assessments").status_code == 401


def test_every_page_carries_security_headers(client: TestClient) -> None:
    response = client.get("/signin")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_guessing_one_account_slows_down_but_not_its_owner(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session)
    sign_in(client, person)  # the owner's own browser, from before
    guesser = TestClient(app, client=("203.0.113.5", 40000))
    for _ in range(ACCOUNT_FREE_ATTEMPTS):
        assert try_sign_in(guesser, person.username or "", "wrong").status_code == 401
    # even the right password waits now
    assert try_sign_in(guesser, person.username or "", PASSWORD).status_code == 429
    client.cookies.delete("mylife_session")
    # Where the owner has signed in before, someone else's guessing changes nothing.
    assert try_sign_in(client, person.username or "", PASSWORD).status_code == 303


def test_a_success_clears_the_count(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    for _ in range(ACCOUNT_FREE_ATTEMPTS - 1):
        assert try_sign_in(client, person.username or "", "wrong").status_code == 401
    assert try_sign_in(client, person.username or "", PASSWORD).status_code == 303
    stranger = TestClient(app, client=("203.0.113.6", 40000))  # not a known device
    for _ in range(ACCOUNT_FREE_ATTEMPTS):  # a fresh count: these are not yet too many
        assert try_sign_in(stranger, person.username or "", "wrong").status_code == 401


def test_the_page_says_to_wait(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    client.cookies.set("mylife_lang", "en")
    for _ in range(ACCOUNT_FREE_ATTEMPTS):
        assert try_sign_in(client, person.username or "", "nope").status_code == 401
    refused = try_sign_in(client, person.username or "", PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts. Wait 1 second and try again." in refused.text
    assert refused.headers["retry-after"] == "1"
    assert f'value="{person.username}"' in refused.text


def test_password_sign_in_ends_the_session_open_on_that_browser(
    client: TestClient, session: Session
) -> None:
    first, second = make_young_person(session), make_young_person(session)
    sign_in(client, first)
    earlier = client.cookies.get("mylife_session") or ""
    assert try_sign_in(client, second.username or "", PASSWORD).status_code == 303
    assert (
        session.exec(select(AuthSession).where(AuthSession.account_id == first.id)).first() is None
    )
    assert session.exec(select(AuthSession).where(AuthSession.account_id == second.id)).one()
    client.cookies.clear()
    client.cookies.set("mylife_session", earlier)  # the earlier cookie no longer works
    assert client.get("/api/v1/assessments").status_code == 401


def test_a_hash_of_another_cost_is_replaced_at_sign_in(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session)
    old = PasswordHasher(time_cost=2, memory_cost=128).hash(PASSWORD)
    person.password_hash = old
    session.add(person)
    session.flush()
    assert try_sign_in(client, person.username or "", "wrong guess").status_code == 401
    session.refresh(person)
    assert person.password_hash == old
    assert try_sign_in(client, person.username or "", PASSWORD).status_code == 303
    session.refresh(person)
    stored = person.password_hash
    assert stored and stored != old and not needs_rehash(stored)
    assert verify_password(stored, PASSWORD)
