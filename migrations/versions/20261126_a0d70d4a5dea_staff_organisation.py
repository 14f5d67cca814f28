"""Staff organisation: where a staff member works, shown beside their name

Revision ID: a0d70d4a5dea
Revises: 38e9ae569fd3
Create Date: 2026-11-26 09:12:40.118204
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a0d70d4a5dea"
down_revision: str | None = "174168af026d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# recreate="never": on SQLite a plain ADD/DROP COLUMN. Copying `account` into a new table
# would drop the old one, and with foreign keys on that deletes every row that refers to it.


def upgrade() -> None:
    with op.batch_alter_table("account", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("organisation", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account", recreate="never") as batch_op:
        batch_op.drop_column("organisation")
