"""The projection's tables: received versions, one row per organisation, and the timeline.

- `versions`: every version received, keyed (organization, version): a duplicate is a no-op and a
  late one fills its gap, so the fold is the same whatever the order of arrival.
- `organizations`: the newest version held, its record's counted part while the registration
  itself has not arrived (the fallback; null once it has), whether it was removed, when it was
  counted.
- `projection_state`: a generation number bumped by every change, for exact answer caching.
- `timeline`: the counted facts of each organisation over intervals of effective dates,
  recomputed from `versions` whenever one of its events arrives; statistics as of any day are
  one aggregate over the rows valid that day.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.domain.facts import OCOP_STARS

metadata = MetaData()

versions = Table(
    "versions",
    metadata,
    Column("organization_id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("event", Text, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("changes", JSONB, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("versions_sequence", "sequence", unique=True),
)

organizations = Table(
    "organizations",
    metadata,
    Column("organization_id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("record", JSONB),
    Column("removed", Boolean, nullable=False, server_default=text("false")),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("counted_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

# One row: bumped by every transaction that changes the projection, so that a cached answer
# is known to be current by reading one number.
projection_state = Table(
    "projection_state",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("generation", BigInteger, nullable=False),
)

# Fixed-width, never-null columns first, then the nullable numbers, then text: PostgreSQL reads
# the columns of a row in order, and a scan of every row is what a statistic costs.
timeline = Table(
    "timeline",
    metadata,
    Column("organization_id", UUID(as_uuid=True), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    # Exclusive; 'infinity' while it still holds, so that "valid on D" is two comparisons.
    Column("valid_to", Date, nullable=False, server_default=text("'infinity'")),
    Column("registered_on", Date, nullable=False),
    # Coded values as small integers (adapters/codes.py): the columns every statistic reads.
    Column("kind", SmallInteger, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("sector_group", SmallInteger, nullable=False),
    *(Column(f"ocop_{stars}", SmallInteger, nullable=False) for stars in OCOP_STARS),
    *(Column(f"digital_{flag}", Boolean, nullable=False) for flag in DIGITAL_FLAGS),
    Column("members", Integer),
    Column("workers", Integer),
    Column("charter_capital", BigInteger),
    Column("province", Text, nullable=False),
    Column("operating_in_practice", Text, nullable=False),
    Column("commune", Text),
    Column("legacy_province", Text),
    Column("legacy_district", Text),
    Column("legacy_commune", Text),
    Index("timeline_period", "valid_from", "valid_to"),
)
