"""Posts demonstration organisations to a running registry over its public HTTP API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.progress import Progress

from hoptac.registry.demo.generator import DemoOrganization

_KEPT_ERRORS = 10


@dataclass
class LoadReport:
    created: int = 0
    already_present: int = 0
    status_changes: int = 0
    failures: int = 0
    errors: list[str] = field(default_factory=list)  # the first few, verbatim

    def fail(self, message: str) -> None:
        self.failures += 1
        if len(self.errors) < _KEPT_ERRORS:
            self.errors.append(message)

    def summary(self) -> str:
        lines = [
            f"created {self.created}, already present {self.already_present}, "
            f"status changes {self.status_changes}, failures {self.failures}"
        ]
        lines += [f"  {error}" for error in self.errors]
        if self.failures > len(self.errors):
            lines.append(f"  … and {self.failures - len(self.errors)} more failures")
        return "\n".join(lines)


async def load_demo(
    base_url: str,
    token: str,
    organizations: list[DemoOrganization],
    concurrency: int = 8,
    progress: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> LoadReport:
    """Create each organisation, then apply its status changes in order. An organisation
    already registered (409 on its registration number) is left as it is, so a second run only
    reports it. `transport` replaces the network, for tests."""
    report = LoadReport()
    limit = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30, transport=transport)
    async with client:
        with Progress(disable=not progress) as bar:
            task = bar.add_task("Loading organisations", total=len(organizations))

            async def load_one(organization: DemoOrganization) -> None:
                async with limit:
                    await _load(client, organization, report)
                bar.advance(task)

            await asyncio.gather(*(load_one(org) for org in organizations))
    return report


async def _load(
    client: httpx.AsyncClient, organization: DemoOrganization, report: LoadReport
) -> None:
    number = organization.registration_number
    try:
        created = await client.post("/v1/organizations", json=organization.body)
        if _is_duplicate(created):
            report.already_present += 1
            return
        if created.status_code != 201:
            report.fail(f"{number}: create: HTTP {created.status_code} {_text(created)}")
            return
        report.created += 1
        answer: dict[str, Any] = created.json()
        identifier, version = answer["id"], answer["version"]
        for change in organization.status_changes:
            response = await client.post(
                f"/v1/organizations/{identifier}/status",
                json=change,
                headers={"If-Match": f'"{version}"'},
            )
            if response.status_code not in (200, 201):
                what = f"{change['status']} on {change['effective_date']}"
                report.fail(
                    f"{number}: status {what}: HTTP {response.status_code} {_text(response)}"
                )
                return  # later changes build on this one
            report.status_changes += 1
            version = response.json()["version"]
    except (httpx.HTTPError, ValueError, KeyError) as error:  # ValueError: a body that is not JSON
        report.fail(f"{number}: {type(error).__name__}: {error}")


def _is_duplicate(response: httpx.Response) -> bool:
    if response.status_code != 409:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "duplicate_registration_number"


def _text(response: httpx.Response) -> str:
    return response.text[:300]
