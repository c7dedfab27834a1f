"""DOCX -> PDF with LibreOffice, and DOCX -> HTML / Markdown with pandoc.

One LibreOffice process is kept alive for all the documents of a run and driven over UNO by a
small worker (``unoworker.py``) that runs under the system Python, where ``python3-uno`` lives.
Each converter has its own LibreOffice profile, so parallel converters do not clash. Every
conversion is checked: the PDF must exist and be non-empty. A hung or crashed LibreOffice is
restarted once; a second failure is an error that says what happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
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


class Converter:
    """A persistent LibreOffice converter. Use as a context manager."""

    def __init__(self, timeout: float = 120.0, startup_timeout: float = 90.0) -> None:
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.soffice: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[str] | None = None
        self.profile: Path | None = None
        self.converted = 0
        self.restarts = 0

    def __enter__(self) -> Converter:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        soffice, python = require_engine()
        self.profile = Path(tempfile.mkdtemp(prefix="coopdocs-lo-"))
        write_profile_settings(self.profile)
        pipe = f"coopdocs-{uuid.uuid4().hex}"
        self.soffice = subprocess.Popen(
            [
                soffice,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
                f"-env:UserInstallation={self.profile.as_uri()}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.worker = subprocess.Popen(
            [python, str(WORKER), pipe, str(self.startup_timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        ready = self._answer(self.startup_timeout)
        if not ready or not ready.get("ready"):
            self.close()
            raise OutputError("LibreOffice did not start", hint=INSTALL_HINT)

    def _answer(self, timeout: float) -> dict[str, object] | None:
        assert self.worker is not None and self.worker.stdout is not None
        readable, _, _ = select.select([self.worker.stdout], [], [], timeout)
        if not readable:
            return None
        line = self.worker.stdout.readline()
        if not line:
            return None
        answer: dict[str, object] = json.loads(line)
        return answer

    def _once(self, src: Path, dst: Path, pdfa: bool) -> str | None:
        """Convert; None on success, else what went wrong."""
        if (
            self.worker is None
            or self.worker.poll() is not None
            or self.soffice is None
            or self.soffice.poll() is not None
        ):
            return "LibreOffice is not running"
        assert self.worker.stdin is not None
        try:
            self.worker.stdin.write(json.dumps({"src": str(src), "dst": str(dst), "pdfa": pdfa}) + "\n")
            self.worker.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            return f"LibreOffice stopped answering ({exc})"
        answer = self._answer(self.timeout)
        if answer is None:
            return f"LibreOffice did not finish within {self.timeout:.0f} s"
        if not answer.get("ok"):
            return str(answer.get("error"))
        if not dst.is_file() or dst.stat().st_size == 0:
            return "LibreOffice reported success but wrote no PDF"
        return None

    def convert(self, src: Path, dst: Path, *, pdfa: bool = False) -> None:
        problem = self._once(src, dst, pdfa)
        if problem is not None:
            self.close()
            self.restarts += 1
            self.start()
            problem = self._once(src, dst, pdfa)
        if problem is not None:
            raise OutputError(f"could not convert {src.name} to PDF after a restart: {problem}", hint=INSTALL_HINT)
        self.converted += 1

    def close(self) -> None:
        if self.worker is not None:
            if self.worker.stdin is not None:
                with contextlib.suppress(OSError):
                    self.worker.stdin.close()
            _stop(self.worker)
            if self.worker.stdout is not None:
                self.worker.stdout.close()
            self.worker = None
        if self.soffice is not None:
            group = self.soffice.pid  # started in a session of its own: the group holds soffice.bin too
            _stop(self.soffice)
            _stop_group(group)
            self.soffice = None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _stop_group(group: int, grace: float = 5.0) -> None:
    """End every process of a group: the ``soffice`` launcher forks ``soffice.bin``, which would
    otherwise outlive the converter (orphaned, holding its profile)."""
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
                    self._starting.result()
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
    with ThreadPoolExecutor(workers) as running:
        list(running.map(lambda pair: converter.convert(pair[0], pair[1], pdfa=pdfa), pairs))
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
    return str(text).encode("utf-8")


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
