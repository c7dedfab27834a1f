"""The HTML and Markdown writers: a document tree (``doctree``) as a web page and as Markdown.

Neither re-renders a clause nor reads the DOCX (pandoc is not used). HTML: ``render(tree,
fragment=...)`` fills ``templates/layouts/document.html`` (Jinja with autoescape: every text of the
tree is escaped) — semantic headings (``h1`` title, ``h2`` sections), a table of contents, each
clause an element whose id is the clause id (``exit.payout``) holding a paragraph whose id is its
number (``c-5.8``), the commentary as ``<aside>``, tables as ``<table>``, figures inline as data URIs,
the signature block, the draft mark, ``lang`` on the page and on every column of the parallel layout
(a two-column CSS grid). A standalone page carries ``templates/layouts/document.css``; a fragment
(``--html-fragment``) is one ``<article>`` for a cooperative's own site, styled by its classes.
Markdown: ``markdown(tree)`` — headings, clause numbers as plain text, commentary as block quotes,
tables as pipe tables, explicit anchors. Both are deterministic (no dates, a stable order).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from coopdocs.compose.doctree import Clause, Parallel, Section, Tree, printed_commentary
from coopdocs.errors import OutputError
from coopdocs.packs.pack import Pack

__all__ = ("markdown", "render", "stylesheet")

COMMENTARY_KEYS = ("meaning", "choice", "basis")


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


@cache
def _compiled(source: str) -> Any:
    return _environment().from_string(source)


def _template(pack: Pack) -> Any:
    """The layout, compiled once per content (a user's override edited between runs is read again)."""
    return _compiled(pack.find_template("layouts/document.html").read_text(encoding="utf-8"))


def stylesheet(pack: Pack) -> str:
    """The standalone page's stylesheet (also for a site that embeds fragments)."""
    return pack.find_template("layouts/document.css").read_text(encoding="utf-8").strip()


def _words(pack: Pack, lang: str) -> str:
    from coopdocs.compose.wording import words

    contents: Mapping[str, str] = words(pack).get("contents", {})
    return contents.get(lang) or contents.get("en") or "Contents"


class _Ids:
    """Unique element ids, in document order: a repeated id gets ``-2``, ``-3``..."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, wanted: str) -> str:
        wanted = re.sub(r"\s+", "-", wanted.strip()) or "x"
        found, n = wanted, 1
        while found in self.seen:
            n += 1
            found = f"{wanted}-{n}"
        self.seen.add(found)
        return found


def _figure(data: bytes | None) -> str | None:
    return None if data is None else "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _commentary(tree: Tree, clause: Clause) -> list[tuple[str, str]]:
    if not tree.commentary or clause.commentary is None:
        return []
    return list(zip(COMMENTARY_KEYS, printed_commentary(clause.commentary, tree.lang, tree.audience), strict=True))


def _cell(tree: Tree, clause: Clause) -> dict[str, Any]:
    return {
        "lang": tree.lang,
        "number": clause.number,
        "text": clause.text,
        "items": [f"{i}) {item}" for i, item in enumerate(clause.items, start=1)],
        "raw_items": list(clause.items),
        "table": [list(row) for row in clause.table],
        "figure": _figure(clause.figure),
        "commentary": _commentary(tree, clause),
        "labels": {key: tree.labels.get(key, "") for key in COMMENTARY_KEYS},
    }


def _trees(item: Tree | Parallel) -> tuple[Tree, ...]:
    return (item.left, item.right) if isinstance(item, Parallel) else (item,)


def _sections(trees: tuple[Tree, ...]) -> Iterator[tuple[tuple[Section, ...], tuple[tuple[Clause, ...], ...]]]:
    """Each section in every column, with its clauses row by row (columns have the same numbering)."""
    for sections in zip(*(t.document.sections for t in trees), strict=True):
        yield sections, tuple(zip(*(s.clauses for s in sections), strict=True))


def view(
    item: Tree | Parallel, *, fragment: bool, pack: Pack, folded: str | None = None
) -> dict[str, Any]:
    """What the HTML template reads."""
    trees = _trees(item)
    main = item.right if isinstance(item, Parallel) else item
    ids = _Ids()
    toc = ids("contents")
    sections = []
    for columns, rows in _sections(trees):
        first = columns[0]
        section = {
            "id": ids(f"section-{first.id}"),
            "anchor": ids(f"s-{first.number}"),
            "cells": [
                {"lang": t.lang, "number": s.number, "title": s.title} for t, s in zip(trees, columns, strict=True)
            ],
            "clauses": [
                {
                    "id": ids(row[0].id),
                    "anchor": ids(f"c-{row[0].number}"),
                    "cells": [_cell(t, c) for t, c in zip(trees, row, strict=True)],
                }
                for row in rows
            ],
        }
        sections.append(section)
    drafts = [t.draft for t in trees if t.draft]
    return {
        "fragment": fragment,
        "folded": folded,
        "parallel": isinstance(item, Parallel),
        "name": item.name,
        "lang": main.lang,
        "title": item.title,
        "author": main.author,
        "draft": "\n".join(dict.fromkeys(drafts)) or None,
        "docs": [t.document for t in trees],
        "contents": " | ".join(dict.fromkeys(_words(pack, t.lang) for t in trees)),
        "ids": {"toc": toc},
        "sections": sections,
        "signatures": [{"lang": t.lang, "lines": list(t.signatures)} for t in trees if t.signatures],
        "stylesheet": stylesheet(pack),
    }


def render(
    item: Tree | Parallel, *, fragment: bool = False, pack: Pack, folded: str | None = None
) -> str:
    """The HTML of a document tree (or a kk | ru pair): a standalone HTML5 page, or with
    ``fragment`` one ``<article>`` to embed in another page (no ``<html>``, ``<head>`` or style).
    ``folded`` puts each clause's commentary under a ``<details>`` whose summary is that word (the
    live preview of `coopdocs serve`: the commentary a click away)."""
    from markupsafe import Markup

    data = view(item, fragment=fragment, pack=pack, folded=folded)
    data["stylesheet"] = Markup(data["stylesheet"])  # the pack's own CSS, not the user's text
    return str(_template(pack).render(**data)).strip() + "\n"


# --- Markdown ---------------------------------------------------------------------------------------

# A run of underscores between spaces (a blank to fill in) cannot start emphasis and stays as it is.
_INLINE = re.compile(r"[\\`*\[\]<>]|&(?=#?\w+;)|_+")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)](?=\s|$))")


def _md(text: str, *, table: bool = False) -> str:
    """A text as Markdown shows it literally: the characters that would start markup are escaped
    (a ``<`` as ``&lt;``), a clause number inside a line stays as it is, and a line break is kept."""

    def inline(match: re.Match[str]) -> str:
        char = match.group(0)
        if char.startswith("_"):
            line, start, end = match.string, match.start(), match.end()
            blank = (start == 0 or line[start - 1].isspace()) and (end == len(line) or line[end].isspace())
            return char if blank else "\\_" * len(char)
        return {"<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(char, "\\" + char)

    lines = []
    for line in text.split("\n"):
        line = _INLINE.sub(inline, line)
        if table:
            line = line.replace("|", "\\|")
        lines.append(line)
    return ("<br>" if table else "  \n").join(lines)


def _md_start(text: str) -> str:
    """A paragraph that starts with the text: a leading ``#``, ``-`` or ``1.`` would be markup."""
    escaped = _md(text)
    match = _LINE_START.match(escaped)
    if match is None:
        return escaped
    marker = match.group(2)
    marker = marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker
    return match.group(1) + marker + escaped[match.end() :]


def _md_item(n: int, text: str) -> str:
    """An item as a list item of an ordered list numbered ``1)``, ``2)``... as the tree numbers it."""
    marker = f"{n}) "
    return marker + _md_start(text).replace("  \n", "  \n" + " " * len(marker))


_NUMBERED = re.compile(r"(\d+)\. (.*)", re.S)


def _md_signatures(lines: list[str], para: Any) -> None:
    """The signature block: numbered signers as an ordered list, every other line a paragraph."""
    listed: list[str] = []
    for line in [*lines, ""]:
        match = _NUMBERED.fullmatch(line)
        if match:
            listed.append(f"{match.group(1)}. {_md_start(match.group(2))}")
            continue
        if listed:
            para(*listed)
            listed = []
        if line:
            para(_md_start(line))


def _anchor(name: str) -> str:
    return f'<a id="{name}"></a>'


def _md_table(rows: list[list[str]]) -> list[str]:
    head, *body = rows
    lines = ["| " + " | ".join(_md(cell, table=True) for cell in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(cell, table=True) for cell in row) + " |" for row in body]
    return lines


def markdown(item: Tree | Parallel, *, pack: Pack) -> str:
    """The Markdown (CommonMark with GitHub's pipe tables) of a document tree. The parallel layout
    is one pipe table: a row per heading, clause and item, a column per language."""
    data = view(item, fragment=True, pack=pack)
    out: list[str] = []

    def para(*lines: str) -> None:
        out.append("\n".join(lines))

    if data["draft"]:
        para(f"**{_md(data['draft'])}**")
    if data["parallel"]:
        return _md_parallel(data, out)
    doc = data["docs"][0]
    if doc.approval:
        para("  \n".join(_md_start(line) for line in doc.approval))
    para(f"# {_md(doc.title)}")
    if doc.subtitle:
        para(f"**{_md(doc.subtitle)}**")
    para(f"## {_md(data['contents'])}")
    para(*(f"- [{s['cells'][0]['number']}. {_md(s['cells'][0]['title'])}](#{s['anchor']})" for s in data["sections"]))
    for section in data["sections"]:
        cell = section["cells"][0]
        para(f"## {_anchor(section['anchor'])}{cell['number']}. {_md(cell['title'])}")
        for clause in section["clauses"]:
            c = clause["cells"][0]
            para(f"{_anchor(clause['id'])}{_anchor(clause['anchor'])}{c['number']}. {_md(c['text'])}")
            if c["raw_items"]:
                para(*(_md_item(n, i) for n, i in enumerate(c["raw_items"], start=1)))
            if c["table"]:
                para(*_md_table(c["table"]))
            if c["figure"]:
                para(f"![{_md(c['text'])}]({c['figure']})")
            if c["commentary"]:
                para(
                    "\n>\n".join(
                        f"> **{_md(c['labels'][key])}** {_md(text)}".replace("\n", "\n> ")
                        for key, text in c["commentary"]
                    )
                )
    for block in data["signatures"]:
        _md_signatures(block["lines"], para)
    return "\n\n".join(out) + "\n"


def _md_parallel(data: Mapping[str, Any], out: list[str]) -> str:
    rows: list[list[str]] = []
    docs = data["docs"]
    rows.append([f"{_md(d.title, table=True)} {_md(d.subtitle, table=True)}".strip() for d in docs])
    for line in range(max(len(d.approval) for d in docs)):
        rows.append([_md(d.approval[line], table=True) if line < len(d.approval) else "" for d in docs])
    for section in data["sections"]:
        rows.append(
            [f"{_anchor(section['anchor'])}**{c['number']}. {_md(c['title'], table=True)}**" for c in section["cells"]]
        )
        for clause in section["clauses"]:
            cells = clause["cells"]
            rows.append(
                [
                    (f"{_anchor(clause['id'])}{_anchor(clause['anchor'])}" if i == 0 else "")
                    + f"{c['number']}. {_md(c['text'], table=True)}"
                    for i, c in enumerate(cells)
                ]
            )
            for n in range(len(cells[0]["items"])):
                rows.append([_md(c["items"][n], table=True) for c in cells])
    signatures = data["signatures"]
    for n in range(max((len(s["lines"]) for s in signatures), default=0)):
        rows.append([_md(s["lines"][n], table=True) if n < len(s["lines"]) else "" for s in signatures])
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def write(item: Tree | Parallel, fmt: str, *, fragment: bool = False, pack: Pack) -> bytes:
    """``html`` or ``md`` bytes (UTF-8) of a tree."""
    import jinja2

    try:
        text = render(item, fragment=fragment, pack=pack) if fmt == "html" else markdown(item, pack=pack)
    except jinja2.TemplateError as exc:
        raise OutputError(
            f"{item.stem}: the HTML layout could not be filled: {exc}",
            hint="a layouts/document.html override is broken (remove it to use the pack's), or report a bug",
        ) from exc
    return text.encode("utf-8")
