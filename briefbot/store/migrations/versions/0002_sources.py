"""Sources: originals, drafts, feeds; ordered continuation parts; corrections.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "originals",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("stored_at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("original_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("correction_of", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_notices_original", "originals", ["original_hash"], ["sha256"])
        batch.create_foreign_key("fk_notices_correction", "notices", ["correction_of"], ["id"])
        batch.create_index("ix_notices_title_issue", ["title", "issue"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("after_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_outbox_after", "outbox", ["after_id"], ["id"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("original_hash", sa.String(64), sa.ForeignKey("originals.sha256")),
        sa.Column("briefing_json", sa.Text, nullable=False),
        sa.Column("notice_json", sa.Text, nullable=False),
        sa.Column("correction_of", sa.Integer, sa.ForeignKey("notices.id")),
        sa.Column("state", sa.String(12), nullable=False, server_default="open"),
        sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.BigInteger),
    )
    op.create_table(
        "feed_state",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("checked_at", UTCDateTime),
        sa.Column("baseline_done", sa.Boolean, nullable=False, server_default="0"),
    )
    op.create_table(
        "feed_items",
        sa.Column("feed_url", sa.Text, primary_key=True),
        sa.Column("item_key", sa.Text, primary_key=True),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("seen_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_items")
    op.drop_table("feed_state")
    op.drop_table("drafts")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_after", type_="foreignkey")
        batch.drop_column("after_id")
    with op.batch_alter_table("notices") as batch:
        batch.drop_index("ix_notices_title_issue")
        batch.drop_constraint("fk_notices_correction", type_="foreignkey")
        batch.drop_constraint("fk_notices_original", type_="foreignkey")
        batch.drop_column("correction_of")
        batch.drop_column("original_hash")
    op.drop_table("originals")
