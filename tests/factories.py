"""Build test objects through the same services the app uses."""

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Account, Role
from app.survey.definition import INSTRUMENT_DIR, parse_definition

PASSWORD = "correct horse battery"
SHIPPED_INSTRUMENT = INSTRUMENT_DIR / "mylife_youth-1.0.json"
THEME_IDS = [theme.id for theme in parse_definition(SHIPPED_INSTRUMENT.read_bytes()).themes]


def make_account(
    session: Session,
    *,
    role: Role = Role.YOUNG_PERSON,
    username: str | None = None,
    display_name: str = "Test Person",
    birth_date: date | None = date(2005, 5, 5),
    locale: str | None = None,
) -> Account:
    return auth_service.create_local_account(
        session,
        username=username or f"user-{secrets.token_hex(4)}",
        password=PASSWORD,
        display_name=display_name,
        role=role,
        birth_date=birth_date,
        locale=locale,
    )


def make_young_person(session: Session, **fields: object) -> Account:
    return make_account(session, role=Role.YOUNG_PERSON, **fields)  # type: ignore[arg-type]


def make_case_manager(session: Session, **fields: object) -> Account:
    return make_account(session, role=Role.CASE_MANAGER, **fields)  # type: ignore[arg-type]


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, account: Account, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the CSRF token of the new session.

    The token is bound to the session, so it is read from a page after signing in; the
    client sends it as the X-CSRF-Token header from then on, as the pages' htmx does.
    """
    client.headers.pop("X-CSRF-Token", None)
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"username": account.username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    token = csrf_from(client.get("/offline").text)
    client.headers["X-CSRF-Token"] = token
    return token


def assign(session: Session, manager: Account, *people: Account) -> None:
    for person in people:
        auth_service.assign_case(session, case_manager=manager, young_person=person)


def try_sign_in(client: TestClient, username: str, password: str) -> httpx2.Response:
    """One attempt through the sign-in form, whatever its answer (not followed)."""
    token = csrf_from(client.get("/signin").text)
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    """The statements the session sends meanwhile (savepoints aside)."""
    statements: list[str] = []
    connection = session.connection()

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)
