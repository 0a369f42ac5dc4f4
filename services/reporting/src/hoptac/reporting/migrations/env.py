"""Alembic environment: migrations run on a sync connection handed over by `migrate()`."""

from __future__ import annotations

from alembic import context

from hoptac.reporting.adapters.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
