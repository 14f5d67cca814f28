"""An action a case manager does names which one: the owning staff account

Revision ID: 2936a4f13e8e
Revises: 4c1d7e2a9b35
Create Date: 2026-11-29 06:48:53.343890
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2936a4f13e8e"
down_revision: str | None = "4c1d7e2a9b35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On SQLite the table is copied (a foreign key cannot be added in place): nothing refers to
# plan_action, so dropping the old copy deletes nothing elsewhere.


def upgrade() -> None:
    with op.batch_alter_table("plan_action") as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_plan_action_owner_id", ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_plan_action_owner_id_account", "account", ["owner_id"], ["id"], ondelete="SET NULL"
        )
    # Earlier actions a case manager does: the case manager who added it, if one did ...
    op.execute(
        "UPDATE plan_action SET owner_id = ("
        "SELECT plan_change.actor_id FROM plan_change "
        "WHERE plan_change.object_type = 'action' AND plan_change.object_id = plan_action.id "
        "AND plan_change.kind = 'created' AND plan_change.actor_role = 'case_manager') "
        "WHERE owner = 'case_manager'"
    )
    # ... else the person's case manager, if they have only one; else it stays unnamed.
    op.execute(
        "UPDATE plan_action SET owner_id = ("
        "SELECT min(case_assignment.case_manager_id) FROM case_assignment "
        "JOIN plan ON plan.young_person_id = case_assignment.young_person_id "
        "WHERE plan.id = plan_action.plan_id HAVING count(*) = 1) "
        "WHERE owner = 'case_manager' AND owner_id IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("plan_action") as batch_op:
        batch_op.drop_constraint("fk_plan_action_owner_id_account", type_="foreignkey")
        batch_op.drop_index("ix_plan_action_owner_id")
        batch_op.drop_column("owner_id")
