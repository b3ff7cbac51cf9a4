"""Data quality: the validation report of each tabular resource (CSV, XLSX), by frictionless
against the data dictionary (quality/tables.py).

Revision ID: e5a9c2d4b781
Revises: d7b2e4f1a9c3
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "e5a9c2d4b781"
down_revision = "d7b2e4f1a9c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "binhduong_table_report",
        # A purged resource takes its report with it.
        sa.Column("resource_id", sa.UnicodeText, sa.ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("dataset_id", sa.UnicodeText, nullable=False, index=True),
        # The file the report is about: the resource's url and last_modified when it was validated.
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("file_modified", sa.UnicodeText, nullable=False, server_default=""),
        # true: no error; false: errors; null: not validated (too large, not reachable: the report says why).
        sa.Column("valid", sa.Boolean, nullable=True),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("report", postgresql.JSONB, nullable=False),
        sa.Column("checked", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("binhduong_table_report")
