"""The webhook receiver every fault test subscribes, and the folder each platform lives in."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .platform import Platform, StartPlatform
from .receiver import Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


@pytest.fixture
async def started(workdir: Callable[[str], Path]) -> AsyncIterator[StartPlatform]:
    """`await started(name, **options)`: a platform running in a folder of its own, stopped
    (every process by its PID) at the end of the test, also when its start failed half-way."""
    platforms: list[Platform] = []

    async def start(name: str, **options: Any) -> Platform:
        platforms.append(Platform(workdir(name), **options))
        await platforms[-1].start()
        return platforms[-1]

    yield start
    for platform in platforms:
        platform.stop()


@pytest.fixture
def workdir() -> Iterator[Callable[[str], Path]]:
    """A new folder outside pytest's temporary tree: another pytest session (or this one at
    start) makes that tree private again (0700), and the PostgreSQL of a platform, running as
    another user when we are root, would lose its way to its own files mid-test."""
    made: list[Path] = []

    def make(name: str) -> Path:
        made.append(Path(tempfile.mkdtemp(prefix=f"hoptac-{name}-")))
        return made[-1]

    yield make
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)
