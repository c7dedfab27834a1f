"""A naive docxtpl renderer: the yardstick for coopdocs' cold DOCX `build` (issue 16, bench section 8).

    python bench/naive_docxtpl.py prepare FOLDER                 # not timed: the texts and the template
    python bench/naive_docxtpl.py render FOLDER TARGET           # timed, in a new process

``prepare`` writes ``FOLDER/texts.json``: every document coopdocs builds for ``examples/bereke.yaml``
(ru + kk, separate layout, all documents), each as its title and the paragraphs a reader sees in
coopdocs' DOCX (``doctree.text_lines``: approval, title, headings, clauses with their numbers, items,
table cells, commentary, signatures), so the volume is the same: the same documents, paragraphs
and characters. It also writes ``FOLDER/naive.docx``, a one-loop docxtpl template (a title, then
``{%p for line in lines %}{{ line }}{%p endfor %}``) in Liberation Serif 12 pt.

``render`` is what a plain docxtpl script does with such texts: import docxtpl, read the texts,
and per document open the template, render it (autoescaped) and save it. It reads no YAML input,
validates nothing, checks no law, chooses and renders no clause template, numbers nothing, writes
no header, footer or table, does not read its DOCX back, and does not write atomically: it is the
cost of writing the same volume with docxtpl and nothing else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def prepare(folder: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from docx import Document
    from docx.shared import Pt

    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands import build
    from coopdocs.compose import doctree

    coop = check_file(root / "examples" / "bereke.yaml").cooperative
    assert coop is not None
    trees = build.build_trees(coop, build.Options(langs=("ru", "kk"), layout="separate"))
    texts = []
    for tree in trees:
        assert isinstance(tree, doctree.Tree)
        texts.append({"stem": tree.stem, "title": tree.title, "lines": doctree.text_lines(tree)})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    template = Document()
    normal = template.styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(12)
    template.add_heading("{{ title }}", level=1)
    template.add_paragraph("{%p for line in lines %}")
    template.add_paragraph("{{ line }}")
    template.add_paragraph("{%p endfor %}")
    template.save(str(folder / "naive.docx"))


def render(folder: Path, target: Path) -> int:
    from docxtpl import DocxTemplate

    texts = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    target.mkdir(parents=True, exist_ok=True)
    for document in texts:
        template = DocxTemplate(str(folder / "naive.docx"))
        template.render({"title": document["title"], "lines": document["lines"]}, autoescape=True)
        template.save(str(target / f"{document['stem']}.docx"))
    return len(texts)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "prepare":
        prepare(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "render":
        render(Path(argv[1]), Path(argv[2]))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
