"""An index for pruning delivered deliveries by age.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX deliveries_delivered_at ON deliveries (delivered_at) "
        "WHERE status = 'delivered'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX deliveries_delivered_at")
