"""Typed errors. Expected failures carry a hint and are printed without a traceback."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Self


class CoopdocsError(Exception):
    """An expected failure that the user can act on."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.key = ""
        self.values: dict[str, object] = {}

    @classmethod
    def said(cls, key: str, **values: object) -> Self:
        """An error worded by ``_ui_errors`` of ``schemas/messages.yaml`` (``key`` and ``key_hint``):
        ``message`` holds the English, ``text(lang)`` the user's language."""
        message, hint = _error_words(key, "en", values)
        error = cls(message, hint)
        error.key, error.values = key, dict(values)
        return error

    def text(self, lang: str) -> tuple[str, str | None]:
        """The message and hint in ``lang`` (errors built from ``schemas/messages.yaml``)."""
        if self.key:
            return _error_words(self.key, lang, self.values)
        return self.message, self.hint


def _error_words(key: str, lang: str, values: dict[str, object]) -> tuple[str, str | None]:
    from coopdocs.diagnostics import ui_words

    words = ui_words("_ui_errors", lang)
    hint = words.get(f"{key}_hint")
    return words[key].format(**values), hint.format(**values) if hint else None


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
    """A user's template override is broken (syntax, unknown clause, sandbox violation, a link or
    a broken layout). ``where`` names the file (and the clause); ``key`` picks the wording in
    ``_ui_templates`` of ``schemas/messages.yaml``, so the CLI can print it in the user's language."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        where: str = "",
        key: str = "",
        values: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.where = where
        self.key = key
        self.values = dict(values or {})

    @classmethod
    def of(cls, key: str, where: str, **values: str) -> TemplateError:
        message, hint = _template_words(key, "en", where, dict(values))
        return cls(message, hint, where=where, key=key, values=values)

    def text(self, lang: str) -> tuple[str, str | None]:
        if not self.key:
            return self.message, self.hint
        return _template_words(self.key, lang, self.where, self.values)

    def detail(self, lang: str) -> str:
        """The message without its leading ``where:``."""
        message = self.text(lang)[0]
        prefix = f"{self.where}: "
        return message[len(prefix) :] if self.where and message.startswith(prefix) else message


def _template_words(key: str, lang: str, where: str, values: dict[str, object]) -> tuple[str, str | None]:
    from coopdocs.diagnostics import ui_words

    words = ui_words("_ui_templates", lang)
    hint = words.get(f"{key}_hint") or words["hint"]
    return words[key].format(where=where, **values), hint.format(where=where, **values)


def save_traceback(text: str) -> Path:
    """Keep the traceback of a crash (a bug) in a file the message can name."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"coopdocs-crash-{stamp}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)
