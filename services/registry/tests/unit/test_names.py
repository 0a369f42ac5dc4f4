from __future__ import annotations

import pytest

from hoptac.registry.domain.names import name_key, registration_key

pytestmark = pytest.mark.unit


def test_kind_words_do_not_count_in_a_name() -> None:
    assert name_key("Hợp tác xã Tân Hưng") == name_key("HTX Tân Hưng") == "tan hung"


@pytest.mark.parametrize(
    "variant", ["6001000001", "06001000001", "6001-000-001", "6001.000.001", "0060/01000001"]
)
def test_variants_of_a_registration_number_share_one_key(variant: str) -> None:
    assert registration_key(variant) == "6001000001"


def test_letters_in_a_registration_number_ignore_case() -> None:
    assert registration_key("12/htx-bl") == registration_key("12/HTX.BL") == "12HTXBL"
