"""Batch: many inputs -> one ``OUT/<slug>/`` each, in a pool of worker processes.

Each worker builds its inputs with the same stages as ``coopdocs build`` (``build_one``) and keeps
one persistent PDF converter, started on its first PDF and closed when the worker exits. Workers
return the finished outputs; only the parent writes, in input order. Folder names are planned
before the run and do not depend on the order of the inputs (``unique_slugs``: a slug shared by
several inputs gets a suffix from each input file's path). A failed item writes nothing, and an
interrupted run leaves only complete folders. This module never prints: it reports progress
through a callback and returns the results.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import stat
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopdocs import __version__, interrupts
from coopdocs.commands.build import Options
from coopdocs.errors import CoopdocsError, InputError, TemplateError, UsageError, save_traceback

if TYPE_CHECKING:
    from coopdocs.writers.manifest import Output
    from coopdocs.writers.pdf import Converter

REPORT = "report.json"
SUFFIXES = (".yaml", ".yml")
# Item statuses. "ok" and "draft" wrote a folder; every other status wrote nothing.
OK, DRAFT, INVALID, FAILED, CRASHED, CANCELLED = "ok", "draft", "invalid", "failed", "crashed", "cancelled"


@dataclass(frozen=True)
class BatchOptions(Options):
    """``build``'s options, the same for every input, and the language of the diagnostics."""

    msg_lang: str = "en"
    overwrite_edited: bool = False  # --overwrite-edited: outputs may replace files edited since
    force: bool = False  # --force: also replace another cooperative's documents

    @classmethod
    def of(
        cls, options: Options, msg_lang: str, *, overwrite_edited: bool = False, force: bool = False
    ) -> BatchOptions:
        return cls(
            **{f.name: getattr(options, f.name) for f in fields(options)},
            msg_lang=msg_lang,
            overwrite_edited=overwrite_edited,
            force=force,
        )


@dataclass(frozen=True)
class ItemResult:
    """What happened to one input; the rows of the summary and of ``report.json``."""

    index: int
    input: str
    status: str
    slug: str | None = None  # the folder written under OUT, or None when nothing was written
    errors: int = 0
    warnings: int = 0
    red_flags: int = 0
    documents: tuple[str, ...] = ()
    duration: float = 0.0
    message: str = ""  # why it failed (one line), empty on success
    diagnostics: tuple[dict[str, Any], ...] = ()  # every diagnostic, as in `validate --format json`
    diagnostics_text: tuple[str, ...] = ()  # the same, formatted as `coopdocs validate` prints them
    traceback: str | None = None  # the saved traceback file of a crash
    name: dict[str, str] | None = None  # the cooperative's name by language (None when unreadable)

    @property
    def written(self) -> bool:
        return self.status in (OK, DRAFT)


@dataclass(frozen=True)
class Produced:
    """A built item before it is written: the result, its outputs and the manifest's info."""

    result: ItemResult
    base_slug: str | None = None
    outputs: tuple[Output, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)
    traceback_text: str | None = None


@dataclass(frozen=True)
class Progress:
    """Sent to the progress callback after every finished item."""

    total: int
    done: int
    failed: int
    running: tuple[str, ...]
    last: ItemResult | None

    @property
    def remaining(self) -> int:
        return self.total - self.done


@dataclass(frozen=True)
class BatchReport:
    items: tuple[ItemResult, ...]
    out: Path
    jobs: int
    duration: float
    interrupted: bool = False
    interrupted_by: str | None = None  # SIGINT, SIGTERM or SIGHUP

    @property
    def exit_code(self) -> int:
        """0 all built; 123 an item crashed; else 3 an output could not be produced; else 1.
        Interrupted: 128 + the signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP)."""
        if self.interrupted:
            return 128 + signal.Signals[self.interrupted_by or "SIGINT"].value
        statuses = {item.status for item in self.items}
        if CRASHED in statuses:
            return 123
        if any(item.status == FAILED and item.message.startswith("output:") for item in self.items):
            return 3
        return 1 if statuses - {OK, DRAFT} else 0

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.status] = counts.get(item.status, 0) + 1
        return counts


# ---------------------------------------------------------------------------------------------
# Inputs


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as their ``*.yaml`` / ``*.yml`` files in name order; no repeats."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
            if not files:
                raise UsageError.said("folder_without_yaml", path=path)
        elif path.is_file():
            files = [path]
        else:
            raise UsageError.said("no_path", path=path)
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(file)
    if not found:
        raise UsageError.said("no_input")
    return found


def free_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... : the first name not yet taken."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def suffixed(base: str, key: str) -> str:
    """``<slug>-<the first 8 hex digits of the input's path key>``."""
    return f"{base}-{key[:8]}"


def unique_slugs(
    base_slugs: Sequence[str | None], keys: Sequence[str], owners: Mapping[str, str | None] | None = None
) -> list[str | None]:
    """Folder names that do not depend on the order of the inputs.

    ``keys`` are the inputs' path keys (``manifest.path_key``: the SHA-256 of the resolved path);
    ``owners`` maps a folder name to the path key its manifest records (the input it was written
    from), for the folders that exist in OUT. An input goes to the folder written from it before
    (``<slug>`` or ``<slug>-<key>``); otherwise ``<slug>`` if no other input of the run has the same
    slug and ``OUT/<slug>/`` was not written from another input file; otherwise
    ``<slug>-<first 8 hex digits of its key>``."""
    owners = owners or {}
    groups: dict[str, list[int]] = {}
    for index, base in enumerate(base_slugs):
        if base is not None:
            groups.setdefault(base, []).append(index)
    names: list[str | None] = [None] * len(base_slugs)
    for base, members in groups.items():
        owner = owners.get(base)
        shared = len({keys[i] for i in members}) > 1
        for index in members:
            key = keys[index]
            if owner == key:
                names[index] = base
            elif owners.get(suffixed(base, key)) == key or owner is not None or shared:
                names[index] = suffixed(base, key)
            else:
                names[index] = base
    # A suffixed name could still equal another input's slug (only by an unlikely coincidence of
    # names): plain names win, then the suffixed ones in key order, never in input order.
    taken: set[str] = set()
    named = [(name != base_slugs[i], keys[i], i, name) for i, name in enumerate(names) if name is not None]
    for _, _, index, name in sorted(named):
        if name in taken:
            name = free_name(name, taken)
            names[index] = name
        taken.add(name)
    return names


PLAN_READ_LIMIT = 1 << 20  # larger inputs are not read ahead (the build reports them), see planned_slug


def planned_slug(path: Path) -> str | None:
    """The slug an input's folder will have (its cooperative's name), read before it is built.

    None when it cannot tell (see ``read_name``); the build then reports any problem, and a slug
    that differs from the plan still gets a free name."""
    from coopdocs.commands.build import name_slug

    name = read_name(path)
    return name_slug(name) if name is not None else None


def read_name(path: Path) -> str | dict[str, str] | None:
    """The cooperative's name as the input gives it, even when the input fails the schema.

    A quick read (PyYAML's C loader where available, no positions, no checks) of a regular file
    up to ``PLAN_READ_LIMIT`` bytes: it only plans names and labels reports."""
    import yaml

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > PLAN_READ_LIMIT:
            return None
        data = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # noqa: BLE001 - only a plan: the build itself reports any problem
        return None
    coop = data.get("cooperative") if isinstance(data, dict) else None
    name = coop.get("name") if isinstance(coop, dict) else None
    if isinstance(name, dict):
        name = {k: v for k, v in name.items() if isinstance(k, str) and isinstance(v, str)} or None
    return name if isinstance(name, (str, dict)) else None


def plan_names(
    inputs: Sequence[Path], out: Path, lang: str = "en"
) -> tuple[list[str | None], list[str | None], list[str]]:
    """(the planned slugs, the folder names, the path keys) of a run's inputs."""
    from coopdocs.writers.manifest import path_key
    from coopdocs.writers.outfolder import owner_key

    bases = [planned_slug(p) for p in inputs]
    keys = [path_key(p) for p in inputs]
    folders = {name for base, key in zip(bases, keys, strict=True) if base for name in (base, suffixed(base, key))}
    owners = {name: owner_key(out / name) for name in folders}
    return bases, unique_slugs(bases, keys, owners), keys


# ---------------------------------------------------------------------------------------------
# One item


def produce(
    index: int, path: Path, options: BatchOptions, converter: Callable[[], Converter] | None = None
) -> Produced:
    """Validate and build one input in memory, as ``coopdocs build`` does; nothing is written.

    Expected failures (invalid input, a PDF that cannot be made) become a result, never an
    exception; anything else is a crash whose traceback text is returned for saving."""
    started = time.perf_counter()
    try:
        produced = _produce(index, path, options, converter)
    except CoopdocsError as exc:
        if exc.exit_code == 123:  # a broken rule pack or template: a bug, reported as a crash
            message = f"internal error (a bug in coopdocs): {exc.message}"
            crashed = ItemResult(index, str(path), CRASHED, message=message)
            produced = Produced(crashed, traceback_text=_crash_text(path))
        else:
            kind = "output" if exc.exit_code == 3 else "templates" if isinstance(exc, TemplateError) else "input"
            text, hint = exc.text(options.msg_lang)
            message = f"{kind}: {text}" + (f" ({hint})" if hint else "")
            produced = Produced(ItemResult(index, str(path), FAILED, message=message))
    except Exception as exc:  # noqa: BLE001 - one crashing input must not stop the others
        message = f"internal error (a bug in coopdocs): {type(exc).__name__}: {exc}"
        produced = Produced(ItemResult(index, str(path), CRASHED, message=message), traceback_text=_crash_text(path))
    duration = round(time.perf_counter() - started, 3)
    return replace(produced, result=replace(produced.result, duration=duration))


def _produce(index: int, path: Path, options: BatchOptions, converter: Callable[[], Converter] | None) -> Produced:
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands import build as building
    from coopdocs.commands.fieldnames import format_for
    from coopdocs.compose.messages import as_json

    checked = check_file(path)
    counts = checked.counts
    result = ItemResult(
        index,
        str(path),
        INVALID,
        errors=counts["errors"],
        warnings=counts["warnings"],
        red_flags=counts["red_flags"],
        diagnostics=tuple(as_json(d, options.msg_lang) for d in checked.diagnostics),
        diagnostics_text=tuple(
            format_for(d, options.msg_lang, options.audience, checked.pack) for d in checked.diagnostics
        ),
        name=cooperative_name(path),
    )
    try:
        built = building.build_checked(checked, options, converter)
    except InputError as refused:  # the schema failed, or errors without --draft: nothing is built
        return Produced(replace(result, message=refused.text(options.msg_lang)[0]))
    status = DRAFT if built.draft else OK
    result = replace(result, status=status, documents=tuple(o.name for o in built.outputs))
    return Produced(result, built.folder, tuple(built.outputs), built.info)


def cooperative_name(path: Path) -> dict[str, str] | None:
    """The cooperative's name by language for the report (a plain string counts for every language)."""
    name = read_name(path)
    return {"ru": name, "kk": name, "en": name} if isinstance(name, str) else name


def write_item(produced: Produced, out: Path, name: str, options: BatchOptions) -> ItemResult:
    """Write one produced item to ``OUT/<name>/`` (as ``build`` does: ``outfolder.write_folder``)."""
    from coopdocs.writers.outfolder import write_folder

    try:
        write_folder(
            out / name,
            produced.outputs,
            produced.info,
            lang=options.msg_lang,
            overwrite_edited=options.overwrite_edited,
            force=options.force,
        )
    except CoopdocsError as exc:
        message = f"output: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
        return replace(produced.result, status=FAILED, message=message, documents=())
    return replace(produced.result, slug=name)


def build_one(path: Path, out: Path, options: BatchOptions, converter: Callable[[], Converter] | None) -> ItemResult:
    """Validate, build and write one input: the body of ``coopdocs build`` as a library function."""
    produced = produce(0, path, options, converter)
    if produced.traceback_text is not None:
        return replace(produced.result, traceback=str(save_traceback(produced.traceback_text)))
    if produced.base_slug is None:
        return produced.result
    return write_item(produced, out, produced.base_slug, options)


def _crash_text(path: Path) -> str:
    return f"coopdocs {__version__}, Python {sys.version}\ninput: {path}\n\n{traceback.format_exc()}"


# ---------------------------------------------------------------------------------------------
# The worker side: one persistent converter per process


_CONVERTER: Converter | None = None


def _worker_init(pdf_threads: int = 0) -> None:
    """A worker dies with the batch parent, even a killed one (``PR_SET_PDEATHSIG``); its converter
    then dies with it. The parent handles Ctrl-C and a closed terminal (it lets running items
    finish or stops them), so workers ignore SIGINT and SIGHUP; SIGTERM ends a worker at once.
    ``pdf_threads``: the worker's share of the cores for Typst (``typeset.default_threads``), unless
    ``COOPDOCS_PDF_THREADS`` says otherwise."""
    if pdf_threads > 0 and not os.environ.get("COOPDOCS_PDF_THREADS"):
        os.environ["COOPDOCS_PDF_THREADS"] = str(pdf_threads)
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def die_with_parent() -> None:
    """Get SIGKILL when the parent process dies (Linux); exit now if it is already gone."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent == 1 or os.getppid() != parent:
        os._exit(1)


def _worker_converter() -> Converter:
    global _CONVERTER
    if _CONVERTER is None:
        from multiprocessing.util import Finalize

        from coopdocs.writers.pdf import Converter

        converter = Converter()
        converter.start()
        _CONVERTER = converter
        # multiprocessing workers leave through os._exit, which skips atexit; Finalize still runs.
        Finalize(converter, close_converter, args=(converter,), exitpriority=10)
    return _CONVERTER


def close_converter(converter: Converter) -> None:
    """Close a worker's converter; ``Converter.close`` ends LibreOffice's whole process group."""
    converter.close()


def _work(index: int, path: Path, options: BatchOptions) -> Produced:
    return produce(index, path, options, _worker_converter)


def warm_caches(path: Path, options: BatchOptions) -> None:
    """Build the first input once in the parent (DOCX in memory, discarded), so that forked workers start warm.

    A process's first build parses the pack's YAML and compiles every clause template: seconds
    that each worker would otherwise pay again. Forked workers share the parent's caches."""
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands import build as building

    try:
        checked = check_file(path)
        if checked.cooperative is not None:
            building.build_outputs(checked.cooperative, Options(docs=options.docs, langs=options.langs))
    except Exception:  # noqa: BLE001 - only a warm-up: the item itself reports any problem
        pass


# ---------------------------------------------------------------------------------------------
# The parent side


@dataclass
class _Run:
    """Mutable bookkeeping of one batch run (parent process only)."""

    inputs: list[Path]
    out: Path
    options: BatchOptions
    on_progress: Callable[[Progress], None]
    bases: list[str | None] = field(default_factory=list)  # the planned slugs (see plan_names)
    names: list[str | None] = field(default_factory=list)  # the planned folder names
    keys: list[str] = field(default_factory=list)  # the inputs' path keys
    produced: dict[int, Produced] = field(default_factory=dict)
    results: dict[int, ItemResult] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    next_to_write: int = 0

    def finish(self, produced: Produced, running: tuple[str, ...]) -> None:
        """Record a finished item, then write (and report) every item that is now next in input order."""
        if produced.result.index in self.produced:
            return
        self.produced[produced.result.index] = produced
        written = self.flush()
        done = len(self.results) - len(written)
        failed = sum(1 for r in self.results.values() if not r.written) - sum(1 for r in written if not r.written)
        for result in written:
            done += 1
            failed += 0 if result.written else 1
            self.on_progress(Progress(len(self.inputs), done, failed, running, result))

    def flush(self, *, final: bool = False) -> list[ItemResult]:
        """Write finished items in input order (the progress lines and the report follow it)."""
        written = []
        while self.next_to_write < len(self.inputs):
            produced = self.produced.get(self.next_to_write)
            if produced is None and not final:
                break
            if produced is not None:
                self.results[self.next_to_write] = self._write(produced)
                written.append(self.results[self.next_to_write])
            self.next_to_write += 1
        return written

    def _write(self, produced: Produced) -> ItemResult:
        result = produced.result
        if produced.traceback_text is not None:
            return replace(result, traceback=str(save_traceback(produced.traceback_text)))
        if produced.base_slug is None:
            return result
        name = self._name(produced.result.index, produced.base_slug)
        self.taken.add(name)
        return write_item(produced, self.out, name, self.options)

    def _name(self, index: int, base: str) -> str:
        """The planned name; or, if the built slug differs from the planned one, a free name."""
        planned = self.names[index] if index < len(self.names) and self.bases[index] == base else None
        if planned is not None and planned not in self.taken:
            return planned
        others = self.taken | {n for i, n in enumerate(self.names) if n is not None and i != index}
        if base in others and index < len(self.keys):
            base = suffixed(base, self.keys[index])
        return free_name(base, others)


def run_batch(
    inputs: Sequence[Path],
    out: Path,
    options: BatchOptions,
    jobs: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> BatchReport:
    """Build every input in a pool of ``jobs`` processes, write ``OUT/report.json``, return the report.

    Ctrl-C (KeyboardInterrupt) cancels the items not yet started and lets the running ones finish;
    SIGTERM and SIGHUP (``interrupts.Interrupted``) cancel them and stop the running ones at once.
    What finished is written, the rest is reported as cancelled, and the report comes back with
    ``interrupted=True`` and the signal (the exception is not re-raised)."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    if "pdf" in options.formats and options.pdf_engine == "libreoffice":
        from coopdocs.writers.pdf import require_engine

        require_engine()  # no PDF engine: exit 3 before any work, not once per input
    started = time.perf_counter()
    run = _Run(list(inputs), out, options, on_progress or (lambda _: None))
    try:
        if inputs and _start_method() == "fork":
            warm_caches(inputs[0], options)
        run.bases, run.names, run.keys = plan_names(inputs, out, options.msg_lang)
    except KeyboardInterrupt as exc:  # stopped before any item ran: every item is cancelled
        stopped_by: str | None = signal.Signals(interrupts.signal_of(exc)).name
    else:
        stopped_by = _run_pools(run, options, jobs)
    run.flush(final=True)
    items = []
    for index, path in enumerate(run.inputs):
        default = ItemResult(index, str(path), CANCELLED, message="not built: the batch was interrupted")
        items.append(run.results.get(index, default))
    duration = round(time.perf_counter() - started, 3)
    report = BatchReport(tuple(items), out, jobs, duration, stopped_by is not None, stopped_by)
    write_report(report, options)
    return report


def _run_pools(run: _Run, options: BatchOptions, jobs: int) -> str | None:
    """Run every item; the name of the signal that interrupted the run, or None.

    A worker that dies (a segfault, the OOM killer) breaks its pool. The items that were running
    then are suspects and run again alone, each in its own one-worker pool; one that kills that
    pool too is a crash. The others simply go on in a new pool."""
    pending = list(range(len(run.inputs)))
    suspects: list[int] = []
    try:
        while pending or suspects:
            if suspects:
                index = suspects.pop(0)
                if _one_pool(run, options, 1, [index]):
                    run.finish(_died(index, run.inputs[index]), ())
                continue
            lost = _one_pool(run, options, min(jobs, len(pending)), pending)
            suspects = [i for i, was_running in lost.items() if was_running]
            pending = [i for i, was_running in lost.items() if not was_running]
    except KeyboardInterrupt as exc:
        return signal.Signals(interrupts.signal_of(exc)).name
    return None


def _died(index: int, path: Path) -> Produced:
    text = f"coopdocs {__version__}, Python {sys.version}\ninput: {path}\n\nthe worker process building it died\n"
    message = "internal error (a bug in coopdocs): the worker process building this input died"
    return Produced(ItemResult(index, str(path), CRASHED, message=message), traceback_text=text)


def _start_method() -> str:
    # fork: workers start with the parent's parsed pack data; elsewhere fork is unsafe or missing.
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _one_pool(run: _Run, options: BatchOptions, jobs: int, todo: list[int]) -> dict[int, bool]:
    """Run ``todo`` in one pool. Returns the items lost to a dead worker, each with whether it was running."""
    context = multiprocessing.get_context(_start_method())
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    # Workers share the cores: each typesets with its part of them (one thread each for -j 2 on 2 cores).
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_worker_init, initargs=(max(1, cores // jobs),)
    )
    futures: dict[Future[Produced], int] = {}
    running: set[Future[Produced]] = set()
    # A signal is only noted while the pool lives, and acted on between two waits: raised inside
    # concurrent.futures' own locking it would leave a lock held and the pool would never shut down.
    with interrupts.deferred() as check:
        try:
            for index in todo:
                futures[pool.submit(_work, index, run.inputs[index], options)] = index
            waiting = set(futures)
            while waiting:
                check()
                running = {f for f in waiting if f.running()}
                finished, waiting = wait(waiting, timeout=interrupts.POLL, return_when=FIRST_COMPLETED)
                for future in finished:
                    produced = future.result()
                    run.finish(produced, tuple(str(run.inputs[futures[f]]) for f in waiting if f.running()))
            return {}
        except BrokenProcessPool:
            return {i: f in running or len(todo) == 1 for f, i in futures.items() if i not in run.produced}
        except KeyboardInterrupt as exc:
            for future in futures:
                future.cancel()
            if interrupts.signal_of(exc) == signal.SIGINT:
                _collect_running(run, futures)
            else:  # SIGTERM, SIGHUP: stop now; each worker's LibreOffice dies with it
                _terminate_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()


def _collect_running(run: _Run, futures: dict[Future[Produced], int]) -> None:
    """After Ctrl-C: the items already running finish; keep their results (nothing is half-written)."""
    for future in futures:  # a second Ctrl-C meanwhile is noted and ignored (``interrupts.deferred``)
        try:
            produced = future.result()
        except (BrokenProcessPool, CancelledError):
            continue
        run.finish(produced, ())


# ---------------------------------------------------------------------------------------------
# The report


def report_data(report: BatchReport, options: BatchOptions) -> dict[str, Any]:
    return {
        "tool": "coopdocs",
        "version": __version__,
        "out": str(report.out),
        "jobs": report.jobs,
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(options).items() if k != "counts"},
        "interrupted": report.interrupted,
        "interrupted_by": report.interrupted_by,
        "duration": report.duration,
        "exit_code": report.exit_code,
        "summary": {"total": len(report.items), **report.counts()},
        "items": [_item_data(item) for item in report.items],
    }


def _item_data(item: ItemResult) -> dict[str, Any]:
    data = asdict(item)
    data.pop("index")
    data["documents"] = list(item.documents)
    data["diagnostics"] = list(item.diagnostics)
    data["diagnostics_text"] = list(item.diagnostics_text)
    return data


def write_report(report: BatchReport, options: BatchOptions) -> Path:
    """``OUT/report.json``, replaced atomically."""
    from coopdocs.errors import OutputError

    target = report.out / REPORT
    text = json.dumps(report_data(report, options), ensure_ascii=False, indent=2) + "\n"
    try:
        report.out.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".report.", suffix=".tmp", dir=report.out)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(name, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
