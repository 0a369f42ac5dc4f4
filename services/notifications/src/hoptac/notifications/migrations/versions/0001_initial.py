"""The first schema: stored events, current records, subscriptions, deliveries, staff.

Frozen DDL: later changes come as new revisions, never edits here.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None

SCHEMA = """
CREATE TABLE events (
    sequence BIGINT PRIMARY KEY,
    event_id UUID NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    organization_id UUID NOT NULL,
    organization_version INTEGER NOT NULL,
    province_code TEXT NOT NULL,
    commune_code TEXT,
    kind TEXT NOT NULL,
    sector_group TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    stored_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    payload TEXT NOT NULL
);
CREATE INDEX events_recorded_at ON events (recorded_at);

CREATE TABLE feed_state (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    contiguous_through BIGINT NOT NULL
);
INSERT INTO feed_state VALUES (1, 0);

CREATE TABLE organizations (
    id UUID PRIMARY KEY,
    version INTEGER NOT NULL,
    sequence BIGINT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT false,
    name TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    province_code TEXT NOT NULL,
    commune_code TEXT,
    kind TEXT NOT NULL,
    sector_group TEXT NOT NULL,
    status TEXT NOT NULL,
    last_verified_on DATE,
    record JSONB NOT NULL
);
CREATE INDEX organizations_area ON organizations (province_code, commune_code);

CREATE TABLE subscriptions (
    id UUID PRIMARY KEY,
    owner TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT,
    event_types TEXT[] NOT NULL DEFAULT '{}',
    provinces TEXT[] NOT NULL DEFAULT '{}',
    kinds TEXT[] NOT NULL DEFAULT '{}',
    sectors TEXT[] NOT NULL DEFAULT '{}',
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMPTZ,
    enabled BOOLEAN NOT NULL DEFAULT true,
    disabled_reason TEXT,
    starts_after BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_owner ON subscriptions (owner, created_at);

CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    subscription_id UUID NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    sequence BIGINT NOT NULL REFERENCES events (sequence),
    organization_id UUID NOT NULL,
    webhook_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    total_attempts INTEGER NOT NULL DEFAULT 0,
    replays INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    lease_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    first_attempt_at TIMESTAMPTZ,
    last_attempt_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    last_status_code INTEGER,
    last_error TEXT,
    last_duration_ms DOUBLE PRECISION,
    UNIQUE (subscription_id, sequence)
);
CREATE INDEX deliveries_due ON deliveries (subscription_id, next_attempt_at, sequence)
    WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (subscription_id, lease_until)
    WHERE status = 'delivering';
CREATE INDEX deliveries_open_per_org ON deliveries (subscription_id, organization_id, sequence)
    WHERE status IN ('pending', 'delivering');

CREATE TABLE delivery_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMPTZ NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms DOUBLE PRECISION NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

CREATE TABLE staff_recipients (
    email TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'area_officer')),
    provinces TEXT[] NOT NULL DEFAULT '{}',
    communes TEXT[] NOT NULL DEFAULT '{}',
    digest BOOLEAN NOT NULL DEFAULT true,
    reminders BOOLEAN NOT NULL DEFAULT true,
    digest_after_sequence BIGINT,
    last_digest_on DATE,
    last_reminder_on DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the first schema has no way down; drop the database instead")
