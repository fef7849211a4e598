"""落实反馈: units' written feedback on notices, reviewed by the office.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedbacks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("submitted_by", sa.BigInteger, nullable=False),
        sa.Column("submitted_name", sa.Text, nullable=False, server_default=""),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reviewed_by", sa.BigInteger),
        sa.Column("reviewed_at", UTCDateTime),
        sa.UniqueConstraint("notice_id", "unit_code", name="uq_feedback_unit"),
    )


def downgrade() -> None:
    op.drop_table("feedbacks")
