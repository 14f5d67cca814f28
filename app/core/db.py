"""Database engine and the one-transaction-per-request session dependency."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

from app.core.bounds import INT_RANGE, date_in_range
from app.core.config import get_settings
from app.core.errors import Unstorable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the pysqlite driver, decide where transactions begin,
    # so that SAVEPOINTs work (pysqlite's own handling breaks them).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # REPLACE's implicit delete of a conflicting row fires DELETE triggers, so it cannot
    # slip past the audit log's (a second guard beside its BEFORE INSERT trigger).
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock at the start, so concurrent writers wait
    # (busy_timeout) instead of failing when a read lock cannot be upgraded.
    # Readers are not blocked in WAL mode.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _outside_range(value: Any) -> bool:
    """A value no column can hold. What the outside sends is bounded where it is read; this is
    the last guard for anything a check missed: a 400 naming no field, never a 500."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value not in INT_RANGE
    if isinstance(value, date):  # datetime too
        return not date_in_range(value)
    return isinstance(value, str) and "\x00" in value


def _values(parameters: Any) -> Iterator[Any]:
    if isinstance(parameters, dict):
        yield from parameters.values()
    elif isinstance(parameters, list | tuple):
        for item in parameters:
            if isinstance(item, dict | list | tuple):
                yield from _values(item)
            else:
                yield item


def _refuse_unstorable(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    if any(_outside_range(value) for value in _values(parameters)):
        raise Unstorable()


def build_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,  # a logged error never shows a password hash or a name
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=10,
        )
    event.listen(engine, "before_cursor_execute", _refuse_unstorable)
    return engine


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return build_engine(settings.database_url, echo=settings.log_sql)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit when the block succeeds, roll back on any error.

    An error may carry rows to keep anyway (`keep`, e.g. the audit record of
    a refused access); they are committed after the rollback.
    """
    try:
        yield session
        session.commit()
    except BaseException as error:
        session.rollback()
        kept = getattr(error, "keep", None)
        if kept:
            session.add_all(kept)
            session.commit()
        raise


def end_transaction(session: Session) -> None:
    """Commit what the request has done so far, before slow work that needs no database.

    Checking a password hash takes half a second of CPU. On SQLite every transaction
    holds the one write lock from its first statement (BEGIN IMMEDIATE), so holding
    a transaction open through the hash makes every other writer wait; on PostgreSQL
    it would hold row locks and a connection. The next statement opens a new
    transaction, which SessionDep commits or rolls back at the end as usual.
    """
    session.commit()


def get_session() -> Iterator[Session]:
    """One transaction per request."""
    with Session(get_engine(), expire_on_commit=False) as session, transaction(session):
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
