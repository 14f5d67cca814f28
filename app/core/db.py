"""Database engine and the one-transaction-per-request session dependency."""

import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
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


# An execution option: the transaction is a request's that should only read (GET, HEAD).
READING = "mylife_reading"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_SECONDS = 5
# On SQLite, the threads of this process queue here for a database's one write lock: a
# waiting thread wakes the moment the lock is free, where SQLite's own busy handler
# sleeps and polls (and a burst of writers starves some of them past busy_timeout).
# Other processes still wait through busy_timeout.
_writers: dict[str, threading.Lock] = {}
HOLDS_WRITER = "mylife_holds_writer"


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
    # FULL: a commit is on disk before the person is told it is saved, power cut or not
    # (NORMAL would be faster in WAL mode but may lose the last commits on a power cut).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """A request that reads (GET) begins DEFERRED: in WAL mode it reads a snapshot and never
    waits for, or holds, the one write lock. Anything else begins IMMEDIATE: it takes the
    write lock at the start, so concurrent writers wait (busy_timeout) instead of failing
    when a read lock cannot be upgraded in the middle of a transaction."""
    info = connection.connection.info
    info[READING] = False
    if connection.get_execution_options().get(READING):
        connection.exec_driver_sql("BEGIN DEFERRED")
        info[READING] = True
    else:
        _take_writer(connection.engine, info)
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _take_writer(engine: Engine, info: dict[Any, Any]) -> None:
    writer = _writers.setdefault(str(engine.url), threading.Lock())
    if not writer.acquire(timeout=BUSY_SECONDS):
        raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked"))
    info[HOLDS_WRITER] = writer


def _give_writer(info: dict[Any, Any]) -> None:
    writer = info.pop(HOLDS_WRITER, None)
    if writer is not None:
        writer.release()


def _sqlite_ended(connection: Any) -> None:
    _give_writer(connection.connection.info)


def _sqlite_returned(_dbapi_connection: Any, record: Any, _state: Any = None) -> None:
    """A connection given back (checked in, reset or invalidated) gives back the writer's
    place. The third argument (`reset_state`, or the exception) is SQLAlchemy 2's signature."""
    _give_writer(record.info)


def _sqlite_write_begins(
    conn: Any, cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    """The first write of a reading transaction (a GET's: the session's last-seen time, an
    audit row) ends the reading part, which changed nothing, and takes the write lock
    before writing: upgrading a WAL snapshot in place fails when another writer committed
    after it began ("database is locked"). What a GET writes does not depend on its reads
    staying current: a time stamp, an appended row, a row created on first use."""
    info = conn.connection.info
    if not info.get(READING) or statement.lstrip()[:6].upper() in ("SELECT", "PRAGMA"):
        return
    info[READING] = False
    cursor.execute("COMMIT")
    _take_writer(conn.engine, info)
    cursor.execute("BEGIN IMMEDIATE")


def _gone(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Checked out of the pool without a round trip: an idle connection has nothing to
    read, so a readable socket means the server has closed it (a restart, an idle
    timeout, a terminated backend; it says so before it hangs up). The pool then opens
    a new one (DisconnectionError). A connection lost without a word fails its request
    once and the pool is renewed; pool_recycle keeps connections younger than any
    firewall's idle limit."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return
    try:
        readable, _w, _x = select.select([fileno()], [], [], 0)
    except (OSError, ValueError) as error:
        raise DisconnectionError() from error
    if readable:
        raise DisconnectionError()


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
        event.listen(engine, "before_cursor_execute", _sqlite_write_begins)
        for ended in ("commit", "rollback"):
            event.listen(engine, ended, _sqlite_ended)
        for returned in ("reset", "checkin", "invalidate"):
            event.listen(engine.pool, returned, _sqlite_returned)
    else:
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,  # a logged error never shows a password hash or a name
            pool_size=10,
            max_overflow=10,
            pool_recycle=1800,
        )
        # No ping per checkout (a round trip every request): a closed socket is noticed
        # without one.
        event.listen(engine.pool, "checkout", _gone)
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


@lru_cache
def _reading_engine() -> Engine:
    """The engine, for a request that should only read (the same pool)."""
    return get_engine().execution_options(**{READING: True})


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request; on SQLite a GET's reads take no write lock."""
    reads = request.method in SAFE_METHODS
    engine = _reading_engine() if reads else get_engine()
    with Session(engine, expire_on_commit=False) as session, transaction(session):
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
