"""Plan history keeps the role and organisation of whoever made each change

Revision ID: b431c7dc34c0
Revises: a0d70d4a5dea
Create Date: 2026-11-26 09:14:02.540771
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b431c7dc34c0"
down_revision: str | None = "a0d70d4a5dea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# recreate="never": plain ADD/DROP COLUMN on SQLite too (see the staff organisation revision).


def upgrade() -> None:
    with op.batch_alter_table("plan_change", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("actor_role", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("actor_organisation", sa.String(120), nullable=True))
    # Earlier changes: an account's role never changes, so today's is the one it had then.
    # Nobody had an organisation before this release; the account's is left out.
    op.execute(
        "UPDATE plan_change SET actor_role = "
        "(SELECT account.role FROM account WHERE account.id = plan_change.actor_id) "
        "WHERE actor_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("plan_change", recreate="never") as batch_op:
        batch_op.drop_column("actor_organisation")
        batch_op.drop_column("actor_role")
