"""Data quality kept from the registry's events, and the annual update campaigns.

quality_records holds each organisation as its latest event shows it, with its scores;
quality_changes the first and last day the registry recorded a change to it in each year (what
a campaign counts as updated); campaigns and the records they marked lapsed.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"

SCHEMA = """
CREATE TABLE quality_records (
    organization_id UUID PRIMARY KEY,
    version INTEGER NOT NULL,
    removed BOOLEAN NOT NULL,
    province_code TEXT,
    commune_code TEXT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    registered_on DATE NOT NULL,
    last_verified_on DATE,
    record JSONB NOT NULL,
    completeness DOUBLE PRECISION NOT NULL,
    validity DOUBLE PRECISION NOT NULL,
    freshness DOUBLE PRECISION NOT NULL,
    consistency DOUBLE PRECISION NOT NULL,
    uniqueness DOUBLE PRECISION NOT NULL,
    evidence DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    band TEXT NOT NULL,
    scored_on DATE NOT NULL
);
CREATE INDEX quality_records_area ON quality_records (province_code, commune_code)
    WHERE NOT removed;
CREATE INDEX quality_records_scored ON quality_records (scored_on) WHERE NOT removed;
CREATE TABLE quality_changes (
    organization_id UUID NOT NULL,
    year SMALLINT NOT NULL,
    first_on DATE NOT NULL,
    last_on DATE NOT NULL,
    PRIMARY KEY (organization_id, year)
);
CREATE TABLE quality_state (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    last_sequence BIGINT NOT NULL
);
INSERT INTO quality_state VALUES (1, 0);
CREATE TABLE campaigns (
    id UUID PRIMARY KEY,
    year SMALLINT NOT NULL,
    province_code TEXT NOT NULL,
    deadline DATE NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_reminded_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    closed_by TEXT,
    UNIQUE (year, province_code)
);
CREATE TABLE lapsed_records (
    campaign_id UUID NOT NULL REFERENCES campaigns (id),
    organization_id UUID NOT NULL,
    lapsed_at TIMESTAMPTZ NOT NULL,
    cleared_at TIMESTAMPTZ,
    PRIMARY KEY (campaign_id, organization_id)
);
CREATE INDEX lapsed_records_open ON lapsed_records (organization_id) WHERE cleared_at IS NULL
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TABLE lapsed_records, campaigns, quality_state, quality_changes, quality_records"
    )
