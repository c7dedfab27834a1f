"""Law firms' template overrides: find which file wins, copy the pack's templates out, and check a
folder of overrides before it is used.

An override folder mirrors the package's ``templates/`` folder. In a document's folder, a section
file with the pack's file name replaces that section, a new file adds one, and ``overrides*.yaml``
patches single clauses: ``clauses: {exit.payout: {text: {ru: ...}}}``. ``layouts/*.docx`` replace
the layouts (letterhead, fonts, margins), ``layouts/words.yaml`` and ``common/.../terms*.yaml``
replace single words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from coopdocs.compose import clauses
from coopdocs.compose.messages import worded
from coopdocs.compose.templating import make_env
from coopdocs.diagnostics import ui_words
from coopdocs.errors import CoopdocsError, TemplateError, UsageError
from coopdocs.inputs.loader import load_file
from coopdocs.inputs.model import Cooperative
from coopdocs.inputs.schema import schema_at
from coopdocs.packs.pack import Pack, data_root

# Names every template may read besides the input's keys (``_context_names`` adds what
# ``clauses.jinja_context`` provides); ``amendment`` is what `amend` gives the draft resolution.
CONTEXT_NAMES = {"lang", "names", "loop", "true", "false", "none", "True", "False", "None", "amendment"}
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


def used_files(pack: Pack) -> list[dict[str, str]]:
    """The user's files the pack has read (``Pack.used``), with their SHA-256, for the manifest."""
    return [
        {"file": f"{root.name}/{path.relative_to(root)}", "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        for root, path in pack.used_overrides()
    ]


# --- eject ---------------------------------------------------------------------------------------


def ejectable(pack: Pack) -> dict[str, str]:
    """NAME -> relative folder or file, for `templates eject NAME`."""
    names = {name: clauses.document_rel(pack, name) for name in pack.meta.get("documents") or {}}
    names["layouts"] = "layouts"
    names["terms"] = f"{pack.pack_dir('common')}/terms.yaml"
    names["compliance"] = f"{pack.pack_dir('common')}/compliance.yaml"
    return names


def eject(target: Path, names: tuple[str, ...], *, force: bool = False, pack: Pack) -> list[Path]:
    table = ejectable(pack)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise UsageError.said("eject_unknown", names=", ".join(unknown), table=", ".join(table))
    root = data_root() / "templates"
    copies: list[tuple[Path, Path]] = []
    for name in names or tuple(table):
        source = root / table[name]
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        copies += [(f, target / f.relative_to(root)) for f in files]
    clash = [dst for _, dst in copies if dst.exists()]
    if clash and not force:
        raise UsageError.said("eject_clash", count=len(clash), target=target, first=clash[0])
    for src, dst in copies:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return [dst for _, dst in copies]


# --- which ---------------------------------------------------------------------------------------


def which(name: str, pack: Pack, lang: str = "en") -> list[str]:
    """Which file wins for a template path, a document name or a clause id, and what it shadows."""
    words = ui_words("_ui_cli", lang)
    used, shadowed = words["which_used"], words["which_shadowed"]
    table = ejectable(pack)
    rel = table.get(name, name)
    candidates = pack.template_candidates(rel)
    if candidates:
        return [f"{candidates[0]}  ({used})", *(f"{p}  ({shadowed})" for p in candidates[1:])]
    for document in pack.meta.get("documents") or {}:
        library = clauses.load_library(pack, document)
        spec = library.clause(name)
        if spec is not None:
            lines = [f"{spec.file}  ({words['which_clause'].format(name=name, document=document)})"]
            base = clauses.load_library(pack.base, document).clause(name)
            if base is not None and base.file != spec.file:
                lines.append(f"{base.file}  ({shadowed})")
            return lines
    folder = [root / rel for root in pack.template_roots() if (root / rel).is_dir()]
    if folder:
        return [f"{f}/  ({words['which_folder']})" for f in folder]
    raise UsageError.said("which_unknown", name=name, table=", ".join(table))


# --- check ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {ui_words('_ui_cli', lang)['problem_error']}: {self.message}"


def _say(message_id: str, lang: str, **values: Any) -> str:
    return ui_words("_ui_templates", lang)[message_id].format(**values)


def _problem(path: Path, position: tuple[int, int] | None, message: str) -> Problem:
    line, column = position if position else (None, None)
    return Problem(str(path), line, column, message)


def check(folder: Path, pack: Pack, lang: str = "en") -> list[Problem]:
    """Everything wrong with an override folder, located by file, line and column: first what can
    be seen in each file (links, YAML, clause ids, languages, Jinja syntax, placeholders), then
    what ``build`` would refuse when it renders the overrides with every shipped example, in every
    document and language (sandbox refusals, limits, broken layouts)."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    root = folder.resolve()
    problems = _check_files(root, lang)
    if problems:  # a link or a FIFO would stop every render below at the same place
        return problems
    overridden = replace(pack, overrides=(str(root),))
    try:
        known = {name: clauses.load_library(pack, name) for name in pack.meta.get("documents") or {}}
        names = _context_names(overridden)
    except TemplateError as exc:
        return [Problem(exc.where, None, None, exc.detail(lang))]
    for name, library in known.items():
        rel = clauses.document_rel(pack, name)
        ids = {c.id for s in library.sections for c in s.clauses}
        for path in sorted((root / rel).glob("*.yaml")):
            full = not path.name.startswith("overrides")
            problems += _check_file(path, name, ids, library, names, pack, lang, full=full)
    seen = {(p.file.split(" ", 1)[0], p.message) for p in problems}
    for problem in _check_renders(overridden, lang):
        if (problem.file.split(" ", 1)[0], problem.message) not in seen:
            seen.add((problem.file.split(" ", 1)[0], problem.message))
            problems.append(problem)
    return problems


def _check_files(root: Path, lang: str) -> list[Problem]:
    """Links and files that are not regular files, anywhere in the folder."""
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            out.append(Problem(str(path), None, None, _say("link", lang, where="").lstrip()))
        elif not path.is_file() and not path.is_dir():
            out.append(Problem(str(path), None, None, _say("not_file", lang, where="").lstrip()))
    return out


@cache
def _examples(pack: Pack) -> list[Cooperative]:
    """The shipped examples of this pack that pass validation: between them they use every language,
    both layouts and most choices of the input."""
    from coopdocs.checking.pipeline import check_file

    coops = []
    for path in sorted((data_root() / "examples").glob("*.yaml")):
        checked = check_file(path)
        if checked.cooperative is not None and checked.cooperative.pack.key == pack.key:
            coops.append(checked.cooperative)
    return coops


def _amendment(coop: Cooperative, pack: Pack) -> dict[str, Any]:
    """What `amend` tells the draft resolution (see ``amend.resolution_facts``): every document changed
    and every decision of the pack's `decisions` table is needed, so that every clause renders."""
    from coopdocs.commands.amend import wording

    facts: dict[str, Any] = {name: True for name in pack.meta.get("documents") or {}}
    decisions = {d: {"old": 1, "new": 3, "added": 2} for d in wording(pack).get("decisions") or {}}
    return {
        **facts,
        "meeting_date": coop.data["founding"]["meeting_date"],
        **{str(name): f"1.{i}" for i, name in enumerate(wording(pack).get("cites") or {}, start=1)},
        "decisions": decisions,
    }


def _check_renders(pack: Pack, lang: str) -> list[Problem]:
    """Render the overrides as `build` (and `amend`, for the resolution) would, with every example."""
    from coopdocs.commands.build import ALL_DOCS, Options, build_outputs

    out: list[Problem] = []
    for example in _examples(pack):
        coop = replace(example, pack=pack)
        for doc in ALL_DOCS:  # each in the example's own layout: between them, both layouts
            out += _caught(lang, build_outputs, coop, Options(docs=(doc,), formats=("docx",), templates=()))
        if "resolution" in (pack.meta.get("documents") or {}):
            amended = replace(coop, data={**coop.data, "amendment": _amendment(coop, pack)})
            out += _caught(lang, clauses.render_all, amended, "resolution", amended.languages)
    return out


def _caught(lang: str, render: Callable[..., Any], *args: Any) -> list[Problem]:
    try:
        render(*args)
    except TemplateError as exc:
        return [Problem(exc.where or "", None, None, exc.detail(lang))]
    except CoopdocsError as exc:
        return [Problem("", None, None, exc.text(lang)[0])]
    return []


def _context_names(pack: Pack) -> set[str]:
    """Every top-level name a clause can read: the input's keys, ``lang``, ``names``, the wording
    functions and Jinja's globals, as ``clauses.jinja_context`` builds them for an example."""
    examples = _examples(pack.base)
    if not examples:
        return set(pack.input_schema()) | CONTEXT_NAMES
    coop = replace(examples[0], pack=pack)
    return set(clauses.jinja_context(coop, coop.languages[0])) | CONTEXT_NAMES


def _check_file(
    path: Path,
    document: str,
    ids: set[str],
    library: clauses.Library,
    names: set[str],
    pack: Pack,
    lang: str,
    *,
    full: bool,
) -> list[Problem]:
    loaded = load_file(path)
    if loaded.data is None:
        return [Problem(str(path), d.line, d.column, worded(d, lang).message) for d in loaded.diagnostics]
    # Errors found while reading (a duplicate key, a character a DOCX cannot hold, a text over the
    # limits on input) come with the data; `build` would fail on them.
    out: list[Problem] = [
        Problem(str(path), d.line, d.column, worded(d, lang).message) for d in loaded.diagnostics if d.blocking
    ]
    entries = loaded.data.get("clauses")
    if path.name == "document.yaml":
        entries = None
    if full and path.name != "document.yaml":
        for key in ("id", "title", "clauses"):
            if key not in loaded.data:
                out.append(Problem(str(path), 1, 1, _say("section_key", lang, key=key)))
    if isinstance(entries, Mapping):  # overrides: clause id -> patch
        for cid, patch in entries.items():
            position = loaded.positions.of_key(("clauses", cid))
            if str(cid) not in ids:
                out.append(_problem(path, position, _say("unknown_clause", lang, cid=repr(cid), document=document)))
            bound = names | _item_names(patch) | _item_names(library.clause(str(cid)))
            out += _check_texts(path, loaded.positions, ("clauses", cid), patch, pack, bound, lang, full=False)
    elif isinstance(entries, list):
        for i, clause in enumerate(entries):
            bound = names | _item_names(clause)
            out += _check_texts(path, loaded.positions, ("clauses", i), clause, pack, bound, lang, full=True)
    return out


def _item_names(clause: Any) -> set[str]:
    """The names a clause's ``each:`` items bind (``as:``, default ``item``, and ``index``)."""
    items = (
        clause.items
        if isinstance(clause, clauses.ClauseSpec)
        else (clause or {}).get("items")
        if isinstance(clause, Mapping)
        else None
    )
    found = set()
    for item in items or ():
        if isinstance(item, Mapping) and item.get("each"):
            found |= {str(item.get("as") or "item"), "index"}
    return found


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
    path: Path,
    positions: Any,
    base: tuple[Any, ...],
    clause: Any,
    pack: Pack,
    names: set[str],
    lang: str,
    *,
    full: bool,
) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(clause, Mapping):
        return [_problem(path, positions.of(base), _say("clause_mapping", lang))]
    if full:
        for key in ("id", "text"):
            if key not in clause:
                out.append(_problem(path, positions.of(base), _say("clause_key", lang, key=key)))
        for field in ("text",):
            texts = clause.get(field)
            if isinstance(texts, Mapping):
                missing = [code for code in pack.languages if code not in texts]
                if missing:
                    where = positions.of((*base, field))
                    out.append(_problem(path, where, _say("languages", lang, field=field, langs=", ".join(missing))))
    for sub, source in _texts_in(clause, base):
        if sub[-1] in ("id", "inputs", "as") or (len(sub) > 1 and sub[-2] in ("inputs", "basis", "rules")):
            continue
        line, column = positions.of(sub) or (None, None)
        is_expression = sub[-1] in ("when", "each")
        try:
            ast = _ENV.parse(f"{{{{ {source} }}}}" if is_expression else source)
        except TemplateSyntaxError as exc:
            at = (line + exc.lineno - 1) if line is not None and exc.lineno else line
            out.append(Problem(str(path), at, column, _say("syntax", lang, problem=exc.message)))
            continue
        for unknown in _unknown_placeholders(ast, pack, names):
            out.append(Problem(str(path), line, column, _say("placeholder", lang, name=repr(unknown))))
    return out


# What an attribute of a value of each schema type may be: the public attributes of the Python
# value a template sees (a date's day, month and year; a text's methods).
_TYPE_VALUES: dict[str, tuple[type, ...]] = {
    "date": (dt.date,),
    "string": (str,),
    "localized": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "list": (list,),
}


def _has_attribute(rules: Mapping[str, Any], attr: str) -> bool:
    """Whether a value the schema describes with ``rules`` can have the attribute ``attr``."""
    kinds = rules.get("type") or []
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    inner = rules.get("schema")
    if "dict" in kinds and isinstance(inner, Mapping) and not attr.startswith("_") and attr in inner:
        return True
    for kind in kinds:
        if kind == "dict" and not isinstance(inner, Mapping):
            return True  # a free mapping
        if kind not in _TYPE_VALUES and kind != "dict":
            return True  # a type this check does not know: let the render check judge it
        if not attr.startswith("_") and any(hasattr(cls, attr) for cls in _TYPE_VALUES.get(kind, ())):
            return True
    return not kinds


def _unknown_placeholders(ast: nodes.Template, pack: Pack, names: set[str]) -> list[str]:
    schema = pack.input_schema()
    bound = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    unknown = []
    for node in ast.find_all(nodes.Getattr):
        chain: list[str] = [node.attr]
        inner: nodes.Node = node.node
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if not isinstance(inner, nodes.Name) or inner.name in bound or inner.name not in schema:
            continue
        path = (inner.name, *chain)
        for depth in range(2, len(path) + 1):
            parent = schema_at(schema, path[: depth - 1])
            if parent is None:
                break
            if not _has_attribute(parent, path[depth - 1]):
                unknown.append(".".join(path[:depth]))
                break
            if schema_at(schema, path[:depth]) is None:
                break  # an attribute of a computed value (a date's year): nothing more to check
    for name in ast.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in bound and name.name not in names and name.name not in schema:
            unknown.append(name.name)
    return sorted(set(unknown))
