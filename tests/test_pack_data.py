"""The pack's data files parse the same with libyaml (fast path) and ruamel.yaml (YAML 1.2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

from tests.support import ROOT

FILES = sorted([*ROOT.glob("schemas/**/*.yaml"), *ROOT.glob("templates/**/*.yaml")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_parsers_agree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == YAML(typ="safe", pure=True).load(text)
