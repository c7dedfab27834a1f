"""The one Jinja configuration used everywhere: sandboxed, strict about undefined names.

Clause texts render to plain text (``autoescape=False``): they are data, and the DOCX stage
escapes them exactly once when docxtpl renders the layout with ``autoescape=True``. Values from
the input are passed as variables, never compiled as templates, so ``{{ 7*7 }}`` in a name stays
literal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from jinja2 import StrictUndefined, Template
from jinja2.runtime import Undefined, new_context
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_RENDERED_CHARS = 100_000  # one clause text (the longest is under 1 000, an input text at most 10 000)


class _Sandbox(SandboxedEnvironment):
    """The sandbox, also refusing products too large to be text (``'A' * 300000000`` made a text of
    300 million characters; ``10 ** 10 ** 8`` computes for minutes)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*" and (_too_long(left, right) or _too_long(right, left)):
            raise SecurityError(f"the product has more than {MAX_RENDERED_CHARS} items")
        powers = isinstance(left, int) and isinstance(right, int) and right > 0
        if operator == "**" and powers and max(abs(left), 2).bit_length() * right > 4 * MAX_RENDERED_CHARS:
            raise SecurityError("the power is too large")
        return super().call_binop(context, operator, left, right)


def _too_long(seq: Any, times: Any) -> bool:
    return isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_RENDERED_CHARS


def make_env(*, autoescape: bool) -> SandboxedEnvironment:
    return _Sandbox(
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


# A build renders ~4 000 small templates against one large context. ``Template.render(ctx)`` copies
# the whole context (and the environment's globals) into a new dict for every one of them; that
# copy was a fifth of the clause rendering time. These two read the caller's mapping in place:
# it must already hold the environment's globals (``clauses.jinja_context`` adds them) and it is
# never written to (a template's own ``set`` goes into its local frame).


def render_shared(template: Template, ctx: Mapping[str, Any]) -> str:
    """``template.render(ctx)`` without copying ``ctx``."""
    context = new_context(template.environment, template.name, template.blocks, cast(dict[str, Any], ctx), shared=True)
    return str(template.environment.concat(template.root_render_func(context)))


def evaluate_shared(expression: Any, ctx: Mapping[str, Any]) -> Any:
    """``environment.compile_expression(source)(**ctx)`` without copying ``ctx``."""
    template = expression._template
    context = new_context(template.environment, template.name, template.blocks, cast(dict[str, Any], ctx), shared=True)
    for _ in template.root_render_func(context):
        pass
    value = context.vars["result"]
    return None if expression._undefined_to_none and isinstance(value, Undefined) else value
