"""Every command, run with `--messages kk` (and `ru`) on a typical success and a typical failure, prints no
English word: prefixes, summaries, status words, click's own usage errors included (issue 18 item 4).

What may stay Latin is listed: file paths, option names, rule ids, identifiers quoted from the
input, and proper names of programs and formats (``ALLOWED``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from tests.support import BEREKE, EXAMPLES, ROOT, write_patched

# Names of programs, formats, standards and packages, and the syntax tokens of a command line.
ALLOWED = {
    "coopdocs", "typst", "libreoffice", "liberation", "serif", "sans", "mono", "dejavu", "uno", "python",
    "pandoc", "tesseract", "markdown", "html", "pdf", "docx", "yaml", "json", "zip", "txt", "ocr",
    "apt", "get", "install", "pip", "venv", "bin", "options", "command", "args", "files", "file", "paths",
    "folder", "ident", "old", "new", "name", "names", "ctrl", "writer", "nogui", "fonts", "ru", "kk", "en",
    "text", "help", "pdftoppm", "poppler", "utils", "rus", "kaz", "scripts", "bootstrap", "sh", "root",
    "soffice", "http", "xx", "ii", "v", "true", "false", "indefinite",
    # the commands themselves, as a usage line names them
    "validate", "build", "batch", "amend", "init", "explain", "rules", "schema", "templates", "stress",
    "serve", "doctor", "audit", "eject", "which", "check", "import", "packs",
    # the names of arguments and placeholders in usage lines and help (FILE, OLD, NEW, OUT/<slug>/)
    "out", "source", "kz", "md", "word", "jinja",
    # the values of options as a help lists them ([member|lawyer], [separate|parallel])
    "member", "lawyer", "separate", "parallel",
    # the names `templates eject` and `templates which` take
    "charter", "membership", "disputes", "resolution", "minutes", "application", "layouts", "terms", "compliance",
}
LATIN = re.compile(r"[A-Za-z]{2,}")
IGNORED = (
    re.compile(r"\[[\w/.-]+\]"),  # a rule id in brackets
    re.compile(r"(?m)^[a-z_]+(?:\.[a-z_]+)+$"),  # the clause id `explain` heads its answer with
    re.compile(r"\b[a-z0-9-]+-[0-9a-f]{8}\b"),  # an output folder
    re.compile(r"(?:/[\w.+-]+)+/?"),  # a file path
    re.compile(r"\S+\.(?:yaml|docx|json|pdf|html|txt|md)\b"),  # a file name
    re.compile(r"--[\w-]+"),  # an option
    re.compile(r"\bKZ-[A-Z0-9-]+"),  # a rule id
    re.compile(r"'[^'\n]*'"),  # a value quoted from the input or the command line
    re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),  # an identifier of the input contract
    re.compile(r"\b\d+\.\d+(?:\.\d+)*\b"),  # a version
    re.compile(r"-j \d+"),
    re.compile(r"\S*<[\w-]+>\S*"),  # a path with a placeholder (OUT/<slug>-amendments/), an HTML element
    re.compile(r"\[(?:по умолчанию|әдепкі): [^\]]*\]"),  # an option's default value in a --help
    re.compile(r"`[^`]*`"),  # code: a command, a key, a clause id (a --help may wrap it)
    re.compile(r"\bCOOPDOCS_[A-Z_]+\b"),  # an environment variable
)


def english_words(text: str) -> list[str]:
    for pattern in IGNORED:
        text = pattern.sub(" ", text)
    return sorted({w for w in LATIN.findall(text) if w.lower() not in ALLOWED})


def run(*args: str, lang: str = "kk") -> str:
    result = CliRunner().invoke(main, [*args, "--messages", lang], prog_name="coopdocs")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return write_patched(tmp_path, {"founding.founders[0].iin": "850214300128"}, name="bad.yaml")


def commands(tmp_path: Path, bad: Path) -> list[tuple[str, ...]]:
    out = str(tmp_path / "out")
    broken = tmp_path / "broken.yaml"
    broken.write_text("cooperative:\n  name: Береке: ПК\n\tfounders: [1, 2\n", encoding="utf-8")
    tab = tmp_path / "tab.yaml"
    tab.write_text("cooperative:\n\tname: x\n", encoding="utf-8")
    return [
        ("validate", str(broken)),
        ("validate", str(tab)),
        ("validate", str(BEREKE)),
        ("validate", str(bad)),
        ("validate", str(tmp_path / "missing.yaml")),
        ("validate", str(BEREKE), "--bogus"),
        ("validate",),
        ("build", str(BEREKE), "--out", out, "--docs", "charter"),
        ("build", str(bad), "--out", out),
        ("build", str(BEREKE), "--out", out, "--lang", "xx"),
        ("batch", str(BEREKE), str(bad), "--out", out + "-batch", "--docs", "charter", "-j", "1"),
        ("amend", str(BEREKE), str(BEREKE), "--out", out),
        ("amend", str(BEREKE), str(bad), "--out", out),
        ("init", str(tmp_path / "new.yaml"), "--defaults"),
        ("init", str(tmp_path / "new.yaml"), "--defaults"),  # exists now
        ("explain", "5.8", "--input", str(BEREKE)),
        ("explain", "KZ-PC-NOTHING"),
        ("rules",),
        ("stress", str(EXAMPLES / "housing-savings.yaml")),
        ("stress", str(BEREKE), "--growth", "0"),
        ("templates", "which", "charter"),
        ("templates", "which", "nothing"),
        ("templates", "eject", "terms", "--to", str(tmp_path / "ejected")),
        ("templates", "check", str(tmp_path / "ejected")),
        ("audit", str(ROOT / "tests" / "corpus" / "pyramid-ru.html")),
        ("audit", str(tmp_path / "missing.docx")),
        ("doctor",),
        ("import", str(ROOT / "tests" / "corpus" / "lawful-ru.txt"), "-o", str(tmp_path / "imported.yaml")),
        ("import", str(ROOT / "tests" / "corpus" / "lawful-ru.txt"), "-o", str(tmp_path / "imported.yaml")),
        ("import", str(tmp_path / "missing.pdf"), "-o", str(tmp_path / "other.yaml")),
    ]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_command_speaks_the_messages_language(tmp_path: Path, bad: Path, lang: str) -> None:
    leaks = {}
    for args in commands(tmp_path, bad):
        words = english_words(run(*args, lang=lang))
        if words:
            leaks[" ".join(args)] = words
    assert not leaks, leaks


def test_serve_says_where_it_listens_in_kazakh(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopdocs.commands import serve

    monkeypatch.setattr(serve, "run", lambda *args, **kwargs: None)
    text = run("serve")
    assert "браузерде ашыңыз" in text and not english_words(text)


def test_the_check_finds_english() -> None:
    assert english_words("error: the input does not pass") == ["does", "error", "input", "not", "pass", "the"]
    assert english_words("/tmp/x/coop.yaml:3:4: қате[schema/min] «Пайлық жарна»: 'money' --lang") == []




def every_command() -> list[tuple[str, ...]]:
    """The command paths under `coopdocs` (``()`` is the group itself, ``("templates", "eject")``...)."""
    import click

    found: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    walk(main, ())
    return found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_help_speaks_the_messages_language(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`coopdocs X --help --messages kk` (and COOPDOCS_MESSAGES=kk `coopdocs X --help`): the command's
    texts, every option's help, and click's headings ("Usage:", "Options:", "Commands:", "default")."""
    usage, options = {"ru": ("Использование:", "Параметры:"), "kk": ("Қолданылуы:", "Параметрлер:")}[lang]
    leaks = {}
    for path in every_command():
        result = CliRunner().invoke(main, [*path, "--help", "--messages", lang], prog_name="coopdocs")
        text = result.output
        assert result.exit_code == 0 and text.startswith(f"{usage} coopdocs") and f"\n{options}\n" in text, text
        if english_words(text):
            leaks[" ".join(path) or "coopdocs"] = english_words(text)
    monkeypatch.setenv("COOPDOCS_MESSAGES", lang)
    for path in (("-h",), ("validate", "--help"), ("templates", "which", "--help")):
        result = CliRunner().invoke(main, list(path), prog_name="coopdocs")
        assert result.output.startswith(usage) and not english_words(result.output), result.output
    assert not leaks, leaks


def test_messages_before_the_command_name() -> None:
    """`coopdocs --messages kk validate FILE` speaks Kazakh as `coopdocs validate FILE --messages kk` does."""
    result = CliRunner().invoke(main, ["--messages", "kk", "validate", str(BEREKE)], prog_name="coopdocs")
    after = CliRunner().invoke(main, ["validate", str(BEREKE), "--messages", "kk"], prog_name="coopdocs")
    assert result.exit_code == 0 and "мәлімет" in result.output and result.output == after.output, result.output
    assert "қате" in CliRunner().invoke(main, ["--messages", "kk", "templates", "which", "nothing"]).output


def test_help_stays_english_without_a_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOPDOCS_MESSAGES", raising=False)
    monkeypatch.delenv("COOPDOCS_LANG", raising=False)
    text = CliRunner().invoke(main, ["build", "--help"], prog_name="coopdocs").output
    assert text.startswith("Usage: coopdocs build [OPTIONS] FILE")
    assert "Output folder; documents go to OUT/<slug>/. [default: out]" in " ".join(text.split())
    # --lang there names the documents' languages, so it does not choose the help's language
    assert CliRunner().invoke(main, ["build", "--help", "--lang", "kk,ru"]).output.startswith("Usage:")


def test_every_command_and_option_has_its_russian_and_kazakh_help() -> None:
    """A new command or option without its text in schemas/help.yaml fails here (a shared option's
    translation counts only while its English in help.yaml is still the code's)."""
    import click

    from coopdocs.cli import command_help, option_help

    missing = []
    for path in every_command():
        command: click.Command = main
        ctx = click.Context(main, info_name="coopdocs")
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
            ctx = click.Context(command, info_name=name, parent=ctx)
        key = " ".join(path) or "coopdocs"
        for lang in ("ru", "kk"):
            if command.help and not command_help(key, lang):
                missing.append(f"{key} ({lang})")
            for param in command.get_params(ctx):
                if isinstance(param, click.Option) and param.help and not option_help(key, param, lang):
                    missing.append(f"{key} {param.opts[-1]} ({lang})")
    assert not missing, missing
