"""The first schema: import batches with their files, proposed changes, and the audit log.

Frozen DDL: later changes come as new revisions, never edits here.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None

SCHEMA = """
CREATE TABLE import_batches (
    id UUID PRIMARY KEY,
    checksum TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_proposed INTEGER NOT NULL,
    rows_refused INTEGER NOT NULL,
    problems JSONB NOT NULL,
    content BYTEA NOT NULL
);

CREATE TABLE proposals (
    id UUID PRIMARY KEY,
    batch_id UUID REFERENCES import_batches (id),
    row_number INTEGER,
    row_key TEXT NOT NULL,
    organization_id UUID,
    base_version INTEGER,
    province_code TEXT,
    commune_code TEXT,
    change JSONB NOT NULL,
    state TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    submitted_by TEXT,
    submitted_at TIMESTAMPTZ,
    reviewed_by TEXT,
    reviewed_at TIMESTAMPTZ,
    comments JSONB NOT NULL DEFAULT '[]',
    outcome JSONB
);
-- The same change (from any file) is proposed once while it is open.
CREATE UNIQUE INDEX proposals_open_key ON proposals (row_key)
    WHERE state IN ('draft', 'submitted', 'returned');
CREATE INDEX proposals_state_area ON proposals (state, province_code, commune_code);
CREATE INDEX proposals_batch ON proposals (batch_id, row_number);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details JSONB NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the first schema has no way down; drop the database instead")
