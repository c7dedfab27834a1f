"""The one Jinja configuration used everywhere: sandboxed, read-only, bounded, strict about
undefined names.

Clause texts render to plain text (``autoescape=False``): they are data, and the DOCX stage
escapes them exactly once when docxtpl renders the layout with ``autoescape=True``. Values from
the input are passed as variables, never compiled as templates, so ``{{ 7*7 }}`` in a name stays
literal.

Every template, the pack's and a law firm's override alike, runs in an
``ImmutableSandboxedEnvironment``: a template may read the input but never change it
(``names.update(...)``, ``languages.append(...)`` are refused), because one context is shared by
every clause and document of a build (see ``render_shared``). The pack's own templates never
need to write, so one environment serves both and overrides see exactly what the pack sees.

The sandbox also bounds what one template can build (``docs/guarantees.md``, "Template
overrides"): ``range()`` yields at most ``MAX_RANGE`` items, text and list repetition and
concatenation (``*``, ``+``), ``%``-formatting widths, the padding and joining filters and string
methods may not build more than ``MAX_TEXT`` characters, and a rendered text longer than
``MAX_TEXT`` is refused as it is produced, so nothing is ever silently cut.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from jinja2 import StrictUndefined, Template, nodes
from jinja2.environment import TemplateExpression
from jinja2.exceptions import TemplateSyntaxError
from jinja2.filters import FILTERS
from jinja2.parser import Parser
from jinja2.runtime import Context, Undefined, new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from coopdocs.compose import templatecache

MAX_RANGE = 10_000  # items one range() may yield
# Characters one rendered text (a clause, an item, a title) may hold: above anything a valid input
# can produce (all its texts together are limited to 1 000 000 characters, docs/guarantees.md), so
# the pack's own templates never reach it, and far below what would exhaust memory.
MAX_TEXT = 2_000_000
MAX_POWER_BITS = 256  # an integer ** may not build a number larger than this


class LimitError(SecurityError):
    """A template went over one of the sandbox's size limits."""


def _too_long(size: float, what: str) -> None:
    if size > MAX_TEXT:
        raise LimitError(f"{what} would hold {int(size):,} characters or items; the limit is {MAX_TEXT:,}")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        n = _size(seq)
        if n is not None and isinstance(times, int) and not isinstance(times, bool):
            _too_long(n * max(times, 0), "a repeated text or list")


_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_WIDTH = re.compile(r"[<>=^]?[-+ ]?#?0?(\d+)")


def _check_percent(template: str) -> None:
    for match in _PERCENT_WIDTH.finditer(template):
        for part in match.groups():
            if part == "*":
                raise LimitError("'%*' widths are not allowed in templates")
            if part:
                _too_long(int(part), "a %-format width")


def _check_format(template: str) -> None:
    for spec in re.findall(r"\{[^{}]*:([^{}]*)\}", template):
        for width in _FORMAT_WIDTH.findall(spec):
            _too_long(int(width), "a format width")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _guard_text_call(name: str, obj: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a string method call that would build a text over the limit (checked before it runs)."""
    values = [*args, *kwargs.values()]
    if name in ("ljust", "rjust", "center", "zfill"):
        _too_long(_int(values[0]) if values else 0, f"str.{name}()")
    elif name == "expandtabs":
        _too_long(len(obj) + obj.count("\t") * _int(values[0] if values else 8), "str.expandtabs()")
    elif name == "replace" and len(values) >= 2 and isinstance(values[0], str) and isinstance(values[1], str):
        hits = (len(obj) + 1) if values[0] == "" else obj.count(values[0])
        _too_long(len(obj) + hits * max(len(values[1]) - len(values[0]), 0), "str.replace()")
    elif name == "join" and values:
        items = values[0] if isinstance(values[0], list | tuple) else None
        if items is not None:
            _too_long(sum(len(str(i)) for i in items) + len(obj) * len(items), "str.join()")
    elif name in ("format", "format_map"):
        _check_format(obj)


def _bounded_filter(name: str, check: Callable[..., None]) -> Callable[..., Any]:
    original = FILTERS[name]

    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return original(*args, **kwargs)

    bounded.__name__ = original.__name__
    for marker in ("jinja_pass_arg",):  # keep @pass_environment / @pass_eval_context
        if hasattr(original, marker):
            setattr(bounded, marker, getattr(original, marker))
    return bounded


def _after_env(args: tuple[Any, ...], original: Callable[..., Any]) -> tuple[Any, ...]:
    return args[1:] if hasattr(original, "jinja_pass_arg") else args


def _check_center(value: Any, width: Any = 80, *_: Any) -> None:
    _too_long(_int(width), "the center filter")


def _check_indent(*args: Any, **kwargs: Any) -> None:
    text, width = str(args[0]), args[1] if len(args) > 1 else kwargs.get("width", 4)
    width = len(width) if isinstance(width, str) else _int(width)
    _too_long(len(text) + (text.count("\n") + 1) * width, "the indent filter")


def _check_format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_percent(str(value))


def _check_replace(*args: Any, **kwargs: Any) -> None:
    s, old, new = (list(_after_env(args, FILTERS["replace"])) + [None, None, None])[:3]
    if isinstance(s, str) and isinstance(old, str) and isinstance(new, str):
        _guard_text_call("replace", s, (old, new), {})


def _check_join(*args: Any, **kwargs: Any) -> None:
    rest = list(_after_env(args, FILTERS["join"]))
    value, sep = rest[0], rest[1] if len(rest) > 1 else kwargs.get("d", "")
    if isinstance(value, list | tuple) and isinstance(sep, str) and len(rest) < 3 and "attribute" not in kwargs:
        _guard_text_call("join", sep, (value,), {})


def _check_wordwrap(*args: Any, **kwargs: Any) -> None:
    rest = list(_after_env(args, FILTERS["wordwrap"]))
    _too_long(_int(rest[1]) if len(rest) > 1 else 0, "the wordwrap filter")


_BOUNDED_FILTERS = {
    "center": _check_center,
    "indent": _check_indent,
    "format": _check_format_filter,
    "replace": _check_replace,
    "join": _check_join,
    "wordwrap": _check_wordwrap,
}


def _huge_power(left: Any, right: Any) -> bool:
    if not (isinstance(left, int) and isinstance(right, int)):
        return False
    return abs(left) > 1 and right > 0 and right * math.log2(abs(left)) > MAX_POWER_BITS


def safe_range(*args: int) -> range:
    """``range()`` with at most ``MAX_RANGE`` items."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise LimitError(f"range() of {len(rng):,} items; the limit is {MAX_RANGE:,}")
    return rng


class Environment(ImmutableSandboxedEnvironment):
    """Read-only sandbox with size limits (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "+", "%", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = safe_range
        for name, check in _BOUNDED_FILTERS.items():
            self.filters[name] = _bounded_filter(name, check)

    def fingerprint(self) -> bytes:
        """What the generated code depends on besides the source (the key of its cache entry)."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            parts = (
                f"{type(self).__module__}.{type(self).__qualname__}",
                self.sandboxed,
                sorted(self.intercepted_binops),
                sorted(self.intercepted_unops),
                self.autoescape if isinstance(self.autoescape, bool) else id(self.autoescape),
                self.optimized,
                self.is_async,
                self.trim_blocks,
                self.lstrip_blocks,
                self.keep_trailing_newline,
                self.newline_sequence,
                self.block_start_string,
                self.block_end_string,
                self.variable_start_string,
                self.variable_end_string,
                self.comment_start_string,
                self.comment_end_string,
                self.line_statement_prefix,
                self.line_comment_prefix,
                sorted(self.extensions),
                sorted(self.filters),
                sorted(self.tests),
            )
            cached = self.__dict__["_fingerprint"] = repr(parts).encode()
        return cast(bytes, cached)

    def overlay(self, *args: Any, **kwargs: Any) -> Any:
        env = super().overlay(*args, **kwargs)
        env.__dict__.pop("_fingerprint", None)  # the overlay's options may differ
        return env

    def compile(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: Any = False,
        defer_init: bool = False,
    ) -> Any:
        """Jinja's ``compile``, with the code of a ``from_string`` text taken from the disk cache
        (``coopdocs/compose/templatecache.py``) when this environment compiled the same text before."""
        if isinstance(source, str) and name is None and filename is None and not raw and not defer_init:
            jinja = ImmutableSandboxedEnvironment.compile
            return templatecache.compiled(self.fingerprint(), "template", source, lambda: jinja(self, source))
        return ImmutableSandboxedEnvironment.compile(self, source, name, filename, raw, defer_init)

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> TemplateExpression:
        """Jinja's ``compile_expression`` (same parse, same code), cached like ``compile``."""

        def build() -> Any:
            parser = Parser(self, source, state="variable")
            try:
                expr = parser.parse_expression()
                if not parser.stream.eos:
                    raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)
                expr.set_environment(self)
            except TemplateSyntaxError:
                self.handle_exception(source=source)
            body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
            return self.compile(nodes.Template(body, lineno=1))

        code = templatecache.compiled(self.fingerprint(), "expression", source, build)
        template = self.template_class.from_code(self, code, self.make_globals(None), None)
        return TemplateExpression(template, undefined_to_none)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "+":
            a, b = _size(left), _size(right)
            if a is not None and b is not None:
                _too_long(a + b, "a joined text or list")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left)
        elif operator == "**" and _huge_power(left, right):
            raise LimitError(f"{left} ** {right} is too large a number for a template")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and getattr(value, "__name__", "") in ("format", "format_map"):
            _check_format(owner)
        return super().wrap_str_format(value)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _guard_text_call(getattr(__obj, "__name__", ""), owner, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def make_env(*, autoescape: bool) -> Environment:
    return Environment(
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def _bounded_concat(pieces: Iterable[str]) -> str:
    """``"".join(pieces)``, refused as soon as the text passes ``MAX_TEXT`` characters."""
    out: list[str] = []
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > MAX_TEXT:
            raise LimitError(f"the rendered text is longer than {MAX_TEXT:,} characters (the limit per text)")
        out.append(piece)
    return "".join(out)


# A build renders ~4 000 small templates against one large context. ``Template.render(ctx)`` copies
# the whole context (and the environment's globals) into a new dict for every one of them; that
# copy was a fifth of the clause rendering time. These two read the caller's mapping in place:
# it must already hold the environment's globals (``clauses.jinja_context`` adds them) and it is
# never written to (a template's own ``set`` goes into its local frame, and the immutable sandbox
# refuses every method that would change a list, dict or set).


def render_shared(template: Template, ctx: Mapping[str, Any]) -> str:
    """``template.render(ctx)`` without copying ``ctx``, bounded to ``MAX_TEXT`` characters."""
    context = new_context(template.environment, template.name, template.blocks, cast(dict[str, Any], ctx), shared=True)
    return _bounded_concat(template.root_render_func(context))


def evaluate_shared(expression: Any, ctx: Mapping[str, Any]) -> Any:
    """``environment.compile_expression(source)(**ctx)`` without copying ``ctx``."""
    template = expression._template
    context = new_context(template.environment, template.name, template.blocks, cast(dict[str, Any], ctx), shared=True)
    for _ in template.root_render_func(context):
        pass
    value = context.vars["result"]
    return None if expression._undefined_to_none and isinstance(value, Undefined) else value
