"""A document's articles and annexes, found in the text extracted from its file.

Vietnamese legal documents number their articles `Điều 1.`, `Điều 2.`… at the start of a line,
and put their annexes after them (`Phụ lục I`, `PHỤ LỤC II-8`). Extraction gives these in many
shapes: `Điều 1:` for `Điều 1.`, capitals, the word and its number broken across two lines, the
title on the line after the number, letters decomposed (NFD), no-break spaces. What is not a
heading stays in the text of the article it belongs to:
- a heading quoted inside another article (an amending text's `“Điều 5. …`) starts with a quote;
- a cross-reference at the start of a line (`Điều 5 của Luật này`) has no `.` or `:` after the
  number;
- article numbers only increase, so a second `Điều 3.` is part of the text, not a new article;
- once the annexes begin, an `Điều 1.` inside a form or a model charter is the annex's text.
A chapter or section heading (`Chương II`, `Mục 1`, with its title in capitals on the next
line) ends the article before it and is kept as the `part` of the article after it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from hoptac.contracts.vietnamese_text import fold

Kind = Literal["article", "annex"]

_ROMAN_OR_DIGITS = r"[IVXLC0-9]+(?:[-.][IVXLC0-9]+)*"
_ARTICLE = re.compile(
    r"^[ \t*_]*(?i:điều)[ \t]*\n?[ \t]*(?P<number>[0-9]{1,4}[a-zđ]?)[ \t]*[.:]"
    r"[ \t*_]*(?P<rest>.*)$",
    re.MULTILINE,
)
# An annex names itself (`Phụ lục II-8`, `Phụ lục số 01`), or is the capitals `PHỤ LỤC` alone.
_ANNEX = re.compile(
    rf"^[ \t*_]*(?:(?i:phụ[ \t]+lục)[ \t]+(?:(?i:số)[ \t]+)?(?P<number>{_ROMAN_OR_DIGITS})\b"
    rf"[ \t]*[.:\-–]?[ \t*_]*(?P<rest>.*)|PHỤ[ \t]+LỤC[ \t*_]*)$",
    re.MULTILINE,
)
_PART = re.compile(
    rf"^[ \t*_]*(?:(?i:chương)[ \t]+{_ROMAN_OR_DIGITS}|(?i:mục)[ \t]+[0-9]+)\b[^\n]*$", re.MULTILINE
)
# The first line of an article's text, not its title: a clause (`1.`) or a point (`a)`).
_CLAUSE = re.compile(r"^\s*(?:[0-9]+[.)]|[a-zđ]\))")
MAX_HEADING_CHARS = 300
MAX_PIECES = 5000  # a code runs to about 700 articles; past this, the rest is the last's text
MAX_ANNEX_NUMBER = 20


@dataclass(frozen=True)
class Article:
    kind: Kind
    number: str  # "12", "5a"; an annex's "II-8", or "" for an annex without one
    heading: str  # its title, after the number
    text: str
    part: str = ""  # the chapter or section heading that begins with it

    @property
    def anchor(self) -> str:
        """Its fragment on the document's page: `dieu-12`, `phu-luc-ii-8`, `phu-luc`."""
        return anchor_of(self.kind, self.number)

    @property
    def label(self) -> str:
        """As the document prints it: `Điều 12`, `Phụ lục II-8`."""
        word = "Điều" if self.kind == "article" else "Phụ lục"
        return f"{word} {self.number}" if self.number else word


def anchor_of(kind: Kind, number: str) -> str:
    if kind == "article":
        return f"dieu-{fold(number)}"
    slug = re.sub(r"[^0-9a-z]+", "-", fold(number)).strip("-")
    return f"phu-luc-{slug}" if slug else "phu-luc"


@dataclass(frozen=True)
class _Heading:
    kind: Kind
    number: str
    start: int
    end: int  # where its text begins
    rest: str


def normal_text(text: str) -> str:
    """One Unicode form, one kind of line break and of space."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\u00a0\u2007\u202f\t]", " ", text)


def split(text: str) -> list[Article]:
    """The articles and then the annexes of `text`, in order; none when it has no heading."""
    text = normal_text(text)
    headings = _headings(text)
    parts = [(m.start(), m.end()) for m in _PART.finditer(text)]
    articles = []
    for position, heading in enumerate(headings):
        end = headings[position + 1].start if position + 1 < len(headings) else len(text)
        if heading.kind == "article":  # a chapter's heading ends the article before it
            end = next((start for start, _ in parts if heading.end <= start < end), end)
        title, body = _title(heading.rest, text[heading.end : end])
        floor = headings[position - 1].end if position else 0
        part = _part(text, parts, floor, heading) if heading.kind == "article" else ""
        articles.append(Article(heading.kind, heading.number, title, _clean(body), part))
    return articles


def _headings(text: str) -> list[_Heading]:
    found = [
        _Heading("article", m["number"].lower(), m.start(), m.end(), m["rest"])
        for m in _ARTICLE.finditer(text)
    ]
    found += [
        _Heading("annex", m["number"] or "", m.start(), m.end(), m["rest"] or "")
        for m in _ANNEX.finditer(text)
    ]
    found.sort(key=lambda h: h.start)
    kept: list[_Heading] = []
    seen: set[str] = set()  # anchors: `Phụ lục II-8` and `Phụ lục II.8` would share one
    last_number = (0, "")
    in_annexes = False
    for heading in found:
        if (
            len(kept) >= MAX_PIECES
            or anchor_of(heading.kind, heading.number) in seen
            or len(heading.number) > MAX_ANNEX_NUMBER
        ):
            continue
        if heading.kind == "article":
            number = _article_number(heading.number)
            if in_annexes or number <= last_number:
                continue
            last_number = number
        else:
            in_annexes = True
        seen.add(anchor_of(heading.kind, heading.number))
        kept.append(heading)
    return kept


def _article_number(number: str) -> tuple[int, str]:
    digits = number.rstrip("abcdefghijklmnopqrstuvwxyzđ")
    return int(digits), number[len(digits) :]


def _title(rest: str, body: str) -> tuple[str, str]:
    """The title on the heading's line, or on the next line when the line ends at the number."""
    title = rest.strip(" *_")
    if not title:
        lines = body.lstrip("\n").split("\n", 1)
        first = lines[0].strip(" *_")
        if first and not _CLAUSE.match(first) and len(first) <= MAX_HEADING_CHARS:
            return first, lines[1] if len(lines) > 1 else ""
    return title[:MAX_HEADING_CHARS], body


def _part(text: str, parts: list[tuple[int, int]], floor: int, heading: _Heading) -> str:
    """The chapter or section headings (with their titles) between the article before and
    this one."""
    starts = [start for start, _ in parts if floor <= start < heading.start]
    if not starts:
        return ""
    lines = (line.strip(" *_") for line in text[starts[0] : heading.start].split("\n"))
    return " ".join(line for line in lines if line)[:MAX_HEADING_CHARS]


def _clean(body: str) -> str:
    lines = [line.strip() for line in body.split("\n")]
    return "\n".join(line for line in lines if line)
