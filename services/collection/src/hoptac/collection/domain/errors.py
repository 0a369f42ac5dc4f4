"""What can go wrong in collection, each with a message a person can act on, named by its key in
the platform's catalogue and rendered in the language the request asks for."""

from __future__ import annotations

from hoptac.platform.text import Text


class CollectionError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(CollectionError):
    pass


class NotAllowed(CollectionError):
    pass


class NotFound(CollectionError):
    pass


class Conflict(CollectionError):
    pass


class Unavailable(CollectionError):
    """The registry cannot be reached just now; try again shortly."""


class TooMany(CollectionError):
    """Over a limit meant to bound abuse; try again later."""
