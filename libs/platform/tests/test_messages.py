"""Which language a request gets, and how a text is rendered in it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.platform.catalogue import LANGUAGES, negotiate, render
from hoptac.platform.text import FieldMessage, Text, fix_these_fields, shown
from hoptac.platform.validation_messages import json_problem, pattern_text, validation_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("vi", "vi"),
        ("vi-VN", "vi"),
        ("VI-vn", "vi"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, fr;q=0.9, vi;q=0.8, en;q=0.7", "vi"),
        ("en;q=0.5, vi;q=0.8", "vi"),
        ("vi;q=0.5, en;q=0.5", "vi"),  # a tie goes to the range written first
        ("vi;q=0, en;q=0.1", "en"),
        ("vi;q=0", "en"),
        ("*", "en"),
        ("fr, de", "en"),
        ("vi;q=abc, en;q=0.2", "en"),  # a range with an unreadable quality is left out
        ("vi;q=2", "en"),
        ("vi; q=0.9", "vi"),
    ],
)
def test_the_language_is_the_supported_one_the_client_prefers(
    header: str | None, language: str
) -> None:
    assert negotiate(header) == language


@given(st.text(max_size=300))
def test_any_header_gets_a_supported_language(header: str) -> None:
    assert negotiate(header) in LANGUAGES


def test_a_text_is_rendered_with_its_values_in_each_language() -> None:
    text = Text("validation.string_too_long", max=300)
    assert render(text, "en") == "Too long: at most 300 characters."
    assert render(text, "vi") == "Quá dài: tối đa 300 ký tự."


def test_a_text_inside_a_text_is_rendered_in_the_same_language() -> None:
    invalid = Text(
        "json.invalid", line=2, column=7, problem=json_problem("Expecting ',' delimiter")
    )
    assert render(invalid, "en") == "Invalid JSON at line 2 column 7: a comma was expected."
    assert render(invalid, "vi") == "JSON không hợp lệ tại dòng 2, cột 7: thiếu dấu phẩy."


def test_an_unknown_key_is_shown_as_itself_rather_than_failing() -> None:
    assert render(Text("no.such.key"), "vi") == "no.such.key"


def test_texts_with_the_same_key_and_values_are_equal() -> None:
    assert Text("validation.digits", value="'1'", count="5") == Text(
        "validation.digits", count="5", value="'1'"
    )
    assert Text("validation.missing") != Text("validation.extra_forbidden")


def test_an_echoed_value_is_cut_short() -> None:
    assert shown("x" * 1000).endswith("…")
    assert len(shown("x" * 1000)) == 60
    assert shown("31825") == "'31825'"


@pytest.mark.parametrize(
    ("pattern", "en", "vi"),
    [
        (r"^\d{5}$", "'12' is not 5 digits.", "'12' không phải là 5 chữ số."),
        (r"^\d{2,5}$", "'12' is not 2 to 5 digits.", "'12' không phải là từ 2 đến 5 chữ số."),
        (
            r"^(\d{9}|\d{12})$",
            "'12' is not 9 or 12 digits.",
            "'12' không phải là 9 hoặc 12 chữ số.",
        ),
        (r"^[a-z]+@", "'12' does not have the form", "'12' không đúng định dạng"),
    ],
)
def test_a_pattern_is_described_in_words_never_shown(pattern: str, en: str, vi: str) -> None:
    text = pattern_text("12", pattern)
    assert render(text, "en").startswith(en)
    assert render(text, "vi").startswith(vi)
    assert pattern not in render(text, "en")


@pytest.mark.parametrize(
    ("error", "en"),
    [
        ({"type": "missing", "loc": ("body", "name")}, "This field is required."),
        ({"type": "extra_forbidden", "loc": ("body", "nmae")}, "This is not a field"),
        ({"type": "string_too_short", "ctx": {"min_length": 2}}, "Too short: at least 2"),
        ({"type": "too_long", "ctx": {"max_length": 50}}, "Too many items: at most 50."),
        ({"type": "greater_than_equal", "ctx": {"ge": 0}}, "Must be 0 or more."),
        ({"type": "less_than_equal", "ctx": {"le": 5}}, "Must be 5 or less."),
        ({"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}}, "Use one of: 'a', 'b', 'c'."),
        ({"type": "literal_error", "ctx": {"expected": "'x'"}}, "Use one of: 'x'."),
        ({"type": "int_parsing"}, "Send a whole number."),
        ({"type": "date_from_datetime_parsing"}, "Send a date as YYYY-MM-DD"),
        ({"type": "url_parsing"}, "This value is not valid"),
        ({"type": "model_attributes_type", "loc": ("body",)}, "Send JSON"),
    ],
)
def test_each_kind_of_validation_error_has_its_sentence(error: dict[str, object], en: str) -> None:
    text = validation_text(error, None)
    assert render(text, "en").startswith(en)
    assert render(text, "vi") != render(text, "en")


class _Problem:
    def __init__(self, field: str) -> None:
        self.field, self.message = field, Text("validation.missing")


def test_the_summary_names_one_field_with_its_problem_or_several_by_name() -> None:
    one: list[FieldMessage] = [_Problem("name")]
    assert render(fix_these_fields(one), "en") == "Fix name: This field is required."
    many: list[FieldMessage] = [_Problem(f"f{n}") for n in range(7)]
    assert render(fix_these_fields(many), "vi").startswith(
        "Hãy sửa các trường sau: f0, f1, f2, f3, f4, …"
    )
