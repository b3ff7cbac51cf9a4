"""Approval workflow: each hand-made dataset's review status, and each agency's review policy
(workflow.py).

Revision ID: d7b2e4f1a9c3
Revises: c4e8a1b5d930
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

revision = "d7b2e4f1a9c3"
down_revision = "c4e8a1b5d930"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "binhduong_review",
        sa.Column("package_id", sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        # pending ("Chờ duyệt"), approved ("Đã duyệt"), returned ("Cần sửa")
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("submitted_by", sa.UnicodeText),
        sa.Column("submitted_at", sa.DateTime),
        sa.Column("reviewed_by", sa.UnicodeText),
        sa.Column("reviewed_at", sa.DateTime),
    )
    op.create_index("binhduong_review_status_idx", "binhduong_review", ["status"])
    op.create_table(
        "binhduong_review_policy",
        sa.Column("organization_id", sa.UnicodeText, sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("review_required", sa.Boolean, nullable=False),
        sa.Column("review_edits", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.UnicodeText),
        sa.Column("updated_at", sa.DateTime),
    )


def downgrade():
    op.drop_table("binhduong_review_policy")
    op.drop_index("binhduong_review_status_idx", table_name="binhduong_review")
    op.drop_table("binhduong_review")
