"""The document model: one tree per document and language, read by every writer."""

from __future__ import annotations

from functools import cache

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import Options, build_trees
from coopdocs.compose import doctree
from coopdocs.writers import render
from tests.support import BEREKE, DEFAULT_PACK


@cache
def _trees(layout: str) -> tuple[doctree.Tree | doctree.Parallel, ...]:
    coop = check_file(BEREKE).cooperative
    assert coop is not None
    return tuple(build_trees(coop, Options(layout=layout, langs=("ru", "kk"))))


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_parallel_layout_is_aligned_pairs_of_two_trees() -> None:
    parallel = [t for t in _trees("parallel") if isinstance(t, doctree.Parallel)]
    assert {p.name for p in parallel} == {"charter", "membership", "disputes", "minutes", "application"}
    for p in parallel:
        assert (p.left.lang, p.right.lang) == ("kk", "ru")
        doc = p.right.document
        expected = sum(1 + len(s.clauses) + sum(len(c.items) for c in s.clauses) for s in doc.sections)
        assert len(p.pairs) == expected
        for row in p.pairs:  # the same number starts both sides of every row
            assert row.left.split(" ", 1)[0] == row.right.split(" ", 1)[0], row
        assert p.pairs[0].kind == "heading"


def test_every_writer_input_is_one_tree_per_document_and_language() -> None:
    stems = [t.stem for t in _trees("separate")]
    assert len(stems) == len(set(stems)) == 14
    charter = next(t for t in _trees("separate") if t.stem == "charter.ru")
    assert isinstance(charter, doctree.Tree)
    assert charter.signatures and charter.signatures[0] == render.signatures_title("ru", DEFAULT_PACK)
    assert charter.page_words.format(3, 12) == "Страница 3 из 12"
    assert charter.language_tag == "ru-RU"
    commentary = next(t for t in _trees("separate") if t.stem == "commentary.kk")
    assert isinstance(commentary, doctree.Tree) and commentary.commentary and commentary.labels


def test_docx_writer_prints_the_tree_text_in_order() -> None:
    """The DOCX holds every line of the tree (clause numbers, items, commentary, tables,
    signatures), in the tree's order."""
    for item in _trees("separate"):
        assert isinstance(item, doctree.Tree)
        if item.name not in ("charter", "commentary", "compliance", "minutes"):
            continue
        body = _squeeze("".join(render.docx_text(render.write_docx(item, DEFAULT_PACK))))
        at = 0
        for line in doctree.text_lines(item):
            found = body.find(_squeeze(line), at)
            assert found >= 0, (item.stem, line[:80])
            at = found + len(_squeeze(line))
