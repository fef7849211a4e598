"""Replicas that cooperate on one store: the outbox row's claiming replica, the replicas and their
leases, and the Telegram updates already taken.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(80), nullable=True))
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "handled_updates",
        sa.Column("bot_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("taken_at", UTCDateTime, nullable=False),
        sa.Column("done_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_handled_updates_taken_at", "handled_updates", ["taken_at"])


def downgrade() -> None:
    op.drop_index("ix_handled_updates_taken_at", "handled_updates")
    op.drop_table("handled_updates")
    op.drop_table("replicas")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
