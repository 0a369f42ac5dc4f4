"""Numbers and symbols are kept as printed and compared without regard to case or spacing."""

from __future__ import annotations

import unicodedata

import pytest

from hoptac.library.domain.numbers import is_number, normalise, number_key

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "number", ["17/2023/QH15", "92/2024/NĐ-CP", "09/2024/TT-BKHĐT", "19/CT-TTg", "148/QĐ-TTg"]
)
def test_the_numbers_of_real_documents_are_numbers(number: str) -> None:
    assert is_number(number)
    assert normalise(number) == number


@pytest.mark.parametrize("text", ["Luật Hợp tác xã", "17", "QH15/2023/17", "", "17/2023/"])
def test_other_text_is_not_a_number(text: str) -> None:
    assert not is_number(text)


def test_case_spacing_and_unicode_form_do_not_make_another_document() -> None:
    decomposed = unicodedata.normalize("NFD", "92/2024/ nđ-cp")
    assert number_key(decomposed) == number_key("92/2024/NĐ-CP")
