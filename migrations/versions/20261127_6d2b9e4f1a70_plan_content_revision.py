"""A plan's content revision: the agreement covers the plan's content, not its progress

Revision ID: 6d2b9e4f1a70
Revises: c3a1e5f0b7d2
Create Date: 2026-11-27 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d2b9e4f1a70"
down_revision: str | None = "c3a1e5f0b7d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# recreate="never": plain ADD/DROP COLUMN on SQLite too (see the staff organisation revision).


def upgrade() -> None:
    with op.batch_alter_table("plan", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("content_revision", sa.Integer(), nullable=False, server_default="0")
        )
    # Every earlier change counted as content: each plan keeps the state it had.
    op.execute("UPDATE plan SET content_revision = revision")


def downgrade() -> None:
    with op.batch_alter_table("plan", recreate="never") as batch_op:
        batch_op.drop_column("content_revision")
