"""Reading a document someone else wrote (a charter on file) into paragraphs of plain text.

DOCX through python-docx, PDF with a text layer through pypdf (page numbers kept), HTML through the
standard library's parser, plain text as is. A PDF without a text layer (its pages rendered by
pdftoppm) or an image (PNG, JPEG, TIFF...) is recognised by Tesseract with its Russian and Kazakh data
from the system packages; where Tesseract or its data is missing, a typed error names the packages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from coopdocs.errors import CoopdocsError, UsageError

MAX_BYTES = 50 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")
OCR_PACKAGES = "tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz"
OCR_LANGS = ("rus", "kaz")
OCR_DPI = 300
OCR_PAGE_SECONDS = 120  # one page; Tesseract on a 300 dpi A4 page takes a few seconds


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
    ocr_pages: int = 0  # pages recognised by OCR (their quotes may carry recognition errors)
    ocr_seconds: float = 0.0  # the time OCR took, reported apart from the audit's own
    # a DOCX in the parallel layout (a table of two cells a row: one language each): per column, the
    # lines outside the table and that column's cells, in order (import reads each as a document)
    columns: tuple[tuple[Paragraph, ...], ...] = ()


class ReadError(CoopdocsError):
    exit_code = 1


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_languages() -> tuple[str, ...]:
    """The languages of OCR_LANGS whose Tesseract data is installed."""
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(lang for lang in OCR_LANGS if lang in listed)


def read(path: Path, columns: bool = False) -> Document:
    """The paragraphs of the document at ``path``; an unreadable file is a ReadError. ``columns``: also read
    a landscape PDF's two halves (the parallel layout, for import; two more ``pdftotext`` runs, which the
    audit does not need). A DOCX's or an HTML page's columns come with its one reading."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file", hint="give the path of a charter: .docx, .pdf, .html or .txt")
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(f"{path}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    suffix = path.suffix.lower()
    head = path.read_bytes()[:8]
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        return _pdf(path, columns)
    if suffix in (".docx", ".docm") or (head.startswith(b"PK") and suffix not in (".txt", ".html", ".htm")):
        return _docx(path)
    if suffix in IMAGE_SUFFIXES:
        return _image(path)
    if suffix == ".doc":
        raise ReadError(
            f"{path}: an old binary Word file (.doc) cannot be read",
            hint="save it as .docx (Word, or `soffice --headless --convert-to docx FILE`) and audit that",
        )
    text = _decode(path.read_bytes())
    if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", text[:200], re.IGNORECASE):
        return _html(str(path), text)
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
    columns: tuple[list[Paragraph], list[Paragraph]] = ([], [])
    paired = 0  # rows of two cells in the tables
    numbered = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            if block.find(".//{*}numPr") is not None:
                numbered += 1
            if text.strip():
                paragraphs.append(Paragraph(" ".join(text.split())))
                for column in columns:
                    column.append(paragraphs[-1])
        elif tag == "tbl":
            for row in block.iter("{*}tr"):
                cells = row.findall("{*}tc")
                if len(cells) != 2:
                    continue
                paired += 1
                for column, cell in zip(columns, cells, strict=True):
                    for p in cell.iter("{*}p"):
                        text = " ".join("".join(n.text or "" for n in p.iter() if n.tag.endswith("}t")).split())
                        if text:
                            column.append(Paragraph(text))
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
    rows = sum(1 for _ in document.element.body.iter("{*}tr"))
    parallel = paired >= 10 and paired == rows  # the body's text is in rows of two cells: the parallel layout
    return Document(
        str(path), "docx", tuple(paragraphs), notes=notes, columns=tuple(map(tuple, columns)) if parallel else ()
    )


def _pdf_pages(path: Path) -> list[str]:
    """The text layer of each page: poppler's pdftotext where it is installed (a C program, ~15 times
    faster than pypdf on a 20-page charter), else pypdf, which also words the errors."""
    if shutil.which("pdftotext"):
        try:
            done = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", "-q", str(path), "-"], capture_output=True, timeout=120, check=False
            )
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode == 0:
            pages = done.stdout.decode("utf-8", "replace").split("\f")
            return pages[:-1] if len(pages) > 1 and not pages[-1].strip() else pages
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ReadError(
            f"{path}: not a readable PDF ({exc})", hint="open it in a PDF reader and save or print it again"
        ) from exc


def _pdf_columns(path: Path, furniture: set[str]) -> tuple[tuple[Paragraph, ...], ...]:
    """A landscape PDF (the parallel layout, kk | ru, is set on landscape pages) read as its left and
    right halves, each as a column of lines; () for any other (import checks the two are two languages)."""
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        return ()
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout.decode("utf-8", "replace"))
    if size is None or float(size.group(1)) <= float(size.group(2)):
        return ()
    width, height = float(size.group(1)), float(size.group(2))
    half = int(width / 2)
    columns = []
    for left in (0, half):
        crop = ["-x", str(left), "-y", "0", "-W", str(int(width) - half if left else half), "-H", str(int(height) + 1)]
        try:
            done = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", "-q", *crop, str(path), "-"],
                capture_output=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return ()
        if done.returncode != 0:
            return ()
        pages = done.stdout.decode("utf-8", "replace").split("\f")
        running = furniture | _running_lines([_lines(text) for text in pages])  # the page's footer, cut in half
        columns.append(
            tuple(
                Paragraph(line, number)
                for number, text in enumerate(pages, 1)
                for line in _lines(text)
                if re.sub(r"\d+", "#", line) not in running
            )
        )
    return tuple(columns)


def _pdf(path: Path, columns: bool = False) -> Document:
    pages = _pdf_pages(path)
    furniture = _running_lines([_lines(text) for text in pages])
    paragraphs = [
        Paragraph(line, number)
        for number, text in enumerate(pages, 1)
        for line in _lines(text)
        if re.sub(r"\d+", "#", line) not in furniture
    ]
    letters = sum(len(re.findall(r"[^\W\d_]", p.text)) for p in paragraphs)
    empty = [n for n, text in enumerate(pages, 1) if not text.strip()]
    if letters < 50 * max(1, len(pages)) // 10:
        empty = list(range(1, len(pages) + 1))
        paragraphs = []
        if not pages:
            raise ReadError(f"{path}: a PDF without pages")
    if not empty:
        halves = _pdf_columns(path, furniture) if columns else ()
        return Document(str(path), "pdf", tuple(paragraphs), pages=len(pages), columns=halves)
    what = (
        f"a PDF of {len(pages)} page(s) without a text layer (a scan)"
        if not paragraphs
        else (f"a PDF whose page(s) {', '.join(map(str, empty))} have no text layer")
    )
    langs = _ocr_ready(path, what)
    start = time.perf_counter()
    recognised = {n: _lines(text) for n, text in _ocr_pdf(path, empty, langs).items()}
    seconds = time.perf_counter() - start
    merged = [p for p in paragraphs]
    for n in empty:
        merged += [Paragraph(line, n) for line in recognised.get(n, [])]
    merged.sort(key=lambda p: p.page or 0)  # sorted() is stable: the lines of a page keep their order
    notes = (_ocr_note(len(empty), langs),)
    return Document(
        str(path), "pdf", tuple(merged), pages=len(pages), notes=notes, ocr_pages=len(empty), ocr_seconds=seconds
    )


def _ocr_note(pages: int, langs: tuple[str, ...]) -> str:
    return (
        f"{pages} page(s) read by OCR (Tesseract, {'+'.join(langs)}): quotes from them may carry recognition "
        "errors; compare them with the paper"
    )


def _ocr_ready(path: Path, what: str) -> tuple[str, ...]:
    """The Tesseract languages to use; a ReadError naming the packages when OCR cannot run."""
    if not ocr_available():
        raise _no_ocr(path, what)
    langs = ocr_languages()
    if not langs:
        raise ReadError(
            f"{path}: {what}; reading it needs OCR, and Tesseract has neither Russian nor Kazakh data",
            hint=f"install them: apt-get install {OCR_PACKAGES}",
        )
    return langs


def _tesseract(image: Path, langs: tuple[str, ...]) -> str:
    """The text Tesseract reads in ``image`` (a multi-page TIFF gives its pages separated by form feeds).
    One thread: the audit promises one core, and OpenMP threads only contend on a shared machine."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "+".join(langs), "--psm", "4"],
            capture_output=True,
            timeout=OCR_PAGE_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"{image}: OCR took longer than {OCR_PAGE_SECONDS} s for one page") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(
            f"{image}: Tesseract could not read it ({message[-1] if message else f'exit {done.returncode}'})",
            hint="save the picture again as PNG or a PDF and audit that",
        )
    return done.stdout.decode("utf-8", "replace")


def _ocr_pdf(path: Path, numbers: list[int], langs: tuple[str, ...]) -> dict[int, str]:
    """Each listed page rendered by pdftoppm (poppler) at OCR_DPI in grey and recognised."""
    if shutil.which("pdftoppm") is None:
        raise ReadError(
            f"{path}: its pages without a text layer need pdftoppm to be recognised",
            hint="install poppler: apt-get install poppler-utils",
        )
    result = {}
    with tempfile.TemporaryDirectory(prefix="coopdocs-ocr-") as tmp:
        for n in numbers:
            stem = Path(tmp) / f"p{n}"
            done = subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    str(OCR_DPI),
                    "-gray",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(n),
                    "-l",
                    str(n),
                    str(path),
                    str(stem),
                ],
                capture_output=True,
                timeout=OCR_PAGE_SECONDS,
                check=False,
            )
            if done.returncode != 0:
                raise ReadError(f"{path}: pdftoppm could not render page {n}")
            result[n] = _tesseract(stem.with_suffix(".png"), langs)
    return result


def _image(path: Path) -> Document:
    """A photographed or scanned page (a multi-page TIFF: each page numbered)."""
    langs = _ocr_ready(path, "an image")
    start = time.perf_counter()
    pages = _tesseract(path, langs).split("\f")
    seconds = time.perf_counter() - start
    while pages and not pages[-1].strip():
        pages.pop()
    paragraphs = [Paragraph(line, n) for n, text in enumerate(pages, 1) for line in _lines(text)]
    if not paragraphs:
        raise ReadError(f"{path}: OCR found no text in the image", hint="scan it again at 300 dpi, straight")
    return Document(
        str(path),
        "image",
        tuple(paragraphs),
        pages=len(pages),
        notes=(_ocr_note(len(pages), langs),),
        ocr_pages=len(pages),
        ocr_seconds=seconds,
    )


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
    return ReadError(
        f"{path}: {what}; reading it needs OCR, and Tesseract is not installed",
        hint=f"install it with Russian and Kazakh data (`apt-get install {OCR_PACKAGES}`, "
        "or ./scripts/bootstrap.sh as root) and audit the file again",
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
    """The text of an HTML page, each piece with the language of the cell it stands in (a ``div`` of class
    ``cell`` with a ``lang``: a column of the parallel layout, kk | ru), None outside such cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str | None]] = []
        self.skip = 0
        self.divs: list[str | None] = []  # per open div: its cell's language, if it is such a cell

    @property
    def cell(self) -> str | None:
        return next((lang for lang in reversed(self.divs) if lang), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "nav"):
            self.skip += 1
        if tag == "div":
            named = dict(attrs)
            self.divs.append(named.get("lang") if "cell" in (named.get("class") or "").split() else None)
        if tag in _BLOCK_TAGS:
            self.parts.append(("\n", self.cell))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "nav") and self.skip:
            self.skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append(("\n", self.cell))
        if tag == "div" and self.divs:
            self.divs.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append((" ".join(data.split("\n")), self.cell))


def _html(path: str, text: str) -> Document:
    """An HTML page; in the parallel layout (cells of two languages), each language's column too: the
    lines outside the cells and that language's cells, in order."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    paragraphs = tuple(Paragraph(p) for p in _lines("".join(part for part, _ in parser.parts)))
    langs = list(dict.fromkeys(lang for _, lang in parser.parts if lang))
    columns: tuple[tuple[Paragraph, ...], ...] = ()
    if len(langs) == 2:
        columns = tuple(
            tuple(Paragraph(p) for p in _lines("".join(part for part, lang in parser.parts if lang in (None, column))))
            for column in langs
        )
    return Document(path, "html", paragraphs, columns=columns)
