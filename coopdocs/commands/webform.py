"""The web questionnaire as data and plain functions (no HTTP here; ``coopdocs.commands.serve`` is the server).

The questions are those of ``coopdocs init`` (``questions.yaml``): the same order, explanations,
citations, defaults, parsing and legal checks. ``web-form.yaml`` cuts them into pages and holds the
interface words. A founder's answers are one dict in the shape of the input contract (the YAML file).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup, escape
from ruamel.yaml import YAML

from coopdocs.commands import init
from coopdocs.commands.init import Question, Questionnaire, Rejected
from coopdocs.compose import clauses
from coopdocs.compose.messages import Worded, worded
from coopdocs.diagnostics import Diagnostic
from coopdocs.errors import CoopdocsError, PackError
from coopdocs.inputs.loader import load_text
from coopdocs.inputs.model import Cooperative
from coopdocs.packs.pack import Pack, select_pack


@dataclass(frozen=True)
class Section:
    id: str
    title: Mapping[str, str]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class WebForm:
    qn: Questionnaire
    sections: tuple[Section, ...]
    ui: Mapping[str, Mapping[str, str]]

    def word(self, key: str, lang: str, **values: Any) -> str:
        return str(self.ui[key][lang]).format(**values)


@dataclass(frozen=True)
class Slot:
    """One question as asked on a page: for a list's item, with the item's index."""

    q: Question
    index: int | None

    @property
    def name(self) -> str:
        return self.q.id if self.index is None else f"{self.q.id}-{self.index}"

    @property
    def path(self) -> str:
        return self.q.at(self.index)


def sections_of(qn: Questionnaire, spec: list[Mapping[str, Any]], where: str) -> tuple[Section, ...]:
    """The questionnaire cut into pages: each page runs from its ``starts`` question to the next page's."""
    ids = [q.id for q in qn.questions]
    starts = []
    for entry in spec:
        if entry.get("starts") not in ids:
            raise PackError(
                f"{where}: section {entry.get('id')}: no question {entry.get('starts')!r} in questions.yaml"
            )
        init.require_langs(entry.get("title"), f"{where}: section {entry.get('id')}: title")
        starts.append(ids.index(entry["starts"]))
    if not starts or starts[0] != 0 or starts != sorted(starts):
        raise PackError(f"{where}: sections must start with the first question and follow the questions' order")
    bounds = [*starts, len(ids)]
    return tuple(
        Section(str(entry["id"]), entry["title"], qn.questions[bounds[i] : bounds[i + 1]])
        for i, entry in enumerate(spec)
    )


@cache
def load_form(pack: Pack) -> WebForm:
    source = pack.common_rel("web-form.yaml")
    raw = pack.read(source)
    qn = init.load_questionnaire(pack)
    for key, texts in raw["ui"].items():
        init.require_langs(texts, f"{source}: ui.{key}")
    return WebForm(qn, sections_of(qn, raw["sections"], str(source)), raw["ui"])


def start_data(pack: Pack, today: dt.date | None = None) -> dict[str, Any]:
    """A new cooperative: the questionnaire's defaults without the example's identity (as `init` starts)."""
    return init.interview_data(pack, today)


def pack_of(data: Mapping[str, Any], default: Pack) -> Pack:
    """The pack of a founder's answers: the one their ``jurisdiction:``/``form:`` name (the form page's
    choice, or an opened file's), else ``default`` (the server's)."""
    return select_pack(data, default) or default


def switch_form(data: Mapping[str, Any], old_pack: Pack, pack: Pack, today: dt.date | None = None) -> dict[str, Any]:
    """The answers moved to another form's questionnaire: a new start of ``pack`` that keeps every
    answer the founder gave (a value other than the old form's start) to a question both
    questionnaires share (same id and path; a list's items are kept whole)."""
    if old_pack == pack:
        return dict(data)
    old_qn, new_qn = init.load_questionnaire(old_pack), init.load_questionnaire(pack)
    untouched = start_data(old_pack, today)
    shared = {(q.id, q.path, q.each) for q in old_qn.questions}
    out = start_data(pack, today)
    for q in new_qn.questions:
        if (q.id, q.path, q.each) not in shared:
            continue
        path = q.each if q.each is not None else q.path
        value = _get(data, path)
        if value is not None and value != _get(untouched, path):
            init.set_at(out, path, copy.deepcopy(value))
    if isinstance(data.get("languages"), list):
        out["languages"] = list(data["languages"])
    return out


def _get(data: Any, path: str) -> Any:
    try:
        return init.get_at(data, path)
    except (KeyError, IndexError, TypeError):
        return None


# --- slots ---------------------------------------------------------------------------------------


def slots(section: Section, data: Mapping[str, Any]) -> Iterator[Slot]:
    """The questions of a page as they apply to ``data`` (a list's questions once per item)."""
    i = 0
    qs = section.questions
    while i < len(qs):
        group = [qs[i]]
        while qs[i].each is not None and i + 1 < len(qs) and qs[i + 1].each == qs[i].each:
            i += 1
            group.append(qs[i])
        i += 1
        if group[0].each is None:
            if init.applies(group[0], data, None):
                yield Slot(group[0], None)
            continue
        for index in range(len(init.get_at(data, group[0].each) or [])):
            for q in group:
                if init.applies(q, data, index):
                    yield Slot(q, index)


# The terminal interview says how to type some answers: «(да/нет)», «(через запятую)», «(номер
# учредителя)», «(Enter — принять предложенное)». A page shows buttons, boxes and lists instead.
_TYPED_HELP = ("boolean", "choices", "founder")


def label(slot: Slot, lang: str) -> str:
    """A question's prompt as the web page shows it: without the terminal's typing help."""
    text = str(slot.q.prompt[lang]).format(n=(slot.index or 0) + 1)
    if slot.q.type in _TYPED_HELP or slot.q.derive:
        text = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    return text


def doc_langs(data: Mapping[str, Any], pack: Pack) -> list[str]:
    """The languages of the documents the answers ask for, among the pack's (the questionnaire's
    default while none is chosen)."""
    langs = data.get("languages")
    if isinstance(langs, list) and langs:
        return [x for x in langs if x in pack.languages]
    return init.default_languages(init.load_questionnaire(pack))


# --- values as people write them -----------------------------------------------------------------


def term(form: WebForm, ident: str, lang: str) -> str:
    forms = (form.qn.terms.get(ident) or {}).get(lang)
    word = forms.get("nom") if isinstance(forms, Mapping) else forms
    return str(word) if word else ident


def choices(form: WebForm, slot: Slot) -> list[tuple[str, str]]:
    """(identifier, label) pairs of a choice question; labels in the interface language come later."""
    return [(v, v) for v in init.allowed_answers(form.qn, slot.q, slot.path)]


def number_text(value: Any, lang: str) -> str:
    """100000 -> «100 000»; 0.1 -> «0,1» (ru, kk) or «0.1» (en)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    whole, _, frac = f"{value}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    text = sign + " ".join(groups)
    if frac:
        text += ("." if lang == "en" else ",") + frac
    return text


def date_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else str(value)


def field_text(form: WebForm, slot: Slot, data: Mapping[str, Any], lang: str) -> Any:
    """What the input of a question shows: a text, a {lang: text} mapping, or a list of identifiers."""
    value = init.get_at(data, slot.path)
    kind = slot.q.type
    if kind == "localized":
        return dict(value) if isinstance(value, Mapping) else {}
    if kind == "choices":
        return list(value) if isinstance(value, list) else []
    if kind == "boolean":
        return "" if value is None else ("yes" if value else "no")
    if kind == "count":
        return str(len(value)) if isinstance(value, list) else "0"
    if kind == "founder":
        return "" if value is None else str(value + 1)
    if kind == "date":
        return date_text(value)
    if kind in ("integer", "number"):
        if slot.q.none_if_zero and init.get_at(data, slot.path.rpartition(".")[0]) is None:
            return "0"
        return number_text(value, lang)
    return "" if value is None else str(value)


def answer_words(form: WebForm, slot: Slot, data: Mapping[str, Any], lang: str) -> str:
    """An answer as the review page shows it: choices and yes/no as words, numbers and dates as written."""
    value = init.get_at(data, slot.path)
    kind = slot.q.type
    if kind == "localized":
        return " / ".join(str(v) for v in (value or {}).values() if v) if isinstance(value, Mapping) else ""
    if kind == "choice":
        return term(form, str(value), lang) if value is not None else ""
    if kind == "choices":
        return ", ".join(term(form, str(v), lang) for v in value or [])
    if kind == "boolean":
        return "" if value is None else form.word("yes" if value else "no", lang)
    if kind == "founder":
        founders = init.get_at(data, "founding.founders") or []
        if isinstance(value, int) and 0 <= value < len(founders):
            name = founders[value].get("name") or {}
            return f"{value + 1}. " + (
                name.get(lang) or next((v for v in name.values() if v), "") if isinstance(name, Mapping) else str(name)
            )
        return ""
    shown = field_text(form, slot, data, lang)
    return shown if isinstance(shown, str) else str(shown)


_DATE = re.compile(r"\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*")


def _typed(slot: Slot, text: str) -> str:
    """A founder's writing turned into what ``init.parse_answer`` reads (dd.mm.yyyy -> ISO)."""
    if slot.q.type == "date":
        m = _DATE.fullmatch(text)
        if m:
            day, month, year = (int(g) for g in m.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"
    return text


# --- taking a page's answers ----------------------------------------------------------------------


@dataclass
class Taken:
    errors: dict[str, str]  # field name -> why the answer was not accepted
    raw: dict[str, str]  # field name -> what was typed (shown again when refused)


def take_answers(
    form: WebForm, section: Section, data: dict[str, Any], values: Mapping[str, list[str]], lang: str
) -> Taken:
    """Put the answers of one page into ``data``; refused answers are reported, not stored.

    ``values`` maps a field name to the values sent (a list, for check boxes). A question whose field
    was not sent (an item that appeared with this very answer) keeps its value."""
    taken = Taken({}, {})
    for slot in list(slots(section, data)):
        if not init.applies(slot.q, data, slot.index):
            init.delete_at(data, slot.path)
            continue
        if slot.q.type == "localized":
            _take_localized(form, slot, data, values, lang, taken)
            continue
        if slot.q.type == "choices":
            if f"{slot.name}:sent" not in values:
                continue
            text = ",".join(values.get(slot.name) or [])
        else:
            if slot.name not in values:
                continue
            text = (values[slot.name] or [""])[-1]
        try:
            value = init.parse_answer(form.qn, slot.q, _typed(slot, text), data, slot.index, lang)
        except Rejected as rejected:
            taken.errors[slot.name] = rejected.reason
            taken.raw[slot.name] = text
            continue
        init.apply_answer(form.qn, slot.q, data, slot.index, value)
    return taken


def _take_localized(
    form: WebForm, slot: Slot, data: dict[str, Any], values: Mapping[str, list[str]], lang: str, taken: Taken
) -> None:
    current = init.get_at(data, slot.path)
    texts = dict(current) if isinstance(current, Mapping) else {}
    sent = False
    for language in doc_langs(data, form.qn.pack):
        key = f"{slot.name}:{language}"
        if key not in values:
            continue
        sent = True
        text = (values[key] or [""])[-1].strip() or init.offered_answer(form.qn, slot.q, data, texts, language)
        if text:
            texts[language] = text
        else:
            texts[language] = None
            taken.errors[key] = form.qn.messages["empty"][lang]
    if sent:
        init.set_at(data, slot.path, texts)


# --- checking ------------------------------------------------------------------------------------


def to_yaml(data: Mapping[str, Any], lang: str, pack: Pack) -> str:
    """The answers as the YAML contract: commented like `coopdocs init` writes it, or plain when the
    data holds keys the questionnaire does not comment (an uploaded file may)."""
    try:
        return init.render_yaml(data, lang, pack)
    except (PackError, AssertionError):
        import io

        yaml = YAML()
        yaml.width = 4096
        yaml.indent(mapping=2, sequence=4, offset=2)
        out = io.StringIO()
        yaml.dump(copy.deepcopy(dict(data)), out)
        return out.getvalue()


@dataclass(frozen=True)
class Checked:
    cooperative: Cooperative | None
    diagnostics: list[Diagnostic]


def check(data: Mapping[str, Any], lang: str, pack: Pack) -> Checked:
    """What ``coopdocs validate`` says of the answers (info findings left out)."""
    from coopdocs.checking.rules import run_rules
    from coopdocs.inputs.schema import validate_input

    loaded = load_text(to_yaml(data, lang, pack), "coop.yaml")
    coop, found = validate_input(loaded, default_pack=pack)
    if coop is not None:
        found = [*found, *run_rules(coop)]
    return Checked(coop, [d for d in found if d.severity != "info"])


def slot_of(form: WebForm, data: Mapping[str, Any], path: str) -> tuple[int, Slot] | None:
    """The page and question whose answer a diagnostic's path is about."""
    found = init.find_question(form.qn, data, path) if path else None
    if found is None:
        return None
    q, index = found
    for number, section in enumerate(form.sections, start=1):
        if q in section.questions:
            return number, Slot(q, index)
    return None


UNANSWERED = ("schema/type", "schema/required", "input/id-missing")


def page_messages(
    form: WebForm,
    section: Section,
    data: Mapping[str, Any],
    lang: str,
    checked: Checked | None = None,
    *,
    unanswered: bool = False,
) -> dict[str, list[Worded]]:
    """The legal rules' and the schema's findings next to the answers of one page that caused them.

    A question not answered yet is reported only when ``unanswered`` (the founder asked to go on)."""
    out: dict[str, list[Worded]] = {}
    names = {s.path: s.name for s in slots(section, data)}
    for slot in slots(section, data):
        if slot.q.type == "count":
            continue  # the findings inside a list belong to its items' questions
        for problem in init.rule_problems(data, slot.path, lang, form.qn.pack):
            _add(out, slot.name, problem)
    for d in (checked or check(data, lang, form.qn.pack)).diagnostics:
        if d.rule in UNANSWERED and not unanswered:
            continue
        where = slot_of(form, data, d.path)
        if where is not None and where[1].q.type == "count" and where[1].path != d.path:
            where = _unanswered_in(form, section, data, d.path) or where
        if where is not None and where[1].path in names:
            _add(out, names[where[1].path], worded(d, lang))
    return out


def _unanswered_in(form: WebForm, section: Section, data: Mapping[str, Any], path: str) -> tuple[int, Slot] | None:
    """A finding about a list's item as a whole (a founder without an IIN) belongs to the item's
    first unanswered question, not to the question that counts the items."""
    number = form.sections.index(section) + 1
    for slot in slots(section, data):
        if slot.index is not None and slot.path.startswith(path + ".") and init.get_at(data, slot.path) is None:
            return number, slot
    return None


def _add(out: dict[str, list[Worded]], name: str, d: Worded) -> None:
    listed = out.setdefault(name, [])
    if all((x.rule, x.message) != (d.rule, d.message) for x in listed):
        listed.append(d)


def in_words(form: WebForm, data: Mapping[str, Any], text: str | None, lang: str) -> str:
    """A message with every data path in it (``founding.elected.chair``) replaced by the question that
    asks it, and every choice identifier (``to_charter_purposes``) by its word, in quotes: a founder
    never sees a YAML path or an identifier (``fieldnames.in_words``, as `validate` words them)."""
    from coopdocs.commands.fieldnames import in_words as worded

    return worded(text, lang, form.qn.pack)


def basis(d: Worded, lang: str) -> str:
    return d.citation.label(lang) if d.citation is not None else ""


def question_basis(q: Question, lang: str, pack: Pack) -> str:
    """The legal basis of a question in words, as `init` says it (no verification marks)."""
    return init.basis_text(q, lang, pack)


# --- the preview ---------------------------------------------------------------------------------

GAP = "……"
_KEPT = ("iin", "bin", "postal_code", "kind", "share_contribution")


def preview_data(data: Mapping[str, Any], pack: Pack) -> dict[str, Any]:
    """The answers with their gaps shown as «……», so the charter can be previewed from the first page.

    An identity not given yet takes the example's shape with every text blanked (its identity
    numbers stay, they are never shown in the charter); a text missing in one language shows the gap."""
    out = copy.deepcopy(dict(data))
    defaults = init.default_data(pack)
    qn = load_form(pack).qn
    founders = init.get_at(out, "founding.founders") or []
    examples = init.get_at(defaults, "founding.founders") or []
    for i, founder in enumerate(founders):  # an IIN not given yet: any valid one (the charter shows none)
        if isinstance(founder, dict) and founder.get("kind", "person") == "person" and not founder.get("iin"):
            founder["iin"] = examples[i % len(examples)]["iin"] if examples else None
    for path in qn.blank:
        if init.get_at(out, path) is None and init.schema_rules(qn.schema, path).get("nullable"):
            continue  # may stay empty (the short name is then made from the name)
        if init.get_at(out, path) in (None, [], {}):
            init.set_at(out, path, _blanked(init.get_at(defaults, path), path.rpartition(".")[2]))
    return _gaps(out, pack.languages)


def _blanked(value: Any, key: str = "") -> Any:
    if key in _KEPT:
        return value
    if isinstance(value, Mapping):
        return {k: (v if k in _KEPT else _blanked(v, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_blanked(v, key) for v in value]
    return GAP if isinstance(value, str) else value


def _gaps(value: Any, langs: Sequence[str]) -> Any:
    if isinstance(value, dict):
        return {k: (GAP if v is None and k in langs else _gaps(v, langs)) for k, v in value.items()}
    if isinstance(value, list):
        return [_gaps(v, langs) for v in value]
    return value


def preview_html(coop: Cooperative, lang: str, commentary_word: str) -> Markup:
    """The charter as the HTML writer writes it (``htmlwriter``, an ``<article>`` fragment), with each
    clause's commentary — the member's edition — folded under a ``<details>`` named ``commentary_word``."""
    from coopdocs.commands import build
    from coopdocs.writers import htmlwriter

    doc_lang = lang if lang in coop.languages else coop.languages[0]
    try:
        (doc,) = clauses.render_all(coop, "charter", [doc_lang])
        tree = build.tree(coop, doc, build.Options(audience="member"), commentary=True)
        html = htmlwriter.render(tree, fragment=True, pack=coop.pack, folded=commentary_word)
    except CoopdocsError as exc:
        return Markup("<p class=problem>{}</p>").format(str(exc))
    return Markup(html)  # noqa: S704 - the writer's template escapes every text of the tree


def plain(text: Any) -> Markup:
    return escape(text)
