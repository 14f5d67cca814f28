"""answer changes: each change a device sent, by its own id, so a resend is applied once

Revision ID: 4c1d7e2a9b35
Revises: e7a4c2d9b813
Create Date: 2026-11-28 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "4c1d7e2a9b35"
down_revision: str | None = "e7a4c2d9b813"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=81), nullable=False),
        sa.Column("saved_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id", "client_id"),
    )


def downgrade() -> None:
    op.drop_table("answer_change")
