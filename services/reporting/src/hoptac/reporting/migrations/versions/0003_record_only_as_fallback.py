"""`organizations.record` is the fallback of an organisation whose registration has not arrived:
null once it has (adapters/projection.py), so that a burst of registrations does not write
each record a second time, beside its registration's changes in `versions`.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("ALTER TABLE organizations ALTER COLUMN record DROP NOT NULL")


def downgrade() -> None:
    # The code before this revision reads `record` only for an organisation without its
    # registration, and a null is written only for one with it: an empty record is never read.
    op.execute("UPDATE organizations SET record = '{}' WHERE record IS NULL")
    op.execute("ALTER TABLE organizations ALTER COLUMN record SET NOT NULL")
