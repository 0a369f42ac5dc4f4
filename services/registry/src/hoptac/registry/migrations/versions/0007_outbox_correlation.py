"""The change log found by correlation id, so that a client whose write's answer was lost (it
crashed after the registry committed) can learn what was applied without scanning the log.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX outbox_correlation ON outbox (correlation_id) "
        "WHERE correlation_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX outbox_correlation")
