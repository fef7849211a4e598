"""The office corrects a preview before 发布: the draft's edited text, and on the notice what units
received (parsed | edited | original) and who changed it, when.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from briefbot.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("edited_html", sa.Text, nullable=True))
        batch.add_column(sa.Column("edited_by", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("edited_by_name", sa.Text, nullable=True))
        batch.add_column(sa.Column("edited_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("edit_prompt_id", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("edit_preview_id", sa.BigInteger, nullable=True))
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("body", sa.String(12), nullable=False, server_default="parsed"))
        batch.add_column(sa.Column("changed_by", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("changed_by_name", sa.Text, nullable=True))
        batch.add_column(sa.Column("changed_at", UTCDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("changed_at")
        batch.drop_column("changed_by_name")
        batch.drop_column("changed_by")
        batch.drop_column("body")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("edit_preview_id")
        batch.drop_column("edit_prompt_id")
        batch.drop_column("edited_at")
        batch.drop_column("edited_by_name")
        batch.drop_column("edited_by")
        batch.drop_column("edited_html")
