"""Suite-wide hooks.

- The compiled-template cache goes to a folder of this session (``COOPDOCS_CACHE_DIR``), removed at
  the end: the suite never writes to the user's ``~/.cache``.
- Tests marked ``pdf_engine`` skip, with the reason, where LibreOffice is missing.
- No process left behind: every process the suite starts (LibreOffice, UNO workers, batch workers,
  CLI runs) inherits ``COOPDOCS_TEST_SESSION=<uuid>`` from the environment. At the end of the
  session any live process that carries this session's marker is an orphan the suite caused: it is
  killed, listed, and the session fails. Processes of other runs (other sessions, other users of
  LibreOffice on the machine) carry another marker or none and are not counted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest

PDF_ENGINE_MARKER = "pdf_engine: needs LibreOffice (soffice) and its Python bridge (python3-uno); skipped without them"
SESSION_MARKER = "COOPDOCS_TEST_SESSION"
CACHE_VARIABLE = "COOPDOCS_CACHE_DIR"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", PDF_ENGINE_MARKER)
    os.environ[SESSION_MARKER] = uuid.uuid4().hex  # fresh, also in a session started by a test
    os.environ[CACHE_VARIABLE] = tempfile.mkdtemp(prefix="coopdocs-test-cache-")  # inherited by every process


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = os.environ.get(CACHE_VARIABLE, "")
    if Path(folder).name.startswith("coopdocs-test-cache-"):
        shutil.rmtree(folder, ignore_errors=True)


def pdf_engine_missing() -> str | None:
    """Why the PDF engine cannot run here (the same checks `coopdocs build --format pdf` makes), or None."""
    from coopdocs.writers import pdf

    if pdf.find_soffice() is None:
        missing = "LibreOffice (soffice) is not installed"
    elif pdf.find_uno_python() is None:
        missing = "LibreOffice's Python bridge (python3-uno) is not installed"
    else:
        return None
    return f"no PDF engine: {missing}; {pdf.INSTALL_HINT} (or run scripts/bootstrap.sh --with-libreoffice)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("pdf_engine")]
    if not marked:
        return
    reason = pdf_engine_missing()
    if reason is None:
        return
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=reason))


def processes_with(name: str, value: str) -> dict[int, str]:
    """Live processes whose environment holds ``name=value``: pid -> command line."""
    needle = f"{name}={value}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text(errors="replace").rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError):
            continue
        if state != "Z":  # a zombie has already ended; its parent only has not collected it yet
            found[int(entry.name)] = command
    return found


def wait_for_no_processes(name: str, value: str, seconds: float) -> dict[int, str]:
    """Poll until no process carries the marker; what is still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        alive = processes_with(name, value)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def kill_all(pids: dict[int, str]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not Path("/proc/self/environ").exists():
        return
    orphans = wait_for_no_processes(SESSION_MARKER, os.environ[SESSION_MARKER], 15.0)
    if not orphans:
        return
    kill_all(orphans)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"{len(orphans)} process(es) started by this test session outlived it (now killed):"]
    lines += [f"  {pid}: {command[:200]}" for pid, command in sorted(orphans.items())]
    if reporter is not None:
        reporter.write_line("\n".join(lines), red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
