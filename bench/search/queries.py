"""The query mix of the latency benchmark: what people type, drawn from the corpus."""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from bench.search.corpus import PROVINCES, Organisation

PARAMS = dict[str, Any]


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _typo(rng: random.Random, text: str) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swap two letters
    return " ".join(words)


def mix(
    organisations: list[Organisation], count: int = 2000, seed: int = 7
) -> list[tuple[str, PARAMS]]:
    """(path, params) pairs: searches of several kinds and some suggestions."""
    rng = random.Random(seed)
    out: list[tuple[str, PARAMS]] = []
    for _ in range(count):
        org = rng.choice(organisations).record
        name = org["name"]
        place = " ".join(name.split()[-2:])
        roll = rng.random()
        if roll < 0.25:
            out.append(("/v1/search", {"q": name}))
        elif roll < 0.40:
            out.append(("/v1/search", {"q": _fold(name).lower()}))
        elif roll < 0.50:
            out.append(("/v1/search", {"q": org["name_abbreviation"]}))
        elif roll < 0.60:
            out.append(("/v1/search", {"q": _typo(rng, _fold(name))}))
        elif roll < 0.70:
            out.append(("/v1/search", {"q": place, "province": rng.choice(PROVINCES)}))
        elif roll < 0.75:
            out.append(("/v1/search", {"q": org["registration_number"]}))
        elif roll < 0.82:
            out.append(
                (
                    "/v1/search",
                    {
                        "province": org["address"]["province_code"],
                        "status": "operating",
                        "sort": "name",
                    },
                )
            )
        elif roll < 0.85:
            out.append(("/v1/search", {"bbox": "105,9,106.5,10.5", "kind": "cooperative"}))
        else:
            cut = max(3, int(len(name) * rng.uniform(0.3, 0.8)))
            out.append(("/v1/suggest", {"q": name[:cut]}))
    return out
