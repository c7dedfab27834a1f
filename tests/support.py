"""Shared helpers for the tests: example paths and patched copies of an example."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from coopdocs.model import split_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BEREKE = EXAMPLES / "bereke.yaml"


def read_example(path: Path = BEREKE) -> dict[str, Any]:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = split_path(dotted)
    target: Any = data
    for part in parts[:-1]:
        target = target[part]
    if value is DELETE:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value


DELETE = object()


def write_patched(tmp_path: Path, patch: dict[str, Any], base: Path = BEREKE, name: str = "coop.yaml") -> Path:
    data = copy.deepcopy(read_example(base))
    for dotted, value in patch.items():
        set_path(data, dotted, value)
    out = tmp_path / name
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return out
