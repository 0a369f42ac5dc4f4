"""The registry's PostgreSQL schema, as SQLAlchemy Core tables (migrations create them)."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB, UUID

metadata = MetaData()

# A JSON value no statement looks inside is `json`, kept as the registry wrote it: `jsonb` costs
# PostgreSQL a conversion on every write (migration 0009). The record stays `jsonb`, for the
# filters that read inside it.

organizations = Table(
    "organizations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("registration_number", Text, nullable=False),
    Column("registration_key", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("province_code", Text, nullable=False),
    Column("commune_code", Text),
    Column("legacy_district_code", Text),
    Column("legacy_commune_code", Text),
    Column("sector_group", Text, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("record", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("removed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A record removed as entered by mistake frees its number for the right record; variants
    # of one number (case, punctuation, leading zeros) are one number.
    Index(
        "organizations_registration_key",
        "registration_key",
        unique=True,
        postgresql_where=text("removed_at IS NULL"),
    ),
    Index("organizations_filters", "province_code", "kind", "status"),
    Index("organizations_commune", "commune_code"),
    Index("organizations_legacy_commune", "legacy_commune_code"),
    Index(
        "organizations_name_trgm",
        "name_key",
        postgresql_using="gin",
        postgresql_ops={"name_key": "gin_trgm_ops"},
    ),
)

organization_versions = Table(
    "organization_versions",
    metadata,
    Column("organization_id", UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", Text, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("reason", Text),
    Column("correlation_id", Text),
    Column("changes", JSON, nullable=False),
    PrimaryKeyConstraint("organization_id", "version"),
)

# The transactional outbox, kept forever as the registry's change log. The registry writes each
# row once; the relay's bookkeeping lives in the narrow tables below, so that numbering and
# publishing an event never rewrites its 1-2 KB row (migration 0008).
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("organization_id", UUID(as_uuid=True), nullable=False),
    Column("organization_version", Integer, nullable=False),
    Column("province_code", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("correlation_id", Text),
    Column("data", JSON, nullable=False),
    Index(
        "outbox_correlation",
        "correlation_id",
        postgresql_where=text("correlation_id IS NOT NULL"),
    ),
)

# The ids of outbox rows the relay has not numbered yet, listed by a trigger on every insert into
# the outbox (`outbox_list_unnumbered`): a row is seen here once its transaction commits.
outbox_unnumbered = Table("outbox_unnumbered", metadata, Column("id", BigInteger, primary_key=True))

# `sequence` is assigned by the relay to rows that have committed, in the order it sees them, so
# a reader paging `after=N` can never miss a row that committed late.
outbox_sequence = Table(
    "outbox_sequence",
    metadata,
    Column("sequence", BigInteger, primary_key=True),
    Column("outbox_id", BigInteger, nullable=False),
)

# One row per batch the relay settled: every event up to `through_sequence` was acknowledged by
# JetStream at `published_at`, or set aside in `outbox_held`.
outbox_publications = Table(
    "outbox_publications",
    metadata,
    Column("through_sequence", BigInteger, primary_key=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

# Events JetStream refused, with the reason; an operator retries one (clearing held_at: the relay
# publishes it again and forgets it) or dead-letters it (it stays in the change log).
outbox_held = Table(
    "outbox_held",
    metadata,
    Column("sequence", BigInteger, primary_key=True),
    Column("held_at", DateTime(timezone=True)),
    Column("held_reason", Text),
    Column("dead_lettered_at", DateTime(timezone=True)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("provinces", ARRAY(Text), nullable=False, server_default="{}"),
    Column("communes", ARRAY(Text), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Text, nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("diff", JSON, nullable=False, server_default="[]"),
    Column("correlation_id", Text),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id, with its parameters and salt
    Column("role", Text, nullable=False),
    Column("provinces", ARRAY(Text), nullable=False, server_default="{}"),
    Column("communes", ARRAY(Text), nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Text, nullable=False),
    Column(
        "password_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()
    ),
    Column("disabled_at", DateTime(timezone=True)),
)

# A signed-in person's credential, stored like a token: only its SHA-256 hash.
sessions = Table(
    "sessions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("account_id", UUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False),
    Column("address", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Index("sessions_account", "account_id", postgresql_where=text("ended_at IS NULL")),
)

# Failed sign-ins in a row, keyed "account:<username>" or "address:<ip>".
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Index("sign_in_failures_age", "last_failed_at"),
)

# Records with restricted fields each caller was shown, per window of the quota's sliding window
# (domain/sliding_window.py): kept here, not in a process's memory, so every registry process
# counts against the same quota. Only the current and the previous window are kept.
restricted_reads = Table(
    "restricted_reads",
    metadata,
    Column("window_number", BigInteger, nullable=False),
    Column("caller", Text, nullable=False),
    Column("records", Integer, nullable=False),
    PrimaryKeyConstraint("window_number", "caller"),
)
