"""Text typed in TCVN3 or VNI converted to Unicode NFC from the letters' table; ordinary Unicode
text and plain ASCII never taken for either; a file in both, or a cell that reads both ways
beside certain Unicode, refused naming the encoding."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.collection.domain.encodings import converted, legacy_text, tables

pytestmark = pytest.mark.unit

TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
VOWELS = "aăâeêioôơuưy"

# Written by hand from the published character tables, not from the module's own table.
KNOWN = [
    ("Hîp t¸c x· N«ng nghiÖp T©n H\xadng", "TCVN3", "Hợp tác xã Nông nghiệp Tân Hưng"),
    ("Quü tÝn dông nh©n d©n", "TCVN3", "Quỹ tín dụng nhân dân"),
    ("NguyÔn V¨n B¶y, ®\xadêng Tr\xadêng Sa", "TCVN3", "Nguyễn Văn Bảy, đường Trường Sa"),
    ("HîP T¸C X· §åNG TH¸P", "TCVN3", "HỢP TÁC XÃ ĐỒNG THÁP"),
    ("Hôïp taùc xaõ Noâng nghieäp Taân Höng", "VNI", "Hợp tác xã Nông nghiệp Tân Hưng"),
    ("Quyõ tín duïng nhaân daân", "VNI", "Quỹ tín dụng nhân dân"),
    ("Nguyeãn Vaên Baûy, ñöôøng Tröôøng Sa", "VNI", "Nguyễn Văn Bảy, đường Trường Sa"),
    ("HÔÏP TAÙC XAÕ ÑOÀNG THAÙP", "VNI", "HỢP TÁC XÃ ĐỒNG THÁP"),
]


def vietnamese_letters() -> set[str]:
    """The 134 letters with diacritics (each vowel with each tone, and đ), both cases."""
    small = {unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES} | {
        "đ"
    }
    small = {letter for letter in small if not letter.isascii()}
    return small | {letter.upper() for letter in small}


def cells(*texts: str) -> list[tuple[int, list[Any]]]:
    return [(number, [text]) for number, text in enumerate(texts, start=2)]


@pytest.mark.parametrize(("typed", "encoding", "meant"), KNOWN)
def test_known_words_convert_to_unicode_nfc(typed: str, encoding: str, meant: str) -> None:
    result = converted(typed, encoding)

    assert result == meant
    assert unicodedata.is_normalized("NFC", result)


def test_the_table_holds_the_134_letters_and_reads_every_one_back() -> None:
    letters = vietnamese_letters()
    vni = {letter: code for code, letter in tables()["VNI"].items()}
    tcvn3 = {letter: code for code, letter in tables()["TCVN3"].items()}

    assert len(letters) == 134
    assert set(vni) == letters
    for letter in letters:
        assert converted(vni[letter], "VNI") == letter
        code = tcvn3.get(letter) or tcvn3[letter.lower()]  # a capital: the small letter's code
        context = ("TH", "NG") if letter.isupper() else ("", "")
        assert converted(code.join(context), "TCVN3") == letter.join(context)


@pytest.mark.parametrize(("typed", "encoding", "meant"), KNOWN)
def test_a_file_typed_in_a_legacy_encoding_is_converted_cell_by_cell(
    typed: str, encoding: str, meant: str
) -> None:
    found = legacy_text(cells("HTX 01", typed, "Tân Phú"))

    assert found.encoding == encoding
    assert [(c.row, c.after) for c in found.converted if c.before == typed] == [(3, meant)]
    assert found.applied(cells("HTX 01", typed))[1] == (3, [meant])
    assert found.ambiguous == []


@pytest.mark.parametrize(
    "texts",
    [
        ["Hợp tác xã Nông nghiệp Tân Hưng", "Hoà Bình"],
        ["Thái Bình", "Tân Phú", "Hóc Môn", "Cà Mau", "Bà Rịa"],
        ["HTX NN Tan Hung", "Ap 3, xa Tan Hung"],
        ["Müller GmbH", "Peña", "1½ ha", "25°C"],
    ],
)
def test_unicode_and_ascii_text_is_never_taken_for_a_legacy_encoding(texts: list[str]) -> None:
    found = legacy_text(cells(*texts))

    assert (found.encoding, found.converted, found.ambiguous) == (None, [], [])


SYLLABLES = st.builds(
    lambda initial, nucleus, tone, final: (
        initial + unicodedata.normalize("NFC", nucleus[0] + tone) + nucleus[1:] + final
    ),
    st.sampled_from(["", "b", "ch", "đ", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "x"]),
    st.sampled_from(["a", "â", "e", "i", "o", "ô", "u", "y", "oa", "uyê", "ươ", "iê", "ai"]),
    st.sampled_from(TONES),
    st.sampled_from(["", "c", "m", "n", "ng", "nh", "t"]),
)


@given(st.lists(st.lists(SYLLABLES, min_size=1, max_size=6).map(" ".join), max_size=8))
def test_vietnamese_written_in_unicode_is_never_converted(texts: list[str]) -> None:
    found = legacy_text(cells(*texts))

    assert (found.encoding, found.converted) == (None, [])


def test_a_file_in_both_legacy_encodings_is_refused_naming_them() -> None:
    found = legacy_text(cells("Hîp t¸c x· N«ng nghiÖp", "Hôïp taùc xaõ Noâng nghieäp"))

    assert found.mixed == ("TCVN3", "VNI")
    assert found.converted == []


def test_a_cell_that_reads_both_ways_beside_certain_unicode_is_ambiguous() -> None:
    found = legacy_text(cells("Hîp t¸c x· N«ng nghiÖp", "Thái Bình", "Hợp tác xã"))

    assert found.encoding == "TCVN3"
    assert [(c.row, c.before) for c in found.ambiguous] == [(3, "Thái Bình")]
    assert [c.row for c in found.converted] == [2]
