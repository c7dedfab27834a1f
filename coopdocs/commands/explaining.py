"""`explain` for clause ids, and `doctor`: what this machine can produce."""

from __future__ import annotations

import copy
import difflib
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from coopdocs.checking import rules
from coopdocs.commands.fieldnames import in_words
from coopdocs.compose import clauses
from coopdocs.diagnostics import ui_words
from coopdocs.errors import InputError, UsageError
from coopdocs.inputs.model import Cooperative
from coopdocs.packs.citations import Citation, citation_entry, resolve
from coopdocs.packs.pack import Pack

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


# A rule id is words joined by dashes (KZ-PC-EXIT-PAYOUT-PERIOD); a clause id has dots or one word.
_RULE_ID = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def explain(ident: str, lang: str, input_path: Path | None, audience: str, default_pack: Pack) -> str:
    """A rule id goes to the rule pack (the input's, else ``default_pack``); anything else is a
    clause: its id (``exit.payout``) or the number a member sees in the charter (``5.8``), worded for
    ``input_path`` (default: the example) in ``lang``: for a member the choice in words, for a lawyer
    the YAML keys it reads."""
    if _RULE_ID.fullmatch(ident):
        pack = _cooperative(input_path, lang, default_pack)[0].pack if input_path else default_pack
        return explain_rule(ident, lang, pack)
    coop, source = _cooperative(input_path, lang, default_pack)
    if re.fullmatch(r"\d+(?:\.\d+)*\.?", ident):
        return _explain_number(coop, source, ident.rstrip("."), lang, audience)
    found = clauses.find_clause(coop.pack, ident)
    if found is None:
        close = difflib.get_close_matches(ident, clauses.all_clause_ids(coop.pack), n=3)
        ui = ui_words("_ui_explain", lang)
        hint = ui["did_you_mean"].format(ids=", ".join(close)) if close else ui["see_rules"]
        raise UsageError(ui["unknown_id"].format(ident=ident), hint=hint)
    name, _spec = found
    return _explain_clause(coop, source, name, ident, lang, audience)


def _cooperative(input_path: Path | None, lang: str, default_pack: Pack) -> tuple[Cooperative, str]:
    """The cooperative whose wording is shown (the member's file, else the pack's example), able to be
    worded in ``lang``: a text the file has only in other languages is taken from the pack's first
    language (Russian)."""
    from coopdocs.checking.pipeline import check_file

    path = input_path or default_pack.example
    checked = check_file(path, default_pack=default_pack)
    if checked.cooperative is None or checked.blocking:
        ui = ui_words("_ui_explain", lang)
        raise InputError(ui["input_invalid"].format(file=path), hint=ui["input_invalid_hint"].format(file=path))
    coop = checked.cooperative
    source = str(input_path) if input_path else f"examples/{default_pack.example.name}"
    if lang in coop.languages:
        return coop, source
    data = _with_language(copy.deepcopy(coop.data), lang, coop.pack.languages)
    data["languages"] = [*coop.languages, lang]
    return replace(coop, data=data), source


def _with_language(value: Any, lang: str, langs: Sequence[str]) -> Any:
    if isinstance(value, dict):
        if value and set(value) <= set(langs) and lang not in value:
            value[lang] = value.get(langs[0], next(iter(value.values())))  # the pack's first language
            return value
        for key in value:
            value[key] = _with_language(value[key], lang, langs)
    elif isinstance(value, list):
        return [_with_language(item, lang, langs) for item in value]
    return value


def _charter(coop: Cooperative, lang: str) -> Any:
    (document,) = clauses.render_all(coop, "charter", [lang])
    return document


def _explain_number(coop: Cooperative, source: str, number: str, lang: str, audience: str = "member") -> str:
    for section in _charter(coop, lang).sections:
        for clause in section.clauses:
            if str(clause.number).rstrip(".") == number:
                return _explain_clause(coop, source, "charter", clause.id, lang, audience)
    ui = ui_words("_ui_explain", lang)
    raise UsageError(ui["no_number"].format(number=number, file=source), hint=ui["no_number_hint"])


def _explain_clause(
    coop: Cooperative, source: str, name: str, cid: str, lang: str, audience: str = "member"
) -> str:
    from coopdocs.compose.doctree import printed_commentary

    ui = ui_words("_ui_explain", lang)
    (document,) = clauses.render_all(coop, name, [lang])
    title = document.title.capitalize() if document.title == document.title.upper() else document.title
    lines = [cid, f"{ui['document']}: {title}", ""]
    clause = next((c for s in document.sections for c in s.clauses if c.id == cid), None)
    if clause is None:
        lines.append(ui["not_here"])
        return "\n".join(lines)
    lines += [f"{ui['example_of'].format(file=source)}:", f"  {clause.number}. {clause.text}"]
    lines += [f"    {i}) {item}" for i, item in enumerate(clause.items, start=1)]
    spec = clauses.find_clause(coop.pack, cid)
    if clause.commentary is not None:
        c = clause.commentary
        meaning, choice, basis = printed_commentary(c, lang, audience)
        lines += ["", f"{ui['meaning']}:", f"  {meaning}", "", f"{ui['choice']}:", f"  {choice}", ""]
        lines += [f"{ui['basis']}:", *(f"  {label}" for label in basis.split("; "))]
        if c.rules:
            lines += ["", f"{ui['rules']}: {', '.join(c.rules)}"]
    if spec is not None and spec[1].inputs and audience == "lawyer":
        lines += ["", f"{ui['inputs']}: {', '.join(spec[1].inputs)}"]
    return "\n".join(lines)


def _run(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def kazakh_fonts() -> list[str]:
    """Font families that have every Kazakh letter, upper and lower case (fontconfig)."""
    if shutil.which("fc-list") is None:
        return []
    charset = " ".join(f"{ord(ch):04x}" for ch in KAZAKH_LETTERS)
    out = _run(["fc-list", f":charset={charset}", "family"])
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def _ocr(say: Any) -> str:
    from coopdocs.charters.reading import OCR_PACKAGES, ocr_available

    if not ocr_available():
        return str(say("ocr_missing", packages=OCR_PACKAGES))
    langs = set(_run(["tesseract", "--list-langs"]).split())
    wanted = [lang for lang in ("rus", "kaz") if lang not in langs]
    without = say("ocr_without", langs=say("and").join(wanted), packages=OCR_PACKAGES) if wanted else ""
    return str(say("ocr_present")) + without


def doctor(lang: str = "en") -> tuple[str, bool]:
    """Both PDF engines, the fonts, the HTML writer and pandoc (amend only); ``ok`` when the default
    path (DOCX and Typst PDF) works. In ``lang`` (``_ui_doctor`` of schemas/messages.yaml)."""
    from coopdocs.diagnostics import ui_words
    from coopdocs.writers import pdf, typeset
    from coopdocs.writers.layouts import FONT

    words = ui_words("_ui_doctor", lang)

    def say(key: str, **values: Any) -> str:
        return words[key].format(**values)

    lines = []
    typst_version = typeset.version()
    shipped = all((typeset.FONT_DIR / name).is_file() for name in typeset.FONT_FILES)
    kazakh = shipped and all(ord(ch) in typeset.covered() for ch in KAZAKH_LETTERS)
    lines.append(say("typst", value="typst " + typst_version if typst_version else say("missing")))
    lines.append(
        say("typst_font", font=typeset.FONT, folder=typeset.FONT_DIR, value=say("yes") if kazakh else say("missing"))
    )
    soffice = pdf.find_soffice()
    version = _run([soffice, "--version"]) if soffice else ""
    lines.append(say("libreoffice", value=version or soffice or say("missing")))
    uno = pdf.find_uno_python()
    lines.append(say("uno", value=say("uno_ok", python=uno) if uno else say("missing")))
    fonts = kazakh_fonts()
    has_font = FONT in fonts
    lines.append(say("system_font", font=FONT, value=say("yes") if has_font else say("missing")))
    if fonts:
        lines.append(say("other_fonts", value=", ".join(f for f in fonts if f != FONT) or say("none")))
    lines.append(say("html"))
    try:
        import pypandoc

        lines.append(say("pandoc", value=pypandoc.get_pandoc_version()))
        has_pandoc = True
    except (ImportError, OSError, RuntimeError):
        lines.append(say("pandoc", value=say("missing")))
        has_pandoc = False
    lines.append(say("ocr", value=_ocr(say)))
    ok = bool(typst_version and kazakh)
    if not ok:
        lines.append(say("get_typst"))
    missing = []
    if not soffice:
        missing.append("libreoffice-writer-nogui")
    if not uno:
        missing.append("python3-uno")
    if not has_font:
        missing.append("fonts-liberation2")
    if missing:
        lines.append(say("optional_lo", packages=" ".join(missing)))
    if not has_pandoc:
        lines.append(say("get_pandoc"))
    if ok and has_pandoc and not missing:
        lines.append(say("all_here"))
    elif ok:
        lines.append(say("default_here"))
    return "\n".join(lines), ok


# --- the rules: listed (`coopdocs rules`) and explained (`coopdocs explain RULE-ID`) ----------------


def summary_text(rule: rules.Rule, lang: str) -> str:
    """The rule's message with its placeholders shown as an ellipsis."""
    return _PLACEHOLDER.sub("…", rule.message[lang])


def rule_list(lang: str, pack: Pack) -> list[dict[str, Any]]:
    out = []
    for rule in rules.load_rules(pack):
        cite = resolve(rule.citation, lang, pack)
        out.append(
            {
                "id": rule.id,
                "severity": rule.severity,
                "paths": list(rule.paths),
                "citation": cite.label(lang),
                "citation_id": rule.citation,
                "verified": cite.verified,
                "url": cite.url,
                "message": summary_text(rule, lang),
            }
        )
    return out


def format_rules(lang: str, fmt: str, pack: Pack) -> str:
    """The rule list as a text table or as JSON."""
    rows = rule_list(lang, pack)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt != "text":
        raise UsageError(f"unknown format {fmt!r}", hint="use text or json")
    width = max((len(row["id"]) for row in rows), default=2)
    words = ui_words("_ui_cli", lang)
    head = words["rules_header"].split("|")
    severity = {row["severity"]: words[f"severity_{row['severity']}"] for row in rows}
    sev = max(8, len(head[1]), *(len(w) for w in severity.values()))
    lines = [f"{head[0]:<{width}}  {head[1]:<{sev}}  {head[2]}"]
    for row in rows:
        lines.append(f"{row['id']:<{width}}  {severity[row['severity']]:<{sev}}  {row['citation']}")
        lines.append(f"{'':<{width}}  {'':<{sev}}  {in_words(row['message'], lang, pack, choices=False)}")
    return "\n".join(lines)


def explain_rule(rule_id: str, lang: str, pack: Pack) -> str:
    """What the rule protects, its legal basis, a failing and a passing input, and the fix."""
    try:
        rule = rules.get_rule(rule_id, pack)
    except KeyError:
        raise _unknown(rule_id, lang, pack) from None
    cite = resolve(rule.citation, lang, pack)
    ui = ui_words("_ui_rules", lang)
    severity = ui_words("_ui_cli", lang)[f"severity_{rule.severity}"]
    lines = [f"{rule.id} ({severity})", "", f"{ui['protects']}:", f"  {rule.protects[lang]}", ""]
    lines += [f"{ui['basis']}: {cite.label(lang)}", *_basis(cite, lang, pack, ui)]
    for other in rule.also:
        also = resolve(other, lang, pack)
        lines += ["", f"{ui['also']}: {also.label(lang)}", *_basis(also, lang, pack, ui)]
    lines += ["", f"{ui['reads']}: {', '.join(rule.paths)}"]
    lines += ["", f"{ui['fail']}:", _indent(rules.patch_yaml(rule.examples["fail"]))]
    lines += [f"  → {ui['message']}: {summary_text(rule, lang)}"]
    lines += ["", f"{ui['pass']}:", _indent(rules.patch_yaml(rule.examples["pass"]))]
    lines += ["", f"{ui['fix']}:", f"  {_PLACEHOLDER.sub('…', rule.hint[lang])}"]
    return "\n".join(lines)


def _basis(cite: Citation, lang: str, pack: Pack, ui: Mapping[str, str]) -> list[str]:
    says = citation_entry(cite.id, pack).get("says") or {}
    # a source not read in Kazakh is quoted in Russian (the text read), then in the English summary
    if isinstance(says, Mapping):
        text = says.get(lang) or says.get("ru" if lang == "kk" else "en") or says.get("en")
    else:
        text = says
    lines = [f"  {' '.join(str(text).split())}"] if text else []
    if cite.url:
        lines.append(f"  URL: {cite.url}")
    verified = ui["yes"] if cite.verified else ui["no"]
    edition = f" ({cite.edition})" if cite.edition and cite.edition != "unknown" else ""
    lines.append(f"  {ui['verified']}: {verified}{edition}")
    return lines


def _unknown(rule_id: str, lang: str, pack: Pack) -> UsageError:
    ids = [rule.id for rule in rules.load_rules(pack)]
    close = difflib.get_close_matches(rule_id.strip().upper(), ids, n=3, cutoff=0.6)
    ui = ui_words("_ui_rules", lang)
    hint = ui["did_you_mean"].format(ids=", ".join(close)) if close else ui["list_all"]
    return UsageError(f"{ui['unknown']} {rule_id!r}", hint=hint)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip().splitlines())
