"""The registry's change log followed with the platform's tracking: quality_state holds the
sequence up to which every event is applied and the ranges applied beyond it, where it held
the highest sequence seen (which passed over an event that went to the dead letters).

A gap below that highest sequence cannot be told afterwards, so the contiguous sequence starts
at 0: the first start reads the change log once from the beginning (an event applied twice
changes nothing).

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("ALTER TABLE quality_state RENAME COLUMN last_sequence TO contiguous_through")
    op.execute("UPDATE quality_state SET contiguous_through = 0")
    op.execute("ALTER TABLE quality_state ADD COLUMN beyond JSONB NOT NULL DEFAULT '[]'")


def downgrade() -> None:
    op.execute("ALTER TABLE quality_state DROP COLUMN beyond")
    op.execute("ALTER TABLE quality_state RENAME COLUMN contiguous_through TO last_sequence")
