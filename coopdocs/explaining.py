"""`explain` for clause ids, and `doctor`: what this machine can produce."""

from __future__ import annotations

import shutil
import subprocess

from coopdocs import clauses
from coopdocs.diagnostics import ui_words
from coopdocs.errors import UsageError
from coopdocs.pack import DEFAULT_PACK, example_path

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def explain(ident: str, lang: str) -> str:
    """A rule id goes to the rule pack; anything else is looked up as a clause id."""
    from coopdocs import rules

    if ident.upper().startswith("KZ-"):
        return rules.explain(ident, lang)
    found = clauses.find_clause(DEFAULT_PACK, ident)
    if found is None:
        import difflib

        close = difflib.get_close_matches(ident, clauses.all_clause_ids(DEFAULT_PACK), n=3)
        hint = f"did you mean: {', '.join(close)}?" if close else "see `coopdocs rules` for rule ids"
        raise UsageError(f"no rule or clause with the id {ident!r}", hint=hint)
    name, _spec = found
    return _explain_clause(name, ident, lang)


def _explain_clause(name: str, cid: str, lang: str) -> str:
    from coopdocs.pipeline import check_file

    coop = check_file(example_path(), lang).cooperative
    ui = ui_words("_ui_explain", lang)
    lines = [cid, f"{ui['document']}: {name}", ""]
    clause = None
    if coop is not None:
        (document,) = clauses.render_all(coop, name, [lang if lang in coop.languages else coop.languages[0]])
        clause = next((c for s in document.sections for c in s.clauses if c.id == cid), None)
    if clause is None:
        lines.append(ui["not_here"])
        return "\n".join(lines)
    lines += [f"{ui['example']}:", f"  {clause.number}. {clause.text}"]
    lines += [f"    {i}) {item}" for i, item in enumerate(clause.items, start=1)]
    spec = clauses.find_clause(DEFAULT_PACK, cid)
    if clause.commentary is not None:
        c = clause.commentary
        lines += ["", f"{ui['meaning']}:", f"  {c.meaning}", "", f"{ui['choice']}:", f"  {c.choice}", ""]
        lines += [f"{ui['basis']}:", *(f"  {label}" for label in c.basis)]
        if c.rules:
            lines += ["", f"{ui['rules']}: {', '.join(c.rules)}"]
    if spec is not None and spec[1].inputs:
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


def _ocr() -> str:
    from coopdocs.reading import OCR_PACKAGES, ocr_available

    if not ocr_available():
        return f"missing (apt-get install {OCR_PACKAGES}); `audit` reads text layers without it"
    langs = set(_run(["tesseract", "--list-langs"]).split())
    wanted = [lang for lang in ("rus", "kaz") if lang not in langs]
    return "present" + (f", without {' and '.join(wanted)} data (apt-get install {OCR_PACKAGES})" if wanted else "")


def doctor() -> tuple[str, bool]:
    """Both PDF engines, the fonts and pandoc; ``ok`` when the default path (DOCX and Typst PDF) works."""
    from coopdocs import pdf, typeset
    from coopdocs.layouts import FONT

    lines = []
    typst_version = typeset.version()
    shipped = all((typeset.FONT_DIR / name).is_file() for name in typeset.FONT_FILES)
    kazakh = shipped and all(ord(ch) in typeset.covered() for ch in KAZAKH_LETTERS)
    lines.append(f"PDF engine Typst (default, in-process): {'typst ' + typst_version if typst_version else 'missing'}")
    lines.append(
        f"  its font {typeset.FONT} (shipped in {typeset.FONT_DIR}, 4 faces) with all Kazakh letters: "
        f"{'yes' if kazakh else 'missing'}"
    )
    soffice = pdf.find_soffice()
    version = _run([soffice, "--version"]) if soffice else ""
    lines.append(
        f"PDF engine LibreOffice (optional, --pdf-engine libreoffice: the DOCX as it is): "
        f"{version or soffice or 'missing'}"
    )
    uno = pdf.find_uno_python()
    lines.append(f"  UNO bridge (persistent converter): {uno + ' can import uno' if uno else 'missing'}")
    fonts = kazakh_fonts()
    has_font = FONT in fonts
    lines.append(f"  system font {FONT} with all Kazakh letters (for LibreOffice): {'yes' if has_font else 'missing'}")
    if fonts:
        lines.append(f"  other fonts with all Kazakh letters: {', '.join(f for f in fonts if f != FONT) or 'none'}")
    try:
        import pypandoc

        lines.append(f"pandoc (HTML, Markdown): {pypandoc.get_pandoc_version()}")
        has_pandoc = True
    except (ImportError, OSError, RuntimeError):
        lines.append("pandoc (HTML, Markdown): missing")
        has_pandoc = False
    lines.append(f"Tesseract (OCR of scanned charters for `audit`, optional): {_ocr()}")
    ok = bool(typst_version and kazakh)
    if not ok:
        lines.append(
            "To get Typst PDF output: .venv/bin/pip install -e . (coopdocs depends on typst and ships its fonts)"
        )
    missing = []
    if not soffice:
        missing.append("libreoffice-writer-nogui")
    if not uno:
        missing.append("python3-uno")
    if not has_font:
        missing.append("fonts-liberation2")
    if missing:
        lines.append(
            f"Optional, for --pdf-engine libreoffice: apt-get install {' '.join(missing)}"
            "  (or run ./scripts/bootstrap.sh as root)"
        )
    if not has_pandoc:
        lines.append("To get HTML/Markdown output: .venv/bin/pip install pypandoc-binary")
    if ok and has_pandoc and not missing:
        lines.append("Everything coopdocs needs is here, including the optional LibreOffice engine.")
    elif ok and has_pandoc:
        lines.append("Everything the default path needs (DOCX, PDF by Typst, HTML, Markdown) is here.")
    return "\n".join(lines), ok
