"""The library's tables (created by migrations/versions; these describe them to SQLAlchemy)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("number_key", Text, nullable=False, unique=True),
    Column("record", JSONB, nullable=False),
    # The file lives in the same row as its metadata, so the two commit together or not at all.
    Column("file_content", LargeBinary),
    Column("file_sha256", Text, unique=True),
    Column("text", Text, nullable=False),
)

# A document's articles and annexes, split from its text when its file is attached.
articles = Table(
    "articles",
    metadata,
    Column("document_id", UUID(as_uuid=True), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("number", Text, nullable=False),
    Column("anchor", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("heading", Text, nullable=False),
    Column("part", Text, nullable=False),
    Column("body", Text, nullable=False),
)

document_history = Table(
    "document_history",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("document_id", UUID(as_uuid=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("changed_fields", JSONB, nullable=False),
    Column("reason", Text),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("held_reason", Text),  # JetStream can never take it; an operator looks
)
