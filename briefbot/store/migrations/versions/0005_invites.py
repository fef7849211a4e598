"""Binding unit groups by invitation: units.chat_id may be empty; invites.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.alter_column("chat_id", existing_type=sa.BigInteger, nullable=True)
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime),
        sa.Column("used_chat_id", sa.BigInteger),
    )


def downgrade() -> None:
    op.drop_table("invites")
    with op.batch_alter_table("units") as batch:
        batch.alter_column("chat_id", existing_type=sa.BigInteger, nullable=False)
