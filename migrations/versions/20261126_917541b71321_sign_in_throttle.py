"""sign-in throttle: attempt counters per account, device, address and in total

Revision ID: 917541b71321
Revises: 38e9ae569fd3
Create Date: 2026-11-26 10:12:00.000000

The failures of the last 15 minutes per client are not carried over: they only
slowed down guessing for a while, and the new counters start empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "917541b71321"
down_revision: str | None = "5150258cdb01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_counter",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("window_start", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject", "window_start", name="pk_sign_in_counter"),
    )
    op.create_index("ix_sign_in_counter_expires_at", "sign_in_counter", ["expires_at"])
    op.drop_index("ix_sign_in_failure_username_digest", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_client", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_at", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")


def downgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("username_digest", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_failure"),
    )
    op.create_index("ix_sign_in_failure_at", "sign_in_failure", ["at"])
    op.create_index("ix_sign_in_failure_client", "sign_in_failure", ["client"])
    op.create_index("ix_sign_in_failure_username_digest", "sign_in_failure", ["username_digest"])
    op.drop_index("ix_sign_in_counter_expires_at", table_name="sign_in_counter")
    op.drop_table("sign_in_counter")
