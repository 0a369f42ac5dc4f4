"""Closed-loop HTTP load on the search service, and commit-to-searchable through the pipeline."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
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

    def record(self, ok: bool, seconds: float, detail: str) -> None:
        if ok:
            self.latencies.append(seconds)
        else:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(detail)


async def query_load(
    url: str,
    mix: list[tuple[str, PARAMS]],
    clients: int,
    seconds: float,
    warmup: float = 1.0,
    client: str = "aiohttp",
) -> QueryLoad:
    """`clients` workers, one keep-alive connection each, one request after another for
    `seconds`. The client is aiohttp by default, which costs about a third of httpx's CPU per
    request (0.25 against 0.75 ms here): on two cores the client's CPU is the service's loss."""
    if client == "httpx":
        return await _query_load_httpx(url, mix, clients, seconds, warmup)
    result = QueryLoad(clients, seconds)
    queries = itertools.cycle(mix)
    started = time.perf_counter()
    measure_from = started + warmup
    stop_at = measure_from + seconds
    timeout = aiohttp.ClientTimeout(total=30)

    async def worker() -> None:
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
            while (now := time.perf_counter()) < stop_at:
                path, params = next(queries)
                sent = time.perf_counter()
                try:
                    async with http.get(path, params=params) as response:
                        body = await response.read()
                    ok = response.status == 200
                    detail = f"{path} {params}: HTTP {response.status} {body[:200]!r}"
                except (aiohttp.ClientError, TimeoutError) as error:
                    ok, detail = False, f"{path} {params}: {error!r}"
                done = time.perf_counter()
                if now >= measure_from:
                    result.record(ok, done - sent, detail)

    await asyncio.gather(*(worker() for _ in range(clients)))
    result.elapsed = time.perf_counter() - measure_from
    return result


async def _query_load_httpx(
    url: str, mix: list[tuple[str, PARAMS]], clients: int, seconds: float, warmup: float
) -> QueryLoad:
    """The same with httpx (the client of the first figures), for comparison."""
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
                if now >= measure_from:
                    result.record(ok, done - sent, detail)

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
