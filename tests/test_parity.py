"""Text parity with both PDF engines: every document type of an example, in both languages and in
the kk | ru layout, says in its PDF what its document tree says (approval lines, titles, headings,
clauses with their numbers, items, commentary, table cells, signatures), in the tree's order, with
Typst (the default) and with LibreOffice (``--pdf-engine libreoffice``, the DOCX converted)."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands.build import Options, build_trees
from coopdocs.compose import doctree
from tests.support import BEREKE, EXAMPLES
from tests.test_typeset import A4, assert_in_order, assert_tree_text, body_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

STEMS = [
    f"{doc}.{lang}"
    for doc in ("charter", "membership", "disputes", "commentary", "minutes", "application", "compliance")
    for lang in ("ru", "kk")
]
PARALLEL = [f"{doc}.kk-ru" for doc in ("charter", "membership", "disputes", "minutes", "application")]
ENGINES = ["typst", pytest.param("libreoffice", marks=pytest.mark.pdf_engine)]


@cache
def trees(example: Path, layout: str) -> dict[str, doctree.Tree | doctree.Parallel]:
    coop = check_file(example).cooperative
    assert coop is not None
    return {t.stem: t for t in build_trees(coop, Options(layout=layout))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """``build --format pdf`` once per engine and layout (a LibreOffice build takes ~10 s)."""
    done: dict[tuple[Path, str, str], Path] = {}

    def folder(example: Path, engine: str, layout: str) -> Path:
        key = (example, engine, layout)
        if key not in done:
            out = tmp_path_factory.mktemp(f"{example.stem}-{engine}-{layout}")
            args = ["build", str(example), "--out", str(out), "--format", "pdf", "--layout", layout]
            result = CliRunner().invoke(main, [*args, "--pdf-engine", engine])
            assert result.exit_code == 0, result.output
            (done[key],) = [p for p in out.iterdir() if p.is_dir()]
        return done[key]

    return folder


def assert_parallel(item: doctree.Parallel, data: bytes, tmp: Path) -> None:
    """Each language in its column, pair by pair (landscape A4, the columns meet in the middle)."""
    width, height = A4[1], A4[0]
    left = body_text(data, tmp, width=width // 2, height=height)
    right = body_text(data, tmp, x=width // 2, width=width // 2, height=height)
    assert_in_order([p.left for p in item.pairs], left, f"{item.stem} (left column)")
    assert_in_order([p.right for p in item.pairs], right, f"{item.stem} (right column)")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("stem", STEMS)
def test_every_document_says_what_its_tree_says(built, engine: str, stem: str, tmp_path: Path) -> None:  # noqa: ANN001
    tree = trees(BEREKE, "separate")[stem]
    assert isinstance(tree, doctree.Tree)
    assert_tree_text(tree, body_text((built(BEREKE, engine, "separate") / f"{stem}.pdf").read_bytes(), tmp_path))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("stem", PARALLEL)
def test_every_parallel_document_says_what_its_pairs_say(built, engine: str, stem: str, tmp_path: Path) -> None:  # noqa: ANN001
    item = trees(BEREKE, "parallel")[stem]
    assert isinstance(item, doctree.Parallel)
    assert_parallel(item, (built(BEREKE, engine, "parallel") / f"{stem}.pdf").read_bytes(), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_in_every_layout(built, engine: str, example: str, tmp_path: Path) -> None:  # noqa: ANN001
    """The same for every example (its languages, en included), in both layouts."""
    for layout in ("separate", "parallel"):
        for stem, item in trees(EXAMPLES / example, layout).items():
            data = (built(EXAMPLES / example, engine, layout) / f"{stem}.pdf").read_bytes()
            if isinstance(item, doctree.Tree):
                assert_tree_text(item, body_text(data, tmp_path))
            else:
                assert_parallel(item, data, tmp_path)
