"""The error answer of every service: {"error": <code>, "message", "errors": [{"field",
"message"}]}, its texts rendered in the language the request's `Accept-Language` prefers, said
in `Content-Language`.

The codes are the contract clients branch on and never change with the language; the messages
are for people. Every message is a sentence that starts with a capital and says what to do; a
field's message never repeats the field's name (`field` carries it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection

from hoptac.platform.catalogue import Language, negotiate, render
from hoptac.platform.text import FieldMessage, Text, fix_these_fields


@dataclass(frozen=True)
class FieldText:
    field: str
    message: Text


class TextHTTPException(HTTPException):
    """An HTTP refusal raised below the routes (middleware) whose message is a `Text`."""

    def __init__(self, status_code: int, text: Text) -> None:
        super().__init__(status_code, str(text))
        self.text = text


def language_of(connection: HTTPConnection) -> Language:
    return negotiate(connection.headers.get("accept-language"))


def error_body(
    language: Language,
    code: str,
    message: Text,
    errors: Sequence[FieldMessage] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`extra`: members an error of one kind adds, such as the legal basis of a refused rule."""
    body: dict[str, Any] = {"error": code, "message": render(message, language)}
    if errors:
        body["errors"] = [
            {"field": e.field, "message": render(e.message, language)} for e in errors
        ]
    return {**body, **(extra or {})}


def invalid_query_response(
    connection: HTTPConnection, problems: Sequence[FieldMessage]
) -> JSONResponse:
    """A 422 for query parameters a service checks itself, with the field paths FastAPI gives
    the ones it checks: `query.<parameter>`."""
    fields = [FieldText(f"query.{p.field}", p.message) for p in problems]
    return error_response(connection, 422, "invalid_request", fix_these_fields(fields), fields)


def error_response(
    connection: HTTPConnection,
    status: int,
    code: str,
    message: Text,
    errors: Sequence[FieldMessage] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A 401 also says which authentication scheme to use."""
    language = language_of(connection)
    answer_headers = {"Content-Language": language, "Vary": "Accept-Language"}
    if status == 401:
        answer_headers["WWW-Authenticate"] = "Bearer"
    answer_headers.update(headers or {})
    return JSONResponse(
        status_code=status,
        content=error_body(language, code, message, errors, extra),
        headers=answer_headers,
    )
