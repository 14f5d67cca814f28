"""Test set-up: a fresh database built by migrations, one rolled-back transaction per test.

SQLite by default; PostgreSQL when MYLIFE_TEST_DATABASE_URL points at a server
(a throwaway database is created on it for the run and dropped afterwards). On
PostgreSQL the run has two throwaway roles, as in production: migrations run as the
owner, and the application (every engine the tests use) as a runtime role that owns
nothing and holds only the grants of app/core/db_roles.py.

A test that uses the `engine` fixture (directly, or through `session`, `client`,
`committed_accounts`, ...) or is marked `database` touches a database: it gets the
`database` marker, and `make test` runs it on SQLite and again on PostgreSQL. Any other
test runs once (`make test-postgres` selects `-m database`), and fails if it opens a
database connection all the same.
"""

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool

from app.core.db_roles import set_up as set_up_roles

SERVER_URL = os.environ.get("MYLIFE_TEST_DATABASE_URL") or ""
ROOT = Path(__file__).resolve().parents[1]
RUN = secrets.token_hex(4)
OWNER_ROLE = f"mylife_owner_{RUN}"
RUNTIME_ROLE = f"mylife_app_{RUN}"


def create_database(label: str) -> str:
    """A new, empty database for this run: a SQLite file or a PostgreSQL database."""
    if not SERVER_URL:
        folder = Path(tempfile.mkdtemp(prefix=f"mylife-{label}-"))
        return f"sqlite:///{folder / 'test.sqlite3'}"
    name = f"mylife_{label}_{secrets.token_hex(4)}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url(name)


def drop_database(url: str) -> None:
    if not SERVER_URL:
        return
    name = make_url(url).database
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def server_url(database: str, role: str | None = None) -> str:
    """A database on the test server, as the server's administrator or as `role`
    (trust authentication on 127.0.0.1: no password)."""
    url = make_url(SERVER_URL).set(database=database)
    if role is not None:
        url = url.set(username=role, password=None)
    return url.render_as_string(hide_password=False)


def run_database_urls(label: str = "run") -> tuple[str, str, str]:
    """Where a database of this run is (made by `create_run_database`): the administrator's,
    the owner's and the application's URL."""
    if not SERVER_URL:
        url = f"sqlite:///{tempfile.mkdtemp(prefix=f'mylife-{label}-')}/test.sqlite3"
        return url, url, url
    name = f"mylife_{label}_{RUN}"
    return server_url(name), server_url(name, OWNER_ROLE), server_url(name, RUNTIME_ROLE)


def create_run_database(label: str = "run") -> tuple[str, str, str]:
    """A database of this run: the administrator's, the owner's and the application's URL."""
    urls = run_database_urls(label)
    if SERVER_URL:
        set_up_roles(urls[0], owner=OWNER_ROLE, runtime=RUNTIME_ROLE)
    return urls


def drop_roles() -> None:
    if not SERVER_URL:
        return
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for role in (RUNTIME_ROLE, OWNER_ROLE):
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


# The app reads its settings once; point them at this run's database before any import.
# The database itself is made by the `engine` fixture: a process that runs no test that
# needs it (pytest-xdist's controller) makes none.
ADMIN_URL, MIGRATION_URL, DATABASE_URL = run_database_urls()
os.environ["MYLIFE_DATABASE_URL"] = DATABASE_URL
os.environ["MYLIFE_MIGRATION_DATABASE_URL"] = MIGRATION_URL
os.environ["MYLIFE_ENVIRONMENT"] = "test"
os.environ["MYLIFE_PUBLIC_URL"] = "http://testserver"  # the test client's address
os.environ["MYLIFE_SECRET_KEY"] = secrets.token_hex(32)
# Cheap password hashes: the tests check what hashing decides, not how slow it is.
os.environ["MYLIFE_PASSWORD_TIME_COST"] = "1"
os.environ["MYLIFE_PASSWORD_MEMORY_KIB"] = "64"

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.auth.models import Account  # noqa: E402
from app.core.db import get_engine, get_session, transaction  # noqa: E402
from app.demo import import_shipped_instruments  # noqa: E402
from app.main import app  # noqa: E402

# The real OpenID Connect providers (started on first use), for sign-in and FHIR tests.
pytest_plugins = ["tests.oidc.fixtures"]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["quiet"] = True
    return config


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    get_engine().dispose()
    drop_database(DATABASE_URL)
    drop_roles()


@pytest.fixture(scope="session")
def engine() -> Engine:
    if SERVER_URL:
        set_up_roles(ADMIN_URL, owner=OWNER_ROLE, runtime=RUNTIME_ROLE)
    command.upgrade(alembic_config(MIGRATION_URL), "head")
    if SERVER_URL:  # grants again, as after every migration in production
        set_up_roles(ADMIN_URL, owner=OWNER_ROLE, runtime=RUNTIME_ROLE)
    engine = get_engine()
    with Session(engine) as session:
        import_shipped_instruments(session)
        session.commit()
    return engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever it committed."""
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def committed_accounts(engine: Engine) -> Iterator[list[int]]:
    """For a test whose threads need rows committed for real: the ids of the accounts it
    commits, deleted with everything that hangs on them afterwards, passed or failed.
    Add an account's id after a flush and before the commit."""
    account_ids: list[int] = []
    yield account_ids
    with Session(engine) as session:
        for account_id in account_ids:
            account = session.get(Account, account_id)
            if account is not None:
                session.delete(account)
        session.commit()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """The app on the test's transaction: a request commits to a savepoint only."""

    def test_session() -> Iterator[Session]:
        with transaction(session):
            yield session

    app.dependency_overrides[get_session] = test_session
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser drives Chromium (so `-m "not browser"` leaves them out);
    every test that uses the `engine` fixture touches a database (`-m database`)."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)


# Set while a test without the `database` marker runs: the connections it opened.
_database_free: list[str] | None = None


@event.listens_for(Pool, "checkout")
def _connection_taken(*_args: object) -> None:
    if _database_free is not None:
        _database_free.append("a connection")


@pytest.fixture(autouse=True)
def database_free_tests_open_no_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that runs once (no `database` marker) must not open a database: the test on
    PostgreSQL would never run. Use the `engine` fixture (or one built on it), or mark a
    test that makes databases of its own `@pytest.mark.database`."""
    global _database_free
    if request.node.get_closest_marker("database"):
        yield
        return
    opened: list[str] = []
    _database_free = opened
    try:
        yield
    finally:
        _database_free = None
    assert not opened, (
        f"{request.node.nodeid} opened a database without the `database` marker, so it would "
        "run on SQLite only: use the `engine` fixture (or `session`, `client`, ...), or mark it "
        "`@pytest.mark.database`"
    )
