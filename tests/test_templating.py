"""The shared-context render helpers give what Jinja's own render gives, and leave the context alone."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from coopdocs.templating import evaluate_shared, make_env, render_shared

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
