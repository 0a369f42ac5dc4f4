"""The quota on restricted records read (entrypoints/http/quota.py) counts in a table, not in
each process's memory, so that two or more registry processes share one quota per caller.

Nothing is carried over: the counts in memory vanished with the processes that held them.

Revision ID: 0010
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE restricted_reads (
            window_number BIGINT NOT NULL,
            caller TEXT NOT NULL,
            records INTEGER NOT NULL,
            PRIMARY KEY (window_number, caller)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE restricted_reads")
