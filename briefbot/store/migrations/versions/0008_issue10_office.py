"""落实反馈 returned with a reason: the reason passed to the unit, and the office's prompt asking
for it (the reply to that prompt is the reason).

Revision ID: 0008_issue10_office
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_issue10_office"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedbacks") as batch:
        batch.add_column(sa.Column("return_reason", sa.Text, nullable=True))
        batch.add_column(sa.Column("reason_prompt_id", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedbacks") as batch:
        batch.drop_column("reason_prompt_id")
        batch.drop_column("return_reason")
