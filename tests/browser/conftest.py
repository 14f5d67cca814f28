"""A real server on 127.0.0.1 for the browser, on a database of the browser tests' own.

The live server commits for real (the demo data, and whatever each test makes through
`engine` or the pages), so it runs on its own database, built by the same migrations:
nothing it commits is seen by the other tests, which share the run's database.
"""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from alembic import command
from playwright.sync_api import Page
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.config import get_settings
from app.core.db import build_engine, get_session, transaction
from app.core.db_roles import set_up as set_up_roles
from app.demo import load_demo
from app.main import create_app
from tests.conftest import (
    OWNER_ROLE,
    RUNTIME_ROLE,
    SERVER_URL,
    alembic_config,
    create_run_database,
    drop_database,
)
from tests.factories import PASSWORD, make_young_person

AXE_SOURCE = (Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """For the browser tests, in place of the run's: their own database, with the demo data."""
    admin_url, owner_url, app_url = create_run_database("browser")
    command.upgrade(alembic_config(owner_url), "head")
    if SERVER_URL:  # grants again, as after every migration in production
        set_up_roles(admin_url, owner=OWNER_ROLE, runtime=RUNTIME_ROLE)
    engine = build_engine(app_url)
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    yield engine
    engine.dispose()
    drop_database(admin_url)  # before the run's roles are dropped: the owner owns it


@pytest.fixture(scope="session")
def live_server(engine: Engine) -> Iterator[str]:
    app = create_app()  # its own overrides: the `client` fixture's never touch it

    def browser_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session, transaction(session):
            yield session

    app.dependency_overrides[get_session] = browser_session
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def served_at_live_server(monkeypatch: pytest.MonkeyPatch, live_server: str) -> None:
    """While a browser test runs, the service's public address is the live server's."""
    monkeypatch.setattr(get_settings(), "public_url", live_server)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """WCAG 2 A and AA problems axe-core finds on the page as it is now."""
    # Evaluated through DevTools, so the page keeps its Content-Security-Policy.
    page.evaluate(AXE_SOURCE)
    rules = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {rules}}})")
    return [
        {"id": v["id"], "targets": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


def start_survey(page: Page, live_server: str, engine: Engine) -> str:
    """A new young person (English) signs in and starts the survey: its first screen is open,
    its scripts set up. Returns their username."""
    with Session(engine) as session:
        username = make_young_person(session, locale="en").username or ""
        session.commit()
    page.goto(f"{live_server}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/survey")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state("load")
    return username
