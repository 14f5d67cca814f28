"""Migrations: up from nothing, all the way down, and no drift from the models."""

import pytest
from alembic import command
from sqlalchemy import inspect

from app.core.db import build_engine
from tests.conftest import alembic_config, create_database, drop_database


@pytest.mark.database  # its own databases, on each server
def test_upgrade_downgrade_and_no_drift() -> None:
    url = create_database("migrations")
    engine = build_engine(url)
    try:
        config = alembic_config(url)
        command.upgrade(config, "head")
        tables = set(inspect(engine).get_table_names())
        assert {"account", "assessment", "answer", "instrument_version", "auth_session"} <= tables
        command.check(config)  # raises when the models and the migrations disagree
        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        assert "answer" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        drop_database(url)
