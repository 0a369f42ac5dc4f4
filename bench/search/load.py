"""Closed-loop HTTP load on the search service, and commit-to-searchable through the pipeline."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.search.queries import PARAMS


@dataclass
class QueryLoad:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else float("nan")


async def query_load(
    url: str, mix: list[tuple[str, PARAMS]], clients: int, seconds: float, warmup: float = 1.0
) -> QueryLoad:
    """`clients` workers, one connection each, one request after another for `seconds`."""
    result = QueryLoad(clients, seconds)
    queries = itertools.cycle(mix)
    started = time.perf_counter()
    measure_from = started + warmup
    stop_at = measure_from + seconds

    async def worker() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
            while (now := time.perf_counter()) < stop_at:
                path, params = next(queries)
                sent = time.perf_counter()
                try:
                    response = await http.get(path, params=params)
                    ok = response.status_code == 200
                    detail = f"{path} {params}: HTTP {response.status_code} {response.text[:200]}"
                except httpx.HTTPError as error:
                    ok, detail = False, f"{path} {params}: {error!r}"
                done = time.perf_counter()
                if now < measure_from:
                    continue
                if ok:
                    result.latencies.append(done - sent)
                else:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(detail)

    await asyncio.gather(*(worker() for _ in range(clients)))
    result.elapsed = time.perf_counter() - measure_from
    return result


@dataclass
class Visibility:
    latencies: list[float] = field(default_factory=list)  # seconds from 201 to searchable
    failures: list[str] = field(default_factory=list)


async def commit_to_searchable(
    registry_url: str,
    headers: dict[str, str],
    search_url: str,
    bodies: list[dict[str, Any]],
    give_up_after: float = 10.0,
) -> Visibility:
    """One registration at a time: the time from the registry's 201 (the commit) until a search
    for its registration number finds it, polling every 5 ms (finer polling loads the service it
    measures)."""
    result = Visibility()
    async with (
        httpx.AsyncClient(base_url=registry_url, headers=headers, timeout=30) as registry,
        httpx.AsyncClient(base_url=search_url, timeout=30) as search,
    ):
        for body in bodies:
            response = await registry.post("/v1/organizations", json=body)
            committed = time.perf_counter()
            if response.status_code != 201:
                result.failures.append(f"POST: HTTP {response.status_code} {response.text[:200]}")
                continue
            wanted = response.json()["id"]
            params = {"q": body["registration_number"], "limit": 1}
            while True:
                answer = (await search.get("/v1/search", params=params)).json()
                if answer["items"] and answer["items"][0]["id"] == wanted:
                    result.latencies.append(time.perf_counter() - committed)
                    break
                if time.perf_counter() - committed > give_up_after:
                    result.failures.append(f"{wanted} not searchable after {give_up_after} s")
                    break
                await asyncio.sleep(0.005)
    return result
