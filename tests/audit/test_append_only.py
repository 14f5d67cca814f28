"""The audit log can be added to and read, never rewritten.

Every statement here runs as the application does: on PostgreSQL as the runtime role
that owns nothing (see tests/conftest.py). Each attempt runs in its own transaction,
which is committed if the database lets the statement through; then the row is read
back on another connection. The one row the attempts aim at is committed for the run
(it cannot be deleted, by design); it names no person, so no other test sees it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEvent
from app.core.db import build_engine
from tests.conftest import MIGRATION_URL

TABLE = AuditEvent.__table__  # type: ignore[attr-defined]
COLUMNS = "id, at, actor_role, action, object_type, purpose, outcome"
OTHER_VALUES = "(:id, '2020-01-01 00:00:00', 'admin', 'forged', 'audit_event', 'none', 'denied')"
BOTH, SQLITE, POSTGRES = {"sqlite", "postgresql"}, {"sqlite"}, {"postgresql"}
REFUSED_BY_TRIGGER = "append-only"
NOT_ALLOWED = "permission denied|must be owner"


@dataclass(frozen=True)
class Attempt:
    statement: str
    databases: set[str]
    # What refuses it: on SQLite always a trigger; on PostgreSQL the runtime role's
    # missing privileges (its triggers are shown to hold for the owner further down).
    reason: str = ""


ATTEMPTS = {
    "update": Attempt("UPDATE audit_event SET outcome = 'denied' WHERE id = :id", BOTH),
    "update or replace": Attempt(
        "UPDATE OR REPLACE audit_event SET outcome = 'denied' WHERE id = :id", SQLITE
    ),
    "delete": Attempt("DELETE FROM audit_event WHERE id = :id", BOTH),
    "delete without where": Attempt("DELETE FROM audit_event", BOTH),
    "truncate": Attempt("TRUNCATE audit_event", POSTGRES),
    "insert or replace": Attempt(
        f"INSERT OR REPLACE INTO audit_event ({COLUMNS}) VALUES {OTHER_VALUES}", SQLITE
    ),
    "replace into": Attempt(f"REPLACE INTO audit_event ({COLUMNS}) VALUES {OTHER_VALUES}", SQLITE),
    "on conflict do update": Attempt(
        f"INSERT INTO audit_event ({COLUMNS}) VALUES {OTHER_VALUES} "
        "ON CONFLICT (id) DO UPDATE SET outcome = excluded.outcome, action = excluded.action",
        BOTH,
    ),
    "disable trigger all": Attempt("ALTER TABLE audit_event DISABLE TRIGGER ALL", POSTGRES),
    "disable one trigger": Attempt(
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only", POSTGRES
    ),
    "drop trigger": Attempt("DROP TRIGGER audit_event_append_only ON audit_event", POSTGRES),
    "drop table": Attempt("DROP TABLE audit_event", POSTGRES),
    "rename table": Attempt("ALTER TABLE audit_event RENAME TO audit_event_old", POSTGRES),
    "replace the trigger function": Attempt(
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        POSTGRES,
    ),
    "switch triggers off for the session": Attempt(
        "SET session_replication_role = replica", POSTGRES
    ),
    "reset the id sequence": Attempt(
        "SELECT setval(pg_get_serial_sequence('audit_event', 'id'), 1)", POSTGRES
    ),
}


@pytest.fixture(scope="module")
def target(engine: Engine) -> tuple[int, tuple[Any, ...]]:
    """The committed row the attempts aim at: its id and everything stored in it."""
    with engine.begin() as connection:
        new_id = connection.execute(
            insert(TABLE)
            .values(
                at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
                actor_role="case_manager",
                action="test.append_only",
                object_type="audit_event",
                purpose="case_work",
                outcome="allowed",
                client_id="tests.audit",
            )
            .returning(TABLE.c.id)
        ).scalar_one()
    return new_id, stored(engine, new_id)


def stored(engine: Engine, row_id: int) -> tuple[Any, ...]:
    with engine.connect() as connection:
        rows = connection.execute(select(TABLE).where(TABLE.c.id == row_id)).all()
    assert len(rows) == 1
    return tuple(rows[0])


def attempt(engine: Engine, statement: str, row_id: int) -> DBAPIError | None:
    """Run one statement in its own transaction; commit if the database accepts it."""
    params = {"id": row_id} if ":id" in statement else {}
    with engine.connect() as connection:
        try:
            connection.execute(text(statement), params)
        except DBAPIError as refused:
            connection.rollback()
            return refused
        connection.commit()
    return None


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_no_change_to_a_stored_row_gets_through(
    engine: Engine, target: tuple[int, tuple[Any, ...]], name: str
) -> None:
    case = ATTEMPTS[name]
    database = engine.dialect.name
    if database not in case.databases:
        pytest.skip(f"{name}: not a statement of {database}")
    row_id, before = target
    refused = attempt(engine, case.statement, row_id)
    assert refused is not None, f"{name} was accepted"
    reason = REFUSED_BY_TRIGGER if database == "sqlite" else NOT_ALLOWED
    assert refused.orig is not None and _matches(reason, str(refused.orig))
    assert stored(engine, row_id) == before
    assert _table_is_whole(engine)


def _matches(pattern: str, message: str) -> bool:
    return any(part in message for part in pattern.split("|"))


def _table_is_whole(engine: Engine) -> bool:
    """The table is still there, with its triggers, as the owner made it."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
            return connection.execute(text(query), {"t": "audit_event"}).scalar_one() == 3
        query = (
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
            "AND NOT tgisinternal AND tgenabled = 'O'"
        )
        return (
            connection.execute(text(query)).scalar_one() == 3
        )  # append-only, no truncate, ids from the sequence


@pytest.fixture
def owner_engine(engine: Engine) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles: the runtime is the owner")
    owner = build_engine(MIGRATION_URL)
    yield owner
    owner.dispose()


@pytest.mark.parametrize(
    "name", ["update", "delete", "delete without where", "truncate", "on conflict do update"]
)
def test_on_postgresql_the_triggers_refuse_even_the_owner(
    engine: Engine, owner_engine: Engine, target: tuple[int, tuple[Any, ...]], name: str
) -> None:
    row_id, before = target
    refused = attempt(owner_engine, ATTEMPTS[name].statement, row_id)
    if name == "on conflict do update":
        # The row's id comes from the sequence, so there is no conflict to update through:
        # the statement adds a row of its own (if it commits), and the stored one stays.
        assert refused is None or REFUSED_BY_TRIGGER in str(refused.orig)
    else:
        assert refused is not None and REFUSED_BY_TRIGGER in str(refused.orig)
    assert stored(engine, row_id) == before


def test_on_postgresql_the_application_owns_nothing_and_may_only_add_and_read(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles")
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    with engine.connect() as connection:

        def may(table: str) -> set[str]:
            check = text("SELECT has_table_privilege(:table, :privilege)")
            return {
                p for p in privileges if connection.scalar(check, {"table": table, "privilege": p})
            }

        assert may("audit_event") == {"SELECT", "INSERT"}
        assert may("account") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
        assert may("alembic_version") == {"SELECT"}
        me, owner = connection.execute(
            text("SELECT current_user, tableowner FROM pg_tables WHERE tablename = 'audit_event'")
        ).one()
        assert me != owner
        assert not connection.scalar(text("SELECT pg_has_role(:owner, 'MEMBER')"), {"owner": owner})
        owned = text(
            "SELECT count(*) FROM pg_shdepend "
            "WHERE deptype = 'o' AND refobjid = current_user::regrole"
        )
        assert connection.scalar(owned) == 0
        # No temporary table can stand in for the audit log on a pooled connection.
        temp = text("SELECT has_database_privilege(current_database(), 'TEMPORARY')")
        assert connection.scalar(temp) is False


def test_adding_and_reading_still_work(engine: Engine, target: tuple[int, tuple[Any, ...]]) -> None:
    """A plain insert is accepted and read back. On PostgreSQL an id of the inserter's own
    choosing is replaced by the sequence's next one, so no one can take an id ahead of the
    sequence and make every later audited request fail on it."""
    row_id, _ = target
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        values = {"actor_role": "young_person", "action": "test.insert", "object_type": "x"}
        added = connection.execute(
            insert(TABLE)
            .values(at=datetime.now(UTC), outcome="allowed", **values)
            .returning(TABLE.c.id)
        ).scalar_one()
        chosen = added + 1000
        connection.execute(
            insert(TABLE).values(id=chosen, at=datetime.now(UTC), outcome="denied", **values)
        )
        following = connection.execute(
            insert(TABLE)
            .values(at=datetime.now(UTC), outcome="allowed", **values)
            .returning(TABLE.c.id)
        ).scalar_one()
        read = connection.execute(
            select(TABLE.c.id, TABLE.c.outcome)
            .where(TABLE.c.action == "test.insert")
            .order_by(TABLE.c.id)
        ).all()
        second = added + 1 if postgres else chosen
        assert [tuple(r) for r in read][:2] == [(added, "allowed"), (second, "denied")]
        assert following > second and added > row_id
        connection.rollback()


def test_on_sqlite_replace_is_refused_even_without_the_insert_trigger(
    engine: Engine, target: tuple[int, tuple[Any, ...]]
) -> None:
    """The second guard: recursive triggers make REPLACE's implicit delete fire the
    DELETE trigger. Shown by dropping the first guard in a transaction rolled back."""
    if engine.dialect.name != "sqlite":
        pytest.skip("REPLACE is SQLite's")
    row_id, before = target
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA recursive_triggers")).scalar_one() == 1
        connection.execute(text("DROP TRIGGER audit_event_no_overwrite"))
        with pytest.raises(DBAPIError, match=REFUSED_BY_TRIGGER):
            connection.execute(text(ATTEMPTS["replace into"].statement), {"id": row_id})
        connection.rollback()
    assert stored(engine, row_id) == before
    assert _table_is_whole(engine)
