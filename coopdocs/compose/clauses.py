"""Clause libraries (data) -> numbered, worded clauses for one cooperative and one language.

A document is a folder: ``document.yaml`` (title block) and one ``NN-name.yaml`` per section.
Which clauses and items appear is decided once, from the input, so the numbering is the same
in every language; the text is then rendered per language.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SecurityError

from coopdocs.compose.templating import MAX_RANGE, MAX_TEXT, LimitError, evaluate_shared, make_env, render_shared
from coopdocs.compose.wording import Wording
from coopdocs.errors import CoopdocsError, PackError, TemplateError
from coopdocs.inputs import idnumbers
from coopdocs.inputs.model import Cooperative
from coopdocs.inputs.schema import localized_paths
from coopdocs.packs import citations
from coopdocs.packs.pack import Pack, merge

_ENV = make_env(autoescape=False)


# --- the library as data -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseSpec:
    id: str
    file: str
    when: str | None
    text: Mapping[str, str]
    items: tuple[Mapping[str, Any], ...]
    commentary: Mapping[str, Any] | None
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class SectionSpec:
    id: str
    file: str
    when: str | None
    title: Mapping[str, str]
    clauses: tuple[ClauseSpec, ...]


@dataclass(frozen=True)
class Library:
    name: str
    folder: Path
    head: Mapping[str, Any]
    sections: tuple[SectionSpec, ...]
    overrides: tuple[str, ...] = ()  # the user's files this library was built from

    def clause(self, cid: str) -> ClauseSpec | None:
        return next((c for s in self.sections for c in s.clauses if c.id == cid), None)


def document_rel(pack: Pack, name: str) -> str:
    """The relative template folder of a document, e.g. ``charter/kz/consumer_cooperative/charter``."""
    return pack.document_rel(name)


def document_folder(pack: Pack, name: str) -> Path:
    return pack.data_root / "templates" / document_rel(pack, name)


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping:
        raise PackError(f"{where}: missing '{key}'")
    return mapping[key]


def _texts(value: Any, where: str, langs: Sequence[str]) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or any(lang not in value for lang in langs):
        raise PackError(f"{where}: needs a text in each of {', '.join(langs)}")
    return {lang: str(value[lang]) for lang in langs}


def _fail(pack: Pack, where: str, message: str, key: str = "structure") -> CoopdocsError:
    """A broken user override is the user's error; a broken pack file is a bug."""
    path = where.split(" ", 1)[0]
    if pack.is_override(path):
        return TemplateError.of(key, where, problem=message)
    return PackError(f"{where}: {message}")


def _render_failure(pack: Pack, where: str, problem: str, exc: BaseException) -> CoopdocsError:
    """Whatever goes wrong inside a user's template is the user's error (exit 1, file and clause
    named): sandbox refusals, limits, and any exception the template's own code raises."""
    key = "limit" if isinstance(exc, LimitError) else "unsafe" if isinstance(exc, SecurityError) else "render"
    return _fail(pack, where, f"{problem}{type(exc).__name__}: {str(exc).rstrip('.')}", key)


def _clause_spec(pack: Pack, c: Any, path: Path, i: int) -> ClauseSpec:
    where = f"{path} clause #{i + 1}"
    if not isinstance(c, Mapping) or "id" not in c:
        raise _fail(pack, where, "missing 'id'")
    cid = str(c["id"])
    where = f"{path} clause {cid}"
    try:
        items = tuple(
            {
                "when": it.get("when"),
                "each": it.get("each"),
                "as": str(it.get("as") or "item"),
                "text": _texts(_need(it, "text", where), f"{where} item {j + 1}", pack.languages),
            }
            for j, it in enumerate(c.get("items") or [])
        )
        text = _texts(_need(c, "text", where), where, pack.languages)
    except PackError as exc:
        raise _fail(pack, str(path), str(exc).split(": ", 1)[-1]) from exc
    return ClauseSpec(
        id=cid,
        file=str(path),
        when=c.get("when"),
        text=text,
        items=items,
        commentary=c.get("commentary"),
        inputs=tuple(c.get("inputs") or ()),
    )


def _section_files(pack: Pack, rel: str) -> dict[str, Path]:
    """Section files by name; a user's file with the same name replaces the pack's."""
    return pack.files(f"templates/{rel}", "[0-9]*.yaml")


def _override_patches(pack: Pack, rel: str) -> list[tuple[Path, Mapping[str, Any]]]:
    """``overrides*.yaml`` of the user's folders, least specific first (so the most specific wins)."""
    patches = []
    for place in reversed(pack.search_path(f"templates/{rel}")):
        if not pack.is_override(place):
            continue
        for path in pack.glob(place, "overrides*.yaml"):
            raw = pack.read_file(path) or {}
            clauses = raw.get("clauses") if isinstance(raw, Mapping) else None
            if not isinstance(clauses, Mapping):
                raise TemplateError(f"{path}: an override file holds `clauses: {{clause-id: {{text: {{ru: ...}}}}}}`")
            patches.append((path, clauses))
    return patches


@cache
def load_library(pack: Pack, name: str) -> Library:
    rel = document_rel(pack, name)
    head_candidates = pack.template_candidates(f"{rel}/document.yaml")
    if not head_candidates:
        raise PackError(f"{rel}/document.yaml: the document's title block is missing")
    head: Mapping[str, Any] = pack.read(f"templates/{rel}/document.yaml") or {}
    sections = []
    seen: dict[str, str] = {}
    used = [str(p) for p in head_candidates if pack.is_override(p)]
    for path in _section_files(pack, rel).values():
        raw = pack.read_file(path) or {}
        if pack.is_override(path):
            used.append(str(path))
        if not isinstance(raw, Mapping) or "id" not in raw:
            raise _fail(pack, str(path), "missing 'id'")
        specs = []
        for i, c in enumerate(raw.get("clauses") or []):
            spec = _clause_spec(pack, c, path, i)
            if spec.id in seen:
                raise _fail(pack, f"{path} clause {spec.id}", f"the id is also used in {seen[spec.id]}")
            seen[spec.id] = str(path)
            specs.append(spec)
        try:
            title = _texts(_need(raw, "title", str(path)), str(path), pack.languages)
        except PackError as exc:
            raise _fail(pack, str(path), str(exc).split(": ", 1)[-1]) from exc
        sections.append(SectionSpec(str(raw["id"]), str(path), raw.get("when"), title, tuple(specs)))
    for path, patches in _override_patches(pack, rel):
        used.append(str(path))
        for cid, patch in patches.items():
            if str(cid) not in seen:
                raise TemplateError(
                    f"{path}: no clause {cid!r} in the {name} library",
                    hint=f"see `coopdocs templates which {name}` for its clause ids",
                )
            sections = [_patched(section, str(cid), patch, path, pack) for section in sections]
    folder = pack.template_candidates(f"{rel}/document.yaml")[-1].parent
    return Library(name, folder, head, tuple(sections), tuple(dict.fromkeys(used)))


def _patched(section: SectionSpec, cid: str, patch: Any, path: Path, pack: Pack) -> SectionSpec:
    clauses = []
    for clause in section.clauses:
        if clause.id == cid:
            raw = {
                "id": cid,
                "when": clause.when,
                "text": clause.text,
                "items": list(clause.items),
                "commentary": clause.commentary,
                "inputs": list(clause.inputs),
            }
            merged = merge(raw, patch)
            clause = replace(_clause_spec(pack, merged, path, 0), file=str(path))
        clauses.append(clause)
    return replace(section, clauses=tuple(clauses))


# --- context -------------------------------------------------------------------------------------


def context(coop: Cooperative, lang: str) -> dict[str, Any]:
    """The input as a clause sees it in ``lang``: localized texts resolved, names composed.

    Made once per cooperative and language (a build asks for it ~30 times) and shared: read it,
    never write to it."""
    key = ("clause-context", lang)
    if key not in coop.derived:
        coop.derived[key] = _context(coop, lang)
    return dict(coop.derived[key])


def _context(coop: Cooperative, lang: str) -> dict[str, Any]:
    data = copy.deepcopy(coop.data)
    schema = coop.pack.input_schema()
    for path, value in list(localized_paths(schema, data)):
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = _in_lang(value, lang, path)
    names = {other: _names(coop, other) for other in coop.pack.languages if _names(coop, other) is not None}
    facts = _in_language(load_facts(coop.pack), lang, coop.pack.languages)
    founders = data["founding"]["founders"]
    for founder in founders:
        founder["gender"] = _gender(founder)
        if founder.get("representative"):
            founder["representative"]["gender"] = _gender({"kind": "person", **founder["representative"]})
    return {
        **data,
        "lang": lang,
        "names": {**_names(coop, lang, required=True), **names},  # type: ignore[dict-item]
        "facts": facts,
        "elected": _elected(data["founding"].get("elected"), founders),
    }


def load_facts(pack: Pack) -> dict[str, Any]:
    """The pack's shared facts (``templates/common/<pack>/facts.yaml``; a user's copy merges over it)."""
    raw = pack.read(pack.common_rel("facts.yaml"), required=False) or {}  # a user's non-mapping is refused
    if not isinstance(raw, Mapping):
        raise PackError(f"{pack.common_rel('facts.yaml')}: the facts file holds a mapping of named facts")
    return dict(raw)


def _in_language(value: Any, lang: str, langs: Sequence[str]) -> Any:
    """Facts as a clause sees them: every text per language (``langs``) replaced by the one in ``lang``."""
    if isinstance(value, Mapping):
        if value and set(value) <= set(langs):
            return _in_language(value.get(lang, value.get("en")), lang, langs)
        return {key: _in_language(item, lang, langs) for key, item in value.items()}
    if isinstance(value, list):
        return [_in_language(item, lang, langs) for item in value]
    return value


def _gender(person: Mapping[str, Any]) -> str | None:
    """``female`` / ``male`` as given, else from the IIN; None for a legal entity or when unknown."""
    if person.get("kind") != "person":
        return None
    given = person.get("gender")
    if given:
        return str(given)
    iin = person.get("iin")
    return idnumbers.iin_gender(iin) if isinstance(iin, str) else None


def _elected(elected: Mapping[str, Any] | None, founders: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``founding.elected`` with every entry as a person: a founder (by index) or one named in place.
    Each has name, kind, iin, bin, gender and founder (true for a founder)."""
    if not elected:
        return None

    def person(entry: Any) -> dict[str, Any]:
        if isinstance(entry, int):
            return {**founders[entry], "founder": True}
        named = {"kind": "person", "name": entry["name"], "iin": entry["iin"], "bin": None, "founder": False}
        return {**named, "gender": _gender({**named, "gender": entry.get("gender")})}

    return {
        "chair": person(elected["chair"]),
        "board": [person(e) for e in elected.get("board") or []],
        "audit": [person(e) for e in elected.get("audit") or []],
    }


def elected_people(elected: Mapping[str, Any] | None, founders: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``founding.elected`` as the clause context has it (``elected``): every entry a person."""
    try:
        return _elected(elected, founders)
    except (IndexError, KeyError, TypeError):
        return None


def _names(coop: Cooperative, lang: str, *, required: bool = False) -> dict[str, str] | None:
    """The full and short names in ``lang`` (None when the input has no name in that language)."""
    patterns = coop.pack.meta["names"]
    name, short = coop.data["cooperative"]["name"], coop.data["cooperative"]["short_name"]
    if isinstance(name, dict) and lang not in name:
        if required:
            _in_lang(name, lang, ("cooperative", "name"))
        return None
    text = name if isinstance(name, str) else str(name[lang])
    if isinstance(short, dict) and lang in short:
        short_text = str(short[lang])
    elif isinstance(short, str):
        short_text = short
    else:
        short_text = patterns["short"][lang].format(name=text)
    return {"full": patterns["full"][lang].format(name=text), "short": short_text}


def _in_lang(value: Any, lang: str, path: Sequence[str | int]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and lang in value:
        return str(value[lang])
    dotted = ".".join(str(p) for p in path)
    raise CoopdocsError.said("no_text_in_lang", path=dotted, lang=lang)


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commentary:
    meaning: str
    choice: str  # for a lawyer: which YAML keys produced the clause and their alternatives
    member_choice: str  # for a member: what the founders chose, in words (choices.yaml)
    basis: tuple[str, ...]  # citation labels in the document's language
    basis_ids: tuple[str, ...]
    rules: tuple[str, ...]
    # The labels a member reads: without the verification mark, each source once (two citations of one
    # act without an article then read the same). Resolved here, against the cooperative's own pack.
    member_basis: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    id: str
    number: str
    text: str
    items: tuple[str, ...]
    commentary: Commentary | None
    # Printed right after the clause's paragraph (the compliance report's stress test and results):
    table: tuple[tuple[str, ...], ...] = ()  # rows of cells, the first row is the header
    figure: bytes | None = None  # a PNG image


@dataclass(frozen=True)
class Section:
    id: str
    number: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Document:
    name: str
    lang: str
    title: str
    subtitle: str
    approval: tuple[str, ...]
    sections: tuple[Section, ...]
    signatures: tuple[str, ...] = ()  # the signature block under the document (``document.yaml``)


@dataclass(frozen=True)
class Plan:
    """Which sections, clauses and items appear: decided once, shared by every language."""

    library: Library
    sections: tuple[tuple[SectionSpec, tuple[tuple[ClauseSpec, tuple[tuple[int, int | None], ...]], ...]], ...]


_SPACES = re.compile(r"[ \t\r\n]+")
_BEFORE_PUNCT = re.compile(r" +([,.;:)»])")
_AFTER_OPEN = re.compile(r"([(«]) +")


def tidy(text: str) -> str:
    """Collapse the layout whitespace of folded YAML and Jinja tags; no space before , . ; : ) »
    and none after ( «. (The checks before each regex keep this cheap: it runs on every text.)"""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)  # not str.split(): that would also eat non-breaking spaces
    text = text.strip()
    if " " in text and any(f" {mark}" in text for mark in ",.;:)»"):
        text = _BEFORE_PUNCT.sub(r"\1", text)
    if "( " in text or "« " in text:
        text = _AFTER_OPEN.sub(r"\1", text)
    return text


@cache
def _compiled(source: str) -> Any:
    return _ENV.from_string(source)


@cache
def _expression(source: str) -> Any:
    return _ENV.compile_expression(source)


# What a template's own code can raise. A user's override may raise anything (MemoryError and
# RecursionError included); for the pack's templates the same errors are bugs (PackError, 123).
_TEMPLATE_FAULTS = (
    JinjaError,
    SecurityError,
    ArithmeticError,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    MemoryError,
    RecursionError,
)


def render_text(source: str, ctx: Mapping[str, Any], where: str) -> str:
    if "{" not in source and len(source) <= MAX_TEXT:
        # No Jinja syntax at all (two thirds of the texts): the text is its own rendering.
        return tidy(source)
    try:
        return tidy(render_shared(_compiled(source), ctx))
    except (*_TEMPLATE_FAULTS, PackError) as exc:
        raise _render_failure(ctx.get("_pack") or Pack("", ""), where, "", exc) from exc


def _holds(expression: str | None, ctx: Mapping[str, Any], where: str) -> bool:
    if expression is None or str(expression).strip() == "":
        return True
    try:
        return bool(evaluate_shared(_expression(str(expression)), ctx))
    except CoopdocsError:
        raise
    except _TEMPLATE_FAULTS as exc:
        raise _render_failure(ctx.get("_pack") or Pack("", ""), where, f"condition {expression!r}: ", exc) from exc


def jinja_context(coop: Cooperative, lang: str) -> dict[str, Any]:
    words = Wording(coop.pack, lang, coop.data["membership"]["contributions"]["currency"])
    ctx = {
        **_ENV.globals,
        **context(coop, lang),
        **words.functions(),
        "_filters": words.filters(),
        "_pack": coop.pack,
        # the layout's words (layouts/words.yaml, which a firm may override) in this language: the
        # signature blocks of document.yaml name their headings with them
        "layout_words": _layout_words(coop.pack, lang),
    }
    ctx["facts"] = _worded_facts(ctx["facts"], ctx)
    return ctx


def _layout_words(pack: Pack, lang: str) -> dict[str, str]:
    words = pack.read("templates/layouts/words.yaml")
    return {str(k): v[lang] for k, v in words.items() if isinstance(v, dict) and isinstance(v.get(lang), str)}


def _worded_facts(value: Any, ctx: Mapping[str, Any]) -> Any:
    """A fact's text may depend on the cooperative (e.g. whether it has a board): render it."""
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return render_text(value, ctx, "facts.yaml")
    if isinstance(value, Mapping):
        return {key: _worded_facts(item, ctx) for key, item in value.items()}
    return value


def with_filters(ctx: dict[str, Any]) -> dict[str, Any]:
    # Filters are bound to a language, so they are installed per render on the shared environment.
    _ENV.filters.update(ctx["_filters"])
    return ctx


def plan(coop: Cooperative, name: str) -> Plan:
    library = load_library(coop.pack, name)
    ctx = with_filters(jinja_context(coop, coop.languages[0]))
    sections = []
    for section in library.sections:
        if not _holds(section.when, ctx, section.file):
            continue
        chosen = []
        for clause in section.clauses:
            where = f"{clause.file} clause {clause.id}"
            if not _holds(clause.when, ctx, where):
                continue
            items: list[tuple[int, int | None]] = []
            for i, item in enumerate(clause.items):
                if not _holds(item.get("when"), ctx, f"{where} item {i + 1}"):
                    continue
                if item.get("each"):
                    count = len(_each(item, ctx, f"{where} item {i + 1}"))
                    items += [(i, j) for j in range(count)]
                else:
                    items.append((i, None))
            chosen.append((clause, tuple(items)))
        if chosen:
            sections.append((section, tuple(chosen)))
    return Plan(library, tuple(sections))


def render(coop: Cooperative, the_plan: Plan, lang: str) -> Document:
    ctx = with_filters(jinja_context(coop, lang))
    head = the_plan.library.head
    where = str(the_plan.library.folder / "document.yaml")
    out_sections = []
    for s_index, (section, chosen) in enumerate(the_plan.sections, start=1):
        clauses = []
        for c_index, (clause, items) in enumerate(chosen, start=1):
            at = f"{clause.file} clause {clause.id} [{lang}]"
            clauses.append(
                Clause(
                    id=clause.id,
                    number=f"{s_index}.{c_index}",
                    text=render_text(clause.text[lang], ctx, at),
                    items=_close_list([_render_item(clause.items[i], j, ctx, f"{at} item {i + 1}") for i, j in items]),
                    commentary=_commentary(clause, ctx, lang, at, coop.pack),
                )
            )
        out_sections.append(
            Section(section.id, str(s_index), render_text(section.title[lang], ctx, section.file), tuple(clauses))
        )
    return Document(
        name=the_plan.library.name,
        lang=lang,
        title=render_text(_need(head, "title", where)[lang], ctx, where),
        subtitle=render_text((head.get("subtitle") or {}).get(lang, ""), ctx, where),
        approval=tuple(render_text(line, ctx, where) for line in (head.get("approval") or {}).get(lang, [])),
        sections=tuple(out_sections),
        signatures=tuple(_block_lines((head.get("signatures") or {}).get(lang, []), ctx, f"{where} signatures")),
    )


def _block_lines(lines: Sequence[Any], ctx: Mapping[str, Any], where: str) -> list[str]:
    """The lines of a block such as the signatures (``document.yaml``): each a Jinja text, or
    ``{each: <list expression>, as: name, line: <Jinja text>}`` for one line per element, which sees
    the element by its name and its 1-based ``index`` (as a clause's ``each`` items do)."""
    out = []
    for entry in lines:
        if not isinstance(entry, Mapping):
            out.append(render_text(str(entry), ctx, where))
            continue
        name = str(entry.get("as") or "item")
        for j, element in enumerate(_each(entry, ctx, where)):
            out.append(render_text(str(entry["line"]), {**ctx, name: element, "index": j + 1}, where))
    return out


def clause_context(coop: Cooperative, lang: str) -> dict[str, Any]:
    """A private, writable clause context in ``lang`` (the input's values deep-copied), with the
    language's filters installed: ``import`` changes one value at a time in it and renders a clause
    again (:func:`render_clause`) to see whether the clause reads as the charter on file."""
    ctx = with_filters(jinja_context(coop, lang))
    for key in (*coop.data, "names", "elected"):
        if key in ctx:
            ctx[key] = copy.deepcopy(ctx[key])
    return ctx


def render_clause(clause: ClauseSpec, ctx: Mapping[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """One clause's text and items as :func:`render` words them in ``ctx`` (from
    :func:`clause_context`); None when the clause's condition does not hold."""
    at = f"{clause.file} clause {clause.id} [{ctx['lang']}]"
    if not _holds(clause.when, ctx, at):
        return None
    items = []
    for i, item in enumerate(clause.items):
        where = f"{at} item {i + 1}"
        if not _holds(item.get("when"), ctx, where):
            continue
        if item.get("each"):
            items += [_render_item(item, j, ctx, where) for j in range(len(_each(item, ctx, where)))]
        else:
            items.append(_render_item(item, None, ctx, where))
    return render_text(clause.text[ctx["lang"]], ctx, at), _close_list(items)


def render_each(clause: ClauseSpec, ctx: Mapping[str, Any], element: Any, j: int = 0) -> list[tuple[str, str]]:
    """(list expression, text) of every item of the clause repeated over a list (``each:``), as it
    reads for ``element`` at position ``j`` (``import`` reads the founders back this way)."""
    out = []
    for i, item in enumerate(clause.items):
        where = f"{clause.file} clause {clause.id} [{ctx['lang']}] item {i + 1}"
        if item.get("each") and _holds(item.get("when"), ctx, where):
            text = render_text(item["text"][ctx["lang"]], {**ctx, item["as"]: element, "index": j + 1}, where)
            out.append((str(item["each"]), text))
    return out


def _each(item: Mapping[str, Any], ctx: Mapping[str, Any], where: str) -> list[Any]:
    """The list an ``each:`` item repeats over (one item per element, e.g. per founder)."""
    try:
        values = list(evaluate_shared(_expression(str(item["each"])), ctx) or [])
    except CoopdocsError:
        raise
    except _TEMPLATE_FAULTS as exc:
        raise _render_failure(ctx.get("_pack") or Pack("", ""), where, f"each {item['each']!r}: ", exc) from exc
    if len(values) > MAX_RANGE:
        raise _fail(
            ctx.get("_pack") or Pack("", ""),
            where,
            f"each {item['each']!r}: {len(values):,} items; the limit is {MAX_RANGE:,}",
            "limit",
        )
    return values


def _render_item(item: Mapping[str, Any], j: int | None, ctx: Mapping[str, Any], where: str) -> str:
    if j is None:
        return render_text(item["text"][ctx["lang"]], ctx, where)
    element = _each(item, ctx, where)[j]
    return render_text(item["text"][ctx["lang"]], {**ctx, item["as"]: element, "index": j + 1}, where)


def _close_list(items: list[str]) -> tuple[str, ...]:
    """A list's last item ends with a full stop, also when the items after it were left out."""
    if items and items[-1].endswith(";"):
        items[-1] = items[-1][:-1] + "."
    return tuple(items)


def _commentary(clause: ClauseSpec, ctx: Mapping[str, Any], lang: str, where: str, pack: Pack) -> Commentary | None:
    spec = clause.commentary
    if not spec:
        return None
    texts = _need(spec, lang, where + " commentary")
    ids = tuple(str(b) for b in spec.get("basis") or ())
    return Commentary(
        meaning=render_text(str(_need(texts, "meaning", where)), ctx, where + " commentary"),
        choice=render_text(str(_need(texts, "choice", where)), ctx, where + " commentary"),
        member_choice=_member_choice(clause, ctx, lang, where),
        basis=tuple(citations.resolve(cid, lang, pack).label(lang) for cid in ids),
        basis_ids=ids,
        rules=tuple(str(r) for r in spec.get("rules") or ()),
        member_basis=tuple(dict.fromkeys(citations.resolve(cid, lang, pack).label(lang, mark=False) for cid in ids)),
    )


@cache
def load_choices(pack: Pack) -> dict[str, Any]:
    """What the founders chose, in words, per input path (``templates/common/<pack>/choices.yaml``)."""
    raw = pack.read(pack.common_rel("choices.yaml"), required=False) or {}
    return dict(raw.get("choices") or {}) if isinstance(raw, Mapping) else {}


def value_at(ctx: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of mappings (``membership.exit.payout_days``); None where it stops."""
    value: Any = ctx
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _member_choice(clause: ClauseSpec, ctx: Mapping[str, Any], lang: str, where: str) -> str:
    """The clause's choices in words: one sentence per input that has one, keyed on its value."""
    choices = load_choices(ctx.get("_pack") or Pack("", ""))
    if not choices:
        return ""
    if not clause.inputs:
        return render_text(str(choices["_fixed"][lang]), ctx, where + " choices _fixed")
    said = []
    for path in clause.inputs:
        entry = choices.get(path)
        if entry is None or lang not in entry:
            continue
        text = render_text(str(entry[lang]), {**ctx, "value": value_at(ctx, path)}, f"{where} choices {path}")
        if text and text not in said:
            said.append(text)
    if not said:
        said.append(render_text(str(choices["_other"][lang]), ctx, where + " choices _other"))
    return " ".join(said)


def render_all(coop: Cooperative, name: str, langs: Sequence[str]) -> list[Document]:
    the_plan = plan(coop, name)
    return [render(coop, the_plan, lang) for lang in langs]


def as_text(document: Document, *, commentary: bool = False) -> str:
    """Plain text in body order, as a reader sees it (used by previews and golden tests)."""
    lines = [*document.approval, document.title, document.subtitle, ""]
    for section in document.sections:
        lines.append(f"{section.number}. {section.title}")
        for clause in section.clauses:
            lines.append(f"{clause.number}. {clause.text}")
            lines += [f"    {i}) {item}" for i, item in enumerate(clause.items, start=1)]
            if commentary and clause.commentary:
                c = clause.commentary
                lines.append(f"    > {c.meaning}")
                lines.append(f"    > {c.choice}")
                lines += [f"    > § {label}" for label in c.basis]
        lines.append("")
    return "\n".join(lines)


def find_clause(pack: Pack, cid: str) -> tuple[str, ClauseSpec] | None:
    """The document and clause spec for a clause id, searching every document of the pack."""
    for name in pack.meta.get("documents") or {}:
        spec = load_library(pack, name).clause(cid)
        if spec is not None:
            return name, spec
    return None


def all_clause_ids(pack: Pack) -> list[str]:
    return [
        c.id for name in pack.meta.get("documents") or {} for s in load_library(pack, name).sections for c in s.clauses
    ]
