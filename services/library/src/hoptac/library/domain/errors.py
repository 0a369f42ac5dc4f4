"""What can go wrong, in words the caller can act on; the HTTP layer maps each to a status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hoptac.platform.text import Text, fix_these_fields


class LibraryError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    field: str
    message: Text


class InvalidFields(LibraryError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(fix_these_fields(problems))
        self.problems = list(problems)


class NotFound(LibraryError):
    pass


class Duplicate(LibraryError):
    """The same number, or the same file, is already in the library."""


class StaleVersion(LibraryError):
    pass


class FileRefused(LibraryError):
    """Not a PDF or DOCX by its content, empty, too large, or a ZIP bomb."""


class FileTooLarge(FileRefused):
    pass


class Unauthenticated(LibraryError):
    pass


class NotAllowed(LibraryError):
    pass


class Unavailable(LibraryError):
    pass
