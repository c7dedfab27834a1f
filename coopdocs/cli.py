"""The command line: parses options, calls the stages, prints, and chooses the exit code.

This is the only module that talks to the terminal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import replace
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coopdocs import MESSAGE_LANGUAGES, __version__, interrupts
from coopdocs.errors import CoopdocsError, save_traceback

if TYPE_CHECKING:
    from coopdocs.commands.build import Options
    from coopdocs.packs.pack import Pack

F = TypeVar("F", bound=Callable[..., Any])
def LANG_OPTION(func: F) -> F:  # noqa: N802 - used as a decorator like the click options
    """--messages (preferred) and --lang (its older name): the command receives ``lang``, resolved
    with COOPDOCS_MESSAGES / COOPDOCS_LANG, default English."""

    @wraps(func)
    def wrapper(*args: Any, msg_lang: str | None, legacy_lang: str | None, **kwargs: Any) -> Any:
        return func(*args, lang=messages_lang(msg_lang or legacy_lang), **kwargs)

    decorated: Any = wrapper
    for option in (
        MESSAGES_OPTION,
        click.option(
            "--lang",
            "legacy_lang",
            type=click.Choice(MESSAGE_LANGUAGES),
            default=None,
            help="Same as --messages (kept for compatibility).",
        ),
    ):
        decorated = option(decorated)
    return decorated

MESSAGES_OPTION = click.option(
    "--messages",
    "msg_lang",
    type=click.Choice(MESSAGE_LANGUAGES),
    default=None,
    help="Language of everything the command prints: ru, kk or en (or set COOPDOCS_MESSAGES; default en).",
)


def _group_messages(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["coopdocs.group_lang"] = value


# --messages before the command's name (`coopdocs --messages kk validate x`, `coopdocs --messages kk --help`)
GROUP_MESSAGES_OPTION = click.option(
    "--messages",
    type=click.Choice(MESSAGE_LANGUAGES),
    default=None,
    expose_value=False,
    callback=_group_messages,
    help="Language of everything the command prints: ru, kk or en (or set COOPDOCS_MESSAGES; default en).",
)


def messages_lang(explicit: str | None = None) -> str:
    """The language of what a command prints: --messages, else the group's --messages (given before
    the command's name), else COOPDOCS_MESSAGES, else the older COOPDOCS_LANG, else English."""
    ctx = click.get_current_context(silent=True)
    group = ctx.meta.get("coopdocs.group_lang") if ctx is not None else None  # `coopdocs --messages kk X`
    for value in (explicit, group, os.environ.get("COOPDOCS_MESSAGES"), os.environ.get("COOPDOCS_LANG")):
        if value in MESSAGE_LANGUAGES:
            return value
    return "en"


def _ui(key: str, lang: str, **values: Any) -> str:
    from coopdocs.diagnostics import ui_words

    return ui_words("_ui_cli", lang)[key].format(**values)


OVERWRITE_EDITED_OPTION = click.option(
    "--overwrite-edited",
    is_flag=True,
    help="Let outputs replace files changed since coopdocs wrote them (or that it did not write); "
    "other files in the folder are always kept.",
)
FORCE_OPTION = click.option(
    "--force",
    is_flag=True,
    help="Also replace the documents of another cooperative in the target folder (implies --overwrite-edited).",
)


def guarded(func: F) -> F:
    """Expected failures print their message and hint; anything else is a bug: exit 123.

    SIGINT, SIGTERM and SIGHUP stop the command the same way (``interrupts``): its converters and
    staging folders are cleaned up, and it exits 130, 143 or 129 with a one-line message."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        named = kwargs.get("msg_lang") or kwargs.get("legacy_lang") or kwargs.get("lang")
        lang = messages_lang(named if isinstance(named, str) else None)
        try:
            with interrupts.handled():
                return func(*args, **kwargs)
        except CoopdocsError as exc:
            message, hint = exc.text(lang)
            click.echo(f"{_ui('error', lang)}: {message}", err=True)
            if hint:
                click.echo(f"  = {_ui('hint', lang)}: {hint}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            signum = interrupts.signal_of(exc)
            click.echo(_ui("interrupted", lang, signal=signal.Signals(signum).name), err=True)
            sys.exit(128 + signum)
        except Exception as exc:  # noqa: BLE001 - the one place that turns a crash into exit 123
            context = f"coopdocs {__version__}, Python {sys.version}\n{' '.join(sys.argv)}\n\n"
            path = save_traceback(context + traceback.format_exc())
            error = f"{_ui('internal_error', lang)}: {type(exc).__name__}: {exc}"
            click.echo(_ui("crash_saved", lang, error=error, path=path), err=True)
            sys.exit(123)

    return wrapper  # type: ignore[return-value]


def argv_lang(args: list[str]) -> str:
    """The messages' language named on a command line not parsed yet (--messages X, --messages=X, or
    --lang X where it is one language), else the environment's."""
    for i, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if name in ("--messages", "--lang"):
            value = value or (args[i + 1] if i + 1 < len(args) else "")
            if value in MESSAGE_LANGUAGES and (name == "--messages" or "," not in value):
                return value
    return messages_lang()


class ClickMessage(click.ClickException):
    """One of click's own errors (a wrong option, a missing argument...) in the messages' language."""

    def __init__(self, original: click.ClickException, lang: str) -> None:
        super().__init__(original.format_message())
        self.original = original
        self.lang = lang
        self.exit_code = original.exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        lang, exc = self.lang, self.original
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, click.UsageError) and ctx is not None:
            usage = ctx.get_usage()
            if usage.startswith("Usage:"):
                usage = _ui("click_usage", lang) + usage[len("Usage:") :]
            click.echo(usage, err=True)
            click.echo(_ui("click_try", lang, command=ctx.command_path) + "\n", err=True)
        click.echo(f"{_ui('error', lang)}: {click_words(exc, lang)}", err=True)


_CLICK_DETAILS = (  # click's own wording of a bad value -> (key, the groups' names)
    (r"'?(?P<value>.*?)'?: choose from (?P<choices>.*)", "click_choose_from"),
    (r"'(?P<value>.*)' is not one of (?P<choices>.*)\.", "click_choose_from"),
    (r"'(?P<value>.*)' is not '(?P<choices>.*)'\.", "click_choose_from"),
    (r"(?:Path|File|Directory) '(?P<path>.*)' does not exist\.", "click_not_exists"),
    (r"File '(?P<path>.*)' is a directory\.", "click_is_folder"),
    (r"Directory '(?P<path>.*)' is a file\.", "click_is_file"),
    (r"'?(?P<value>[^']*)'? is not in the range (?P<range>.*)\.", "click_range"),
    (r"'(?P<value>.*)' is not a valid integer( range)?\.", "click_not_number"),
    (r"'(?P<value>.*)' does not match the formats? .*\.", "click_not_date"),
)


def click_words(exc: click.ClickException, lang: str) -> str:
    """The text of one of click's errors in ``lang``; a wording not known here stays click's."""
    import re

    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.NoSuchOption):
        text = _ui("click_no_option", lang, option=exc.option_name)
        if exc.possibilities:
            text += "; " + _ui("click_did_you_mean", lang, options=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, click.MissingParameter):
        hint = exc.param.get_error_hint(ctx) if exc.param is not None and ctx is not None else ""
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
        return _ui("click_missing_argument" if kind == "argument" else "click_missing_option", lang, name=hint)
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint or (exc.param.get_error_hint(ctx) if exc.param is not None and ctx is not None else "")
        if isinstance(name, list | tuple):
            name = " / ".join(name)
        detail = exc.message
        for pattern, key in _CLICK_DETAILS:
            found = re.fullmatch(pattern, detail)
            if found:
                detail = _ui(key, lang, **found.groupdict())
                break
        return _ui("click_invalid_value", lang, name=name, detail=detail)
    message = exc.format_message()
    for pattern, key, group in (
        (r"No such command '(?P<name>.*)'\.", "click_no_command", "name"),
        (r"Got unexpected extra arguments? \((?P<args>.*)\)", "click_extra", "args"),
        (r"Option '(?P<name>.*)' requires an argument\.", "click_needs_value", "name"),
    ):
        found = re.fullmatch(pattern, message)
        if found:
            return _ui(key, lang, **{group: found.group(group)})
    return message


_HELP_LANG: ContextVar[str | None] = ContextVar("coopdocs_help_lang", default=None)


@cache
def help_data() -> Mapping[str, Any]:
    """``schemas/help.yaml``: the commands' and options' help in Russian and Kazakh (English is the code's)."""
    from coopdocs.packs.pack import data_root, read_yaml

    return read_yaml(data_root() / "schemas" / "help.yaml")


def help_key(ctx: click.Context) -> str:
    """The command's key in ``help.yaml``: its names under the root (``templates eject``), or ``coopdocs``."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names)) or "coopdocs"


def option_key(param: click.Parameter) -> str:
    return next((o for o in param.opts if o.startswith("--")), param.opts[0])


def option_help(command: str, param: click.Parameter, lang: str) -> str | None:
    """An option's help in ``lang`` from ``help.yaml``: the command's own entry, else the shared one
    (``_options``) where its English is the code's (so an option reworded in code is not mistranslated)."""
    data = help_data()
    key = option_key(param)
    own = ((data.get(command) or {}).get("options") or {}).get(key)
    if own and own.get(lang):
        return str(own[lang])
    for shared in (data.get("_options") or {}).get(key) or []:
        if shared.get(lang) and shared.get("en") == getattr(param, "help", None):
            return str(shared[lang])
    return None


def command_help(command: str, lang: str) -> str | None:
    texts = (help_data().get(command) or {}).get("help") or {}
    return str(texts[lang]).strip() if texts.get(lang) else None


class TranslatedHelp(click.Command):
    """``--help`` in the messages' language: the texts from ``help.yaml``, click's headings from
    ``_ui_help`` (``--help`` is eager, so the language comes from the whole command line)."""

    @staticmethod
    def help_lang(ctx: click.Context) -> str:
        return str(ctx.meta.get("coopdocs.lang") or _HELP_LANG.get() or messages_lang())

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = self.help_lang(ctx)
        if lang == "en":
            return super().format_usage(ctx, formatter)
        words = help_words(lang)
        pieces = " ".join(self.collect_usage_pieces(ctx))
        for english, key in (("[OPTIONS]", "options_metavar"), ("[COMMAND]", "command_metavar"),
                             ("COMMAND", "command_metavar_bare"), ("[ARGS]", "args_metavar")):
            pieces = pieces.replace(english, words[key])
        formatter.write_usage(ctx.command_path, pieces, prefix=_ui("click_usage", lang) + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = self.help_lang(ctx)
        text = command_help(help_key(ctx), lang) if lang != "en" else None
        if text is None:
            return super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = self.help_lang(ctx)
        if lang == "en":
            return super().format_options(ctx, formatter)
        import copy

        words, command, rows = help_words(lang), help_key(ctx), []
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue
            shown = copy.copy(param)
            shown.help = option_help(command, param, lang) or param.help
            record = shown.get_help_record(ctx)
            if record is None:
                continue
            names, text = record
            parts = names.split(" ")
            cut = next((i for i, part in enumerate(parts) if not part.startswith("-") and part != "/"), len(parts))
            metavar = " ".join(parts[cut:])
            metavar = str((help_data().get("_metavars") or {}).get(metavar, {}).get(lang, metavar))
            names = " ".join([*parts[:cut], metavar] if metavar else parts[:cut])
            for english, key, tail in (("default: ", "default", ": "), ("env var: ", "env_var", ": "),
                                       ("required]", "required", "]")):
                text = text.replace(english, words[key] + tail)
            rows.append((names, text))
        if rows:
            with formatter.section(words["options"]):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


def help_words(lang: str) -> dict[str, str]:
    from coopdocs.diagnostics import ui_words

    return ui_words("_ui_help", lang)


class CoopdocsCommand(TranslatedHelp):
    """A command whose ``--help`` speaks the messages' language."""


class CoopdocsGroup(TranslatedHelp, click.Group):
    """The command group whose own errors (parsing, Ctrl-C at a click prompt) and help speak the messages' language."""

    command_class = CoopdocsCommand

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = self.help_lang(ctx)
        if lang == "en":
            return super().format_commands(ctx, formatter)
        import copy

        names = [n for n in self.list_commands(ctx) if (c := self.get_command(ctx, n)) is not None and not c.hidden]
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        base = help_key(ctx)
        rows = []
        for name in names:
            cmd = self.get_command(ctx, name)
            assert cmd is not None
            shown = copy.copy(cmd)
            shown.help = command_help(name if base == "coopdocs" else f"{base} {name}", lang) or cmd.help
            rows.append((name, shown.get_short_help_str(limit)))
        with formatter.section(help_words(lang)["commands"]):
            formatter.write_dl(rows)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        lang = argv_lang(list(args))
        if parent is None:
            _HELP_LANG.set(lang)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except ClickMessage:
            raise
        except click.ClickException as exc:
            raise ClickMessage(exc, lang) from None
        ctx.meta["coopdocs.lang"] = lang
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        lang = ctx.meta.get("coopdocs.lang") or messages_lang()
        try:
            return super().invoke(ctx)
        except ClickMessage:
            raise
        except click.ClickException as exc:
            raise ClickMessage(exc, lang) from None
        except click.exceptions.Abort:
            click.echo(_ui("click_aborted", lang), err=True)
            sys.exit(1)


@click.group(cls=CoopdocsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coopdocs")
@GROUP_MESSAGES_OPTION
def main() -> None:
    """Law-checked founding documents for consumer cooperatives (Republic of Kazakhstan)."""


LEGACY_LANG_OPTION = click.option(
    "--lang",
    "legacy_lang",
    type=click.Choice(MESSAGE_LANGUAGES),
    default=None,
    help="Same as --messages (kept for compatibility; --messages is preferred).",
)


def require_files(files: tuple[Path, ...], lang: str) -> None:
    """A named input that does not exist is a usage error (exit 2), said in the messages' language."""
    from coopdocs.errors import UsageError

    for file in files:
        if not file.exists() and not file.is_symlink():
            raise UsageError(_ui("no_file", lang, file=file), hint=_ui("no_file_hint", lang, cwd=Path.cwd()))


AUDIENCE_MESSAGES_OPTION = click.option(
    "--audience",
    type=click.Choice(["member", "lawyer"]),
    default="member",
    show_default=True,
    help="member: each problem names its field in words, as the questionnaire asks it; lawyer: by its "
    "YAML path (founding.founders[0].iin), as --format json does.",
)


def summary_line(file: Path, counts: dict[str, int], blocking: bool, lang: str) -> str:
    line = _ui("summary", lang, file=file, **counts)
    return line + (f", {_ui('ok', lang)}" if not blocking else "")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings count as errors.")
@AUDIENCE_MESSAGES_OPTION
@MESSAGES_OPTION
@LEGACY_LANG_OPTION
@guarded
def validate(
    files: tuple[Path, ...], fmt: str, strict: bool, audience: str, msg_lang: str | None, legacy_lang: str | None
) -> None:
    """Check FILE... against the input schema and the legal rules.

    The text names each field as the questionnaire asks it («Учредитель № 1: ИИН»); --audience lawyer
    names its YAML path (founding.founders[0].iin) instead. --format json prints one object for one
    file or several: {"files": [{file, diagnostics, summary}...], "diagnostics": [...each with its
    file], "summary": {totals}}."""
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands.fieldnames import format_for
    from coopdocs.compose.messages import format_json

    lang = messages_lang(msg_lang or legacy_lang)
    require_files(files, lang)
    failed = False
    results = []
    for file in files:
        checked = check_file(file, strict=strict, default_pack=default_pack())
        failed |= checked.blocking
        if fmt == "json":
            results.append((str(file), checked.diagnostics))
            continue
        for d in checked.diagnostics:
            click.echo(format_for(d, lang, audience, checked.pack))
        click.echo(summary_line(file, checked.counts, checked.blocking, lang), err=True)
    if fmt == "json":
        click.echo(format_json(results, lang))
    sys.exit(1 if failed else 0)


# The pack of an input that names none (its `jurisdiction:` and `form:` keys choose it otherwise).
DEFAULT_PACK_KEY = ("kz", "consumer_cooperative")


def default_pack() -> Pack:
    """The command line's pack for an input that names none; the only default pack of coopdocs."""
    from coopdocs.packs.pack import find_pack

    found = find_pack(*DEFAULT_PACK_KEY)
    if found is None:
        raise CoopdocsError(f"the default pack {'/'.join(DEFAULT_PACK_KEY)} is not installed")
    return found


def _pack_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Pack:
    return default_pack() if value is None else _named_pack(ctx, value)


def _optional_pack(ctx: click.Context, param: click.Parameter, value: str | None) -> Pack | None:
    """``--pack`` of a command that can tell the pack from its input (None: not given)."""
    return None if value is None else _named_pack(ctx, value)


def _optional_pack_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--pack` of a command that reads documents someone else wrote (`audit`, `import`): optional, the
    documents' own legal form chooses the pack when it is not given."""
    return click.option(
        "--pack", "pack", callback=_optional_pack, default=None, metavar="JURISDICTION/FORM", help=help_text
    )


def _named_pack(ctx: click.Context, value: str) -> Pack:
    from coopdocs.packs.pack import available_packs, find_pack

    jurisdiction, _, form = value.partition("/")
    found = find_pack(jurisdiction, form)
    if found is None:
        known = ", ".join(p.key for p in available_packs())
        lang = ctx.meta.get("coopdocs.lang") or messages_lang()
        raise click.BadParameter(_ui("pack_not_installed", lang, pack=value, known=known))
    return found


PACK_OPTION = click.option(
    "--pack",
    "pack",
    callback=_pack_option,
    default=None,
    metavar="JURISDICTION/FORM",
    help="The rule pack, e.g. kz/consumer_cooperative (default); `coopdocs packs` lists them.",
)


@main.command()
@PACK_OPTION
@MESSAGES_OPTION
@guarded
def schema(pack: Pack, msg_lang: str | None) -> None:  # msg_lang: `guarded`'s errors
    """Print the input format as JSON Schema (draft 2020-12), for editors."""
    from coopdocs.inputs.schema import json_schema

    click.echo(json.dumps(json_schema(pack), ensure_ascii=False, indent=2))


@main.command("packs")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@guarded
def packs_command(fmt: str, lang: str) -> None:
    """List the installed rule packs (coopdocs' own and those of other installed distributions)."""
    from coopdocs.packs.pack import available_packs

    rows: list[dict[str, Any]] = [
        {
            "pack": p.key,
            "title": str((p.meta.get("title") or {}).get(lang) or (p.meta.get("title") or {}).get("en") or ""),
            "edition": p.edition,
            "languages": list(p.languages),
            "documents": list(p.outputs),
            "source": p.root or "coopdocs",
            "default": (p.jurisdiction, p.form) == DEFAULT_PACK_KEY,
        }
        for p in available_packs()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        mark = " *" if row["default"] else ""
        click.echo(f"{row['pack']}{mark}  {row['title']}  ({row['edition']}; {', '.join(row['languages'])})")
        if row["source"] != "coopdocs":
            click.echo(f"    {row['source']}")


def document_languages() -> tuple[str, ...]:
    """Every language an installed pack writes its documents in."""
    from coopdocs.packs.pack import available_languages

    return available_languages()


def document_names() -> tuple[str, ...]:
    """Every document an installed pack can write."""
    from coopdocs.packs.pack import available_packs

    return tuple(dict.fromkeys(name for p in available_packs() for name in p.outputs))


def _csv(
    choices: Callable[[], tuple[str, ...]],
) -> Callable[[click.Context, click.Parameter, str | None], tuple[str, ...] | None]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        allowed = choices()
        items = tuple(v.strip() for v in value.split(",") if v.strip())
        wrong = [v for v in items if v not in allowed]
        if wrong or not items:
            raise click.BadParameter(f"{', '.join(wrong) or value!r}: choose from {', '.join(allowed)}")
        return items

    return convert


def build_options(func: F) -> F:
    """The options `build` and `batch` share, handed to the command as one ``build.Options``."""

    @wraps(func)
    def wrapper(
        *args: Any,
        docs: tuple[str, ...] | None,
        langs: tuple[str, ...] | None,
        formats: tuple[str, ...] | None,
        pdfa: bool,
        pdf_engine: str | None,
        layout: str | None,
        draft: bool,
        templates: tuple[Path, ...],
        audience: str,
        html_fragment: bool,
        **kwargs: Any,
    ) -> Any:
        from coopdocs.commands.build import Options

        options = Options(
            docs=docs or (),
            langs=langs,
            formats=formats or ("docx",),
            pdfa=pdfa,
            pdf_engine=pdf_engine,
            layout=layout,
            draft=draft,
            templates=tuple(str(t) for t in templates),
            audience=audience,
            html_fragment=html_fragment,
        )
        return func(*args, options=options, **kwargs)

    decorated: Any = wrapper
    for option in reversed(
        [
            click.option(
                "--docs",
                callback=_csv(document_names),
                default=None,
                help="Comma-separated documents (default: all).",
            ),
            click.option(
                "--lang",
                "langs",
                callback=_csv(document_languages),
                default=None,
                help="Comma-separated editions (default: the input's languages).",
            ),
            click.option(
                "--format",
                "formats",
                callback=_csv(lambda: ("docx", "pdf", "html", "md")),
                default=None,
                help="Comma-separated formats: docx, pdf, html, md (default: docx).",
            ),
            click.option("--pdf-a", "pdfa", is_flag=True, help="Write PDF/A-2b (for archives and registries)."),
            click.option(
                "--html-fragment",
                is_flag=True,
                help="Write the HTML as an embeddable <article> for your own site (no <html>, <head> or stylesheet).",
            ),
            click.option(
                "--pdf-engine",
                "pdf_engine",
                type=click.Choice(["typst", "libreoffice"]),
                default=None,
                help="typst: typeset in-process (default); libreoffice: convert the DOCX as it is "
                "(the default when your --templates replace a DOCX layout).",
            ),
            click.option(
                "--layout",
                type=click.Choice(["separate", "parallel"]),
                default=None,
                help="separate: a file per language; parallel: kk | ru columns (default: the input's layout).",
            ),
            click.option("--draft", is_flag=True, help="Build despite errors; every page then carries a DRAFT mark."),
            click.option(
                "--audience",
                type=click.Choice(["member", "lawyer"]),
                default="member",
                show_default=True,
                help="The reader: member (the commentary's choices in words, one note on sources; problems "
                "name their fields in words) or lawyer (the YAML keys and the verification of every citation; "
                "problems name their YAML paths).",
            ),
            click.option(
                "--templates",
                "templates",
                multiple=True,
                envvar="COOPDOCS_TEMPLATES",
                type=click.Path(file_okay=False, exists=True, path_type=Path),
                help="A folder of template overrides (repeatable; also COOPDOCS_TEMPLATES, separated by ':').",
            ),
            MESSAGES_OPTION,
        ]
    ):
        decorated = option(decorated)
    return decorated


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder; documents go to OUT/<slug>/.",
)
@OVERWRITE_EDITED_OPTION
@FORCE_OPTION
@build_options
@guarded
def build(file: Path, out: Path, overwrite_edited: bool, force: bool, options: Options, msg_lang: str | None) -> None:
    """Validate FILE and write its documents to OUT/<slug>/ (replacing only what coopdocs wrote there)."""
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands import build as building
    from coopdocs.commands.fieldnames import format_for
    from coopdocs.writers.outfolder import write_folder

    msg_lang = messages_lang(msg_lang)
    require_files((file,), msg_lang)
    checked = check_file(file, default_pack=default_pack())
    for d in checked.diagnostics:
        click.echo(format_for(d, msg_lang, options.audience, checked.pack), err=True)
    with contextlib.ExitStack() as stack:
        from coopdocs.writers.pdf import ConverterPool

        pool = ConverterPool()
        stack.callback(pool.close)

        def abort_on_error(kind: type[BaseException] | None, *_: object) -> None:
            if kind is not None:  # a signal or an error: LibreOffice stops now, even while starting
                pool.abort()

        stack.push(abort_on_error)
        wanted = "pdf" in options.formats and checked.cooperative is not None
        if wanted and options.pdf_engine == "libreoffice" and (options.draft or not checked.blocking):
            pool.begin()  # LibreOffice starts while the DOCX are rendered (with Typst it never starts)

        built = building.build_checked(checked, options, pool.ready)
    target = write_folder(
        out / built.folder, built.outputs, built.info, lang=msg_lang, overwrite_edited=overwrite_edited, force=force
    )
    outputs = built.outputs
    for o in outputs:
        click.echo(str(target / o.name))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--growth",
    type=click.IntRange(min=1, max=10_000),
    default=10,
    show_default=True,
    help="Members joining each month until recruitment stops.",
)
@click.option(
    "--stop-month",
    type=click.IntRange(min=1, max=600),
    default=24,
    show_default=True,
    help="The last month in which anyone joins.",
)
@LANG_OPTION
@guarded
def stress(file: Path, fmt: str, growth: int, stop_month: int, lang: str) -> None:
    """Simulate every programme of FILE month by month, then stop recruitment: who paid for whom.

    FILE is a full cooperative input, or a file with only a `programs:` list (the terms of a scheme)."""
    from coopdocs.checking.pipeline import programmes
    from coopdocs.checking.stress import as_dict
    from coopdocs.commands.fieldnames import format_for
    from coopdocs.compose import stressreport

    require_files((file,), lang)
    found = programmes(file, default_pack=default_pack())
    if found.programs is None:  # the terms themselves are unreadable: say where, as validate does
        for d in found.diagnostics:
            if d.blocking:
                click.echo(format_for(d, lang, "member", found.pack), err=True)
        sys.exit(1)
    results = stressreport.results(found.programs, growth, stop_month)
    names = [stressreport.name_of(p, lang) for p in found.programs]
    if fmt == "json":
        payload = [{"name": n, **as_dict(r)} for n, r in zip(names, results, strict=True)]
        click.echo(json.dumps({"file": str(file), "programs": payload}, ensure_ascii=False, indent=2))
    else:
        if not results:
            click.echo(_ui("no_programmes", lang, file=file), err=True)
        for n, r in zip(names, results, strict=True):
            click.echo(stressreport.as_text(n, r, lang, found.pack or default_pack()))
            click.echo()
    sys.exit(1 if any(r.verdict == "depends_on_newcomers" for r in results) else 0)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@PACK_OPTION
@LANG_OPTION
@guarded
def rules_command(fmt: str, pack: Pack, lang: str) -> None:
    """List every legal rule of a pack with its id, severity, citation and verified flag."""
    from coopdocs.commands.explaining import format_rules

    click.echo(format_rules(lang, fmt, pack))


@main.command()
@click.argument("ident")
@click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The cooperative's file: word the clause as its charter does (default: the example).",
)
@click.option(
    "--audience",
    type=click.Choice(["member", "lawyer"]),
    default="member",
    show_default=True,
    help="member: the founders' choice in words; lawyer: the YAML keys the clause reads.",
)
@LANG_OPTION
@guarded
def explain(ident: str, input_path: Path | None, audience: str, lang: str) -> None:
    """Explain a rule id (KZ-PC-...), a clause id (e.g. exit.payout) or the number of a charter
    clause as a member sees it (e.g. 5.8, with --input coop.yaml): legal basis, meaning, wording."""
    from coopdocs.commands import explaining

    if input_path is not None:
        require_files((input_path,), lang)
    click.echo(explaining.explain(ident, lang, input_path, audience, default_pack()))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report in the --lang language as .docx (Word), .pdf (Typst) or .html, by the "
    "name's ending; one FILE only.",
)
@click.option(
    "--lang",
    "report_lang",
    type=click.Choice(MESSAGE_LANGUAGES),
    default=None,
    help="Language of the --report document and of the JSON's texts (default: the --messages language).",
)
@_optional_pack_option(
    "The rule pack to check against (default: the pack whose legal form the charter names, else "
    "kz/consumer_cooperative); `coopdocs packs` lists them."
)
@MESSAGES_OPTION
@guarded
def audit(
    files: tuple[Path, ...],
    fmt: str,
    report: Path | None,
    report_lang: str | None,
    pack: Pack | None,
    msg_lang: str | None,
) -> None:
    """Audit an existing charter (DOCX, PDF, HTML, TXT; a scanned PDF or an image by Tesseract OCR where it
    is installed): mandatory contents, terms that take away members' rights, pyramid language, signs of
    lawful mutual help, and the stress test of the programmes it states where their terms can be read.
    Exit 1 when something is missing, unclear or unlawful. It never certifies a charter."""
    from coopdocs.charters import audit as auditing
    from coopdocs.charters import programmes, reading
    from coopdocs.errors import OutputError, UsageError

    lang = messages_lang(msg_lang)
    document_lang = report_lang or lang
    require_files(files, lang)
    if report is not None:
        if len(files) != 1:
            raise UsageError.said("report_one_file")
        if report.suffix.lower() not in (".docx", ".pdf", ".html", ".htm"):
            raise UsageError.said("report_docx", path=report)
        if report.exists():
            raise OutputError.said("exists_no_replace", path=report)
    concerns = False
    payloads = []
    for file in files:
        document = reading.read(file)  # the charter's own form chooses the pack when --pack is not given
        result = auditing.audit_document(document, pack or auditing.named_pack([document]) or default_pack())
        result = programmes.with_stress(result)  # the programmes it states, where their terms can be read
        c = auditing.counts(result)
        concerns |= bool(c["missing"] or c["ambiguous"] or c["unlawful"] or c["pyramid"])
        if fmt == "json":
            payloads.append(auditing.as_json(result, document_lang))
        else:
            click.echo(auditing.format_text(result, lang))
        if report is not None:
            writer = {".pdf": auditing.report_pdf, ".html": auditing.report_html, ".htm": auditing.report_html}
            _write_new(report, writer.get(report.suffix.lower(), auditing.report_docx)(result, document_lang))
            click.echo(_ui("report_written", lang, path=report), err=True)
    if fmt == "json":
        click.echo(json.dumps(payloads[0] if len(payloads) == 1 else payloads, ensure_ascii=False, indent=2))
    sys.exit(1 if concerns else 0)


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("coop.yaml"),
    show_default=True,
    help="The draft input file to write.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_optional_pack_option(
    "The rule pack to read with (default: the pack whose legal form the documents name, else the one "
    "whose clauses they read most like)."
)
@LANG_OPTION
@guarded
def import_command(source: Path, out: Path, force: bool, fmt: str, pack: Pack | None, lang: str) -> None:
    """Read a charter (DOCX, PDF with a text layer, HTML, TXT), or a folder with it and the other founding
    documents, into a draft input file: every value with its clause as a comment; what was not found is left
    out and listed. Then `validate` shows what is missing and `init --resume` asks for it."""
    from coopdocs.charters import importing

    if not source.exists():
        require_files((source,), lang)
    if out.exists() and not force:
        from coopdocs.errors import OutputError

        raise OutputError.said("import_exists", file=out)
    result = importing.import_path(source, pack, first=default_pack())
    text = importing.to_yaml(result, lang, str(out))
    _write_new(out, text.encode("utf-8"))
    if fmt == "json":
        click.echo(json.dumps(importing.as_json(result, str(out)), ensure_ascii=False, indent=2))
        return
    click.echo(importing.format_text(result, lang, str(out)))


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file whole or not at all: a temporary file beside it, then renamed into place."""
    import os
    import tempfile

    from coopdocs.errors import OutputError

    try:
        fd, tmp = tempfile.mkstemp(prefix=".coopdocs-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError.said("cannot_write", path=path, reason=exc.strerror) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@main.command()
@MESSAGES_OPTION
@guarded
def doctor(msg_lang: str | None) -> None:
    """Show which PDF engine, fonts and converters are available, and how to get what is missing."""
    from coopdocs.commands import explaining

    report, ok = explaining.doctor(messages_lang(msg_lang))
    click.echo(report)
    sys.exit(0 if ok else 3)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder: each input goes to OUT/<slug>/, and OUT/report.json sums up the run.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the cores).")
@OVERWRITE_EDITED_OPTION
@FORCE_OPTION
@build_options
@guarded
def batch(
    paths: tuple[Path, ...],
    out: Path,
    jobs: int | None,
    overwrite_edited: bool,
    force: bool,
    options: Options,
    msg_lang: str | None,
) -> None:
    """Build every input (YAML files, or folders of *.yaml) into OUT/<slug>/, in parallel."""
    from coopdocs.commands import batch as batching

    msg_lang = messages_lang(msg_lang)
    require_files(paths, msg_lang)
    inputs = batching.collect_inputs(paths)
    # Workers may run elsewhere than the parent's working directory: template folders go absolute.
    absolute = replace(options, templates=tuple(str(Path(t).resolve()) for t in options.templates))
    options = batching.BatchOptions.of(absolute, msg_lang, overwrite_edited=overwrite_edited, force=force)
    if sys.stderr.isatty():
        with click.progressbar(
            length=len(inputs), label=_ui("batch_building", msg_lang), file=sys.stderr, item_show_func=lambda s: s
        ) as bar:
            report = batching.run_batch(
                inputs, out, options, jobs, lambda p: bar.update(1, _batch_status(p, msg_lang))
            )
    else:
        report = batching.run_batch(inputs, out, options, jobs, lambda p: _batch_line(p, msg_lang))
    _batch_summary(report, msg_lang)
    sys.exit(report.exit_code)


def _batch_status(progress: Any, lang: str) -> str:
    current = Path(progress.running[0]).name if progress.running else ""
    return _ui(
        "batch_status", lang, done=progress.done, failed=progress.failed, remaining=progress.remaining, current=current
    )


def _batch_line(progress: Any, lang: str) -> None:
    item = progress.last
    where = f" -> {item.slug}" if item.slug else (f": {_item_message(item.message, lang)}" if item.message else "")
    status = _ui(f"batch_{item.status}", lang)
    line = _ui(
        "batch_line",
        lang,
        done=progress.done,
        total=progress.total,
        status=status,
        input=item.input,
        where=where,
        seconds=f"{item.duration:.2f}",
    )
    click.echo(line, err=True)


def _item_message(message: str, lang: str) -> str:
    """A batch item's message with its English prefix (kept in report.json for scripts) in ``lang``."""
    crash = "internal error (a bug in coopdocs): "
    if message.startswith(crash):
        rest = message[len(crash) :]
        if rest == "the worker process building this input died":
            rest = _ui("worker_died", lang)
        return f"{_ui('internal_error', lang)}: {rest}"
    for kind in ("input", "output", "templates"):
        if message.startswith(f"{kind}: "):
            return f"{_ui(f'batch_kind_{kind}', lang)}: {message[len(kind) + 2 :]}"
    return message


def _batch_summary(report: Any, lang: str) -> None:
    rows = [tuple(_ui("batch_headers", lang).split("|"))]
    for item in report.items:
        counts = (str(item.errors), str(item.warnings), str(item.red_flags), str(len(item.documents)))
        name = (item.name or {}).get(lang) or next(iter((item.name or {}).values()), "-")
        rows.append((item.input, name, _ui(f"batch_{item.status}", lang), *counts, item.slug or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    for item in report.items:
        if item.status in ("ok", "draft", "cancelled"):
            continue
        status = _ui(f"batch_{item.status}", lang)
        click.echo(f"\n{item.input}: {status}: {_item_message(item.message, lang)}", err=True)
        for line in item.diagnostics_text:
            click.echo(line, err=True)
        if item.traceback:
            click.echo(_ui("batch_traceback", lang, path=item.traceback), err=True)
    tally = ", ".join(f"{n} {_ui(f'batch_{status}', lang)}" for status, n in sorted(report.counts().items()))
    note = _ui("batch_interrupted", lang, signal=report.interrupted_by) if report.interrupted else ""
    click.echo(
        _ui(
            "batch_total",
            lang,
            count=len(report.items),
            tally=tally,
            seconds=f"{report.duration:.1f}",
            jobs=report.jobs,
            note=note,
            report=report.out / "report.json",
        ),
        err=True,
    )


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="[OLD] NEW", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--old-charter",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The registered charter (.docx, .pdf, .html, .txt) in place of OLD: its values are read as "
    "`coopdocs import` reads them and the amendments cite its own clause numbers. Then give only NEW.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder; the package goes to OUT/<slug>-amendments/.",
)
@click.option(
    "--lang",
    "langs",
    callback=_csv(document_languages),
    default=None,
    help="Comma-separated editions (default: the languages both files have).",
)
@click.option(
    "--format",
    "formats",
    callback=_csv(lambda: ("docx", "pdf", "json")),
    default=None,
    help="Comma-separated formats: docx, pdf (default: docx); json prints the summary as JSON.",
)
@click.option(
    "--meeting-date",
    "--date",
    "meeting_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date of the general meeting that adopts the amendments (YYYY-MM-DD): the documents quote it and "
    "the tracked changes carry it; if not given, the documents leave it blank and the tracked changes are "
    "dated today (the manifest says which).",
)
@AUDIENCE_MESSAGES_OPTION
@MESSAGES_OPTION
@OVERWRITE_EDITED_OPTION
@FORCE_OPTION
@guarded
def amend(
    files: tuple[Path, ...],
    old_charter: Path | None,
    out: Path,
    langs: tuple[str, ...] | None,
    formats: tuple[str, ...] | None,
    meeting_date: dt.datetime | None,
    audience: str,
    msg_lang: str | None,
    overwrite_edited: bool,
    force: bool,
) -> None:
    """Compare OLD and NEW (or the registered charter, --old-charter, and NEW) and write the amendment
    package to OUT/<slug>-amendments/."""
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands import amend as amending
    from coopdocs.commands import build as building
    from coopdocs.commands.fieldnames import format_for
    from coopdocs.writers.outfolder import write_folder

    msg_lang = messages_lang(msg_lang)
    old, new = amending.files(files, old_charter)
    require_files((old, new), msg_lang)
    checked = {}
    found = {}
    for role, file in (("OLD", old), ("NEW", new)):
        if role == "OLD" and old_charter is not None:
            result = amending.check_old_charter(old_charter, new, msg_lang)
        else:
            result = check_file(file, default_pack=default_pack())
        for d in result.diagnostics:
            click.echo(format_for(d, msg_lang, audience, result.pack), err=True)
        click.echo(summary_line(file, result.counts, result.blocking, msg_lang), err=True)
        if result.cooperative is None or (role == "NEW" and result.blocking):
            click.echo(_ui("amend_refused", msg_lang, file=file, role=role), err=True)
            sys.exit(1)
        checked[role] = result.cooperative
        found[role] = result.diagnostics
    before, after = checked["OLD"], checked["NEW"]
    request = amending.Request(amending.languages(before, after, langs), meeting_date.date() if meeting_date else None)
    diffs = amending.compare_cooperatives(before, after, request.langs)
    same_text = all(d.empty for d in diffs)
    corrected = amending.corrections(before, found["OLD"], after, found["NEW"])
    as_json = bool(formats and "json" in formats)
    summary = amending.summary(before, after, diffs)
    # with --format json, stdout carries only the JSON object; the texts go to stderr
    if corrected:
        click.echo(amending.corrections_text(corrected, before, msg_lang, same_text), err=as_json)
    if same_text:
        if not corrected:
            click.echo(amending.no_difference(after, msg_lang), err=as_json)
        if as_json:
            click.echo(json.dumps({**summary, "folder": None, "files": []}, ensure_ascii=False, indent=2))
        sys.exit(0)
    fmts = tuple(f for f in formats or () if f != "json") or ("docx",)
    outputs = amending.build_outputs(before, after, diffs, request)
    options = building.Options(formats=fmts)
    if "pdf" in fmts:
        from coopdocs.writers.pdf import Converter

        with Converter() as converter:
            outputs = building.convert_outputs(outputs, options, converter)
    target = write_folder(
        out / amending.folder_name(before),
        outputs,
        amending.manifest_info(before, after, diffs, request, fmts, corrected),
        lang=msg_lang,
        overwrite_edited=overwrite_edited,
        force=force,
    )
    if as_json:
        payload = {**summary, "folder": str(target), "files": [str(target / o.name) for o in outputs]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(amending.summary_text(summary, before, msg_lang, audience))
    for o in outputs:
        click.echo(str(target / o.name))


@main.command("init")
@click.argument("file", required=False, default=None, type=click.Path(dir_okay=False, path_type=Path))
@MESSAGES_OPTION
@click.option(
    "--lang",
    "legacy_lang",
    type=click.Choice(MESSAGE_LANGUAGES),
    default=None,
    help="Same as --messages (kept for compatibility).",
)
@click.option(
    "--defaults",
    "use_defaults",
    is_flag=True,
    help="Write the example cooperative without asking (an example: replace its values).",
)
@click.option(
    "--resume",
    "resume",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Continue an interview from the draft that Ctrl-D or Ctrl-C saved (FILE.draft).",
)
@click.option(
    "--form",
    "form",
    default=None,
    metavar="FORM",
    help="The legal form (a pack of the jurisdiction, e.g. agricultural_cooperative): not asked then.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@guarded
def init_command(
    file: Path | None,
    msg_lang: str | None,
    legacy_lang: str | None,
    use_defaults: bool,
    resume: Path | None,
    form: str | None,
    force: bool,
) -> None:
    """Ask a founder's questions and write FILE (default coop.yaml): commented YAML that validates.

    In a terminal the interview shows a progress counter, takes "back" (назад, артқа), ends with a
    review of every answer, and Ctrl-D or Ctrl-C save a draft to resume with --resume."""
    from coopdocs.commands import init as initing

    lang = messages_lang(msg_lang or legacy_lang)
    default = default_pack()
    draft = initing.read_draft(resume, lang, default) if resume else None
    if draft is not None and msg_lang is None and legacy_lang is None:
        lang = draft.lang
    target = file or (Path(draft.target) if draft and draft.target else Path("coop.yaml"))
    initing.check_target(target, force, lang, default)
    chosen = _form_pack(form, lang) if form is not None else None
    if use_defaults:
        pack = chosen or default
        text = initing.defaults_text(lang, pack)
        initing.write_file(target, text, force, lang, pack)
        click.echo(initing.message("example_written", lang, pack, file=target), err=True)
        return
    initing.check_stdin(sys.stdin, lang, chosen or default)
    interactive = sys.stdin.isatty()
    prompter = initing.Prompter(say=click.echo, ask=_prompt)
    pack = chosen or initing.interview_pack(prompter, lang, draft, default)
    try:
        data = initing.ask_all(prompter, lang, pack, interactive=interactive, draft=draft)
    except initing.Stopped as stopped:
        saved = resume or initing.draft_path(target)
        stopped.draft.target = str(target)
        initing.write_file(saved, initing.draft_text(stopped.draft), True, lang, pack)
        click.echo("", err=True)
        click.echo(initing.message("draft_saved", lang, pack, draft=saved), err=True)
        if isinstance(stopped.cause, KeyboardInterrupt):
            sys.exit(128 + interrupts.signal_of(stopped.cause))
        sys.exit(1)
    initing.write_file(target, initing.render_yaml(data, lang, pack), force, lang, pack)
    if resume is not None:
        resume.unlink(missing_ok=True)
    click.echo(initing.message("written", lang, pack, file=target), err=True)


@main.command("serve")
@click.argument("file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on.")
@MESSAGES_OPTION
@guarded
def serve_command(file: Path | None, host: str, port: int, msg_lang: str | None) -> None:
    """Open the founders' questionnaire in the browser: a local web application (FILE: answers to start
    from). The pages start in the --messages language (Russian when none is set) and switch on every page."""
    from coopdocs.commands import serve

    lang = messages_lang(msg_lang)
    serve.check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(_ui("serve_started", lang, url=f"http://{shown}:{port}/"), err=True)
    ui_lang = msg_lang or os.environ.get("COOPDOCS_MESSAGES") or "ru"
    serve.run(file, host, port, pack=default_pack(), lang=ui_lang if ui_lang in MESSAGE_LANGUAGES else "ru")


def _form_pack(form: str, lang: str) -> Pack:
    """The pack ``init --form FORM`` names, in the default pack's jurisdiction."""
    from coopdocs.errors import UsageError
    from coopdocs.packs.formchoice import load_choice
    from coopdocs.packs.pack import available_packs, find_pack

    jurisdiction = default_pack().jurisdiction
    found = find_pack(jurisdiction, form)
    if found is None:
        choice = load_choice(jurisdiction)
        forms = ", ".join(p.form for p in available_packs() if p.jurisdiction == jurisdiction)
        hint = choice.word("unknown_form_hint", lang, forms=forms)
        raise UsageError(choice.word("unknown_form", lang, form=form), hint=hint)
    return found


def _prompt(text: str, default: str | None) -> str:
    """``click.prompt``, telling Ctrl-C (``KeyboardInterrupt``: exit 130) from the end of the input
    (``EOFError``), which click reports alike as ``click.Abort``."""
    try:
        return str(click.prompt(text, default=default, show_default=bool(default)))
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise EOFError from None


@main.group(cls=CoopdocsGroup)
@GROUP_MESSAGES_OPTION
def templates() -> None:
    """Law-firm template overrides: eject the pack's templates, see which file wins, check a folder."""


@templates.command("eject")
@click.argument("names", nargs=-1)
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("templates-override"),
    show_default=True,
    help="Folder to copy into; pass it to --templates afterwards.",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@MESSAGES_OPTION
@guarded
def templates_eject(names: tuple[str, ...], target: Path, force: bool, msg_lang: str | None) -> None:
    """Copy the pack's templates (all, or NAME... such as charter, layouts, terms) out for editing."""
    from coopdocs.commands.overrides import eject

    for path in eject(target, names, force=force, pack=default_pack()):
        click.echo(str(path))


@templates.command("which")
@click.argument("name")
@click.option(
    "--templates",
    "dirs",
    multiple=True,
    envvar="COOPDOCS_TEMPLATES",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Override folders to consider.",
)
@MESSAGES_OPTION
@guarded
def templates_which(name: str, dirs: tuple[Path, ...], msg_lang: str | None) -> None:
    """Show which file wins for NAME (a template path, a document or a clause id) and what it shadows."""
    from dataclasses import replace

    from coopdocs.commands.overrides import which
    pack = replace(default_pack(), overrides=tuple(str(d.resolve()) for d in dirs))
    for line in which(name, pack, messages_lang(msg_lang)):
        click.echo(line)


@templates.command("check")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@LANG_OPTION
@guarded
def templates_check(folder: Path, lang: str) -> None:
    """Check a folder of overrides: links, unknown clause ids, missing languages, Jinja errors, unknown
    placeholders, and everything `build` would refuse when it renders them with the shipped examples."""
    from coopdocs.commands.overrides import check
    from coopdocs.diagnostics import ui_words

    problems = check(folder, default_pack(), lang=lang)
    for problem in problems:
        click.echo(problem.text(lang))
    words = ui_words("_ui_templates", lang)
    click.echo(words["summary"].format(where=folder, count=len(problems)) + ("" if problems else words["ok"]), err=True)
    sys.exit(1 if problems else 0)
