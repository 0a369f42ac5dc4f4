"""What can go wrong in collection, each with a message a person can act on."""

from __future__ import annotations


class CollectionError(Exception):
    def __init__(self, message: str) -> None:
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
