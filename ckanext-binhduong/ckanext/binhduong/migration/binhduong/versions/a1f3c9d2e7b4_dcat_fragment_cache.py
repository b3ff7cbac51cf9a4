"""DCAT catalogue cache: each public dataset's Turtle, keyed by what it was written from.

Revision ID: a1f3c9d2e7b4
Revises:
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

revision = "a1f3c9d2e7b4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "binhduong_dcat_fragment",
        # A purged dataset takes its cached Turtle with it.
        sa.Column("dataset_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        # The profile stack the text was written with ("euro_dcat_ap_3 binhduong_dcat").
        sa.Column("profiles", sa.UnicodeText, primary_key=True),
        # Digest of the dataset's metadata_modified, its organization's row and the code and
        # configuration version: a row is used only when all of them are unchanged.
        sa.Column("cache_key", sa.UnicodeText, nullable=False),
        sa.Column("dataset_uri", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("written", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("binhduong_dcat_fragment")
