"""A/B rounds of an in-process benchmark: each round a process of its own on a fresh database
of one PostgreSQL server, this checkout's code and, when asked, another tree's (its `src`
folder first on the path) in turn, so that the machine's moods fall on both alike."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def postgres(settings: dict[str, str] | None = None) -> Iterator[Any]:
    """A durable PostgreSQL in a temporary directory, stopped and removed at the end."""
    from hoptac.platform.embedded.ports import free_port
    from hoptac.platform.embedded.postgres import EmbeddedPostgres

    with tempfile.TemporaryDirectory(prefix="hoptac-bench-pg-") as base:
        Path(base).chmod(0o755)
        with EmbeddedPostgres(Path(base) / "data", free_port(), settings=settings or {}) as server:
            yield server


def interleaved(
    script: Path, passed: list[str], rounds: int, base: str | None, postgres: Any
) -> dict[str, list[dict[str, Any]]]:
    """Run `script passed… --one SRC URL POSTMASTER` `rounds` times (after the base's, when
    given); each run prints its figures as a JSON object on its last line. Prints each round's
    figures (all but `statements`) and returns them by variant ("base", "this")."""
    variants = [("base", base), ("this", "-")] if base else [("this", "-")]
    found: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in variants}
    for _ in range(rounds):
        for name, src in variants:
            database = f"bench_{uuid.uuid4().hex[:8]}"
            url = postgres.create_database(database)
            done = subprocess.run(
                [sys.executable, str(script), *passed, "--one", src or "-", url, str(postgres.pid)],
                capture_output=True,
                text=True,
            )
            postgres.drop_database(database)
            if done.returncode:
                raise SystemExit(done.stderr)
            found[name].append(json.loads(done.stdout.splitlines()[-1]))
            costs = {k: round(v, 2) for k, v in found[name][-1].items() if k != "statements"}
            print(name, costs, flush=True)
            for ms, query in found[name][-1].get("statements", []):
                print(f"  {ms:>6} ms  {query}")
    return found
