"""The registry's answers to a dry run, kept a short while so that the import of the same file
by the same person right after does not ask the registry to check every row again.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE dry_runs (
            checksum TEXT NOT NULL,
            made_by TEXT NOT NULL,
            language TEXT NOT NULL,
            made_at TIMESTAMPTZ NOT NULL,
            fingerprint TEXT NOT NULL,
            answers JSONB NOT NULL,
            PRIMARY KEY (checksum, made_by, language)
        )
        """
    )
    op.execute("CREATE INDEX dry_runs_age ON dry_runs (made_at)")


def downgrade() -> None:
    op.execute("DROP TABLE dry_runs")
