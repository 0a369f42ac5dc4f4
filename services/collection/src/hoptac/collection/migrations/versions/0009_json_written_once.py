"""A proposal's change, comments and outcome (`proposals`) and the audit's details
(`audit_log.details`) are stored as `json`, not `jsonb`.

No statement looks inside these values: collection reads them back whole and parses them
itself. As `jsonb`, PostgreSQL turned every value into its binary form when it was written and
back into text when it was read: at 100,000 rows, every proposal an import stores, and every
outcome and audit entry an approval writes. `json` only checks the text and keeps it as written.
(A reader sees the same values; an object's keys now come back in the order they were written,
not in `jsonb`'s own order.) An import's `problems` keep `jsonb`: the list of imports counts
them in SQL.

Each table is rewritten once, by the upgrade and by the downgrade.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"

# (table, column, default)
COLUMNS = (
    ("proposals", "change", None),
    ("proposals", "comments", "'[]'"),
    ("proposals", "outcome", None),
    ("audit_log", "details", None),
)


def _retype(to: str) -> None:
    for table, column, default in COLUMNS:
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(
            f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {to} USING {column}::text::{to}"
        )
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}::{to}")


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")
