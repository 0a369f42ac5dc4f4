"""What can go wrong in the domain, each with a message a person can act on: a catalogue `Text`
that the HTTP layer renders in the caller's language."""

from __future__ import annotations

from dataclasses import dataclass

from hoptac.platform.text import Text, fix_these_fields
from hoptac.registry.domain.legal_basis import Citation


@dataclass(frozen=True)
class FieldProblem:
    field: str  # dotted path into the request body, e.g. "address.commune_code"
    message: Text


class DomainError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


class InvalidFields(DomainError):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(fix_these_fields(problems))
        self.problems = problems


class InvalidTransition(DomainError):
    def __init__(
        self, message: Text, basis: tuple[Citation, ...] = (), rule: str | None = None
    ) -> None:
        super().__init__(message)
        self.basis = basis  # the documents the refused rule rests on
        self.rule = rule  # its code, under which the library keeps the article recorded


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


class TokenNeeded(NotAllowed):
    """Anonymous, where a token is needed: a 401, not a 403."""


class EventTooLarge(DomainError):
    """The change is valid field by field, but its event would be too large to publish."""


class QuotaExceeded(DomainError):
    def __init__(self, message: Text, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
