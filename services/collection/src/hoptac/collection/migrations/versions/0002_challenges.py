"""Public challenges: what a person says is wrong on one record, for the officers of its area.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"

SCHEMA = """
CREATE TABLE challenges (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL,
    province_code TEXT NOT NULL,
    commune_code TEXT,
    fields JSONB NOT NULL,
    what TEXT NOT NULL,
    contact TEXT,
    sender TEXT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    due_on DATE NOT NULL,
    resolved_at TIMESTAMPTZ,
    resolved_by TEXT,
    resolution TEXT
);
CREATE INDEX challenges_area ON challenges (province_code, commune_code, opened_at);
CREATE INDEX challenges_organization ON challenges (organization_id) WHERE resolved_at IS NULL;
CREATE INDEX challenges_sender ON challenges (sender, opened_at)
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE challenges")
