"""Diagnostics: the public shape of every finding, free of any language.

A ``Diagnostic`` carries what was found and where: its id (``rule``), severity, path, position,
file, the arguments of its message (``args``) and the pack it is about. Checking never words it;
``coopdocs.compose.messages`` does, for the language of whoever reads it (Sphinx and cfgv carry ids
and arguments the same way and format when they print). An argument that is itself a word is one
of the kinds below, worded with the message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from coopdocs.errors import PackError
from coopdocs.packs.pack import Pack, data_root, read_yaml

SEVERITIES = ("error", "red_flag", "warning", "info")
Path_ = tuple[str | int, ...]


# --- arguments that are words -----------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word of the messages' ``_words`` table (``list``, ``did_you_mean``), with the values it is
    formatted with (a word without values is shown as written)."""

    key: str
    values: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Either:
    """Words joined by the word ``or`` (``a whole number or text``)."""

    words: tuple[Word, ...]


@dataclass(frozen=True)
class YamlProblem:
    """The YAML parser's English message: each phrase it is known to use is worded (``_yaml_problems``)."""

    text: str


@dataclass(frozen=True)
class Term:
    """Choice identifiers (``board``, ``members``...) that the message wording turns into words."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class Localized:
    """A value that the message wording shows in the message's language (e.g. why a phrase matters)."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> Localized:
        return cls(tuple((str(k), str(v)) for k, v in texts.items()))


# --- the value ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    rule: str
    severity: str
    path: str  # dotted (``founding.founders[1].iin``), as the JSON output shows it
    line: int | None
    column: int | None
    args: Mapping[str, Any] = field(default_factory=dict, hash=False)
    pack: Pack | None = None  # the pack of the input it is about: its rules and citations word it
    file: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity in ("error", "red_flag")

    @property
    def same(self) -> tuple[str, str, str]:
        """What makes two diagnostics say the same thing (the same rule, place and arguments)."""
        return (self.rule, self.path, repr(sorted(self.args.items())))


def dotted(path: Sequence[str | int]) -> str:
    """``('founding', 'founders', 1, 'iin')`` -> ``founding.founders[1].iin``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@cache
def _messages() -> Mapping[str, Any]:
    return read_yaml(data_root() / "schemas" / "messages.yaml")


def message_entry(rule: str) -> Mapping[str, Any] | None:
    """The entry of ``schemas/messages.yaml`` for an engine's message id (None for a pack's rule)."""
    if rule.startswith("_"):
        return None
    entry = _messages().get(rule)
    return entry if isinstance(entry, Mapping) else None


def message_ids() -> list[str]:
    return sorted(k for k in _messages() if not k.startswith("_"))


def ui_words(section: str, lang: str) -> dict[str, str]:
    """A table of interface words (e.g. ``_ui_rules``: the headings of `coopdocs explain`) in ``lang``."""
    return {key: _pick(texts, lang) for key, texts in _messages()[section].items()}


def yaml_words(problem: str, lang: str) -> str:
    """The YAML parser's English message with each phrase it is known to use in ``lang``
    (``_yaml_problems``); a phrase not listed stays as the parser wrote it."""
    if lang == "en":
        return problem
    for phrase, texts in sorted(_messages()["_yaml_problems"].items(), key=lambda kv: -len(kv[0])):
        problem = problem.replace(phrase, _pick(texts, lang))
    return problem


def word(key: str, lang: str) -> str:
    """A word used inside messages (type names, language names), from ``_words``."""
    return _pick(_messages()["_words"][key], lang)


def make(
    rule: str,
    *,
    path: Sequence[str | int] = (),
    position: tuple[int, int] | None = None,
    file: str = "",
    severity: str | None = None,
    pack: Pack | None = None,
    **values: Any,
) -> Diagnostic:
    """A diagnostic of an engine message (``schemas/messages.yaml``) with its arguments; a message
    that cites the law cites it from ``pack``'s catalogue (the pack of the input it is about)."""
    entry = message_entry(rule)
    if entry is None:
        raise KeyError(f"no message {rule!r} in schemas/messages.yaml")
    if entry.get("citation") and pack is None:
        raise PackError(f"message {rule} cites {entry['citation']}: say whose pack (diagnostics.make(..., pack=...))")
    return Diagnostic(
        rule=rule,
        severity=severity or entry.get("severity", "error"),
        path=dotted(path),
        line=position[0] if position else None,
        column=position[1] if position else None,
        args=values,
        pack=pack,
        file=file,
    )


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


def with_file(diags: Iterable[Diagnostic], file: str) -> list[Diagnostic]:
    return [replace(d, file=file) for d in diags]


def sort_key(d: Any) -> tuple[int, int, str]:
    return (d.line or 0, d.column or 0, d.rule)


def summary(diags: Iterable[Any]) -> dict[str, int]:
    counts = {"errors": 0, "warnings": 0, "red_flags": 0, "infos": 0}
    for d in diags:
        counts[{"error": "errors", "warning": "warnings", "red_flag": "red_flags", "info": "infos"}[d.severity]] += 1
    return counts
