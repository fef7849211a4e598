"""Initial ledger: units, notices, outbox, acks, escalations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("grp", sa.String(100), nullable=False, server_default=""),
        sa.Column("chat_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("liaisons", sa.Text, nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean, nullable=False, server_default="1"),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("issue", sa.String(100)),
        sa.Column("briefing_date", sa.String(10)),
        sa.Column("issuer", sa.Text),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("briefing_json", sa.Text, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=False),
        sa.Column("ack_within_s", sa.Integer, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("with_button", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("priority", sa.Integer, nullable=False, server_default="10"),
        sa.Column("state", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("first_try_at", UTCDateTime),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("kind", "notice_id", "unit_code", "step", name="uq_outbox_step"),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "priority", "id"])
    op.create_index("ix_outbox_message", "outbox", ["chat_id", "message_id"])
    op.create_table(
        "acks",
        sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id"), primary_key=True),
        sa.Column("unit_code", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False, server_default=""),
        sa.Column("via", sa.String(12), nullable=False),
        sa.Column("acked_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "escalations",
        sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id"), primary_key=True),
        sa.Column("unit_code", sa.String(40), primary_key=True),
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("escalations")
    op.drop_table("acks")
    op.drop_index("ix_outbox_message", "outbox")
    op.drop_index("ix_outbox_due", "outbox")
    op.drop_table("outbox")
    op.drop_table("notices")
    op.drop_table("units")
