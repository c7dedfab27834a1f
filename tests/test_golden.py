"""Golden text snapshots: every document of every example, in body order, as a reader sees it.

A change of legal wording shows up here as a readable diff. Refresh after an intended change with
    COOPDOCS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and review the diff before committing. DOCX bytes are never compared here (see test_render.py
for byte-for-byte determinism).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coopdocs.build import Options, build_outputs
from coopdocs.pipeline import check_file
from coopdocs.render import docx_text
from tests.support import EXAMPLES

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
    expected_names = sorted(p.name for p in folder.glob("*.txt")) if folder.is_dir() else []
    produced = {}
    for output in outputs:
        produced[output.name.removesuffix(".docx") + ".txt"] = snapshot_text(output.data)
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
        assert text == golden, f"{example}/{name} differs from its golden text; refresh if the change is intended"


# The HTML and Markdown writers, one document each (refreshed with the same variable): the
# Markdown of the Russian charter and the embeddable HTML of the parallel application form.
WRITERS = (("bereke", "charter.ru", "md", "separate"), ("bereke", "application.kk-ru", "html", "parallel"))


@pytest.mark.parametrize(("example", "stem", "fmt", "layout"), WRITERS)
def test_html_and_markdown_match_golden(example: str, stem: str, fmt: str, layout: str) -> None:
    from coopdocs import htmlwriter
    from coopdocs.build import build_trees

    checked = check_file(EXAMPLES / f"{example}.yaml")
    assert checked.cooperative is not None
    (tree,) = [t for t in build_trees(checked.cooperative, Options(layout=layout)) if t.stem == stem]
    text = htmlwriter.render(tree, fragment=True) if fmt == "html" else htmlwriter.markdown(tree)
    path = GOLDEN / example / f"{stem}.{fmt}"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden; refresh if intended"
