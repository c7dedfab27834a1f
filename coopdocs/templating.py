"""The one Jinja configuration used everywhere: sandboxed, strict about undefined names.

Clause texts render to plain text (``autoescape=False``): they are data, and the DOCX stage
escapes them exactly once when docxtpl renders the layout with ``autoescape=True``. Values from
the input are passed as variables, never compiled as templates, so ``{{ 7*7 }}`` in a name stays
literal.
"""

from __future__ import annotations

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def make_env(*, autoescape: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
