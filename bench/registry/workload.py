"""The HTTP load on the registry: C clients, each with its own connection, doing one request after
another for a fixed time (closed loop), after a warm-up that is not measured."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.demo.generator import generate_province

_KEPT_ERRORS = 10
JSON = {"Content-Type": "application/json"}


class Failure(Exception):
    """A request that did not do what it should; its message says what came back."""


def describe(response: httpx.Response, what: str) -> Failure:
    return Failure(f"{what}: HTTP {response.status_code} {response.text[:300]}")


class Operation(Protocol):
    async def __call__(self, worker: int, http: httpx.AsyncClient) -> str:
        """Do one request and return the id of the organisation it wrote; raise on failure."""
        ...


@dataclass
class LoadResult:
    clients: int
    window: float  # the measured window asked for, seconds
    wall_start: float  # time.time() when the measured window opened
    elapsed: float = 0.0  # from the window's opening to the last measured answer
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    ids: list[str] = field(default_factory=list)  # what the measured requests wrote
    requests: int = 0  # all of them, warm-up included
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def measured(self) -> int:
        return len(self.latencies)

    def fail(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < _KEPT_ERRORS:
            self.error_samples.append(message)


async def run_load(
    url: str,
    headers: dict[str, str],
    operation: Operation,
    clients: int,
    seconds: float,
    warmup: float,
) -> LoadResult:
    """Run `operation` in a loop on `clients` connections for `warmup` + `seconds`.

    A request counts when it started inside the measured window; those still running when the
    window closes are waited for and counted too, so nothing is cut short.
    """
    now = time.monotonic()
    opens, closes = now + warmup, now + warmup + seconds
    result = LoadResult(clients, seconds, wall_start=time.time() + warmup)
    last_answer = opens

    async def worker(number: int) -> None:
        nonlocal last_answer
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=url, headers=headers, timeout=60, limits=limits
        ) as http:
            while (started := time.monotonic()) < closes:
                result.requests += 1
                try:
                    written = await operation(number, http)
                except (Failure, httpx.HTTPError) as error:
                    result.fail(f"{type(error).__name__}: {error}")
                    continue
                finished = time.monotonic()
                if started >= opens:
                    result.latencies.append(finished - started)
                    result.ids.append(written)
                    last_answer = max(last_answer, finished)

    await asyncio.gather(*(worker(n) for n in range(clients)))
    result.elapsed = last_answer - opens
    return result


# --- registrations ----------------------------------------------------------------------------


class Bodies:
    """Registration bodies drawn from the demo generator: real communes and VSIC codes,
    plausible Vietnamese names, spread over every province.

    Registration numbers are unique within the run. When the pool runs out it is used again
    with numbered names ("… Tân Hưng 2"), so names stay varied and lookalikes stay realistic.
    """

    def __init__(self, templates: Sequence[dict[str, Any]]) -> None:
        self.templates = templates
        self.issued = 0

    @classmethod
    def generate(cls, per_province: int, seed: int = 2025) -> Bodies:
        units = official_units()
        templates = [
            organization.body
            for province in units.provinces()
            for organization in generate_province(units, province.code, per_province, seed)
        ]
        # Interleave the provinces, as writes from the whole country would arrive.
        random.Random(seed).shuffle(templates)
        return cls(templates)

    def next(self) -> tuple[str, bytes]:
        """(registration number, JSON body)"""
        cycle, position = divmod(self.issued, len(self.templates))
        self.issued += 1
        template = self.templates[position]
        number = f"{template['registration_number'][:2]}{self.issued:08d}"
        body = {**template, "registration_number": number}
        if cycle:
            body["name"] = f"{template['name']} {cycle + 1}"
        return number, json.dumps(body, ensure_ascii=False).encode()


class Register:
    """POST /v1/organizations with the next body."""

    def __init__(self, bodies: Bodies) -> None:
        self.bodies = bodies

    async def __call__(self, worker: int, http: httpx.AsyncClient) -> str:
        number, body = self.bodies.next()
        response = await http.post("/v1/organizations", content=body, headers=JSON)
        if response.status_code != 201:
            raise describe(response, f"POST {number}")
        # The Location header names the new record: no need to parse the whole answer.
        return response.headers["Location"].rsplit("/", 1)[-1]


# --- updates ------------------------------------------------------------------------------------


class Survey:
    """PATCH an existing record with If-Match, as a survey that recounts members and workers.

    Each client updates its own share of the records, round robin, so the versions it sends are
    the ones it last saw: a 412 here would be a bug, not contention.
    """

    def __init__(self, ids: Sequence[str], clients: int) -> None:
        self.shares = [list(ids[n::clients]) for n in range(clients)]
        self.turn = [0] * clients
        self.versions: dict[str, int] = dict.fromkeys(ids, 1)

    async def __call__(self, worker: int, http: httpx.AsyncClient) -> str:
        share = self.shares[worker]
        org_id = share[self.turn[worker] % len(share)]
        self.turn[worker] += 1
        version = self.versions[org_id]
        patch = {"members_count": 7 + version, "workers_count": 3 + 2 * version}
        response = await http.patch(
            f"/v1/organizations/{org_id}",
            content=json.dumps(patch).encode(),
            headers={**JSON, "If-Match": f'"{version}"'},
        )
        if response.status_code != 200:
            raise describe(response, f"PATCH {org_id} at version {version}")
        self.versions[org_id] = int(response.headers["ETag"].strip('W/"'))
        return org_id
