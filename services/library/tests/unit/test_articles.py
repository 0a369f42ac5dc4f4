"""A document's text is split into its articles and annexes, whatever shape extraction gave it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.library.domain.articles import Article, split

pytestmark = pytest.mark.unit

LAW = """QUỐC HỘI
LUẬT HỢP TÁC XÃ
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định về việc thành lập hợp tác xã.
Điều 2: Đối tượng áp dụng
1. Thành viên, hợp tác xã.
Điều 5 của Luật này không áp dụng cho tổ hợp tác.
Chương II
THÀNH LẬP HỢP TÁC XÃ
Điều
3.
Quyền của thành viên
a) Được hưởng lợi.
“Điều 2. Một điều được trích dẫn trong điều sửa đổi
Phụ lục II-8
MẪU THÔNG BÁO TẠM NGỪNG KINH DOANH
Điều 1. Tên hợp tác xã
"""


def test_the_articles_of_a_law_with_their_titles_text_and_chapters() -> None:
    articles = split(LAW)
    assert [(a.label, a.anchor, a.heading) for a in articles] == [
        ("Điều 1", "dieu-1", "Phạm vi điều chỉnh"),
        ("Điều 2", "dieu-2", "Đối tượng áp dụng"),
        ("Điều 3", "dieu-3", "Quyền của thành viên"),
        ("Phụ lục II-8", "phu-luc-ii-8", "MẪU THÔNG BÁO TẠM NGỪNG KINH DOANH"),
    ]
    assert articles[0].part == "Chương I NHỮNG QUY ĐỊNH CHUNG"
    assert articles[1].text == (
        "1. Thành viên, hợp tác xã.\nĐiều 5 của Luật này không áp dụng cho tổ hợp tác."
    )
    assert articles[2].part == "Chương II THÀNH LẬP HỢP TÁC XÃ"
    # A quoted heading and a smaller number are text; so is an article inside an annex.
    assert "“Điều 2. Một điều" in articles[2].text
    assert articles[3].text == "Điều 1. Tên hợp tác xã"


def test_decomposed_letters_capitals_and_no_break_spaces_are_headings_too() -> None:
    text = unicodedata.normalize("NFD", "ĐIỀU\u00a01. Phạm vi\nnội dung\r\nĐiều 2 . Đối tượng\n")
    articles = split(text)
    assert [(a.number, a.heading) for a in articles] == [("1", "Phạm vi"), ("2", "Đối tượng")]
    assert articles[0].text == "nội dung"


@pytest.mark.parametrize(
    "heading",
    [
        "**Điều 4.** Quyền của thành viên",
        "Điều 4 . Quyền của thành viên**",
        "ĐIỀU 4: Quyền của thành viên",
        "Điều 4.\nQuyền của thành viên",
        "Điều\n4.\n**Quyền của thành viên**",
    ],
)
def test_an_emphasised_or_broken_heading_gives_the_same_article(heading: str) -> None:
    articles = split(f"Căn cứ…\n{heading}\n1. Thành viên có quyền…\n")
    assert [(a.anchor, a.heading, a.text) for a in articles] == [
        ("dieu-4", "Quyền của thành viên", "1. Thành viên có quyền…")
    ]


@pytest.mark.parametrize("text", ["", "Một văn bản không có điều nào.", "Điều 5 của Luật này"])
def test_a_text_without_headings_has_no_articles(text: str) -> None:
    assert split(text) == []


def test_an_annex_without_a_number_and_one_numbered_in_digits() -> None:
    text = "Điều 1. Một\nPHỤ LỤC\nDanh mục\nPhụ lục số 02-1: Mẫu đơn\nPhụ lục 02.1. Lặp lại\n"
    articles = split(text)
    assert [(a.label, a.anchor, a.heading) for a in articles] == [
        ("Điều 1", "dieu-1", "Một"),
        ("Phụ lục", "phu-luc", "Danh mục"),
        ("Phụ lục 02-1", "phu-luc-02-1", "Mẫu đơn"),
    ]
    assert articles[-1].text == "Phụ lục 02.1. Lặp lại"  # the same anchor again: its text


WORDS = st.sampled_from(
    ["hợp", "tác", "xã", "thành", "viên", "quyền", "nghĩa", "vụ", "vốn", "đăng", "ký", "điều"]
)
LINES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
BODIES = st.lists(LINES, min_size=0, max_size=4).map("\n".join)
TITLES = st.lists(WORDS, min_size=1, max_size=6).map(lambda w: " ".join(w).capitalize())
SHAPES = st.sampled_from(["Điều {n}. {t}", "Điều {n}: {t}", "ĐIỀU {n}. {t}", "Điều\n{n}.\n{t}"])


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str]]]:
    """A text of articles in random shapes, and the (number, title, text) each should give."""
    count = draw(st.integers(min_value=1, max_value=12))
    first = draw(st.integers(min_value=1, max_value=300))
    gaps = draw(st.lists(st.integers(1, 3), min_size=count, max_size=count))
    expected, lines = [], [draw(BODIES)]  # a preamble before the first article
    number = first
    for gap in gaps:
        title, body, shape = draw(TITLES), draw(BODIES), draw(SHAPES)
        lines += [shape.format(n=number, t=title), body]
        expected.append((str(number), title, "\n".join(x for x in body.split("\n") if x)))
        number += gap
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    return text, expected


@given(documents())
def test_every_article_is_found_with_its_title_and_text_whatever_its_shape(
    document: tuple[str, list[tuple[str, str, str]]],
) -> None:
    text, expected = document
    articles = split(text)
    assert [(a.number, a.heading, a.text) for a in articles] == expected
    assert len({a.anchor for a in articles}) == len(articles)


@given(st.text(max_size=400))
def test_any_text_splits_into_unique_anchors_without_raising(text: str) -> None:
    articles = split(text)
    assert all(isinstance(a, Article) for a in articles)
    assert len({a.anchor for a in articles}) == len(articles)
    numbers = [int(a.number) for a in articles if a.kind == "article" and a.number.isdigit()]
    assert numbers == sorted(numbers)
