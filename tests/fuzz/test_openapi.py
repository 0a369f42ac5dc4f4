"""schemathesis against each service's own OpenAPI document: whatever it generates from the
documented parameters and bodies (valid and not), the service never answers 5xx, and every
answer has a documented status, content type and shape.

Quick in `make test` (HOPTAC_FUZZ_EXAMPLES per operation, 15 by default); `make fuzz` runs it at
length. Each app runs in process with its real adapters (PostgreSQL, tantivy).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.platform.embedded import EmbeddedPostgres, free_port
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("HOPTAC_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Fuzzing is many requests from one client: the limits of the local default would stop it.
UNLIMITED = {
    "rate_limit_reads": "1000000/minute",
    "rate_limit_writes": "1000000/minute",
    "rate_limit_auth_failures": "1000000/minute",
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def admin_token(database_url: str, role: Role = Role.ADMIN) -> str:
    async def make() -> str:
        await migrate_async(database_url)
        engine = create_async_engine(database_url)
        async with engine.begin() as conn:
            token = await tokens.create_token(
                conn, "fuzz", role, [], [], WriteContext("fuzz", "pytest", None),
                timedelta(days=1),
            )  # fmt: skip
        await engine.dispose()
        return token

    return asyncio.run(make())


def fuzz(schema: Any, headers: dict[str, str], endless: tuple[str, ...] = ()) -> None:
    """Every operation of `schema` but the `endless` streams, each with its own hypothesis run;
    the first failure names the operation and the request that broke it."""
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in endless:
            continue

        @given(case=operation.as_strategy())
        @FUZZ
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error


def test_the_registry_keeps_to_its_openapi_document(fresh_database: str) -> None:
    from hoptac.registry.entrypoints.http.app import create_app
    from hoptac.registry.settings import RegistrySettings

    token = admin_token(fresh_database)
    app = create_app(RegistrySettings(database_url=fresh_database, **UNLIMITED))
    fuzz(schemathesis.openapi.from_asgi("/openapi.json", app), {"Authorization": f"Bearer {token}"})


def test_search_keeps_to_its_openapi_document(tmp_path: Path) -> None:
    from hoptac.search.entrypoints.http.app import create_app
    from hoptac.search.settings import SearchSettings

    settings_ = SearchSettings(var_dir=tmp_path, consume=False, **UNLIMITED)
    fuzz(schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_)), {})


def test_reporting_keeps_to_its_openapi_document(fresh_database: str) -> None:
    from hoptac.reporting.adapters.migrations import migrate
    from hoptac.reporting.entrypoints.http.app import create_app
    from hoptac.reporting.settings import ReportingSettings

    migrate(fresh_database)
    settings_ = ReportingSettings(database_url=fresh_database, consume=False, **UNLIMITED)
    fuzz(schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_)), {})


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` on a loopback port in a thread of its own, for a service that calls it over HTTP."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def test_notifications_keep_to_their_openapi_document(
    fresh_database: str, pg_server: EmbeddedPostgres, tmp_path: Path
) -> None:
    from hoptac.notifications.adapters.migrations import migrate
    from hoptac.notifications.entrypoints.http.app import create_app
    from hoptac.notifications.settings import NotificationsSettings
    from hoptac.registry.entrypoints.http.app import create_app as registry_app
    from hoptac.registry.settings import RegistrySettings

    registry_database = pg_server.create_database(f"fuzz_registry_{uuid.uuid4().hex[:8]}")
    token = admin_token(registry_database, Role.AGENCY_READER)
    registry = registry_app(RegistrySettings(database_url=registry_database, **UNLIMITED))
    migrate(fresh_database)
    with serving(registry) as registry_url:
        settings_ = NotificationsSettings(
            database_url=fresh_database, var_dir=tmp_path, registry_url=registry_url, **UNLIMITED
        )
        fuzz(
            schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_)),
            {"Authorization": f"Bearer {token}"},
            endless=("GET /v1/feed/stream",),  # Server-Sent Events: tests/e2e reads it
        )


def test_collection_keeps_to_its_openapi_document(
    fresh_database: str, pg_server: EmbeddedPostgres
) -> None:
    from hoptac.collection.adapters.migrations import migrate
    from hoptac.collection.entrypoints.http.app import create_app
    from hoptac.collection.settings import CollectionSettings
    from hoptac.registry.entrypoints.http.app import create_app as registry_app
    from hoptac.registry.settings import RegistrySettings

    registry_database = pg_server.create_database(f"fuzz_registry_{uuid.uuid4().hex[:8]}")
    token = admin_token(registry_database, Role.REVIEWER)
    registry = registry_app(RegistrySettings(database_url=registry_database, **UNLIMITED))
    migrate(fresh_database)
    with serving(registry) as registry_url:
        settings_ = CollectionSettings(
            database_url=fresh_database, registry_url=registry_url, consume=False, **UNLIMITED
        )
        fuzz(
            schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_)),
            {"Authorization": f"Bearer {token}"},
        )


def test_the_library_keeps_to_its_openapi_document(
    fresh_database: str, pg_server: EmbeddedPostgres, nats_url: str
) -> None:
    from hoptac.library.adapters.migrations import migrate
    from hoptac.library.entrypoints.http.app import create_app
    from hoptac.library.settings import LibrarySettings
    from hoptac.registry.entrypoints.http.app import create_app as registry_app
    from hoptac.registry.settings import RegistrySettings

    registry_database = pg_server.create_database(f"fuzz_registry_{uuid.uuid4().hex[:8]}")
    token = admin_token(registry_database, Role.REVIEWER)
    registry = registry_app(RegistrySettings(database_url=registry_database, **UNLIMITED))
    migrate(fresh_database)
    with serving(registry) as registry_url:
        settings_ = LibrarySettings(
            database_url=fresh_database, registry_url=registry_url, nats_url=nats_url, **UNLIMITED
        )
        fuzz(
            schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_)),
            {"Authorization": f"Bearer {token}"},
        )
