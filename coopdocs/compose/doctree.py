"""The document model: one rendered document in one language, as a small tree every writer reads.

Clauses are rendered once (``clauses.render_all``) into ``clauses.Document`` (title block, approval
block, numbered sections, clauses, items, commentary, tables, figures); a ``Tree`` adds what is
printed around them: the running header, the "page N of M" words, the draft mark, the signature
block, the author and the language. ``Parallel`` is the kk | ru layout as aligned pairs.

The writers (``render.write_docx`` for DOCX, ``typeset.write_pdf`` for the Typst PDF) take a tree and
never render a clause again. ``text_lines`` is the tree as a reader sees it, in order: the text a
writer's output must hold (the parity tests compare a PDF's text with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from coopdocs.compose.clauses import Clause, Commentary, Document, Section

__all__ = ("Clause", "Commentary", "Document", "Pair", "PageWords", "Parallel", "Section", "Tree", "text_lines")


@dataclass(frozen=True)
class PageWords:
    """The footer "page N of M" in a language: ``before`` N ``middle`` M ``after``."""

    before: str
    middle: str
    after: str

    def format(self, page: int, pages: int) -> str:
        return f"{self.before}{page}{self.middle}{pages}{self.after}"


@dataclass(frozen=True)
class Tree:
    """One document in one language, with everything a writer prints."""

    document: Document  # title block, approval block, sections, clauses, items, commentary, tables, figures
    header: str  # the running header
    page_words: PageWords  # the running footer
    draft: str | None  # the draft mark on every page, or None for a clean build
    signatures: tuple[str, ...]  # the signature block after the last clause (title line first)
    author: str  # the cooperative's full name (document metadata)
    language_tag: str  # e.g. ru-RU
    commentary: bool = False  # print the commentary boxes
    labels: Mapping[str, str] = field(default_factory=dict)  # commentary labels: meaning, choice, basis
    audience: str = "member"  # the commentary's reader: member (choices in words) | lawyer (YAML keys)

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def lang(self) -> str:
        return self.document.lang

    @property
    def stem(self) -> str:
        return f"{self.document.name}.{self.document.lang}"

    @property
    def title(self) -> str:
        return f"{self.document.title} {self.document.subtitle}".strip()


PairKind = Literal["heading", "clause", "item"]


@dataclass(frozen=True)
class Pair:
    """One row of the parallel layout: the same heading, clause or item in both languages."""

    kind: PairKind
    left: str
    right: str


@dataclass(frozen=True)
class Parallel:
    """The parallel layout (kk | ru): two trees with the same numbering, row by row."""

    left: Tree
    right: Tree
    pairs: tuple[Pair, ...]

    @property
    def name(self) -> str:
        return self.left.name

    @property
    def lang(self) -> str:
        return f"{self.left.lang}-{self.right.lang}"

    @property
    def stem(self) -> str:
        return f"{self.left.name}.{self.lang}"

    @property
    def title(self) -> str:
        return f"{self.left.title} / {self.right.title}"

    @property
    def header(self) -> str:
        return f"{self.left.header} | {self.right.header}"


def pair(left: Tree, right: Tree) -> Parallel:
    """Align two editions of one document; they must have the same sections, clauses and items."""
    rows: list[Pair] = []
    for ls, rs in zip(left.document.sections, right.document.sections, strict=True):
        rows.append(Pair("heading", f"{ls.number}. {ls.title}", f"{rs.number}. {rs.title}"))
        for lc, rc in zip(ls.clauses, rs.clauses, strict=True):
            rows.append(Pair("clause", f"{lc.number}. {lc.text}", f"{rc.number}. {rc.text}"))
            for i, (li, ri) in enumerate(zip(lc.items, rc.items, strict=True), start=1):
                rows.append(Pair("item", f"{i}) {li}", f"{i}) {ri}"))
    return Parallel(left, right, tuple(rows))


_UNBREAKABLE = re.compile(r"\S{40,}")


def ragged(text: str) -> bool:
    """Whether a paragraph is set ragged right rather than justified: a form's blank (a run of
    ``_``) keeps its natural width, and a word that cannot break (a SHA-256, a long path) would
    leave a justified line's few words far apart. The one rule for every writer: the DOCX layout and
    the Typst layout (``typeset.layout_data`` passes it per paragraph) both read it from here."""
    return "__" in text or _UNBREAKABLE.search(text) is not None


def keeps_with_next(clause: Clause, *, last: bool, signed: bool) -> tuple[bool, tuple[bool, ...]]:
    """Which of a clause's paragraphs stay on the page of what follows them: the clause's own
    paragraph when it leads a list, a table or a figure (and, in the last clause of a signed
    document, when nothing of the clause follows it), and the last item of the last clause of a
    signed document, so that the signature block is never alone on a page. The Typst layout's
    ``sticky`` blocks are the same rule; the DOCX layout sets ``w:keepNext`` from it."""
    tail = last and signed
    leads = bool(clause.items) or bool(clause.table) or clause.figure is not None
    items = tuple(tail and i == len(clause.items) - 1 for i in range(len(clause.items)))
    return leads or (tail and not clause.items), items


def printed_commentary(commentary: Commentary, lang: str, audience: str) -> tuple[str, str, str]:
    """The commentary box as printed: meaning, choice and basis. For a member the choice is told in
    words and the law is cited without a verification mark per clause (a note on sources says it
    once); for a lawyer the choice names the YAML keys and every unverified citation is marked."""
    lawyer = audience == "lawyer"
    basis = commentary.basis if lawyer else commentary.member_basis
    return commentary.meaning, commentary.choice if lawyer else commentary.member_choice, "; ".join(basis) or "—"


def text_lines(tree: Tree) -> list[str]:
    """The tree's text as a reader sees it, in order (headers and footers aside): approval block,
    title block, every section heading, clause (with its number), item, commentary, table cell,
    and the signature block."""
    doc = tree.document
    lines = [*doc.approval, doc.title, doc.subtitle]
    for section in doc.sections:
        lines.append(f"{section.number}. {section.title}")
        for clause in section.clauses:
            lines.append(f"{clause.number}. {clause.text}")
            lines += [f"{i}) {item}" for i, item in enumerate(clause.items, start=1)]
            lines += [cell for row in clause.table for cell in row]
            if tree.commentary and clause.commentary is not None:
                meaning, choice, basis = printed_commentary(clause.commentary, doc.lang, tree.audience)
                lines += [
                    f"{tree.labels.get('meaning', '')} {meaning}",
                    f"{tree.labels.get('choice', '')} {choice}",
                    f"{tree.labels.get('basis', '')} {basis}",
                ]
    lines += tree.signatures
    return [line.strip() for line in lines if line.strip()]
