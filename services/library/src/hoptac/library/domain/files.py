"""What a file is, judged by its bytes: its name and the type the sender declares are not trusted.

A DOCX is a ZIP holding `word/document.xml`; its parts are sized from the ZIP's directory before
anything is unpacked, so a small file that unpacks to gigabytes is refused first.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from hoptac.library.domain.errors import FileRefused, FileTooLarge
from hoptac.platform.text import Quantity, Text

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int


def sniff(content: bytes, limits: Limits) -> str:
    """The media type of `content` (PDF or DOCX), or FileRefused saying why not."""
    if not content:
        raise FileRefused(Text("library.file_empty"))
    if len(content) > limits.max_bytes:
        raise FileTooLarge(
            Text(
                "library.file_too_large",
                size=Quantity(len(content)),
                limit=Quantity(limits.max_bytes),
            )
        )
    # A PDF's header may follow up to 1,024 bytes of junk (ISO 32000-1, annex H).
    if b"%PDF-" in content[:1024]:
        return PDF
    if content.startswith(b"PK\x03\x04") and _is_docx(content, limits.max_unpacked_bytes):
        return DOCX
    raise FileRefused(Text("library.file_type"))


def _is_docx(content: bytes, max_unpacked_bytes: int) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return False
    names = {part.filename for part in parts}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return False
    if sum(part.file_size for part in parts) > max_unpacked_bytes:
        raise FileRefused(Text("library.file_unpacks_too_large"))
    return True
