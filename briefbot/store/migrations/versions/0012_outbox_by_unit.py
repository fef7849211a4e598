"""An index on the outbox by unit: what an acknowledgement reads (the unit's pending notices,
its latest notice, the reminders it got) without reading every row ever sent.

Without it SQLite answered "the notices sent to this unit and not acknowledged" through the
dispatcher's index on the state, so every /ack read all sent rows: 0.5 ms with 6 000 of them,
growing with the history (100 000 after fifty pushes to 2 000 units).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_unit", "outbox", ["unit_code", "kind", "state", "notice_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_unit", table_name="outbox")
