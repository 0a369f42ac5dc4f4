"""The reporting projection's first schema: versions, organizations, timeline, generation.

Frozen DDL: later changes to adapters/tables.py come as new revisions, never edits here.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None

SCHEMA = """
CREATE TABLE versions (
    organization_id UUID NOT NULL,
    version INTEGER NOT NULL,
    event TEXT NOT NULL,
    effective_date DATE NOT NULL,
    changes JSONB NOT NULL,
    sequence BIGINT NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (organization_id, version)
);

CREATE TABLE organizations (
    organization_id UUID NOT NULL,
    version INTEGER NOT NULL,
    record JSONB NOT NULL,
    removed BOOLEAN DEFAULT false NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    counted_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (organization_id)
);

CREATE TABLE timeline (
    organization_id UUID NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE DEFAULT 'infinity' NOT NULL,
    registered_on DATE NOT NULL,
    kind SMALLINT NOT NULL,
    status SMALLINT NOT NULL,
    sector_group SMALLINT NOT NULL,
    ocop_3 SMALLINT NOT NULL,
    ocop_4 SMALLINT NOT NULL,
    ocop_5 SMALLINT NOT NULL,
    digital_computer BOOLEAN NOT NULL,
    digital_internet BOOLEAN NOT NULL,
    digital_website BOOLEAN NOT NULL,
    digital_social_media BOOLEAN NOT NULL,
    digital_ecommerce BOOLEAN NOT NULL,
    digital_digital_signature BOOLEAN NOT NULL,
    digital_accounting_software BOOLEAN NOT NULL,
    digital_e_invoice BOOLEAN NOT NULL,
    digital_iot BOOLEAN NOT NULL,
    digital_traceability BOOLEAN NOT NULL,
    members INTEGER,
    workers INTEGER,
    charter_capital BIGINT,
    province TEXT NOT NULL,
    operating_in_practice TEXT NOT NULL,
    commune TEXT,
    legacy_province TEXT,
    legacy_district TEXT,
    legacy_commune TEXT,
    PRIMARY KEY (organization_id, valid_from)
);

CREATE INDEX timeline_period ON timeline (valid_from, valid_to);

CREATE TABLE projection_state (
    id SMALLINT NOT NULL,
    generation BIGINT NOT NULL,
    PRIMARY KEY (id)
);

INSERT INTO projection_state (id, generation) VALUES (1, 0);
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            op.execute(statement)
