"""Every tests/cases/invalid/NAME.yaml produces exactly the diagnostics NAME.expected lists.

An .expected file holds the first line of each diagnostic in the text form that
`coopdocs validate --lang en` prints, with the file written as its bare name.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.compose.messages import format_text

CASES_DIR = Path(__file__).parent / "cases" / "invalid"
CASES = sorted(CASES_DIR.glob("*.yaml"))
# Warnings only: exit 0 by default, 1 under --strict.
WARNING_CASES = {"unknown-key"}


def first_lines(path: Path, *, strict: bool = False) -> list[str]:
    checked = check_file(path, strict=strict)
    return [format_text(replace(d, file=path.name), "en").splitlines()[0] for d in checked.diagnostics]


def expected_lines(case: Path) -> list[str]:
    return case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def test_cases_exist() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert case.with_suffix(".expected").is_file(), f"{case.name} has no .expected file"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_produces_expected_diagnostics(case: Path) -> None:
    assert first_lines(case) == expected_lines(case)


@pytest.mark.parametrize("case", [c for c in CASES if c.stem not in WARNING_CASES], ids=lambda p: p.stem)
def test_case_exits_1(case: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--lang", "en", str(case)])
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("case", [c for c in CASES if c.stem in WARNING_CASES], ids=lambda p: p.stem)
def test_warning_case_exits_0_and_1_under_strict(case: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["validate", "--lang", "en", str(case)]).exit_code == 0
    assert runner.invoke(main, ["validate", "--lang", "en", "--strict", str(case)]).exit_code == 1


@pytest.mark.parametrize("case", [c for c in CASES if c.stem in WARNING_CASES], ids=lambda p: p.stem)
def test_warning_case_under_strict_is_an_error(case: Path) -> None:
    expected = [line.replace(": warning[", ": error[", 1) for line in expected_lines(case)]
    assert first_lines(case, strict=True) == expected
