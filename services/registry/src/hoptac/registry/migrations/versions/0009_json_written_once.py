"""The event of each change (`outbox.data`), its changes (`organization_versions.changes`) and
their audit copy (`audit_log.diff`) are stored as `json`, not `jsonb`.

No statement looks inside these values: the registry reads them back whole and parses them
itself. As `jsonb`, PostgreSQL turned every value into its binary form when it was written, a
third of what the four inserts of an approved row cost it; `json` only checks the text and
keeps it as written. (A reader sees the same values; an object's keys now come back in the order
they were written, not in `jsonb`'s own order.) The table with the registration's record,
`organizations`, keeps `jsonb`: its list filters read inside the record.

Each table is rewritten once, by the upgrade and by the downgrade.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"

# (table, column, default)
COLUMNS = (
    ("outbox", "data", None),
    ("organization_versions", "changes", None),
    ("audit_log", "diff", "'[]'"),
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
