"""Outbox rows the relay sets aside: held (JetStream refuses them) or dead-lettered by an operator.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("ALTER TABLE outbox ADD COLUMN held_at TIMESTAMP WITH TIME ZONE")
    op.execute("ALTER TABLE outbox ADD COLUMN held_reason TEXT")
    op.execute("ALTER TABLE outbox ADD COLUMN dead_lettered_at TIMESTAMP WITH TIME ZONE")
    op.execute("CREATE INDEX outbox_held ON outbox (sequence) WHERE held_at IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX outbox_held")
    op.execute("ALTER TABLE outbox DROP COLUMN dead_lettered_at")
    op.execute("ALTER TABLE outbox DROP COLUMN held_reason")
    op.execute("ALTER TABLE outbox DROP COLUMN held_at")
