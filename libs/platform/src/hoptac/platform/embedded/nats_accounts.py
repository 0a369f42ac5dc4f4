"""Who may do what on NATS: each stream of events has one publisher.

The platform's account has three users. `relay` (the registry's relay) publishes on
`coop.v1.>` and manages stream COOP_ORG_V1; `library` (the policy library) publishes on
`library.v1.>` and manages stream LIBRARY_DOC_V1, and nothing else; `platform`, which every
projection uses, may consume, acknowledge and dead-letter but may neither publish an event nor
change, purge or delete either stream. A forged `organization.registered` from a projection or
from the library, or from anything that takes their passwords, is then a permissions violation
at the server instead of an event every consumer trusts.

The embedded default (`hoptac run`) renders this as its nats-server configuration, with
passwords made at each start; `deploy/nats/accounts.conf` holds the same permissions for
production, and both are tested against a real nats-server.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

EVENTS = "coop.v1.>"
STREAM = "COOP_ORG_V1"
LIBRARY_EVENTS = "library.v1.>"
LIBRARY_STREAM = "LIBRARY_DOC_V1"
RELAY_USER = "relay"
LIBRARY_USER = "library"
SERVICES_USER = "platform"


def _stream_changes(stream: str) -> list[str]:
    """The JetStream API subjects that change a stream or its messages."""
    actions = ("CREATE", "UPDATE", "DELETE", "PURGE", "MSG.DELETE")
    return [f"$JS.API.STREAM.{action}.{stream}" for action in actions]


RELAY_PERMISSIONS: dict[str, Any] = {
    "publish": {"allow": [EVENTS, "$JS.API.>", "_INBOX.>"]},
    "subscribe": {"allow": ["_INBOX.>"]},
}
# What the library's relay does: make or update its stream (`ensure_stream`), publish and hear
# JetStream's acknowledgements.
LIBRARY_PERMISSIONS: dict[str, Any] = {
    "publish": {
        "allow": [
            LIBRARY_EVENTS,
            f"$JS.API.STREAM.INFO.{LIBRARY_STREAM}",
            f"$JS.API.STREAM.CREATE.{LIBRARY_STREAM}",
            f"$JS.API.STREAM.UPDATE.{LIBRARY_STREAM}",
            "_INBOX.>",
        ]
    },
    "subscribe": {"allow": ["_INBOX.>"]},
}
SERVICES_PERMISSIONS: dict[str, Any] = {
    "publish": {
        "allow": [">"],
        "deny": [
            EVENTS,
            *_stream_changes(STREAM),
            LIBRARY_EVENTS,
            *_stream_changes(LIBRARY_STREAM),
        ],
    },
    "subscribe": {"allow": [">"]},
}
PERMISSIONS = {
    RELAY_USER: RELAY_PERMISSIONS,
    LIBRARY_USER: LIBRARY_PERMISSIONS,
    SERVICES_USER: SERVICES_PERMISSIONS,
}


@dataclass(frozen=True)
class PlatformAccount:
    """The users of the platform's NATS account, with passwords made for one run."""

    passwords: dict[str, str] = field(
        default_factory=lambda: {user: secrets.token_hex(24) for user in PERMISSIONS}
    )

    def config(self) -> str:
        """nats-server configuration (JSON is valid NATS configuration syntax)."""
        users = [
            {"user": user, "password": self.passwords[user], "permissions": permissions}
            for user, permissions in PERMISSIONS.items()
        ]
        accounts = {"accounts": {"PLATFORM": {"jetstream": "enabled", "users": users}}}
        return json.dumps(accounts, indent=2)

    def url(self, user: str, server_url: str) -> str:
        """`server_url` with the login of `user`."""
        scheme, _, rest = server_url.partition("://")
        return f"{scheme}://{quote(user)}:{quote(self.passwords[user])}@{rest}"

    def relay_url(self, server_url: str) -> str:
        return self.url(RELAY_USER, server_url)

    def services_url(self, server_url: str) -> str:
        return self.url(SERVICES_USER, server_url)
