"""A tiny service for the launcher's end-to-end tests, imported by the uvicorn and worker
processes that `hoptac run` spawns (the test puts this folder on PYTHONPATH)."""

from __future__ import annotations

import asyncio
import os
import signal

import asyncpg
from fastapi import FastAPI

from hoptac.platform.service import ServiceSpec, Stack

PREFIX = "HOPTAC_DUMMY_"


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/readyz")
    def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/env")
    def env() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k.startswith(PREFIX)}

    return app


def create_broken_app() -> FastAPI:
    raise RuntimeError("the dummy service cannot start")


def migrate(url: str) -> None:
    """Counts the launcher's runs in the service's own database."""

    async def count_run() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute("create table if not exists runs (at timestamptz default now())")
            await conn.execute("insert into runs default values")
        finally:
            await conn.close()

    asyncio.run(count_run())


def after_start(stack: Stack) -> list[str]:
    return [f"dummy answers at {stack.http_url}, database {stack.database_url}"]


def spec(port: int, *, broken: bool = False, http_processes: int = 2) -> ServiceSpec:
    return ServiceSpec(
        name="dummy",
        port=port,
        env_prefix=PREFIX,
        asgi_app="dummy_service:create_broken_app" if broken else "dummy_service:create_app",
        database="dummy",
        workers=("dummy_service",),
        http_processes=http_processes,  # 2 as the registry's: stopped or lost all alike
        migrate=migrate,
        after_start=after_start,
        extra_env={f"{PREFIX}GREETING": "xin chào"},
    )


if __name__ == "__main__":  # the worker: idles until the launcher stops it
    while True:
        signal.pause()
