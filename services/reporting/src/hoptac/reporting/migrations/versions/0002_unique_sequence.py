"""One event per change-log sequence: a second event claiming a sequence already applied is a
conflict the consumer reports (adapters/projection.py), not a row.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("CREATE UNIQUE INDEX versions_sequence ON versions (sequence)")


def downgrade() -> None:
    op.execute("DROP INDEX versions_sequence")
