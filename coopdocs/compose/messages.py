"""Diagnostics in words: the edge where a finding's id and arguments become a message, a hint and a
citation in the reader's language, and the text and JSON forms of `validate`.

Checking is free of any language (``coopdocs.diagnostics``); every command that shows a diagnostic
to a person words it here, once, in the language the person chose."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coopdocs.checking.rules import Rule, get_rule
from coopdocs.compose.wording import load_terms, number
from coopdocs.diagnostics import (
    Diagnostic,
    Either,
    Localized,
    Term,
    Word,
    YamlProblem,
    message_entry,
    summary,
    ui_words,
    word,
    yaml_words,
)
from coopdocs.errors import PackError
from coopdocs.packs.citations import Citation, resolve
from coopdocs.packs.pack import Pack


@dataclass(frozen=True)
class Worded:
    """A diagnostic as a person reads it: its message, hint and citation in one language (``path``
    may be worded too: a member reads a field's name, not its YAML path)."""

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


def worded(d: Diagnostic | Worded, lang: str) -> Worded:
    """The diagnostic in ``lang``: an engine message from ``schemas/messages.yaml``, a rule's from its
    pack's ``rules.yaml``; the citation from the pack's catalogue."""
    if isinstance(d, Worded):
        return d
    entry = message_entry(d.rule)
    if entry is not None:
        values = {key: _argument(value, lang, d.pack, numbers=False) for key, value in d.args.items()}
        message = _pick(entry["message"], lang).format(**values)
        hint = _pick(entry["hint"], lang).format(**values) if entry.get("hint") else None
        cite = entry.get("citation")
        citation = _message_citation(d.rule, str(cite), lang, d.pack) if cite else None
    else:
        if d.pack is None:
            raise PackError(f"rule {d.rule}: a rule's diagnostic says whose pack it is about")
        rule = get_rule(d.rule, d.pack)
        values = {key: _argument(value, lang, d.pack, numbers=True) for key, value in d.args.items()}
        values["path"] = d.path
        message = _format(rule, "message", lang, values)
        hint = _format(rule, "hint", lang, values)
        citation = resolve(rule.citation, lang, d.pack)
    return Worded(d.rule, d.severity, d.path, d.line, d.column, message, citation, hint, d.file)


def worded_all(diags: Iterable[Diagnostic | Worded], lang: str) -> list[Worded]:
    return [worded(d, lang) for d in diags]


def _message_citation(rule: str, cite: str, lang: str, pack: Pack | None) -> Citation:
    if pack is None:
        raise PackError(f"message {rule} cites {cite}: say whose pack (diagnostics.make(..., pack=...))")
    # messages.yaml is shared by every pack and names the first pack's citation ids; a pack whose law
    # is another maps them to its own (pack.yaml `message_citations`).
    own = pack.meta.get("message_citations") or {}
    return resolve(str(own.get(cite, cite)), lang, pack)


def _format(rule: Rule, name: str, lang: str, values: Mapping[str, Any]) -> str:
    text = getattr(rule, name)[lang]
    try:
        return str(text.format(**values))
    except (KeyError, IndexError, ValueError) as exc:
        problem = f"rule {rule.id}: {name} ({lang}) has a placeholder the check does not give: {exc}"
        raise PackError(problem) from exc


def _argument(value: Any, lang: str, pack: Pack | None, *, numbers: bool) -> Any:
    """An argument in words: words and terms in ``lang``, the parser's phrases translated; for a rule's
    message, numbers in local notation too (an engine message shows them as given)."""
    if isinstance(value, Word):  # a word without values is shown as written (``{ru: ..., kk: ...}``)
        if not value.values:
            return word(value.key, lang)
        inner = {k: _argument(v, lang, pack, numbers=numbers) for k, v in value.values}
        return word(value.key, lang).format(**inner)
    if isinstance(value, Either):
        return f" {word('or', lang)} ".join(str(_argument(w, lang, pack, numbers=numbers)) for w in value.words)
    if isinstance(value, YamlProblem):
        return yaml_words(value.text, lang)
    if isinstance(value, Localized):
        return dict(value.texts).get(lang, "")
    if isinstance(value, Term):
        table = load_terms(pack) if pack is not None else {}
        words = []
        for ident in value.ids:
            forms = (table.get(ident) or {}).get(lang)
            words.append(forms.get("nom", ident) if isinstance(forms, Mapping) else str(forms or ident))
        return ", ".join(words)
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, lang)
    return value


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


# --- the forms of `validate` ---------------------------------------------------------------------


def format_text(d: Diagnostic | Worded, lang: str = "en") -> str:
    """``file:line:col: severity[RULE] path: message``, then ``= law:`` and ``= hint:`` lines; the
    severity and the two prefixes in ``lang`` (``ошибка[…]``, ``= закон:``, ``= подсказка:``)."""
    w = worded(d, lang)
    ui = ui_words("_ui_cli", lang)
    where = w.file
    if w.line is not None:
        where += f":{w.line}:{w.column}"
    head = f"{where}: {ui['severity_' + w.severity]}[{w.rule}]"
    if w.path:
        head += f" {w.path}"
    lines = [f"{head}: {w.message}"]
    if w.citation is not None:
        lines.append(f"  = {ui['law']}: {w.citation.label(lang)}")
    if w.hint:
        lines.append(f"  = {ui['hint']}: {w.hint}")
    return "\n".join(lines)


def as_json(d: Diagnostic | Worded, lang: str) -> dict[str, Any]:
    """One diagnostic as `validate --format json` writes it (message, hint and citation in ``lang``)."""
    return worded(d, lang).as_json()


def file_json(file: str, diags: Sequence[Diagnostic | Worded], lang: str) -> dict[str, Any]:
    """One file's diagnostics and counts (an item of ``files`` in `validate --format json`)."""
    counts = summary(diags)
    return {
        "file": file,
        "diagnostics": [as_json(d, lang) for d in diags],
        "summary": {"errors": counts["errors"], "warnings": counts["warnings"], "red_flags": counts["red_flags"]},
    }


def format_json(results: Sequence[tuple[str, Sequence[Diagnostic | Worded]]], lang: str) -> str:
    """`validate --format json`: the same object for one file and for several.

    ``files`` holds each file's ``{file, diagnostics, summary}``; the top-level ``diagnostics`` (each
    with its ``file``) and ``summary`` (totals) let a one-file reader keep reading them as before."""
    files = [file_json(file, diags, lang) for file, diags in results]
    every = [{"file": f["file"], **d} for f in files for d in f["diagnostics"]]
    totals = {key: sum(f["summary"][key] for f in files) for key in ("errors", "warnings", "red_flags")}
    payload = {"files": files, "diagnostics": every, "summary": totals}
    return json.dumps(payload, ensure_ascii=False, indent=2)
