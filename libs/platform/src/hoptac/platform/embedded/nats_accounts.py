"""Who may do what on NATS: only the registry's relay publishes events.

The platform's account has two users. `relay` publishes on `coop.v1.>` and manages stream
COOP_ORG_V1; `platform`, which every projection uses, may consume, acknowledge and dead-letter
but may not publish an event nor change, purge or delete the stream. A forged
`organization.registered` from a projection, or from anything that takes its password, is then
a permissions violation at the server instead of an event every consumer trusts.

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
RELAY_USER = "relay"
SERVICES_USER = "platform"

RELAY_PERMISSIONS: dict[str, Any] = {
    "publish": {"allow": [EVENTS, "$JS.API.>", "_INBOX.>"]},
    "subscribe": {"allow": ["_INBOX.>"]},
}
SERVICES_PERMISSIONS: dict[str, Any] = {
    "publish": {
        "allow": [">"],
        "deny": [
            EVENTS,
            f"$JS.API.STREAM.CREATE.{STREAM}",
            f"$JS.API.STREAM.UPDATE.{STREAM}",
            f"$JS.API.STREAM.DELETE.{STREAM}",
            f"$JS.API.STREAM.PURGE.{STREAM}",
            f"$JS.API.STREAM.MSG.DELETE.{STREAM}",
        ],
    },
    "subscribe": {"allow": [">"]},
}


@dataclass(frozen=True)
class PlatformAccount:
    """The two users of the platform's NATS account, with passwords made for one run."""

    relay_password: str = field(default_factory=lambda: secrets.token_hex(24))
    services_password: str = field(default_factory=lambda: secrets.token_hex(24))

    def config(self) -> str:
        """nats-server configuration (JSON is valid NATS configuration syntax)."""
        users = [
            {"user": RELAY_USER, "password": self.relay_password, "permissions": RELAY_PERMISSIONS},
            {
                "user": SERVICES_USER,
                "password": self.services_password,
                "permissions": SERVICES_PERMISSIONS,
            },
        ]
        accounts = {"accounts": {"PLATFORM": {"jetstream": "enabled", "users": users}}}
        return json.dumps(accounts, indent=2)

    def relay_url(self, server_url: str) -> str:
        return _with_login(server_url, RELAY_USER, self.relay_password)

    def services_url(self, server_url: str) -> str:
        return _with_login(server_url, SERVICES_USER, self.services_password)


def _with_login(server_url: str, user: str, password: str) -> str:
    scheme, _, rest = server_url.partition("://")
    return f"{scheme}://{quote(user)}:{quote(password)}@{rest}"
