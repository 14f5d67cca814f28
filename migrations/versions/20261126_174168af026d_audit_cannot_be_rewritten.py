"""audit log cannot be rewritten: no insert over an existing row

Revision ID: 174168af026d
Revises: 38e9ae569fd3
Create Date: 2026-11-26 09:00:00.000000

On SQLite, `INSERT OR REPLACE` / `REPLACE INTO` with the id of an existing row
deletes that row and inserts another; the implicit delete fires no DELETE
trigger (unless recursive_triggers is on, which app/core/db.py also turns on).
A BEFORE INSERT trigger now refuses any insert whose id is already taken, so
REPLACE, `INSERT ... ON CONFLICT (id) DO UPDATE` and `INSERT OR IGNORE` over a
row are all refused before SQLite looks for a conflict.

PostgreSQL has no REPLACE: an insert with a taken id is a unique violation,
`ON CONFLICT DO UPDATE` fires the existing BEFORE UPDATE trigger, and TRUNCATE
has its own trigger (8fe929dac24f). What stops the application's database user
from disabling those triggers is that it owns nothing (app/core/db_roles.py),
so there is nothing to change here.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "174168af026d"
down_revision: str | None = "38e9ae569fd3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TRIGGER audit_event_no_overwrite BEFORE INSERT ON audit_event "
        "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER audit_event_no_overwrite")
