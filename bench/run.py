"""coopdocs benchmark: coopdocs against the naive pipeline, side by side, in one run.

    .venv/bin/python bench/run.py --n 100        # the full run (several minutes on 2 cores)
    .venv/bin/python bench/run.py --quick        # a smoke test (a minute or so)

It generates N synthetic, valid cooperatives varied from ``examples/*.yaml`` and measures:
1. ``coopdocs validate`` per file, cold (a new process each time) and warm (in-process);
2. the full DOCX set of one cooperative on one core (in-process, warm);
3. PDF amortized per document: the persistent converter against one ``soffice --convert-to pdf``
   process per file, over the same documents;
4. ``coopdocs batch`` of the N with ``-j 1`` and ``-j 2``, DOCX only and DOCX + PDF;
5. the naive baseline: per cooperative a fresh ``coopdocs build`` (docxtpl, nothing kept warm),
   then one ``soffice --convert-to pdf`` process per document;
6. precision and recall of the free-text pyramid-language scan on the labelled phrases
   (``bench/phrases.py``);
7. the two PDF engines side by side on one cooperative's full set (``examples/bereke.yaml``, ru + kk):
   Typst from the document tree against the persistent LibreOffice converting the DOCX, warm per
   page and per document, and the whole cold ``coopdocs build --format docx,pdf`` with each engine;
8. issue 16's targets, side by side, alternating, wall and CPU: cold ``build`` DOCX only (template
   cache empty, warm, off; an earlier commit with ``--before``; a naive docxtpl renderer of the same
   documents, ``bench/naive_docxtpl.py``), cold DOCX + PDF (Typst, LibreOffice, DOCX + one
   ``soffice --convert-to pdf`` call), Typst per page warm, and ``batch -j 2`` scaled to 100 sets.
It prints ratios against the baseline and writes the results with the machine's description to
``bench/RESULTS.md`` (or ``--results``). Timings are wall-clock seconds; the machine may be shared.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from coopdocs import __version__  # noqa: E402
from coopdocs.checking.pipeline import check_file  # noqa: E402
from coopdocs.cli import default_pack  # noqa: E402
from coopdocs.commands import build  # noqa: E402
from coopdocs.commands.batch import close_converter  # noqa: E402
from coopdocs.inputs.idnumbers import control_digit  # noqa: E402
from coopdocs.writers import pdf  # noqa: E402

COOPDOCS = str(Path(sys.executable).with_name("coopdocs"))
NAMES = [
    ("Береке", "Береке", "Bereke"),
    ("Ырыс", "Ырыс", "Yrys"),
    ("Достык", "Достық", "Dostyk"),
    ("Самал", "Самал", "Samal"),
    ("Нур", "Нұр", "Nur"),
    ("Алтын дала", "Алтын дала", "Altyn Dala"),
    ("Жулдыз", "Жұлдыз", "Zhuldyz"),
    ("Тулпар", "Тұлпар", "Tulpar"),
    ("Акниет", "Ақниет", "Akniet"),
    ("Шанырак", "Шаңырақ", "Shanyrak"),
]
TARGETS = {
    "docx_set": 0.5,  # s per cooperative, one core
    "pdf_per_doc": 0.15,  # s per document, amortized
    "batch_100_pdf_j2": 180.0,  # s for 100 cooperatives, DOCX + PDF, -j 2
    "validate_cold": 0.3,  # s per file
}


# ---------------------------------------------------------------------------------------------
# Synthetic cooperatives


def random_iin(rng: random.Random) -> str:
    """A valid IIN: birth date 1960-1999, century digit 3 or 4, a serial and the control digit."""
    while True:
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        first11 = f"{born:%y%m%d}{rng.choice('34')}{rng.randrange(10000):04d}"
        digit = control_digit(first11)
        if digit is not None:
            return first11 + str(digit)


def _localized(value: Any, texts: tuple[str, str, str]) -> Any:
    ru, kk, en = texts
    if isinstance(value, dict):
        return {lang: {"ru": ru, "kk": kk, "en": en}[lang] for lang in value}
    return ru


def vary(base: dict[str, Any], index: int, rng: random.Random) -> dict[str, Any]:
    """A new cooperative from an example: another name, founders' IINs, amounts, periods and choices."""
    data = copy.deepcopy(base)
    ru, kk, en = NAMES[index % len(NAMES)]
    number = index + 1
    data["cooperative"]["name"] = _localized(
        data["cooperative"]["name"], (f"{ru} {number}", f"{kk} {number}", f"{en} {number}")
    )
    data["cooperative"].pop("short_name", None)
    for founder in data["founding"]["founders"]:
        if founder.get("kind") == "person":
            founder["iin"] = random_iin(rng)
    membership = data["membership"]
    share = membership["contributions"]["share"]
    share["amount"] = rng.randrange(10, 101, 5) * 1000
    for founder in data["founding"]["founders"]:
        founder["share_contribution"] = share["amount"] * rng.choice((1, 1, 2, 3))
    membership["exit"]["payout_days"] = rng.choice((30, 60, 90, 120, 180))
    membership["exit"]["notice_days"] = rng.choice((14, 30, 60))
    membership["admission"]["decided_by"] = rng.choice(("board", "general_meeting"))
    membership["admission"]["decision_days"] = rng.choice((15, 30, 45))
    disputes = data.get("disputes", {}).get("internal")
    if isinstance(disputes, dict) and "response_days" in disputes:
        disputes["response_days"] = rng.choice((10, 15, 20, 30))
    return data


def write_yaml(data: dict[str, Any], path: Path) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def generate(n: int, folder: Path, seed: int = 2026) -> tuple[list[Path], int]:
    """N valid cooperatives; a variation that does not validate falls back to fewer changes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    bases = [YAML(typ="safe", pure=True).load(p.read_text(encoding="utf-8")) for p in examples]
    files, fallbacks = [], 0
    for i in range(n):
        base = bases[i % len(bases)]
        path = folder / f"coop-{i + 1:03d}.yaml"
        for _attempt in range(25):  # a small share beside fixed fees can be a red flag: draw again
            write_yaml(vary(base, i, rng), path)
            if not check_file(path).blocking:
                break
            fallbacks += 1
        else:
            raise SystemExit(f"could not generate a valid variation of {examples[i % len(examples)].name}")
        files.append(path)
    return files, fallbacks


# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Results:
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (section, measure, value)
    notes: list[str] = field(default_factory=list)
    numbers: dict[str, float] = field(default_factory=dict)

    def add(self, section: str, measure: str, value: str, key: str | None = None, number: float | None = None) -> None:
        self.rows.append((section, measure, value))
        if key is not None and number is not None:
            self.numbers[key] = number
        print(f"  {section:<28} {measure:<58} {value}", flush=True)


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def run(args: Sequence[str]) -> tuple[float, int]:
    seconds, proc = timed(lambda: subprocess.run(list(args), capture_output=True, check=False))
    return seconds, proc.returncode


def measure_validate(files: list[Path], cold_runs: int, out: Results) -> None:
    cold = []
    for path in files[:cold_runs]:
        seconds, code = run([COOPDOCS, "validate", str(path)])
        assert code == 0, f"validate {path} exited {code}"
        cold.append(seconds)
    out.add(
        "1. validate",
        f"cold, new process, median of {len(cold)}",
        f"{statistics.median(cold):.3f} s/file",
        "validate_cold",
        statistics.median(cold),
    )
    check_file(files[0])  # warm the caches
    warm = [timed(partial(check_file, p))[0] for p in files]
    out.add(
        "1. validate",
        f"warm, in-process, median of {len(warm)}",
        f"{statistics.median(warm) * 1000:.1f} ms/file",
        "validate_warm",
        statistics.median(warm),
    )


def measure_docx(files: list[Path], limit: int, docs: tuple[str, ...], out: Results) -> list[list[Any]]:
    """The full DOCX set (every document, the input's languages) per cooperative, in-process, one core."""
    sets = []
    first = check_file(files[0]).cooperative
    assert first is not None
    cold, _ = timed(lambda: build.build_outputs(first, build.Options(docs=docs)))
    times, count = [], 0
    for path in files[:limit]:
        coop = check_file(path).cooperative
        assert coop is not None
        seconds, outputs = timed(partial(build.build_outputs, coop, build.Options(docs=docs)))
        times.append(seconds)
        count += len(outputs)
        sets.append(outputs)
    med = statistics.median(times)
    out.add("2. DOCX set", "first build in a process (clause libraries not yet loaded)", f"{cold:.2f} s")
    out.add(
        "2. DOCX set",
        f"warm, median over {len(times)} cooperatives ({count / len(times):.1f} docs each)",
        f"{med:.3f} s/cooperative",
        "docx_set",
        med,
    )
    out.add(
        "2. DOCX set", "warm, per document", f"{sum(times) / count * 1000:.0f} ms/doc", "docx_doc", sum(times) / count
    )
    return sets


def pages(pdfs: Sequence[Path]) -> int:
    """Pages of the PDFs (pdfinfo, from poppler-utils), counted after the timing."""
    total = 0
    for path in pdfs:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False).stdout
        total += next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), 0)
    return total


def measure_pdf(sets: list[list[Any]], count: int, work: Path, out: Results) -> None:
    folder = work / "pdf-docs"
    folder.mkdir(parents=True, exist_ok=True)
    sources: list[Path] = []
    for outputs in sets:
        for output in outputs:
            if len(sources) < count:
                path = folder / f"{len(sources):03d}-{output.name}"
                path.write_bytes(output.data)
                sources.append(path)
    persistent_dir, naive_dir = work / "pdf-persistent", work / "pdf-naive"
    for d in (persistent_dir, naive_dir):
        d.mkdir(exist_ok=True)
    copies = []
    for src in sources:
        dst = persistent_dir / src.name
        shutil.copy(src, dst)
        copies.append(dst)
    started = time.perf_counter()
    converter = pdf.Converter()
    try:
        converter.start()
        startup = time.perf_counter() - started
        steady, made = timed(partial(pdf.convert_all, converter, copies))
    finally:
        close_converter(converter)
    total = time.perf_counter() - started
    assert len(made) == len(sources) and all(p.is_file() for p in made)
    pool_dir = work / "pdf-pool"
    pool_dir.mkdir(exist_ok=True)
    pool_copies = []
    for src in sources:
        shutil.copy(src, pool_dir / src.name)
        pool_copies.append(pool_dir / src.name)
    pool_started = time.perf_counter()
    with pdf.ConverterPool(2) as pool:
        pool_steady, pool_made = timed(partial(pdf.convert_all, pool, pool_copies))
    pool_total = time.perf_counter() - pool_started
    assert len(pool_made) == len(sources) and all(p.is_file() for p in pool_made)
    naive, made_naive = timed(lambda: pdf.soffice_cli_convert(sources, naive_dir))
    missing = [p for p in made_naive if not p.is_file()]
    n = len(sources)
    out.add("3. PDF", "persistent converter: start-up (once per process)", f"{startup:.2f} s")
    out.add(
        "3. PDF",
        f"persistent converter, {n} docs, amortized incl. start-up",
        f"{total / n:.3f} s/doc",
        "pdf_per_doc",
        total / n,
    )
    out.add(
        "3. PDF", f"persistent converter, {n} docs, steady state", f"{steady / n:.3f} s/doc", "pdf_steady", steady / n
    )
    out.add(
        "3. PDF",
        f"naive: one soffice process per file, same {n} docs",
        f"{naive / n:.3f} s/doc",
        "pdf_naive",
        naive / n,
    )
    out.add("3. PDF", "ratio naive / persistent (amortized)", f"{naive / total:.1f}x", "pdf_ratio", naive / total)
    out.add(
        "3. PDF",
        f"pool of 2 persistent converters (as `build` uses on 2 cores), {n} docs, amortized incl. start-up",
        f"{pool_total / n:.3f} s/doc",
        "pdf_pool_per_doc",
        pool_total / n,
    )
    out.add("3. PDF", "pool of 2, steady state", f"{pool_steady / n:.3f} s/doc", "pdf_pool_steady", pool_steady / n)
    out.add(
        "3. PDF",
        "ratio naive / pool of 2 (amortized)",
        f"{naive / pool_total:.1f}x",
        "pdf_pool_ratio",
        naive / pool_total,
    )
    page_count = pages(pool_made)
    out.add(
        "3. PDF",
        f"the {n} docs have {page_count} pages; pool of 2, steady state, per page",
        f"{pool_steady / max(page_count, 1) * 1000:.1f} ms/page",
        "pdf_pool_per_page",
        pool_steady / max(page_count, 1),
    )
    if missing:
        out.notes.append(f"the naive soffice path did not write {len(missing)} of {n} PDFs")


def measure_batch(
    folder: Path, n: int, work: Path, jobs: Sequence[int], with_pdf: bool, docs: tuple[str, ...], out: Results
) -> None:
    for fmt in ("docx", "docx,pdf") if with_pdf else ("docx",):
        for j in jobs:
            target = work / f"batch-{fmt.replace(',', '-')}-j{j}"
            shutil.rmtree(target, ignore_errors=True)
            seconds, code = run(
                [
                    COOPDOCS,
                    "batch",
                    str(folder),
                    "--out",
                    str(target),
                    "-j",
                    str(j),
                    "--format",
                    fmt,
                    "--docs",
                    ",".join(docs),
                ]
            )
            report = json.loads((target / "report.json").read_text(encoding="utf-8"))
            files = sum(len(i["documents"]) for i in report["items"])
            key = f"batch_{'pdf' if 'pdf' in fmt else 'docx'}_j{j}"
            label = f"{n} cooperatives, {fmt.upper().replace(',', ' + ')}, -j {j} (exit {code}, {files} files)"
            out.add("4. batch", label, f"{seconds:.1f} s ({seconds / n:.2f} s/cooperative)", key, seconds)
            out.numbers[f"{key}_files"] = files
            if "pdf" in fmt:
                made = sorted(target.glob("*/*.pdf"))
                page_count = pages(made)
                out.add(
                    "4. batch",
                    f"-j {j}: {len(made)} PDFs, {page_count} pages",
                    f"{page_count / n:.0f} pages/cooperative",
                )
                docx_seconds = out.numbers.get(f"batch_docx_j{j}")
                if docx_seconds is not None and made:
                    per_doc = (seconds - docx_seconds) / len(made)
                    out.add(
                        "4. batch",
                        f"-j {j}: PDF amortized over the batch, (DOCX + PDF − DOCX) / PDFs",
                        f"{per_doc:.3f} s/doc ({(seconds - docx_seconds) / page_count * 1000:.1f} ms/page)",
                        f"batch_pdf_per_doc_j{j}",
                        per_doc,
                    )


def measure_baseline(
    files: list[Path], n_total: int, work: Path, with_pdf: bool, docs: tuple[str, ...], out: Results
) -> None:
    """Naive: a fresh `coopdocs build` per cooperative, then one soffice process per DOCX."""
    target = work / "naive"
    shutil.rmtree(target, ignore_errors=True)
    docx_time = pdf_time = 0.0
    count = 0
    for i, path in enumerate(files):
        own = target / str(i)
        seconds, code = run([COOPDOCS, "build", str(path), "--out", str(own), "--docs", ",".join(docs)])
        assert code == 0, f"build {path} exited {code}"
        docx_time += seconds
        (folder,) = [p for p in own.iterdir() if p.is_dir()]
        sources = sorted(folder.glob("*.docx"))
        count += len(sources)
        if with_pdf:
            seconds, _ = timed(partial(pdf.soffice_cli_convert, sources, folder))
            pdf_time += seconds
    n = len(files)
    scale = n_total / n
    sampled = "" if n == n_total else f", measured on {n} and scaled to {n_total}"
    out.add(
        "5. naive baseline",
        f"DOCX: a new `coopdocs build` process per cooperative{sampled}",
        f"{docx_time * scale:.1f} s ({docx_time / n:.2f} s/cooperative)",
        "naive_docx",
        docx_time * scale,
    )
    if with_pdf:
        out.add(
            "5. naive baseline",
            f"+ PDF: one soffice per file ({count / n:.1f} docs/cooperative){sampled}",
            f"{(docx_time + pdf_time) * scale:.1f} s ({(docx_time + pdf_time) / n:.2f} s/cooperative)",
            "naive_pdf",
            (docx_time + pdf_time) * scale,
        )


def measure_phrases(out: Results) -> None:
    """Section 6: the free-text scan on the labelled phrase sets (not a timing)."""
    import phrases

    for s in (phrases.score(path) for path in phrases.SETS):
        out.add(
            "6. phrase scan",
            f"{s.name}: {s.total} phrases, precision / recall",
            f"{s.precision:.3f} / {s.recall:.3f} (TP {s.tp}, FP {s.fp}, FN {s.fn})",
        )


def measure_engines(work: Path, with_pdf: bool, out: Results, rounds: int = 3) -> None:
    """Typst and the persistent LibreOffice on the same documents, alternating, medians of ``rounds``."""
    from coopdocs.writers import typeset

    section = "7. Typst vs LibreOffice"
    example = ROOT / "examples" / "bereke.yaml"
    coop = check_file(example).cooperative
    assert coop is not None
    options = build.Options(langs=("ru", "kk"), layout="separate")
    trees = build.build_trees(coop, options)
    folder = work / "engines"
    folder.mkdir(exist_ok=True)
    typst_pdfs = []
    for item in trees:  # the first pass also loads the fonts and compiles the layout
        path = folder / f"{item.stem}.typst.pdf"
        path.write_bytes(typeset.write_pdf(item, pack=default_pack()))
        typst_pdfs.append(path)
    n_pages = pages(typst_pdfs)
    typst_runs = []
    lo_runs: list[float] = []
    docx_paths = []
    if with_pdf:
        for item in trees:
            path = folder / f"{item.stem}.docx"
            path.write_bytes(build.docx_output(coop, item).data)
            docx_paths.append(path)
    converter = pdf.Converter() if with_pdf else None
    try:
        if converter is not None:
            converter.start()
            pdf.convert_all(converter, docx_paths)  # warm-up
            lo_pages = pages([p.with_suffix(".pdf") for p in docx_paths])
        for _ in range(rounds):
            typst_runs.append(timed(lambda: [typeset.write_pdf(item, pack=default_pack()) for item in trees])[0])
            if converter is not None:
                lo_runs.append(timed(partial(pdf.convert_all, converter, docx_paths))[0])
    finally:
        if converter is not None:
            close_converter(converter)
    typst_warm = statistics.median(typst_runs)
    docs = len(trees)
    out.add(section, f"Typst warm, {docs} docs, {n_pages} pages", f"{typst_warm * 1000 / n_pages:.1f} ms/page")
    out.add(
        section, "Typst warm, per document", f"{typst_warm * 1000 / docs:.0f} ms/doc", "typst_doc", typst_warm / docs
    )
    out.numbers["typst_page"] = typst_warm / n_pages
    if lo_runs:
        lo_warm = statistics.median(lo_runs)
        out.add(
            section,
            f"LibreOffice warm (persistent), same docs, {lo_pages} pages",
            f"{lo_warm * 1000 / lo_pages:.1f} ms/page",
        )
        out.add(
            section, "LibreOffice warm, per document", f"{lo_warm * 1000 / docs:.0f} ms/doc", "lo_doc", lo_warm / docs
        )
        out.add(
            section,
            "ratio LibreOffice / Typst, per page (warm)",
            f"{(lo_warm / lo_pages) / (typst_warm / n_pages):.1f}x",
        )
    cold = {"typst": [], "libreoffice": []}  # type: dict[str, list[float]]
    for _ in range(2 if with_pdf else 1):
        for engine in ("typst", "libreoffice") if with_pdf else ("typst",):
            target = folder / f"cold-{engine}"
            shutil.rmtree(target, ignore_errors=True)
            args = [COOPDOCS, "build", str(example), "--out", str(target), "--format", "docx,pdf"]
            seconds, code = run([*args, "--lang", "ru,kk", "--layout", "separate", "--pdf-engine", engine])
            assert code == 0, f"build --pdf-engine {engine} failed"
            cold[engine].append(seconds)
    typst_cold = statistics.median(cold["typst"])
    out.add(section, "cold `build --format docx,pdf` (Typst), one cooperative", f"{typst_cold:.2f} s")
    if with_pdf:
        lo_cold = statistics.median(cold["libreoffice"])
        out.add(section, "cold `build --format docx,pdf --pdf-engine libreoffice`", f"{lo_cold:.2f} s")
        out.add(
            section,
            "ratio Typst / LibreOffice, whole cold command",
            f"{typst_cold / lo_cold:.2f}x",
            "typst_cold_ratio",
            typst_cold / lo_cold,
        )


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process of this one so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_env(args: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> float:
    seconds, proc = timed(lambda: subprocess.run(list(args), capture_output=True, check=False, env=env, cwd=cwd))
    assert proc.returncode == 0, f"{' '.join(args)} failed: {proc.stderr.decode(errors='replace')[-2000:]}"
    return seconds


def measure_coldstart(
    work: Path, files: list[Path], with_pdf: bool, before: Path | None, batch_n: int, rounds: int, out: Results
) -> None:
    """Issue 16's targets, side by side in one run, alternating, medians of ``rounds``: cold `build`
    DOCX only (template cache empty / warm / off; and the code of ``before``, a checkout of an earlier
    commit, if given), one cooperative's DOCX + PDF (Typst / LibreOffice / DOCX + one soffice call),
    Typst per page warm, and `batch -j 2` of ``batch_n`` full sets scaled to 100."""
    from coopdocs.writers import typeset

    section = "8. cold start (issue 16)"
    example = str(ROOT / "examples" / "bereke.yaml")
    folder = work / "cold"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base_env = {k: v for k, v in os.environ.items() if k not in ("COOPDOCS_CACHE_DIR", "COOPDOCS_NO_CACHE")}
    warm_cache = folder / "cache-warm"
    warm_env = {**base_env, "COOPDOCS_CACHE_DIR": str(warm_cache)}
    now = [COOPDOCS, "build", example, "--lang", "ru,kk", "--layout", "separate"]
    _run_env([*now, "--out", str(folder / "fill")], warm_env)  # fills the warm cache
    old = [sys.executable, "-m", "coopdocs", "build", example, "--lang", "ru,kk", "--layout", "separate"]
    old_env = {**base_env, "PYTHONPATH": str(before), "COOPDOCS_NO_CACHE": "1"} if before else None
    variants: dict[str, Callable[[Path], float]] = {
        "docx, cache empty": lambda o: _run_env(
            [*now, "--out", str(o)], {**base_env, "COOPDOCS_CACHE_DIR": str(o.with_name(o.name + "-cache"))}
        ),
        "docx, cache warm": lambda o: _run_env([*now, "--out", str(o)], warm_env),
        "docx, cache off": lambda o: _run_env([*now, "--out", str(o)], {**base_env, "COOPDOCS_NO_CACHE": "1"}),
    }
    if old_env is not None:
        variants["docx, before (earlier commit)"] = lambda o: _run_env([*old, "--out", str(o)], old_env, before)
    naive = folder / "naive"
    _run_env([sys.executable, str(ROOT / "bench" / "naive_docxtpl.py"), "prepare", str(naive)], base_env)
    variants["naive docxtpl renderer, same documents and paragraphs"] = lambda o: _run_env(
        [sys.executable, str(ROOT / "bench" / "naive_docxtpl.py"), "render", str(naive), str(o)], base_env
    )
    if with_pdf:
        pdf_args = ["--format", "docx,pdf"]
        variants["docx+pdf, Typst, cache warm"] = lambda o: _run_env([*now, "--out", str(o), *pdf_args], warm_env)
        variants["docx+pdf, Typst, cache empty"] = lambda o: _run_env(
            [*now, "--out", str(o), *pdf_args], {**base_env, "COOPDOCS_CACHE_DIR": str(o.with_name(o.name + "-cache"))}
        )
        variants["docx+pdf, --pdf-engine libreoffice"] = lambda o: _run_env(
            [*now, "--out", str(o), *pdf_args, "--pdf-engine", "libreoffice"], warm_env
        )

        def docx_then_soffice(o: Path) -> float:
            seconds = _run_env([*now, "--out", str(o)], warm_env)
            docx = sorted(o.glob("*/*.docx"))
            soffice, _ = pdf.require_engine()
            profile = o.with_name(o.name + "-profile")
            args = [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf"]
            return seconds + _run_env(
                [*args, "--outdir", str(o / "pdf"), *map(str, docx)], {**base_env, "HOME": str(profile)}
            )

        variants["docx build + one `soffice --convert-to pdf` for all"] = docx_then_soffice
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for r in range(rounds):
        for i, (name, func) in enumerate(variants.items()):
            cpu = _children_cpu()
            times[name].append(func(folder / f"r{r}-{i}"))
            cpus[name].append(_children_cpu() - cpu)
    after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out.add(section, "load average before / after the cold commands", f"{load} / {after}")
    med = {name: statistics.median(values) for name, values in times.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpus.items()}
    # The fastest round is the one least disturbed by the machine's other work (as timeit reports)
    least = {name: min(values) for name, values in times.items()}
    for name, value in med.items():
        out.add(
            section,
            f"cold `build` {name} (median of {rounds}; fastest): wall; CPU (user + system)",
            f"{value:.2f} s ({least[name]:.2f} s); {med_cpu[name]:.2f} s",
            f"cold {name}",
            value,
        )

    def ratio(label: str, a: str, b: str) -> None:
        if a in med and b in med:
            out.add(
                section,
                f"{label}: wall, medians (fastest rounds); CPU",
                f"{med[a] / med[b]:.2f}x ({least[a] / least[b]:.2f}x); {med_cpu[a] / med_cpu[b]:.2f}x",
                f"ratio {a} / {b}",
                med[a] / med[b],
            )

    ratio("DOCX only: cache warm / cache empty", "docx, cache warm", "docx, cache empty")
    ratio("DOCX only: cache warm / cache off", "docx, cache warm", "docx, cache off")
    ratio("DOCX only: cache warm / before (target <= 0.6)", "docx, cache warm", "docx, before (earlier commit)")
    ratio("DOCX only: cache empty / before", "docx, cache empty", "docx, before (earlier commit)")
    ratio(
        "DOCX only: cache warm / naive docxtpl renderer",
        "docx, cache warm",
        "naive docxtpl renderer, same documents and paragraphs",
    )
    ratio(
        "DOCX+PDF: Typst / --pdf-engine libreoffice (target <= 0.5)",
        "docx+pdf, Typst, cache warm",
        "docx+pdf, --pdf-engine libreoffice",
    )
    ratio(
        "DOCX+PDF: Typst / DOCX + one soffice call (target <= 0.4)",
        "docx+pdf, Typst, cache warm",
        "docx build + one `soffice --convert-to pdf` for all",
    )
    # Typst per page, warm, in this process, on one core. Warm: the fonts and the layout are loaded
    # (bereke's set typeset first); then documents Typst has not seen are timed, the sets of other
    # cooperatives, each typeset once (the same document again would be served from Typst's memo
    # cache: 11 ms instead of 87 ms for a charter).
    coop = check_file(Path(example)).cooperative
    assert coop is not None
    for item in build.build_trees(coop, build.Options(langs=("ru", "kk"), layout="separate")):
        typeset.write_pdf(item, pack=default_pack())
    trees = []
    for path in files[: max(1, rounds)]:
        other = check_file(path).cooperative
        assert other is not None
        trees += build.build_trees(other, build.Options(layout="separate"))
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if affinity:
        os.sched_setaffinity(0, {min(affinity)})  # every thread of this process on one core
    try:
        cpu = time.process_time()
        warm, made = timed(lambda: [typeset.write_pdf(item, pack=default_pack()) for item in trees])
        warm_cpu = time.process_time() - cpu
    finally:
        if affinity:
            os.sched_setaffinity(0, affinity)
    paths = []
    for i, data in enumerate(made):
        path = folder / f"typst-warm-{i}.pdf"
        path.write_bytes(data)
        paths.append(path)
    n_pages = pages(paths)
    out.add(
        section,
        f"Typst warm, one core, CPU time: {len(trees)} new documents of {max(1, rounds)} other sets, {n_pages} pages",
        f"{warm_cpu * 1000 / n_pages:.1f} ms/page, {warm_cpu * 1000 / len(trees):.0f} ms/doc",
    )
    out.add(
        section,
        f"Typst warm, one core, wall: the same {len(trees)} documents (target <= 4.5 ms/page)",
        f"{warm * 1000 / n_pages:.1f} ms/page, {warm * 1000 / len(trees):.0f} ms/doc",
        "typst page",
        warm / n_pages,
    )
    if batch_n and with_pdf:
        sample = folder / "batch-in"
        sample.mkdir()
        for f in files[:batch_n]:
            shutil.copy(f, sample / f.name)
        target = folder / "batch-out"
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        cpu = _children_cpu()
        seconds = _run_env(
            [COOPDOCS, "batch", str(sample), "--out", str(target), "-j", "2", "--format", "docx,pdf"], warm_env
        )
        cpu = _children_cpu() - cpu
        made = sorted(target.glob("*/*.pdf"))
        out.add(
            section,
            f"`batch -j 2 --format docx,pdf` of {batch_n} full sets ({len(made)} PDFs), load average {load}",
            f"{seconds:.1f} s; scaled to 100: {seconds * 100 / batch_n:.0f} s (target <= 90 s)",
            "batch100 scaled",
            seconds * 100 / batch_n,
        )
        out.add(
            section,
            "the same batch: CPU (user + system, parent and workers); half of it is the wall time two free cores need",
            f"{cpu:.1f} s, {cpu / batch_n:.2f} s per set; scaled to 100 on 2 free cores: {cpu * 50 / batch_n:.0f} s",
            "batch100 cpu/2",
            cpu * 50 / batch_n,
        )


def add_ratios(out: Results, jobs: Sequence[int]) -> None:
    nums = out.numbers
    for kind in ("docx", "pdf"):
        base = nums.get(f"naive_{kind}")
        for j in jobs:
            mine = nums.get(f"batch_{kind}_j{j}")
            if base and mine:
                label = "DOCX" if kind == "docx" else "DOCX + PDF"
                out.add(
                    "ratios vs baseline",
                    f"{label}: naive / batch -j {j}",
                    f"{base / mine:.1f}x",
                    f"ratio_{kind}_j{j}",
                    base / mine,
                )


# ---------------------------------------------------------------------------------------------
# The machine and the report


def _first_line(args: Sequence[str]) -> str:
    try:
        proc = subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not available"
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if (proc.stdout or proc.stderr).strip() else "unknown"


def machine() -> list[str]:
    cpu = "unknown"
    memory = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    from importlib.metadata import version

    soffice = pdf.find_soffice()
    return [
        f"- CPU: {cpu}; cores (nproc): {os.cpu_count()}; memory: {memory}",
        f"- load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine may be shared)",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
        f"- coopdocs {__version__}; docxtpl {version('docxtpl')}; python-docx {version('python-docx')}; "
        f"ruamel.yaml {version('ruamel.yaml')}; Jinja2 {version('Jinja2')}",
        f"- LibreOffice: {_first_line([soffice, '--version']) if soffice else 'not installed'}",
    ]


def target_lines(out: Results, n: int) -> list[str]:
    nums = out.numbers
    lines = ["| target | measured | met |", "|---|---|---|"]

    def row(label: str, key: str, limit: float, unit: str, scale: float = 1.0) -> None:
        if key in nums:
            value = nums[key] * scale
            lines.append(f"| {label} ≤ {limit:g} {unit} | {value:.3f} {unit} | {'yes' if value <= limit else 'no'} |")

    row("full DOCX set per cooperative, one core", "docx_set", TARGETS["docx_set"], "s")
    row("PDF amortized per document, one converter (20 docs)", "pdf_per_doc", TARGETS["pdf_per_doc"], "s")
    row(
        "PDF amortized per document, pool of 2 as `build` uses (20 docs)",
        "pdf_pool_per_doc",
        TARGETS["pdf_per_doc"],
        "s",
    )
    row(
        "PDF amortized per document over the batch of 100, -j 2",
        "batch_pdf_per_doc_j2",
        TARGETS["pdf_per_doc"],
        "s",
    )
    row(
        f"100 cooperatives DOCX + PDF, -j 2 (scaled from {n})",
        "batch_pdf_j2",
        TARGETS["batch_100_pdf_j2"],
        "s",
        100 / n,
    )
    row("`coopdocs validate` cold", "validate_cold", TARGETS["validate_cold"], "s")
    return lines


def write_results(
    path: Path, out: Results, n: int, command: str, started: str, seconds: float, machine_lines: list[str]
) -> None:
    lines = [
        "# coopdocs benchmark results",
        "",
        f"Written by `{command}` on {started}, in {seconds / 60:.1f} min. Wall-clock seconds; N = {n}.",
        "",
        "## Machine",
        *machine_lines,
        "",
        "## Measurements",
        "| section | measure | result |",
        "|---|---|---|",
        *(f"| {s} | {m} | {v} |" for s, m, v in out.rows),
        "",
        f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
        "## Targets (issue 8)",
        *target_lines(out, n),
        "",
    ]
    if out.notes:
        lines += ["## Notes", *(f"- {note}" for note in out.notes), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="synthetic cooperatives (default 100)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: tiny sizes everywhere")
    parser.add_argument("--pdf-docs", type=int, default=20, help="documents for the PDF comparison (default 20)")
    parser.add_argument("--cold-runs", type=int, default=10, help="cold `validate` processes (default 10)")
    parser.add_argument("--docx-n", type=int, default=30, help="cooperatives for the in-process DOCX timing")
    parser.add_argument(
        "--baseline-n", type=int, default=10, help="cooperatives the naive baseline really runs; scaled to N"
    )
    parser.add_argument("--jobs", default="1,2", help="worker counts for the batch runs (default 1,2)")
    parser.add_argument("--docs", default=",".join(build.ALL_DOCS), help="documents to build (default: all)")
    parser.add_argument("--sections", default="1,2,3,4,5,6,7,8", help="which measurements to run (default: all)")
    parser.add_argument("--no-pdf", action="store_true", help="skip every PDF measurement")
    parser.add_argument(
        "--before", type=Path, default=None, help="section 8: a checkout of an earlier commit to compare"
    )
    parser.add_argument("--cold-rounds", type=int, default=3, help="section 8: rounds of the cold commands (default 3)")
    parser.add_argument("--batch-n", type=int, default=20, help="section 8: full sets for `batch -j 2`, scaled to 100")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.pdf_docs, args.cold_runs, args.docx_n, args.baseline_n = 2, 2, 2, 2, 1
        args.docs, args.jobs, args.batch_n, args.cold_rounds = "charter", "2", 0, 1
    jobs = [int(j) for j in args.jobs.split(",")]
    docs = tuple(args.docs.split(","))
    with_pdf = not args.no_pdf and pdf.find_soffice() is not None
    work = args.work or Path(tempfile.mkdtemp(prefix="coopdocs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started, wall = dt.datetime.now().strftime("%Y-%m-%d %H:%M"), time.perf_counter()
    machine_lines = machine()
    print("\n".join(machine_lines), flush=True)
    out = Results()
    try:
        files, fallbacks = generate(args.n, work / "coops")
        print(f"generated {len(files)} valid cooperatives in {work / 'coops'} ({fallbacks} re-drawn)", flush=True)
        sections = set(args.sections.split(","))
        if "1" in sections:
            measure_validate(files, min(args.cold_runs, len(files)), out)
        if sections & {"2", "3"}:
            sets = measure_docx(files, min(args.docx_n, len(files)), docs, out)
        if "3" in sections and with_pdf:
            measure_pdf(sets, args.pdf_docs, work, out)
        if not with_pdf:
            out.notes.append("PDF measurements skipped: no LibreOffice (or --no-pdf)")
        if "4" in sections:
            measure_batch(work / "coops", len(files), work, jobs, with_pdf, docs, out)
        if "5" in sections:
            measure_baseline(files[: max(1, min(args.baseline_n, len(files)))], len(files), work, with_pdf, docs, out)
        if "6" in sections:
            measure_phrases(out)
        if "7" in sections:
            measure_engines(work, with_pdf, out, rounds=1 if args.quick else 3)
        if "8" in sections:
            rounds, pdf_too = (1, False) if args.quick else (args.cold_rounds, with_pdf)
            measure_coldstart(work, files, pdf_too, args.before, min(args.batch_n, len(files)), rounds, out)
        add_ratios(out, jobs)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    command = "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    write_results(args.results, out, args.n, command.strip(), started, time.perf_counter() - wall, machine_lines)
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
