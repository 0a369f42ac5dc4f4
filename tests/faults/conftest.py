"""The webhook receiver every fault test subscribes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .receiver import Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.stop()
