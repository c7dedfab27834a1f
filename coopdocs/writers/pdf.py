"""DOCX -> PDF with LibreOffice, and DOCX -> HTML / Markdown with pandoc (only for `amend`'s redline:
build writes HTML and Markdown from the document tree, ``htmlwriter``).

One LibreOffice process is kept alive for all the documents of a run and driven over UNO by a
small worker (``unoworker.py``) that runs under the system Python, where ``python3-uno`` lives.
Each converter has its own LibreOffice profile, so parallel converters do not clash. Every
conversion is checked: the PDF must exist and be non-empty. A hung or crashed LibreOffice is
restarted once with a fresh profile; a second failure is an error that says what happened.
LibreOffice and its worker die with the process that started them, however it ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TextIO

from coopdocs import interrupts
from coopdocs.errors import OutputError

INSTALL_HINT = (
    "install LibreOffice and the UNO bridge: apt-get install libreoffice-writer-nogui python3-uno fonts-liberation2"
)
WORKER = Path(__file__).resolve().with_name("unoworker.py")

# LibreOffice settings written into each converter's private profile before it starts. While a
# document is open, Writer's main thread collects words for autocompletion, checks spelling and
# grammar and looks for smart tags: work for an editor, not for a converter. perf showed it taking
# ~40 % of soffice.bin's samples; turning it off cut the CPU per document by 15-20 % (bench/).
PROFILE_SETTINGS = (
    ("/org.openoffice.Office.Writer/AutoFunction/Completion", "Enable", "false"),
    ("/org.openoffice.Office.Writer/AutoFunction/Completion", "CollectWords", "false"),
    ("/org.openoffice.Office.Linguistic/SpellChecking", "IsSpellAuto", "false"),
    ("/org.openoffice.Office.Linguistic/GrammarChecking", "IsAutoCheck", "false"),
    ("/org.openoffice.Office.Common/SmartTags/Writer", "RecognizeSmartTags", "false"),
)


def write_profile_settings(profile: Path) -> None:
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
        for path, name, value in PROFILE_SETTINGS
    )
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n",
        encoding="utf-8",
    )


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    fallback = Path("/usr/lib/libreoffice/program/soffice")
    return str(fallback) if fallback.exists() else None


@cache
def find_uno_python() -> str | None:
    """A Python interpreter that can ``import uno`` (Debian's python3 with python3-uno)."""
    candidates = ["/usr/bin/python3", "/usr/lib/libreoffice/program/python", shutil.which("python3") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30, check=False)
            if probe.returncode == 0:
                return candidate
    return None


def require_engine() -> tuple[str, str]:
    soffice = find_soffice()
    if soffice is None:
        raise OutputError("no PDF engine: LibreOffice (soffice) is not installed", hint=INSTALL_HINT)
    python = find_uno_python()
    if python is None:
        raise OutputError(
            "no PDF engine: LibreOffice's Python bridge (python3-uno) is not installed", hint=INSTALL_HINT
        )
    return soffice, python


HEARTBEAT = 1.0  # seconds between pings while a conversion runs
HUNG_AFTER = 6.0  # no answer to any ping for this long: LibreOffice is hung (or stopped)
ENGINE_HINT = "LibreOffice is installed but failed; `coopdocs doctor` checks it, and running again usually helps"


def _temp_dir(kind: str) -> Path:
    """A private temporary folder ``coopdocs-<kind>-<pid>-XXXX``: the pid lets a later run remove
    the ones a killed run left behind (``clean_stale_temp``)."""
    return Path(tempfile.mkdtemp(prefix=f"coopdocs-{kind}-{os.getpid()}-"))


def clean_stale_temp() -> list[Path]:
    """Remove the temporary folders (LibreOffice profiles, conversion folders) of coopdocs runs
    that no longer exist: only ``coopdocs-lo-<pid>-*`` and ``coopdocs-convert-<pid>-*`` whose
    process is gone. A killed run's worker removes its profile itself; this catches the rest."""
    removed: list[Path] = []
    base = Path(tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        parts = entry.name.split("-")
        if len(parts) < 4 or parts[0] != "coopdocs" or parts[1] not in ("lo", "convert") or not parts[2].isdigit():
            continue
        if int(parts[2]) == os.getpid() or Path(f"/proc/{parts[2]}").exists() or not entry.is_dir():
            continue
        if entry.is_symlink() or entry.stat().st_uid != os.getuid():
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


class Converter:
    """A persistent LibreOffice converter. Use as a context manager.

    The worker (``unoworker.py``) starts LibreOffice and dies with this process; LibreOffice dies
    with the worker. While a document converts, the converter pings LibreOffice every second; no
    answer for ``hung_after`` seconds, or no PDF after ``timeout`` seconds, means it is hung: its
    process group is killed and a fresh LibreOffice (with a fresh profile) converts the document
    again, once. Each PDF is written into a private folder and then moved to its place."""

    def __init__(self, timeout: float = 120.0, startup_timeout: float = 60.0, hung_after: float = HUNG_AFTER) -> None:
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.hung_after = hung_after
        self.worker: subprocess.Popen[str] | None = None
        self.soffice_pid: int | None = None  # soffice.bin, the leader of its own process group
        self.profile: Path | None = None
        self.converted = 0
        self.restarts = 0
        self.problems: list[str] = []  # what went wrong, one line each (restarts and failures)
        self._answers: queue.Queue[dict[str, object] | None] = queue.Queue()
        self._aborted = False
        self._pings = 0
        self._pipe: str | None = None

    def __enter__(self) -> Converter:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        soffice, python = require_engine()
        if self._aborted:
            raise OutputError("the PDF conversion was interrupted")
        clean_stale_temp()
        self.profile = _temp_dir("lo")
        write_profile_settings(self.profile)
        pipe = f"coopdocs-{uuid.uuid4().hex}"
        self._pipe = pipe
        answers: queue.Queue[dict[str, object] | None] = queue.Queue()
        self._answers = answers
        with open(self.profile / "worker.log", "wb") as log:
            self.worker = subprocess.Popen(
                [python, str(WORKER), soffice, str(self.profile), pipe, str(self.startup_timeout)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
            )
        assert self.worker.stdout is not None
        threading.Thread(target=_read_answers, args=(self.worker.stdout, answers), daemon=True).start()
        ready = self._wait_ready(answers)
        if ready is None:
            ready = {"ready": False, "error": f"the UNO worker exited at start{self._worker_log()}"}
        if not ready.get("ready"):
            problem = str(ready.get("error"))
            self.problems.append(problem)
            self.close()
            raise OutputError(f"LibreOffice could not start: {problem}", hint=ENGINE_HINT)
        pid = ready.get("pid")
        self.soffice_pid = pid if isinstance(pid, int) else None

    def _wait_ready(self, answers: queue.Queue[dict[str, object] | None]) -> dict[str, object] | None:
        deadline = time.monotonic() + self.startup_timeout + 5  # the worker itself gives up first
        while not self._aborted:
            try:
                return answers.get(timeout=0.2)
            except queue.Empty:
                if time.monotonic() > deadline:
                    return {"ready": False, "error": f"LibreOffice did not start within {self.startup_timeout:.0f} s"}
        return {"ready": False, "error": "interrupted while LibreOffice was starting"}

    def _worker_log(self) -> str:
        if self.profile is None:
            return ""
        try:
            text = (self.profile / "worker.log").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        return f": {text.splitlines()[-1][-300:]}" if text else ""

    def _send(self, message: dict[str, object]) -> str | None:
        worker = self.worker
        if worker is None or worker.stdin is None:
            return "LibreOffice is not running"
        try:
            worker.stdin.write(json.dumps(message) + "\n")
            worker.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            return f"the UNO worker stopped ({exc})"
        return None

    def _stopped(self) -> bool:
        return self.soffice_pid is not None and _state(self.soffice_pid) == "T"

    def _once(self, src: Path, dst: Path, pdfa: bool) -> str | None:
        """Convert; None on success, else what went wrong."""
        if self.worker is None or self.worker.poll() is not None:
            return "LibreOffice is not running"
        answers = self._answers
        while not answers.empty():  # pongs left from an earlier document
            answers.get_nowait()
        with tempfile.TemporaryDirectory(prefix="pdf-", dir=self.profile) as private:
            # A private folder: nothing beside the target (a stale `.~lock.<name>.pdf#` of a killed
            # LibreOffice, another converter's file) can make the export fail.
            made = Path(private) / dst.name
            problem = self._send({"src": str(src), "dst": str(made), "pdfa": pdfa})
            if problem is not None:
                return problem
            problem = self._wait(answers)
            if problem is not None:
                return problem
            if not made.is_file() or made.stat().st_size == 0:
                return "LibreOffice reported success but wrote no PDF"
            shutil.move(str(made), dst)
        return None

    def _wait(self, answers: queue.Queue[dict[str, object] | None]) -> str | None:
        """Wait for the answer to the request sent, pinging LibreOffice meanwhile."""
        started = heard = next_ping = time.monotonic()
        while True:
            now = time.monotonic()
            if self._aborted:
                return "interrupted"
            if now - started > self.timeout:
                return f"LibreOffice did not finish the document within {self.timeout:.0f} s"
            if now - heard > self.hung_after:
                how = "was stopped (SIGSTOP)" if self._stopped() else "stopped answering"
                return f"LibreOffice {how}: no answer to its heartbeat for over {self.hung_after:.0f} s"
            if now >= next_ping:
                self._pings += 1
                if self._send({"ping": self._pings}) is not None:
                    return f"the UNO worker exited{self._worker_log()}"
                next_ping = now + HEARTBEAT
            try:
                answer = answers.get(timeout=max(0.05, min(next_ping - now, 0.5)))
            except queue.Empty:
                continue
            if answer is None:
                return f"the UNO worker exited{self._worker_log()}"
            if "pong" in answer:
                if answer.get("dead"):
                    return f"LibreOffice died ({answer['dead']})"
                heard = time.monotonic()
                continue
            if not answer.get("ok"):
                return str(answer.get("error"))
            return None

    def convert(self, src: Path, dst: Path, *, pdfa: bool = False) -> None:
        problem = self._once(src, dst, pdfa)
        if problem is not None and not self._aborted:
            self.problems.append(problem)
            self._kill()  # a LibreOffice that failed gets no grace: it is being replaced
            self.close()
            self.restarts += 1
            self.start()  # a fresh LibreOffice with a fresh profile
            problem = self._once(src, dst, pdfa)
        if self._aborted:
            raise OutputError("the PDF conversion was interrupted")
        if problem is not None:
            self.problems.append(problem)
            raise OutputError(
                f"could not convert {src.name} to PDF, even with a fresh LibreOffice: {problem} "
                f"(first attempt: {self.problems[-2]})",
                hint=ENGINE_HINT,
            )
        self.converted += 1

    def abort(self) -> None:
        """Stop at once (from another thread, on a signal): kill LibreOffice; waits end, no restart."""
        self._aborted = True
        self._kill()

    def _kill(self) -> None:
        if self.soffice_pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.soffice_pid, signal.SIGKILL)

    def close(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            if worker.stdin is not None:
                with contextlib.suppress(OSError, ValueError):
                    worker.stdin.close()  # the worker ends LibreOffice and exits
            try:
                worker.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.kill()  # LibreOffice gets SIGKILL with it (PR_SET_PDEATHSIG)
                worker.wait(timeout=10)
            if worker.stdout is not None:
                with contextlib.suppress(OSError, ValueError):
                    worker.stdout.close()
        if self.soffice_pid is not None:
            _stop_group(self.soffice_pid, grace=2.0)
            self.soffice_pid = None
        if self._pipe is not None:  # the socket a killed LibreOffice leaves (always in /tmp)
            with contextlib.suppress(OSError):
                (Path("/tmp") / f"OSL_PIPE_{os.getuid()}_{self._pipe}").unlink(missing_ok=True)
            self._pipe = None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


def _read_answers(stream: TextIO, answers: queue.Queue[dict[str, object] | None]) -> None:
    """The worker's answers, one JSON line each, into a queue; None at the end."""
    try:
        for line in stream:
            with contextlib.suppress(ValueError):
                answers.put(json.loads(line))
    except (OSError, ValueError):
        pass
    answers.put(None)


def _state(pid: int) -> str:
    """The state letter of a process from /proc (``T``: stopped), or ``""``."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _stop_group(group: int, grace: float = 5.0) -> None:
    """End every process of a group (LibreOffice is the leader of its own)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.05)


class ConverterPool:
    """Several persistent converters used side by side, one document each at a time.

    LibreOffice lays out one document at a time on one core; on a machine with more cores a build's
    documents convert in parallel. Each converter has its own process and profile."""

    def __init__(self, size: int | None = None, timeout: float = 120.0) -> None:
        self.size = max(1, size if size is not None else min(os.cpu_count() or 1, 4))
        self.converters = [Converter(timeout=timeout) for _ in range(self.size)]
        self.idle: queue.Queue[Converter] = queue.Queue()
        self._starting: Future[None] | None = None
        self._ready = False
        self._lock = threading.Lock()  # convert_all's threads may all call ready() at once

    def begin(self) -> ConverterPool:
        """Start LibreOffice in the background (about 1.4 s), e.g. while the DOCX are rendered;
        the first ``convert`` (or ``ready``) waits for it. A missing engine is reported at once."""
        require_engine()
        with self._lock:
            if self._starting is None:
                background = ThreadPoolExecutor(1)
                self._starting = background.submit(self._start_all)
                background.shutdown(wait=False)
        return self

    def _start_all(self) -> None:
        with ThreadPoolExecutor(self.size) as starting:
            list(starting.map(lambda c: c.start(), self.converters))

    def ready(self) -> ConverterPool:
        self.begin()
        with self._lock:
            if not self._ready:
                assert self._starting is not None
                try:
                    interrupts.result(self._starting)
                except BaseException:
                    self.close()
                    raise
                for converter in self.converters:
                    self.idle.put(converter)
                self._ready = True
        return self

    def __enter__(self) -> ConverterPool:
        return self.ready()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def convert(self, src: Path, dst: Path, *, pdfa: bool = False) -> None:
        self.ready()
        converter = self.idle.get()
        try:
            converter.convert(src, dst, pdfa=pdfa)
        finally:
            self.idle.put(converter)

    @property
    def converted(self) -> int:
        return sum(c.converted for c in self.converters)

    @property
    def restarts(self) -> int:
        return sum(c.restarts for c in self.converters)

    def abort(self) -> None:
        """Stop every converter at once (on a signal), also those still starting; see ``Converter.abort``."""
        for converter in self.converters:
            converter.abort()

    def close(self) -> None:
        if self._starting is not None:
            with contextlib.suppress(BaseException):
                self._starting.result()  # a converter still starting would outlive the pool
        for converter in self.converters:
            converter.close()


def convert_all(converter: Converter | ConverterPool, docx_files: Sequence[Path], *, pdfa: bool = False) -> list[Path]:
    """Convert every file (in parallel with a pool); the PDFs written are counted against the files."""
    pdfs = [src.with_suffix(".pdf") for src in docx_files]
    workers = converter.size if isinstance(converter, ConverterPool) else 1
    # Longest first, so that a pool does not end waiting on one converter with the commentary.
    pairs = sorted(zip(docx_files, pdfs, strict=True), key=lambda pair: pair[0].stat().st_size, reverse=True)
    running = ThreadPoolExecutor(workers)
    try:
        futures = [running.submit(converter.convert, src, dst, pdfa=pdfa) for src, dst in pairs]
        for future in futures:
            interrupts.result(future)
    except BaseException:
        converter.abort()  # an error or a signal: the other conversions stop now, not in minutes
        raise
    finally:
        running.shutdown(wait=True, cancel_futures=True)
    missing = [p.name for p in pdfs if not p.is_file()]
    if missing:
        raise OutputError(f"{len(missing)} of {len(pdfs)} PDFs are missing: {', '.join(missing)}")
    return pdfs


def pandoc_convert(src: Path, fmt: str, title: str, lang: str) -> bytes:
    """DOCX -> standalone HTML or Markdown, with pandoc from pypandoc-binary."""
    import pypandoc

    target = {"html": "html5", "md": "gfm"}[fmt]
    args = ["--standalone", "--quiet", f"--metadata=title:{title}", f"--metadata=lang:{lang}"]
    try:
        text = pypandoc.convert_file(str(src), target, format="docx", extra_args=args)
    except (OSError, RuntimeError) as exc:
        raise OutputError(
            f"pandoc could not convert {src.name} to {fmt}: {exc}",
            hint="reinstall pypandoc-binary: .venv/bin/pip install pypandoc-binary",
        ) from exc
    return _inline_media(str(text), src).encode("utf-8")


_MEDIA = re.compile(r"media/(image\d+\.(png|jpe?g|gif))")


def _inline_media(text: str, src: Path) -> str:
    """pandoc refers to the DOCX's pictures (the compliance report's charts) as ``media/imageN.png``,
    files it does not write: put each picture into the page itself as a data URI."""
    if "media/image" not in text:
        return text
    import base64
    import zipfile

    with zipfile.ZipFile(src) as archive:
        names = set(archive.namelist())

        def data_uri(match: re.Match[str]) -> str:
            member = f"word/media/{match.group(1)}"
            if member not in names:
                return match.group(0)
            kind = "jpeg" if match.group(2).startswith("j") else match.group(2)
            return f"data:image/{kind};base64,{base64.b64encode(archive.read(member)).decode('ascii')}"

        return _MEDIA.sub(data_uri, text)


def soffice_cli_convert(docx_files: Sequence[Path], outdir: Path) -> list[Path]:
    """The naive path, one soffice process per file; kept for the benchmark's baseline."""
    soffice, _ = require_engine()
    profile = Path(tempfile.mkdtemp(prefix="coopdocs-lo-cli-"))
    try:
        for src in docx_files:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    str(src),
                ],
                capture_output=True,
                timeout=300,
                check=False,
                env={**os.environ, "HOME": str(profile)},
            )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return [outdir / (src.stem + ".pdf") for src in docx_files]
