"""A proposal being applied (`applying`: sent to the registry, its outcome not yet recorded) is
still open: the same change is not proposed again meanwhile.

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute("DROP INDEX proposals_open_key")
    op.execute(
        "CREATE UNIQUE INDEX proposals_open_key ON proposals (row_key) "
        "WHERE state IN ('draft', 'submitted', 'returned', 'applying')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX proposals_open_key")
    op.execute(
        "CREATE UNIQUE INDEX proposals_open_key ON proposals (row_key) "
        "WHERE state IN ('draft', 'submitted', 'returned')"
    )
