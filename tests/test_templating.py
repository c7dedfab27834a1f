"""The shared-context render helpers give what Jinja's own render gives, and leave the context alone."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from coopdocs.compose.templating import MAX_RANGE, MAX_TEXT, LimitError, evaluate_shared, make_env, render_shared

ENV = make_env(autoescape=False)
SOURCES = (
    "{{ name }} — {{ items | join(', ') }}",
    "{% for i in range(3) %}{{ i }}{% endfor %}",
    "{% set ns = namespace(total=0) %}{% for n in numbers %}{% set ns.total = ns.total + n %}{% endfor %}"
    "{{ ns.total }}",
    "{% set name = 'changed' %}{{ name }}",
    "{% if flag %}yes{% else %}no{% endif %}",
)


def context() -> dict[str, Any]:
    return {**ENV.globals, "name": "Береке", "items": ["a", "b"], "numbers": [1, 2, 3], "flag": False}


@pytest.mark.parametrize("source", SOURCES)
def test_render_shared_equals_render_and_leaves_the_context_alone(source: str) -> None:
    ctx = context()
    before = dict(ctx)
    template = ENV.from_string(source)
    assert render_shared(template, ctx) == template.render(context())
    assert ctx == before


def test_evaluate_shared_equals_the_compiled_expression() -> None:
    ctx = context()
    for source in ("flag", "numbers | length > 2", "name ~ '!'", "missing is defined"):
        expression = ENV.compile_expression(source)
        assert evaluate_shared(expression, ctx) == expression(**context())


def test_shared_rendering_keeps_strictness_and_the_sandbox() -> None:
    with pytest.raises(UndefinedError):
        render_shared(ENV.from_string("{{ nowhere }}"), context())
    with pytest.raises(SecurityError):
        render_shared(ENV.from_string("{{ name.__class__.__mro__ }}"), context())


@pytest.mark.parametrize(
    "source",
    [
        "{{ items.append('x') }}",
        "{{ items.extend(['x']) }}",
        "{{ items.pop() }}",
        "{{ mapping.update({'k': 'HACKED'}) }}",
        "{{ mapping.setdefault('new', 1) }}",
        "{{ mapping.clear() }}",
    ],
)
def test_the_shared_context_is_read_only(source: str) -> None:
    ctx = {**context(), "mapping": {"k": "v"}}
    with pytest.raises(SecurityError, match="is unsafe"):
        render_shared(ENV.from_string(source), ctx)
    assert ctx["items"] == ["a", "b"]
    assert ctx["mapping"] == {"k": "v"}


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(MAX_RANGE + 1) %}{% endfor %}",
        "{{ 'A' * 300000000 }}",
        "{{ ['A'] * (MAX_TEXT + 1) }}",
        "{{ ('A' * MAX_TEXT) + 'A' }}",
        "{{ '%999999999s' % 'x' }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x'.zfill(10**9) }}",
        "{{ 'x' | center(10**9) }}",
        "{{ ('A' * 99999) | replace('A', 'A' * 50) }}",
        "{{ ('A' * 99999).replace('A', 'A' * 50) }}",
        "{{ (['A' * 99999] * 100) | join }}",
        "{{ ('\\n' * 50000) | indent(1000) }}",
        "{{ 'x' | wordwrap(10**9) }}",
        "{{ 10 ** 1000 }}",
        "{% for i in range(10000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}",
    ],
)
def test_what_a_template_builds_is_bounded_before_it_is_built(source: str) -> None:
    ctx = {**context(), "MAX_RANGE": MAX_RANGE, "MAX_TEXT": MAX_TEXT}
    with pytest.raises(LimitError):
        render_shared(ENV.from_string(source), ctx)


def test_ordinary_templates_are_not_limited() -> None:
    source = (
        "{{ items | join(', ') }}|{{ 'ab' * 3 }}|{{ '%s-%05d' | format('a', 3) }}|{{ '{:>4}'.format(7) }}|"
        "{{ 2 ** 10 }}|{{ 'x'.center(5) }}|{{ range(MAX_RANGE) | length }}|{{ ('y' * MAX_TEXT) | length }}"
    )
    ctx = {**context(), "MAX_RANGE": MAX_RANGE, "MAX_TEXT": MAX_TEXT}
    assert render_shared(ENV.from_string(source), ctx) == f"a, b|ababab|a-00003|   7|1024|  x  |{MAX_RANGE}|{MAX_TEXT}"


@pytest.mark.parametrize(
    "text", ["Plain text.", "  lead\r\n and  trail \n", "a\tb ( x ) « y » , z ;", "", "%} }} #} no opening brace"]
)
def test_a_text_without_jinja_syntax_renders_as_itself(text: str) -> None:
    """``clauses.render_text`` skips Jinja for a text with no "{": the result is what Jinja gives."""
    from coopdocs.compose import clauses

    ctx = clauses._ENV.globals
    assert clauses.render_text(text, ctx, "t") == clauses.tidy(render_shared(clauses._compiled(text), dict(ctx)))
