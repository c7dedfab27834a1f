"""Golden text snapshots: every document of every example, in body order, as a reader sees it.

Two levels, both as readable text:
- ``<doc>.<lang>.txt``: the DOCX's text (the DOCX writer's output, read back);
- ``<doc>.<lang>.md`` and ``<doc>.kk-ru.md``: the document tree itself (``doctree``), every
  document in every language and the parallel kk | ru layout, through the Markdown writer: headings,
  clause ids and numbers (the anchors), items, tables, commentary boxes, signatures. Every writer
  (DOCX, Typst PDF, HTML, Markdown) reads this tree, so a change in it shows here once, before any
  writer is involved.

A change of legal wording shows up here as a readable diff. Refresh after an intended change with
    COOPDOCS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and review the diff before committing. DOCX bytes are never compared here (see test_render.py
for byte-for-byte determinism).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import Options, build_outputs
from coopdocs.writers.render import docx_text
from tests.support import DEFAULT_PACK, EXAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("COOPDOCS_UPDATE_GOLDEN") == "1"


def snapshot_text(data: bytes) -> str:
    return "\n".join(docx_text(data)) + "\n"


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_documents_match_golden_text(example: str) -> None:
    checked = check_file(EXAMPLES / f"{example}.yaml")
    assert checked.cooperative is not None
    outputs = build_outputs(checked.cooperative, Options(layout="separate"))
    folder = GOLDEN / example
    produced = {output.name.removesuffix(".docx") + ".txt": snapshot_text(output.data) for output in outputs}
    compare_with_golden(
        folder,
        produced,
        "*.txt",
        lambda name: f"{example}/{name} differs from its golden text; refresh if the change is intended",
    )


def compare_with_golden(folder: Path, produced: dict[str, str], pattern: str, differs: Callable[[str], str]) -> None:
    """Each produced text equals its golden file in ``folder`` (COOPDOCS_UPDATE_GOLDEN=1 rewrites them,
    removing the stale ones)."""
    expected_names = sorted(p.name for p in folder.glob(pattern)) if folder.is_dir() else []
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in set(expected_names) - set(produced):
            (folder / stale).unlink()
        for name, text in produced.items():
            (folder / name).write_text(text, encoding="utf-8")
        return
    assert sorted(produced) == expected_names, "documents added or removed: refresh the golden files"
    for name, text in produced.items():
        golden = (folder / name).read_text(encoding="utf-8")
        assert text == golden, differs(name)


# A chart is a PNG whose bytes depend on matplotlib's version: the tree snapshot keeps its caption
# (the alt text) and names the image instead.
CHART = re.compile(r"\]\(data:image/png;base64,[A-Za-z0-9+/=]*\)")


def tree_snapshot(item: object) -> str:
    from coopdocs.compose.doctree import Parallel, Tree
    from coopdocs.writers import htmlwriter

    assert isinstance(item, Tree | Parallel)
    return CHART.sub("](chart.png)", htmlwriter.markdown(item, pack=DEFAULT_PACK))


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_document_trees_match_golden(example: str) -> None:
    from coopdocs.commands.build import build_trees
    from coopdocs.compose.doctree import Parallel

    checked = check_file(EXAMPLES / f"{example}.yaml")
    assert checked.cooperative is not None
    produced = {f"{t.stem}.md": tree_snapshot(t) for t in build_trees(checked.cooperative, Options(layout="separate"))}
    for item in build_trees(checked.cooperative, Options(layout="parallel")):
        if isinstance(item, Parallel):  # the commentary and a language without a pair are as above
            produced[f"{item.stem}.md"] = tree_snapshot(item)
    compare_with_golden(
        GOLDEN / example,
        produced,
        "*.md",
        lambda name: f"{example}/{name}: the document tree differs from its golden; refresh if intended",
    )


# The HTML writer, one document (refreshed with the same variable): the embeddable HTML of the
# parallel application form. (The Markdown of every tree is above.)
WRITERS = (("bereke", "application.kk-ru", "html", "parallel"),)


@pytest.mark.parametrize(("example", "stem", "fmt", "layout"), WRITERS)
def test_html_and_markdown_match_golden(example: str, stem: str, fmt: str, layout: str) -> None:
    from coopdocs.commands.build import build_trees
    from coopdocs.writers import htmlwriter

    checked = check_file(EXAMPLES / f"{example}.yaml")
    assert checked.cooperative is not None
    (tree,) = [t for t in build_trees(checked.cooperative, Options(layout=layout)) if t.stem == stem]
    pack = DEFAULT_PACK
    text = htmlwriter.render(tree, fragment=True, pack=pack) if fmt == "html" else htmlwriter.markdown(tree, pack=pack)
    path = GOLDEN / example / f"{stem}.{fmt}"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden; refresh if intended"
