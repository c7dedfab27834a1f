"""A command imports only what it needs (issue 16 item 5): `validate` loads no document writer,
no template engine and no charting; a DOCX-only `build` loads neither Typst nor charting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import BEREKE

ROOT = Path(__file__).resolve().parent.parent
WRITERS = {"docx", "docxtpl", "jinja2", "typst", "matplotlib", "numpy", "PIL", "pypandoc", "lxml"}


def imported(*args: str, cwd: Path) -> set[str]:
    """The top-level packages a fresh ``python -m coopdocs ARGS`` imported (``-X importtime``)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "coopdocs", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "coopdocs" in names  # the output was read
    return names


def test_validate_imports_no_writer() -> None:
    names = imported("validate", str(BEREKE), cwd=ROOT)
    assert names & WRITERS == set()


@pytest.mark.parametrize("fmt", ["docx"])
def test_a_docx_build_imports_neither_typst_nor_charts(tmp_path: Path, fmt: str) -> None:
    names = imported("build", str(BEREKE), "--docs", "charter", "--format", fmt, "--out", str(tmp_path), cwd=ROOT)
    assert "docx" in names and "jinja2" in names  # what it does need
    assert names & {"typst", "matplotlib", "pypandoc"} == set()
