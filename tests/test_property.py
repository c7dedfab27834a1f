"""Property tests: any mutation of the example either validates or yields diagnostics; never a crash."""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from coopdocs.checking.pipeline import check_file
from coopdocs.compose.messages import worded
from coopdocs.inputs.loader import load_text
from coopdocs.inputs.schema import validate_input
from tests.support import read_example

BASE = read_example()


def all_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += all_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            paths += all_paths(item, (*prefix, i))
    return paths


PATHS = all_paths(BASE)
odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=40,
).filter(lambda s: "\x00" not in s)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
    st.sampled_from(["{{ 7*7 }}", 'A&B <x> "q"', "ru", "kk", "board", "", " ", "0", "-1", "2026-02-30"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            kind = draw(st.sampled_from(["replace", "delete", "rename"]))
            if kind == "replace" or isinstance(parent, list):
                parent[path[-1]] = draw(values)
            elif kind == "delete":
                del parent[path[-1]]
            else:
                parent[draw(odd_text)] = parent.pop(path[-1])
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # an earlier mutation removed or replaced this part of the tree
    return data


def dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_input_never_crashes_validation(data: dict[str, Any]) -> None:
    text = dump(data)
    loaded = load_text(text, "mutated.yaml")
    coop, diags = validate_input(loaded)
    if coop is not None:
        from coopdocs.checking.rules import run_rules

        run_rules(coop)
    else:
        assert diags, "an input that fails must say why"
    for d in diags:
        assert worded(d, "en").message and d.rule


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=0, max_value=3000))
def test_garbled_text_never_crashes_the_loader(noise: str, at: int) -> None:
    text = dump(BASE)
    at = min(at, len(text))
    loaded = load_text(text[:at] + noise + text[at:], "garbled.yaml")
    validate_input(loaded)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated())
def test_valid_mutations_build(tmp_path_factory: Any, data: dict[str, Any]) -> None:
    from coopdocs.commands.build import Options, build_outputs

    path = Path(tmp_path_factory.mktemp("prop")) / "coop.yaml"
    path.write_text(dump(data), encoding="utf-8")
    checked = check_file(path)
    if checked.cooperative is not None:
        build_outputs(checked.cooperative, Options(docs=("charter", "membership", "disputes"), draft=True))
