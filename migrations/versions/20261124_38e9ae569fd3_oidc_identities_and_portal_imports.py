"""OpenID Connect sessions and identities, portal imports, portal audit

Revision ID: 38e9ae569fd3
Revises: 5384a34eab7b
Create Date: 2026-11-24 14:44:01.943356
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "38e9ae569fd3"
down_revision: str | None = "5384a34eab7b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ADD/DROP COLUMN and CREATE INDEX only: SQLite keeps the tables (and the audit
# log's triggers and the partial index on assessment) as they are.


def upgrade() -> None:
    op.add_column("assessment", sa.Column("external_system", sa.String(255), nullable=True))
    op.add_column("assessment", sa.Column("external_id", sa.String(255), nullable=True))
    op.add_column("assessment", sa.Column("imported_by", sa.String(120), nullable=True))
    op.create_index(
        "uq_assessment_external",
        "assessment",
        ["subject_id", "external_system", "external_id"],
        unique=True,
    )
    op.add_column("audit_event", sa.Column("token_subject", sa.String(255), nullable=True))
    op.add_column("auth_session", sa.Column("provider", sa.String(40), nullable=True))
    op.add_column("auth_session", sa.Column("id_token", sa.Text(), nullable=True))
    op.create_index(
        "uq_external_identity_account_issuer",
        "external_identity",
        ["account_id", "issuer"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_external_identity_account_issuer", table_name="external_identity")
    op.drop_column("auth_session", "id_token")
    op.drop_column("auth_session", "provider")
    op.drop_column("audit_event", "token_subject")
    op.drop_index("uq_assessment_external", table_name="assessment")
    op.drop_column("assessment", "imported_by")
    op.drop_column("assessment", "external_id")
    op.drop_column("assessment", "external_system")
