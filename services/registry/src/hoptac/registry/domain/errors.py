"""What can go wrong in the domain, each with a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str  # dotted path into the request body, e.g. "address.commune_code"
    message: str


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidFields(DomainError):
    def __init__(self, problems: list[FieldProblem]) -> None:
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
        super().__init__(f"fix these fields: {summary}")
        self.problems = problems


class InvalidTransition(DomainError):
    pass


class DuplicateRegistration(DomainError):
    pass


class StaleVersion(DomainError):
    pass


class NotFound(DomainError):
    pass


class Removed(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class EventTooLarge(DomainError):
    """The change is valid field by field, but its event would be too large to publish."""


class QuotaExceeded(DomainError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
