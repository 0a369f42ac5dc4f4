"""Pages from Jinja2 templates, in the reader's language, whole or as an htmx fragment.

A request from htmx (`HX-Request`) that targets a part of a page gets that part only, from the
same URL and template; any other request, a history restore included, gets the whole page.
Every page carries an ETag of its bytes and answers 304 when the browser already has them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import (
    ChainableUndefined,
    Environment,
    FileSystemLoader,
    Undefined,
    select_autoescape,
)

from hoptac.contracts.organization import OrganizationRecord
from hoptac.portal.adapters.areas import AreaNames
from hoptac.portal.adapters.catalogue import Catalogue
from hoptac.portal.domain.formatting import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    format_date,
    format_moment,
    format_money,
    format_number,
    format_rate,
)

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
LANGUAGE_COOKIE = "lang"

# The record's fields, which pages name by label ("field.<name>"): `field_label` in _macros.html.
RECORD_FIELDS = frozenset(OrganizationRecord.model_fields)


def language_of(request: Request) -> Language:
    chosen = request.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return next((language for language in LANGUAGES if language == chosen), DEFAULT_LANGUAGE)


def wants_fragment(request: Request, target: str) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-history-restore-request") != "true"
        and headers.get("hx-target") == target
    )


class Pages:
    def __init__(self, catalogue: Catalogue, areas: AreaNames, assets_version: str) -> None:
        self.catalogue = catalogue
        self.areas = areas
        self.assets_version = assets_version
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html", "svg"]),
            auto_reload=False,  # templates change with a release, not while the process runs
            undefined=ChainableUndefined,  # optional fields of a record may be absent
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def helpers(self, language: Language) -> dict[str, Any]:
        text = partial(self.catalogue.text, language)

        def label(group: str, code: str | None) -> str:
            return text(f"{group}.{code}") if code else "–"

        def facet_value(name: str, value: str) -> str:
            """A filter's value as it reads: an area by its name (current, else former)."""
            if name in ("province", "commune"):
                return (
                    self.areas.name(name, value)
                    or self.areas.name(f"legacy_{name}", value)
                    or value
                )
            return label("sector_group" if name == "sector" else name, value)

        return {
            "_": text,
            "lang": language,
            "label": label,
            "record_fields": RECORD_FIELDS,
            "facet_value": facet_value,
            "number": _absent_as_none(partial(format_number, language=language)),
            "money": _absent_as_none(partial(format_money, language=language)),
            "rate": _absent_as_none(partial(format_rate, language=language)),
            "day": _absent_as_none(format_date),
            "moment": _absent_as_none(format_moment),
            "area": self.areas.name,
            "assets_version": self.assets_version,
        }

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        status_code: int = 200,
        fragment: str | None = None,
    ) -> Response:
        return page_answer(request, self.body(request, name, context, fragment), status_code)

    def body(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        fragment: str | None = None,
    ) -> bytes:
        language = language_of(request)
        variables = {
            **self.helpers(language),
            "path": request.url.path,
            "current_url": _current_url(request),
            "today": date.today(),
            **context,
        }
        template = self.env.get_template(name)
        if fragment is not None and wants_fragment(request, fragment):
            return "".join(template.blocks[fragment](template.new_context(variables))).encode()
        return template.render(variables).encode()


def _absent_as_none(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    """A field the record does not have reaches a formatter as None, which it writes as '–'."""

    def formatted(value: Any) -> str:
        return format_value(None if isinstance(value, Undefined) else value)

    return formatted


def _current_url(request: Request) -> str:
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


def page_answer(request: Request, body: bytes, status_code: int = 200) -> Response:
    """A page's bytes with their ETag, or 304 when the browser holds them already."""
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "HX-Request, HX-Target, Cookie"}
    if status_code == 200 and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return HTMLResponse(body, status_code=status_code, headers=headers)
