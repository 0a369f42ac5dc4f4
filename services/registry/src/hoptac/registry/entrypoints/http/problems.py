"""Domain errors as HTTP answers: one status, code and body per kind of error, shared by the
single-record routes and by each row of a batch."""

from __future__ import annotations

from typing import Any

from hoptac.platform.catalogue import Language
from hoptac.platform.error_answers import error_body
from hoptac.registry.domain import errors
from hoptac.registry.entrypoints.http.auth import Unauthenticated

STATUS_OF: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.InvalidFields: (422, "invalid_request"),
    errors.EventTooLarge: (422, "event_too_large"),
    errors.InvalidTransition: (409, "invalid_transition"),
    errors.DuplicateRegistration: (409, "duplicate_registration_number"),
    errors.StaleVersion: (412, "stale_version"),
    errors.NotFound: (404, "not_found"),
    errors.Removed: (410, "removed"),
    errors.NotAllowed: (403, "forbidden"),
    errors.TokenNeeded: (401, "unauthenticated"),
    errors.QuotaExceeded: (429, "quota_exceeded"),
    Unauthenticated: (401, "unauthenticated"),
}


def status_of(exc: errors.DomainError) -> tuple[int, str]:
    return STATUS_OF.get(type(exc), (400, "bad_request"))


def extra_of(exc: errors.DomainError) -> dict[str, Any]:
    """What an error of its kind adds to the body: a refused transition cites its legal basis,
    and names its rule, so that a client can ask the library which article staff recorded
    (`GET /v1/provisions?rule=`): the registry itself does not ask, on a write."""
    if isinstance(exc, errors.InvalidTransition) and exc.basis:
        return {
            "rule": exc.rule,
            "basis": [{"number": c.number, "provision": c.provision} for c in exc.basis],
        }
    return {}


def problem(exc: errors.DomainError, language: Language) -> tuple[int, dict[str, Any]]:
    """The status and error body of `exc`, in `language`."""
    status, code = status_of(exc)
    fields = exc.problems if isinstance(exc, errors.InvalidFields) else []
    return status, error_body(language, code, exc.message, fields, extra_of(exc))
