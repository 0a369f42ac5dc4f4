"""Settings that would break a documented guarantee are refused at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hoptac.notifications.settings import NotificationsSettings

pytestmark = pytest.mark.unit


def test_a_lease_shorter_than_a_request_is_refused() -> None:
    # Otherwise a delivery still waiting for its answer is sent again by another worker.
    with pytest.raises(ValidationError, match="delivery_lease_seconds must be longer"):
        NotificationsSettings(delivery_lease_seconds=10, delivery_timeout_seconds=10)
    assert NotificationsSettings(delivery_lease_seconds=11, delivery_timeout_seconds=10)
