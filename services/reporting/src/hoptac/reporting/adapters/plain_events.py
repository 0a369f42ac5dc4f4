"""The contract's events validated into plain dicts instead of models: the contracts' own
conversion (`hoptac.contracts.plain`), and the record's serializer made the same way.
"""

from __future__ import annotations

from pydantic import TypeAdapter
from pydantic_core import SchemaSerializer

from hoptac.contracts.organization import OrganizationRecord
from hoptac.contracts.plain import EVENT_VALUES, plain

EVENT = EVENT_VALUES
# The record's values as `OrganizationRecord.model_dump(mode="json")` writes them.
RECORD = SchemaSerializer(plain(TypeAdapter(OrganizationRecord).core_schema))
