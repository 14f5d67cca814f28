"""The migration that names the staff account doing a case manager's action fills it in for
earlier actions: the case manager who added it, else the person's only case manager; an
action of a person with two, added by the young person, stays unnamed. It goes down again."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from app.core.db import build_engine
from tests.conftest import alembic_config, create_database, drop_database

BEFORE = "4c1d7e2a9b35"
ACCOUNTS = (
    "INSERT INTO account (id, display_name, role, is_active, created_at) VALUES "
    "(1, 'Kaisa', 'case_manager', true, CURRENT_TIMESTAMP), "
    "(2, 'Mikko', 'case_manager', true, CURRENT_TIMESTAMP), "
    "(3, 'Aino', 'young_person', true, CURRENT_TIMESTAMP), "
    "(4, 'Elias', 'young_person', true, CURRENT_TIMESTAMP)"
)
# Aino works with Kaisa and Mikko, Elias with Kaisa only.
CASES = (
    "INSERT INTO case_assignment (case_manager_id, young_person_id, created_at) VALUES "
    "(1, 3, CURRENT_TIMESTAMP), (2, 3, CURRENT_TIMESTAMP), (1, 4, CURRENT_TIMESTAMP)"
)
PLANS = (
    "INSERT INTO plan (id, young_person_id, revision, created_at, updated_at) VALUES "
    "(1, 3, 4, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
    "(2, 4, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
GOALS = (
    "INSERT INTO goal (id, plan_id, text, themes, status, version, created_at, updated_at) "
    "VALUES (1, 1, 'A home', '[]', 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
    "(2, 2, 'A job', '[]', 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
ACTIONS = (
    "INSERT INTO plan_action (id, goal_id, plan_id, text, owner, done, version, created_at, "
    "updated_at) VALUES "
    "(1, 1, 1, 'Budget', 'case_manager', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
    "(2, 1, 1, 'Call', 'case_manager', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
    "(3, 1, 1, 'Visit', 'young_person', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
    "(4, 2, 2, 'Ask', 'case_manager', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
# Mikko added the first action, Aino the second and third, Elias the fourth.
CHANGES = (
    "INSERT INTO plan_change (plan_id, revision, object_type, object_id, kind, actor_id, "
    "actor_name, actor_role, at, after) VALUES "
    "(1, 2, 'action', 1, 'created', 2, 'Mikko', 'case_manager', CURRENT_TIMESTAMP, '{}'), "
    "(1, 3, 'action', 2, 'created', 3, 'Aino', 'young_person', CURRENT_TIMESTAMP, '{}'), "
    "(1, 4, 'action', 3, 'created', 3, 'Aino', 'young_person', CURRENT_TIMESTAMP, '{}'), "
    "(2, 1, 'action', 4, 'created', 4, 'Elias', 'young_person', CURRENT_TIMESTAMP, '{}')"
)


@pytest.fixture
def migrated() -> Iterator[tuple[Engine, Config]]:
    """A database of its own at the revision before, and how to move it."""
    url = create_database("action_owner")
    engine = build_engine(url)
    config = alembic_config(url)
    command.upgrade(config, BEFORE)
    yield engine, config
    engine.dispose()
    drop_database(url)


def test_earlier_actions_of_a_case_manager_name_which_one(
    migrated: tuple[Engine, Config],
) -> None:
    engine, config = migrated
    with engine.begin() as connection:
        for statement in (ACCOUNTS, CASES, PLANS, GOALS, ACTIONS, CHANGES):
            connection.execute(text(statement))
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, owner_id FROM plan_action ORDER BY id"))
        assert [tuple(row) for row in rows] == [(1, 2), (2, None), (3, None), (4, 1)]
    command.downgrade(config, BEFORE)
    assert "owner_id" not in {c["name"] for c in inspect(engine).get_columns("plan_action")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM plan_action")).scalar_one() == 4
