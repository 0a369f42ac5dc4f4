"""Vietnamese text the way people type it: folded, tone-placement-proof, abbreviations expanded.

Two keys per word:

- the *folded* key drops every mark and turns đ into d (`Hòa` → `hoa`, `Đồng` → `dong`), so a
  query typed without diacritics, or with the wrong ones, still finds the word;
- the *exact* key keeps the letter shapes (â, ă, ê, ô, ơ, ư, đ) and moves the tone to a digit at
  the end (`hòa` and `hoà` → `hoa1`), so both tone placements and NFC/NFD input are one key,
  and a query typed with the right diacritics ranks the words that carry them higher.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Combining tone marks (NFD) and the digit that stands for each in an exact key.
TONE_DIGITS = {
    "\u0300": "1",  # huyền (grave)
    "\u0301": "2",  # sắc (acute)
    "\u0309": "3",  # hỏi (hook above)
    "\u0303": "4",  # ngã (tilde)
    "\u0323": "5",  # nặng (dot below)
}

# Abbreviations as they are written in names and addresses, by folded form, with their
# expansion. Multi-word abbreviations ("LH HTX") expand word by word.
ABBREVIATIONS: dict[str, str] = {
    "htx": "hợp tác xã",
    "lhhtx": "liên hiệp hợp tác xã",
    "lh": "liên hiệp",
    "tht": "tổ hợp tác",
    "qtdnd": "quỹ tín dụng nhân dân",
    "qtd": "quỹ tín dụng",
    "tp": "thành phố",
    "tx": "thị xã",
    "tt": "thị trấn",
    "ubnd": "ủy ban nhân dân",
    "dv": "dịch vụ",
    "dvnn": "dịch vụ nông nghiệp",
    "nn": "nông nghiệp",
    "tm": "thương mại",
    "tmdv": "thương mại dịch vụ",
    "sx": "sản xuất",
    "sxkd": "sản xuất kinh doanh",
    "kd": "kinh doanh",
    "xd": "xây dựng",
    "vt": "vận tải",
    "nts": "nuôi trồng thủy sản",
    "mtv": "một thành viên",
}

_WORD = re.compile(r"[^\W_]+")
_DIGITS_AND_LETTERS = re.compile(r"[^0-9a-z]")


def normalize(text: str) -> str:
    """NFC, with every run of whitespace made one space: what we store and compare."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def words(text: str) -> list[str]:
    """The lower-case words of `text` (NFC), punctuation dropped."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


# Vietnamese has a few thousand syllables: caching the two keys per word makes analysis cheap.
@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """`Đồng Hòa` → `dong hoa`: no marks, đ → d, lower case."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=100_000)
def exact(word: str) -> str:
    """`hoà`, `hòa` (NFC or NFD) → `hoa1`: letter shapes kept, the tone as a final digit."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        digit = TONE_DIGITS.get(ch)
        if digit is not None:
            tone = digit
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def has_marks(word: str) -> bool:
    """True when the word carries any diacritic (or đ): then its exact key means something."""
    return fold(word) != word.lower()


def expand(tokens: Sequence[str]) -> list[str]:
    """Expand known abbreviations (`htx` → `hợp`, `tác`, `xã`), keeping every other word."""
    out: list[str] = []
    for token in tokens:
        expansion = ABBREVIATIONS.get(fold(token))
        out.extend(expansion.split() if expansion else [token])
    return out


def analyse(text: str | None) -> list[str]:
    """The words of a text as indexed and queried: NFC, lower case, abbreviations expanded."""
    return expand(words(text)) if text else []


def folded_text(tokens: Iterable[str]) -> str:
    return " ".join(fold(t) for t in tokens)


def exact_text(tokens: Iterable[str]) -> str:
    return " ".join(exact(t) for t in tokens)


def registration_key(text: str) -> str:
    """A registration number by its letters and digits only: `60-01 000001` → `6001000001`."""
    return _DIGITS_AND_LETTERS.sub("", fold(text))


def looks_like_registration_number(text: str) -> bool:
    key = registration_key(text)
    return len(key) >= 4 and sum(ch.isdigit() for ch in key) >= len(key) - 2
