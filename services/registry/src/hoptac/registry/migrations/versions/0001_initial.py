"""The registry's first schema: organisations, versions, outbox, tokens, audit.

Frozen DDL: later changes to adapters/tables.py come as new revisions, never edits here.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None

SCHEMA = """
CREATE TABLE api_tokens (
    id UUID NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    provinces TEXT[] DEFAULT '{}' NOT NULL,
    communes TEXT[] DEFAULT '{}' NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id),
    UNIQUE (name),
    UNIQUE (token_hash)
);

CREATE TABLE audit_log (
    id BIGSERIAL NOT NULL,
    at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    diff JSONB DEFAULT '[]' NOT NULL,
    correlation_id TEXT,
    PRIMARY KEY (id)
);

CREATE TABLE organizations (
    id UUID NOT NULL,
    registration_number TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    province_code TEXT NOT NULL,
    commune_code TEXT,
    legacy_district_code TEXT,
    sector_group TEXT NOT NULL,
    registered_on DATE NOT NULL,
    record JSONB NOT NULL,
    version INTEGER NOT NULL,
    removed_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id)
);

CREATE INDEX organizations_commune ON organizations (commune_code);

CREATE INDEX organizations_filters ON organizations (province_code, kind, status);

CREATE INDEX organizations_name_trgm ON organizations USING gin (name_key gin_trgm_ops);

CREATE UNIQUE INDEX organizations_registration_number ON organizations (registration_number)
    WHERE removed_at IS NULL;

CREATE TABLE outbox (
    id BIGSERIAL NOT NULL,
    event_id UUID NOT NULL,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    organization_id UUID NOT NULL,
    organization_version INTEGER NOT NULL,
    province_code TEXT NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor TEXT NOT NULL,
    correlation_id TEXT,
    data JSONB NOT NULL,
    sequence BIGINT,
    published_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id),
    UNIQUE (event_id),
    UNIQUE (sequence)
);

CREATE INDEX outbox_unpublished ON outbox (sequence)
    WHERE sequence IS NOT NULL AND published_at IS NULL;

CREATE INDEX outbox_unsequenced ON outbox (id) WHERE sequence IS NULL;

CREATE TABLE organization_versions (
    organization_id UUID NOT NULL,
    version INTEGER NOT NULL,
    event TEXT NOT NULL,
    effective_date DATE NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    reason TEXT,
    correlation_id TEXT,
    changes JSONB NOT NULL,
    PRIMARY KEY (organization_id, version),
    FOREIGN KEY(organization_id) REFERENCES organizations (id)
);
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            op.execute(statement)
