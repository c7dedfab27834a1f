"""`coopdocs init`: the founders' questionnaire and the commented YAML it writes.

The questions, their explanations, citations and defaults are data (``questions.yaml`` of the pack's
common templates); the comment of every key is data too (``key-comments.yaml``). Answers are checked
as they are given: against the question's type and limits, the input schema's limits, and the legal
rules (a rule that reports the answer rejects it with its own message). The whole file is then
checked the way ``coopdocs validate`` checks it, and the questions behind any problem are asked again.

Nothing here prints: the caller passes a :class:`Prompter` (the CLI wraps ``click.prompt``).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from coopdocs import MESSAGE_LANGUAGES
from coopdocs.compose.messages import Worded, worded_all
from coopdocs.errors import InputError, OutputError, PackError, UsageError
from coopdocs.inputs import idnumbers
from coopdocs.inputs.loader import Positions, load_text
from coopdocs.inputs.model import Cooperative, split_path
from coopdocs.packs.citations import citation_entry, resolve
from coopdocs.packs.pack import Pack

TYPES = (
    "text",
    "localized",
    "integer",
    "number",
    "boolean",
    "choice",
    "choices",
    "date",
    "postal_code",
    "iin",
    "bin",
    "count",
    "founder",
)
REJECTING = ("error", "red_flag", "warning")
COMMENT_COLUMN = 34
RECHECK_ROUNDS = 3
PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class Question:
    id: str
    path: str
    type: str
    citation: str
    prompt: Mapping[str, str]
    explain: Mapping[str, str]
    each: str | None = None
    when: Mapping[str, Any] | None = None
    min: float | None = None
    max: float | None = None
    min_path: str | None = None
    allowed: tuple[str, ...] = ()
    none_if_zero: bool = False
    indexes: tuple[str, ...] = ()
    kk_from_ru: bool = False
    derive: Mapping[str, str] | None = None
    basis: Mapping[str, str] | None = None

    def at(self, index: int | None) -> str:
        """The absolute dotted path of the answer (``index``: the item of ``each``)."""
        if self.each is None:
            return self.path
        base = f"{self.each}[{index}]"
        return f"{base}.{self.path}" if self.path else base


@dataclass(frozen=True)
class Questionnaire:
    defaults: Mapping[str, Any]
    new_items: Mapping[str, Any]
    questions: tuple[Question, ...]
    messages: Mapping[str, Any]
    comments: Mapping[str, Mapping[str, str]]
    schema: Mapping[str, Any]
    terms: Mapping[str, Any]
    blank: Mapping[str, Any]
    choice_words: Mapping[str, Mapping[str, list[str]]]
    names: Mapping[str, Mapping[str, str]]
    pack: Pack


@dataclass(frozen=True)
class Prompter:
    """How the questionnaire talks: ``say`` shows text, ``ask`` returns the answer typed (or the
    default). ``ask`` raises ``EOFError`` when the input ends (``ask_all`` turns it into a clear
    :class:`InputError`) and ``KeyboardInterrupt`` when the user interrupts."""

    say: Callable[[str], None]
    ask: Callable[[str, str | None], str]


class GoBack(Exception):
    """The founder typed the word for "back" (назад, артқа, back)."""


@dataclass
class Draft:
    """Where an interrupted interview stands: the answers so far and the question to ask next."""

    data: dict[str, Any]
    position: int
    answered: list[str]
    lang: str
    target: str = ""
    skip_answered: bool = False  # an input file to complete (e.g. from `coopdocs import`): ask only the rest


class Stopped(Exception):
    """The interview stopped (Ctrl-D: ``EOFError``, Ctrl-C: ``KeyboardInterrupt``) with a draft to save."""

    def __init__(self, draft: Draft, cause: BaseException) -> None:
        super().__init__("stopped")
        self.draft = draft
        self.cause = cause


class Rejected(Exception):
    """An answer that cannot be accepted; ``reason`` says why, in the questionnaire's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- data ----------------------------------------------------------------------------------------


def data_dir(pack: Pack) -> Path:
    return pack.data_root / "templates" / "common" / pack.jurisdiction / pack.form


@cache
def load_questionnaire(pack: Pack) -> Questionnaire:
    """The pack's questionnaire, checked: every text in ru/kk/en, known types and citations."""
    source = pack.common_rel("questions.yaml")
    raw = pack.read(source)
    comments = pack.read(pack.common_rel("key-comments.yaml"), required=False) or {}
    if not isinstance(raw, Mapping) or not isinstance(comments, Mapping):
        raise PackError(f"{source}: expected mappings of defaults, questions and messages")
    questions = tuple(
        _parse_question(entry, f"{source}: question {i + 1}", pack) for i, entry in enumerate(raw["questions"])
    )
    for name, texts in (raw.get("messages") or {}).items():
        require_langs(texts, f"{source}: messages.{name}")
    for key, texts in comments.items():
        require_langs(texts, f"{pack.common_rel('key-comments.yaml')}: {key}")
    from coopdocs.compose.wording import load_terms

    return Questionnaire(
        defaults=raw["defaults"],
        new_items=raw.get("new_items") or {},
        questions=questions,
        messages=raw["messages"],
        comments=comments,
        schema=pack.input_schema(),
        terms=load_terms(pack),
        blank=raw.get("interview_blank") or {},
        choice_words=raw.get("choice_words") or {},
        names=pack.meta["names"],
        pack=pack,
    )


def require_langs(texts: Any, where: str) -> None:
    if not isinstance(texts, Mapping) or any(lang not in texts for lang in MESSAGE_LANGUAGES):
        raise PackError(f"{where}: needs a text in each of {', '.join(MESSAGE_LANGUAGES)}")


def _parse_question(entry: Any, where: str, pack: Pack) -> Question:
    if not isinstance(entry, Mapping) or entry.get("type") not in TYPES:
        raise PackError(f"{where}: needs a type, one of {', '.join(TYPES)}")
    citation_entry(str(entry["citation"]), pack)  # an unknown citation id is a pack error
    for name in ("prompt", "explain"):
        require_langs(entry.get(name), f"{where} ({entry.get('id')}): {name}")
    return Question(
        id=str(entry["id"]),
        path=str(entry.get("path") or ""),
        type=str(entry["type"]),
        citation=str(entry["citation"]),
        prompt=entry["prompt"],
        explain=entry["explain"],
        each=entry.get("each"),
        when=entry.get("when"),
        min=entry.get("min"),
        max=entry.get("max"),
        min_path=entry.get("min_path"),
        allowed=tuple(entry.get("allowed") or ()),
        none_if_zero=bool(entry.get("none_if_zero", False)),
        indexes=tuple(entry.get("indexes") or ()),
        kk_from_ru=bool(entry.get("kk_from_ru", False)),
        derive=entry.get("derive"),
        basis=entry.get("basis"),
    )


def default_languages(qn: Questionnaire) -> list[str]:
    """The documents' languages while none is chosen: the questionnaire's default, else the pack's."""
    chosen = qn.defaults.get("languages")
    return [str(x) for x in chosen] if isinstance(chosen, list) and chosen else list(qn.pack.languages)


def default_data(pack: Pack, today: dt.date | None = None) -> dict[str, Any]:
    """The default cooperative (a fresh copy), with the founding meeting dated ``today``."""
    data = copy.deepcopy(dict(load_questionnaire(pack).defaults))
    if data["founding"].get("meeting_date") == "today":
        data["founding"]["meeting_date"] = today or dt.date.today()
    return data


def interview_data(pack: Pack, today: dt.date | None = None) -> dict[str, Any]:
    """Where the interview starts: the default cooperative without the example's identity
    (``interview_blank``): no name, place, founder or IIN of the example is offered."""
    data = default_data(pack, today)
    for path, value in load_questionnaire(pack).blank.items():
        set_at(data, path, copy.deepcopy(value))
    return data


# --- paths ---------------------------------------------------------------------------------------


def get_at(data: Any, path: str | PathT) -> Any:
    parts = split_path(path) if isinstance(path, str) else path
    for part in parts:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return None
        elif not isinstance(data, Mapping):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def set_at(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at ``path``; a null mapping on the way becomes an empty one."""
    parts = split_path(path)
    target: Any = data
    for i, part in enumerate(parts[:-1]):
        step = target[part] if isinstance(part, int) else target.get(part)
        if step is None:
            step = [] if isinstance(parts[i + 1], int) else {}
            target[part] = step
        target = step
    if not parts:
        raise PackError("a question needs a path")
    target[parts[-1]] = value


def delete_at(data: dict[str, Any], path: str) -> None:
    parts = split_path(path)
    parent = get_at(data, parts[:-1])
    if isinstance(parent, dict):
        parent.pop(parts[-1], None)


def _related(a: str, b: str) -> bool:
    """True when one path lies inside the other (or they are equal)."""
    pa, pb = split_path(a), split_path(b)
    shorter = min(len(pa), len(pb))
    return pa[:shorter] == pb[:shorter]


def schema_rules(schema: Mapping[str, Any], path: str | PathT) -> Mapping[str, Any]:
    """The input schema's rules at a data path (list indexes step into the item rules)."""
    rules: Any = {"type": "dict", "schema": schema}
    for part in split_path(path) if isinstance(path, str) else path:
        inner = rules.get("schema") if isinstance(rules, Mapping) else None
        if not isinstance(inner, Mapping):
            return {}
        rules = inner if isinstance(part, int) else inner.get(part, {})
    return rules if isinstance(rules, Mapping) else {}


# --- wording -------------------------------------------------------------------------------------


def _msg(qn: Questionnaire, name: str, lang: str, **values: Any) -> str:
    return str(qn.messages[name][lang]).format(**values)


def message(name: str, lang: str, pack: Pack, **values: Any) -> str:
    """One of the questionnaire's messages (``questions.yaml``), for the CLI."""
    return _msg(load_questionnaire(pack), name, lang, **values)


def _word(qn: Questionnaire, ident: str, lang: str) -> str:
    """The word for a choice identifier in ``lang`` (terms.yaml), or the identifier itself."""
    forms = (qn.terms.get(ident) or {}).get(lang)
    word = forms.get("nom") if isinstance(forms, Mapping) else forms
    return str(word) if word else ident


def _term(qn: Questionnaire, ident: str, lang: str) -> str:
    word = _word(qn, ident, lang)
    return word if word == ident else f"{word} ({ident})"


def _fold(text: str) -> str:
    return re.sub(r"[\s«»\"'“”.]+", " ", text).strip().casefold().replace("ё", "е")


def _choice_of(qn: Questionnaire, text: str, allowed: tuple[str, ...]) -> str | None:
    """The identifier a typed choice means: its number (from 1), the identifier, or a word for it
    in any language (terms.yaml, ``choice_words``)."""
    wanted = _fold(text)
    if wanted.isdigit() and 1 <= int(wanted) <= len(allowed):
        return allowed[int(wanted) - 1]
    for ident in allowed:
        words = [ident, *(_word(qn, ident, lang) for lang in MESSAGE_LANGUAGES)]
        for lang in MESSAGE_LANGUAGES:
            words += (qn.choice_words.get(ident) or {}).get(lang) or []
        if wanted in {_fold(w) for w in words}:
            return ident
    return None


def _yes_no(qn: Questionnaire, lang: str) -> tuple[list[str], list[str]]:
    yes = [*qn.messages["yes_words"][lang], "yes", "y", "true", "1"]
    no = [*qn.messages["no_words"][lang], "no", "n", "false", "0"]
    return yes, no


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(qn: Questionnaire, path: str, lang: str) -> str:
    """A data path in words: the question that asks it (a founder sees no YAML path); ``fieldnames``
    names fields the same way for `validate` and the web form."""
    from coopdocs.commands.fieldnames import label

    return label(path, lang, qn.pack) or path


def _in_words(qn: Questionnaire, text: str, lang: str) -> str:
    """Replace the data paths a rule's message or hint names (``entrance_fee.amount``) by the
    questions that ask them (``fieldnames.in_words``)."""
    from coopdocs.commands.fieldnames import in_words

    return in_words(text, lang, qn.pack)


def basis_line(qn: Questionnaire, q: Question, lang: str) -> str:
    """The legal basis in words, as the interview prints it: «  (закон: …)»."""
    return f"  ({_msg(qn, 'law', lang)}: {basis_text(q, lang, qn.pack)})"


def basis_text(q: Question, lang: str, pack: Pack) -> str:
    """The legal basis in words: the instrument's name and the article, no verification marks (the
    interview and the web form are for founders; a lawyer reads the marks in `explain` and the rules)."""
    from dataclasses import replace

    from coopdocs.packs.citations import instrument_entry

    if q.basis:
        return str(q.basis[lang])
    cited = resolve(q.citation, lang, pack)
    entry = instrument_entry(citation_entry(q.citation, pack)["instrument"], pack)
    full = str(entry.get(lang) or entry.get("en") or cited.instrument)
    shown = replace(cited, verified=True, instrument=full if len(full) <= 90 else cited.instrument)
    return shown.label(lang)


# --- one question --------------------------------------------------------------------------------


def allowed_answers(qn: Questionnaire, q: Question, path: str) -> tuple[str, ...]:
    if q.allowed:
        return q.allowed
    rules = schema_rules(qn.schema, path)
    if q.type == "choices":
        rules = rules.get("schema") or {}
    return tuple(rules.get("allowed") or ())


def _limits(qn: Questionnaire, q: Question, path: str) -> tuple[float | None, float | None]:
    rules = schema_rules(qn.schema, path)
    low = [v for v in (q.min, rules.get("min")) if v is not None]
    high = [v for v in (q.max, rules.get("max")) if v is not None]
    return (max(low) if low else None), (min(high) if high else None)


def _default_text(qn: Questionnaire, q: Question, value: Any, lang: str) -> str | None:
    if value is None:
        return None
    if q.type == "boolean":
        yes, no = _yes_no(qn, lang)
        return yes[0] if value else no[0]
    if q.type == "choice":
        return _word(qn, str(value), lang)
    if q.type == "choices":
        return ", ".join(_word(qn, str(v), lang) for v in value)
    if q.type == "count":
        return str(len(value)) if isinstance(value, list) and value else None
    if q.type == "founder":
        return str(value + 1)
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Mapping):
        return " / ".join(str(v) for v in value.values() if v is not None) or None
    if q.type == "number" and lang in ("ru", "kk"):
        return _shown(value).replace(".", ",")  # 0,1 as people write it (either is accepted)
    return _shown(value)


def parse_answer(
    qn: Questionnaire, q: Question, text: str, data: Mapping[str, Any], index: int | None, lang: str
) -> Any:
    """The value of one typed answer (not localized), or ``Rejected`` saying why."""
    text = text.strip()
    path = q.at(index)
    if not text:
        raise Rejected(_msg(qn, "empty", lang))
    if q.type in ("integer", "number", "count", "founder"):
        return _parse_number(qn, q, text, data, path, lang)
    if q.type == "boolean":
        yes, no = _yes_no(qn, lang)
        if text.lower() in yes or text.lower() in no:
            return text.lower() in yes
        raise Rejected(_msg(qn, "boolean", lang))
    if q.type == "choice":
        allowed = allowed_answers(qn, q, path)
        picked = _choice_of(qn, text, allowed)
        if picked is None:
            raise Rejected(_msg(qn, "choice", lang, choices=", ".join(allowed)))
        return picked
    if q.type == "choices":
        return _parse_choices(qn, q, text, path, lang)
    if q.type == "date":
        return parse_date(qn, text, lang)
    if q.type == "postal_code":
        code = re.sub(r"[\s-]", "", text).upper()
        if not re.fullmatch(POSTAL_CODE, code):
            raise Rejected(_msg(qn, "postal_code", lang))
        return code
    if q.type in ("iin", "bin"):
        return _parse_id(qn, q.type, text, data, lang)
    return text


POSTAL_CODE = r"[0-9]{6}|[A-Z][0-9]{2}[A-Z0-9]{4}"


def parse_date(qn: Questionnaire, text: str, lang: str) -> dt.date:
    """A date as people write it (15.03.2027, 15/03/2027) or as ISO (2027-03-15)."""
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text.strip())
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Rejected(_msg(qn, "date", lang)) from None


def _parse_number(
    qn: Questionnaire, q: Question, text: str, data: Mapping[str, Any], path: str, lang: str
) -> int | float:
    compact = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    whole = q.type != "number"
    try:
        value: int | float = int(compact) if whole else float(compact)
    except ValueError:
        raise Rejected(_msg(qn, "integer" if whole else "number", lang)) from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if q.type == "founder":
        count = len(get_at(data, "founding.founders") or [])
        if not 1 <= value <= count:
            raise Rejected(_msg(qn, "founder", lang, count=count))
        return value - 1
    if q.none_if_zero and value == 0:
        return 0
    low, high = _limits(qn, q, path) if q.type != "count" else (q.min, q.max)
    if low is not None and value < low:
        raise Rejected(_msg(qn, "min", lang, min=_shown(low)))
    if high is not None and value > high:
        raise Rejected(_msg(qn, "max", lang, max=_shown(high)))
    floor = get_at(data, q.min_path) if q.min_path else None
    if isinstance(floor, int | float) and value < floor:
        raise Rejected(_msg(qn, "min_path", lang, min=_shown(floor), path=_label(qn, q.min_path or "", lang)))
    return value


def _parse_choices(qn: Questionnaire, q: Question, text: str, path: str, lang: str) -> list[str]:
    allowed = allowed_answers(qn, q, path)
    whole = _choice_of(qn, text, allowed)
    if whole is not None:
        return [whole]
    picked: list[str] = []
    wrong: list[str] = []
    for item in (part.strip() for part in re.split(r"[,;]|\s+(?=\d)", text)):
        if not item:
            continue
        found = _choice_of(qn, item, allowed)
        if found is None:
            wrong.append(item)
        elif found not in picked:
            picked.append(found)
    if wrong or not picked:
        raise Rejected(_msg(qn, "choices_wrong", lang, wrong=", ".join(wrong) or "—", choices=", ".join(allowed)))
    return picked


def _parse_id(qn: Questionnaire, kind: str, text: str, data: Mapping[str, Any], lang: str) -> str:
    number = re.sub(r"[\s-]", "", text)
    problem = idnumbers.iin_problem(number) if kind == "iin" else idnumbers.bin_problem(number)
    if problem:
        raise Rejected(_msg(qn, kind, lang, value=number, reason=idnumbers.REASONS[problem][lang]))
    birth = idnumbers.iin_birth_date(number) if kind == "iin" else None
    meeting = get_at(data, "founding.meeting_date")
    min_age = get_at(data, "membership.eligibility.min_age") or 18
    if birth is not None and isinstance(meeting, dt.date) and idnumbers.age_on(birth, meeting) < min_age:
        age = idnumbers.age_on(birth, meeting)
        raise Rejected(_msg(qn, "age", lang, age=age, date=meeting.isoformat(), min_age=min_age))
    return number


def apply_answer(qn: Questionnaire, q: Question, data: dict[str, Any], index: int | None, value: Any) -> None:
    """Put an accepted value into ``data`` (count questions resize their list)."""
    path = q.at(index)
    if q.type == "count":
        items = list(get_at(data, path) or [])[:value]
        while len(items) < value:
            items.append(copy.deepcopy(qn.new_items.get(path)))
        set_at(data, path, items)
        for target in q.indexes:
            set_at(data, target, list(range(value)))
    elif q.none_if_zero and value == 0:
        set_at(data, path.rpartition(".")[0], None)
    else:
        set_at(data, path, value)


def rule_problems(data: Mapping[str, Any], path: str, lang: str, pack: Pack) -> list[Worded]:
    """What the legal rules report at (or inside) ``path`` for a draft, worded in ``lang``."""
    from coopdocs.checking.rules import load_rules, to_diagnostic

    coop = Cooperative("<init>", dict(data), Positions(), pack, "")
    found = []
    for rule in load_rules(pack):
        if rule.severity not in REJECTING:
            continue
        for finding in rule.findings(data, pack):
            if _related(finding.path, path):
                found.append(to_diagnostic(rule, finding, coop))
    return worded_all(found, lang)


def applies(q: Question, data: Mapping[str, Any], index: int | None) -> bool:
    if not q.when:
        return True
    where = str(q.when["path"])
    target = f"{q.each}[{index}].{where}" if q.each is not None else where
    value = get_at(data, target)
    if "equals" in q.when:
        return bool(value == q.when["equals"])
    return value is not None if q.when.get("not_null") else value is None


def _is_back(qn: Questionnaire, text: str) -> bool:
    return _fold(text) in {_fold(w) for lang in MESSAGE_LANGUAGES for w in qn.messages["back_words"][lang]}


def ask_question(
    qn: Questionnaire,
    q: Question,
    data: dict[str, Any],
    index: int | None,
    lang: str,
    prompter: Prompter,
    reason: str | None = None,
    progress: str = "",
) -> None:
    """Ask one question (once per language for localized texts) until the answer is accepted.

    Raises :class:`GoBack` when the founder asks for the previous question."""
    if not applies(q, data, index):
        delete_at(data, q.at(index))
        return
    prompter.say("")
    if reason:
        prompter.say(reason)
    prompter.say(str(q.explain[lang]))
    prompter.say(basis_line(qn, q, lang))
    if q.type in ("choice", "choices"):
        allowed = allowed_answers(qn, q, q.at(index))
        for number, value in enumerate(allowed, start=1):
            prompter.say(f"  {number} — {_word(qn, value, lang)}")
        prompter.say(f"  ({_msg(qn, 'choice_how', lang)})")
    prompt = str(q.prompt[lang]).format(n=(index or 0) + 1)
    typed: dict[str, str] = {}
    while True:
        draft = copy.deepcopy(data)
        if q.type == "localized":
            _ask_localized(qn, q, draft, index, lang, prompter, prompt, progress, typed)
        else:
            _ask_value(qn, q, draft, index, lang, prompter, prompt, progress)
        problems = rule_problems(draft, q.at(index), lang, qn.pack)
        if not problems:
            data.clear()
            data.update(draft)
            return
        for problem in problems:
            prompter.say(_msg(qn, "rejected", lang, reason=_in_words(qn, problem.message, lang)))
            if problem.hint:
                prompter.say(f"  = {_msg(qn, 'hint', lang)}: {_in_words(qn, problem.hint, lang)}")


def _ask(prompter: Prompter, qn: Questionnaire, progress: str, prompt: str, default: str | None) -> str:
    answer = prompter.ask(f"{progress} {prompt}".strip(), default)
    if _is_back(qn, answer):
        raise GoBack
    return answer


def _ask_value(
    qn: Questionnaire,
    q: Question,
    draft: dict[str, Any],
    index: int | None,
    lang: str,
    prompter: Prompter,
    prompt: str,
    progress: str,
) -> None:
    current = get_at(draft, q.at(index))
    if q.none_if_zero and current is None:
        default: str | None = "0"
    else:
        default = _default_text(qn, q, current, lang)
    while True:
        try:
            value = parse_answer(qn, q, _ask(prompter, qn, progress, prompt, default), draft, index, lang)
        except Rejected as rejected:
            prompter.say(_msg(qn, "rejected", lang, reason=rejected.reason))
            continue
        apply_answer(qn, q, draft, index, value)
        return


def _ask_localized(
    qn: Questionnaire,
    q: Question,
    draft: dict[str, Any],
    index: int | None,
    lang: str,
    prompter: Prompter,
    prompt: str,
    progress: str,
    typed: dict[str, str],
) -> None:
    """One answer per language; what was typed before a refusal is offered again (``typed``)."""
    path = q.at(index)
    current = get_at(draft, path)
    texts = {k: v for k, v in (current if isinstance(current, Mapping) else {}).items() if v is not None}
    languages = draft.get("languages") or default_languages(qn)
    position = 0
    while position < len(languages):
        language = languages[position]
        default = typed.get(language) or texts.get(language) or offered_answer(qn, q, draft, texts, language)
        try:
            answer = _ask(prompter, qn, progress, f"{prompt} ({language})", default).strip()
        except GoBack:
            if position == 0:
                raise
            position -= 1
            continue
        if answer:
            texts[language] = typed[language] = answer
            position += 1
            continue
        prompter.say(_msg(qn, "rejected", lang, reason=_msg(qn, "empty", lang)))
    set_at(draft, path, {k: v for k, v in texts.items() if v is not None})


def offered_answer(
    qn: Questionnaire, q: Question, draft: Mapping[str, Any], texts: Mapping[str, str], language: str
) -> str | None:
    """A default computed from other answers: the short name from the name (``derive``), or the
    Russian answer as the Kazakh one for a proper name (``kk_from_ru``)."""
    if q.derive:
        source = get_at(draft, str(q.derive["from"]))
        name = source.get(language) if isinstance(source, Mapping) else None
        if name:
            return str(qn.names[str(q.derive["pattern"])][language]).format(name=name)
    if q.kk_from_ru and language == "kk":
        return texts.get("ru")
    return None


# --- the whole questionnaire ---------------------------------------------------------------------


def _occurrences(q: Question, data: Mapping[str, Any]) -> Iterator[int | None]:
    if q.each is None:
        yield None
        return
    yield from range(len(get_at(data, q.each) or []))


def _groups(questions: tuple[Question, ...]) -> list[list[Question]]:
    """Consecutive questions about the same list's items, so that one item is asked at a time."""
    groups: list[list[Question]] = []
    for q in questions:
        if groups and q.each is not None and groups[-1][0].each == q.each:
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def steps(qn: Questionnaire, data: Mapping[str, Any]) -> list[tuple[Question, int | None]]:
    """The questions to ask for ``data``, in order (list items expanded, inapplicable ones left out)."""
    out: list[tuple[Question, int | None]] = []
    for group in _groups(qn.questions):
        for index in list(_occurrences(group[0], data)):
            out += [(q, index) for q in group if applies(q, data, index)]
    return out


def _key(q: Question, index: int | None) -> str:
    return q.id if index is None else f"{q.id}[{index}]"


def _prune(qn: Questionnaire, data: dict[str, Any]) -> None:
    """Remove the answers of questions that no longer apply (e.g. the audit commission's size
    once an auditor was chosen)."""
    for q in qn.questions:
        for index in list(_occurrences(q, data)):
            if not applies(q, data, index):
                delete_at(data, q.at(index))


def check_stdin(stream: Any, lang: str, pack: Pack) -> None:
    """Refuse to ask questions when standard input is closed (``0<&-``: Python's ``sys.stdin`` is None)."""
    if stream is None or getattr(stream, "closed", False):
        qn = load_questionnaire(pack)
        raise InputError(_msg(qn, "stdin_closed", lang), hint=_msg(qn, "input_ended_hint", lang))


def interview_pack(prompter: Prompter, lang: str, draft: Draft | None, default: Pack) -> Pack:
    """The pack the interview uses: a resumed draft's or file's own (its ``jurisdiction:``/``form:``),
    else the founder's answer to the form question (``formchoice``), asked first."""
    from coopdocs.packs.formchoice import ask_form
    from coopdocs.packs.pack import select_pack

    if draft is not None:
        found = select_pack(draft.data, default)
        if found is None:
            qn = load_questionnaire(default)
            raise InputError(
                _msg(qn, "draft_bad", lang, draft=draft.target or "-"), hint=_msg(qn, "draft_bad_hint", lang)
            )
        return found
    asked: list[str] = []

    def ask(text: str, answer: str | None) -> str:
        asked.append(text)
        return prompter.ask(text, answer)

    try:
        return ask_form(Prompter(say=prompter.say, ask=ask), lang, default.jurisdiction)
    except EOFError:
        qn = load_questionnaire(default)
        question = asked[-1] if asked else "-"
        raise InputError(
            _msg(qn, "input_ended", lang, question=question), hint=_msg(qn, "input_ended_hint", lang)
        ) from None


def ask_all(
    prompter: Prompter,
    lang: str,
    pack: Pack,
    today: dt.date | None = None,
    *,
    interactive: bool = False,
    draft: Draft | None = None,
) -> dict[str, Any]:
    """Ask every question, then check the whole file and ask again where it has problems.

    ``interactive`` (a founder at a terminal): a review of every answer ends the interview, and
    Ctrl-D or Ctrl-C raise :class:`Stopped` with the draft to save (``draft`` resumes one).
    Otherwise (answers piped in) the input ending early is an :class:`InputError` that names the
    unanswered question, and nothing is written."""
    qn = load_questionnaire(pack)
    asked: list[str] = []
    state = draft or Draft(data=interview_data(pack, today), position=0, answered=[], lang=lang)

    def ask(text: str, default: str | None) -> str:
        asked.append(re.sub(r"^\[\d+/\d+\] ", "", text))
        return prompter.ask(text, default)

    try:
        return _interview(qn, Prompter(say=prompter.say, ask=ask), lang, state, pack, interactive)
    except (EOFError, KeyboardInterrupt) as exc:
        if interactive:
            raise Stopped(state, exc) from None
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise InputError(
            _msg(qn, "input_ended", lang, question=asked[-1] if asked else "-"),
            hint=_msg(qn, "input_ended_hint", lang),
        ) from None


def _interview(
    qn: Questionnaire, prompter: Prompter, lang: str, state: Draft, pack: Pack, interactive: bool
) -> dict[str, Any]:
    prompter.say(_msg(qn, "header", lang))
    prompter.say(_msg(qn, "back_note", lang))
    if state.position:
        prompter.say(_msg(qn, "resumed", lang, n=state.position + 1))
    editing = False
    while True:
        todo = steps(qn, state.data)
        pending = [i for i, (q, index) in enumerate(todo) if _key(q, index) not in state.answered]
        if editing or state.position >= len(todo):
            state.position = pending[0] if pending else len(todo)
            editing = False
        if state.position >= len(todo):
            if not interactive:
                break
            chosen = _review(qn, state.data, todo, lang, prompter)
            if chosen is None:
                break
            state.position, editing = chosen, True
        q, index = todo[state.position]
        progress = _msg(qn, "progress", lang, n=state.position + 1, total=len(todo))
        try:
            ask_question(qn, q, state.data, index, lang, prompter, progress=progress)
        except GoBack:
            if state.position == 0:
                prompter.say(_msg(qn, "at_first", lang))
            state.position = max(0, state.position - 1)
            editing = False
            continue
        _prune(qn, state.data)
        if _key(q, index) not in state.answered:
            state.answered.append(_key(q, index))
        if not editing:
            state.position += 1
            if state.skip_answered:
                todo = steps(qn, state.data)
                while state.position < len(todo) and _key(*todo[state.position]) in state.answered:
                    state.position += 1
    return _recheck(qn, state.data, lang, prompter, pack)


def _review(
    qn: Questionnaire, data: Mapping[str, Any], todo: list[tuple[Question, int | None]], lang: str, prompter: Prompter
) -> int | None:
    """Show every answer, numbered; the number of one to change, or None to write the file."""
    prompter.say("")
    prompter.say(_msg(qn, "review_title", lang))
    for number, (q, index) in enumerate(todo, start=1):
        value = get_at(data, q.at(index))
        shown = "0" if value is None and q.none_if_zero else _default_text(qn, q, value, lang) or "—"
        prompter.say(f"  {number:>3}. {str(q.prompt[lang]).format(n=(index or 0) + 1)}: {shown}")
    while True:
        answer = prompter.ask(_msg(qn, "review_prompt", lang), "").strip()
        if not answer:
            return None
        if _is_back(qn, answer):
            return len(todo) - 1
        if answer.isdigit() and 1 <= int(answer) <= len(todo):
            return int(answer) - 1
        prompter.say(_msg(qn, "rejected", lang, reason=_msg(qn, "review_wrong", lang, count=len(todo))))


def _recheck(qn: Questionnaire, data: dict[str, Any], lang: str, prompter: Prompter, pack: Pack) -> dict[str, Any]:
    for _ in range(RECHECK_ROUNDS):
        problems = check_data(data, lang, pack)
        if not problems:
            return data
        prompter.say("")
        prompter.say(_msg(qn, "recheck", lang))
        if not _ask_again(qn, data, problems, lang, prompter):
            break
    problems = check_data(data, lang, pack)
    if problems:
        listed = "; ".join(f"{_label(qn, d.path, lang)}: {d.message}" for d in problems)
        raise InputError(_msg(qn, "not_clean", lang, problems=listed), hint=_msg(qn, "not_clean_hint", lang))
    return data


def _ask_again(
    qn: Questionnaire, data: dict[str, Any], problems: list[Worded], lang: str, prompter: Prompter
) -> bool:
    asked = False
    for problem in problems:
        found = find_question(qn, data, problem.path)
        if found is None:
            continue
        q, index = found
        reason = _msg(qn, "rejected", lang, reason=_in_words(qn, problem.message, lang))
        try:
            ask_question(qn, q, data, index, lang, prompter, reason=reason)
        except GoBack:
            continue
        asked = True
    return asked


def find_question(qn: Questionnaire, data: Mapping[str, Any], path: str) -> tuple[Question, int | None] | None:
    """The question whose answer holds ``path`` (the most specific one), else one inside it."""
    inside: tuple[Question, int | None] | None = None
    best: tuple[int, Question, int | None] | None = None
    target = split_path(path)
    for q in qn.questions:
        for index in _occurrences(q, data):
            own = split_path(q.at(index))
            if target[: len(own)] == own and (best is None or len(own) > best[0]):
                best = (len(own), q, index)
            elif own[: len(target)] == target and inside is None:
                inside = (q, index)
    return (best[1], best[2]) if best else inside


def check_data(data: Mapping[str, Any], lang: str, pack: Pack) -> list[Worded]:
    """What ``coopdocs validate`` would report for the written file (worded in ``lang``), info findings
    left out."""
    from coopdocs.checking.rules import run_rules
    from coopdocs.inputs.schema import validate_input

    loaded = load_text(render_yaml(data, lang, pack), "<init>")
    coop, found = validate_input(loaded)
    if coop is not None:
        found = [*found, *run_rules(coop)]
    return worded_all([d for d in found if d.severity != "info"], lang)


# --- the commented YAML --------------------------------------------------------------------------


def render_yaml(data: Mapping[str, Any], lang: str, pack: Pack) -> str:
    """The data as YAML in the contract's key order, every key commented in ``lang``."""
    qn = load_questionnaire(pack)
    root = _commented(qn, data, (), lang)
    assert isinstance(root, CommentedMap)
    root.yaml_set_start_comment(_msg(qn, "header_comment", lang))
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()


def _pattern(path: PathT) -> str:
    text = ""
    for part in path:
        text += "[]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _comment(qn: Questionnaire, path: PathT, lang: str) -> str:
    key = _pattern(path)
    texts = qn.comments.get(key)
    if texts is None:
        raise PackError(f"key-comments.yaml has no comment for {key}", hint="add the key with its ru, kk and en text")
    return f"# {texts[lang]}"


def _commented(qn: Questionnaire, value: Any, path: PathT, lang: str) -> Any:
    rules = schema_rules(qn.schema, path)
    if isinstance(value, Mapping):
        if "localized" in _as_list(rules.get("type")) or rules.get("valuesrules"):  # texts; a free table
            flow = CommentedMap((k, v) for k, v in value.items())
            flow.fa.set_flow_style()
            return flow
        return _commented_map(qn, value, path, lang, rules)
    if isinstance(value, list):
        return _commented_seq(qn, value, path, lang)
    return value


def _commented_map(
    qn: Questionnaire, value: Mapping[str, Any], path: PathT, lang: str, rules: Mapping[str, Any]
) -> CommentedMap:
    order = list((rules.get("schema") or {}) if path else qn.schema)
    keys = sorted(value, key=lambda k: (order.index(k) if k in order else len(order), list(value).index(k)))
    out = CommentedMap()
    for key in keys:
        out[key] = _commented(qn, value[key], (*path, key), lang)
        out.yaml_add_eol_comment(_comment(qn, (*path, key), lang), key, column=COMMENT_COLUMN)
    return out


def _commented_seq(qn: Questionnaire, value: list[Any], path: PathT, lang: str) -> CommentedSeq:
    out = CommentedSeq(_commented(qn, item, (*path, i), lang) for i, item in enumerate(value))
    if all(not isinstance(item, Mapping | list) for item in value):
        out.fa.set_flow_style()
        return out
    for i, item in enumerate(out):
        if isinstance(item, CommentedMap) and item.fa.flow_style():
            out.yaml_add_eol_comment(_comment(qn, (*path, i), lang), i, column=COMMENT_COLUMN)
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the file ------------------------------------------------------------------------------------


def check_target(path: Path, force: bool, lang: str, pack: Pack) -> None:
    """Refuse a target that exists (without ``force``) or that cannot be a file."""
    qn = load_questionnaire(pack)
    if path.is_dir():
        raise UsageError(_msg(qn, "is_folder", lang, file=path), hint=_msg(qn, "is_folder_hint", lang))
    if path.exists() and not force:
        raise UsageError(_msg(qn, "exists", lang, file=path), hint=_msg(qn, "exists_hint", lang))
    if not path.parent.is_dir():
        raise UsageError(_msg(qn, "no_folder", lang, folder=path.parent), hint=_msg(qn, "no_folder_hint", lang))


def write_file(path: Path, text: str, force: bool, lang: str, pack: Pack) -> None:
    """Write ``text`` atomically (a temporary file next to the target, then ``os.replace``)."""
    check_target(path, force, lang, pack)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError.said("cannot_write", path=path, reason=exc.strerror or exc) from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def defaults_text(lang: str, pack: Pack, today: dt.date | None = None) -> str:
    """The commented default file; it must validate clean (a problem is a bug in the pack data)."""
    data = default_data(pack, today)
    problems = check_data(data, lang, pack)
    if problems:
        listed = "; ".join(f"{d.rule} {d.path}: {d.message}" for d in problems)
        raise PackError(f"the default cooperative of questions.yaml does not validate clean: {listed}")
    example = _msg(load_questionnaire(pack), "example_comment", lang)
    return f"# {example}\n" + render_yaml(data, lang, pack)


# --- drafts --------------------------------------------------------------------------------------

DRAFT_KEY = "coopdocs_init_draft"


def draft_path(target: Path) -> Path:
    return target.with_name(target.name + ".draft")


def draft_text(draft: Draft) -> str:
    """The draft as YAML: the answers so far (in the input contract's shape) and where to go on."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    out = io.StringIO()
    payload = {
        DRAFT_KEY: 1,
        "target": draft.target,
        "lang": draft.lang,
        "position": draft.position,
        "answered": list(draft.answered),
        "skip_answered": draft.skip_answered,
        "data": draft.data,
    }
    yaml.dump(payload, out)
    return out.getvalue()


def read_draft(path: Path, lang: str, pack: Pack) -> Draft:
    qn = load_questionnaire(pack)
    bad = InputError(_msg(qn, "draft_bad", lang, draft=path), hint=_msg(qn, "draft_bad_hint", lang))
    try:
        raw = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, YAMLError):
        raise bad from None
    if isinstance(raw, Mapping) and DRAFT_KEY not in raw and raw.get("coopdocs") == 1:
        from coopdocs.packs.pack import select_pack

        return draft_from_input(dict(raw), lang, select_pack(raw, pack) or pack, str(path))
    if not isinstance(raw, Mapping) or raw.get(DRAFT_KEY) != 1 or not isinstance(raw.get("data"), dict):
        raise bad
    return Draft(
        data=raw["data"],
        position=int(raw.get("position") or 0),
        answered=[str(a) for a in raw.get("answered") or []],
        lang=str(raw.get("lang") or lang),
        target=str(raw.get("target") or ""),
        skip_answered=bool(raw.get("skip_answered")),
    )


def draft_from_input(raw: dict[str, Any], lang: str, pack: Pack, target: str = "") -> Draft:
    """An input file to complete (``coopdocs import`` writes one): its values count as answered, and
    the interview asks only the questions whose values it lacks, then checks the whole file."""
    from coopdocs.charters.importing import leaves

    qn = load_questionnaire(pack)
    data = interview_data(pack)
    languages = raw.get("languages") if isinstance(raw.get("languages"), list) else None
    if languages:  # the interview keeps texts per language: a plain text is the file's one language's
        for path, leaf in leaves(pack).items():
            if leaf.rules.get("type") == "localized" and isinstance(get_at(raw, path), str):
                set_at(raw, path, {str(languages[0]): get_at(raw, path)})
    _overlay(data, {k: v for k, v in raw.items() if v is not None}, pack.languages)
    answered = [_key(q, index) for q, index in steps(qn, data) if _has(raw, q.at(index))]
    todo = steps(qn, data)
    position = next((i for i, (q, index) in enumerate(todo) if _key(q, index) not in answered), len(todo))
    return Draft(data=data, position=position, answered=answered, lang=lang, target=target, skip_answered=True)


def _overlay(base: dict[str, Any], given: Mapping[str, Any], langs: Sequence[str]) -> None:
    """``given`` over ``base``, mapping by mapping; a text in the pack's ``langs`` replaces whole."""
    for k, v in given.items():
        if isinstance(v, Mapping) and isinstance(base.get(k), dict) and not (set(v) & set(langs)):
            _overlay(base[k], v, langs)
        else:
            base[k] = copy.deepcopy(v)


def _has(data: Any, path: str) -> bool:
    try:
        return get_at(data, path) is not None
    except (KeyError, IndexError, TypeError):
        return False
