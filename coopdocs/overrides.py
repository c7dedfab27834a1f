"""Law firms' template overrides: find which file wins, copy the pack's templates out, and check a
folder of overrides before it is used.

An override folder mirrors the package's ``templates/`` folder. In a document's folder, a section
file with the pack's file name replaces that section, a new file adds one, and ``overrides*.yaml``
patches single clauses: ``clauses: {exit.payout: {text: {ru: ...}}}``. ``layouts/*.docx`` replace
the layouts (letterhead, fonts, margins), ``layouts/words.yaml`` and ``common/.../terms*.yaml``
replace single words.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from coopdocs import clauses
from coopdocs.errors import UsageError
from coopdocs.loader import load_file
from coopdocs.model import Cooperative
from coopdocs.pack import DEFAULT_PACK, Pack, data_root
from coopdocs.schema import _schema_at
from coopdocs.templating import make_env

LANGS = ("ru", "kk", "en")
CONTEXT_NAMES = {"lang", "names", "t", "terms", "loop", "range", "trace", "counts", "true", "false", "none"}
_ENV = make_env(autoescape=False)


def with_templates(coop: Cooperative, dirs: tuple[Path, ...]) -> Cooperative:
    """The cooperative, rendered through the user's template folders first."""
    if not dirs:
        return coop
    for folder in dirs:
        if not folder.is_dir():
            raise UsageError(f"--templates {folder}: not a folder")
    pack = replace(coop.pack, overrides=tuple(str(d.resolve()) for d in dirs))
    return replace(coop, pack=pack)


def used_files(pack: Pack, documents: tuple[str, ...]) -> list[dict[str, str]]:
    """The override files that shaped a build, with their SHA-256, for the manifest."""
    if not pack.overrides:
        return []
    found: set[Path] = set()
    for name in documents:
        source = "charter" if name == "commentary" else name
        if source in (pack.meta.get("documents") or {}):
            found |= {Path(p) for p in clauses.load_library(pack, source).overrides}
    common = pack.pack_dir("common")
    for rel in ("layouts/document.docx", "layouts/parallel.docx", "layouts/words.yaml", f"{common}/compliance.yaml"):
        found |= {p for p in pack.template_candidates(rel) if pack.is_override(p)}
    for root in pack.template_roots()[:-1]:
        found |= set(pack.glob(root / common, "terms*.yaml"))
    out = []
    for path in sorted(found):
        root = next(Path(d) for d in pack.overrides if path.is_relative_to(Path(d)))
        out.append(
            {"file": f"{root.name}/{path.relative_to(root)}", "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        )
    return out


# --- eject ---------------------------------------------------------------------------------------


def ejectable(pack: Pack = DEFAULT_PACK) -> dict[str, str]:
    """NAME -> relative folder or file, for `templates eject NAME`."""
    names = {name: clauses.document_rel(pack, name) for name in pack.meta.get("documents") or {}}
    names["layouts"] = "layouts"
    names["terms"] = f"{pack.pack_dir('common')}/terms.yaml"
    names["compliance"] = f"{pack.pack_dir('common')}/compliance.yaml"
    return names


def eject(target: Path, names: tuple[str, ...], *, force: bool = False, pack: Pack = DEFAULT_PACK) -> list[Path]:
    table = ejectable(pack)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise UsageError(f"nothing to eject called {', '.join(unknown)}", hint=f"choose from: {', '.join(table)}")
    root = data_root() / "templates"
    copies: list[tuple[Path, Path]] = []
    for name in names or tuple(table):
        source = root / table[name]
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        copies += [(f, target / f.relative_to(root)) for f in files]
    clash = [dst for _, dst in copies if dst.exists()]
    if clash and not force:
        raise UsageError(
            f"{len(clash)} file(s) already exist in {target}, e.g. {clash[0]}", hint="use --force to replace them"
        )
    for src, dst in copies:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return [dst for _, dst in copies]


# --- which ---------------------------------------------------------------------------------------


def which(name: str, pack: Pack) -> list[str]:
    """Which file wins for a template path, a document name or a clause id, and what it shadows."""
    table = ejectable(pack)
    rel = table.get(name, name)
    candidates = pack.template_candidates(rel)
    if candidates:
        return [f"{candidates[0]}  (used)", *(f"{p}  (shadowed)" for p in candidates[1:])]
    for document in pack.meta.get("documents") or {}:
        library = clauses.load_library(pack, document)
        spec = library.clause(name)
        if spec is not None:
            lines = [f"{spec.file}  (used: clause {name} of {document})"]
            base = clauses.load_library(pack.base, document).clause(name)
            if base is not None and base.file != spec.file:
                lines.append(f"{base.file}  (shadowed)")
            return lines
    folder = [root / rel for root in pack.template_roots() if (root / rel).is_dir()]
    if folder:
        return [f"{f}/  (folder)" for f in folder]
    raise UsageError(f"no template, document or clause called {name!r}", hint=f"try one of: {', '.join(table)}")


# --- check ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: error: {self.message}"


def _problem(path: Path, position: tuple[int, int] | None, message: str) -> Problem:
    line, column = position if position else (None, None)
    return Problem(str(path), line, column, message)


def check(folder: Path, pack: Pack = DEFAULT_PACK) -> list[Problem]:
    """Everything wrong with an override folder, located by file, line and column."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    problems: list[Problem] = []
    known = {name: clauses.load_library(pack, name) for name in pack.meta.get("documents") or {}}
    for name, library in known.items():
        rel = clauses.document_rel(pack, name)
        ids = {c.id for s in library.sections for c in s.clauses}
        for path in sorted((folder / rel).glob("*.yaml")):
            problems += _check_file(path, name, ids, pack, full=not path.name.startswith("overrides"))
    return problems


def _check_file(path: Path, document: str, ids: set[str], pack: Pack, *, full: bool) -> list[Problem]:
    loaded = load_file(path)
    if loaded.data is None:
        return [Problem(str(path), d.line, d.column, d.message) for d in loaded.diagnostics]
    # Errors found while reading (a duplicate key, a character a DOCX cannot hold, a text over the
    # limits on input) come with the data; `build` would fail on them.
    out: list[Problem] = [Problem(str(path), d.line, d.column, d.message) for d in loaded.diagnostics if d.blocking]
    entries = loaded.data.get("clauses")
    if path.name == "document.yaml":
        entries = None
    if full and path.name != "document.yaml":
        for key in ("id", "title", "clauses"):
            if key not in loaded.data:
                out.append(Problem(str(path), 1, 1, f"a section file needs '{key}'"))
    if isinstance(entries, Mapping):  # overrides: clause id -> patch
        for cid, patch in entries.items():
            position = loaded.positions.of_key(("clauses", cid))
            if str(cid) not in ids:
                out.append(_problem(path, position, f"unknown clause id {cid!r} in {document}"))
            out += _check_texts(path, loaded.positions, ("clauses", cid), patch, pack, full=False)
    elif isinstance(entries, list):
        for i, clause in enumerate(entries):
            out += _check_texts(path, loaded.positions, ("clauses", i), clause, pack, full=True)
    return out


def _texts_in(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts_in(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts_in(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def _check_texts(
    path: Path, positions: Any, base: tuple[Any, ...], clause: Any, pack: Pack, *, full: bool
) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(clause, Mapping):
        return [_problem(path, positions.of(base), "a clause must be a mapping")]
    if full:
        for key in ("id", "text"):
            if key not in clause:
                out.append(_problem(path, positions.of(base), f"a clause needs '{key}'"))
        for field in ("text",):
            texts = clause.get(field)
            if isinstance(texts, Mapping):
                missing = [lang for lang in LANGS if lang not in texts]
                if missing:
                    where = positions.of((*base, field))
                    out.append(_problem(path, where, f"{field} lacks the language(s) {', '.join(missing)}"))
    for sub, source in _texts_in(clause, base):
        if sub[-1] in ("id", "inputs") or (len(sub) > 1 and sub[-2] in ("inputs", "basis", "rules")):
            continue
        line, column = positions.of(sub) or (None, None)
        is_expression = sub[-1] == "when"
        try:
            ast = _ENV.parse(f"{{{{ {source} }}}}" if is_expression else source)
        except TemplateSyntaxError as exc:
            at = (line + exc.lineno - 1) if line is not None and exc.lineno else line
            out.append(Problem(str(path), at, column, f"Jinja syntax error: {exc.message}"))
            continue
        for unknown in _unknown_placeholders(ast, pack):
            out.append(Problem(str(path), line, column, f"the placeholder {unknown!r} is not in the input schema"))
    return out


def _unknown_placeholders(ast: nodes.Template, pack: Pack) -> list[str]:
    schema = pack.input_schema()
    bound = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    unknown = []
    for node in ast.find_all(nodes.Getattr):
        chain: list[str] = [node.attr]
        inner: nodes.Node = node.node
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if not isinstance(inner, nodes.Name) or inner.name in bound or inner.name in CONTEXT_NAMES:
            continue
        path = (inner.name, *chain)
        if _schema_at(schema, path) is None and _schema_at(schema, path[:-1]) is not None:
            unknown.append(".".join(path))
    for name in ast.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in bound and name.name not in CONTEXT_NAMES and name.name not in schema:
            unknown.append(name.name)
    return sorted(set(unknown))
