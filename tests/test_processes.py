"""Processes coopdocs starts die with it, whatever ends it; a dead, hung or broken LibreOffice is
found in seconds, replaced once with a fresh one, or reported with its real cause.

The signals come at random moments (the seed is printed on failure): while LibreOffice starts,
while it converts. Each run of the CLI carries its own marker in the environment, inherited by
every process it starts, so that only that run's processes are counted (other LibreOffices may
run on the machine)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from coopdocs.writers import pdf
from tests.conftest import kill_all, processes_with, wait_for_no_processes
from tests.support import BEREKE, ROOT

pytestmark = pytest.mark.pdf_engine

RUN_MARKER = "COOPDOCS_TEST_RUN"
FAST_PDF = ["--format", "pdf", "--pdf-engine", "libreoffice", "--docs", "charter,disputes,minutes", "--lang", "ru,kk"]


class Run:
    """A coopdocs command in a process of its own, with a private TMPDIR and a marker."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.marker = uuid.uuid4().hex
        self.tmp = Path(tempfile.mkdtemp(prefix="cdt-"))  # short: LibreOffice's sockets have a length limit
        env = {**os.environ, RUN_MARKER: self.marker, "TMPDIR": str(self.tmp), "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coopdocs", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a terminal of its own: a signal to its group reaches only it
        )

    def alive(self) -> dict[int, str]:
        return processes_with(RUN_MARKER, self.marker)

    def wait_for_libreoffice(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any("soffice" in command for command in self.alive().values()):
                return
            assert self.process.poll() is None, self.process.communicate()
            time.sleep(0.05)
        raise AssertionError(f"no LibreOffice started within {seconds:.0f} s")

    def finish(self, seconds: float = 60.0) -> tuple[int, str]:
        _, stderr = self.process.communicate(timeout=seconds)
        return self.process.returncode, stderr

    def leftovers(self, seconds: float = 10.0) -> dict[int, str]:
        """The run's processes still alive after ``seconds`` (then killed, so nothing stays)."""
        alive = wait_for_no_processes(RUN_MARKER, self.marker, seconds)
        kill_all(alive)
        return alive


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait()
        kill_all(run.alive())
        shutil.rmtree(run.tmp, ignore_errors=True)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    seed = random.randrange(1 << 30)
    request.node.user_properties.append(("seed", seed))
    print(f"random seed: {seed}")
    return random.Random(seed)


EXPECTED = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129, signal.SIGKILL: -9}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_to_a_pdf_build_leaves_no_process_behind(
    tmp_path: Path, runs: list[Run], rng: random.Random, sig: signal.Signals
) -> None:
    out = tmp_path / "out"
    run = Run(["build", str(BEREKE), "--out", str(out), *FAST_PDF], tmp_path)
    runs.append(run)
    run.wait_for_libreoffice()
    time.sleep(rng.uniform(0.0, 2.0))  # LibreOffice starting, or converting
    if sig == signal.SIGINT:
        os.killpg(run.process.pid, sig)  # as Ctrl-C does: to the terminal's whole foreground group
    else:
        run.process.send_signal(sig)  # as kill does
    code, stderr = run.finish()
    assert run.leftovers() == {}
    if code == 0:  # the build finished before the signal: nothing to check but the processes
        return
    assert code == EXPECTED[sig], stderr
    if sig != signal.SIGKILL:
        assert f"interrupted by {sig.name}: stopped and cleaned up" in stderr
        assert not out.exists() or sorted(p.name for p in out.iterdir()) == []  # no staging folder
        assert sorted(p.name for p in run.tmp.iterdir()) == []  # no profile, no conversion folder
    else:
        # kill -9 cannot be caught: each UNO worker removed its LibreOffice's profile itself, and
        # LibreOffice kept its temporary files inside it. The DOCX conversion folder (and a profile
        # whose worker had not started yet) is left to the next run, which removes it (its pid is gone).
        left = sorted(str(p.relative_to(run.tmp)) for p in run.tmp.rglob("*"))
        started = [p for p in left if p.startswith("coopdocs-lo-") and p.endswith(("/soffice.log", "/tmp"))]
        assert started == [], left  # what a started worker (or its LibreOffice) makes is gone
        assert [p for p in left if "/" not in p and not p.startswith("coopdocs-")] == [], left
        tempfile.tempdir, previous = str(run.tmp), tempfile.tempdir
        try:
            pdf.clean_stale_temp()
        finally:
            tempfile.tempdir = previous
        assert sorted(p.name for p in run.tmp.iterdir()) == []


def batch_inputs(tmp_path: Path, count: int) -> list[str]:
    folder = tmp_path / "in"
    folder.mkdir()
    text = BEREKE.read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"coop{i}.yaml").write_text(text, encoding="utf-8")
    return [str(p) for p in sorted(folder.iterdir())]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_to_the_batch_parent_stops_its_workers_and_converters(
    tmp_path: Path, runs: list[Run], rng: random.Random, sig: signal.Signals
) -> None:
    signal_the_batch(tmp_path, runs, rng, sig)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(24))
def test_many_signals_to_the_batch_parent_never_hang_it(
    tmp_path: Path, runs: list[Run], rng: random.Random, round_: int
) -> None:
    """A signal raised inside concurrent.futures' locking once left a pool that never shut down
    (1 run in a few hundred): the same run many times, at random moments."""
    signal_the_batch(tmp_path, runs, rng, (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)[round_ % 3])


def signal_the_batch(tmp_path: Path, runs: list[Run], rng: random.Random, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    inputs = batch_inputs(tmp_path, 4)
    args = ["batch", *inputs, "--out", str(out), "-j", "2", "--format", "pdf", "--pdf-engine", "libreoffice"]
    args += ["--docs", "disputes,minutes"]
    run = Run([*args, "--lang", "ru"], tmp_path)
    runs.append(run)
    run.wait_for_libreoffice()
    time.sleep(rng.uniform(0.0, 1.5))
    if sig == signal.SIGINT:
        os.killpg(run.process.pid, sig)  # Ctrl-C: to the whole group; the parent decides, workers finish
    else:
        run.process.send_signal(sig)  # to the parent only: the workers must follow it
    code, stderr = run.finish()
    assert run.leftovers() == {}
    if code == 0:
        return
    assert code == EXPECTED[sig], stderr
    if sig != signal.SIGKILL:
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["interrupted"] is True and report["interrupted_by"] == sig.name
        assert report["exit_code"] == EXPECTED[sig]
        statuses = [item["status"] for item in report["items"]]
        assert set(statuses) <= {"ok", "cancelled"}
        if sig == signal.SIGINT:  # the items running at Ctrl-C finish (maybe all four)
            assert "ok" in statuses, statuses
        elif set(statuses) != {"ok"}:  # SIGTERM, SIGHUP: the running items stop too (unless all were done)
            assert "cancelled" in statuses, statuses
        for item in report["items"]:  # a finished item has its folder, a cancelled one none
            assert (item["slug"] is not None) == (item["status"] == "ok")
        assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


@pytest.fixture(scope="module")
def docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docx")
    result = CliRunner().invoke(main, ["build", str(BEREKE), "--out", str(out), "--docs", "charter", "--lang", "ru"])
    assert result.exit_code == 0, result.stderr
    return out / "bereke" / "charter.ru.docx"


def pdf_ok(path: Path) -> bool:
    return path.is_file() and path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 10_000


def during_conversion(converter: pdf.Converter, action: Callable[[int], None], delay: float) -> threading.Thread:
    """Do ``action(soffice pid)`` ``delay`` seconds into the next conversion."""
    pid = converter.soffice_pid
    assert pid is not None

    def later() -> None:
        time.sleep(delay)
        action(pid)

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def test_a_libreoffice_killed_mid_document_is_replaced_and_the_pdf_made(
    docx: Path, tmp_path: Path, rng: random.Random
) -> None:
    """Killed again and again at random moments, the converter always delivers the PDF."""
    with pdf.Converter() as converter:
        for attempt in range(3):
            before = converter.restarts
            killed = during_conversion(converter, lambda pid: os.killpg(pid, signal.SIGKILL), rng.uniform(0.0, 0.3))
            target = tmp_path / f"{attempt}.pdf"
            converter.convert(docx, target)
            killed.join()
            assert pdf_ok(target)
            assert converter.restarts - before <= 1
        assert converter.restarts >= 1
        # a dead LibreOffice is noticed at once (its calls fail), not as a hang after a wait
        assert not [p for p in converter.problems if "heartbeat" in p or "did not finish" in p]
        for name in os.listdir(tmp_path):
            assert name.endswith(".pdf"), name  # no lock file, no partial file beside the targets


def test_libreoffice_dies_with_its_uno_worker(docx: Path, tmp_path: Path) -> None:
    """``kill -9`` of the worker alone: the kernel kills LibreOffice (PR_SET_PDEATHSIG)."""
    with pdf.Converter() as converter:
        assert converter.worker is not None and converter.soffice_pid is not None
        soffice = converter.soffice_pid
        converter.worker.kill()
        converter.worker.wait()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{soffice}").exists() and pdf._state(soffice) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{soffice}").exists() or pdf._state(soffice) == "Z"
        converter.convert(docx, tmp_path / "a.pdf")  # and a new one takes over
        assert converter.restarts == 1
    assert pdf_ok(tmp_path / "a.pdf")


def test_a_stale_lock_file_beside_the_target_does_not_break_the_export(docx: Path, tmp_path: Path) -> None:
    """A LibreOffice killed while it wrote leaves `.~lock.<name>#` beside its file."""
    (tmp_path / ".~lock.charter.pdf#").write_text(",someone,host,01.01.2026 00:00,file:///tmp/x;\n")
    with pdf.Converter() as converter:
        converter.convert(docx, tmp_path / "charter.pdf")
        assert converter.restarts == 0
    assert pdf_ok(tmp_path / "charter.pdf")


def test_a_stopped_libreoffice_is_found_by_the_heartbeat_and_replaced(docx: Path, tmp_path: Path) -> None:
    with pdf.Converter() as converter:
        stopped = during_conversion(converter, lambda pid: os.kill(pid, signal.SIGSTOP), 0.05)
        started = time.monotonic()
        converter.convert(docx, tmp_path / "a.pdf")
        took = time.monotonic() - started
        stopped.join()
        assert converter.restarts == 1
        assert converter.problems == [
            f"LibreOffice was stopped (SIGSTOP): no answer to its heartbeat for over {pdf.HUNG_AFTER:.0f} s"
        ]
    assert pdf_ok(tmp_path / "a.pdf")
    # Not a timing test: the bound is ten times the heartbeat's limit; the old converter only
    # gave up after its 120-second per-document timeout.
    assert took < 60, took


def test_a_soffice_that_fails_at_start_is_reported_at_once_with_its_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'soffice: cannot open the user profile (simulated)' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["build", str(BEREKE), "--out", str(tmp_path / "out"), "--format", "pdf", "--pdf-engine", "libreoffice"]
    )
    took = time.monotonic() - started
    assert result.exit_code == 3
    assert (
        f"error: LibreOffice could not start: LibreOffice ({fake}) exited with code 1 at start: "
        "soffice: cannot open the user profile (simulated)"
    ) in result.stderr
    assert "apt-get install" not in result.stderr  # it is installed: the hint must not say otherwise
    assert not (tmp_path / "out").exists()
    assert took < 30, took  # the old converter waited for its 90-second start timeout


def test_clean_stale_temp_removes_only_folders_of_dead_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(dead.stdout)
    names = {
        f"coopdocs-lo-{gone}-abc": False,
        f"coopdocs-convert-{gone}-abc": False,
        f"coopdocs-lo-{os.getpid()}-abc": True,  # this process's own
        f"coopdocs-lo-{os.getppid()}-abc": True,  # a live process's
        f"coopdocs-other-{gone}-abc": True,  # not a kind coopdocs makes
        "coopdocs-lo-notapid": True,
        f"mine-{gone}": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
    pdf.clean_stale_temp()
    assert {name: (tmp_path / name).exists() for name in names} == names
