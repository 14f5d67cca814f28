"""The migration that adds the actor's role to plan history fills it in for earlier changes,
and both new revisions go down again without touching the rows they leave."""

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app.core.db import build_engine
from tests.conftest import alembic_config, create_database, drop_database

BEFORE = "38e9ae569fd3"


@pytest.mark.database  # its own databases, on each server
def test_earlier_changes_get_their_actors_role() -> None:
    url = create_database("actor_role")
    database = build_engine(url)
    try:
        config = alembic_config(url)
        command.upgrade(config, BEFORE)
        with database.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO account (id, display_name, role, is_active, created_at) VALUES "
                    "(1, 'Kaisa', 'case_manager', true, CURRENT_TIMESTAMP), "
                    "(2, 'Lumi', 'young_person', true, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO plan (id, young_person_id, revision, created_at, updated_at) "
                    "VALUES (1, 2, 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO plan_change (plan_id, revision, object_type, object_id, kind, "
                    "actor_id, actor_name, at, after) VALUES "
                    "(1, 1, 'goal', 1, 'created', 1, 'Kaisa', CURRENT_TIMESTAMP, '{}'), "
                    "(1, 2, 'goal', 1, 'updated', 2, 'Lumi', CURRENT_TIMESTAMP, '{}'), "
                    "(1, 3, 'goal', 1, 'updated', NULL, 'Gone', CURRENT_TIMESTAMP, '{}')"
                )
            )
        command.upgrade(config, "head")
        with database.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT actor_name, actor_role, actor_organisation FROM plan_change "
                    "ORDER BY revision"
                )
            ).all()
        assert [tuple(row) for row in rows] == [
            ("Kaisa", "case_manager", None),
            ("Lumi", "young_person", None),
            ("Gone", None, None),
        ]
        command.downgrade(config, BEFORE)
        columns = {c["name"] for c in inspect(database).get_columns("plan_change")}
        assert "actor_role" not in columns and "actor_organisation" not in columns
        assert "organisation" not in {c["name"] for c in inspect(database).get_columns("account")}
        with database.connect() as connection:
            # Going down kept the rows (no table was copied and dropped under them).
            assert connection.execute(text("SELECT count(*) FROM plan_change")).scalar_one() == 3
            assert connection.execute(text("SELECT count(*) FROM account")).scalar_one() == 2
    finally:
        database.dispose()
        drop_database(url)
