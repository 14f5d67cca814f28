"""PostgreSQL roles: migrations run as an owner, the application as a role that owns nothing.

The runtime role reads and writes the ordinary tables, but may only add to and read
the audit log; owning nothing, it cannot ALTER, DROP, TRUNCATE or disable a trigger,
so the audit log's triggers hold against it. `set_up` (run by `python -m app.cli db
roles` and by the tests) creates both roles and the database if missing, hands every
object of the schema to the owner and applies the grants; running it again changes
nothing. Default privileges grant tables that later migrations create (as the owner)
to the runtime role; `restrict_limited_tables`, run by migrations/env.py after every
migration, takes back from everyone but the owner what they may not do to the tables
in LIMITED, even when a migration has created such a table again.

SQLite has no roles; none of this applies to it.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, LiteralString

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from app.core.config import Settings

SCHEMA = "public"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
# Tables that are not ordinary: what anyone but their owner may do with them.
LIMITED: dict[str, tuple[str, ...]] = {
    "audit_event": ("SELECT", "INSERT"),  # append-only
    "alembic_version": ("SELECT",),  # only migrations change it
}
# Sequences of LIMITED tables: nextval (USAGE) only, no setval (UPDATE) or reading (SELECT).
LIMITED_SEQUENCES = (("audit_event", "id"),)
RUNTIME_MAY_NOT = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")


class RoleSetupError(Exception):
    """The roles cannot be set up safely as asked; the grants were left as they were."""


def migration_url(settings: Settings) -> str:
    """Where migrations connect: the owner on PostgreSQL, else the application's database."""
    return settings.migration_database_url or settings.database_url


def set_up(
    admin_url: str,
    *,
    owner: str,
    runtime: str,
    owner_password: str | None = None,
    runtime_password: str | None = None,
) -> list[str]:
    """Connected as an administrator, make `owner` own the database named in `admin_url`
    and everything in it, and grant `runtime` what the application needs. Idempotent.

    Roles and the database are created from the server's `postgres` database; the
    ownership and the grants change in one transaction, rolled back if the runtime role
    would still own something or be able to change the limited tables."""
    for name in (owner, runtime):
        if not ROLE_NAME.fullmatch(name):
            raise RoleSetupError(f"{name!r}: a role name is lower-case letters, digits and _")
    if owner == runtime:
        raise RoleSetupError("the owner and the runtime role must be two different roles")
    target = make_url(admin_url)
    database = target.database
    if not database or database == "postgres":
        raise RoleSetupError("name the application's database in the administrator's URL")
    done: list[str] = []
    with _connect(target.set(database="postgres"), autocommit=True) as connection:
        _check_runtime_role(connection, runtime, owner)
        done += _ensure_role(connection, owner, owner_password)
        done += _ensure_role(connection, runtime, runtime_password)
        done += _ensure_database(connection, database, owner)
    with _connect(target, autocommit=False) as connection:
        _take_ownership(connection, owner)
        _grant(connection, database=database, owner=owner, runtime=runtime)
        restrict_limited_tables(connection)
        _verify(connection, owner=owner, runtime=runtime)
    done.append(f"{owner} owns {database}; {runtime} owns nothing and has the grants")
    return done


@contextmanager
def _connect(url: URL, *, autocommit: bool) -> Iterator[psycopg.Connection[Any]]:
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=autocommit) as connection:
        yield connection  # commits on leaving, rolls back on an error


def _run(connection: psycopg.Connection[Any], template: LiteralString, **parts: Any) -> None:
    connection.execute(sql.SQL(template).format(**parts))


def _value(connection: psycopg.Connection[Any], query: LiteralString, *params: Any) -> Any:
    row = connection.execute(query, params).fetchone()
    return None if row is None else row[0]


def _check_runtime_role(connection: psycopg.Connection[Any], runtime: str, owner: str) -> None:
    row = connection.execute(
        "SELECT " + ", ".join(RUNTIME_MAY_NOT) + " FROM pg_roles WHERE rolname = %s",
        (runtime,),
    ).fetchone()
    if row is not None and any(row):
        raise RoleSetupError(
            f"{runtime} may not be a superuser or create roles or databases, replicate "
            "or bypass row security; the runtime role must be an ordinary role"
        )
    member = "SELECT pg_has_role(%s, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s"
    if row is not None and _value(connection, member, runtime, owner, owner):
        raise RoleSetupError(f"{runtime} is a member of {owner}, so it could act as the owner")


def _ensure_role(connection: psycopg.Connection[Any], name: str, password: str | None) -> list[str]:
    exists = _value(connection, "SELECT 1 FROM pg_roles WHERE rolname = %s", name)
    if not exists:
        _run(connection, "CREATE ROLE {role} LOGIN", role=sql.Identifier(name))
    if password:
        _run(
            connection,
            "ALTER ROLE {role} PASSWORD {password}",
            role=sql.Identifier(name),
            password=sql.Literal(password),
        )
    return [] if exists else [f"created the role {name}"]


def _ensure_database(connection: psycopg.Connection[Any], database: str, owner: str) -> list[str]:
    current = _value(
        connection, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", database
    )
    names = {"db": sql.Identifier(database), "owner": sql.Identifier(owner)}
    if current is None:
        _run(connection, "CREATE DATABASE {db} OWNER {owner}", **names)
        return [f"created the database {database}"]
    if current != owner:
        _run(connection, "ALTER DATABASE {db} OWNER TO {owner}", **names)
        return [f"{database} belonged to {current}"]
    return []


# What ALTER ... OWNER each kind of object needs; a table's indexes and the sequences of
# its serial columns follow the table.
_OWNED = (
    ("TABLE", "c.oid::regclass::text", "pg_class c", "c.relkind IN ('r', 'p') AND c.relowner"),
    ("VIEW", "c.oid::regclass::text", "pg_class c", "c.relkind = 'v' AND c.relowner"),
    ("MATERIALIZED VIEW", "c.oid::regclass::text", "pg_class c", "c.relkind = 'm' AND c.relowner"),
    (
        "SEQUENCE",
        "c.oid::regclass::text",
        "pg_class c",
        "c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid "
        "AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) AND c.relowner",
    ),
    ("ROUTINE", "c.oid::regprocedure::text", "pg_proc c", "c.proowner"),
)


def _take_ownership(connection: psycopg.Connection[Any], owner: str) -> None:
    """The owner owns the schema and every table, view, sequence and function in it."""
    role = sql.Identifier(owner)
    _run(
        connection,
        "ALTER SCHEMA {schema} OWNER TO {role}",
        schema=sql.Identifier(SCHEMA),
        role=role,
    )
    namespace = {"pg_class c": "c.relnamespace", "pg_proc c": "c.pronamespace"}
    for kind, name, catalog, owned_by in _OWNED:
        query = (
            f"SELECT {name} FROM {catalog} WHERE {namespace[catalog]} = %s::regnamespace "
            f"AND {owned_by} <> %s::regrole"
        )
        for (found,) in connection.execute(query, (SCHEMA, owner)).fetchall():
            connection.execute(
                sql.SQL("ALTER {} {} OWNER TO {}").format(
                    sql.SQL(kind),
                    sql.SQL(found),  # a name PostgreSQL quoted itself
                    role,
                )
            )


def _grant(connection: psycopg.Connection[Any], *, database: str, owner: str, runtime: str) -> None:
    names = {
        "db": sql.Identifier(database),
        "schema": sql.Identifier(SCHEMA),
        "owner": sql.Identifier(owner),
        "runtime": sql.Identifier(runtime),
    }
    for statement in (
        "GRANT CONNECT ON DATABASE {db} TO {runtime}",
        # No temporary tables: one named audit_event would hide the real one for the rest
        # of a pooled connection, and the application never needs one.
        "REVOKE TEMPORARY ON DATABASE {db} FROM PUBLIC",
        "REVOKE TEMPORARY ON DATABASE {db} FROM {runtime}",
        "REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        "GRANT USAGE ON SCHEMA {schema} TO {runtime}",
        # Start from nothing, so that a privilege granted by hand earlier goes too.
        "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {runtime}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {runtime}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {runtime}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {runtime}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        "GRANT USAGE, SELECT ON SEQUENCES TO {runtime}",
    ):
        _run(connection, statement, **names)


def restrict_limited_tables(connection: psycopg.Connection[Any]) -> None:
    """Take from everyone but the owner what they may not do to the tables in LIMITED
    (and to the audit log's id sequence): e.g. UPDATE, DELETE, TRUNCATE on the audit log."""
    for table, allowed in LIMITED.items():
        refused = [p for p in TABLE_PRIVILEGES if p not in allowed]
        _revoke(connection, "TABLE", table, refused)
    for table, column in LIMITED_SEQUENCES:
        if _value(connection, "SELECT to_regclass(%s)", table) is not None:
            sequence = _value(connection, "SELECT pg_get_serial_sequence(%s, %s)", table, column)
            if sequence is not None:
                _revoke(connection, "SEQUENCE", sequence, ["SELECT", "UPDATE"])


def _revoke(
    connection: psycopg.Connection[Any], kind: LiteralString, name: str, privileges: list[str]
) -> None:
    grantees = connection.execute(
        "SELECT DISTINCT a.grantee = 0, pg_get_userbyid(a.grantee) "
        "FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "WHERE c.oid = to_regclass(%s) AND a.grantee <> c.relowner",
        (name,),
    ).fetchall()
    for public, role in grantees:
        connection.execute(
            sql.SQL("REVOKE {} ON " + kind + " {} FROM {}").format(
                sql.SQL(", ").join(sql.SQL(p) for p in privileges),
                sql.SQL(name),  # a name PostgreSQL quoted itself
                sql.SQL("PUBLIC") if public else sql.Identifier(role),
            )
        )


def _verify(connection: psycopg.Connection[Any], *, owner: str, runtime: str) -> None:
    """Refuse (and roll back) when the runtime role still owns something or may change the
    limited tables, e.g. through a predefined role such as pg_write_all_data."""
    problems = []
    if _value(connection, "SELECT pg_has_role(%s, %s, 'MEMBER')", runtime, owner):
        problems.append(f"{runtime} is a member of {owner}")
    owned = _value(
        connection,
        "SELECT count(*) FROM pg_shdepend WHERE deptype = 'o' AND refobjid = %s::regrole "
        "AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
        runtime,
    )
    if owned:
        problems.append(f"{runtime} owns {owned} objects in this database")
    for table, allowed in LIMITED.items():
        if _value(connection, "SELECT to_regclass(%s)", table) is None:
            continue
        for privilege in TABLE_PRIVILEGES:
            check = "SELECT has_table_privilege(%s, %s, %s)"
            if privilege not in allowed and _value(connection, check, runtime, table, privilege):
                problems.append(f"{runtime} may {privilege} {table}")
    if problems:
        raise RoleSetupError("; ".join(problems))
