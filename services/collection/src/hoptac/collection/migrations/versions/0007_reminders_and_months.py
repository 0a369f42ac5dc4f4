"""The reminders sent for each campaign, and the data-quality report of each month as it was.

campaign_reminders: one row per reminder e-mailed through the notifications service, asked for
by staff (due_on NULL) or sent by the schedule (due_on: the schedule's day). The partial unique
index is what makes a scheduled reminder go out once for a campaign, area and day, whatever the
number of collection processes and restarts: the process that inserts the row sends it.

quality_months and quality_month_records: every kept record's scores, band and lapsed flag, as
they stood when the month ended (stored by the first scheduled run after it), so that a past
month's report is made again as it was.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"

SCHEMA = """
CREATE TABLE campaign_reminders (
    id BIGSERIAL PRIMARY KEY,
    campaign_id UUID NOT NULL REFERENCES campaigns (id),
    province_code TEXT NOT NULL,
    due_on DATE,
    kind TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    sent_by TEXT NOT NULL,
    not_updated INTEGER NOT NULL,
    recipients INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    failed INTEGER NOT NULL
);
CREATE UNIQUE INDEX campaign_reminders_once
    ON campaign_reminders (campaign_id, province_code, due_on) WHERE due_on IS NOT NULL;
CREATE INDEX campaign_reminders_of ON campaign_reminders (campaign_id, sent_at);
CREATE TABLE quality_months (
    month DATE PRIMARY KEY CHECK (extract(day FROM month) = 1),
    taken_at TIMESTAMPTZ NOT NULL,
    records INTEGER NOT NULL
);
CREATE TABLE quality_month_records (
    month DATE NOT NULL REFERENCES quality_months (month),
    organization_id UUID NOT NULL,
    name TEXT NOT NULL,
    province_code TEXT,
    commune_code TEXT,
    status TEXT NOT NULL,
    completeness DOUBLE PRECISION NOT NULL,
    validity DOUBLE PRECISION NOT NULL,
    freshness DOUBLE PRECISION NOT NULL,
    consistency DOUBLE PRECISION NOT NULL,
    uniqueness DOUBLE PRECISION NOT NULL,
    evidence DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    band TEXT NOT NULL,
    scored_on DATE NOT NULL,
    lapsed BOOLEAN NOT NULL,
    PRIMARY KEY (month, organization_id)
);
CREATE INDEX quality_month_records_area
    ON quality_month_records (month, province_code, commune_code)
"""


def upgrade() -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE quality_month_records, quality_months, campaign_reminders")
