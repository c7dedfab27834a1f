"""The PDF writer: a document tree (``doctree``) typeset by Typst, in-process, with no LibreOffice.

The layout is ``templates/layouts/document.typ``; the tree reaches it as JSON (``sys.inputs``), so
every text is placed as text and no input can inject markup. The fonts are the Liberation Serif
files shipped in ``coopdocs/writers/fonts`` (SIL OFL 1.1), named explicitly, and no system font is read:
the same PDF on every machine. Typst draws a box for a character its font lacks, silently, so every
character is first checked against the font (``check_glyphs``): a missing one is an ``OutputError``
that names the character and where it is. The bytes are deterministic (a fixed timestamp).
"""

from __future__ import annotations

import json
import os
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from coopdocs import interrupts
from coopdocs.compose.doctree import Commentary, Parallel, Tree, printed_commentary, ragged
from coopdocs.errors import OutputError
from coopdocs.packs.pack import Pack

FONT = "Liberation Serif"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = tuple(f"LiberationSerif-{face}.ttf" for face in ("Regular", "Bold", "Italic", "BoldItalic"))
# The document date written into every PDF: fixed, so that two builds give the same bytes.
TIMESTAMP = 946_684_800  # 2000-01-01T00:00:00Z
PDF_A = "a-2b"
# Typst releases the GIL while it compiles, so documents are typeset in threads, each with its own
# compiler (a compiler is one Typst world: it cannot compile two documents at once; making one and
# loading the four font files costs a few milliseconds). Compilers are kept and reused.
_IDLE: list[Any] = []
_IDLE_LOCK = threading.Lock()


def version() -> str | None:
    """The Typst binding's version, or None when it is not installed."""
    try:
        from importlib.metadata import version as dist_version

        return dist_version("typst")
    except Exception:  # noqa: BLE001 - any failure means: not usable
        return None


def _take_compiler() -> Any:
    with _IDLE_LOCK:
        if _IDLE:
            return _IDLE.pop()
    import typst

    return typst.Compiler(font_paths=[str(FONT_DIR)], ignore_system_fonts=True)


def _give_back(compiler: Any) -> None:
    with _IDLE_LOCK:
        _IDLE.append(compiler)


def reset_compilers() -> None:
    """Forget the kept compilers (the next document starts a fresh one, as in a new process)."""
    with _IDLE_LOCK:
        _IDLE.clear()


def default_threads() -> int:
    """Typesetting threads for one process: its usable cores, at most 4 (``COOPDOCS_PDF_THREADS``
    overrides; a batch divides the cores among its workers)."""
    try:
        wanted = int(os.environ.get("COOPDOCS_PDF_THREADS", "0"))
    except ValueError:
        wanted = 0
    if wanted > 0:
        return wanted
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


@cache
def _layout(pack: Pack) -> bytes:
    return pack.find_template("layouts/document.typ").read_bytes()


@cache
def covered() -> frozenset[int]:
    """The code points every face of the font draws (regular, bold, italic and bold italic).

    Read from the fonts' character maps with fontTools (~50 ms with its import); the result is kept in
    the user cache, keyed by the exact bytes of the four font files."""
    from coopdocs.compose import templatecache

    raw = b"".join((FONT_DIR / name).read_bytes() for name in FONT_FILES)
    known, value = templatecache.parsed(raw, "font-coverage")
    if known and isinstance(value, list) and all(isinstance(c, int) for c in value):
        return frozenset(value)
    from fontTools.ttLib import TTFont

    faces = []
    for name in FONT_FILES:
        font = TTFont(str(FONT_DIR / name), lazy=True)
        faces.append(set(font.getBestCmap()))
        font.close()
    found = frozenset(set.intersection(*faces))
    templatecache.remember_parsed(raw, "font-coverage", sorted(found))
    return found


_FIGURE = re.compile("[-+\u2212]?[0-9][0-9 \u00a0\u202f,.]*%?")


def figure_cell(text: str) -> bool:
    """Whether a table cell holds a figure (an amount, a count, a percentage): set flush right. The
    layout is told so as data (a clause's ``table-right``): a regex run by Typst for every cell cost more."""
    return _FIGURE.fullmatch(text) is not None


def _document(tree: Tree) -> dict[str, Any]:
    doc = tree.document
    return {
        "approval": list(doc.approval),
        "title": doc.title,
        "subtitle": doc.subtitle,
        "sections": [
            {
                "number": s.number,
                "title": s.title,
                "clauses": [
                    {
                        "number": c.number,
                        "text": c.text,
                        "ragged": ragged(c.text),
                        "items": list(c.items),
                        "items-ragged": [ragged(item) for item in c.items],
                        "table": [list(row) for row in c.table],
                        "table-right": [[figure_cell(cell) for cell in row] for row in c.table[1:]],
                        "figure": list(c.figure) if c.figure is not None else None,
                        "commentary": _commentary(tree, c.commentary),
                    }
                    for c in s.clauses
                ],
            }
            for s in doc.sections
        ],
    }


def _commentary(tree: Tree, commentary: Commentary | None) -> dict[str, str] | None:
    if not tree.commentary or commentary is None:
        return None
    meaning, choice, basis = printed_commentary(commentary, tree.lang, tree.audience)
    return {"meaning": meaning, "choice": choice, "basis": basis}


def _page(tree: Tree) -> dict[str, str]:
    words = tree.page_words
    return {"before": words.before, "middle": words.middle, "after": words.after}


def layout_data(item: Tree | Parallel) -> dict[str, Any]:
    """What the Typst layout reads: the tree as plain JSON values."""
    main = item.right if isinstance(item, Parallel) else item
    lang, _, region = main.language_tag.partition("-")
    data: dict[str, Any] = {
        "parallel": isinstance(item, Parallel),
        "lang": lang,
        "region": region or None,
        "title": item.title,
        "author": main.author,
        "header": item.header,
        "draft": main.draft,
        "page": _page(main),
        "labels": dict(main.labels) or None,
        "signatures": list(main.signatures),
    }
    if isinstance(item, Parallel):
        # The draft mark in both languages, one line each (a mark is one line: no newline in it).
        data["draft"] = "\n".join(d for d in dict.fromkeys((item.left.draft, item.right.draft)) if d) or None
        data["left"] = _document(item.left)
        data["right"] = _document(item.right)
        data["left-signatures"] = list(item.left.signatures)
        data["pairs"] = [
            {"kind": p.kind, "left": p.left, "right": p.right, "ragged": [ragged(p.left), ragged(p.right)]}
            for p in item.pairs
        ]
    else:
        data["doc"] = _document(item)
    return data


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every text of the layout data with where it is (figures are images, not text)."""
    if isinstance(value, str):
        yield value, where
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key in ("figure", "parallel"):
                continue
            label = {"sections": "section", "clauses": "clause", "items": "item", "pairs": "row"}.get(key, key)
            if key == "doc":
                yield from _texts(inner, where)
                continue
            if isinstance(inner, list) and key in ("sections", "clauses"):
                for element in inner:
                    number = element.get("number", "?") if isinstance(element, dict) else "?"
                    yield from _texts(element, f"{where}, {label} {number}")
            elif isinstance(inner, list):
                for i, element in enumerate(inner, start=1):
                    yield from _texts(element, f"{where}, {label} {i}")
            else:
                yield from _texts(inner, f"{where}, {label}")


@cache
def _drawn() -> frozenset[str]:
    """``covered()`` as characters, with the line breaks and tabs the layout turns into space."""
    return frozenset(chr(c) for c in covered()) | {"\n", "\t"}


@cache
def _undrawn() -> re.Pattern[str]:
    """Any character not in ``_drawn()``, as one regex character class of code point ranges: searching
    a text with it is ~7 times faster than a set test per character (~2 % of a warm set's time)."""
    points = sorted(map(ord, _drawn()))
    ranges, start, end = [], points[0], points[0]
    for point in points[1:]:
        if point != end + 1:
            ranges.append((start, end))
            start = point
        end = point
    ranges.append((start, end))
    return re.compile("[^" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


def _strings(value: Any) -> Iterator[str]:
    """Every text of the layout data, without saying where (the labels cost more than the check)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(inner for key, inner in item.items() if key not in ("figure", "parallel"))
        elif isinstance(item, list):
            stack.extend(item)


def check_glyphs(data: dict[str, Any], name: str) -> None:
    """Refuse a text with a character the font cannot draw (Typst would print an empty box)."""
    undrawn = _undrawn()
    if not any(undrawn.search(text) for text in _strings(data)):
        return  # the common case; otherwise find the first such text again, with where it is
    drawn = _drawn()
    for text, where in _texts(data, name):
        if drawn.issuperset(text):  # the common case, one set operation per text
            continue
        for char in text:
            if char not in drawn:
                described = unicodedata.name(char, "unnamed character")
                raise OutputError(
                    f"{where}: the character {char!r} (U+{ord(char):04X} {described}) is not in the font {FONT}, "
                    f"so the PDF cannot show it: {text[:80]!r}",
                    hint="replace the character in the input (or your template override), "
                    "or use --pdf-engine libreoffice, which substitutes another font",
                )


def write_pdf(item: Tree | Parallel, *, pdfa: bool = False, pack: Pack) -> bytes:
    """The PDF of a document tree (or a parallel pair), typeset by Typst."""
    data = layout_data(item)
    check_glyphs(data, item.stem)
    try:
        import typst
    except ImportError as exc:
        raise OutputError(
            "the Typst PDF engine (the `typst` Python package) is not installed",
            hint="pip install coopdocs again (it depends on typst), or use --pdf-engine libreoffice",
        ) from exc
    compiler = _take_compiler()
    try:
        pdf = compiler.compile(
            input=_layout(pack),
            format="pdf",
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            pdf_standards=[PDF_A] if pdfa else [],
            timestamp=TIMESTAMP,
        )
    except typst.TypstError as exc:
        raise OutputError(
            f"{item.stem}: Typst could not typeset the PDF: {exc.message}",
            hint="this is a bug, or a broken layouts/document.typ override: please report it",
        ) from exc
    finally:
        _give_back(compiler)
    if not isinstance(pdf, bytes):
        raise OutputError(f"{item.stem}: Typst returned no PDF")
    return pdf


class Typesetter:
    """Typeset documents in background threads while the caller goes on (e.g. writing the DOCX):
    ``start`` hands the trees over, largest first; ``results`` waits and returns the PDFs by stem,
    raising the first error in the order the trees were given. Use it as a context manager: on
    leaving, documents not yet begun are cancelled and running ones finish."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="coopdocs-typst")
        self._futures: dict[str, Any] = {}

    def start(self, items: Sequence[Tree | Parallel], *, pdfa: bool = False, pack: Pack) -> None:
        _undrawn()  # read the fonts' coverage once, before the threads need it
        # Largest first, so that no thread is left with a long document at the end.
        for item in sorted(items, key=_size, reverse=True):
            self._futures[item.stem] = self._pool.submit(write_pdf, item, pdfa=pdfa, pack=pack)
        self._order = [item.stem for item in items]

    def results(self) -> dict[str, bytes]:
        return {stem: interrupts.result(self._futures[stem]) for stem in self._order}

    def __enter__(self) -> Typesetter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _size(item: Tree | Parallel) -> int:
    docs = (item.left.document, item.right.document) if isinstance(item, Parallel) else (item.document,)
    return sum(len(c.text) + sum(map(len, c.items)) for d in docs for s in d.sections for c in s.clauses)


def write_pdfs(
    items: Sequence[Tree | Parallel], *, pdfa: bool = False, pack: Pack, threads: int | None = None
) -> dict[str, bytes]:
    """The PDFs of several trees by stem, typeset in parallel threads."""
    with Typesetter(threads) as typesetter:
        typesetter.start(items, pdfa=pdfa, pack=pack)
        return typesetter.results()
