"""`coopdocs import`: a draft of the input contract read back from a charter on file.

Two ways of reading a value, each explainable:

* **The pack's own clauses as matchers.** Every clause of the pack's libraries is a Jinja template.
  A clause of the document on file is paired with the library clause it reads most like; then the
  values the template uses are set, one at a time, to the values the text allows (the numbers it
  contains, the choices the schema allows, yes/no, dates it names, the text between the template's
  fixed words) and the clause is rendered again. A value is taken only when the clause then reads
  *exactly* as on file (punctuation and spacing aside) and no other candidate reads so: the value
  is then what the clause states. This reads every value of a document coopdocs wrote, and of a
  charter that kept its wording.
* **Generic patterns** (``schemas/<pack>/import.yaml``): a keyword that names the subject (entrance
  fee, payout period, board size…) and a value written as coopdocs and most charters write it (an
  amount in figures with its words, a period, a percentage, a fraction). A value found this way is
  marked uncertain unless the figures and the words agree; two clauses that disagree leave it out.

Nothing is guessed: what neither way finds is left out and listed, so that ``validate`` and
``init --resume`` ask for it. The library never prints; ``cli.py`` words the result.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from coopdocs.charters import audit, reading
from coopdocs.compose import clauses
from coopdocs.errors import CoopdocsError, UsageError
from coopdocs.packs.pack import Pack, available_languages

SUFFIXES = (".docx", ".docm", ".pdf", ".html", ".htm", ".txt")
ROOTS = (
    "cooperative",
    "founding",
    "membership",
    "governance",
    "funds",
    "income",
    "programs",
    "disputes",
    "reorganization",
    "amendments",
    "signatories",
    "languages",
)
_REF = re.compile(r"\b(?:" + "|".join(ROOTS) + r")(?:\.[a-z_]+)+")
_SENTINEL = "Qzqxsentinelqzqx"
_PARTS = ("full", "short")  # a name's two forms (the pack's names: full, short)
_MATCH = 45.0  # rapidfuzz ratio below which a clause on file is not paired with a library clause
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]\d)|\d+(?:[.,]\d+)?")


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    file: str  # the document's file name
    label: str  # the clause's own number there: "4.2.", "Статья 5 п. 2", "¶3"
    quote: str
    page: int | None = None
    lang: str = "ru"

    def cite(self) -> str:
        page = f", p. {self.page}" if self.page else ""
        return f"{self.file} {self.label}".rstrip() + page


@dataclass(frozen=True)
class Found:
    path: str  # dotted input path, e.g. membership.exit.payout_days
    value: Any
    source: Source
    how: str  # clause: the library clause re-rendered reads exactly so | pattern: a generic pattern
    certain: bool = True
    note: str = ""  # why it is uncertain: a key of messages.yaml _ui_import (note_<key>)


@dataclass
class Imported:
    data: dict[str, Any]
    found: list[Found]
    missing: list[str]  # required input paths not found
    uncertain: list[Found]
    documents: list[tuple[str, str, str]]  # (file, document kind or "", lang)
    pack: Pack  # the pack the documents were read with
    numbering: dict[str, dict[str, str]] = field(default_factory=dict)  # document -> clause id -> label
    notes: list[str] = field(default_factory=list)  # what could not be read, in English
    absent: list[str] = field(default_factory=list)  # optional blocks the documents show absent (no entrance fee)


# --- the schema as leaves ------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    path: str
    kind: str  # int | number | enum | bool | enums (list of choices) | presence | text | date | term
    rules: Mapping[str, Any]


def _walk(schema: Mapping[str, Any], prefix: str = "") -> Iterator[Leaf]:
    for key, rules in schema.items():
        path = f"{prefix}.{key}" if prefix else key
        kind = rules.get("type")
        if kind == "dict" and isinstance(rules.get("schema"), Mapping):
            if not rules.get("required") or rules.get("nullable"):
                yield Leaf(path, "presence", rules)
            yield from _walk(rules["schema"], path)
        elif (kind == "integer" or kind == ["integer", "dict"]) and len(rules.get("allowed") or ()) != 1:
            yield Leaf(path, "int", rules)  # [integer, dict]: a founder's number (or a person named in place)
        elif kind == "number":
            yield Leaf(path, "number", rules)
        elif kind == "boolean":
            yield Leaf(path, "bool", rules)
        elif kind == "string" and len(rules.get("allowed") or ()) > 1:
            yield Leaf(path, "enum", rules)
        elif kind == "string" and not rules.get("allowed") or kind == "localized":
            yield Leaf(path, "text", rules)
        elif kind == "date":
            yield Leaf(path, "date", rules)
        elif kind == ["string", "date"]:
            yield Leaf(path, "term", rules)
        elif (
            kind == "list"
            and isinstance(rules.get("schema"), Mapping)
            and rules["schema"].get("type") == ["integer", "dict"]
        ):
            yield Leaf(path, "people", rules)  # founders' numbers or {name, iin} (founding.elected.board)
        elif kind == "list" and isinstance(rules.get("schema"), Mapping) and rules["schema"].get("type") == "localized":
            yield Leaf(path, "textlist", rules)
        elif kind == "list" and isinstance(rules.get("schema"), Mapping) and rules["schema"].get("type") == "dict":
            yield Leaf(path, "records", rules)  # programs, funds.other (the founders have their own reader)
        elif kind == "list" and isinstance(rules.get("schema"), Mapping):
            allowed = rules["schema"].get("allowed") or ()
            if rules["schema"].get("type") == "string" and 1 < len(allowed) <= 5:
                yield Leaf(path, "enums", rules)


@cache
def leaves(pack: Pack) -> dict[str, Leaf]:
    out = {
        leaf.path: leaf
        for leaf in _walk(pack.input_schema())
        if leaf.path.split(".")[0] in ROOTS and leaf.path != _FOUNDERS
    }
    raw = pack.read(pack.schema_rel("import.yaml"), required=False) or {}
    for path, allowed in (raw.get("choices") or {}).items():  # lists checked in code: their choices
        rules = dict(pack_rules(pack.input_schema(), str(path)) or {})
        rules["schema"] = {**(rules.get("schema") or {}), "type": "string", "allowed": list(allowed)}
        out[str(path)] = Leaf(str(path), "enums", rules)
    return out


def pack_rules(schema: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
    rules: Any = {"schema": schema}
    for part in path.split("."):
        rules = (rules.get("schema") or {}).get(part) if isinstance(rules, Mapping) else None
    return rules if isinstance(rules, Mapping) else None


def _under(path: str, table: Mapping[str, Leaf]) -> list[Leaf]:
    return [leaf for p, leaf in table.items() if p == path or p.startswith(path + ".")]


def _refs(spec: clauses.ClauseSpec, table: Mapping[str, Leaf]) -> list[Leaf]:
    """The searchable values a clause's template uses: its declared inputs and every input path
    its text, items and conditions name."""
    sources = [spec.when or "", *spec.text.values()]
    for item in spec.items:
        sources += [str(item.get("when") or ""), str(item.get("each") or ""), *(item.get("text") or {}).values()]
    paths = list(spec.inputs)
    for source in sources:
        paths += _REF.findall(str(source))
    out: dict[str, Leaf] = {}
    for path in paths:
        for leaf in _under(path, table):
            out.setdefault(leaf.path, leaf)
    # a value the template's language depends on but is named only through a derived name
    if any("names." in str(s) for s in sources) and "cooperative.name" in table:
        out.setdefault("cooperative.name", table["cooperative.name"])
    return list(out.values())


# --- values in a context -------------------------------------------------------------------------


get_at = clauses.value_at  # the value at a dotted path of a context (clauses reads choices the same way)


def _put(ctx: dict[str, Any], path: str, value: Any, pack: Pack) -> bool:
    parts = path.split(".")
    target: Any = ctx
    for part in parts[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(part), dict):
            return False
        target = target[part]
    target[parts[-1]] = value
    if path in ("cooperative.name", "cooperative.short_name"):
        _rename(ctx, pack)
    if path.startswith(("founding.elected", _FOUNDERS)):  # the clauses read the elected as people
        ctx["elected"] = clauses.elected_people(ctx["founding"].get("elected"), ctx["founding"]["founders"])
    return True


def _rename(ctx: dict[str, Any], pack: Pack) -> None:
    """The derived names follow cooperative.name (the templates name the cooperative through them)."""
    lang = ctx["lang"]
    patterns = pack.meta["names"]
    name = str(ctx["cooperative"]["name"])
    short = ctx["cooperative"].get("short_name")
    names = dict(ctx["names"])
    names["full"] = patterns["full"][lang].format(name=name)
    names["short"] = str(short) if short else patterns["short"][lang].format(name=name)
    names[lang] = {"full": names["full"], "short": names["short"]}
    read = ctx.get(_OTHER_NAMES) or {}
    for other in pack.languages:
        if other != lang and isinstance(names.get(other), Mapping):
            names[other] = {  # as a clause on file names them, else composed from this language's name
                "full": patterns["full"][other].format(name=name),
                "short": patterns["short"][other].format(name=name),
                **read.get(other, {}),
            }
    ctx["names"] = names


_OTHER_NAMES = "_names_read"  # context key: {lang: {full, short}} the other languages' names as read


def _named_languages(spec: clauses.ClauseSpec, lang: str, pack: Pack) -> list[str]:
    """The other languages whose names the clause's template writes (``names.kk.short`` in a Russian
    text: the charter's and the minutes' name clauses state the names in every language)."""
    sources = _template_sources(spec)
    return [other for other in pack.languages if other != lang and f"names.{other}." in sources]


def _composed_short(full: str, lang: str, pack: Pack) -> str | None:
    """The short name the pack composes from a full name written in its form (None: another form)."""
    patterns = pack.meta["names"]
    before, _, after = str(patterns["full"][lang]).partition("{name}")
    if not (full.startswith(before) and full.endswith(after)) or len(full) <= len(before) + len(after):
        return None
    return str(patterns["short"][lang]).format(name=full[len(before) : len(full) - len(after)])


# --- text ----------------------------------------------------------------------------------------


def key(text: str) -> str:
    """Text as compared: letters and digits only, lower case, ё as е (a PDF's line breaks, hyphens,
    spaces and quotes do not count)."""
    return re.sub(r"[\W_]+", "", text.lower()).replace("ё", "е")


def _full(clause: audit.Clause) -> str:
    return " ".join([clause.text, *(text for _, text in clause.items)])


def _numbers(text: str) -> list[int | float]:
    out: list[int | float] = []
    for match in _NUMBER.finditer(text):
        raw = re.sub(r"[ \u00a0\u202f]", "", match.group()).replace(",", ".")
        value = float(raw)
        out.append(int(value) if value.is_integer() and "." not in raw else value)
    return out


@cache
def _month_forms(lang: str) -> dict[int, tuple[str, ...]]:
    from coopdocs.compose.wording import legal_date

    cases = ("nom", "attr", "dat", "abl", "loc") if lang == "kk" else ("nom",)
    return {m: tuple(legal_date(dt.date(2000, m, 1), lang, c) for c in cases) for m in range(1, 13)}


def _dates(text: str, lang: str) -> list[dt.date]:
    """Dates the text names, read with the inverse of the documents' own date wording."""
    from coopdocs.compose.wording import legal_date

    found = []
    low = text.lower()
    for year in {int(y) for y in re.findall(r"\b(1[89]\d\d|2\d\d\d)\b", text)}:
        for day in {int(d) for d in re.findall(r"\b([0-3]?\d)\b", text)} - {0}:
            for month in range(1, 13):
                try:
                    date = dt.date(year, month, day)
                except ValueError:
                    continue
                cases = ("nom", "attr", "dat", "abl", "loc") if lang == "kk" else ("nom",)
                if any(legal_date(date, lang, c).lower() in low for c in cases):
                    found.append(date)
        for match in re.finditer(rf"\b([0-3]\d)\.([01]\d)\.{year}\b", text):
            with contextlib.suppress(ValueError):
                found.append(dt.date(year, int(match.group(2)), int(match.group(1))))
    return sorted(set(found))


# --- candidates ----------------------------------------------------------------------------------


def _candidates(leaf: Leaf, current: Any, text: str, lang: str) -> list[Any]:
    options = _values(leaf, current, text, lang)
    optional = leaf.rules.get("nullable") or leaf.rules.get("excludes")
    if optional and leaf.kind != "presence" and current is not None:
        options.append(None)
    return options


def _values(leaf: Leaf, current: Any, text: str, lang: str) -> list[Any]:
    rules = leaf.rules
    if leaf.kind == "bool":
        return [True, False]
    if leaf.kind == "enum":
        return list(rules["allowed"])
    if leaf.kind in ("int", "number"):
        values: list[Any] = [*_numbers(text), *range(0, 21)]
        if leaf.kind == "int":
            values = [v for v in values if isinstance(v, int)]
        low, high = rules.get("min"), rules.get("max")
        return list(dict.fromkeys(v for v in values if (low is None or v >= low) and (high is None or v <= high)))
    if leaf.kind == "enums":
        allowed = list(rules["schema"]["allowed"])
        smallest = 1 if rules.get("minlength") else 0
        return [list(c) for n in range(smallest, len(allowed) + 1) for c in itertools.combinations(allowed, n)]
    if leaf.kind == "presence":
        return [None] if current is not None else []
    if leaf.kind == "records":  # the records themselves are read by _place_records; here only none
        return [[]] if current else []
    if leaf.kind == "date":
        return list(_dates(text, lang))
    if leaf.kind == "term":
        return ["indefinite", *_dates(text, lang)]
    return []


def _partner(leaf: Leaf) -> str | None:
    """The value this one excludes (qualified.fraction and qualified.percent): cleared when it is set."""
    other = leaf.rules.get("excludes")
    return f"{leaf.path.rsplit('.', 1)[0]}.{other}" if isinstance(other, str) else None


# --- documents -----------------------------------------------------------------------------------


@dataclass
class _Library:
    name: str
    specs: list[clauses.ClauseSpec]
    texts: list[str]  # the filler's rendering of each spec (key form), "" when it does not render


@cache
def _filler(pack: Pack) -> Any:
    """A complete cooperative to render the templates with before any value is read: the pack's
    default cooperative of the questionnaire. Its values are never reported: only a value a clause
    on file reads back exactly is."""
    from coopdocs.commands import init
    from coopdocs.inputs.loader import load_text
    from coopdocs.inputs.schema import validate_input

    data = _every_language(init.default_data(pack, dt.date(2026, 1, 15)), pack)
    text = init.render_yaml(data, "en", pack)
    coop, _ = validate_input(load_text(text, "<import filler>"))
    if coop is None:  # pragma: no cover - the pack's own default validates (tests/test_init.py)
        raise CoopdocsError("the questionnaire's default cooperative does not validate")
    return coop


def _every_language(data: Any, pack: Pack) -> Any:
    """The filler in every language of the pack (a text it lacks in one, such as the English reference
    text's, is its first language's), so that a document in any of them pairs with the libraries."""
    if isinstance(data, dict) and data and set(data) <= set(pack.languages):
        first = next(iter(data.values()))
        return {lang: data.get(lang, first) for lang in pack.languages}
    if isinstance(data, dict):
        out = {k: _every_language(v, pack) for k, v in data.items()}
        if "languages" in out and isinstance(out["languages"], list):
            out["languages"] = [*out["languages"], *(x for x in pack.languages if x not in out["languages"])]
        return out
    if isinstance(data, list):
        return [_every_language(v, pack) for v in data]
    return data


_LIBRARIES: dict[tuple[int, str, Pack], list[_Library]] = {}


def _libraries(coop: Any, lang: str, pack: Pack) -> list[_Library]:
    """Every library of the pack rendered with the filler in ``lang`` (made once per filler)."""
    cached = _LIBRARIES.get((id(coop), lang, pack))
    if cached is None:
        cached = _LIBRARIES[(id(coop), lang, pack)] = _render_libraries(coop, lang, pack)
    return cached


def _render_libraries(coop: Any, lang: str, pack: Pack) -> list[_Library]:
    out = []
    ctx = clauses.clause_context(coop, lang)
    for name in pack.meta.get("documents") or {}:
        library = clauses.load_library(pack, name)
        specs, texts = [], []
        for section in library.sections:
            for spec in section.clauses:
                if lang not in spec.text:
                    continue
                specs.append(spec)
                texts.append(_rendered_key(spec, ctx, force=True))
        out.append(_Library(name, specs, texts))
    return out


def _rendered(spec: clauses.ClauseSpec, ctx: Mapping[str, Any], *, force: bool = False) -> str | None:
    try:
        if force:
            ctx = {**ctx}
            result = clauses.render_clause(_unconditional(spec), ctx)
        else:
            result = clauses.render_clause(spec, ctx)
    except CoopdocsError:
        return None
    if result is None:
        return None
    text, items = result
    return " ".join([text, *items])


def _rendered_key(spec: clauses.ClauseSpec, ctx: Mapping[str, Any], *, force: bool = False) -> str:
    text = _rendered(spec, ctx, force=force)
    return key(text) if text else ""


def _unconditional(spec: clauses.ClauseSpec) -> clauses.ClauseSpec:
    from dataclasses import replace

    return replace(spec, when=None)


def read_documents(path: Path) -> list[reading.Document]:
    """The documents at ``path``: one file, or every readable file of a folder (not its subfolders)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise UsageError.said("import_no_documents", path=path)
        return [reading.read(p, columns=True) for p in files]
    return [reading.read(path, columns=True)]


def _language(document: reading.Document) -> str:
    """ru or kk (audit's test), or en for a document written in Latin letters (an English reference
    text of the charter, which coopdocs writes beside the Kazakh and Russian ones)."""
    text = " ".join(p.text for p in document.paragraphs[:400])
    latin, cyrillic = len(re.findall(r"[a-z]", text.lower())), len(re.findall(r"[а-яёәғқңөұүһі]", text.lower()))
    return "en" if latin > 4 * cyrillic else audit.language(text)


def _pairs(
    found: Sequence[audit.Clause], library: _Library
) -> tuple[float, list[tuple[audit.Clause, clauses.ClauseSpec, float]]]:
    """Each clause on file paired with the library clause it reads most like (one to one)."""
    from rapidfuzz import fuzz, process

    keys = [key(_full(c)) for c in found]
    if not keys or not library.specs:
        return 0.0, []
    scores = process.cdist(keys, library.texts, scorer=fuzz.ratio, workers=1)
    ranked = sorted(
        ((float(scores[i][j]), i, j) for i in range(len(keys)) for j in range(len(library.texts))),
        reverse=True,
    )
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for score, i, j in ranked:
        if score < _MATCH:
            break
        if i in used_i or j in used_j or not library.texts[j]:
            continue
        used_i.add(i)
        used_j.add(j)
        pairs.append((found[i], library.specs[j], score))
    # a clause between two paired ones pairs with the library clause between theirs, however
    # different its wording (a choice that rewrites the whole clause, such as the payout's form):
    # re-rendering still decides whether any value is read from it
    where = {id(c): i for i, c in enumerate(found)}
    by_i = {where[id(c)]: library.specs.index(sp) for c, sp, _ in pairs}
    for i in range(1, len(found) - 1):
        if i in by_i or (i - 1) not in by_i or (i + 1) not in by_i:
            continue
        j = by_i[i - 1] + 1
        if by_i[i + 1] == j + 1 and j not in used_j and library.texts[j]:
            used_j.add(j)
            by_i[i] = j
            pairs.append((found[i], library.specs[j], 0.0))
    share = len(pairs) / max(1, len(found))
    return share, sorted(pairs, key=lambda p: where[id(p[0])])


# --- the search ----------------------------------------------------------------------------------


class _Search:
    """Values of one document, read clause by clause by re-rendering the library's templates."""

    def __init__(self, coop: Any, lang: str, pack: Pack, table: Mapping[str, Leaf]) -> None:
        self.ctx = clauses.clause_context(coop, lang)
        self.lang = lang
        self.pack = pack
        self.table = table
        self.fixed: dict[str, Any] = {}  # path -> value confirmed by a clause read exactly
        self.ambiguous: set[str] = set()  # text values whose ends the clause does not fix
        self.items: list[str] = []  # the items of the clause being read
        self.spec: clauses.ClauseSpec | None = None  # the clause being read
        self.names: dict[str, dict[str, str]] = {}  # other languages' names the clause read states
        self.undecided: dict[str, str] = {}  # path -> why the clause does not decide it (a note key)
        self.cuts: list[tuple[str, str, str]] = []  # the location line's cuts that read, none decided

    def others(self, leaf: Leaf) -> list[Any]:
        """A list of choices that may also hold records of free text (``{other: text}``, import.yaml
        ``others``): every selection of the named choices followed by the last item of the clause as
        one such record, or, where it holds «; », as one record per part (both are tried: when both
        read exactly, the text does not tell them apart and neither is taken)."""
        field_name = (_pattern_data(self.pack).get("others") or {}).get(leaf.path)
        if leaf.kind != "enums" or not field_name or not self.items:
            return []
        last = self.items[-1].strip().rstrip(" .;")
        splits = [[last], *([last.split("; ")] if "; " in last else [])]
        # an item worded as the template words a named choice is that choice, not a text of one's own
        worded = set()
        old = get_at(self.ctx, leaf.path)
        try:
            for choice in leaf.rules["schema"]["allowed"]:
                _put(self.ctx, leaf.path, [choice], self.pack)
                with contextlib.suppress(CoopdocsError):
                    rendered = clauses.render_clause(self.spec, self.ctx) if self.spec else None
                    worded |= {key(item) for item in (rendered[1] if rendered else ())}
        finally:
            _put(self.ctx, leaf.path, old, self.pack)
        splits = [parts for parts in splits if not any(key(part) in worded for part in parts)]
        named = _values(leaf, None, "", self.lang)
        return [[*chosen, *({str(field_name): part} for part in parts)] for chosen in named for parts in splits]

    def score(self, spec: clauses.ClauseSpec, target: str) -> float:
        from rapidfuzz import fuzz

        got = _rendered_key(spec, self.ctx)
        if got == target:
            return 101.0
        return float(fuzz.ratio(got, target)) if got else 0.0

    def text_value(self, spec: clauses.ClauseSpec, leaf: Leaf, raw: str) -> str | None:
        """The text the clause on file has where the template puts ``leaf`` (fixed words either side)."""
        old = get_at(self.ctx, leaf.path)
        if isinstance(old, (dict, list)) or not _put(self.ctx, leaf.path, _SENTINEL, self.pack):
            return None
        try:
            rendered = _rendered(spec, self.ctx)
        finally:
            _put(self.ctx, leaf.path, old, self.pack)
        if not rendered or rendered.count(_SENTINEL) != 1:
            return None
        before, after = rendered.split(_SENTINEL)
        return _between(raw, before, after)

    def texts(self, spec: clauses.ClauseSpec, refs: Sequence[Leaf], raw: str) -> dict[str, str]:
        """The texts the clause on file has where the template puts its text values, all at once
        (each is a sentinel; the template's fixed words between them must all be there, in order)."""
        texts = [leaf for leaf in refs if leaf.kind == "text" and isinstance(get_at(self.ctx, leaf.path), str)]
        # the other languages' names the clause writes («сокращённое наименование на казахском языке:
        # …»): read as texts too (``names.kk.short``), so that a name not composed reads back
        named = [f"names.{other}.{part}" for other in _named_languages(spec, self.lang, self.pack) for part in _PARTS]
        if not texts and not named:
            return {}
        old = {leaf.path: get_at(self.ctx, leaf.path) for leaf in texts}
        marks = {path: f"{_SENTINEL}{i}x" for i, path in enumerate([*(leaf.path for leaf in texts), *named])}
        read = self.ctx.get(_OTHER_NAMES)
        try:
            self.ctx[_OTHER_NAMES] = {}
            for path in named:
                _, language, part = path.split(".")
                self.ctx[_OTHER_NAMES].setdefault(language, {})[part] = marks[path]
            for leaf in texts:
                _put(self.ctx, leaf.path, marks[leaf.path], self.pack)
            _rename(self.ctx, self.pack)
            rendered = _rendered(spec, self.ctx)
        finally:
            self.ctx[_OTHER_NAMES] = read
            for leaf in texts:
                _put(self.ctx, leaf.path, old[leaf.path], self.pack)
            _rename(self.ctx, self.pack)
        if not rendered:
            return {}
        split = re.split(f"({_SENTINEL}\\d+x)", rendered)
        order = split[1::2]
        by_mark = {m: p for p, m in marks.items()}
        fixed = split[0::2]
        forms = [self.table[by_mark[m]].rules.get("regex") if by_mark[m] in self.table else None for m in order]
        self.ambiguous = set()
        for n, mark in enumerate(order):
            # only punctuation between two free texts («{{ region }}, {{ locality }}»): where one ends
            # is not known from the text (a locality may hold a comma), however it is read; a value
            # of a fixed form (the postal code's pattern) is its own boundary
            if forms[n]:
                continue
            for side, other in ((n, n - 1), (n + 1, n + 1)):
                if 0 < side < len(fixed) - 1 and not key(fixed[side]) and not forms[other]:
                    self.ambiguous.add(by_mark[mark])
        if len(set(order)) != len(order):
            return {}
        values = _fill_in(raw, fixed, forms)
        if values is None:
            return {}
        return {by_mark[m]: v for m, v in zip(order, values, strict=True) if v}

    def read(self, spec: clauses.ClauseSpec, clause: audit.Clause) -> list[tuple[Leaf, Any]]:
        """The values the clause on file states, each confirmed by an exact re-rendering."""
        raw = _full(clause)
        target = key(raw)
        refs = [leaf for leaf in _refs(spec, self.table) if leaf.path not in self.fixed]
        saved = {leaf.path: copy.deepcopy(get_at(self.ctx, leaf.path)) for leaf in refs}
        saved_names = copy.deepcopy(self.ctx.get(_OTHER_NAMES))
        self.ambiguous = set()
        self.items = [text for _, text in clause.items]
        self.spec = spec
        self.names = {}
        self.undecided = {}
        self.cuts = []
        for path, value in self.texts(spec, refs, raw).items():
            if path.startswith("names."):  # another language's name as the clause writes it
                _, other, part = path.split(".")
                self.names.setdefault(other, {})[part] = value
                continue
            _put(self.ctx, path, value, self.pack)
        if self.names:
            self.ctx[_OTHER_NAMES] = {**(self.ctx.get(_OTHER_NAMES) or {}), **self.names}
            _rename(self.ctx, self.pack)
        for leaf in refs:  # a list of texts, one an item: the items as the document on file has them
            if leaf.kind == "textlist" and clause.items:
                _put(self.ctx, leaf.path, [text.rstrip(" .;") for _, text in clause.items], self.pack)
            if leaf.kind == "people":
                people = _people(raw, self.ctx["founding"]["founders"])
                if people:
                    _put(self.ctx, leaf.path, people, self.pack)
        best = self.score(spec, target)
        for _ in range(3):
            if best > 100:
                break
            improved = False
            for leaf in refs:
                current = get_at(self.ctx, leaf.path)
                options = _candidates(leaf, current, raw, self.lang) + self.others(leaf)
                if leaf.kind == "text":
                    text = self.text_value(spec, leaf, raw)
                    options = [text] if text else []
                partner = _partner(leaf)
                partner_value = get_at(self.ctx, partner) if partner else None
                for option in options:
                    if option == current:
                        continue
                    _put(self.ctx, leaf.path, option, self.pack)
                    if partner and option is not None:
                        _put(self.ctx, partner, None, self.pack)
                    score = self.score(spec, target)
                    if score > best:
                        best, current, improved = score, option, True
                        if partner and option is not None:
                            partner_value = None
                        if best > 100:
                            break
                    if partner:
                        _put(self.ctx, partner, partner_value, self.pack)
                _put(self.ctx, leaf.path, current, self.pack)
                if best > 100:
                    break
            if not improved:
                break
        if best <= 100:
            self.ctx[_OTHER_NAMES] = saved_names
            self.names = {}
            for path, value in saved.items():
                _put(self.ctx, path, value, self.pack)
            _rename(self.ctx, self.pack)
            return []
        self.place(spec, raw, target)
        out = []
        for leaf in refs:
            if leaf.path in self.ambiguous or self.stated(spec, leaf, raw, target):
                out.append((leaf, get_at(self.ctx, leaf.path)))
            elif (proposal := self.split_or_not(spec, leaf, target)) is not None:
                self.undecided[leaf.path] = "one_or_two"
                out.append((leaf, proposal))
        return out

    def split_or_not(self, spec: clauses.ClauseSpec, leaf: Leaf, target: str) -> list[Any] | None:
        """Grounds in the founders' own words written «a; b.» read the same as one ground «a; b»: the
        text does not say which. Proposed (uncertain) as the reading with the most grounds of one's
        own, when every reading that reads exactly names the same choices."""
        current = get_at(self.ctx, leaf.path)
        options = self.others(leaf)
        if not options or not isinstance(current, list):
            return None
        readings = [current]
        try:
            for option in options:
                if option == current:
                    continue
                _put(self.ctx, leaf.path, option, self.pack)
                if _rendered_key(spec, self.ctx) == target:
                    readings.append(option)
        finally:
            _put(self.ctx, leaf.path, current, self.pack)

        def named(reading: list[Any]) -> list[Any]:
            return [v for v in reading if not isinstance(v, dict)]

        if len(readings) < 2 or len({_hashable(named(r)) for r in readings}) != 1:
            return None
        return max(readings, key=lambda r: len(r) - len(named(r)))

    def place(self, spec: clauses.ClauseSpec, raw: str, target: str) -> None:
        """The location line's parts (region, locality, address: commas only between them), read
        when exactly one cut of the line both reads back as on file and reads as a region of the
        closed list, a locality and an address (``location`` in the pack's import.yaml)."""
        data = _location_data(self.pack)
        if not data:
            return
        paths = data["paths"]
        region, locality, address = paths["region"], paths["locality"], paths["address"]
        if not {region, locality, address} <= self.ambiguous:
            return
        old = {path: get_at(self.ctx, path) for path in (region, locality, address)}
        if not all(isinstance(value, str) for value in old.values()):
            return
        marks = [f"{_SENTINEL}{n}y" for n in range(3)]
        try:
            for path, mark in zip((region, locality, address), marks, strict=True):
                _put(self.ctx, path, mark, self.pack)
            rendered = _rendered(spec, self.ctx) or ""
        finally:
            for path, value in old.items():
                _put(self.ctx, path, value, self.pack)
        at = [rendered.find(mark) for mark in marks]
        if min(at) < 0 or at != sorted(at) or any(rendered.count(mark) != 1 for mark in marks):
            return
        line = _between(raw, rendered[: at[0]], rendered[at[2] + len(marks[2]) :])
        if not line:
            return
        cuts = [-1, *(m.start() for m in re.finditer(",", line)), len(line)]
        n = len(cuts) - 1  # parts between commas

        def part(a: int, b: int) -> str:
            return line[cuts[a] + 1 : cuts[b]].strip()

        good: list[tuple[str, str, str]] = []
        exact: list[tuple[str, str, str]] = []  # every cut that reads back, whatever its parts read as
        for i in (0, 1):  # the region written (one part) or not (the same as the locality)
            for j in range(i + 1, n):
                values = (part(0, 1) if i else part(0, j), part(i, j), part(j, n))
                try:
                    for path, value in zip((region, locality, address), values, strict=True):
                        _put(self.ctx, path, value, self.pack)
                    if _rendered_key(spec, self.ctx) != target:
                        continue
                finally:
                    for path, value in old.items():
                        _put(self.ctx, path, value, self.pack)
                exact.append(values)
                if _place_reads(values, [part(k, k + 1) for k in range(i, j)], part(j, j + 1), bool(i), data):
                    good.append(values)
        if len(good) != 1:
            self.cuts = exact  # none, or two that read the same: the parts stay uncertain (other
            return  # languages' lines may decide: _cut_as_read)
        for path, value in zip((region, locality, address), good[0], strict=True):
            _put(self.ctx, path, value, self.pack)
        self.ambiguous -= {region, locality, address}

    def changes(self, spec: clauses.ClauseSpec, leaf: Leaf, target: str) -> bool:
        """The clause's text tells ``leaf`` apart: another value changes it, and no other value
        (of those the text could hold) reads the same (``checks_per_year`` 0 and 1 both read «не
        реже одного раза в год»: the text does not state which)."""
        current = get_at(self.ctx, leaf.path)
        rendered = _rendered(spec, self.ctx) or ""
        options: list[Any] = [o for o in _candidates(leaf, current, rendered, self.lang) if o != current]
        if leaf.kind == "text" and isinstance(current, str):
            options = [_SENTINEL]
        if leaf.kind == "textlist" and isinstance(current, list) and current:
            options = [[*current[:-1], _SENTINEL]]
        if leaf.kind == "people":
            options = [[]] if current else []
        if leaf.kind == "records":
            options = [[]] if current else [[_dummy(_record_schema(leaf.rules))]]
        if isinstance(current, (int, float)) and not isinstance(current, bool):
            options.append(current + 7)
        if isinstance(current, dt.date):
            options.append(current + dt.timedelta(days=40))
        if leaf.kind == "term" and current == "indefinite":
            options.append(dt.date(2099, 12, 31))
        try:
            if leaf.kind == "text" and leaf.rules.get("nullable") and current is not None:
                _put(self.ctx, leaf.path, None, self.pack)
                if _rendered_key(spec, self.ctx) == target:
                    return False  # the same as the default: the text does not tell them apart
            differs = False
            for option in options:
                _put(self.ctx, leaf.path, option, self.pack)
                if _rendered_key(spec, self.ctx) == target:
                    return False
                differs = True
        finally:
            _put(self.ctx, leaf.path, current, self.pack)
        return differs

    def stated(self, spec: clauses.ClauseSpec, leaf: Leaf, raw: str, target: str) -> bool:
        """The clause states ``leaf``: another value reads differently, and no other candidate reads
        exactly as on file."""
        current = get_at(self.ctx, leaf.path)
        if leaf.kind == "text":
            options: list[Any] = [_SENTINEL] if isinstance(current, str) else []
            if leaf.rules.get("nullable") and current is not None:
                options.append(None)
        elif leaf.kind == "textlist":
            options = [[*current[:-1], _SENTINEL]] if isinstance(current, list) and current else []
        elif leaf.kind == "people":
            options = [[]] if current else []
        elif leaf.kind == "records":
            options = [[]] if current else [[_dummy(_record_schema(leaf.rules))]]
        else:
            options = [o for o in _candidates(leaf, current, raw, self.lang) + self.others(leaf) if o != current]
            if leaf.kind in ("int", "number") and isinstance(current, (int, float)):
                options.append(current + 7)
            if isinstance(current, dt.date):
                options.append(current + dt.timedelta(days=40))
            if leaf.kind == "term" and current == "indefinite":
                options.append(dt.date(2099, 12, 31))
            if leaf.kind == "presence":
                options = [None]
        differs = False
        try:
            for option in options:
                _put(self.ctx, leaf.path, option, self.pack)
                got = _rendered_key(spec, self.ctx)
                if got == target:
                    return False
                differs = True
        finally:
            _put(self.ctx, leaf.path, current, self.pack)
        return differs


@cache
def _location_data(pack: Pack) -> Mapping[str, Any]:
    """The pack's ``location`` section of import.yaml, its regions as keys and its patterns compiled."""
    raw = _pattern_data(pack).get("location") or {}
    if not raw.get("paths"):
        return {}
    return {
        "paths": dict(raw["paths"]),
        "regions": {key(str(form)) for forms in raw.get("regions") or () for form in forms},
        "settlement": [re.compile(str(p)) for p in raw.get("settlement") or ()],
        "district": [re.compile(str(p)) for p in raw.get("district") or ()],
    }


def _place_reads(
    values: tuple[str, str, str], locality: Sequence[str], first: str, written: bool, data: Mapping[str, Any]
) -> bool:
    """A cut of the location line reads as region, locality and address: the region is of the closed
    list (not written: the locality is a city of republican significance, of the list too); the
    locality's parts are districts, then one settlement; the address does not begin with a region
    or a settlement (it may with a city's district: «район имени Казыбек би, ул. Ерубаева, д. 35»)."""

    def settlement(text: str) -> bool:
        return any(p.search(_low(text)) for p in data["settlement"])

    def district(text: str) -> bool:
        return any(p.search(_low(text)) for p in data["district"])

    region, _, address = values
    if not address or key(region) not in data["regions"]:
        return False
    if not settlement(locality[-1]) or any(settlement(p) or not district(p) for p in locality[:-1]):
        return False
    if not written and len(locality) != 1:
        return False
    return not (key(first) in data["regions"] or settlement(first))


# --- generic patterns, for charters coopdocs did not write --------------------------------------

_MONEY = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)\s*(?:\(([^)]*)\)\s*)?(?:тенге|теңге\w*|тг\.?|kzt)\b")
_DAYS = re.compile(
    r"(\d+)\s*(?:\(([^)]*)\)\s*)?(календарн\w*\s+|рабоч\w*\s+|күнтізбелік\s+|жұмыс\s+)?(дн\w*|день|күн\w*|месяц\w*|ай\w*)\b"
)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:\(([^)]*)\)\s*)?(?:%|процент\w*|пайыз\w*)")


def _low(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


@cache
def _pattern_data(pack: Pack) -> Mapping[str, Any]:
    return pack.read(pack.schema_rel("import.yaml"), required=False) or {}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+(?=[А-ЯЁӘҒҚҢӨҰҮҺІA-Z0-9«])", text) if s.strip()]


def _agree(figures: str, words: str | None, lang: str) -> bool:
    """The figures and the words in brackets give the same number («5 000 (пять тысяч)»)."""
    from coopdocs.compose.wording import in_words

    if not words:
        return False
    try:
        return _low(in_words(int(figures), lang)) == _low(words)
    except (ValueError, NotImplementedError, OverflowError):
        return False


def _pattern_value(
    entry: Mapping[str, Any], rest: str, lang: str, data: Mapping[str, Any]
) -> tuple[Any, bool, str] | None:
    """The value of kind ``entry['value']`` first written in ``rest`` (the sentence after its cue):
    (value, certain, note) or None."""
    kind = entry["value"]
    if kind == "money":
        m = _MONEY.search(rest)
        if m is None:
            return None
        figures = re.sub(r"\D", "", m.group(1))
        if len({re.sub(r"\D", "", x.group(1)) for x in _MONEY.finditer(rest)}) > 1:
            return int(figures), False, "several_amounts"
        certain = _agree(figures, m.group(2), lang)
        return int(figures), certain, "" if certain else "no_words"
    if kind == "days":
        m = _DAYS.search(rest)
        if m is None:
            return None
        unit = m.group(4)
        if unit.startswith(("месяц", "ай")):
            return None  # a period in months is not a number of days
        working = bool(m.group(3) and m.group(3).strip().startswith(("рабоч", "жұмыс")))
        if working:
            return int(m.group(1)), False, "working_days"
        if len({x.group(1) for x in _DAYS.finditer(rest)}) > 1:
            return int(m.group(1)), False, "several_periods"
        certain = _agree(m.group(1), m.group(2), lang)
        return int(m.group(1)), certain, "" if certain else "check_period"
    if kind == "count":
        m = re.search(r"\b(\d+|[^\W\d_]+)\s+(?:человек|членов|член\w*|адам\w*|мүше\w*)", rest)
        if m is None:
            return None
        word = m.group(1)
        number = int(word) if word.isdigit() else (data.get("numbers") or {}).get(lang, {}).get(word)
        if number is None:
            return None
        return int(number), not word.isdigit(), "" if not word.isdigit() else "check_number"
    if kind in ("percent", "fraction"):
        for value, phrases in ((data.get("phrases") or {}).get(kind) or {}).items():
            if any(re.search(p, rest) for p in phrases.get(lang, ())):
                return (int(value) if kind == "percent" else str(value)), True, ""
        if kind == "percent":
            m = _PERCENT.search(rest)
            if m is not None:
                number = float(m.group(1).replace(",", "."))
                return (int(number) if number.is_integer() else number), False, "check_share"
        return None
    return None


def _read_name(clauses_found: Sequence[audit.Clause], lang: str, name: str, pack: Pack) -> list[Found]:
    """The cooperative's name as the pack's legal form writes it («Потребительский кооператив «X»»,
    ««X» тұтыну кооперативі»): certain when every mention gives the same name, twice or more."""
    form = str(pack.meta["names"]["full"][lang])
    before, _, after = form.partition("{name}")
    pattern = re.compile(re.escape(before) + r"([^«»\n]{1,150}?)" + re.escape(after), re.IGNORECASE)
    seen: list[tuple[str, audit.Clause]] = []
    for clause in clauses_found:
        seen += [(m.group(1).strip(), clause) for m in pattern.finditer(_full(clause))]
    if not seen:
        return []
    names = {n for n, _ in seen}
    first = seen[0][1]
    source = Source(name, first.label, _window(_full(first), seen[0][0]), first.page, lang)
    if len(names) == 1 and len(seen) >= 2:
        return [Found("cooperative.name", seen[0][0], source, "pattern")]
    note = "named_once" if len(names) == 1 else "named_differently"
    return [Found("cooperative.name", seen[0][0], source, "pattern", False, note)]


def _read_patterns(
    clauses_found: Sequence[audit.Clause], lang: str, name: str, pack: Pack, skip: set[str]
) -> list[Found]:
    """Values of the generic patterns (``import.yaml``), each with the clause it was read from."""
    data = _pattern_data(pack)
    entries = [e for e in data.get("patterns") or [] if e["path"] not in skip]
    out: list[Found] = [] if "cooperative.name" in skip else _read_name(clauses_found, lang, name, pack)
    for clause in clauses_found:
        for sentence in _sentences(_full(clause)):
            low = _low(sentence)
            hits = []
            for entry in entries:
                if entry["value"] == "choice":
                    for value, cues in (entry.get("choices") or {}).items():
                        if any(re.search(c, low) for c in cues.get(lang, ())):
                            hits.append((entry, value))
                    continue
                for cue in (entry.get("cues") or {}).get(lang, ()):
                    m = re.search(cue, low)
                    if m is not None:
                        hits.append((entry, m.end()))
                        break
            for entry, where in hits:
                if entry["value"] == "choice":
                    value, certain, note = where, False, "body"
                else:
                    # the sentence after the cue, up to another cue of the same kind of value
                    ends = [
                        w
                        for e, w in hits
                        if e is not entry and e["value"] == entry["value"] and isinstance(w, int) and w > where
                    ]
                    rest = low[where : min(ends) if ends else len(low)]
                    others = [e for e, _ in hits if e is not entry and e["value"] == entry["value"]]
                    if (lang == "kk" or entry["value"] in ("percent", "fraction")) and not others:
                        rest = low  # Kazakh puts the verb (often the cue) after the value; a share is the sentence's
                    got = _pattern_value(entry, rest, lang, data)
                    if got is None:
                        continue
                    value, certain, note = got
                rules = pack_rules(pack.input_schema(), str(entry["path"])) or {}
                if ("min" in rules and value < rules["min"]) or ("max" in rules and value > rules["max"]):
                    continue
                source = Source(name, clause.label, _window(sentence, value), clause.page, lang)
                out.append(Found(str(entry["path"]), value, source, "pattern", certain, note))
    return out


# --- the founders: items repeated over founding.founders ------------------------------------------

_FOUNDERS = "founding.founders"
_ID = r"\d{12}"
_SHARE = 100003  # a founder's share while the item is rendered with marks, found again as money


def _gender(iin: Any) -> str | None:
    from coopdocs.inputs import idnumbers

    return idnumbers.iin_gender(iin) if isinstance(iin, str) else None


def _people(text: str, founders: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The persons a numbered list names («1) Ахметов Серик Болатович (ИИН 850214300129); 2) …»), each
    as a founder's number when a founder has that name (and IIN), else {name, iin}."""
    out: list[Any] = []
    for m in re.finditer(r"(?:^|\s)\d+\)\s+([^;()]+?)(?:\s+\((?:ИИН|ЖСН|IIN)\s+(\d{12})\))?(?=[;.]|$)", text):
        name, iin = m.group(1).strip(), m.group(2)
        index = next(
            (i for i, f in enumerate(founders) if f.get("name") == name and (iin is None or f.get("iin") == iin)),
            None,
        )
        if index is not None:
            out.append(index)
        elif iin:
            out.append({"name": name, "iin": iin})
        else:
            return []
    return out


def _founder_item(search: _Search, spec: clauses.ClauseSpec, text: str, j: int) -> dict[str, Any] | None:
    """One founder as an item of ``spec`` states it (its name, IIN or BIN, address, share,
    representative), confirmed by rendering the item again with those values; None if not exact."""
    ctx = search.ctx
    money = ctx["_filters"]["money"]
    legal = bool(re.search(r"\b(БИН|БСН|BIN)\b", text))
    marks = {f: f"{_SENTINEL}{n}x" for n, f in enumerate(("name", "id", "address", "share", "rname", "riin", "rdoc"))}
    target = key(text)
    for basis in ("charter", "power_of_attorney", None) if legal else (None,):
        for gender in ("male", "female"):
            element: dict[str, Any] = {
                "kind": "legal_entity" if legal else "person",
                "name": marks["name"],
                "address": marks["address"],
                "share_contribution": _SHARE,
                "iin": None if legal else marks["id"],
                "bin": marks["id"] if legal else None,
                "gender": None if legal else gender,
                "representative": None,
            }
            if legal and basis:
                element["representative"] = {
                    "name": marks["rname"],
                    "iin": marks["riin"],
                    "basis": basis,
                    "document": marks["rdoc"] if basis == "power_of_attorney" else None,
                    "gender": gender,
                }
            try:
                rendered = [t for each, t in clauses.render_each(spec, ctx, element, j) if each == _FOUNDERS]
            except CoopdocsError:
                continue
            if len(rendered) != 1:
                return None
            worded = rendered[0].replace(money(_SHARE), marks["share"])
            split = re.split(f"({_SENTINEL}\\d+x)", worded)
            order = split[1::2]
            names = {m: f for f, m in marks.items()}
            forms = [_ID if names.get(m) in ("id", "riin") else None for m in order]
            values = _fill_in(text, split[0::2], forms)
            if values is None or len(set(order)) != len(order):
                continue
            got = {names[m]: v for m, v in zip(order, values, strict=True)}
            founder = _founder(got, element, legal)
            if founder is None:
                continue
            check = {**founder, "gender": _gender(founder.get("iin"))}
            if check.get("representative"):
                rep = check["representative"]
                check["representative"] = {**rep, "gender": _gender(rep.get("iin"))}
            try:
                again = [t for each, t in clauses.render_each(spec, ctx, {**element, **check}, j) if each == _FOUNDERS]
            except CoopdocsError:
                continue
            if again and key(again[0]) == target:
                return founder
    return None


# --- lists of records (programs, funds.other): read field by field, clause by clause ---------------

_RECORDS_MAX = 3  # records of one list tried (1..3)
_COMBOS_MAX = 729  # choice combinations tried for one clause and one count of records
_NUMBER_MARK = 900001  # a number field while a clause is rendered with marks, found again by its wording


def _record_schema(rules: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    return (rules.get("schema") or {}).get("schema") or {}


def _field_kind(rules: Mapping[str, Any]) -> str:
    kind = rules.get("type")
    if kind == "localized" or (kind == "string" and not rules.get("allowed")):
        return "text"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string" and rules.get("allowed"):
        return "choice"
    if kind == "list" and isinstance(rules.get("schema"), Mapping) and rules["schema"].get("allowed"):
        return "choices"
    return ""


def _dummy(schema: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A record the templates can render: each field's default, else its first allowed value, else
    a plain value of its type (never reported: only fields a clause reads back exactly are)."""
    out: dict[str, Any] = {}
    for name, rules in schema.items():
        kind = rules.get("type")
        if "default" in rules:
            out[name] = copy.deepcopy(rules["default"])
        elif rules.get("allowed"):
            out[name] = rules["allowed"][0]
        elif kind in ("localized", "string"):
            out[name] = "x"
        elif kind in ("integer", "number"):
            out[name] = max(1, int(rules.get("min") or 1))
        elif kind == "boolean":
            out[name] = False
        elif kind == "list" and isinstance(rules.get("schema"), Mapping) and rules["schema"].get("allowed"):
            out[name] = [rules["schema"]["allowed"][0]]
        elif kind == "dict" and isinstance(rules.get("schema"), Mapping):
            out[name] = _dummy(rules["schema"])
        else:
            out[name] = None
    return out


def _field_options(path: str, name: str, rules: Mapping[str, Any], pack: Pack) -> list[Any]:
    """The values a choice field of a record may take: its allowed values; for a list of choices every
    ordered selection (a clause that lists them in order states the order) of the choices import.yaml's
    ``record_choices`` gives for ``<path>[].<name>`` (the lawful ones), else of the allowed ones."""
    if _field_kind(rules) == "choice":
        return list(rules["allowed"])
    allowed = (_pattern_data(pack).get("record_choices") or {}).get(f"{path}[].{name}") or rules["schema"]["allowed"]
    smallest = 1 if rules.get("minlength") else 0
    return [
        list(p)
        for n in range(smallest, len(allowed) + 1)
        for c in itertools.combinations(allowed, n)
        for p in itertools.permutations(c)
    ]


def _template_sources(spec: clauses.ClauseSpec) -> str:
    sources = [spec.when or "", *spec.text.values()]
    for item in spec.items:
        sources += [str(item.get("when") or ""), str(item.get("each") or ""), *(item.get("text") or {}).values()]
    return "\n".join(str(s) for s in sources)


@dataclass
class _Records:
    """A list of records read so far: how many, each record's fields confirmed by a clause read
    exactly (in the context's form: texts in the document's language), and the clause that first
    stated their texts."""

    count: int
    fields: list[dict[str, Any]]
    source: audit.Clause | None = None


def _read_records_clause(
    search: _Search, spec: clauses.ClauseSpec, clause: audit.Clause, path: str, have: _Records | None
) -> tuple[int, list[dict[str, Any]], bool] | None:
    """The records a clause that lists them states: (count, each record's fields the clause tells
    apart, whether it stated a text), or None when no single count reads back exactly. Texts and
    numbers are found between the template's fixed words (each a mark while rendered); choice fields
    by trying their values; only values every exact reading agrees on are kept."""
    schema = _record_schema(search.table[path].rules)
    used_in = _template_sources(spec)
    used = [n for n in schema if re.search(rf"\.{n}\b", used_in) and _field_kind(schema[n])]
    if not used:
        return None
    raw = _full(clause)
    target = key(raw)
    number = search.ctx["_filters"].get("number")
    old = get_at(search.ctx, path)
    counts = [have.count] if have else list(range(1, _RECORDS_MAX + 1))
    good: list[tuple[int, list[dict[str, Any]], set[tuple[int, str]]]] = []
    try:
        for k in counts:
            base = [{**_dummy(schema), **(have.fields[i] if have and i < len(have.fields) else {})} for i in range(k)]
            free = [[n for n in used if not (have and n in have.fields[i])] for i in range(k)]
            choices = [(i, n) for i in range(k) for n in free[i] if _field_kind(schema[n]) in ("choice", "choices")]
            options = [_field_options(path, n, schema[n], search.pack) for _, n in choices]
            total = 1
            for o in options:
                total *= len(o)
            if total > _COMBOS_MAX:
                continue
            for combo in itertools.product(*options):
                records = copy.deepcopy(base)
                for (i, n), value in zip(choices, combo, strict=True):
                    records[i][n] = value
                marks: dict[str, tuple[int, str]] = {}
                numbers: dict[str, str] = {}
                for i in range(k):
                    for n in free[i]:
                        kind = _field_kind(schema[n])
                        mark = f"{_SENTINEL}{len(marks)}x"
                        if kind == "text":
                            records[i][n] = mark
                            marks[mark] = (i, n)
                        elif kind == "number":
                            value = _NUMBER_MARK + len(marks)
                            records[i][n] = value
                            marks[mark] = (i, n)
                            numbers[mark] = number(value) if number else str(value)
                _put(search.ctx, path, records, search.pack)
                rendered = _rendered(spec, search.ctx)
                if not rendered:
                    continue
                for mark, form in numbers.items():
                    if rendered.count(form) == 1:
                        rendered = rendered.replace(form, mark)
                split = re.split(f"({_SENTINEL}\\d+x)", rendered)
                order = split[1::2]
                if len(set(order)) != len(order):
                    continue
                values = _fill_in(raw, split[0::2])
                if values is None or not all(values):
                    continue
                read = copy.deepcopy(records)
                stated: set[tuple[int, str]] = {c for c in choices}
                ok = True
                for mark, value in zip(order, values, strict=True):
                    i, n = marks[mark]
                    if mark in numbers:
                        found = _numbers(value)
                        rules = schema[n]
                        if len(found) != 1 or (rules.get("type") == "integer" and not isinstance(found[0], int)):
                            ok = False
                            break
                        if ("min" in rules and found[0] < rules["min"]) or ("max" in rules and found[0] > rules["max"]):
                            ok = False
                            break
                        read[i][n] = found[0]
                    else:
                        read[i][n] = value
                    stated.add((i, n))
                for i in range(k):  # a field of one allowed value the clause renders with: stated too
                    for n in free[i]:
                        if len(schema[n].get("allowed") or ()) == 1:
                            stated.add((i, n))
                if not ok:
                    continue
                _put(search.ctx, path, read, search.pack)
                if _rendered_key(spec, search.ctx) == target:
                    good.append((k, read, stated))
    finally:
        _put(search.ctx, path, old, search.pack)
    if not good or len({k for k, _, _ in good}) != 1:
        return None
    k = good[0][0]
    fields: list[dict[str, Any]] = [dict(have.fields[i]) if have else {} for i in range(k)]
    texts = False
    for i in range(k):
        for n in used:
            if any((i, n) not in s for _, _, s in good):
                continue
            seen = [r[i][n] for _, r, _ in good]
            if all(v == seen[0] for v in seen):
                fields[i][n] = seen[0]
            elif _field_kind(schema[n]) == "choices" and all(sorted(v) == sorted(seen[0]) for v in seen):
                canonical = [c for c in _field_options(path, n, schema[n], search.pack) if sorted(c) == sorted(seen[0])]
                if canonical:  # the clause names the choices, not their order: in the contract's order
                    fields[i][n] = canonical[0]
            else:
                continue
            texts = texts or _field_kind(schema[n]) == "text"
    return k, fields, texts


def _place_records(
    search: _Search, pairs: Sequence[tuple[audit.Clause, clauses.ClauseSpec, float]], read: dict[str, _Records]
) -> bool:
    """Read the lists of records (programs, funds.other) from the clauses that list them, and put them
    in the context, so that every clause that names them reads back exactly; True when more was read."""
    more = False
    for path, leaf in search.table.items():
        if leaf.kind != "records":
            continue
        for clause, spec, _score in pairs:
            if path not in spec.inputs:
                continue
            have = read.get(path)
            got = _read_records_clause(search, spec, clause, path, have)
            if got is None:
                continue
            k, fields, texts = got
            if have is not None and fields == have.fields:
                continue
            source = have.source if have and have.source else (clause if texts else None)
            read[path] = _Records(k, fields, source)
            more = True
        if path in read:
            schema = _record_schema(leaf.rules)
            records = [{**_dummy(schema), **f} for f in read[path].fields]
            _put(search.ctx, path, records, search.pack)
            search.fixed[path] = read[path].fields
    return more


def _founder(got: Mapping[str, str], element: Mapping[str, Any], legal: bool) -> dict[str, Any] | None:
    founder: dict[str, Any] = {"kind": element["kind"]}
    if "name" in got:
        founder["name"] = got["name"]
    if "id" in got:
        founder["bin" if legal else "iin"] = got["id"]
    if "address" in got:
        founder["address"] = got["address"]
    if "share" in got:
        numbers = _numbers(got["share"])
        if not numbers or not isinstance(numbers[0], int):
            return None
        founder["share_contribution"] = numbers[0]
    rep = element.get("representative")
    if rep and "rname" in got:
        founder["representative"] = {"name": got["rname"], "iin": got.get("riin"), "basis": rep["basis"]}
        if rep["basis"] == "power_of_attorney" and "rdoc" in got:
            founder["representative"]["document"] = got["rdoc"]
    return founder


def _read_founders(search: _Search, pairs: Sequence[tuple[audit.Clause, clauses.ClauseSpec, float]]) -> list[Any]:
    """The founders as the clauses listing them state them (merged by position), or [] when any
    item of such a clause does not read back exactly."""
    merged: list[dict[str, Any]] = []
    sources = []
    for clause, spec, _score in pairs:
        if not any(str(item.get("each")) == _FOUNDERS for item in spec.items):
            continue
        items = [text for _, text in clause.items]
        if not items:
            continue
        read = [_founder_item(search, spec, text, j) for j, text in enumerate(items)]
        if any(r is None for r in read):
            continue
        if merged and len(merged) != len(read):
            return []
        if not merged:
            merged = [dict(r or {}) for r in read]
        for have, new in zip(merged, read, strict=True):
            for field_name, value in (new or {}).items():
                if have.setdefault(field_name, value) != value:
                    return []
        sources.append(clause)
    return [merged, sources] if merged else []


def _fill_in(raw: str, fixed: Sequence[str], forms: Sequence[str | None] = ()) -> list[str] | None:
    """The parts of ``raw`` between the template's fixed texts. First as written (spaces aside), then
    compared as keys (a PDF's breaks and hyphens aside); the punctuation the template writes next to
    a value, such as « and », is not part of the value. ``forms``: a value's own pattern (schema regex)."""
    groups = [f"({form})" if form else "(.+?)" for form in (list(forms) + [None] * len(fixed))[: len(fixed) - 1]]
    literal = [r"\s*".join(re.escape(part) for part in f.split()) for f in fixed]
    flat = " ".join(raw.split())
    pattern = literal[0] + "".join(r"\s*" + g + r"\s*" + lit for g, lit in zip(groups, literal[1:], strict=True))
    match = re.fullmatch(pattern, flat, re.DOTALL | re.IGNORECASE)
    if match is not None:
        return [match.group(n).strip() for n in range(1, len(fixed))]
    index = [i for i, ch in enumerate(raw) if key(ch)]
    chars = "".join(key(raw[i]) for i in index)
    keyed = [
        f"({key_form(form)})" if form else "(.+?)" for form in (list(forms) + [None] * len(fixed))[: len(fixed) - 1]
    ]
    pattern = re.escape(key(fixed[0])) + "".join(g + re.escape(key(f)) for g, f in zip(keyed, fixed[1:], strict=True))
    match = re.fullmatch(pattern, chars, re.DOTALL | re.IGNORECASE)
    if match is None:
        return None
    values = []
    for n in range(1, len(fixed)):
        a, b = match.start(n), match.end(n)
        start = index[a - 1] + 1 if a else 0
        end = index[b] if b < len(index) else len(raw)
        value = raw[start:end].strip()
        lead = re.search(r"[\W_]*$", fixed[n - 1]).group().strip()  # type: ignore[union-attr]
        trail = re.match(r"[\W_]*", fixed[n]).group().strip()  # type: ignore[union-attr]
        if lead and value.startswith(lead):
            value = value[len(lead) :].lstrip()
        if trail and value.endswith(trail):
            value = value[: -len(trail)].rstrip()
        values.append(value)
    return values


def key_form(form: str) -> str:
    """A schema regex as it applies to keyed text (no spaces or punctuation to match)."""
    return form.replace(" ", "")


def _between(raw: str, before: str, after: str) -> str | None:
    """The part of ``raw`` between the text ``before`` and ``after`` (compared as keys; the
    punctuation the template writes on either side, such as « and », is not part of the value)."""
    kb, ka = key(before), key(after)
    index = [i for i, ch in enumerate(raw) if key(ch)]
    chars = "".join(key(raw[i]) for i in index)
    if not chars.startswith(kb) or not chars.endswith(ka) or len(kb) + len(ka) >= len(chars):
        return None
    start = index[len(kb) - 1] + 1 if kb else 0
    end = index[len(chars) - len(ka)] if ka else len(raw)
    value = raw[start:end].strip()
    lead = re.search(r"[\W_]*$", before).group().strip()  # type: ignore[union-attr]
    trail = re.match(r"[\W_]*", after).group().strip()  # type: ignore[union-attr]
    if lead and value.startswith(lead):
        value = value[len(lead) :].lstrip()
    if trail and value.endswith(trail):
        value = value[: -len(trail)].rstrip()
    return value or None


# --- one document --------------------------------------------------------------------------------


@dataclass
class _Read:
    document: reading.Document
    kind: str
    lang: str
    values: list[Found]
    numbering: dict[str, str]
    signers: list[tuple[str, Source]] = field(default_factory=list)  # the names under «Подписи учредителей»
    left: int = 0  # paired clauses that did not read back exactly
    cuts: list[tuple[list[tuple[str, str, str]], audit.Clause]] = field(default_factory=list)  # see _cut_as_read
    wanting: dict[str, Any] = field(default_factory=dict)  # the values the clauses left use, as they were tried


def _signers(document: reading.Document, lang: str, pack: Pack) -> list[tuple[str, Source]]:
    """The names in the signature block the pack writes («Подписи учредителей:», then «1. NAME ____»)."""
    from coopdocs.writers.render import signatures_title

    title = key(signatures_title(lang, pack))
    paragraphs = list(document.paragraphs)
    start = next((i for i, p in enumerate(paragraphs) if key(p.text) == title), None)
    if start is None:
        return []
    out = []
    for p in paragraphs[start + 1 :]:
        match = re.fullmatch(r"(\d+)\.\s+(.+?)\s*_{3,}", p.text.strip())
        if match is None:
            break
        out.append((match.group(2), Source(Path(document.path).name, f"{match.group(1)}.", p.text, p.page, lang)))
    return out


_SEEDED = ("int", "number", "enum", "bool", "enums", "date", "term")


def _seeds(reads: Sequence[_Read], table: Mapping[str, Leaf]) -> dict[str, Any]:
    """Values other documents read exactly (numbers, choices, dates: not texts, which are in their
    language): the starting context of a document whose clauses need them to read at all (the
    minutes' list of founders' contributions names the forms of contribution the charter states)."""
    out: dict[str, Any] = {}
    clash: set[str] = set()
    for r in reads:
        for f in r.values:
            seeded = f.certain and f.how != "pattern" and f.path in table and table[f.path].kind in _SEEDED
            if seeded and out.setdefault(f.path, f.value) != f.value:
                clash.add(f.path)
    return {p: v for p, v in out.items() if p not in clash}


def _read_document(
    document: reading.Document,
    pack: Pack,
    filler: Any,
    table: Mapping[str, Leaf],
    seeds: Mapping[str, Any] | None = None,
) -> _Read:
    lang = _language(document)
    found = audit.split(document)
    libraries = _libraries(filler, lang, pack)
    share, pairs, kind = 0.0, [], ""
    for library in libraries:
        s, p = _pairs(found, library)
        if s > share:
            share, pairs, kind = s, p, library.name
    name = Path(document.path).name
    if share < 0.3:  # not one of the pack's documents as coopdocs writes them: generic patterns only
        looks = any(re.search(r"\bустав|жарғ", p.text.lower()) for p in document.paragraphs[:30])
        found_values = _read_patterns(found, lang, name, pack, set()) if looks else []
        return _Read(document, "charter" if looks else "", lang, found_values, {})
    search = _Search(filler, lang, pack, table)
    for path, value in (seeds or {}).items():  # a start only: a value is reported when a clause reads it
        _put(search.ctx, path, copy.deepcopy(value), pack)
    values: list[Found] = []
    numbering = {spec.id: clause.label for clause, spec, _ in pairs}
    _place_founders(search, pairs, values, name, lang)
    records: dict[str, _Records] = {}
    _place_records(search, pairs, records)
    on_records: dict[tuple[str, str], tuple[Any, audit.Clause]] = {}  # (list, field) -> value stated by wording
    cuts: list[tuple[list[tuple[str, str, str]], audit.Clause]] = []  # location lines no cut of which is sure

    def rounds(todo: list[tuple[audit.Clause, clauses.ClauseSpec, float]]) -> list[Any]:
        for _ in range(3):  # a value read in one clause helps read the next; go round until nothing new
            left = []
            for clause, spec, _score in todo:
                got = search.read(spec, clause)
                exact = key(_full(clause)) == _rendered_key(spec, search.ctx)
                if not got and not exact:
                    left.append((clause, spec, _score))
                    continue
                for implied in _implied(pack).get(spec.id, ()) if exact else ():
                    path, value = str(implied["path"]), implied["value"]
                    if "[]." in path:  # a field of every record of a list (programs[].referral_reward)
                        on_records.setdefault(tuple(path.split("[].", 1)), (value, clause))  # type: ignore[arg-type]
                    elif path not in search.fixed:
                        search.fixed[path] = value
                        source = Source(name, clause.label, _quote(_full(clause)), clause.page, lang)
                        values.append(Found(path, value, source, "wording"))
                if exact:
                    values.extend(_short_names(search, spec, clause, name, {f.path for f in values}))
                if search.cuts:
                    cuts.append((search.cuts, clause))
                for leaf, value in got:
                    if leaf.path in search.fixed:
                        continue
                    source = Source(name, clause.label, _window(_full(clause), value), clause.page, lang)
                    if leaf.path in search.ambiguous or leaf.path in search.undecided:
                        note = search.undecided.get(leaf.path, "punctuation")
                        values.append(Found(leaf.path, value, source, "clause", False, note))
                        continue
                    search.fixed[leaf.path] = value
                    values.append(Found(leaf.path, value, source, "clause"))
            if len(left) == len(todo):
                break
            todo = left
        return todo

    todo = rounds(list(pairs))
    # with the other values read, more of the founders' items and of the records' clauses read
    again = _place_founders(search, pairs, values, name, lang)
    if _place_records(search, pairs, records) or again:
        todo = rounds(todo)
    library = next(lib for lib in libraries if lib.name == kind)
    for leaf, value, clause in _read_across(search, pairs, library.specs if share >= _WHOLE else []):
        search.fixed[leaf.path] = value
        values.append(
            Found(leaf.path, value, Source(name, clause.label, _quote(_full(clause)), clause.page, lang), "clause")
        )
    for path, listed in records.items():
        fields = [dict(f) for f in listed.fields]
        for (where, field_name), (value, _clause) in on_records.items():
            if where == path:
                for record in fields:
                    record.setdefault(field_name, value)
        first = listed.source or next(c for c, sp, _ in pairs if path in sp.inputs)
        values = [f for f in values if f.path != path]
        values.append(Found(path, fields, Source(name, first.label, _quote(_full(first)), first.page, lang), "clause"))
    if kind == "charter":
        read = {f.path for f in values} | set(search.fixed)
        values += _read_patterns(found, lang, name, pack, read)
    if document.kind == "pdf":
        # the text layer as the PDF has it, a hyphen at a line's end kept (pdftotext's default mode,
        # which the document was read with, drops it and joins the word); else the paragraphs read
        layer = _pdf_raw(document.path) or "\n".join(p.text for p in document.paragraphs)
        values = [_pdf_checked(f, layer, table) for f in values]
    signers = _signers(document, lang, pack) if kind == "charter" else []
    left = [leaf for _, sp, _ in todo for leaf in _refs(sp, table)]
    wanting = {leaf.path: copy.deepcopy(get_at(search.ctx, leaf.path)) for leaf in left}
    return _Read(document, kind, lang, values, numbering, signers, len(todo), cuts, wanting)


def _cut_as_read(read: _Read, reads: Sequence[_Read], pack: Pack) -> None:
    """A location line no cut of which reads as a region of the closed list (the English one: the list
    has no English names), cut as the lines of the other languages are: the input's location is one
    address, each language's line writes its parts in the same order with the same commas between
    them. Taken when the lines read in the other languages agree on whether a region is written and on
    how many comma parts the locality has, and exactly one cut that reads back exactly has them, with
    the address holding the same house and office numbers (and the region and locality none of them)."""
    data = _location_data(pack)
    if not read.cuts or not data:
        return
    paths = data["paths"]
    parts = (paths["region"], paths["locality"], paths["address"])
    seen: dict[str, dict[str, set[str]]] = {}
    for other in reads:
        if other.lang == read.lang:
            continue
        for f in other.values:
            if f.path in parts and f.certain and f.how == "clause" and isinstance(f.value, str):
                seen.setdefault(other.lang, {}).setdefault(f.path, set()).add(f.value)
    shapes = set()
    for got in seen.values():
        if any(len(got.get(p, ())) != 1 for p in parts):
            return  # a language whose line is not read whole, or read differently: nothing to go by
        region, locality, address = (next(iter(got[p])) for p in parts)
        shapes.add((region != locality, len(locality.split(",")), frozenset(_house_numbers(address))))
    if len(shapes) != 1:
        return
    written, count, numbers = shapes.pop()
    # each part names the same place as the other languages' part (Astana, Yesil, Mangilik: their
    # letters in Latin), so that a region left out in one language does not shift the cut
    known = [[next(iter(got[p])) for got in seen.values()] for p in parts]
    for candidates, clause in read.cuts:
        fits = {
            values
            for values in candidates
            if (values[0] != values[1]) == written
            and len(values[1].split(",")) == count
            and _house_numbers(values[2]) == numbers
            and not (_house_numbers(values[0]) | _house_numbers(values[1])) & numbers
            and all(_sounds_like(v, k) for v, k in zip(values, known, strict=True))
        }
        if len(fits) != 1:
            continue
        chosen = dict(zip(parts, fits.pop(), strict=True))
        name = Path(read.document.path).name
        at = next((i for i, f in enumerate(read.values) if f.path in parts and not f.certain), None)
        if at is None:
            continue
        read.values[:] = [f for f in read.values if not (f.path in parts and not f.certain)]
        for path in parts:
            source = Source(name, clause.label, _window(_full(clause), chosen[path]), clause.page, read.lang)
            read.values.insert(at, Found(path, chosen[path], source, "clause"))
            at += 1
        if read.document.kind == "pdf":
            layer = _pdf_raw(read.document.path) or "\n".join(p.text for p in read.document.paragraphs)
            table = leaves(pack)
            read.values[:] = [_pdf_checked(f, layer, table) if f.path in parts else f for f in read.values]


_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэәғқңөұүһі", "abvgdeziyklmnoprstufyeagknouuhi", strict=True)),
        **{"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"},
        **{"ъ": "", "ь": ""},
    }
)


def _sounds_like(text: str, others: Sequence[str]) -> bool:
    """A word of ``text`` (Latin letters) is, letter for letter, a word of one of ``others`` written in
    Latin letters (Astana / Астана, Yesil / Есиль, Qonaev / Конаев: ratio ≥ 75)."""
    from rapidfuzz import fuzz

    def words(value: str) -> set[str]:
        return {w for w in re.findall(r"[^\W\d_]{3,}", value.lower().translate(_LATIN))}

    mine = {w.replace("q", "k").replace("j", "zh") for w in words(text)}
    theirs = {w for other in others for w in words(other)}
    return any(fuzz.ratio(a, b) >= 75 for a in mine for b in theirs)


def _house_numbers(text: str) -> set[str]:
    """The numbers an address part holds (55/20, 214): the same in every language's line."""
    return set(re.findall(r"\d+(?:[/-]\d+)*", text))


def _short_names(
    search: _Search, spec: clauses.ClauseSpec, clause: audit.Clause, name: str, reported: set[str]
) -> list[Found]:
    """The short name in every language a name clause read exactly states («сокращённое наименование
    на казахском языке: ПК «Общий стол»» in a Russian charter), when one of them is not the short name
    the pack composes from the full name beside it: then each is a value of its own (a text per
    language; the same text in each: written once for every language). A full name not in the pack's
    form («as stated in the Kazakh text of this Charter») names no short name in that language."""
    path = "cooperative.short_name"
    leaf = search.table.get(path)
    if not search.names or leaf is None:
        return []
    pack, lang = search.pack, search.lang
    shorts: dict[str, str] = {}
    differs = False
    for other, got in search.names.items():
        full, short = got.get("full"), got.get("short")
        composed = _composed_short(" ".join(str(full).split()), other, pack) if full else None
        if composed is None or not short:
            continue
        shorts[other] = short
        differs = differs or _unlike(short, composed)
    sources = _template_sources(spec)
    own = search.text_value(spec, leaf, _full(clause)) if re.search(rf"names\.(?:{lang}\.)?short", sources) else None
    if own:
        shorts[lang] = own
        composed_own = str(pack.meta["names"]["short"][lang]).format(name=str(search.ctx["cooperative"]["name"]))
        differs = differs or _unlike(own, composed_own)
    if not differs:
        return []
    out = []
    for other, short in shorts.items():
        if other == lang and path in reported | set(search.fixed):
            continue
        source = Source(name, clause.label, _window(_full(clause), short), clause.page, other)
        out.append(Found(path, short, source, "clause"))
    return out


def _unlike(text: str, composed: str) -> bool:
    """A name as written differs from the composed one: other letters, or other quotes (CC "X" for
    CC “X”); spaces and hyphens aside (a PDF's line breaks)."""
    return re.sub(r"[\s\-\u00ad]+", "", text) != re.sub(r"[\s\-\u00ad]+", "", composed)


_WHOLE = 0.9  # a document of which this share of clauses pairs with the library is read as whole


def _read_across(
    search: _Search, pairs: Sequence[tuple[audit.Clause, clauses.ClauseSpec, float]], unpaired: Sequence[Any]
) -> list[tuple[Leaf, Any, audit.Clause]]:
    """Lists of choices no one clause tells apart but the clauses together do (unanimous_matters:
    the clause on fund rules says whether fund_rules is among them, the list of qualified matters
    whether the others are): the one value every clause that uses it reads back exactly with, among
    the list's selections. ``unpaired``: the library's clauses of a document read as whole; a value
    under which one of them that the document lacks would be written (its condition names the list)
    is not the document's."""
    out = []
    paired = {id(spec) for _, spec, _ in pairs}
    own_words = _pattern_data(search.pack).get("others") or {}
    for path, leaf in search.table.items():
        if leaf.kind != "enums" or path in search.fixed or path in own_words:  # those: by the clause's items
            continue
        using = [(c, spec) for c, spec, _ in pairs if any(r.path == path for r in _refs(spec, search.table))]
        if not using or any(key(_full(c)) != _rendered_key(spec, search.ctx) for c, spec in using):
            continue
        absent = [spec for spec in unpaired if id(spec) not in paired and path in str(spec.when or "")]
        current = get_at(search.ctx, path)
        good = []
        try:
            for option in [current, *(o for o in _candidates(leaf, current, "", search.lang) if o != current)]:
                _put(search.ctx, path, option, search.pack)
                if all(key(_full(c)) == _rendered_key(spec, search.ctx) for c, spec in using) and not any(
                    _rendered(spec, search.ctx) is not None for spec in absent
                ):
                    good.append(option)
        finally:
            _put(search.ctx, path, current, search.pack)
        if len(good) == 1:
            out.append((leaf, good[0], using[0][0]))
    return out


def _texts_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for v in value for t in _texts_of(v)]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in ("iin", "bin", "kind", "basis") for t in _texts_of(v)]
    return []


def _pdf_raw(path: str) -> str | None:
    """The PDF's text layer in pdftotext's raw mode (words broken at a line's end keep their hyphen),
    or None where pdftotext is not installed or fails."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        return None
    try:
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", "-q", path, "-"], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def _pdf_checked(found: Found, joined: str, table: Mapping[str, Leaf]) -> Found:
    """A text read from a PDF is certain only where the PDF has it whole: on one line, or broken
    across lines at a space. A word broken at a line's end may have lost or kept a hyphen that the
    keys compare without (pdftotext joins «к-» + «сі» into «ксі»)."""
    free = found.path == _FOUNDERS or (found.path in table and table[found.path].kind in ("text", "textlist"))
    if not found.certain or not free:
        return found
    for text in _texts_of(found.value):
        pattern = r"[ \n]+".join(re.escape(part) for part in text.split())
        if not re.search(pattern, joined):
            return replace_note(found, "pdf_break")
    return found


def _place_founders(
    search: _Search,
    pairs: Sequence[tuple[audit.Clause, clauses.ClauseSpec, float]],
    values: list[Found],
    name: str,
    lang: str,
) -> bool:
    """Read the founders (again) and put them in the context; True when they changed."""
    founders = _read_founders(search, pairs)
    if not founders:
        return False
    listed, where = founders
    if not all("name" in f and ("iin" in f or "bin" in f) for f in listed):
        return False
    before = next((f for f in values if f.path == _FOUNDERS), None)
    if before is not None and before.value == listed:
        return False
    in_ctx = []
    for f in listed:
        entry = {"iin": None, "bin": None, "representative": None, "share_contribution": 0, "address": "", **f}
        entry["gender"] = _gender(f.get("iin"))
        if f.get("representative"):
            rep = f["representative"]
            entry["representative"] = {"document": None, **rep, "gender": _gender(rep.get("iin"))}
        in_ctx.append(entry)
    _put(search.ctx, _FOUNDERS, in_ctx, search.pack)
    search.fixed[_FOUNDERS] = listed
    first = where[0]
    source = Source(name, first.label, _quote(_full(first)), first.page, lang)
    if before is not None:
        values.remove(before)
    values.append(Found(_FOUNDERS, listed, source, "clause"))
    return True


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --- several documents -> one draft ---------------------------------------------------------------


def packs(first: Pack | None = None) -> list[Pack]:
    """Every installed rule pack (``available_packs``), ``first`` (the command line's default) first."""
    from coopdocs.packs.pack import available_packs

    return sorted(available_packs(), key=lambda p: p != first)


def _recognised(documents: Sequence[reading.Document], pack: Pack) -> float:
    """How much of the documents reads like the pack's own libraries (paired clauses, summed); -1
    for a pack whose default cooperative (the filler) cannot be made."""
    try:
        filler = _filler(pack)
    except CoopdocsError:
        return -1.0
    total = 0.0
    for document in documents:
        lang = _language(document)
        found = audit.split(document)
        total += max((_pairs(found, library)[0] for library in _libraries(filler, lang, pack)), default=0.0)
    return total


def _language_order(pack: Pack) -> Callable[[str], int]:
    """Documents in the pack's languages sort in its order (``pack.yaml`` ``languages``)."""
    order = {lang: i for i, lang in enumerate(pack.languages)}
    return lambda lang: order.get(lang, len(order))


def import_path(path: Path, pack: Pack | None = None, *, first: Pack | None = None) -> Imported:
    """A draft of the input read from a charter (a file) or from the founding documents (a folder).
    Without ``pack``, the pack whose clause libraries the documents read most like (``first``, the
    command line's default, wins a tie)."""
    return import_documents(read_documents(path), pack, first=first)


def import_documents(
    documents: Sequence[reading.Document], pack: Pack | None = None, *, first: Pack | None = None
) -> Imported:
    """``import_path`` for documents already read (``audit`` reads the programmes' terms so, without
    reading the file again)."""
    if pack is None:
        candidates = packs(first)
        # the documents name the legal form of one pack («Потребительский кооператив «…»»), else the
        # pack whose libraries they read most like
        named = [p for p in candidates if audit.names_form(documents, p)]
        pack = named[0] if len(named) == 1 else max(candidates, key=lambda p: _recognised(documents, p))
    try:
        filler = _filler(pack)
    except CoopdocsError as exc:
        raise UsageError.said("import_pack", form=pack.form) from exc
    table = leaves(pack)
    documents = [half for d in documents for half in _columns(d)]  # a kk | ru file: each column a document
    reports = [d for d in documents if _is_report(d, pack)]  # the compliance report: read after the others
    documents = [d for d in documents if d not in reports]
    reads: list[_Read] = []
    for document in documents:  # each from the values the documents before it read (a start only)
        reads.append(_read_document(document, pack, filler, table, _seeds(reads, table)))
    for i, r in enumerate(reads):  # once more, from what the others read, where clauses were left
        seeds = _seeds(reads[:i] + reads[i + 1 :], table) if r.kind and r.left else {}
        # only when another document read a value those clauses use, other than the one they were tried
        # with (a Russian document beside the Kazakh one has read the same values: not read again)
        if any(path in r.wanting and not same(r.wanting[path], value) for path, value in seeds.items()):
            again = _read_document(r.document, pack, filler, table, seeds)
            if again.left < r.left:
                reads[i] = again
    for r in reads:
        _cut_as_read(r, reads, pack)
    kinds = list(pack.meta.get("documents") or {})
    order = _language_order(pack)
    reads.sort(key=lambda r: (kinds.index(r.kind) if r.kind in kinds else len(kinds), order(r.lang)))
    notes = [f"{Path(d.path).name}: {n}" for d in documents for n in d.notes]
    for r in reads:
        if not r.kind:
            notes.append(f"{Path(r.document.path).name}: not recognised as one of the founding documents; nothing read")
    result = assemble(reads, table, pack, notes)
    _read_reports(reports, result)
    _read_layout(reads, result)
    return result


# --- the compliance report and the layout (a folder of everything `build` writes) ---------------------


def _columns(document: reading.Document) -> list[reading.Document]:
    """A document in the parallel layout (two columns, one language each) as one document per column,
    each with the lines outside the columns (the approval block, the title); any other as it is."""
    if len(document.columns) != 2:
        return [document]
    halves = [replace(document, paragraphs=column, columns=()) for column in document.columns]
    if len({_language(half) for half in halves}) != 2:  # not two languages side by side: read it whole
        return [replace(document, columns=())]
    return halves


def _is_report(document: reading.Document, pack: Pack) -> bool:
    """The compliance report coopdocs writes: its first lines carry the report's title in some language."""
    from coopdocs.compose import compliance

    try:
        titles = {key(str(t)) for t in compliance.wording(pack)["title"].values()}
    except CoopdocsError:
        return False
    return any(key(p.text) in titles for p in document.paragraphs[:5])


_RECORD_TERMS = ("price", "monthly_payment", "rest_paid_by", "advance")  # what the report's terms line states


def _report_readings(
    program: Mapping[str, Any], item: str, assumed: str | None, lang: str, pack: Pack
) -> list[dict[str, Any]]:
    """Every set of money terms of ``program`` whose terms line (and line of what was assumed) reads as
    the report's ``item`` (``assumed``: the report's next line when it names assumed figures). The
    candidates: the line's numbers; who pays the rest (none given is the one derived from the programme's
    sources, the same terms); the advance absent or repaid in one of the numbers of months, capped or not."""
    from coopdocs.checking import stress
    from coopdocs.compose import stressreport

    target = key(item)
    told = key(assumed) if assumed else None
    # whole numbers, grouped by spaces (ru, kk) or commas (en: 24,000,000)
    numbers = sorted(
        {int(re.sub(r"\D", "", n)) for n in re.findall(r"\d{1,3}(?:[ ,\u00a0\u202f]\d{3})+(?!\d)|\d+", item)}
    )
    payers = list(_program_rules(pack).get("rest_paid_by", {}).get("allowed") or [])
    advances: list[dict[str, Any] | None] = [None]
    advances += [{"repayment_months": m, "capped_by_own_funds": c} for m in numbers if m <= 600 for c in (True, False)]
    out = []
    for price, monthly, payer, advance in itertools.product(
        [None, *(n for n in numbers if n >= 1)], [None, *numbers], payers, advances
    ):
        terms = {"price": price, "monthly_payment": monthly, "rest_paid_by": payer, "advance": advance}
        candidate = {**program, **{k: v for k, v in terms.items() if v is not None}}
        lines = stressreport.terms_lines(stress.terms_of(candidate), lang, pack)
        if key(lines[0]) != target or (key(lines[1]) if len(lines) > 1 else None) != told:
            continue
        out.append(terms)
    return out


def _program_rules(pack: Pack) -> Mapping[str, Any]:
    leaf = leaves(pack).get("programs")
    return _record_schema(leaf.rules) if leaf is not None else {}


def _report_item(clause: audit.Clause, label: str) -> tuple[int, str, str | None] | None:
    """The item of ``clause`` that begins with the terms label, its number, and the next item (the
    line of assumed figures, or the model's)."""
    texts = [clause.text, *(t for _, t in clause.items)]
    for i, text in enumerate(texts):
        if key(text).startswith(label):
            return i, text, texts[i + 1] if i + 1 < len(texts) else None
    return None


def _read_reports(reports: Sequence[reading.Document], result: Imported) -> None:
    """The programmes' money terms the compliance report states (its stress test's terms line, per
    programme, read against the programmes the other documents read), each with its clause; a term
    every exact reading agrees on is taken, one they disagree on is left out (the report does not tell
    it apart), terms the languages' reports state differently are uncertain."""
    from coopdocs.compose import stressreport

    programs = result.data.get("programs")
    programs = programs if isinstance(programs, list) else []  # none read: the summary is read still
    if not reports:
        return
    pack = result.pack
    labels = stressreport.wording(pack)["labels"]
    found: dict[str, list[Found]] = {}
    order = _language_order(pack)
    for document in sorted(reports, key=lambda d: order(_language(d))):  # the first language's quotes
        lang = _language(document)
        result.documents.append((Path(document.path).name, "compliance", lang))
        if lang not in labels["terms"]:
            continue
        label = key(str(labels["terms"][lang]).split("{", 1)[0])
        assumed_label = key(str(labels["assumed"][lang]).split("{", 1)[0])
        heading = str(compliance_wording(pack)["stress"]["programme"][lang])
        clauses_found = audit.split(document)
        for index, program in enumerate(programs):
            name = stressreport.name_of(program, lang)
            opening = key(heading.split("{verdict}", 1)[0].format(name=name))
            clause = next((c for c in clauses_found if key(c.text).startswith(opening)), None)
            got = _report_item(clause, label) if clause is not None else None
            if clause is None or got is None:
                continue
            number, item, after = got
            assumed = after if after is not None and key(after).startswith(assumed_label) else None
            readings = _report_readings(program, item, assumed, lang, pack)
            if not readings:
                continue
            where = f"{clause.label} {clause.items[number - 1][0]}" if number else clause.label
            source = Source(Path(document.path).name, where, _quote(item), clause.page, lang)
            for name_ in _RECORD_TERMS:
                values = {_hashable(r[name_]) for r in readings}
                if len(values) != 1 or readings[0][name_] is None:
                    continue
                value = readings[0][name_]
                parts = value.items() if isinstance(value, dict) else [("", value)]
                for sub, v in parts:
                    path = f"programs[{index}].{name_}" + (f".{sub}" if sub else "")
                    found.setdefault(path, []).append(Found(path, v, replace(source, quote=_window(item, v)), "report"))
        for path, f in _read_outcomes(document, lang, result.data, pack):
            found.setdefault(path, []).append(f)
        for f in _read_summary(document, lang, result):
            found.setdefault(f.path, []).append(f)
    for path, entries in found.items():
        if len({_hashable(f.value) for f in entries}) > 1:
            result.uncertain += [replace_note(f, "differ") for f in entries]
            continue
        if not path.startswith("programs["):  # a value of the cooperative the founding documents left open
            _set(result.data, path, entries[0].value)
            result.found.append(entries[0])
            result.missing = [p for p in result.missing if p != path]
            continue
        index_text, rest = path.split("].", 1)
        target = programs[int(index_text.split("[", 1)[1])]
        for part in rest.split(".")[:-1]:
            target = target.setdefault(part, {})
        target[rest.split(".")[-1]] = entries[0].value
        result.found.append(entries[0])


def _read_summary(document: reading.Document, lang: str, result: Imported) -> list[Found]:
    """Values the founding documents did not tell apart that the report's summary for a member states
    (``compliance.yaml`` ``summary``: «ревизионная комиссия проверяет их работу не реже 2 раз в год», where
    the charter reads «не реже одного раза в год» for 0 and 1): the draft, with each candidate of such a
    value (the summary's numbers, the choices), validated and the paragraph rendered again; taken when
    exactly one candidate reads as one of the report's clauses."""
    from coopdocs.inputs.loader import Loaded, Positions
    from coopdocs.inputs.schema import validate_input

    pack = result.pack
    table = leaves(pack)
    entries = [str(e[lang]) for e in compliance_wording(pack)["summary"]["paragraphs"] if lang in e]
    todo = {
        m.group(): source
        for source in entries
        for m in _REF.finditer(source)
        if m.group() in table
        and table[m.group()].kind in ("int", "number", "enum", "bool")
        and get_at(result.data, m.group()) is None
    }
    if not todo:
        return []
    clauses_found = audit.split(document)
    keys = {key(_full(c)): c for c in clauses_found}
    text = " ".join(_full(c) for c in clauses_found[:40])
    out: list[Found] = []
    for path, source in todo.items():
        leaf = table[path]
        numbers = [n for n in _numbers(text) if isinstance(n, int)] + [0, 1]
        candidates = (
            _values(leaf, None, " ".join(map(str, numbers)), lang)
            if leaf.kind != "int"
            else list(
                dict.fromkeys(
                    n
                    for n in numbers
                    if (leaf.rules.get("min") is None or n >= leaf.rules["min"])
                    and (leaf.rules.get("max") is None or n <= leaf.rules["max"])
                )
            )
        )
        fits: list[tuple[Any, audit.Clause]] = []
        base = _over(_filler(pack).data, result.data)  # what the documents did not give: the filler's
        for candidate in candidates:
            data = copy.deepcopy(base)
            _set(data, path, candidate)
            coop, _ = validate_input(Loaded(document.path, data, Positions(), []), default_pack=pack)
            if coop is None:
                continue
            try:
                rendered = clauses.render_text(source, clauses.with_filters(clauses.jinja_context(coop, lang)), path)
            except CoopdocsError:
                continue
            clause = keys.get(key(rendered))
            if clause is not None:
                fits.append((candidate, clause))
        if len(fits) == 1:
            value, clause = fits[0]
            where = Source(Path(document.path).name, clause.label, _window(_full(clause), value), clause.page, lang)
            out.append(Found(path, value, where, "report"))
    return out


def _over(base: Any, top: Any) -> Any:
    """``top`` laid over ``base``: mappings merged key by key (a text in languages replaced whole), the
    rest ``top``'s; a None of ``base`` (a key the contract leaves out) dropped."""
    if isinstance(base, dict) and isinstance(top, dict) and not (top and set(top) <= {"ru", "kk", "en"}):
        merged = {k: _over(v, None) for k, v in base.items() if v is not None}
        for k, v in top.items():
            merged[k] = _over(merged.get(k), v)
        return merged
    if top is None and isinstance(base, dict):
        return _over(base, {})
    if top is None and isinstance(base, list):
        return [_over(v, None) for v in base]
    return copy.deepcopy(top if top is not None else base)


def _outcome_fields(pack: Pack) -> dict[str, list[Any]]:
    """A programme's fields that only the rules' outcomes show, with every value they may take: a yes/no
    with a default, or a block of such (``reporting``); none given is the default (the same findings)."""
    out: dict[str, list[Any]] = {}
    for name, rules in _program_rules(pack).items():
        if rules.get("type") == "boolean" and "default" in rules:
            out[name] = [True, False]
        elif rules.get("type") == "dict" and isinstance(rules.get("schema"), Mapping):
            fields = dict(rules["schema"])
            if fields and all(r.get("type") == "boolean" and "default" in r for r in fields.values()):
                out[name] = [
                    dict(zip(fields, combo, strict=True))
                    for combo in itertools.product((True, False), repeat=len(fields))
                ]
    return out


def _outcomes(joined: str, lang: str, pack: Pack) -> dict[str, tuple[str, set[str]]]:
    """Per rule the report's table names: (its result as printed, the input paths its findings name)."""
    from coopdocs.checking import rules

    text = compliance_wording(pack)
    results = {str(v[lang]) for v in text["results"].values() if lang in v}
    passed = str(text["results"]["passed"][lang])
    rule_word, finding_word = str(text["labels"]["rule"][lang]), str(text["labels"]["finding"][lang])
    ids = [r.id for r in rules.load_rules(pack)]
    heads = sorted(i for i in (joined.find(f"{rule_word} {r}") for r in ids) if i >= 0)
    out: dict[str, tuple[str, set[str]]] = {}
    for rule_id in ids:
        match = re.search(re.escape(rule_id) + r"\s+(" + "|".join(map(re.escape, results)) + ")", joined)
        if match is None:
            continue
        paths: set[str] = set()
        start = joined.find(f"{rule_word} {rule_id} ")
        if match.group(1) != passed and start < 0:  # failed, and where it says why was not found: unknown
            continue
        if start >= 0:
            end = next((i for i in heads if i > start), len(joined))
            paths = set(re.findall(re.escape(finding_word) + r":\s+(programs\[\d+\][^\s:(]*)", joined[start:end]))
        out[rule_id] = (match.group(1), paths)
    return out


def _read_outcomes(
    document: reading.Document, lang: str, data: Mapping[str, Any], pack: Pack
) -> list[tuple[str, Found]]:
    """The programmes' yes/no terms the report's rules tell apart (``reporting``, savings returned on
    demand): each value is checked by the pack's rules over the programmes as read, and taken when it alone
    gives, for every rule it changes, the report's result and the findings it names in that programme
    (a passed «KZ-PC-PROGRAM-REPORTING соответствует»: published and audited accounts)."""
    from coopdocs.checking import rules

    joined = " ".join(p.text for p in document.paragraphs)
    told = _outcomes(joined, lang, pack)
    programs = data.get("programs") or []
    out: list[tuple[str, Found]] = []
    checked = [r for r in rules.load_rules(pack) if r.id in told]
    clauses_found = audit.split(document)
    for index, program in enumerate(programs):
        own = f"programs[{index}]"
        for name, candidates in _outcome_fields(pack).items():
            if name in program:
                continue
            seen: list[dict[str, frozenset[str] | None]] = []
            for candidate in candidates:
                trial = copy.deepcopy(dict(data))
                trial["programs"][index][name] = candidate
                named: dict[str, frozenset[str] | None] = {}
                for rule in checked:
                    try:
                        found = rule.findings(trial, pack)
                    except Exception:  # noqa: BLE001 - a draft the rule cannot read says nothing of it
                        named[rule.id] = None
                        continue
                    named[rule.id] = frozenset(
                        f.path for f in found if f.path == own or f.path.startswith((own + ".", own + "["))
                    )
                seen.append(named)
            varying = [
                r.id for r in checked if None not in {n[r.id] for n in seen} and len({n[r.id] for n in seen}) > 1
            ]
            if not varying:
                continue
            on_file = {
                rule_id: frozenset(p for p in told[rule_id][1] if p == own or p.startswith((own + ".", own + "[")))
                for rule_id in varying
            }
            fits = [
                c for c, named in zip(candidates, seen, strict=True) if all(named[r] == on_file[r] for r in varying)
            ]
            if len(fits) != 1:
                continue
            rule_id = varying[0]
            quote = f"{rule_id} {told[rule_id][0]}"
            clause = next((c for c in clauses_found if key(quote) in key(_full(c))), None)
            source = Source(
                Path(document.path).name, clause.label if clause else "", quote, clause.page if clause else None, lang
            )
            value = fits[0]
            parts = value.items() if isinstance(value, dict) else [("", value)]
            for sub, v in parts:
                path = f"{own}.{name}" + (f".{sub}" if sub else "")
                out.append((path, Found(path, v, source, "report")))
    return out


def compliance_wording(pack: Pack) -> Mapping[str, Any]:
    from coopdocs.compose import compliance

    return compliance.wording(pack)


def _read_layout(reads: Sequence[_Read], result: Imported) -> None:
    """``layout``: parallel when a founding document is one file of the pack's two columns (kk | ru);
    separate when one kind of document is read from a file per language of both those languages.
    Else (one language only) the files do not tell the layouts apart: left out."""
    pair = result.pack.parallel
    if pair is None:
        return
    files: dict[str, dict[str, str]] = {}  # kind -> lang -> file
    for r in reads:
        if r.kind:
            files.setdefault(r.kind, {}).setdefault(r.lang, Path(r.document.path).name)
    split = [(kind, langs) for kind, langs in files.items() if all(lang in langs for lang in pair)]
    both = [(kind, langs[pair[0]]) for kind, langs in split if langs[pair[0]] == langs[pair[1]]]
    apart = [(kind, langs) for kind, langs in split if langs[pair[0]] != langs[pair[1]]]
    if both and not apart:
        kind, file = both[0]
        quote = f"{kind_name(kind, pair[0])} | {kind_name(kind, pair[1])}"
        value = "parallel"
    elif apart and not both:
        kind, langs = apart[0]
        file, quote, value = langs[pair[0]], f"{langs[pair[0]]}, {langs[pair[1]]}", "separate"
    else:
        return
    _set(result.data, "layout", value)
    result.found.append(Found("layout", value, Source(file, "", quote, None, pair[0]), "files"))


def assemble(reads: Sequence[_Read], table: Mapping[str, Leaf], pack: Pack, notes: list[str]) -> Imported:
    by_path: dict[str, list[Found]] = {}
    absent: list[str] = []
    for r in reads:
        for f in r.values:
            if table.get(f.path) and table[f.path].kind == "presence":
                if f.value is None and f.certain and f.path not in absent:
                    absent.append(f.path)
                continue
            by_path.setdefault(f.path, []).append(f)
    data: dict[str, Any] = {"coopdocs": 1, "jurisdiction": pack.jurisdiction, "form": pack.form}
    langs = sorted({r.lang for r in reads if r.kind}, key=_language_order(pack))
    # the languages the charter states it is drawn up in (final.languages): taken when the documents
    # read are in exactly those languages; when some were not read (a Russian charter of a cooperative
    # whose charter is also in Kazakh) the draft keeps the languages read, so that it validates and
    # amend can start from it, and proposes the stated ones (the other language's texts are not known)
    told = by_path.pop("languages", [])
    stated = {_hashable(f.value) for f in told if f.certain}
    said = list(told[0].value) if len(stated) == 1 and all(f.certain for f in told) else None
    data["languages"] = langs or ["ru"]
    several = len(langs) > 1
    found: list[Found] = []
    uncertain: list[Found] = []
    if said is not None and set(said) == set(langs):
        data["languages"] = said
        found.append(told[0])
    elif said is not None and set(langs) < set(said):
        uncertain.append(replace_note(told[0], "languages_unread"))
    elif told:
        uncertain += [replace_note(f, "differ") for f in told]
    for path in sorted(by_path, key=lambda p: list(table).index(p) if p in table else 10**6):
        entries = by_path[path]
        exact = [f for f in entries if f.how != "pattern"]
        entries = exact or entries  # a clause read exactly outranks a pattern
        leaf = table.get(path)
        if leaf is not None and leaf.kind == "people":
            people = _merge_people(entries, several)
            if people is None:
                uncertain += [replace_note(f, "differ") for f in entries]
            else:
                _set(data, path, people)
                found.append(Found(path, people, entries[0].source, "clause"))
            continue
        if leaf is not None and leaf.kind == "records":
            records = _merge_records(entries, several, _record_schema(leaf.rules))
            if records is None:
                uncertain += [replace_note(f, "differ") for f in entries]
            else:
                _set(data, path, records)
                found.append(Found(path, records, entries[0].source, "clause"))
            continue
        if path == _FOUNDERS:
            merged = _merge_founders(entries, several)
            if merged is None:
                uncertain += [replace_note(f, "differ") for f in entries]
            else:
                _set(data, path, merged)
                found.append(Found(path, merged, entries[0].source, "clause"))
            continue
        if leaf is not None and leaf.kind == "textlist":
            lists = {f.source.lang: f.value for f in entries}
            lengths = {len(v) for v in lists.values()}
            if len(lengths) != 1 or not all(f.certain for f in entries):
                uncertain += [replace_note(f, "differ") for f in entries]
                continue
            if several:
                value = [{lang: lists[lang][i] for lang in lists} for i in range(lengths.pop())]
            else:
                value = next(iter(lists.values()))
            _set(data, path, value)
            found.append(Found(path, value, entries[0].source, entries[0].how, True))
            continue
        if leaf is not None and leaf.kind == "text" and leaf.rules.get("type") == "localized":
            # a language whose reading is uncertain anywhere is left out (the English location line,
            # whose parts the closed list of regions does not cut); the others are taken
            doubtful = {f.source.lang for f in entries if not f.certain}
            uncertain += [f for f in entries if not f.certain]
            entries = [f for f in entries if f.source.lang not in doubtful]
            if not entries:
                continue
            per_lang: dict[str, Any] = {}
            clash = False
            for f in entries:
                if per_lang.setdefault(f.source.lang, f.value) != f.value:
                    clash = True
            if clash:
                uncertain += [replace_note(f, "differ") for f in entries]
                continue
            # one document may state a text in other languages too (the short name in each): a text per
            # language, or one text where every language has the same (written once for every language)
            one = len({_hashable(v) for v in per_lang.values()}) == 1
            per_lang = {k: per_lang[k] for k in sorted(per_lang, key=_language_order(pack))}
            text: Any = per_lang if several or not one else next(iter(per_lang.values()))
            _set(data, path, text)
            found.append(Found(path, text, entries[0].source, entries[0].how, True))
            continue
        if (
            leaf is not None
            and leaf.kind == "enums"
            and any(isinstance(v, dict) for f in entries if isinstance(f.value, list) for v in f.value)
        ):
            if not all(f.certain for f in entries) or (chosen := _merge_choices(entries, several)) is None:
                uncertain += [f if not f.certain else replace_note(f, "differ") for f in entries]
            else:
                _set(data, path, chosen)
                found.append(Found(path, chosen, entries[0].source, entries[0].how))
            continue
        values = {_hashable(f.value) for f in entries}
        if len(values) > 1:
            uncertain += [replace_note(f, "differ") for f in entries]
            continue
        best = entries[0]
        if best.certain:
            _set(data, path, best.value)
            found.append(best)
        else:
            uncertain.append(best)
    founders = get_at(data, _FOUNDERS)
    if isinstance(founders, list) and "signatories" not in data:
        signed = _signatories(reads, founders)
        if signed is not None:
            indexes, source = signed
            _set(data, "signatories.charter", indexes)
            found.append(Found("signatories.charter", indexes, source, "signatures"))
    numbering: dict[str, dict[str, str]] = {}
    for r in reads:
        if r.kind in ("charter", "membership", "disputes") and r.numbering and r.kind not in numbering:
            numbering[r.kind] = dict(r.numbering)
    if numbering:
        charter_file = next((Path(r.document.path).name for r in reads if r.kind == "charter"), None)
        data["source_numbering"] = {**numbering, **({"file": charter_file} if charter_file else {})}
    for path, value in _only_choices(pack).items():
        if get_at(data, path) is None and any(get_at(data, p) is not None for p in (path.rsplit(".", 1)[0],)):
            _set(data, path, value)
    missing = [p for p in required_paths(pack) if get_at(data, p) is None]
    return Imported(
        data=data,
        found=found,
        missing=missing,
        uncertain=uncertain,
        documents=[(Path(r.document.path).name, r.kind, r.lang) for r in reads],
        pack=pack,
        numbering=numbering,
        notes=notes,
        absent=[p for p in absent if not any(f.path.startswith(p + ".") for f in found)],
    )


def set_at(data: dict[str, Any], path: str, value: Any, pack: Pack, lang: str | None = None) -> None:
    """Set a value in an input of ``pack``; a text read in one language replaces only that language's text."""
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    existing = target.get(parts[-1])
    if lang and isinstance(value, str) and isinstance(existing, dict) and set(existing) <= set(pack.languages):
        existing[lang] = value
    elif lang and leaves(pack).get(path, Leaf(path, "", {})).kind == "textlist" and isinstance(value, list):
        olds = existing if isinstance(existing, list) and len(existing) == len(value) else [None] * len(value)
        target[parts[-1]] = [{**(o if isinstance(o, dict) else {}), lang: v} for o, v in zip(olds, value, strict=True)]
    else:
        target[parts[-1]] = value


def delete_at(data: dict[str, Any], path: str) -> None:
    parts = path.split(".")
    target: Any = data
    for part in parts[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    if isinstance(target, dict):
        target.pop(parts[-1], None)


_FOUNDER_TEXTS = ("name", "address")


def _signatories(reads: Sequence[_Read], founders: list[dict[str, Any]]) -> tuple[list[int], Source] | None:
    """Who signs the charter, as founders' numbers: every name of its signature block must be one
    founder's name in that language (each charter on file agreeing)."""
    result: list[int] | None = None
    source: Source | None = None
    for r in reads:
        if r.kind != "charter" or not r.signers:
            continue
        names = []
        for founder in founders:
            name = founder.get("name")
            names.append(name.get(r.lang) if isinstance(name, dict) else name)
        indexes = []
        for signer, where in r.signers:
            if names.count(signer) != 1:
                return None
            indexes.append(names.index(signer))
            source = source or where
        if result is not None and result != indexes:
            return None
        result = indexes
    return (result, source) if result is not None and source is not None else None


def _merge_founders(entries: Sequence[Found], several: bool) -> list[dict[str, Any]] | None:
    """The founders as the documents in each language list them: the same people (IIN/BIN, kind,
    share) with their names and addresses per language; None when the documents disagree."""
    merged: list[dict[str, Any]] | None = None
    for f in entries:
        lang = f.source.lang
        if merged is None:
            merged = [{} for _ in f.value]
        if len(merged) != len(f.value):
            return None
        for have, new in zip(merged, f.value, strict=True):
            for field_name, value in new.items():
                if field_name in _FOUNDER_TEXTS:
                    have.setdefault(field_name, {})[lang] = value
                elif field_name == "representative":
                    rep = have.setdefault("representative", {})
                    for k, v in value.items():
                        if k == "name":
                            rep.setdefault("name", {})[lang] = v
                        elif rep.setdefault(k, v) != v:
                            return None
                elif have.setdefault(field_name, value) != value:
                    return None
    if merged is None:
        return None
    if not several:  # one language: plain texts
        for founder in merged:
            for field_name in _FOUNDER_TEXTS:
                if isinstance(founder.get(field_name), dict):
                    founder[field_name] = next(iter(founder[field_name].values()))
            rep = founder.get("representative")
            if rep and isinstance(rep.get("name"), dict):
                rep["name"] = next(iter(rep["name"].values()))
    return merged


def _merge_records(
    entries: Sequence[Found], several: bool, schema: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]] | None:
    """A list of records as the documents in each language state it: the same records (count,
    numbers, choices) with their texts per language; None when the documents disagree."""
    merged: list[dict[str, Any]] | None = None
    for f in entries:
        lang = f.source.lang
        if merged is None:
            merged = [{} for _ in f.value]
        if len(merged) != len(f.value):
            return None
        for have, new in zip(merged, f.value, strict=True):
            for name, value in new.items():
                if (schema.get(name) or {}).get("type") == "localized" and isinstance(value, str):
                    texts = have.setdefault(name, {})
                    if not isinstance(texts, dict) or texts.setdefault(lang, value) != value:
                        return None
                elif have.setdefault(name, value) != value:
                    return None
    if merged is None:
        return None
    if not several:  # one language: plain texts
        for record in merged:
            for name, value in record.items():
                if isinstance(value, dict) and (schema.get(name) or {}).get("type") == "localized":
                    record[name] = next(iter(value.values()))
    return merged


def _merge_choices(entries: Sequence[Found], several: bool) -> list[Any] | None:
    """A list of choices that may hold records of free text ({other: text}) as the documents in each
    language state it: the same choices, the texts per language; None when the documents disagree."""
    merged: list[Any] | None = None
    for f in entries:
        if merged is None:
            merged = [copy.deepcopy(v) if isinstance(v, dict) else v for v in f.value]
            for v in merged:
                if isinstance(v, dict):
                    for k in v:
                        v[k] = {f.source.lang: v[k]}
            continue
        if len(merged) != len(f.value):
            return None
        for have, new in zip(merged, f.value, strict=True):
            if isinstance(have, dict) and isinstance(new, dict) and set(have) == set(new):
                for k, text in new.items():
                    if have[k].setdefault(f.source.lang, text) != text:
                        return None
            elif have != new:
                return None
    if merged is not None and not several:
        for v in merged:
            if isinstance(v, dict):
                for k in v:
                    v[k] = next(iter(v[k].values()))
    return merged


def _merge_people(entries: Sequence[Found], several: bool) -> list[Any] | None:
    """Founders' numbers, or persons named in place with their names per language; None when the
    documents disagree."""
    merged: list[Any] | None = None
    for f in entries:
        if merged is None:
            merged = [dict(v) if isinstance(v, dict) else v for v in f.value]
            for v in merged:
                if isinstance(v, dict):
                    v["name"] = {f.source.lang: v["name"]}
            continue
        if len(merged) != len(f.value):
            return None
        for i, (have, new) in enumerate(zip(merged, f.value, strict=True)):
            if isinstance(have, dict) and isinstance(new, dict) and have.get("iin") == new.get("iin"):
                have["name"][f.source.lang] = new["name"]
            elif have != new:
                return None
            merged[i] = have
    if merged is not None and not several:
        for v in merged:
            if isinstance(v, dict):
                v["name"] = next(iter(v["name"].values()))
    return merged


def replace_note(f: Found, note: str) -> Found:
    from dataclasses import replace

    return replace(f, certain=False, note=note)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def required_paths(pack: Pack) -> list[str]:
    """The input paths a cooperative must state (required, not excluded by an alternative, under
    required parents), in the contract's order."""
    out: list[str] = []

    def walk(schema: Mapping[str, Any], prefix: str) -> None:
        for k, rules in schema.items():
            path = f"{prefix}.{k}" if prefix else k
            if not rules.get("required") or rules.get("excludes") or rules.get("default") is not None:
                continue
            if rules.get("type") == "dict" and isinstance(rules.get("schema"), Mapping):
                walk(rules["schema"], path)
            else:
                out.append(path)

    walk(pack.input_schema(), "")
    return [p for p in out if p.split(".")[0] in ROOTS]


def not_found(result: Imported) -> list[str]:
    """Every value import looks for that the documents did not give (required first)."""
    pack = result.pack
    have = {f.path for f in result.found}
    optional = [
        p
        for p, leaf in leaves(pack).items()
        if leaf.kind != "presence"
        and p not in have
        and p not in result.missing
        and not any(p.startswith(q + ".") for q in have)
        and get_at(result.data, p) is None
    ]
    return [*result.missing, *optional]


@cache
def _implied(pack: Pack) -> dict[str, list[Mapping[str, Any]]]:
    """Values a clause states by its fixed wording alone (``import.yaml`` ``implied``), by clause id."""
    raw = pack.read(pack.schema_rel("import.yaml"), required=False) or {}
    out: dict[str, list[Mapping[str, Any]]] = {}
    for entry in raw.get("implied") or []:
        out.setdefault(str(entry["clause"]), []).append(entry)
    return out


def _only_choices(pack: Pack) -> dict[str, Any]:
    """Values the pack allows only one way (the country, the currency, the payout's basis): stated
    by the choice of pack, written wherever the block that holds them was read."""
    out: dict[str, Any] = {}

    def walk(schema: Mapping[str, Any], prefix: str) -> None:
        for k, rules in schema.items():
            path = f"{prefix}.{k}" if prefix else k
            if rules.get("type") == "dict" and isinstance(rules.get("schema"), Mapping):
                walk(rules["schema"], path)
            elif len(rules.get("allowed") or ()) == 1 and "." in path:
                out[path] = rules["allowed"][0]
            elif (
                rules.get("required")
                and rules.get("type") == "list"
                and rules.get("minlength")
                and isinstance(rules.get("schema"), Mapping)
                and len(rules["schema"].get("allowed") or ()) == 1
            ):
                out[path] = list(rules["schema"]["allowed"])

    walk(pack.input_schema(), "")
    return out


# --- the draft as commented YAML -----------------------------------------------------------------


def words(lang: str) -> dict[str, str]:
    from coopdocs.diagnostics import ui_words

    return ui_words("_ui_import", lang)


def field_words(path: str, lang: str, pack: Pack) -> str:
    """A field as the questionnaire names it («Область или город республиканского значения»), else its path."""
    from coopdocs.commands import fieldnames

    return fieldnames.label(path, lang, pack) or path


def _uncertain_lines(result: Imported, lang: str, *, words_only: bool = False) -> list[str]:
    """One line per uncertain value: the values proposed (each language's once), where, and why
    (the terminal names the field in words; the YAML header by its path, which is what to write)."""
    by_path: dict[str, list[Found]] = {}
    for f in result.uncertain:
        by_path.setdefault(f.path, []).append(f)
    lines = []
    for path, entries in by_path.items():
        shown = " / ".join(dict.fromkeys(_shown(f.value) for f in entries))
        where = ", ".join(dict.fromkeys(f.source.cite() for f in entries))
        name = field_words(path, lang, result.pack) if words_only else path
        lines.append(f"  - {name}: {shown}  ({where}; {note_text(entries[0].note, lang)})")
    return lines


def note_text(note: str, lang: str) -> str:
    """Why a value is uncertain, in ``lang``."""
    return words(lang).get(f"note_{note}", note)


def kind_name(kind: str, lang: str) -> str:
    names = dict(
        zip(
            ("charter", "membership", "disputes", "minutes", "application", "resolution", "compliance"),
            words(lang)["kinds"].split("|"),
            strict=True,
        )
    )
    return names.get(kind, kind)


def _shown(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"[a-z_]+", value):
        return f"'{value}'"  # a choice of the input contract, as it is written in the file
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def to_yaml(result: Imported, lang: str, target: str = "coop.yaml") -> str:
    """The draft: the values found, each with its source as a comment; the header lists what was
    not found and what is uncertain (those are left out, so that validate and init ask for them)."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    w = words(lang)
    sources = {f.path: f for f in result.found}

    def build(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            node = CommentedMap()
            for k, v in value.items():
                child = f"{path}.{k}" if path else str(k)
                node[k] = build(v, child)
                f = sources.get(child)
                if f is not None and child != "source_numbering":
                    node.yaml_add_eol_comment(f"{f.source.cite()}: «{_quote(f.source.quote, 90)}»", k)
            return node
        if isinstance(value, list):  # a list of records: each record's values by index (programs[0].price)
            seq = CommentedSeq(build(v, f"{path}[{i}]" if isinstance(v, dict) else path) for i, v in enumerate(value))
            if not any(isinstance(v, (dict, list)) for v in value):
                seq.fa.set_flow_style()
            return seq
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    files = ", ".join(sorted({name for name, _, _ in result.documents}))
    lines = [w["head"].format(files=files), w["head_next"].format(file=target)]
    absent = not_found(result)
    required = [p for p in absent if p in result.missing]
    optional = [p for p in absent if p not in result.missing]
    if required:
        lines += ["", w["missing_title"], *(f"  - {p}" for p in required)]
    if result.uncertain:
        lines += ["", w["uncertain_title"], *_uncertain_lines(result, lang)]
    if optional:
        lines += ["", w["optional_title"], *(f"  - {p}" for p in optional)]
    if result.notes:
        lines += ["", w["notes_title"], *(f"  - {n}" for n in result.notes)]
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(build(result.data, ""), out)
    header = "\n".join(f"# {line}".rstrip() for line in lines)
    return header + "\n\n" + out.getvalue()


def _window(raw: str, value: Any, width: int = 45) -> str:
    """The words of the clause around where it states ``value`` (its beginning when not located)."""
    text = " ".join(raw.split())
    forms: list[str] = []
    if isinstance(value, list):  # a list of choices: around its texts of one's own («…; a; b.»), if any
        own = [str(v) for d in value if isinstance(d, dict) for v in d.values() if isinstance(v, str)]
        forms = ["; ".join(own), *own] if own else []
    elif isinstance(value, bool) or value is None or isinstance(value, dict):
        forms = []
    elif isinstance(value, int):
        forms = [f"{value:,}".replace(",", " "), f"{value:,}".replace(",", "\u00a0"), str(value)]
    elif isinstance(value, float):
        forms = [str(value).replace(".", ","), str(value)]
    elif isinstance(value, dt.date):
        forms = [str(value.year)]
    else:
        forms = [str(value)]
    for form in forms:
        at = text.find(form)
        if at >= 0:
            start = max(0, at - width)
            start = text.rfind(" ", 0, start) + 1 if start else 0
            end = min(len(text), at + len(form) + width)
            end_space = text.find(" ", end)
            end = len(text) if end_space < 0 else end_space
            return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return _quote(text)


def _counts(result: Imported, path: str) -> dict[str, int]:
    return {"found": len(result.found), "missing": len(result.missing), "uncertain": len(result.uncertain)}


def format_text(result: Imported, lang: str, target: str) -> str:
    """What the terminal shows: per document what was read, then what is missing or uncertain."""
    w = words(lang)
    lines = []
    for file, kind, doc_lang in result.documents:
        if kind:
            count = sum(1 for f in result.found if f.source.file == file)
            lines.append(w["document"].format(file=file, kind=kind_name(kind, lang), lang=doc_lang, count=count))
        else:
            lines.append(w["document_unknown"].format(file=file))
    if result.missing:
        lines += ["", w["missing_title"], *(f"  - {field_words(p, lang, result.pack)}" for p in result.missing)]
    if result.uncertain:
        lines += ["", w["uncertain_title"], *_uncertain_lines(result, lang, words_only=True)]
    if result.notes:
        lines += ["", w["notes_title"], *(f"  - {n}" for n in result.notes)]
    lines += ["", w["summary"].format(file=target, **_counts(result, target)), w["head_next"].format(file=target)]
    return "\n".join(lines)


def as_json(result: Imported, target: str) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    def entry(f: Found) -> dict[str, Any]:
        s = f.source
        return {
            "path": f.path,
            "value": plain(f.value),
            "how": f.how,
            "certain": f.certain,
            "note": f.note,
            "source": {"file": s.file, "clause": s.label, "page": s.page, "quote": s.quote, "lang": s.lang},
        }

    return {
        "file": target,
        "documents": [{"file": f, "kind": k or None, "lang": lang} for f, k, lang in result.documents],
        "found": [entry(f) for f in result.found],
        "missing": list(result.missing),
        "not_found": not_found(result),
        "uncertain": [entry(f) for f in result.uncertain],
        "notes": list(result.notes),
        "counts": _counts(result, target),
    }


# --- measuring (bench/import_roundtrip.py, tests/test_import.py) ---------------------------------


def stated_paths(coop: Any, name: str, lang: str) -> set[str]:
    """The input values a document states: those whose change changes the text of one of its
    clauses (every clause of the document as coopdocs writes it for ``coop``, with its pack). ``languages``
    aside: the charter states the languages it is drawn up in, but one document cannot give the texts
    in the others, so import proposes them (uncertain) unless documents in each are read together."""
    pack = coop.pack
    table = leaves(pack)
    search = _Search(coop, lang, pack, table)
    search.ctx[_OTHER_NAMES] = {  # the other languages' names stay the input's when this one's changes
        other: dict(names)
        for other, names in search.ctx["names"].items()
        if other in pack.languages and other != lang and isinstance(names, Mapping)
    }
    the_plan = clauses.plan(coop, name)
    out: set[str] = set()
    for _section, chosen in the_plan.sections:
        for spec, _items in chosen:
            if lang not in spec.text:
                continue
            target = _rendered_key(spec, search.ctx)
            for leaf in _refs(spec, table):
                if leaf.kind == "presence" or leaf.path in out or leaf.path == "languages":
                    continue
                if search.changes(spec, leaf, target):
                    out.add(leaf.path)
    return out


def same(imported: Any, expected: Any, lang: str | None = None) -> bool:
    """An imported value equals the input's (a localized text: in the languages imported)."""
    if isinstance(imported, list) and isinstance(expected, list) and any(isinstance(e, dict) for e in expected):
        return len(imported) == len(expected) and all(same(a, b, lang) for a, b in zip(imported, expected, strict=True))
    if isinstance(imported, dict) and isinstance(expected, dict):
        texts = set(available_languages())  # a text per language (``same`` compares any pack's input)
        if set(imported) <= texts and set(expected) <= texts:
            return all(k in expected and same(v, expected[k]) for k, v in imported.items())
        return all(k in expected and same(v, expected[k], lang) for k, v in imported.items())
    if isinstance(expected, dict) and isinstance(imported, str):
        return lang is not None and same(imported, expected.get(lang))
    if isinstance(imported, dict) and isinstance(expected, str) and imported:  # the text given once for every language
        return set(imported) <= set(available_languages()) and all(same(v, expected) for v in imported.values())
    if isinstance(imported, str) and isinstance(expected, str):
        return imported.rstrip(" .;") == expected.rstrip(" .;")  # a purpose's closing mark is the list's
    if isinstance(expected, str) and isinstance(imported, dt.date):
        return expected == imported.isoformat()
    if isinstance(imported, str) and isinstance(expected, dt.date):
        return imported == expected.isoformat()
    if isinstance(imported, bool) or isinstance(expected, bool):
        return imported is expected
    if isinstance(imported, (int, float)) and isinstance(expected, (int, float)):
        return float(imported) == float(expected)
    return bool(imported == expected)


def compare(result: Imported, truth: Mapping[str, Any], stated: set[str]) -> dict[str, list[str]]:
    """Imported values against the input they were built from: stated values recovered exactly,
    stated values not found, and every imported value that differs (``wrong``, whether stated or not)."""
    lang = result.data["languages"][0] if len(result.data.get("languages") or []) == 1 else None
    have = {f.path: f.value for f in result.found}
    exact: list[str] = []
    missing: list[str] = []
    wrong: list[str] = []
    for path in sorted(stated):
        if path in have:
            (exact if same(have[path], get_at(truth, path), lang) else wrong).append(path)
        else:
            missing.append(path)
    for path, value in have.items():
        if path not in stated and not same(value, get_at(truth, path), lang):
            wrong.append(path)
    return {"exact": exact, "missing": missing, "wrong": wrong}
