"""One registration number however it is written: a key without case, punctuation, spaces or
leading zeros, unique among records not removed (domain/names.py, `registration_key`).

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("ALTER TABLE organizations ADD COLUMN registration_key TEXT")
    op.execute(
        "UPDATE organizations SET registration_key = "
        "ltrim(upper(regexp_replace(registration_number, '[^0-9A-Za-z]+', '', 'g')), '0')"
    )
    op.execute("ALTER TABLE organizations ALTER COLUMN registration_key SET NOT NULL")
    op.execute("DROP INDEX organizations_registration_number")
    op.execute(
        "CREATE UNIQUE INDEX organizations_registration_key ON organizations (registration_key) "
        "WHERE removed_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX organizations_registration_key")
    op.execute(
        "CREATE UNIQUE INDEX organizations_registration_number ON organizations "
        "(registration_number) WHERE removed_at IS NULL"
    )
    op.execute("ALTER TABLE organizations DROP COLUMN registration_key")
