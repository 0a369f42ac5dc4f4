"""The text of a PDF (pypdf) or a DOCX (python-docx), for search.

A file whose text cannot be had (encrypted, scanned images, damaged) is still kept: the answer
says "not extracted" and the text is empty. Nothing a file holds can make this raise.
"""

from __future__ import annotations

import io
import logging

import docx
from pypdf import PdfReader

from hoptac.contracts.library import TextStatus
from hoptac.contracts.vietnamese_text import nfc_clean
from hoptac.library.domain.files import PDF

log = logging.getLogger("hoptac.library.extraction")


def extract(media_type: str, content: bytes) -> tuple[TextStatus, str]:
    try:
        text = _pdf_text(content) if media_type == PDF else _docx_text(content)
    except Exception as error:  # a damaged file is a fact of life here, not a bug
        log.info("text not extracted from a %s: %s: %s", media_type, type(error).__name__, error)
        return TextStatus.NOT_EXTRACTED, ""
    text = nfc_clean(text)
    if not text:  # an encrypted or scanned file: kept, its text unknown
        return TextStatus.NOT_EXTRACTED, ""
    return TextStatus.EXTRACTED, text


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        return ""
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)
