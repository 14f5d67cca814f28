"""The audit log's ids always come from its sequence (PostgreSQL)

A role that may add rows could otherwise give a row an id the sequence has not reached
yet; every later audited request would then fail on the taken id. On SQLite the
application's "role" owns the file, so there is nothing to enforce there.

Revision ID: c3a1e5f0b7d2
Revises: 917541b71321
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3a1e5f0b7d2"
down_revision: str | None = "917541b71321"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION audit_event_next_id() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN NEW.id := nextval(pg_get_serial_sequence('audit_event', 'id')); RETURN NEW; "
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_next_id BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_next_id()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_event_next_id ON audit_event")
    op.execute("DROP FUNCTION audit_event_next_id()")
