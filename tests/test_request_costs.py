"""What a request costs the database: the statements of the young person's busiest
requests, and SQLite under many concurrent clients. Speed itself is measured by bench/."""

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.auth import service as auth_service
from app.core.security import SESSION_COOKIE, cookie_name, csrf_binding, csrf_token_for, sign
from app.core.types import saved_id
from app.main import create_app
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import THEME_IDS, counted, make_young_person, sign_in
from tests.oidc.provider import TLS

FIRST = THEME_IDS[0]


def test_an_autosave_reads_the_session_and_the_assessment_then_writes_twice(
    client: TestClient, session: Session
) -> None:
    """Session and account in one query, the assessment with its instrument's checksum,
    the assessment's lock (its position), the answer's upsert: nothing read again."""
    person = make_young_person(session)
    assessment, _ = survey.start_or_resume(session, actor=person)
    sign_in(client, person)
    url = f"/assessments/{assessment.id}/answer"
    client.post(url, data={f"{FIRST}.importance": "3"})  # the instrument parsed once
    with counted(session) as statements:
        saved = client.post(url, data={f"{FIRST}.importance": "7"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert len(statements) == 4, statements
    answers = survey.answers_for(session, [saved_id(assessment.id)])[saved_id(assessment.id)]
    assert answers[f"{FIRST}.importance"].value_int == 7


def test_the_home_page_of_a_young_person_reads_in_a_few_queries(
    client: TestClient, session: Session
) -> None:
    """However many assessments the person has done, the home page's statements stay the
    same: session and account, the open assessment, its progress, the list, the plan (the
    next step and its summary), the case managers, the latest completed assessment and its
    answers (the help box and the circle)."""
    person = make_young_person(session)
    sign_in(client, person)
    counts = []
    for _round in range(3):
        done, _ = survey.start_or_resume(session, actor=person)
        save_answer(session, actor=person, assessment=done, item_id=f"{FIRST}.importance", value=9)
        survey.submit(session, actor=person, assessment=done)
        survey.start_or_resume(session, actor=person)
        client.get("/")
        with counted(session) as statements:
            page = client.get("/")
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts == [8, 8, 8], counts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_app() -> Iterator[str]:
    """The application as it is served, on this run's database (no test transaction)."""
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=_free_port(), log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def _signed_in(engine: Engine, committed_accounts: list[int], count: int) -> list[dict[str, str]]:
    """People signed in for real, each with an assessment under way: cookie, token, url."""
    people = []
    with Session(engine, expire_on_commit=False) as session:
        for _number in range(count):
            person = make_young_person(session)
            committed_accounts.append(saved_id(person.id))
            assessment, _ = survey.start_or_resume(session, actor=person)
            token = sign(auth_service.start_session(session, account=person), "session")
            csrf = csrf_token_for(csrf_binding(token, None) or "")
            url = f"/assessments/{assessment.id}/answer"
            people.append(
                {"cookie": f"{cookie_name(SESSION_COOKIE)}={token}", "csrf": csrf, "url": url}
            )
        session.commit()
    return people


def test_32_clients_reading_and_saving_at_once_get_no_server_error(
    engine: Engine, committed_accounts: list[int], live_app: str
) -> None:
    """The embedded default (SQLite) too: reads never wait for the write lock, writers
    queue for it; nobody sees a 5xx or waits past the client's timeout."""
    people = _signed_in(engine, committed_accounts, 8)

    def client_of(number: int) -> list[int]:
        person = people[number % len(people)]
        headers = {"Host": "testserver", "Cookie": person["cookie"], "X-CSRF-Token": person["csrf"]}
        statuses = []
        with httpx.Client(base_url=live_app, headers=headers, timeout=10, verify=TLS) as client:
            for turn in range(6):
                if (number + turn) % 2:
                    data = {f"{THEME_IDS[turn]}.importance": str(number % 11)}
                    statuses.append(client.post(person["url"], data=data).status_code)
                else:
                    statuses.append(client.get("/").status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = [status for found in pool.map(client_of, range(32)) for status in found]
    assert len(statuses) == 32 * 6
    assert set(statuses) == {200}, sorted(set(statuses))
