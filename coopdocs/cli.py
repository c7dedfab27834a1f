"""The command line: parses options, calls the stages, prints, and chooses the exit code.

This is the only module that talks to the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from coopdocs import __version__
from coopdocs.errors import CoopdocsError

F = TypeVar("F", bound=Callable[..., Any])
LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["ru", "kk", "en"]),
    default="en",
    envvar="COOPDOCS_LANG",
    show_default=True,
    help="Language of the messages (or set COOPDOCS_LANG).",
)


def save_traceback() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"coopdocs-crash-{stamp}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"coopdocs {__version__}, Python {sys.version}\n{' '.join(sys.argv)}\n\n")
        handle.write(traceback.format_exc())
    return Path(name)


def guarded(func: F) -> F:
    """Expected failures print their message and hint; anything else is a bug: exit 123."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CoopdocsError as exc:
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"  = hint: {exc.hint}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place that turns a crash into exit 123
            path = save_traceback()
            click.echo(
                f"internal error (a bug in coopdocs): {type(exc).__name__}: {exc}; "
                f"the traceback was saved to {path}",
                err=True,
            )
            sys.exit(123)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coopdocs")
def main() -> None:
    """Law-checked founding documents for consumer cooperatives (Republic of Kazakhstan)."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings count as errors.")
@LANG_OPTION
@guarded
def validate(files: tuple[Path, ...], fmt: str, strict: bool, lang: str) -> None:
    """Check FILE... against the input schema and the legal rules."""
    from coopdocs import diagnostics
    from coopdocs.pipeline import check_file

    failed = False
    payloads = []
    for file in files:
        checked = check_file(file, lang, strict=strict)
        failed |= checked.blocking
        if fmt == "json":
            payloads.append(json.loads(diagnostics.format_json(str(file), checked.diagnostics)))
            continue
        for d in checked.diagnostics:
            click.echo(diagnostics.format_text(d, lang))
        counts = checked.counts
        click.echo(
            f"{file}: {counts['errors']} error(s), {counts['red_flags']} red flag(s), "
            f"{counts['warnings']} warning(s)" + (", ok" if not checked.blocking else ""),
            err=True,
        )
    if fmt == "json":
        click.echo(json.dumps(payloads[0] if len(payloads) == 1 else payloads, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


@main.command()
@guarded
def schema() -> None:
    """Print the input format as JSON Schema (draft 2020-12), for editors."""
    from coopdocs.schema import json_schema

    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))
