"""Build test objects through the same services the app uses."""

import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Account, Role
from app.core.security import needs_rehash
from app.core.types import saved_id
from app.survey import service as survey_service
from app.survey.answers import save_answers
from app.survey.definition import INSTRUMENT_DIR, parse_definition
from app.survey.models import Assessment

PASSWORD = "correct horse battery"
SHIPPED_INSTRUMENT = INSTRUMENT_DIR / "mylife_youth-1.1.json"  # the newest: new assessments use it
THEME_IDS = [theme.id for theme in parse_definition(SHIPPED_INSTRUMENT.read_bytes()).themes]
_hashes: dict[str, str] = {}


def password_hash_of(password: str = PASSWORD) -> str:
    """The password's hash, made by the service at the current cost once per process: the
    tests make thousands of accounts, and Argon2 is slow on purpose (a hash made at another
    cost, as a test that changes it wants, is made again)."""
    stored = _hashes.get(password)
    if stored is None or needs_rehash(stored):
        stored = _hashes[password] = auth_service.hash_new_password(password)
    return stored


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
        password_hash=password_hash_of(PASSWORD),
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


def make_completed_assessment(
    session: Session,
    person: Account,
    values: Mapping[str, int | str | None],
    completed_at: datetime | None = None,
    version: str | None = None,
) -> Assessment:
    """An assessment answered and submitted through the services; `version` pins an older
    instrument version (one started before a newer one was shipped)."""
    if version is None:
        assessment, _ = survey_service.start_or_resume(session, actor=person)
    else:
        found = survey_service.get_instrument_version(session, code="mylife_youth", version=version)
        assessment = Assessment(
            subject_id=saved_id(person.id), instrument_version_id=saved_id(found.id)
        )
        session.add(assessment)
        session.flush()
    save_answers(session, actor=person, assessment=assessment, values=dict(values))
    survey_service.submit(session, actor=person, assessment=assessment)
    if completed_at is not None:
        assessment.completed_at = assessment.updated_at = completed_at
        session.add(assessment)
        session.flush()
    return assessment
