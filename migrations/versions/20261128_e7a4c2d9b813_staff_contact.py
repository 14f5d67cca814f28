"""How a staff member's clients reach them: a phone number and a note (hours, other ways)

Revision ID: e7a4c2d9b813
Revises: 6d2b9e4f1a70
Create Date: 2026-11-28 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a4c2d9b813"
down_revision: str | None = "6d2b9e4f1a70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# recreate="never": plain ADD/DROP COLUMN on SQLite too (see the staff organisation revision).


def upgrade() -> None:
    with op.batch_alter_table("account", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=25), nullable=True))
        batch_op.add_column(sa.Column("contact_note", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account", recreate="never") as batch_op:
        batch_op.drop_column("contact_note")
        batch_op.drop_column("contact_phone")
