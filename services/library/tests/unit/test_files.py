"""A file is judged by its bytes; its text is extracted when it can be, the file kept when not."""

from __future__ import annotations

import io
import zipfile

import pytest

from hoptac.contracts.library import TextStatus
from hoptac.library.adapters.extraction import extract
from hoptac.library.domain.errors import FileRefused, FileTooLarge
from hoptac.library.domain.files import DOCX, PDF, Limits, sniff

from ..samples import (
    DAMAGED_PDF,
    NOT_A_DOCUMENT,
    docx_with_text,
    encrypted_pdf,
    pdf_with_text,
)

pytestmark = pytest.mark.unit
LIMITS = Limits(max_bytes=1_000_000, max_unpacked_bytes=5_000_000)


def test_a_pdf_and_a_docx_are_known_by_their_bytes() -> None:
    assert sniff(pdf_with_text("Hop tac xa"), LIMITS) == PDF
    assert sniff(docx_with_text("Hợp tác xã"), LIMITS) == DOCX


def test_a_file_that_is_neither_is_refused_whatever_it_is_called() -> None:
    with pytest.raises(FileRefused) as refused:
        sniff(NOT_A_DOCUMENT, LIMITS)
    assert refused.value.message.key == "library.file_type"


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "không phải văn bản Word")
    with pytest.raises(FileRefused):
        sniff(out.getvalue(), LIMITS)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(FileRefused) as refused:
        sniff(b"", LIMITS)
    assert refused.value.message.key == "library.file_empty"


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(FileTooLarge):
        sniff(b"%PDF-" + b"0" * 2_000_000, LIMITS)


def test_a_docx_that_unpacks_beyond_the_limit_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * 6_000_000)
    with pytest.raises(FileRefused) as refused:
        sniff(out.getvalue(), LIMITS)
    assert refused.value.message.key == "library.file_unpacks_too_large"


def test_the_text_of_a_pdf_and_of_a_docx_is_extracted() -> None:
    status, text = extract(PDF, pdf_with_text("Luat Hop tac xa 2023"))
    assert (status, text) == (TextStatus.EXTRACTED, "Luat Hop tac xa 2023")
    status, text = extract(DOCX, docx_with_text("Điều 1. Phạm vi điều chỉnh", "Hợp tác xã"))
    assert status is TextStatus.EXTRACTED
    assert "Phạm vi điều chỉnh" in text


@pytest.mark.parametrize(
    "content", [encrypted_pdf("Bi mat"), DAMAGED_PDF], ids=["encrypted", "damaged"]
)
def test_an_encrypted_or_damaged_pdf_is_marked_text_not_extracted(content: bytes) -> None:
    assert sniff(content, LIMITS) == PDF
    assert extract(PDF, content) == (TextStatus.NOT_EXTRACTED, "")
