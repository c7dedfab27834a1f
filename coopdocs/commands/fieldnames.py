"""Data paths in words: what a founder calls a field (``founding.founders[0].iin`` -> «Учредитель № 1:
ИИН»), from the questionnaire's own prompts (``questions.yaml``) and key comments (``key-comments.yaml``).

The YAML paths stay the interface of machines (``--format json``) and of lawyers (``--audience
lawyer``); everything a member reads names fields the way the questionnaire asks them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from coopdocs.compose.messages import Worded, format_text, worded
from coopdocs.diagnostics import Diagnostic
from coopdocs.inputs.model import split_path
from coopdocs.packs.pack import Pack

_ANY = object()  # a list index in a question's path pattern
Pattern = tuple[object, ...]

_PATHISH = re.compile(r"(?<![\w.])[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+(?![\w(])")
_IDENT = re.compile(r"(?<![.\w])[a-z]+(?:_[a-z]+)+(?!\w|\.\w)")  # a choice's identifier: to_charter_purposes
_LANG_NAMES = {
    "ru": {"ru": "по-русски", "kk": "по-казахски", "en": "по-английски"},
    "kk": {"ru": "орысша", "kk": "қазақша", "en": "ағылшынша"},
    "en": {"ru": "in Russian", "kk": "in Kazakh", "en": "in English"},
}


# Rules whose path is the key the member wrote wrong: the path itself is what to look for.
_OWN_PATH = ("schema/unknown-key", "schema/localized-language")


def quoted(text: str, lang: str) -> str:
    return f'"{text}"' if lang == "en" else f"«{text}»"


def short_prompt(prompt: str) -> str:
    """A question's prompt as the name of its field: without the parenthesised help of the terminal
    interview («ИИН (12 цифр)» -> «ИИН») or a trailing «; 0 — нет»."""
    text = prompt.split(" (")[0]
    return re.split(r";\s", text)[0].strip()


@cache
def _patterns(pack: Pack) -> tuple[tuple[Pattern, Any], ...]:
    from coopdocs.commands.init import load_questionnaire

    out = []
    for q in load_questionnaire(pack).questions:
        own = tuple(split_path(q.path)) if q.path else ()
        pattern: Pattern = (*split_path(q.each), _ANY, *own) if q.each else own
        if pattern:
            out.append((pattern, q))
    return tuple(out)


def _matches(pattern: Pattern, parts: tuple[str | int, ...]) -> int | None:
    """The list index the pattern binds when it is a prefix of ``parts`` (-1: it binds none)."""
    if len(pattern) > len(parts):
        return None
    index = -1
    for want, got in zip(pattern, parts, strict=False):
        if want is _ANY:
            if not isinstance(got, int):
                return None
            index = got
        elif want != got:
            return None
    return index


def label(path: str, lang: str, pack: Pack) -> str | None:
    """The field at ``path`` in words, or None when neither a question nor a key comment names it.

    The most specific question whose answer holds the path names it (a list item's number filled
    in); a text in one language adds the language («Название кооператива, по-казахски»)."""
    from coopdocs.commands.init import load_questionnaire

    parts = split_path(path)
    best: tuple[int, Any, int] | None = None
    for pattern, q in _patterns(pack):
        index = _matches(pattern, parts)
        if index is not None and (best is None or len(pattern) > best[0]):
            best = (len(pattern), q, index)
    if best is not None and best[1].type == "count" and len(parts) > best[0] and isinstance(parts[best[0]], int):
        item = _item(parts[: best[0] + 1], lang, pack)
        rest = parts[best[0] + 1 :]
        own = load_questionnaire(pack).comments.get(_pattern(parts)) if rest else None
        if item and own:  # a key of the item no question asks: programs[0].queue
            return f"{item}: {_first_clause(str(own[lang]))}"
        return item
    if best is not None:
        size, q, index = best
        name = short_prompt(str(q.prompt[lang]).format(n=index + 1 if index >= 0 else 1))
        rest = parts[size:]
        if len(rest) == 1 and rest[0] in pack.languages and q.type == "localized":
            name += f", {_LANG_NAMES[lang][str(rest[0])]}"
        return name
    return _commented(parts, lang, load_questionnaire(pack).comments)


def _commented(parts: tuple[str | int, ...], lang: str, comments: Mapping[str, Any]) -> str | None:
    """A key no question asks, by its comment in the written file and its parent's
    («резервный фонд, на что расходуется»)."""
    number = None
    while parts and isinstance(parts[-1], int):
        number, parts = parts[-1] + 1, parts[:-1]
    own = comments.get(_pattern(parts))
    if not parts or not own:
        return None
    name = _first_clause(str(own[lang]))
    parent = parts[:-1]
    while parent and isinstance(parent[-1], int):
        parent = parent[:-1]
    above = comments.get(_pattern(parent)) if parent else None
    if above:
        name = f"{_first_clause(str(above[lang]))}, {name}"
    return f"{name}, {'no.' if lang == 'en' else '№'} {number}" if number else name


def _first_clause(text: str) -> str:
    return re.split(r";| — | \(|:", text)[0].strip()


def _item(parts: tuple[str | int, ...], lang: str, pack: Pack) -> str | None:
    """A list's item as a whole («Учредитель № 1»): the first words of its questions' prompts."""
    from coopdocs.commands.init import load_questionnaire

    each, index = ".".join(str(p) for p in parts[:-1]), int(parts[-1])
    for q in load_questionnaire(pack).questions:
        if q.each == each:
            return short_prompt(str(q.prompt[lang]).format(n=index + 1)).split(":")[0]
    return None


def _pattern(parts: tuple[str | int, ...]) -> str:
    text = ""
    for part in parts:
        text += "[]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def in_words(text: str | None, lang: str, pack: Pack, *, choices: bool = True) -> str:
    """A message with every data path in it replaced by its field in words, and (``choices``) every
    choice identifier (``to_charter_purposes``) by its word, in quotes. Whoever edits the YAML file
    (``validate``) keeps the identifiers: they are what to type."""
    if not text:
        return ""
    from coopdocs.commands.init import load_questionnaire

    qn = load_questionnaire(pack)

    def path_word(match: re.Match[str]) -> str:
        found = match.group(0)
        if re.split(r"[.\[]", found)[0] not in qn.schema:
            named = _tail(found, lang, pack)  # a path inside an item: advance.repayment_months
            return quoted(named, lang) if named else found
        named = label(found, lang, pack)
        return quoted(named, lang) if named else found

    def ident_word(match: re.Match[str]) -> str:
        ident = match.group(0)
        if match.start() and match.string[match.start() - 1] == "'":
            return ident  # a key to type as it is ('meeting_date:')
        forms = (qn.terms.get(ident) or {}).get(lang) if choices else None
        word = forms.get("nom") if isinstance(forms, Mapping) else forms
        if word:
            return quoted(str(word), lang)
        named = _tail(ident, lang, pack)  # a bare key («lower min_age»)
        return quoted(named, lang) if named else ident

    return _IDENT.sub(ident_word, _PATHISH.sub(path_word, text))


def _tail(tail: str, lang: str, pack: Pack) -> str | None:
    """A key or a path given without its beginning (``min_age``, ``advance.repayment_months``): the
    one question whose path ends with it, named without an item's number (the message does not say
    which item), else the one key comment that does."""
    from coopdocs.commands.init import load_questionnaire

    qn = load_questionnaire(pack)
    asked = [q for q in qn.questions if f".{q.at(0) if q.each else q.path}".replace("[0]", "").endswith("." + tail)]
    if len(asked) == 1:
        q = asked[0]
        name = short_prompt(str(q.prompt[lang]).format(n=1))
        return name.split(": ", 1)[-1] if q.each else name
    keys = [k for k in qn.comments if f".{k}".replace("[]", "").endswith("." + tail)]
    if len(keys) == 1:
        return _commented(split_path(keys[0].replace("[]", "[0]")), lang, qn.comments)
    return None


def for_member(d: Diagnostic | Worded, lang: str, pack: Pack) -> Worded:
    """A diagnostic as a member reads it: its field named in words (the path kept when nothing names
    it: an unknown key is what the member typed), message and hint without YAML paths."""
    w = worded(d, lang)
    named = label(w.path, lang, pack) if w.path and w.rule not in _OWN_PATH else None
    return replace(
        w,
        path=quoted(named, lang) if named else w.path,
        message=in_words(w.message, lang, pack, choices=False),
        hint=in_words(w.hint, lang, pack, choices=False) if w.hint else w.hint,
    )


def format_for(d: Diagnostic | Worded, lang: str, audience: str, pack: Pack | None) -> str:
    """``messages.format_text`` for a member (fields in words, by ``pack``'s questionnaire) or a
    lawyer (YAML paths); without a pack (the input named none installed) the paths stay."""
    return format_text(for_member(d, lang, pack) if audience == "member" and pack is not None else d, lang)
