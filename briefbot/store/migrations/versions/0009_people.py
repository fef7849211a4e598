"""People the bot has seen: Telegram names of liaisons (for @mentions) and whether a person has
opened a private chat with the bot (a leader who never pressed /start cannot be written to).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.Column("private_since", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("people")
