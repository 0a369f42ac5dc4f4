"""The pre-2025 commune as a column, so that lists find an organisation by the commune people
knew before the 2025 reorganisation.

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute("ALTER TABLE organizations ADD COLUMN legacy_commune_code TEXT")
    op.execute(
        "UPDATE organizations "
        "SET legacy_commune_code = record->'address'->'legacy'->>'commune_code'"
    )
    op.execute("CREATE INDEX organizations_legacy_commune ON organizations (legacy_commune_code)")


def downgrade() -> None:
    op.execute("DROP INDEX organizations_legacy_commune")
    op.execute("ALTER TABLE organizations DROP COLUMN legacy_commune_code")
