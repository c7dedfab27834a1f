"""Without LibreOffice the PDF tests skip, each with the reason and the way to install it; none fails.

The suite is run in a child pytest where the PDF engine is hidden: for real, by mounting an empty
folder over LibreOffice's program folder in a private mount namespace (``unshare -m``, root only),
and, everywhere, by a plugin that makes ``coopdocs.writers.pdf.find_soffice`` find nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from coopdocs.writers import pdf

ROOT = Path(__file__).resolve().parents[1]
PDF_TESTS = [
    "tests/test_pdf.py",
    "tests/test_amend.py::test_libreoffice_opens_the_redline_and_accepting_gives_the_new_edition",
]
REASON = (
    "no PDF engine: {missing}; install LibreOffice and the UNO bridge: "
    "apt-get install libreoffice-writer-nogui python3-uno fonts-liberation2 "
    "(or run scripts/bootstrap.sh --with-libreoffice)"
)
HIDE_PLUGIN = """
import coopdocs.writers.pdf

def pytest_configure(config):
    coopdocs.writers.pdf.find_soffice = lambda: None
"""


def pytest_args(*extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *extra]


@cache
def marked_count() -> int:
    listed = subprocess.run(
        pytest_args("--collect-only", "-m", "pdf_engine", *PDF_TESTS),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r"(\d+)/\d+ tests collected", listed.stdout) or re.search(r"(\d+) tests? coll", listed.stdout)
    assert found, listed.stdout + listed.stderr
    return int(found.group(1))


def check_run(done: subprocess.CompletedProcess[str], missing: str) -> None:
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    summary = out.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary, out
    skipped = re.search(r"(\d+) skipped", summary)
    assert skipped and int(skipped.group(1)) == marked_count(), out
    lines = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert lines and all(REASON.format(missing=missing) in line for line in lines), out


def test_pdf_tests_skip_with_the_reason_when_soffice_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "hide_pdf_engine.py").write_text(HIDE_PLUGIN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        pytest_args("-p", "hide_pdf_engine", *PDF_TESTS),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    check_run(done, "LibreOffice (soffice) is not installed")


def test_pdf_tests_skip_with_the_reason_when_libreoffice_is_hidden(tmp_path: Path) -> None:
    soffice = pdf.find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed here: nothing to hide (the other test covers this machine)")
    program = Path(os.path.realpath(soffice)).parent.parent  # /usr/lib/libreoffice
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False) if os.geteuid() == 0 else None
    if probe is None or probe.returncode != 0:
        pytest.skip("hiding LibreOffice needs a private mount namespace (unshare -m as root)")
    script = 'mount -t tmpfs coopdocs-no-lo "$0" && exec "$@"'
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, str(program), *pytest_args(*PDF_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    check_run(done, "LibreOffice (soffice) is not installed")


def without_libreoffice(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run a command on this machine as if LibreOffice were not installed: directly where it is not,
    else with its program folder hidden under an empty tmpfs in a private mount namespace."""
    soffice = pdf.find_soffice()
    if soffice is None:
        argv = list(command)
    else:
        program = Path(os.path.realpath(soffice)).parent.parent
        root = os.geteuid() == 0
        if not root or subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False).returncode != 0:
            pytest.skip("hiding LibreOffice needs a private mount namespace (unshare -m as root)")
        argv = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs coopdocs-no-lo "$0" && exec "$@"', str(program), *command]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_the_default_path_needs_no_libreoffice(tmp_path: Path) -> None:
    """DOCX, PDF (Typst), HTML and Markdown on a machine without LibreOffice; doctor says so."""
    doctor = without_libreoffice(sys.executable, "-m", "coopdocs", "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "PDF engine LibreOffice (optional, --pdf-engine libreoffice: the DOCX as it is): missing" in doctor.stdout
    assert "Everything the default path needs (DOCX, PDF by Typst, HTML, Markdown) is here." in doctor.stdout
    out = tmp_path / "out"
    example = str(ROOT / "examples" / "bereke.yaml")
    args = ("build", example, "--out", str(out), "--format", "docx,pdf,html,md", "--docs", "application")
    args += ("--lang", "ru")
    built = without_libreoffice(sys.executable, "-m", "coopdocs", *args)
    assert built.returncode == 0, built.stdout + built.stderr
    folder = out / "bereke"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"application.ru.{ext}" for ext in ("docx", "html", "md", "pdf")] + ["coopdocs-manifest.json"]
    assert (folder / "application.ru.pdf").read_bytes().startswith(b"%PDF-")
    assert '"pdf_engine": "typst"' in (folder / "coopdocs-manifest.json").read_text(encoding="utf-8")


def test_bootstrap_asks_for_libreoffice_only_when_told() -> None:
    script = str(ROOT / "scripts" / "bootstrap.sh")
    plain = without_libreoffice("bash", script, "--dry-run")
    assert plain.returncode == 0 and plain.stdout.startswith("system packages missing: "), plain.stderr
    assert "libreoffice" not in plain.stdout and "uno" not in plain.stdout
    asked = without_libreoffice("bash", script, "--dry-run", "--with-libreoffice")
    assert asked.returncode == 0, asked.stderr
    assert "libreoffice-writer-nogui" in asked.stdout and "python3-uno" in asked.stdout
    env_asked = without_libreoffice("env", "COOPDOCS_WITH_LIBREOFFICE=1", "bash", script, "--dry-run")
    assert "libreoffice-writer-nogui" in env_asked.stdout
    without = ("env", "COOPDOCS_WITHOUT_LIBREOFFICE=1", "bash", script)
    refused = without_libreoffice(*without, "--dry-run", "--with-libreoffice")
    assert "libreoffice" not in refused.stdout
