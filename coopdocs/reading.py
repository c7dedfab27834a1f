"""Reading a document someone else wrote (a charter on file) into paragraphs of plain text.

DOCX through python-docx, PDF with a text layer through pypdf (page numbers kept), HTML through the
standard library's parser, plain text as is. A PDF without a text layer or an image needs OCR:
that is reported as a typed error naming the system packages, never guessed at.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from coopdocs.errors import CoopdocsError, UsageError

MAX_BYTES = 50 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")
OCR_PACKAGES = "tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz"


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int | None = None  # 1-based, for a PDF


@dataclass(frozen=True)
class Document:
    path: str
    kind: str  # docx | pdf | html | text
    paragraphs: tuple[Paragraph, ...]
    pages: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # what could not be read, in English


class ReadError(CoopdocsError):
    exit_code = 1


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def read(path: Path) -> Document:
    """The paragraphs of the document at ``path``; an unreadable file is a ReadError."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file", hint="give the path of a charter: .docx, .pdf, .html or .txt")
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(f"{path}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    suffix = path.suffix.lower()
    head = path.read_bytes()[:8]
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        return _pdf(path)
    if suffix in (".docx", ".docm") or (head.startswith(b"PK") and suffix not in (".txt", ".html", ".htm")):
        return _docx(path)
    if suffix in IMAGE_SUFFIXES:
        raise _no_ocr(path, "an image")
    if suffix == ".doc":
        raise ReadError(
            f"{path}: an old binary Word file (.doc) cannot be read",
            hint="save it as .docx (Word, or `soffice --headless --convert-to docx FILE`) and audit that",
        )
    text = _decode(path.read_bytes())
    if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", text[:200], re.IGNORECASE):
        return Document(str(path), "html", tuple(Paragraph(p) for p in _html_paragraphs(text)))
    return Document(str(path), "text", tuple(Paragraph(p) for p in _lines(text)))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _docx(path: Path) -> Document:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReadError(
            f"{path}: not a readable DOCX file ({exc})", hint="open it in Word or LibreOffice and save again"
        ) from exc
    paragraphs = []
    numbered = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            if block.find(".//{*}numPr") is not None:
                numbered += 1
            if text.strip():
                paragraphs.append(Paragraph(" ".join(text.split())))
        elif tag == "tbl":
            for cell in block.iter("{*}tc"):
                text = " ".join(
                    "".join(n.text or "" for n in p.iter() if n.tag.endswith("}t")) for p in cell.iter("{*}p")
                )
                if text.strip():
                    paragraphs.append(Paragraph(" ".join(text.split())))
    notes: tuple[str, ...] = ()
    if numbered:
        notes = (
            f"{numbered} paragraph(s) use Word's automatic numbering, whose numbers are not in the text; "
            "their clause numbers may be missing from the quotes",
        )
    return Document(str(path), "docx", tuple(paragraphs), notes=notes)


def _pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ReadError(
            f"{path}: not a readable PDF ({exc})", hint="open it in a PDF reader and save or print it again"
        ) from exc
    furniture = _running_lines([_lines(text) for text in pages])
    paragraphs = [
        Paragraph(line, number)
        for number, text in enumerate(pages, 1)
        for line in _lines(text)
        if re.sub(r"\d+", "#", line) not in furniture
    ]
    letters = sum(len(re.findall(r"[^\W\d_]", p.text)) for p in paragraphs)
    if letters < 50 * max(1, len(pages)) // 10:
        raise _no_ocr(path, f"a PDF of {len(pages)} page(s) without a text layer (a scan)")
    empty = [str(n) for n, text in enumerate(pages, 1) if not text.strip()]
    notes = (f"page(s) {', '.join(empty)} have no text layer and were not read (OCR not done)",) if empty else ()
    return Document(str(path), "pdf", tuple(paragraphs), pages=len(pages), notes=notes)


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Running headers and footers: lines (numbers read as #) on more than half of 3 or more pages,
    such as «Страница 3 из 19» or the document's title, which would otherwise cut clauses in two."""
    if len(pages) < 3:
        return set()
    seen: dict[str, int] = {}
    for lines in pages:
        for line in {re.sub(r"\d+", "#", line) for line in lines}:
            seen[line] = seen.get(line, 0) + 1
    return {line for line, n in seen.items() if n > len(pages) / 2}


def _no_ocr(path: Path, what: str) -> ReadError:
    if ocr_available():
        return ReadError(
            f"{path}: {what}; reading it needs OCR, which `coopdocs audit` does not do yet",
            hint="recognise the text first, e.g. `ocrmypdf -l rus+kaz FILE out.pdf` or "
            "`tesseract FILE out -l rus+kaz`, and audit the result",
        )
    return ReadError(
        f"{path}: {what}; reading it needs OCR, and Tesseract is not installed",
        hint=f"install it with Russian and Kazakh data (`apt-get install {OCR_PACKAGES}`), recognise the text "
        "(`tesseract FILE out -l rus+kaz`) and audit out.txt",
    )


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style", "head", "nav"):
            self.skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "nav") and self.skip:
            self.skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(" ".join(data.split("\n")))


def _html_paragraphs(text: str) -> list[str]:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return _lines("".join(parser.parts))
