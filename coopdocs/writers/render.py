"""Rendered clauses -> DOCX bytes, through docxtpl and the layouts in ``templates/layouts/``.

Every value reaches the XML through docxtpl with ``autoescape=True``: with it off, a value such as
``A&B`` makes docxtpl silently drop most of the document.

docxtpl parses the rendered XML with ``recover=True``, which silently drops whatever follows a
problem (a text node over lxml's 10 MB limit cut a charter after 34 of its 317 paragraphs). So the
rendered XML is parsed strictly first, and every DOCX is read back and its text compared with the
clauses it was rendered from (``check_complete``): a document is complete or it is an error.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docxtpl import DocxTemplate, RichText
from jinja2 import StrictUndefined, Template
from lxml import etree

from coopdocs.compose.clauses import Document
from coopdocs.compose.doctree import Parallel, Tree, keeps_with_next, printed_commentary, ragged
from coopdocs.compose.templating import Environment
from coopdocs.compose.wording import words
from coopdocs.errors import CoopdocsError, OutputError, TemplateError
from coopdocs.packs.pack import Pack
from coopdocs.writers.docxzip import save_document


@dataclass(frozen=True)
class Page:
    """What the layout prints around the clauses."""

    header: str
    author: str
    draft: str | None  # the draft mark, or None for a clean build
    pack: Pack  # whose template search path supplies the layout
    closing: tuple[str, ...] = ()


class _LayoutEnvironment(Environment):
    """The DOCX environment; a layout's XML is the same for every document, so compile it once."""

    @lru_cache(maxsize=32)  # noqa: B019 - one environment for the process; the cache is its purpose
    def _compile_xml(self, source: str) -> Template:
        return super().from_string(source)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            return self._compile_xml(source)
        return super().from_string(source, globals, template_class)


@cache
def _docx_env() -> Environment:
    env = _LayoutEnvironment(undefined=StrictUndefined, autoescape=True)
    assert env.autoescape is True  # with it off, docxtpl silently drops most of a document
    return env


_LISTING = re.compile("[\t\a\f\n]")


class _Template(DocxTemplate):
    def resolve_listing(self, xml: str) -> str:
        """docxtpl turns tabs, newlines, \\a and \\f inside texts into DOCX markup with three nested
        regex passes over every paragraph and run of the rendered XML (a fifth of a document's
        rendering time). Where none of those characters occurs it would change nothing."""
        if _LISTING.search(xml) is None:
            return xml
        return str(super().resolve_listing(xml))

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        """docxtpl's, without its last step: turning ``{_{``, ``}_}``, ``{_%`` and ``%_}`` of the
        *rendered* XML into ``{{`` ... changed a user's text that happened to contain them (the
        layouts do not use these escapes)."""
        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        template = jinja_env.from_string(src_xml) if jinja_env else Template(src_xml)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", template.render(context))
        return self.resolve_listing(dst_xml)

    def fix_tables(self, xml: str) -> Any:
        """Parse strictly before docxtpl's ``recover=True`` parse could silently drop content."""
        etree.fromstring(xml, parser=etree.XMLParser(recover=False, resolve_entities=False))
        return super().fix_tables(xml)


def _layout(name: str, pack: Pack) -> DocxTemplate:
    return _Template(str(pack.find_template(f"layouts/{name}.docx")))


def _fill(
    layout: str, page: Page, context: Mapping[str, Any], name: str, finish: Callable[[DocxTemplate], bytes]
) -> bytes:
    """Render a layout and write the DOCX. A user's layout that is not a valid DOCX, or whose
    Jinja fails, breaks the sandbox or makes malformed XML, is the user's error (exit 1, the file
    named); the pack's own layouts failing is a bug (or an ``OutputError``, see ``_render``)."""
    template = _layout(layout, page.pack)
    path = str(template.template_file)
    try:
        _render(template, context, name)
        return finish(template)
    except OutputError as exc:
        if not page.pack.is_override(path):
            raise
        raise TemplateError.of("layout", path, problem=exc.message) from exc
    except CoopdocsError:
        raise
    except Exception as exc:
        if not page.pack.is_override(path):
            raise
        problem = f"{type(exc).__name__}: {str(exc).rstrip('.')}"
        raise TemplateError.of("layout", path, problem=problem) from exc


AUDIENCES = ("member", "lawyer")


def _alignment(text: str) -> str:
    """A paragraph's alignment in the DOCX layout: justified unless ``doctree.ragged``."""
    return "left" if ragged(text) else "both"


def _on(flag: bool) -> str:
    """A WordprocessingML on/off value."""
    return "1" if flag else "0"


def _clause_dict(
    document: Document, *, commentary: bool, audience: str = "member", signed: bool = False
) -> list[dict[str, Any]]:
    """The layout's data. For a member the commentary speaks of choices in words and cites the law
    without a verification mark per clause (a note on sources says it once); for a lawyer it names
    the YAML keys and marks every unverified citation."""
    sections = []
    last = document.sections[-1].clauses[-1] if document.sections and document.sections[-1].clauses else None
    for s in document.sections:
        clauses = []
        for c in s.clauses:
            keep, point_keep = keeps_with_next(c, last=c is last, signed=signed)
            comment = None
            if commentary and c.commentary is not None:
                meaning, choice, basis_text = printed_commentary(c.commentary, document.lang, audience)
                comment = {"meaning": meaning, "choice": choice, "basis_text": basis_text}
            points = [f"{i}) {item}" for i, item in enumerate(c.items, start=1)]
            clauses.append(
                {
                    "number": c.number,
                    "text": c.text,
                    "align": _alignment(c.text),
                    "keep": _on(keep),
                    "points": points,
                    "point_align": [_alignment(point) for point in points],
                    "point_keep": [_on(k) for k in point_keep],
                    "commentary": comment,
                }
            )
        sections.append({"number": s.number, "title": s.title, "clauses": clauses})
    return sections


TITLE_LIMIT = 255  # characters of a DOCX core property (python-docx refuses longer ones)


def _finish(template: DocxTemplate, *, title: str, lang: str, author: str, pack: Pack) -> bytes:
    for text in (title, author):
        if len(text) > TITLE_LIMIT:
            raise OutputError(
                f"the title of a document has {len(text)} characters, more than the {TITLE_LIMIT} a DOCX "
                f"holds: {text[:60]}...",
                hint="shorten the cooperative's name, or the title in your template override",
            )
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


def _render(template: DocxTemplate, context: Mapping[str, Any], name: str) -> None:
    try:
        template.render(context, jinja_env=_docx_env(), autoescape=True)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise OutputError(
            f"{name}: the rendered document is not well-formed XML, so it would not be complete: {exc}",
            hint="nothing was written; validate the input (coopdocs validate), and check your template overrides",
        ) from exc


def _squeeze(text: str) -> str:
    return "".join(text.split())


_W_T = qn("w:t")


def check_complete(data: bytes, documents: Sequence[Document], name: str) -> None:
    """Read a rendered DOCX back (strictly) and check that it holds every section title, clause and
    item of ``documents`` in order (each document in order on its own: a parallel layout
    interleaves two). Whitespace is ignored: docxtpl turns newlines and tabs into markup."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = etree.fromstring(archive.read("word/document.xml"), parser=etree.XMLParser(resolve_entities=False))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise OutputError(f"{name}: the rendered DOCX cannot be read back: {exc}") from exc
    body = _squeeze("".join(t.text or "" for t in root.iter(_W_T)))
    for document in documents:
        at = 0
        for expected in _contents(document):
            found = body.find(expected, at)
            if found < 0:
                raise OutputError(
                    f"{name}: the rendered document is incomplete: it lacks {expected[:80]!r} and what follows",
                    hint="nothing was written; this is a bug or a broken template override: please report it",
                )
            at = found + len(expected)


def _contents(document: Document) -> list[str]:
    out = []
    for section in document.sections:
        out.append(_squeeze(section.title))
        for clause in section.clauses:
            out += [_squeeze(clause.text), *(_squeeze(item) for item in clause.items)]
            out += [_squeeze(cell) for row in clause.table for cell in row]
    return [text for text in out if text]


def render_docx(document: Document, page: Page, *, commentary: bool = False, audience: str = "member") -> bytes:
    lang = document.lang
    labels = dict(words(page.pack)["labels"][lang])
    if commentary and audience != "lawyer":
        labels["choice"] = labels.get("choice_member", labels["choice"])
    context = {
        "header": page.header,
        "draft": page.draft,
        "page": words(page.pack)["page"][lang],
        "labels": labels,
        "approval": list(document.approval),
        "title": document.title,
        "subtitle": document.subtitle,
        "sections": _clause_dict(document, commentary=commentary, audience=audience, signed=bool(page.closing)),
        "closing": list(page.closing),
    }
    title = f"{document.title} {document.subtitle}".strip()
    name = f"{document.name}.{lang}"

    def finish(template: DocxTemplate) -> bytes:
        _insert_extras(template.docx, document)
        return _finish(template, title=title, lang=lang, author=page.author, pack=page.pack)

    data = _fill("document", page, context, name, finish)
    check_complete(data, [document], name)
    return data


def _insert_extras(docx: Any, document: Document) -> None:
    """Put each clause's figure and table right after the clause's paragraph (the layout has no
    place for them: they are rare, and python-docx builds them more plainly than a template could)."""
    extras = {c.number: c for s in document.sections for c in s.clauses if c.table or c.figure}
    if not extras:
        return
    from docx.shared import Cm
    from docx.text.paragraph import Paragraph

    for paragraph in list(docx.paragraphs):
        clause = extras.pop(paragraph.text.split(" ", 1)[0].rstrip("."), None)
        if clause is None:
            continue
        anchor = paragraph._p
        if clause.figure is not None:
            element = OxmlElement("w:p")
            anchor.addnext(element)
            picture = Paragraph(element, paragraph._parent)
            picture.add_run().add_picture(io.BytesIO(clause.figure), width=Cm(16))
            anchor = element
        if clause.table:
            table = table_element(clause.table, docx._block_width)
            anchor.addnext(table)
            anchor = table


_BORDERS = "".join(
    f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
)


# Advance widths of Liberation Serif in em (the average of its capitals and digits, and of the
# rest), enough to size a column by its longest line; 0.2 cm of cell margin on each side.
_WIDE_EM, _NARROW_EM, _CELL_MARGINS = 0.66, 0.47, Emu(2 * 72_000)
_POINT = 12_700  # EMU


def column_widths(rows: Sequence[Sequence[str]], block_width: int, size: float = 8) -> list[int]:
    """Column widths in EMU, close to how the Typst layout sets a table's columns (document.typ
    ``cells``). A three-column table (the compliance report's rule | result | legal basis) gives its
    first two columns the width of their longest line (together at most three fifths of the line, so
    that a rule's name is not broken at its hyphens) and the rest to the third. Other tables give
    each column its longest word and share the rest equally, so that no word is broken inside (the
    stress test's nine columns broke «Орындалмаған,» in two). Before, equal columns left the rule
    names and results far apart and the legal basis narrow: 11 pages of LibreOffice PDF for
    bereke's report, now 10."""
    cols = len(rows[0]) if rows else 0
    if not cols:
        return []

    def natural(text: str) -> int:
        ems = sum(_WIDE_EM if ch.isupper() or ch.isdigit() else _NARROW_EM for ch in text)
        return int(ems * size * _POINT * 1.05) + _CELL_MARGINS  # (bold headers are a little wider)

    def longest(cells: Sequence[str], pieces: Callable[[str], list[str]]) -> int:
        return max((natural(piece) for cell in cells for piece in pieces(cell)), default=_CELL_MARGINS)

    columns = [[row[c] for row in rows] for c in range(cols)]
    if cols == 3:
        first, second = (longest(columns[c], lambda cell: cell.split("\n")) for c in (0, 1))
        room = block_width * 3 // 5  # the legal basis keeps at least two fifths of the line
        if first + second > room:
            first, second = first * room // (first + second), second * room // (first + second)
        return [first, second, block_width - first - second]
    need = [longest(column, str.split) for column in columns]
    if sum(need) > block_width:
        return [block_width * n // sum(need) for n in need]
    share = (block_width - sum(need)) // cols
    return [n + share for n in need]


def table_element(rows: Sequence[Sequence[str]], block_width: int) -> Any:
    """A bordered table of small text (the header row bold), as one piece of XML.

    The same elements as python-docx's ``add_table`` and ``add_run`` make (a test compares them),
    written as text and parsed once: python-docx's element by element API took ~0.2 s per full set
    (a compliance report has hundreds of cells)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    widths = [Emu(width).twips for width in column_widths(rows, block_width)]
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    cell_heads = [
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr><w:p><w:pPr>'
        '<w:spacing w:before="20" w:after="20"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:rPr>'
        for width in widths
    ]
    parts = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        '<w:tblW w:type="auto" w:w="0"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
        f'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/><w:tblBorders>{_BORDERS}</w:tblBorders>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    ]
    for r, row in enumerate(rows):
        bold = "<w:b/>" if r == 0 else '<w:b w:val="0"/>'
        parts.append("<w:tr>")
        for cell_head, text in zip(cell_heads, row, strict=True):
            parts.append(f'{cell_head}{bold}<w:sz w:val="16"/></w:rPr>{_run_content(text)}</w:r></w:p></w:tc>')
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return parse_xml("".join(parts))


_BREAKS = re.compile(r"(\t|\r|\n)")


def _xml_escape(text: str) -> str:
    # (xml.sax.saxutils.escape would import urllib.request: ~10 ms of every cold start)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _run_content(text: str) -> str:
    """A run's text as python-docx writes it: a tab is ``<w:tab/>``, a line break ``<w:br/>``, the
    rest ``<w:t>`` (whitespace kept where it leads or trails)."""
    out = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{space}>{_xml_escape(piece)}</w:t>")
    return "".join(out)


def _cell(text: str, *, bold: bool = False) -> RichText:
    rich = RichText()
    rich.add(text, bold=bold)
    return rich


def parallel_rows(parallel: Parallel) -> list[dict[str, Any]]:
    """The rows of the kk | ru table. A heading row and a list's lead-in keep with the next row. The
    last row carries each language's signature block under its own column and cannot split, so the
    signatures never stand alone on a page (the Typst layout's ``sticky`` rows)."""
    pairs = parallel.pairs
    rows = []
    for at, row in enumerate(pairs):
        after = pairs[at + 1].kind if at + 1 < len(pairs) else None
        keep = row.kind == "heading" or (row.kind == "clause" and after == "item")
        bold = row.kind == "heading"
        last = after is None
        signed = last and bool(parallel.left.signatures or parallel.right.signatures)
        rows.append(
            {
                "left": _cell(row.left, bold=bold),
                "right": _cell(row.right, bold=bold),
                "keep": _on(keep),
                "whole": _on(signed),
                "signatures_left": list(parallel.left.signatures) if last else [],
                "signatures_right": list(parallel.right.signatures) if last else [],
            }
        )
    return rows


def page_of(tree: Tree, pack: Pack) -> Page:
    return Page(header=tree.header, author=tree.author, draft=tree.draft, closing=tree.signatures, pack=pack)


def write_docx(tree: Tree, pack: Pack) -> bytes:
    """The DOCX of a document tree, in the pack's (or the user's) layout."""
    return render_docx(tree.document, page_of(tree, pack), commentary=tree.commentary, audience=tree.audience)


def render_parallel(parallel: Parallel, pack: Pack) -> bytes:
    """One document, clause by clause in two aligned columns (kk | ru)."""
    left, right = parallel.left.document, parallel.right.document
    page = page_of(parallel.left, pack)
    context = {
        "header": parallel.header,
        "draft": parallel.left.draft,
        "page": words(pack)["page"][right.lang],
        "approval": [*left.approval, *right.approval] if left.approval else list(right.approval),
        "title": f"{left.title} / {right.title}",
        "subtitle": " / ".join(t for t in (left.subtitle, right.subtitle) if t),
        "rows": parallel_rows(parallel),
    }
    title = f"{left.title} / {right.title}"
    name = f"{left.name}.{left.lang}-{right.lang}"
    data = _fill(
        "parallel",
        page,
        context,
        name,
        lambda t: _finish(t, title=title, lang=right.lang, author=page.author, pack=pack),
    )
    check_complete(data, [left, right], name)
    return data


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


def draft_mark(lang: str, errors: int, red_flags: int, pack: Pack) -> str:
    return str(words(pack)["draft"][lang]).format(errors=errors, red_flags=red_flags)


def signatures_title(lang: str, pack: Pack) -> str:
    return str(words(pack)["signatures"][lang])


def commentary_title(lang: str, pack: Pack) -> str:
    return str(words(pack)["commentary_title"][lang])


__all__: Sequence[str] = ("Page", "render_docx", "render_parallel", "write_docx", "docx_text", "draft_mark")
