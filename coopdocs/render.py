"""Rendered clauses -> DOCX bytes, through docxtpl and the layouts in ``templates/layouts/``.

Every value reaches the XML through docxtpl with ``autoescape=True``: with it off, a value such as
``A&B`` makes docxtpl silently drop most of the document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate, RichText
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from coopdocs.clauses import Document
from coopdocs.docxzip import save_document
from coopdocs.pack import DEFAULT_PACK, Pack, read_yaml


@dataclass(frozen=True)
class Page:
    """What the layout prints around the clauses."""

    header: str
    author: str
    draft: str | None  # the draft mark, or None for a clean build
    closing: tuple[str, ...] = ()
    pack: Pack = DEFAULT_PACK  # whose template search path supplies the layout


class _LayoutEnvironment(SandboxedEnvironment):
    """The DOCX environment; a layout's XML is the same for every document, so compile it once."""

    @lru_cache(maxsize=32)  # noqa: B019 - one environment for the process; the cache is its purpose
    def _compile_xml(self, source: str) -> Template:
        return super().from_string(source)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            return self._compile_xml(source)
        return super().from_string(source, globals, template_class)


@cache
def _docx_env() -> SandboxedEnvironment:
    env = _LayoutEnvironment(undefined=StrictUndefined, autoescape=True)
    assert env.autoescape is True  # with it off, docxtpl silently drops most of a document
    return env


@cache
def words(pack: Pack = DEFAULT_PACK) -> Mapping[str, Any]:
    """The layout words; a user's ``layouts/words.yaml`` may replace any of them."""
    merged: dict[str, Any] = {}
    for path in reversed(pack.template_candidates("layouts/words.yaml")):
        for key, value in (read_yaml(path) or {}).items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return merged


_LISTING = re.compile("[\t\a\f\n]")


class _Template(DocxTemplate):
    def resolve_listing(self, xml: str) -> str:
        """docxtpl turns tabs, newlines, \\a and \\f inside texts into DOCX markup with three nested
        regex passes over every paragraph and run of the rendered XML (a fifth of a document's
        rendering time). Where none of those characters occurs it would change nothing."""
        if _LISTING.search(xml) is None:
            return xml
        return str(super().resolve_listing(xml))


def _layout(name: str, pack: Pack) -> DocxTemplate:
    return _Template(str(pack.find_template(f"layouts/{name}.docx")))


def _clause_dict(document: Document, *, commentary: bool) -> list[dict[str, Any]]:
    sections = []
    for s in document.sections:
        clauses = []
        for c in s.clauses:
            comment = None
            if commentary and c.commentary is not None:
                comment = {
                    "meaning": c.commentary.meaning,
                    "choice": c.commentary.choice,
                    "basis_text": "; ".join(c.commentary.basis) or "—",
                }
            clauses.append(
                {
                    "number": c.number,
                    "text": c.text,
                    "points": [f"{i}) {item}" for i, item in enumerate(c.items, start=1)],
                    "commentary": comment,
                }
            )
        sections.append({"number": s.number, "title": s.title, "clauses": clauses})
    return sections


def _finish(template: DocxTemplate, *, title: str, lang: str, author: str, pack: Pack = DEFAULT_PACK) -> bytes:
    props = template.docx.core_properties
    props.title = title
    props.language = words(pack)["languages"][lang]
    props.author = author
    props.subject = title
    _set_default_language(template, words(pack)["languages"][lang])
    template.pre_processing()  # what docxtpl's save() does before python-docx writes the package
    return save_document(template.docx)


def _set_default_language(template: DocxTemplate, tag: str) -> None:
    """Spell-checking and hyphenation follow the document's language."""
    styles = template.docx.styles.element
    rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), tag)


def render_docx(document: Document, page: Page, *, commentary: bool = False) -> bytes:
    lang = document.lang
    template = _layout("document", page.pack)
    context = {
        "header": page.header,
        "draft": page.draft,
        "page": words(page.pack)["page"][lang],
        "labels": words(page.pack)["labels"][lang],
        "approval": list(document.approval),
        "title": document.title,
        "subtitle": document.subtitle,
        "sections": _clause_dict(document, commentary=commentary),
        "closing": list(page.closing),
    }
    template.render(context, jinja_env=_docx_env(), autoescape=True)
    title = f"{document.title} {document.subtitle}".strip()
    return _finish(template, title=title, lang=lang, author=page.author, pack=page.pack)


def _cell(text: str, *, bold: bool = False) -> RichText:
    rich = RichText()
    rich.add(text, bold=bold)
    return rich


def parallel_rows(left: Document, right: Document) -> list[dict[str, RichText]]:
    rows = []
    for ls, rs in zip(left.sections, right.sections, strict=True):
        rows.append(
            {
                "left": _cell(f"{ls.number}. {ls.title}", bold=True),
                "right": _cell(f"{rs.number}. {rs.title}", bold=True),
            }
        )
        for lc, rc in zip(ls.clauses, rs.clauses, strict=True):
            rows.append({"left": _cell(f"{lc.number}. {lc.text}"), "right": _cell(f"{rc.number}. {rc.text}")})
            for i, (li, ri) in enumerate(zip(lc.items, rc.items, strict=True), start=1):
                rows.append({"left": _cell(f"{i}) {li}"), "right": _cell(f"{i}) {ri}")})
    return rows


def render_parallel(left: Document, right: Document, page: Page, right_page: Page) -> bytes:
    """One document, clause by clause in two aligned columns (kk | ru)."""
    template = _layout("parallel", page.pack)
    context = {
        "header": f"{page.header} | {right_page.header}",
        "draft": page.draft,
        "page": words(page.pack)["page"][right.lang],
        "approval": [*left.approval, *right.approval] if left.approval else list(right.approval),
        "title": f"{left.title} / {right.title}",
        "subtitle": " / ".join(t for t in (left.subtitle, right.subtitle) if t),
        "rows": parallel_rows(left, right),
        "closing": list(page.closing or right_page.closing),
    }
    template.render(context, jinja_env=_docx_env(), autoescape=True)
    return _finish(template, title=f"{left.title} / {right.title}", lang=right.lang, author=page.author, pack=page.pack)


def docx_text(data: bytes) -> list[str]:
    """The paragraphs of a DOCX in body order (tables row by row), for tests and previews."""
    from docx import Document as open_docx

    doc = open_docx(io.BytesIO(data))
    lines: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                lines.append(" | ".join(cells))
    return lines


def draft_mark(lang: str, errors: int, red_flags: int, pack: Pack = DEFAULT_PACK) -> str:
    return str(words(pack)["draft"][lang]).format(errors=errors, red_flags=red_flags)


def signatures_title(lang: str, pack: Pack = DEFAULT_PACK) -> str:
    return str(words(pack)["signatures"][lang])


def commentary_title(lang: str, pack: Pack = DEFAULT_PACK) -> str:
    return str(words(pack)["commentary_title"][lang])


__all__: Sequence[str] = ("Page", "render_docx", "render_parallel", "docx_text", "draft_mark")
