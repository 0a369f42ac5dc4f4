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


@pytest.mark.parametrize(
    ("written", "expanded"),
    [
        ("HTX DVNT thủy sản", "hợp tác xã dịch vụ nuôi trồng thủy sản"),
        ("HTX SX NN TS", "hợp tác xã sản xuất nông nghiệp thủy sản"),
        ("HTX CN", "hợp tác xã chăn nuôi công nghiệp"),  # both meanings, in a name
        ("H. Cái Nước, X. Tân Hưng", "huyện cái nước xã tân hưng"),
        ("P.1, TX. Giá Rai", "phường 1 thị xã giá rai"),
        ("Saigon Co.op", "saigon co op"),  # a dot after a word that is no unit type
    ],
)
def test_names_and_addresses_are_written_out(written: str, expanded: str) -> None:
    assert " ".join(text.analyse(written)) == expanded


def test_a_unit_type_before_a_name_is_optional_and_only_there() -> None:
    def optional(q: str) -> list[str]:
        return [s.words[0] for s in text.query_slots(q) if s.optional]

    assert optional("quỹ tín dụng huyện cái nước") == ["huyện"]
    assert optional("huyen cai nuoc") == ["huyen"]
    assert optional("thành phố huế") == ["thành", "phố"]
    assert optional("HTX Tân Hưng") == []  # the "xã" of "hợp tác xã"
    assert optional("huyện") == []  # alone it is what is looked for
    assert optional("tính toán") == []  # marks typed: only "tỉnh" is the unit


def test_an_abbreviation_with_several_meanings_is_one_slot_of_alternatives() -> None:
    slot = text.query_slots("CN biển bạch")[0]
    assert slot.alternatives == (("chăn", "nuôi"), ("công", "nghiệp"))
    assert slot.single is None


def test_place_phrases_take_the_unit_type_and_two_or_three_words() -> None:
    slots = text.query_slots("htx thủy sản xã khánh bình tây")
    assert text.place_phrases(slots) == [["xa", "khanh", "binh"], ["xa", "khanh", "binh", "tay"]]
