"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`.

The key is the base64 text after `whsec_`. While a secret is being rotated, both the new and
the old secret sign, and the header carries both signatures separated by a space; a receiver
accepts the message when any one of them verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(encoded)


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    secrets_in_force: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> str:
    """The `webhook-signature` value: one signature per secret in force, newest first."""
    if not secrets_in_force:
        raise ValueError("a webhook needs at least one signing secret")
    return " ".join(signature(s, message_id, timestamp, body) for s in secrets_in_force)


def webhook_headers(
    secrets_in_force: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_in_force, message_id, timestamp, body),
        "content-type": "application/json",
    }
