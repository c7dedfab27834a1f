"""The HTML and Markdown writers (coopdocs/writers/htmlwriter.py): valid HTML5 from the document tree, the
tree's text with its clause numbers, an anchor per clause, contents that resolve, the commentary in
``<aside>``, an embeddable fragment, escaping of hostile input, and no pandoc on the way."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from coopdocs.checking import pipeline
from coopdocs.cli import main
from coopdocs.commands import build
from coopdocs.compose import doctree
from coopdocs.writers import htmlwriter, pdf
from tests.support import DEFAULT_PACK

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BLOCKS = {"p", "h1", "h2", "li", "th", "td"}


@cache
def trees(example: str, layout: str | None = None) -> tuple[doctree.Tree | doctree.Parallel, ...]:
    checked = pipeline.check_file(EXAMPLES / example)
    assert checked.cooperative is not None
    return tuple(build.build_trees(checked.cooperative, build.Options(layout=layout)))


def one(example: str, stem: str, layout: str | None = None) -> doctree.Tree | doctree.Parallel:
    (found,) = [t for t in trees(example, layout) if t.stem == stem]
    return found


def parse(text: str, *, fragment: bool = False) -> ET.Element:
    """Parse as HTML5 with html5lib's strict parser: any parse error (a stray tag, a bad nesting, a
    missing doctype) raises."""
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    if fragment:
        return parser.parseFragment(text)
    return parser.parse(text)


def norm(text: str) -> str:
    return " ".join(text.split())


def expected_lines(tree: doctree.Tree) -> list[str]:
    return [norm(part) for line in doctree.text_lines(tree) for part in line.split("\n") if part.strip()]


def html_lines(root: ET.Element, lang: str | None = None) -> list[str]:
    """The text of every block (paragraph, heading, list item, table cell) in order, a ``<br>``
    splitting a line, outside the contents and the draft mark; with ``lang`` only that column."""
    lines: list[str] = []

    def text_of(element: ET.Element) -> list[str]:
        parts = [""]
        for node in element.iter():
            if node.tag == "br":
                parts.append("")
            if node is element:
                parts[-1] += node.text or ""
                continue
            if node.tag != "br":
                parts[-1] += node.text or ""
            parts[-1] += node.tail or ""
        return parts

    def walk(element: ET.Element, current: str | None) -> None:
        current = element.get("lang", current)
        if element.tag == "nav" or "draft" in element.get("class", "").split():
            return
        if element.tag in BLOCKS:
            if lang is None or current == lang:
                lines.extend(norm(p) for p in text_of(element) if p.strip())
            return
        for child in element:
            walk(child, current)

    walk(root, None)
    return lines


def ids_of(root: ET.Element) -> list[str]:
    return [e.get("id", "") for e in root.iter() if e.get("id") is not None]


def check_structure(root: ET.Element) -> set[str]:
    """Unique ids, every in-page link resolves, a language on the page; the ids."""
    ids = ids_of(root)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    links = [a.get("href", "") for a in root.iter("a") if a.get("href", "").startswith("#")]
    assert links, "no table of contents"
    assert not [link for link in links if link[1:] not in ids]
    labelled = [e.get("aria-labelledby", "") for e in root.iter() if e.get("aria-labelledby")]
    assert labelled and not [name for name in labelled if name not in ids]
    return set(ids)


CASES = [
    ("bereke.yaml", "charter.ru", None),
    ("bereke.yaml", "charter.kk", None),
    ("bereke.yaml", "commentary.ru", None),
    ("bereke.yaml", "minutes.kk", None),
    ("bereke.yaml", "application.ru", None),
    ("housing-savings.yaml", "compliance.ru", None),
    ("housing-savings.yaml", "compliance.kk", None),
]


@pytest.mark.parametrize(("example", "stem", "layout"), CASES)
def test_valid_html5_with_the_tree_text_and_an_anchor_per_clause(example: str, stem: str, layout: str | None) -> None:
    tree = one(example, stem, layout)
    assert isinstance(tree, doctree.Tree)
    text = htmlwriter.render(tree, pack=DEFAULT_PACK)
    root = parse(text)
    html = root if root.tag == "html" else root.find("html")
    assert html is not None and html.get("lang") == tree.lang
    ids = check_structure(root)
    # Text parity: every heading, numbered clause, item, table cell, commentary line and signature.
    assert html_lines(root) == expected_lines(tree)
    for section in tree.document.sections:
        assert f"s-{section.number}" in ids
        for clause in section.clauses:
            assert clause.id in ids and f"c-{clause.number}" in ids
    assert root.find(".//h1") is not None
    assert len(root.findall(".//h2")) == len(tree.document.sections) + 1  # the sections and the contents


def test_commentary_is_an_aside_of_its_clause() -> None:
    tree = one("bereke.yaml", "commentary.ru")
    assert isinstance(tree, doctree.Tree)
    root = parse(htmlwriter.render(tree, pack=DEFAULT_PACK))
    commented = [c for s in tree.document.sections for c in s.clauses if c.commentary is not None]
    assert commented
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    for clause in commented:
        aside = by_id[clause.id].find("aside")
        assert aside is not None and "commentary" in aside.get("class", "")
        meaning, _, basis = doctree.printed_commentary(clause.commentary, "ru", tree.audience)  # type: ignore[arg-type]
        texts = [norm("".join(p.itertext())) for p in aside.iter("p")]
        assert texts[0] == norm(f"{tree.labels['meaning']} {meaning}")
        assert texts[-1] == norm(f"{tree.labels['basis']} {basis}")
    assert not parse(htmlwriter.render(one("bereke.yaml", "charter.ru"), pack=DEFAULT_PACK)).findall(".//aside")


def test_tables_and_the_chart_inline() -> None:
    tree = one("housing-savings.yaml", "compliance.ru")
    root = parse(htmlwriter.render(tree, pack=DEFAULT_PACK))
    tables = root.findall(".//table")
    assert tables and all(t.find("thead/tr/th") is not None for t in tables)
    images = root.findall(".//img")
    assert images and all(i.get("src", "").startswith("data:image/png;base64,iVBORw0KGgo") for i in images)
    assert all(i.get("alt") for i in images)


def test_parallel_is_two_columns_with_a_language_each() -> None:
    pair = one("bereke.yaml", "charter.kk-ru", "parallel")
    assert isinstance(pair, doctree.Parallel)
    text = htmlwriter.render(pair, pack=DEFAULT_PACK)
    root = parse(text)
    check_structure(root)
    assert html_lines(root, "kk") == expected_lines(pair.left)
    assert html_lines(root, "ru") == expected_lines(pair.right)
    rows = [e for e in root.iter() if "row" in e.get("class", "").split()]
    assert rows and all([c.get("lang") for c in r] == ["kk", "ru"] for r in rows)
    assert "grid-template-columns: 1fr 1fr" in text
    clause = pair.left.document.sections[4].clauses[0]
    assert clause.id in ids_of(root) and f"c-{clause.number}" in ids_of(root)


def test_fragment_embeds_without_a_page() -> None:
    tree = one("bereke.yaml", "charter.ru")
    text = htmlwriter.render(tree, fragment=True, pack=DEFAULT_PACK)
    assert text.startswith("<article") and text.rstrip().endswith("</article>")
    for tag in ("html", "head", "body", "style", "!DOCTYPE"):
        assert not re.search(rf"<{tag}[\s>]", text, re.I), tag
    root = parse(text, fragment=True)
    (article,) = list(root)
    assert article.tag == "article" and article.get("lang") == "ru"
    check_structure(article)
    assert html_lines(article) == expected_lines(tree)


def test_standalone_page_has_its_stylesheet_and_metadata() -> None:
    tree = one("bereke.yaml", "charter.kk")
    assert isinstance(tree, doctree.Tree)
    root = parse(htmlwriter.render(tree, pack=DEFAULT_PACK))
    head = root.find("head")
    assert head is not None
    assert head.find("meta[@charset='utf-8']") is not None
    assert "@media print" in (head.findtext("style") or "")
    assert head.findtext("title") == tree.title


def test_deterministic() -> None:
    tree = one("housing-savings.yaml", "compliance.kk")
    assert htmlwriter.render(tree, pack=DEFAULT_PACK) == htmlwriter.render(tree, pack=DEFAULT_PACK)
    assert htmlwriter.markdown(tree, pack=DEFAULT_PACK) == htmlwriter.markdown(tree, pack=DEFAULT_PACK)


def md_lines(text: str) -> list[str]:
    """The text of a Markdown document as a reader sees it (rendered by markdown-it, CommonMark
    with tables): every paragraph, heading and cell, hard breaks splitting lines, a list item with its
    number (``1)``, ``2.``), outside the contents list."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines: list[str] = []
    prefix = ""
    skip = 0
    for token in tokens:
        if token.type == "bullet_list_open":
            skip += 1
        elif token.type == "bullet_list_close":
            skip -= 1
        elif token.type == "list_item_open" and token.info:
            prefix = f"{token.info}{token.markup} "
        elif token.type == "inline" and not skip:
            parts = [""]
            for child in token.children or []:
                if child.type in ("hardbreak",) or (child.type == "html_inline" and child.content == "<br>"):
                    parts.append("")
                elif child.type == "softbreak":
                    parts[-1] += " "
                elif child.type in ("text", "code_inline"):
                    parts[-1] += child.content
                elif child.type == "image":
                    parts.append("")
            parts = [p for p in (norm(p) for p in parts) if p]
            if parts:
                parts[0] = prefix + parts[0]
            prefix = ""
            lines += parts
    return lines


def md_body(tree: doctree.Tree, text: str) -> list[str]:
    """``md_lines`` without the contents heading (the Markdown's own, after the title block)."""
    got = md_lines(text)
    assert got.pop(len(tree.document.approval) + 1 + bool(tree.document.subtitle)) == htmlwriter._words(
        DEFAULT_PACK, tree.lang
    )
    return got


@pytest.mark.parametrize(("example", "stem", "layout"), CASES)
def test_markdown_reads_as_the_tree(example: str, stem: str, layout: str | None) -> None:
    tree = one(example, stem, layout)
    assert isinstance(tree, doctree.Tree)
    text = htmlwriter.markdown(tree, pack=DEFAULT_PACK)
    assert md_body(tree, text) == expected_lines(tree)
    for section in tree.document.sections:
        for clause in section.clauses:
            assert f'<a id="{clause.id}"></a><a id="c-{clause.number}"></a>{clause.number}. ' in text
            assert f"{clause.number}\\." not in text


def test_markdown_commentary_is_quoted_and_tables_are_pipe_tables() -> None:
    commentary = htmlwriter.markdown(one("bereke.yaml", "commentary.kk"), pack=DEFAULT_PACK)
    labels = one("bereke.yaml", "commentary.kk").labels  # type: ignore[union-attr]
    assert re.search(rf"^> \*\*{re.escape(labels['meaning'])}\*\* ", commentary, re.M)
    compliance = htmlwriter.markdown(one("housing-savings.yaml", "compliance.ru"), pack=DEFAULT_PACK)
    assert re.search(r"^\|---\|---\|", compliance, re.M)
    assert "](data:image/png;base64,iVBORw0KGgo" in compliance
    tokens = MarkdownIt("commonmark").enable("table").parse(compliance)
    assert any(t.type == "table_open" for t in tokens)


def test_markdown_parallel_is_a_two_column_table() -> None:
    pair = one("bereke.yaml", "charter.kk-ru", "parallel")
    text = htmlwriter.markdown(pair, pack=DEFAULT_PACK)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    cells = [t.children for t in tokens if t.type == "inline"]
    assert any(t.type == "table_open" for t in tokens)
    first = pair.left.document.sections[0].clauses[0]  # type: ignore[union-attr]
    assert f"{first.number}. " in text and len(cells) % 2 == 0


HOSTILE = "<script>alert(1)</script> *звёзды* [ссылка](http://x) _a_b_ # решётка | труба & &amp; \\"


def hostile_input(tmp_path: Path) -> Path:
    source = (EXAMPLES / "bereke.yaml").read_text(encoding="utf-8")
    changed = re.sub(r"- ru: (совместная закупка[^\n]*)", lambda m: f"- ru: '{HOSTILE} {m.group(1)}'", source, count=1)
    assert changed != source
    path = tmp_path / "hostile.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def test_hostile_text_is_shown_as_text(tmp_path: Path) -> None:
    checked = pipeline.check_file(hostile_input(tmp_path))
    assert checked.cooperative is not None
    (tree,) = [t for t in build.build_trees(checked.cooperative, build.Options(docs=("charter",), langs=("ru",)))]
    assert isinstance(tree, doctree.Tree)
    text = htmlwriter.render(tree, pack=DEFAULT_PACK)
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    root = parse(text)
    assert root.find(".//script") is None
    assert any(HOSTILE in line for line in html_lines(root))
    assert html_lines(root) == expected_lines(tree)
    md = htmlwriter.markdown(tree, pack=DEFAULT_PACK)
    assert "<script" not in md
    assert any(HOSTILE in line for line in md_lines(md))
    assert md_body(tree, md) == expected_lines(tree)


def test_build_writes_html_and_markdown_without_pandoc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pandoc(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("pandoc was called")

    monkeypatch.setattr(pdf, "pandoc_convert", no_pandoc)
    out = tmp_path / "out"
    args = ["build", str(EXAMPLES / "bereke.yaml"), "--out", str(out), "--docs", "charter", "--format", "html,md"]
    result = CliRunner().invoke(main, [*args, "--layout", "parallel"])
    assert result.exit_code == 0, result.output
    folder = out / "bereke"
    assert sorted(p.name for p in folder.iterdir() if p.suffix in (".html", ".md", ".docx")) == [
        "charter.kk-ru.html",
        "charter.kk-ru.md",
    ]
    page = (folder / "charter.kk-ru.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    result = CliRunner().invoke(main, [*args, "--lang", "ru", "--html-fragment", "--force"])
    assert result.exit_code == 0, result.output
    fragment = (folder / "charter.ru.html").read_text(encoding="utf-8")
    assert fragment.startswith('<article class="coopdocs charter" lang="ru">')


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_document_of_every_example(example: str) -> None:
    """Every document, language and layout of every example: strict HTML5, unique ids, resolving
    contents, and the tree's text in HTML and in Markdown (the fragment is the page's <article>)."""
    for layout in ("separate", "parallel"):
        for item in trees(example, layout):
            text = htmlwriter.render(item, pack=DEFAULT_PACK)
            page = parse(text)
            check_structure(page)
            assert htmlwriter.render(item, fragment=True, pack=DEFAULT_PACK) in text
            columns = (item.left, item.right) if isinstance(item, doctree.Parallel) else (item,)
            for tree in columns:
                lang = tree.lang if isinstance(item, doctree.Parallel) else None
                assert html_lines(page, lang) == expected_lines(tree), (item.stem, tree.lang)
            if isinstance(item, doctree.Tree):
                assert md_body(item, htmlwriter.markdown(item, pack=DEFAULT_PACK)) == expected_lines(item), item.stem


def test_layout_overrides_are_used_and_a_broken_one_is_a_clear_error(tmp_path: Path) -> None:
    templates = tmp_path / "firm" / "layouts"
    templates.mkdir(parents=True)
    (templates / "document.css").write_text(".coopdocs { color: #123456; }\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(EXAMPLES / "bereke.yaml"), "--out", str(out), "--docs", "disputes", "--lang", "ru"]
    result = CliRunner().invoke(main, [*args, "--format", "html", "--templates", str(tmp_path / "firm")])
    assert result.exit_code == 0, result.output
    page = (out / "bereke" / "disputes.ru.html").read_text(encoding="utf-8")
    assert ".coopdocs { color: #123456; }" in page and "@media print" not in page
    manifest = (out / "bereke" / "coopdocs-manifest.json").read_text(encoding="utf-8")
    assert "firm/layouts/document.css" in manifest
    (templates / "document.html").write_text("{% if %}", encoding="utf-8")
    result = CliRunner().invoke(main, [*args, "--format", "html", "--templates", str(tmp_path / "firm"), "--force"])
    assert result.exit_code == 3, result.output
    assert "the HTML layout could not be filled" in result.output
    assert "Traceback" not in result.output
