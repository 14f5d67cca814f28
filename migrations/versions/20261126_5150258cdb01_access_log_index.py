"""access log index: allowed accesses by subject, newest first, without the refusals

Revision ID: 5150258cdb01
Revises: b431c7dc34c0
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5150258cdb01"
down_revision: str | None = "b431c7dc34c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A plain CREATE INDEX (no batch mode), so SQLite keeps the table and the audit log's
# append-only triggers as they are. The WHERE is written exactly as the queries in
# app/audit/service.py write it (an inline literal), or neither database would use it.
NOT_REFUSED = sa.text("outcome != 'denied'")


def upgrade() -> None:
    op.create_index(
        "ix_audit_event_shown",
        "audit_event",
        ["subject_id", "at", "id"],
        unique=False,
        sqlite_where=NOT_REFUSED,
        postgresql_where=NOT_REFUSED,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_event_shown", table_name="audit_event")
