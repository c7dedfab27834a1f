"""Every examples/*.yaml validates clean: no error, warning or red flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.compose.messages import format_text

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


def test_the_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"bereke.yaml", "agri-supply.yaml", "housing-savings.yaml", "consumer-goods.yaml"} <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_clean(example: Path) -> None:
    checked = check_file(example)
    findings = [format_text(d) for d in checked.diagnostics if d.severity in ("error", "warning", "red_flag")]
    assert findings == []
    assert checked.cooperative is not None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_passes_strict_validation(example: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--strict", str(example)])
    assert result.exit_code == 0, result.output


def test_one_example_uses_only_russian() -> None:
    cooperatives = [check_file(p).cooperative for p in EXAMPLES]
    assert ("ru",) in [c.languages for c in cooperatives if c is not None]
