"""The record's serializer made by the contracts' conversion into plain dicts
(`hoptac.contracts.plain`), as events are read."""

from __future__ import annotations

from pydantic import TypeAdapter
from pydantic_core import SchemaSerializer

from hoptac.contracts.organization import OrganizationRecord
from hoptac.contracts.plain import plain

# The record's values as `OrganizationRecord.model_dump(mode="json")` writes them.
RECORD = SchemaSerializer(plain(TypeAdapter(OrganizationRecord).core_schema))
