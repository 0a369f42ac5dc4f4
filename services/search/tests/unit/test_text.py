from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.search.domain import text

pytestmark = pytest.mark.unit

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "
)


def test_fold_drops_every_mark_and_folds_d() -> None:
    assert text.fold("Đồng Hòa Thuỷ") == "dong hoa thuy"


def test_both_tone_placements_have_one_exact_key() -> None:
    assert text.exact("hoà") == text.exact("hòa") == "hoa1"
    assert text.exact("thuỷ") == text.exact("thủy") == "thuy3"
    assert text.exact("khoẻ") == text.exact("khỏe")


def test_exact_key_keeps_letter_shapes_and_tells_tones_apart() -> None:
    assert text.exact("đồng") == "đông1"
    assert len({text.exact(w) for w in ("hoa", "hòa", "hóa", "họa", "hỏa", "hõa")}) == 6


def test_nfd_input_gives_the_same_words() -> None:
    phrase = "Hợp tác xã Thủy sản Khánh Hòa"
    nfd = unicodedata.normalize("NFD", phrase)
    assert text.analyse(nfd) == text.analyse(phrase)


@pytest.mark.parametrize(
    ("written", "expanded"),
    [
        ("HTX Tân Hưng", "hợp tác xã tân hưng"),
        ("LH HTX Cà Mau", "liên hiệp hợp tác xã cà mau"),
        ("THT rau sạch", "tổ hợp tác rau sạch"),
        ("QTDND Phú Lộc", "quỹ tín dụng nhân dân phú lộc"),
        ("TP. Hồ Chí Minh", "thành phố hồ chí minh"),
        ("htx dv nn", "hợp tác xã dịch vụ nông nghiệp"),
    ],
)
def test_abbreviations_expand(written: str, expanded: str) -> None:
    assert " ".join(text.analyse(written)) == expanded


def test_registration_numbers_compare_on_letters_and_digits() -> None:
    assert text.registration_key(" 60-01 000001 ") == "6001000001"
    assert text.looks_like_registration_number("6001000001")
    assert not text.looks_like_registration_number("Tân Hưng")


@settings(max_examples=60)
@given(st.text(alphabet=VIETNAMESE, max_size=40))
def test_folding_does_not_depend_on_normal_form(phrase: str) -> None:
    nfc = unicodedata.normalize("NFC", phrase)
    nfd = unicodedata.normalize("NFD", phrase)
    assert text.folded_text(text.words(nfc)) == text.folded_text(text.words(nfd))
    assert text.exact_text(text.words(nfc)) == text.exact_text(text.words(nfd))
    assert text.folded_text(text.words(nfc)).isascii()
