"""Batch requests sent side by side reach every process of a registry served by several
(uvicorn's --workers, as `hoptac run` serves it): a kept-alive connection would stay with the
process that accepted it, and two of them could land on one process while the other idles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hoptac.collection.adapters.registry import RegistryClient
from hoptac.platform.embedded.ports import free_port

pytestmark = pytest.mark.integration

# A registry stand-in: each batch is checked on the CPU, holding its process (as the registry's
# check of a part does), and answered with the id of the process that checked it.
APP = """
import json, os, time

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    changes = json.loads(body)["changes"]
    end = time.process_time() + 0.03
    while time.process_time() < end:
        pass
    results = [{"index": n, "status": 200, "pid": os.getpid()} for n in range(len(changes))]
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps({"results": results}).encode()})
"""


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "standin.py").write_text(APP)
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "standin:app", "--workers", "2"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        ],
        cwd=tmp_path,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(url, json={"changes": []}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


async def test_side_by_side_batches_are_checked_by_both_processes(two_processes: str) -> None:
    client = RegistryClient(two_processes, batch_rows=10, in_flight=2)
    try:
        results = await client.batch("token", [{"op": "register"}] * 200, dry_run=True)
    finally:
        await client.close()

    per_process = {result["pid"] for result in results}
    assert len(results) == 200
    assert len(per_process) == 2
