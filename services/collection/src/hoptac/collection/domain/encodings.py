"""Vietnamese text typed in the legacy 8-bit encodings still found in provincial files, read as
if it were Unicode: TCVN3 (ABC, fonts .VnTime) and VNI (VNI-Times). Each leaves characters that
no Vietnamese word holds in Unicode, so a file whose text is full of them was typed in one.

Such a file is refused, naming the encoding, rather than stored garbled: converting it is one
step in the tools officers already have (Unikey's "Chuyển mã")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# TCVN3 puts its lower-case letters with diacritics at 0xA1-0xFE; these are the ones that are
# never a letter of Vietnamese in Unicode (e.g. "Hîp t¸c x·" is "Hợp tác xã").
TCVN3_MARKS = frozenset("¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾ÆÇËÎÏÑÖ×ØÜÞßæçëîïñö÷øüþ")
# VNI writes a letter then a byte for its marks; these marks are no letter of Vietnamese
# (e.g. "Hôïp taùc xaõ" is "Hợp tác xã": ï is the dot below, ù the acute, õ the tilde).
VNI_MARKS = frozenset("ïøûëäåüöñÏØÛËÄÅÜÖÑ")
TCVN3_ONLY = TCVN3_MARKS - VNI_MARKS


@dataclass(frozen=True)
class Suspicion:
    encoding: str  # "TCVN3" or "VNI"
    example: str  # one text that shows it


def legacy_encoding(texts: Iterable[str], enough: int = 3) -> Suspicion | None:
    """The legacy encoding these texts were typed in, once `enough` marks of one are seen
    (a foreign name with an umlaut is one mark, not a file in VNI)."""
    seen = {"TCVN3": 0, "VNI": 0}
    examples: dict[str, str] = {}
    for text in texts:
        if text.isascii():
            continue
        tcvn3 = sum(1 for ch in text if ch in TCVN3_ONLY)
        vni = sum(1 for ch in text if ch in VNI_MARKS)
        for encoding, count in (("TCVN3", tcvn3), ("VNI", vni)):
            if count:
                seen[encoding] += count
                examples.setdefault(encoding, text)
                if seen[encoding] >= enough:
                    return Suspicion(encoding, examples[encoding][:80])
    return None
