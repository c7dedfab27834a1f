"""Diagnostics: the public shape of every finding, and its text and JSON forms."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from coopdocs.errors import PackError
from coopdocs.packs.citations import Citation, resolve
from coopdocs.packs.pack import Pack, data_root, read_yaml

SEVERITIES = ("error", "red_flag", "warning", "info")
LANGS = ("ru", "kk", "en")
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Diagnostic:
    rule: str
    severity: str
    path: str
    line: int | None
    column: int | None
    message: str
    citation: Citation | None = None
    hint: str | None = None
    file: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity in ("error", "red_flag")

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "citation": None if self.citation is None else self.citation.as_json(),
            "hint": self.hint,
        }


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
    lang: str,
    path: Sequence[str | int] = (),
    position: tuple[int, int] | None = None,
    file: str = "",
    severity: str | None = None,
    pack: Pack | None = None,
    **values: Any,
) -> Diagnostic:
    """A diagnostic whose wording comes from ``schemas/messages.yaml``; a message that cites the law
    cites it from ``pack``'s catalogue (the pack of the input it is about)."""
    entry = _messages()[rule]
    message = _pick(entry["message"], lang).format(**values)
    hint_text = entry.get("hint")
    hint = _pick(hint_text, lang).format(**values) if hint_text else None
    cite = entry.get("citation")
    return Diagnostic(
        rule=rule,
        severity=severity or entry.get("severity", "error"),
        path=dotted(path),
        line=position[0] if position else None,
        column=position[1] if position else None,
        message=message,
        citation=_cited(rule, cite, lang, pack) if cite else None,
        hint=hint,
        file=file,
    )


def _cited(rule: str, cite: str, lang: str, pack: Pack | None) -> Citation:
    if pack is None:
        raise PackError(f"message {rule} cites {cite}: say whose pack (diagnostics.make(..., pack=...))")
    # messages.yaml is shared by every pack and names the first pack's citation ids; a pack whose law
    # is another maps them to its own (pack.yaml `message_citations`).
    own = pack.meta.get("message_citations") or {}
    return resolve(str(own.get(cite, cite)), lang, pack)


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


def with_file(diags: Iterable[Diagnostic], file: str) -> list[Diagnostic]:
    return [replace(d, file=file) for d in diags]


def sort_key(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line or 0, d.column or 0, d.rule)


def summary(diags: Iterable[Diagnostic]) -> dict[str, int]:
    counts = {"errors": 0, "warnings": 0, "red_flags": 0, "infos": 0}
    for d in diags:
        counts[{"error": "errors", "warning": "warnings", "red_flag": "red_flags", "info": "infos"}[d.severity]] += 1
    return counts


def format_text(d: Diagnostic, lang: str = "en") -> str:
    """``file:line:col: severity[RULE] path: message``, then ``= law:`` and ``= hint:`` lines; the
    severity and the two prefixes in ``lang`` (``ошибка[…]``, ``= закон:``, ``= подсказка:``)."""
    ui = ui_words("_ui_cli", lang)
    where = d.file
    if d.line is not None:
        where += f":{d.line}:{d.column}"
    head = f"{where}: {ui['severity_' + d.severity]}[{d.rule}]"
    if d.path:
        head += f" {d.path}"
    lines = [f"{head}: {d.message}"]
    if d.citation is not None:
        lines.append(f"  = {ui['law']}: {d.citation.label(lang)}")
    if d.hint:
        lines.append(f"  = {ui['hint']}: {d.hint}")
    return "\n".join(lines)


def file_json(file: str, diags: Sequence[Diagnostic]) -> dict[str, Any]:
    """One file's diagnostics and counts (an item of ``files`` in `validate --format json`)."""
    counts = summary(diags)
    return {
        "file": file,
        "diagnostics": [d.as_json() for d in diags],
        "summary": {"errors": counts["errors"], "warnings": counts["warnings"], "red_flags": counts["red_flags"]},
    }


def format_json(results: Sequence[tuple[str, Sequence[Diagnostic]]]) -> str:
    """`validate --format json`: the same object for one file and for several.

    ``files`` holds each file's ``{file, diagnostics, summary}``; the top-level ``diagnostics`` (each
    with its ``file``) and ``summary`` (totals) let a one-file reader keep reading them as before."""
    files = [file_json(file, diags) for file, diags in results]
    every = [{"file": f["file"], **d} for f in files for d in f["diagnostics"]]
    totals = {key: sum(f["summary"][key] for f in files) for key in ("errors", "warnings", "red_flags")}
    payload = {"files": files, "diagnostics": every, "summary": totals}
    return json.dumps(payload, ensure_ascii=False, indent=2)
