"""Data quality: each dataset's stored MQA measurement and freshness, and the link checker's
results per URL (quality/store.py).

Revision ID: c4e8a1b5d930
Revises: a1f3c9d2e7b4
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c4e8a1b5d930"
down_revision = "a1f3c9d2e7b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "binhduong_quality",
        # A purged dataset takes its measurement with it.
        sa.Column("dataset_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("owner_org", sa.UnicodeText, nullable=True, index=True),
        # The dataset's metadata_modified the measurement was computed from: a different one is stale.
        sa.Column("metadata_modified", sa.UnicodeText, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("rating", sa.UnicodeText, nullable=False),
        # SHACL (DCAT-AP 3) conformance: true, false, or null when not validated.
        sa.Column("dcat_ap", sa.Boolean, nullable=True),
        sa.Column("dcat_ap_violations", postgresql.JSONB, nullable=False, server_default="[]"),
        # The whole measurement (dimensions, indicators, distributions) and freshness.
        sa.Column("result", postgresql.JSONB, nullable=False),
        sa.Column("freshness", postgresql.JSONB, nullable=False),
        sa.Column("computed", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "binhduong_link_check",
        sa.Column("url", sa.UnicodeText, primary_key=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("error", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("checked", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("binhduong_link_check")
    op.drop_table("binhduong_quality")
