"""PostgreSQL roles: `python -m app.cli db roles` and what migrations keep of its grants.

The run's own database was set up by the same code (tests/conftest.py), so these tests
run the command again on it and read the privileges the runtime role ends up with.
"""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app.cli import main
from app.core.db import build_engine
from tests.conftest import (
    ADMIN_URL,
    MIGRATION_URL,
    OWNER_ROLE,
    RUNTIME_ROLE,
    SERVER_URL,
    alembic_config,
)

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
EXPECTED = {
    "audit_event": {"SELECT", "INSERT"},
    "account": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "plan_change": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "alembic_version": {"SELECT"},
}
ROLES = ["db", "roles", "--owner", OWNER_ROLE, "--runtime", RUNTIME_ROLE]
postgres_only = pytest.mark.skipif(not SERVER_URL, reason="SQLite has no roles")


def runtime_privileges(engine: Engine) -> dict[str, set[str]]:
    """What the application's role may do to some tables, and to the audit id sequence."""
    check = text("SELECT has_table_privilege(:table, :privilege)")
    with engine.connect() as connection:
        found = {
            table: {
                p for p in PRIVILEGES if connection.scalar(check, {"table": table, "privilege": p})
            }
            for table in EXPECTED
        }
        sequence = text("SELECT has_sequence_privilege('audit_event_id_seq', :privilege)")
        found["audit_event_id_seq"] = {
            p
            for p in ("USAGE", "SELECT", "UPDATE")
            if connection.scalar(sequence, {"privilege": p})
        }
    return found


def test_on_sqlite_there_are_no_roles_to_set_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "mylife.sqlite3"
    assert main([*ROLES, "--admin-url", f"sqlite:///{database}"]) == 0
    assert "no database roles to set up" in capsys.readouterr().out
    assert not database.exists()


@postgres_only
def test_running_it_again_changes_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert runtime_privileges(engine) == {**EXPECTED, "audit_event_id_seq": {"USAGE"}}
    assert main([*ROLES, "--admin-url", ADMIN_URL]) == 0
    database = make_url(ADMIN_URL).database
    assert capsys.readouterr().out.splitlines() == [
        f"{OWNER_ROLE} owns {database}; {RUNTIME_ROLE} owns nothing and has the grants"
    ]
    assert runtime_privileges(engine) == {**EXPECTED, "audit_event_id_seq": {"USAGE"}}


@postgres_only
def test_a_superuser_or_a_bad_name_is_refused_as_the_runtime_role(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    administrator = make_url(SERVER_URL).username or "postgres"
    refused = ["db", "roles", "--owner", OWNER_ROLE, "--admin-url", ADMIN_URL]
    assert main([*refused, "--runtime", administrator]) == 1
    assert "the runtime role must be an ordinary role" in capsys.readouterr().err
    assert main([*refused, "--runtime", 'app"; DROP TABLE audit_event; --']) == 1
    assert "a role name is lower-case letters" in capsys.readouterr().err
    with engine.connect() as connection:
        owner = connection.scalar(
            text(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
            )
        )
    assert owner == OWNER_ROLE
    assert runtime_privileges(engine)["audit_event"] == {"SELECT", "INSERT"}


@postgres_only
def test_a_migration_run_takes_back_what_the_audit_log_may_not_be_granted(engine: Engine) -> None:
    """As when a migration creates the audit table again and default privileges grant
    it in full: after `alembic upgrade`, the runtime role may only add to it and read it."""
    owner = build_engine(MIGRATION_URL)
    try:
        with owner.begin() as connection:
            for statement in (
                "GRANT UPDATE, DELETE, TRUNCATE, TRIGGER ON audit_event TO {role}",
                "GRANT SELECT, UPDATE ON SEQUENCE audit_event_id_seq TO {role}",
                "GRANT INSERT, UPDATE, DELETE ON alembic_version TO {role}",
                "GRANT UPDATE, DELETE ON audit_event TO PUBLIC",
            ):
                connection.execute(text(statement.format(role=f'"{RUNTIME_ROLE}"')))
        assert "UPDATE" in runtime_privileges(engine)["audit_event"]
        command.upgrade(alembic_config(MIGRATION_URL), "head")
    finally:
        owner.dispose()
    assert runtime_privileges(engine) == {**EXPECTED, "audit_event_id_seq": {"USAGE"}}
