"""The amendment package: two editions of a cooperative's documents compared clause by clause.

Clauses are matched by id, never by position, so a clause that appears or disappears shifts the
numbers of the others without being mistaken for a rewording. The list of amendments quotes the old
numbers for rewordings and deletions and the new numbers for additions, then renumbers, as
Kazakhstan's drafting practice does. Nothing here writes files; the command line does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopdocs import __version__
from coopdocs.commands import build, fieldnames
from coopdocs.compose import clauses
from coopdocs.compose.messages import worded
from coopdocs.compose.wording import legal_date
from coopdocs.diagnostics import Diagnostic
from coopdocs.errors import UsageError
from coopdocs.inputs.model import Cooperative
from coopdocs.packs.pack import Pack
from coopdocs.writers import redline, render
from coopdocs.writers.manifest import Output, cooperative_info
from coopdocs.writers.redline import Para, Revision

UNKNOWN_NUMBER = "____"  # a clause of the document on file whose number import could not read
AUTHOR = "coopdocs"


def wording(pack: Pack) -> Mapping[str, Any]:
    return dict(pack.read(pack.common_rel("amendments.yaml")))


def _words(coop: Cooperative) -> Mapping[str, Any]:
    return wording(coop.pack)


def no_difference(coop: Cooperative, lang: str) -> str:
    return str(_words(coop)["no_difference"][lang])


# --- what OLD gets wrong and NEW corrects -----------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """A problem the legal rules report in OLD (error, red flag or warning) that NEW no longer has."""

    problem: Diagnostic
    old_value: Any
    new_value: Any


_MISSING = object()


def _value(coop: Cooperative, path: str) -> Any:
    try:
        return coop.get(path) if path else _MISSING
    except (KeyError, IndexError, TypeError):
        return _MISSING


def corrections(
    old: Cooperative, old_found: Sequence[Diagnostic], new: Cooperative, new_found: Sequence[Diagnostic]
) -> list[Correction]:
    """OLD's reported problems (not info) that NEW does not repeat (same rule at the same path)."""
    kept = {(d.rule, d.path) for d in new_found}
    return [
        Correction(d, _value(old, d.path), _value(new, d.path))
        for d in old_found
        if d.severity != "info" and (d.rule, d.path) not in kept
    ]


def _shown(value: Any, removed: str) -> str:
    if value is _MISSING or value is None:
        return removed
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def corrections_text(found: Sequence[Correction], old: Cooperative, lang: str, same_text: bool) -> str:
    """The report of what OLD gets wrong and NEW corrects, each as a located diagnostic with its law."""
    words = _words(old)
    removed = str(words["removed"][lang])
    file = old.file.replace("\\", "/").rsplit("/", 1)[-1]
    from coopdocs.diagnostics import ui_words

    ui = ui_words("_ui_cli", lang)
    lines = [str(words["old_corrected"][lang]).format(file=file)]
    for c in found:
        d = worded(c.problem, lang)
        where = d.file + (f":{d.line}:{d.column}" if d.line is not None else "")
        lines.append(
            f"  {where}: {ui['severity_' + d.severity]}[{d.rule}] {d.path}: "
            f"{_shown(c.old_value, removed)} → {_shown(c.new_value, removed)}"
        )
        lines.append(f"    {d.message}")
        if d.citation is not None:
            lines.append(f"    = {ui['law']}: {d.citation.label(lang)}")
    if same_text:
        lines.append(str(words["old_corrected_same_text"][lang]))
    return "\n".join(lines)


# --- the two editions, compared ------------------------------------------------------------------


ItemKeys = Mapping[str, tuple[tuple[int, int | None], ...]]  # clause id -> (item, element) in the library


@dataclass(frozen=True)
class Edition:
    """One document of one cooperative in every requested language, with its items' spec indexes."""

    name: str
    docs: Mapping[str, clauses.Document]
    items: ItemKeys  # clause id -> (item index, element) in the library

    @property
    def first(self) -> clauses.Document:
        return next(iter(self.docs.values()))


@dataclass(frozen=True)
class Change:
    kind: str  # clause_restated | clause_deleted | clause_added | heading_restated | section_deleted | section_added
    target: str  # the clause or section id
    number: str  # the old number (restated, deleted) or the new one (added)


@dataclass(frozen=True)
class DocumentDiff:
    name: str
    old: Edition
    new: Edition
    changes: tuple[Change, ...]
    sections_renumbered: tuple[tuple[str, str], ...]  # (old number, new number)
    clauses_renumbered: tuple[tuple[str, str], ...]

    @property
    def empty(self) -> bool:
        return not (self.changes or self.sections_renumbered or self.clauses_renumbered)


def edition(coop: Cooperative, name: str, langs: Sequence[str]) -> Edition:
    the_plan = clauses.plan(coop, name)
    docs = {lang: clauses.render(coop, the_plan, lang) for lang in langs}
    items = {spec.id: indexes for _, chosen in the_plan.sections for spec, indexes in chosen}
    return Edition(name, docs, items)


def _section(ed: Edition, lang: str, sid: str) -> clauses.Section:
    return next(s for s in ed.docs[lang].sections if s.id == sid)


def _clause(section: clauses.Section, cid: str) -> clauses.Clause:
    return next(c for c in section.clauses if c.id == cid)


def _clause_differs(old: Edition, new: Edition, sid: str, cid: str) -> bool:
    if old.items.get(cid) != new.items.get(cid):
        return True
    for lang in old.docs:
        a, b = _clause(_section(old, lang, sid), cid), _clause(_section(new, lang, sid), cid)
        if (a.text, a.items) != (b.text, b.items):
            return True
    return False


def _position(number: str) -> str:
    return number.rsplit(".", 1)[-1]


def _opcodes(a: Sequence[str], b: Sequence[str]) -> Sequence[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(None, list(a), list(b), autojunk=False).get_opcodes()


def compare(old: Edition, new: Edition) -> DocumentDiff:
    """What changed between two editions of one document, in document order."""
    a, b = old.first.sections, new.first.sections
    changes: list[Change] = []
    sections_renumbered: list[tuple[str, str]] = []
    clauses_renumbered: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in _opcodes([s.id for s in a], [s.id for s in b]):
        if op != "equal":
            changes += [Change("section_deleted", s.id, s.number) for s in a[i1:i2]]
            changes += [Change("section_added", s.id, s.number) for s in b[j1:j2]]
            continue
        for so, sn in zip(a[i1:i2], b[j1:j2], strict=True):
            if so.number != sn.number:
                sections_renumbered.append((so.number, sn.number))
            if any(_section(old, lang, so.id).title != _section(new, lang, so.id).title for lang in old.docs):
                changes.append(Change("heading_restated", so.id, so.number))
            found, renumbered = _compare_clauses(old, new, so, sn)
            changes += found
            clauses_renumbered += renumbered
    return DocumentDiff(old.name, old, new, tuple(changes), tuple(sections_renumbered), tuple(clauses_renumbered))


def _compare_clauses(
    old: Edition, new: Edition, so: clauses.Section, sn: clauses.Section
) -> tuple[list[Change], list[tuple[str, str]]]:
    changes: list[Change] = []
    renumbered: list[tuple[str, str]] = []
    a, b = so.clauses, sn.clauses
    for op, i1, i2, j1, j2 in _opcodes([c.id for c in a], [c.id for c in b]):
        if op != "equal":
            changes += [Change("clause_deleted", c.id, c.number) for c in a[i1:i2]]
            changes += [Change("clause_added", c.id, c.number) for c in b[j1:j2]]
            continue
        for co, cn in zip(a[i1:i2], b[j1:j2], strict=True):
            if _clause_differs(old, new, so.id, co.id):
                changes.append(Change("clause_restated", co.id, co.number))
            if _position(co.number) != _position(cn.number):
                renumbered.append((co.number, cn.number))
    return changes, renumbered


def languages(old: Cooperative, new: Cooperative, requested: Sequence[str] | None) -> tuple[str, ...]:
    """The editions to compare: both files must have them (default: every language both have)."""
    common = tuple(lang for lang in new.languages if lang in old.languages)
    langs = tuple(requested) if requested else common
    missing = [lang for lang in langs if lang not in common]
    if missing or not langs:
        raise UsageError.said(
            "amend_langs", missing=",".join(missing) or "-", old=", ".join(old.languages), new=", ".join(new.languages)
        )
    return langs


def compare_cooperatives(old: Cooperative, new: Cooperative, langs: Sequence[str]) -> tuple[DocumentDiff, ...]:
    names = [str(name) for name in _words(old)["documents"]]
    diffs = tuple(compare(edition(old, name, langs), edition(new, name, langs)) for name in names)
    numbering = source_numbering(old)
    return tuple(cite_source(d, numbering.get(d.name) or {}) for d in diffs) if numbering else diffs


# --- the charter on file: its own clause numbers -------------------------------------------------


def source_numbering(coop: Cooperative) -> dict[str, dict[str, str]]:
    """The numbers of the documents on file (``source_numbering``, written by ``coopdocs import``):
    document -> clause id -> its number there, without the closing dot («4.2.» -> «4.2»)."""
    raw = coop.data.get("source_numbering") or {}
    out: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        if isinstance(table, Mapping):
            out[name] = {
                str(cid): str(label).rstrip(".") for cid, label in table.items() if not str(label).startswith("¶")
            }
    return out


def cite_source(diff: DocumentDiff, numbering: Mapping[str, str]) -> DocumentDiff:
    """The diff citing the numbers of the document on file: a reworded or deleted clause by its number
    there; a clause whose place changes, from its number there to the new one."""
    if not numbering:
        return diff
    # a clause the import could not pair with one on file has no number there: a blank to fill in
    # by hand, never coopdocs' own number, which would cite another clause of the registered charter
    changes = tuple(
        dataclasses.replace(c, number=numbering.get(c.target, UNKNOWN_NUMBER))
        if c.kind in ("clause_restated", "clause_deleted")
        else c
        for c in diff.changes
    )
    old_ids = {c.id: c.number for s in diff.old.first.sections for c in s.clauses}
    new_numbers = {c.id: c.number for s in diff.new.first.sections for c in s.clauses}
    moved = [
        (numbering[cid], new_numbers[cid])
        for cid in old_ids
        if cid in numbering and cid in new_numbers and numbering[cid] != new_numbers[cid]
    ]
    first = {s.number: next((c.id for c in s.clauses), None) for s in diff.old.first.sections}
    sections = []
    for old_number, new_number in diff.sections_renumbered:
        cid = first.get(old_number)
        label = numbering.get(cid or "", "")
        head = label.split(".", 1)[0] if "." in label else old_number
        sections.append((head, new_number))
    return dataclasses.replace(
        diff,
        changes=changes,
        clauses_renumbered=tuple(moved),
        sections_renumbered=tuple((a, b) for a, b in sections if a != b),
    )


def _without_none(value: Any) -> Any:
    """A normalized input back to what a file says: absent optional keys (None) left out."""
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def files(given: Sequence[Path], old_charter: Path | None) -> tuple[Path, Path]:
    """OLD and NEW from the command line: OLD NEW, or --old-charter CHARTER with NEW alone."""
    if len(given) != (1 if old_charter else 2):
        raise UsageError.said("amend_files")
    return (old_charter, given[0]) if old_charter else (given[0], given[1])


def check_old_charter(charter: Path, new: Path, lang: str = "en") -> Any:
    """OLD checked as `amend` checks an OLD file, composed from the registered charter and NEW
    (:func:`old_from_charter`); NEW's own problems when NEW does not pass the schema."""
    from coopdocs.checking.pipeline import check_file, check_loaded

    checked = check_file(new)
    if checked.cooperative is None:
        return checked
    loaded, _imported = old_from_charter(charter, checked.cooperative, lang)
    found = check_loaded(loaded, file=str(charter))
    # OLD was composed, not written: no line and column to point at, and no advice on how to write it
    said = [
        dataclasses.replace(d, line=None, column=None)
        for d in found.diagnostics
        if d.severity != "info"
    ]
    return dataclasses.replace(found, diagnostics=said)


def old_from_charter(charter: Path, new: Cooperative, lang: str = "en") -> tuple[Any, Any]:
    """OLD for ``amend --old-charter``: the values the charter on file states (``coopdocs import``),
    and NEW's for what it does not state (those are taken as unchanged), with its clause numbers.
    Returns the loaded file (to validate) and the import."""
    import copy

    from coopdocs.charters import importing
    from coopdocs.inputs.loader import load_text

    imported = importing.import_path(charter, new.pack)
    if not imported.numbering.get("charter"):
        raise UsageError.said("amend_not_charter", path=charter)
    data = copy.deepcopy(new.data)
    for found in imported.found:
        importing.set_at(data, found.path, found.value, new.pack, found.source.lang)
    for path in imported.absent:
        importing.delete_at(data, path)
    data["source_numbering"] = imported.data.get("source_numbering")
    # the editions on file: a charter read in Russian only gives no Kazakh text to amend
    data["languages"] = [lang for lang in new.languages if lang in imported.data["languages"]] or list(
        imported.data["languages"]
    )
    text = json.dumps(_without_none(data), ensure_ascii=False, default=str)
    return load_text(text, str(charter)), imported


# --- what the chair sees: the input values changed and the clauses they amend --------------------


def input_changes(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The input values that differ between OLD and NEW, as (dotted path, old, new); a list is one value."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[tuple[str, Any, Any]] = []
        for key in [*old, *(k for k in new if k not in old)]:
            if not path and key == "source_numbering":  # where the old values were read, not a value
                continue
            if not path and key == "languages" and "source_numbering" in old:
                continue  # OLD read from the editions on file: it has the languages of those, not fewer
            where = f"{path}.{key}" if path else str(key)
            found += input_changes(old.get(key, _MISSING), new.get(key, _MISSING), where)
        return found
    return [] if old == new else [(path, old, new)]


def plural(n: int, forms: Sequence[str], lang: str) -> str:
    """The form of a noun after the number n: Russian one/few/many, English one/other, Kazakh one form."""
    if lang == "ru":
        from coopdocs.compose.wording import ru_plural

        return ru_plural(n, (forms[0], forms[1], forms[2]))
    if lang == "en":
        return forms[0] if n == 1 else forms[1]
    return forms[0]


def summary(old: Cooperative, new: Cooperative, diffs: Sequence[DocumentDiff]) -> dict[str, Any]:
    """What the chair needs to know first: how many input values changed and how many clauses of which
    document they amend (the data behind both the text and the JSON summary)."""
    changes = [
        {"path": path, "old": None if a is _MISSING else a, "new": None if b is _MISSING else b}
        for path, a, b in input_changes(old.data, new.data)
    ]
    return {
        "input_changes": json.loads(json.dumps(changes, ensure_ascii=False, default=str)),
        "documents": {
            d.name: {
                "amendments": len(d.changes),
                "sections_renumbered": len(d.sections_renumbered),
                "clauses_renumbered": len(d.clauses_renumbered),
            }
            for d in diffs
        },
        "decisions": list(required_decisions(old, new)),
    }


def summary_text(data: Mapping[str, Any], coop: Cooperative, lang: str, audience: str = "member") -> str:
    """«3 изменения → 7 пунктов устава, 6 пунктов положения о членстве», worded from amendments.yaml.

    Each changed value is named as the questionnaire asks it («Число членов правления»); a lawyer
    (``audience="lawyer"``) sees its YAML path. A noun form may place the number itself (``{n}``:
    Kazakh «Жарғының 7 тармағы»); otherwise the number comes first."""
    words = _words(coop)["summary"]
    n = len(data["input_changes"])
    parts = []
    for name, counts in data["documents"].items():
        if counts["amendments"]:
            k = counts["amendments"]
            parts.append(_counted(k, words["clauses"][name][lang], lang))
    head = _counted(n, words["changes"][lang], lang)
    lines = [str(words["line"][lang]).format(changes=head, clauses=", ".join(parts) or str(words["none"][lang]))]
    for item in data["input_changes"]:
        named = None if audience == "lawyer" else fieldnames.label(str(item["path"]), lang, coop.pack)
        lines.append(f"  {named or item['path']}: {_shown(item['old'], '—')} → {_shown(item['new'], '—')}")
    labels = _words(coop)["decisions"]
    for decision in data["decisions"]:
        lines.append(str(words["decision"][lang]).format(decision=labels[decision]["label"][lang]))
    return "\n".join(lines)


def _counted(n: int, forms: list[str], lang: str) -> str:
    form = plural(n, forms, lang)
    return form.format(n=n) if "{n}" in form else f"{n} {form}"


# --- the decisions a change needs besides the amendments (data: amendments.yaml `decisions`) --------


def _grows(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > a


_TRIGGERS = {"grows": _grows, "changes": lambda a, b: a != b}


def required_decisions(old: Cooperative, new: Cooperative) -> tuple[str, ...]:
    """The decisions the meeting must take because of a change at a path (electing the members added
    to the board, ...), in the order the table lists them."""
    found = []
    for decision, spec in _words(old)["decisions"].items():
        for trigger in spec["when"]:
            if _TRIGGERS[trigger["change"]](_value(old, trigger["path"]), _value(new, trigger["path"])):
                found.append(decision)
                break
    return tuple(found)


def decision_facts(old: Cooperative, new: Cooperative) -> dict[str, Any]:
    """Per decision the meeting must take: the values its clause quotes (old, new, the difference)."""
    facts: dict[str, Any] = {}
    for decision in required_decisions(old, new):
        path = _words(old)["decisions"][decision]["when"][0]["path"]
        a, b = _value(old, path), _value(new, path)
        facts[decision] = {"old": a, "new": b, "added": b - a if _grows(a, b) else None}
    return facts


# --- the list of amendments ----------------------------------------------------------------------


def _runs(numbers: Sequence[str]) -> list[list[str]]:
    """Consecutive numbers (5.4, 5.5, 5.6) grouped into runs."""
    runs: list[list[str]] = []
    for number in numbers:
        if runs:
            head, _, last = runs[-1][-1].rpartition(".")
            n_head, _, n_last = number.rpartition(".")
            if head == n_head and last.isdigit() and n_last.isdigit() and int(n_last) == int(last) + 1:
                runs[-1].append(number)
                continue
        runs.append([number])
    return runs


def _span(run: Sequence[str]) -> str:
    if len(run) >= 3:
        return f"{run[0]}–{run[-1]}"
    return ", ".join(run)


def _renumbering(pairs: Sequence[tuple[str, str]], one: str, many: str) -> str:
    """One sentence for a renumbering: pairs are cut into runs consecutive on both sides."""
    groups: list[list[tuple[str, str]]] = []
    for pair in pairs:
        if groups:
            olds = [p[0] for p in groups[-1]] + [pair[0]]
            news = [p[1] for p in groups[-1]] + [pair[1]]
            if len(_runs(olds)) == 1 and len(_runs(news)) == 1:
                groups[-1].append(pair)
                continue
        groups.append([pair])
    old = ", ".join(_span([p[0] for p in g]) for g in groups)
    new = ", ".join(_span([p[1] for p in g]) for g in groups)
    return (one if len(pairs) == 1 else many).format(old=old, new=new)


def _clause_lines(clause: clauses.Clause, number: str) -> list[str]:
    return [f"{number}. {clause.text}", *(f"{i}) {item}" for i, item in enumerate(clause.items, start=1))]


def _entries(diff: DocumentDiff, lang: str, words: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(formula, quoted lines) per amendment, in document order, renumbering last."""
    f = {key: str(value[lang]) for key, value in words["formulas"].items()}
    new = diff.new.docs[lang]
    entries: list[tuple[str, list[str]]] = []
    for change in diff.changes:
        formula = f[change.kind].format(number=change.number)
        if change.kind in ("clause_restated", "clause_added"):
            section = next(s for s in new.sections if any(c.id == change.target for c in s.clauses))
            entries.append((formula, _clause_lines(_clause(section, change.target), change.number)))
        elif change.kind == "heading_restated":
            entries.append((formula, [next(s.title for s in new.sections if s.id == change.target)]))
        elif change.kind == "section_added":
            section = next(s for s in new.sections if s.id == change.target)
            lines = [f"{section.number}. {section.title}"]
            for clause in section.clauses:
                lines += _clause_lines(clause, clause.number)
            entries.append((formula, lines))
        else:
            entries.append((formula, []))
    if diff.sections_renumbered:
        entries.append((_renumbering(diff.sections_renumbered, f["section_renumbered"], f["sections_renumbered"]), []))
    if diff.clauses_renumbered:
        entries.append((_renumbering(diff.clauses_renumbered, f["clause_renumbered"], f["clauses_renumbered"]), []))
    return entries


def _entry_paragraphs(index: int, entry: tuple[str, list[str]], last: bool, quotes: Sequence[str]) -> list[Para]:
    end = "." if last else ";"
    formula, lines = entry
    if not lines:
        return [redline.plain("Clause", f"{index}) {formula}{end}")]
    quoted = list(lines)
    quoted[0] = quotes[0] + quoted[0]
    quoted[-1] = quoted[-1] + quotes[1] + end
    return [redline.plain("Clause", f"{index}) {formula}"), *(redline.plain("ClauseItem", q) for q in quoted)]


def _meeting_date(meeting_date: dt.date | None, lang: str, words: Mapping[str, Any]) -> str:
    if meeting_date is None:
        return str(words["blank_date"][lang])
    return legal_date(meeting_date, lang, str(words["date_case"][lang]))


def approval(coop: Cooperative, lang: str, meeting_date: dt.date | None) -> tuple[str, ...]:
    """The approval block of a document the general meeting adopts."""
    words = _words(coop)
    short = clauses.context(coop, lang)["names"]["short"]
    date = _meeting_date(meeting_date, lang, words)
    return tuple(str(line).format(short=short, date=date) for line in words["approval"][lang])


def list_paragraphs(
    diffs: Sequence[DocumentDiff], old: Cooperative, lang: str, meeting_date: dt.date | None
) -> list[Para]:
    """The list of amendments as paragraphs, in the legal form."""
    words = _words(old)
    names = clauses.context(old, lang)["names"]
    paras = [redline.plain("Approval", line) for line in approval(old, lang, meeting_date)]
    paras += [redline.plain("DocTitle", str(words["title"][lang])), redline.plain("DocSubtitle", names["full"])]
    changed = [d for d in diffs if not d.empty]
    for part, diff in enumerate(changed, start=1):
        texts = words["parts"][diff.name]
        paras.append(redline.plain("SectionHeading", f"{part}. {texts['heading'][lang]}"))
        paras.append(redline.plain("Clause", str(texts["intro"][lang]).format(short=names["short"])))
        entries = _entries(diff, lang, words)
        for index, entry in enumerate(entries, start=1):
            paras += _entry_paragraphs(index, entry, index == len(entries), words["quotes"][lang])
    paras += [redline.plain("Signature", str(line)) for line in words["signatures"][lang]]
    return paras


# --- the redline and the new edition -------------------------------------------------------------

_STYLES = {
    "approval": "Approval",
    "title": "DocTitle",
    "subtitle": "DocSubtitle",
    "section": "SectionHeading",
    "clause": "Clause",
    "item": "ClauseItem",
    "closing": "Signature",
}
Block = tuple[tuple[Any, ...], str]  # (key, text)


def blocks(doc: clauses.Document, items: ItemKeys, closing: Sequence[str]) -> list[Block]:
    """A document's body paragraphs, in the order ``render.render_docx`` writes them, each keyed by
    what it is (a clause id, an item of a clause, ...) so that two editions can be aligned."""
    out: list[Block] = [(("approval", i), line) for i, line in enumerate(doc.approval)]
    out += [(("title",), doc.title), (("subtitle",), doc.subtitle)]
    for section in doc.sections:
        out.append((("section", section.id), f"{section.number}. {section.title}"))
        for clause in section.clauses:
            out.append((("clause", clause.id), f"{clause.number}. {clause.text}"))
            keys = items.get(clause.id, ())
            for n, (spec_index, item) in enumerate(zip(keys, clause.items, strict=True), start=1):
                out.append((("item", clause.id, spec_index), f"{n}) {item}"))
    out += [(("closing", i), line) for i, line in enumerate(closing)]
    return out


_FRAME = ("approval", "title", "subtitle", "closing")  # replaced as a whole, never diffed word by word


def _replace_whole(old: Sequence[Block], new: Sequence[Block]) -> list[Para]:
    """A title/approval block or the signatures: unchanged, or the old deleted and the new inserted."""
    if [text for _, text in old] == [text for _, text in new]:
        return [redline.plain(_STYLES[key[0]], text) for key, text in new]
    return [redline.deleted(_STYLES[key[0]], text) for key, text in old] + [
        redline.inserted(_STYLES[key[0]], text) for key, text in new
    ]


def _clauses_tracked(old: Sequence[Block], new: Sequence[Block]) -> list[Para]:
    paras: list[Para] = []
    keys_old, keys_new = [k for k, _ in old], [k for k, _ in new]
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for (key, a), (_, b) in zip(old[i1:i2], new[j1:j2], strict=True):
                paras.append(redline.changed(_STYLES[key[0]], a, b))
            continue
        paras += [redline.deleted(_STYLES[key[0]], text) for key, text in old[i1:i2]]
        paras += [redline.inserted(_STYLES[key[0]], text) for key, text in new[j1:j2]]
    return paras


def _parts(blocks_: Sequence[Block]) -> tuple[list[Block], list[Block], list[Block]]:
    head = [b for b in blocks_ if b[0][0] in ("approval", "title", "subtitle")]
    closing = [b for b in blocks_ if b[0][0] == "closing"]
    body = [b for b in blocks_ if b[0][0] not in _FRAME]
    return head, body, closing


def tracked(old: Sequence[Block], new: Sequence[Block]) -> list[Para]:
    """Paragraphs with tracked changes that turn ``old`` into ``new``: only the clauses are compared
    (word by word, an amount as one word); the title and approval block and the signatures of the new
    edition replace the old ones as a whole."""
    head_old, body_old, closing_old = _parts(old)
    head_new, body_new, closing_new = _parts(new)
    return [
        *_replace_whole(head_old, head_new),
        *_clauses_tracked(body_old, body_new),
        *_replace_whole(closing_old, closing_new),
    ]


def new_edition(doc: clauses.Document, new: Cooperative, meeting_date: dt.date | None) -> clauses.Document:
    """The consolidated text as the general meeting adopts it: marked as the new edition."""
    mark = str(_words(new)["new_edition"][doc.lang])
    return dataclasses.replace(
        doc, subtitle=f"{doc.subtitle} {mark}".strip(), approval=approval(new, doc.lang, meeting_date)
    )


def revision_day(meeting_date: dt.date | None) -> dt.date:
    """Tracked changes carry the date of the resolution that adopts them: the meeting date given, or
    today (the manifest states which)."""
    return meeting_date or dt.date.today()


def revision_date(meeting_date: dt.date | None) -> str:
    return f"{revision_day(meeting_date).isoformat()}T00:00:00Z"


# --- the package ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    langs: tuple[str, ...]
    meeting_date: dt.date | None = None


def _page(coop: Cooperative, doc: clauses.Document, closing: Sequence[str] | None = None) -> render.Page:
    page = build.page(coop, doc, build.Options())  # the same header and signatures as `build`
    return page if closing is None else dataclasses.replace(page, closing=tuple(closing))


def _file(old: Cooperative, kind: str, lang: str, doc: str = "charter") -> str:
    return str(_words(old)["files"][kind]).format(lang=lang, doc=doc)


def _document_outputs(diff: DocumentDiff, old: Cooperative, new: Cooperative, request: Request) -> list[Output]:
    """The redline and the new edition of one changed document, in every language."""
    outputs = []
    revision = Revision(AUTHOR, revision_date(request.meeting_date))
    for lang in request.langs:
        signatures = [str(s) for s in _words(new)["signatures"][lang]]
        before = diff.old.docs[lang]
        after = new_edition(diff.new.docs[lang], new, request.meeting_date)
        page = _page(new, after, signatures)
        edition_docx = render.render_docx(after, page)
        paras = tracked(
            blocks(before, diff.old.items, _page(old, before).closing), blocks(after, diff.new.items, signatures)
        )
        title = f"{after.title} {after.subtitle}".strip()
        outputs.append(
            Output(
                _file(old, "redline", lang, diff.name),
                redline.replace_body(edition_docx, paras, revision),
                diff.name,
                lang,
                "docx",
                title,
            )
        )
        outputs.append(Output(_file(old, "new_edition", lang, diff.name), edition_docx, diff.name, lang, "docx", title))
    return outputs


def _list_output(diffs: Sequence[DocumentDiff], old: Cooperative, lang: str, request: Request) -> Output:
    words = _words(old)
    names = clauses.context(old, lang)["names"]
    title = f"{words['title'][lang]} {names['full']}"
    base = render.render_docx(
        clauses.Document("amendments", lang, str(words["title"][lang]), names["full"], (), ()),
        render.Page(
            header=f"{names['short']} — {str(words['title'][lang]).capitalize()}",
            author=names["full"],
            draft=None,
            pack=old.pack,
        ),
    )
    data = redline.replace_body(base, list_paragraphs(diffs, old, lang, request.meeting_date))
    return Output(_file(old, "amendments", lang), data, "amendments", lang, "docx", title)


def resolution_facts(
    pack: Pack,
    diffs: Sequence[DocumentDiff],
    request: Request,
    decisions: Mapping[str, Any] | None = None,
    numbering: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the draft resolution needs to know about the amendments (its clauses read `amendment`);
    ``numbering``: the charter on file's own clause numbers, which the resolution then cites."""
    changed = {d.name: not d.empty for d in diffs}
    charter = next(d for d in diffs if d.name == "charter")
    numbers = {c.id: c.number for s in charter.old.first.sections for c in s.clauses}
    numbers.update(numbering or {})
    cites = {str(name): numbers.get(str(cid)) for name, cid in (wording(pack).get("cites") or {}).items()}
    return {
        **changed,
        "meeting_date": request.meeting_date,
        **cites,
        "decisions": dict(decisions or {}),
    }


def resolution(
    old: Cooperative, diffs: Sequence[DocumentDiff], request: Request, new: Cooperative | None = None
) -> list[Output]:
    """The draft resolution, rendered for the OLD cooperative: its charter governs the meeting. With
    NEW, it also carries the decisions the changes need (``required_decisions``)."""
    facts = resolution_facts(
        old.pack,
        diffs,
        request,
        decision_facts(old, new) if new is not None else None,
        source_numbering(old).get("charter"),
    )
    coop = dataclasses.replace(old, data={**old.data, "amendment": facts})
    outputs = []
    for doc in clauses.render_all(coop, "resolution", request.langs):
        signatures = [str(s) for s in _words(old)["signatures"][doc.lang]]
        data = render.render_docx(doc, _page(old, doc, signatures))
        title = f"{doc.title} {doc.subtitle}".strip()
        outputs.append(Output(_file(old, "resolution", doc.lang), data, "resolution", doc.lang, "docx", title))
    return outputs


def build_outputs(old: Cooperative, new: Cooperative, diffs: Sequence[DocumentDiff], request: Request) -> list[Output]:
    """Every document of the package, per language, in memory. Nothing is written here."""
    outputs = [_list_output(diffs, old, lang, request) for lang in request.langs]
    for diff in diffs:
        if not diff.empty:
            outputs += _document_outputs(diff, old, new, request)
    outputs += resolution(old, diffs, request, new)
    order = {lang: i for i, lang in enumerate(request.langs)}
    return sorted(outputs, key=lambda o: order[o.language])


def folder_name(old: Cooperative) -> str:
    return f"{build.folder_name(old)}-amendments"


def manifest_info(
    old: Cooperative,
    new: Cooperative,
    diffs: Sequence[DocumentDiff],
    request: Request,
    formats: Sequence[str],
    corrected: Sequence[Correction] = (),
) -> dict[str, object]:
    def source(coop: Cooperative) -> dict[str, str]:
        return {"file": coop.file.replace("\\", "/").rsplit("/", 1)[-1], "sha256": coop.input_sha256}

    return {
        "tool": "coopdocs",
        "version": __version__,
        "package": "amendments",
        "input": {"old": source(old), "new": source(new)},
        "cooperative": cooperative_info(old.data),
        "rule_pack": {"id": new.pack.key, "edition": new.pack.edition},
        "languages": list(request.langs),
        "formats": list(formats),
        "meeting_date": request.meeting_date.isoformat() if request.meeting_date else None,
        "tracked_changes_date": {
            "date": revision_day(request.meeting_date).isoformat(),
            "source": "meeting_date" if request.meeting_date else "today",
        },
        "changes": {
            d.name: {
                "amendments": len(d.changes),
                "sections_renumbered": len(d.sections_renumbered),
                "clauses_renumbered": len(d.clauses_renumbered),
            }
            for d in diffs
        },
        "corrects": [{"rule": c.problem.rule, "path": c.problem.path} for c in corrected],
        "summary": summary(old, new, diffs),
    }
