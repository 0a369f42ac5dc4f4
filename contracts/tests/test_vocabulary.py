"""The vocabulary every service shares: digital flags, final statuses, Vietnam's day, folding."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest

from hoptac.contracts import labels
from hoptac.contracts.codes import DIGITAL_FLAGS, FINAL_STATUSES, Status
from hoptac.contracts.organization import DigitalAdoption
from hoptac.contracts.vietnam_time import vietnam_day
from hoptac.contracts.vietnamese_text import fold, nfc_clean, without_diacritics

pytestmark = pytest.mark.unit

# Every Vietnamese letter with a diacritic, lower and upper case, and its plain letter.
VIETNAMESE = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ",
    "e": "èéẻẽẹêềếểễệ",
    "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ",
    "u": "ùúủũụưừứửữự",
    "y": "ỳýỷỹỵ",
    "d": "đ",
}


def test_the_digital_flags_are_the_fields_of_the_record_and_each_has_a_label() -> None:
    assert tuple(DigitalAdoption.model_fields) == DIGITAL_FLAGS
    assert tuple(labels.DIGITAL) == DIGITAL_FLAGS


def test_dissolved_and_bankrupt_are_final_and_a_revoked_certificate_is_not() -> None:
    assert {Status.DISSOLVED, Status.BANKRUPT} == FINAL_STATUSES
    assert "dissolved" in FINAL_STATUSES
    assert Status.CERTIFICATE_REVOKED not in FINAL_STATUSES


def test_the_day_in_vietnam_turns_at_five_in_the_afternoon_utc() -> None:
    assert vietnam_day(datetime(2022, 7, 29, 16, 59, tzinfo=UTC)) == date(2022, 7, 29)
    assert vietnam_day(datetime(2022, 7, 29, 17, 0, tzinfo=UTC)) == date(2022, 7, 30)


@pytest.mark.parametrize("plain", sorted(VIETNAMESE))
def test_every_vietnamese_letter_folds_to_its_plain_letter_in_either_normal_form(
    plain: str,
) -> None:
    for letter in VIETNAMESE[plain]:
        for variant in (letter, letter.upper()):
            for form in ("NFC", "NFD"):
                assert fold(unicodedata.normalize(form, variant)) == plain, variant


def test_a_name_folds_whatever_its_case_and_form() -> None:
    assert fold("Hợp tác xã Đồng Hòa") == fold("HỢP TÁC XÃ ĐỒNG HOÀ") == "hop tac xa dong hoa"
    assert fold(unicodedata.normalize("NFD", "Đồng Hòa")) == "dong hoa"


def test_diacritics_can_go_with_the_case_kept() -> None:
    assert without_diacritics("Hợp tác xã Đồng Hòa") == "Hop tac xa Dong Hoa"


def test_typed_text_is_stored_in_nfc_without_surrounding_spaces() -> None:
    typed = " " + unicodedata.normalize("NFD", "Tân Hưng") + "\n"
    assert nfc_clean(typed) == "Tân Hưng"
    assert len(nfc_clean(typed)) == len("Tân Hưng")
