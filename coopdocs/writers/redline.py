"""A DOCX body written paragraph by paragraph, with real Word tracked changes (``w:ins``/``w:del``).

The page (styles, header, footer, section properties) comes from a DOCX rendered by ``render``;
only the body paragraphs are replaced. Changes inside a paragraph are word-level (an amount with its
group separators is one word); a paragraph that appears or disappears as a whole also has its
paragraph mark tracked, so accepting every change in Word or LibreOffice gives exactly
the new text, paragraph for paragraph.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from coopdocs.writers.docxzip import deterministic_zip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DOCUMENT = "word/document.xml"
# A number with group separators (no-break, narrow no-break or thin space: «10\u00a0000», «1\u202f500,50»)
# is one token, so an amount is replaced as a whole («5 000» → «10 000»), never merged into «510 000».
_WORD = re.compile(r"\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?(?!\d)|\S+|\s+")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Run:
    text: str
    mark: str = ""  # "" (unchanged), "ins" or "del"


@dataclass(frozen=True)
class Para:
    style: str  # a paragraph style id of the layout, e.g. "Clause"
    runs: tuple[Run, ...]
    mark: str = ""  # "ins" / "del": the whole paragraph, its mark included, was inserted / deleted


@dataclass(frozen=True)
class Revision:
    author: str
    date: str  # ISO 8601, e.g. 2026-03-01T00:00:00Z: fixed, so the output is deterministic


def plain(style: str, text: str) -> Para:
    return Para(style, (Run(text),))


def inserted(style: str, text: str) -> Para:
    return Para(style, (Run(text, "ins"),), "ins")


def deleted(style: str, text: str) -> Para:
    return Para(style, (Run(text, "del"),), "del")


def words(text: str) -> list[str]:
    """Words and the spaces between them, as separate tokens that join back to the text."""
    return _WORD.findall(text)


def changed(style: str, old: str, new: str) -> Para:
    """One paragraph whose words changed: unchanged words stay plain, the rest are tracked."""
    if old == new:
        return plain(style, new)
    a, b = words(old), words(new)
    runs: list[Run] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(Run("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            runs.append(Run("".join(a[i1:i2]), "del"))
        if op in ("insert", "replace"):
            runs.append(Run("".join(b[j1:j2]), "ins"))
    return Para(style, tuple(runs))


def accepted(paragraphs: Sequence[Para]) -> list[str]:
    """The text after accepting every change (what Word shows with "Accept all")."""
    return ["".join(r.text for r in p.runs if r.mark != "del") for p in paragraphs if p.mark != "del"]


def rejected(paragraphs: Sequence[Para]) -> list[str]:
    """The text after rejecting every change: the old edition."""
    return ["".join(r.text for r in p.runs if r.mark != "ins") for p in paragraphs if p.mark != "ins"]


class _Ids:
    def __init__(self) -> None:
        self.next = 1

    def take(self) -> str:
        value = self.next
        self.next += 1
        return str(value)


def _change(tag: str, revision: Revision, ids: _Ids) -> etree._Element:
    element = etree.Element(_w(tag))
    element.set(_w("id"), ids.take())
    element.set(_w("author"), revision.author)
    element.set(_w("date"), revision.date)
    return element


def _run(text: str, *, removed: bool) -> etree._Element:
    run = etree.Element(_w("r"))
    t = etree.SubElement(run, _w("delText" if removed else "t"))
    t.set(XML_SPACE, "preserve")
    t.text = text
    return run


def _paragraph(para: Para, revision: Revision | None, ids: _Ids) -> etree._Element:
    p = etree.Element(_w("p"))
    ppr = etree.SubElement(p, _w("pPr"))
    etree.SubElement(ppr, _w("pStyle")).set(_w("val"), para.style)
    if para.mark:
        if revision is None:
            raise ValueError("a tracked change needs a revision (author and date)")
        etree.SubElement(ppr, _w("rPr")).append(_change(para.mark, revision, ids))
    for run in para.runs:
        if not run.text:
            continue
        if not run.mark:
            p.append(_run(run.text, removed=False))
            continue
        if revision is None:
            raise ValueError("a tracked change needs a revision (author and date)")
        wrapper = _change(run.mark, revision, ids)
        wrapper.append(_run(run.text, removed=run.mark == "del"))
        p.append(wrapper)
    return p


def replace_body(base: bytes, paragraphs: Sequence[Para], revision: Revision | None = None) -> bytes:
    """``base`` (a rendered DOCX) with its body paragraphs replaced by ``paragraphs``."""
    source = zipfile.ZipFile(io.BytesIO(base))
    root = etree.fromstring(source.read(DOCUMENT))
    body = root.find(_w("body"))
    if body is None:
        raise ValueError("the base DOCX has no body")
    section = body.find(_w("sectPr"))
    for child in list(body):
        if child is not section:
            body.remove(child)
    ids = _Ids()
    for para in paragraphs:
        element = _paragraph(para, revision, ids)
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, document if info.filename == DOCUMENT else source.read(info.filename))
    return deterministic_zip(out.getvalue())
