"""Our signatures against the independent Standard Webhooks reference implementation."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from hoptac.notifications.domain.signing import new_secret, webhook_headers

pytestmark = pytest.mark.unit


@settings(max_examples=50, deadline=None)
@given(body=st.text(min_size=0, max_size=300), message_id=st.uuids())
def test_any_body_verifies_with_the_reference_implementation(body: str, message_id) -> None:
    secret = new_secret()
    data = body.encode()
    headers = webhook_headers([secret], str(message_id), int(time.time()), data)
    Webhook(secret).verify(data, headers, json_parse=False)


def test_during_rotation_either_secret_verifies_and_a_stranger_does_not() -> None:
    new, old = new_secret(), new_secret()
    body = '{"sequence":1,"name":"Hợp tác xã Đất Mũi"}'.encode()
    headers = webhook_headers([new, old], "evt_1", int(time.time()), body)
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_a_changed_body_does_not_verify() -> None:
    secret = new_secret()
    headers = webhook_headers([secret], "evt_1", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)


def test_secrets_look_like_standard_webhooks_secrets() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert new_secret() != secret


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        webhook_headers([], "evt", 0, b"")
