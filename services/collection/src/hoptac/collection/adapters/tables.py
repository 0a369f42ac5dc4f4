"""The collection database's tables for SQLAlchemy Core (the DDL is in the migrations)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB

metadata = MetaData()

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("checksum", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("format", Text, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("rows_total", Integer, nullable=False),
    Column("rows_proposed", Integer, nullable=False),
    Column("rows_refused", Integer, nullable=False),
    Column("problems", JSONB, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

proposals = Table(
    "proposals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("batch_id", Uuid),
    Column("row_number", Integer),
    Column("row_key", Text, nullable=False),
    Column("organization_id", Uuid),
    Column("base_version", Integer),
    Column("province_code", Text),
    Column("commune_code", Text),
    Column("change", JSON, nullable=False),
    Column("state", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by", Text),
    Column("submitted_at", DateTime(timezone=True)),
    Column("reviewed_by", Text),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("comments", JSON, nullable=False),
    Column("outcome", JSON),
)

# A proposal's latest step of the review (`submitted`, `applying`) while its `proposals` row is
# behind it: submitting and marking an approval write this narrow row instead of a new version of
# the wide proposal with an entry in each of its indexes. Its columns, when set, are the
# proposal's; the step is folded into the proposal when the proposal is returned or its outcome
# recorded (store.settle).
proposal_progress = Table(
    "proposal_progress",
    metadata,
    Column("proposal_id", Uuid, primary_key=True),
    Column("state", Text, nullable=False),
    Column("submitted_by", Text),
    Column("submitted_at", DateTime(timezone=True)),
    Column("reviewed_by", Text),
    Column("reviewed_at", DateTime(timezone=True)),
)

# What the registry said of a dry run's rows that refused or warned, by their place in the rows
# sent (`fingerprint`: a hash of those rows), for the import of the same file soon after.
dry_runs = Table(
    "dry_runs",
    metadata,
    Column("checksum", Text, primary_key=True),
    Column("made_by", Text, primary_key=True),
    Column("language", Text, primary_key=True),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("answers", JSONB, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("details", JSON, nullable=False),
)

challenges = Table(
    "challenges",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("province_code", Text, nullable=False),
    Column("commune_code", Text),
    Column("fields", JSONB, nullable=False),
    Column("what", Text, nullable=False),
    Column("contact", Text),
    Column("sender", Text, nullable=False),  # a hash of the sender's address, for rate limits
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", Text),
    Column("resolution", Text),
)
