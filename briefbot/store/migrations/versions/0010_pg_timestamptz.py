"""PostgreSQL: every timestamp is ``timestamp with time zone``.

The store's timestamps (``UTCDateTime``) are created as ``timestamptz`` on PostgreSQL from the
first revision on. A PostgreSQL database made before that kept naive ``timestamp`` columns holding
UTC; this converts each of them in place (``AT TIME ZONE 'UTC'``), whichever revision added it, so
it does not depend on its place in the chain. SQLite keeps no zone: nothing to do there.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    naive = bind.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
            " AND data_type = 'timestamp without time zone'"
            " ORDER BY table_name, ordinal_position"
        )
    ).all()
    quote = bind.dialect.identifier_preparer.quote
    for table, column in naive:
        op.execute(
            f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)}"
            f" TYPE timestamp with time zone USING {quote(column)} AT TIME ZONE 'UTC'"
        )


def downgrade() -> None:
    # the earlier revisions create timestamptz on PostgreSQL themselves: nothing to undo
    pass
