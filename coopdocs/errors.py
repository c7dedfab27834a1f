"""Typed errors. Expected failures carry a hint and are printed without a traceback."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path


class CoopdocsError(Exception):
    """An expected failure that the user can act on."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CoopdocsError):
    exit_code = 2


class InputError(CoopdocsError):
    """The input has errors; the diagnostics were reported separately."""

    exit_code = 1


class OutputError(CoopdocsError):
    """An output could not be produced (for example, no PDF engine)."""

    exit_code = 3


class PackError(CoopdocsError):
    """The rule pack or a template library is broken. This is a bug in the pack data."""

    exit_code = 123


class TemplateError(CoopdocsError):
    """A user's template override is broken (syntax, unknown clause, sandbox violation)."""

    exit_code = 1


def save_traceback(text: str) -> Path:
    """Keep the traceback of a crash (a bug) in a file the message can name."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"coopdocs-crash-{stamp}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)
