"""Whether the owners of subscriptions still hold their registry tokens: asked of the registry
(`GET /v1/whoami` with the owner's token) before a batch of deliveries is sent, at most once per
owner every few seconds. A subscription follows its owner's token: once it is revoked, the
owner's subscriptions stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

from hoptac.notifications.adapters.secret_box import SecretBox
from hoptac.platform.identity import Identity, IdentityUnavailable

log = logging.getLogger("hoptac.notifications.owners")


class OwnerCheck:
    def __init__(
        self,
        identity: Identity,
        secrets: SecretBox,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.identity = identity
        self.secrets = secrets
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._verdicts: dict[str, tuple[float, bool]] = {}  # owner -> (asked at, revoked)

    async def revoked(self, owners: Mapping[str, str]) -> set[str]:
        """Of `owners` (name -> sealed token), those whose token the registry no longer knows."""
        now = self.clock()
        due = {
            name: token
            for name, token in owners.items()
            if (held := self._verdicts.get(name)) is None
            or (not held[1] and now - held[0] >= self.cache_seconds)
        }
        if due:
            await asyncio.gather(*(self._ask(name, token, now) for name, token in due.items()))
        return {name for name in owners if self._verdicts.get(name, (now, False))[1]}

    async def _ask(self, name: str, sealed_token: str, now: float) -> None:
        try:
            caller = await self.identity.who(self.secrets.open(sealed_token))
        except IdentityUnavailable as error:
            # Sending goes on: while the registry is away it records no change either, so
            # only retries and a backlog go out; the owner is asked again at the next batch.
            log.warning("cannot check the token of %s (%s); sending anyway", name, error)
            return
        # A revoked token stays revoked and its name is never given again: remembered for good.
        self._verdicts[name] = (now, caller is None or caller.name != name)
