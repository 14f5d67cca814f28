"""Alembic environment: the database URL comes from Settings (MYLIFE_MIGRATION_DATABASE_URL,
else MYLIFE_DATABASE_URL), or from a connection handed over by the caller.

On PostgreSQL, after the migrations and in their transaction, everyone but the owner
loses what they may not do to the audit log and alembic_version (app/core/db_roles.py),
even when a migration has just created one again and default privileges granted it in full."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from app import models  # noqa: F401  (registers every table)
from app.core.config import get_settings
from app.core.db import build_engine, metadata
from app.core.db_roles import migration_url, restrict_limited_tables

config = context.config
if config.config_file_name is not None and not config.attributes.get("quiet"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )


def _migrate(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "postgresql":
            restrict_limited_tables(connection.connection.driver_connection)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = build_engine(config.get_main_option("sqlalchemy.url") or migration_url(get_settings()))
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
