"""Typst warm per page, two code versions side by side: CPU time, one core, alternating processes.

    .venv/bin/python bench/typst_ab.py --before /tmp/before-main            # before vs this checkout
    .venv/bin/python bench/typst_ab.py --before DIR --rounds 5 --sets 3

Each round runs one process per code version, in turn. A process imports coopdocs from its code
folder (``--before``: a checkout of an earlier commit; the other is this checkout), typesets
``examples/bereke.yaml``'s set once (warm: fonts, layout, Typst's caches), then, pinned to one
core, typesets the sets of ``--sets`` generated cooperatives it has never seen (``run.generate``,
seed 2026: the same documents as section 8 of ``run.py``) and reports its CPU time
(``time.process_time``: Typst's own threads included) and wall time. Every document is new to the
process, so Typst's memo cache serves none of them from an earlier run. Prints per version the
median CPU and wall ms per page (pages counted with pdfinfo) and the ratio after / before; the
load average is printed before and after. Separate processes, because Typst's memo cache is
global to a process: the second version in one process would reuse the first one's shaped text.

``--layout FILE`` (repeatable, with ``--before`` optional) times this checkout with another
``document.typ`` in place of the pack's: for trying a layout change before making it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(code: Path, inputs: Path, out: Path, layout: Path | None) -> None:
    sys.path.insert(0, str(code))
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands import build
    from coopdocs.writers import typeset

    assert Path(typeset.__file__).resolve().is_relative_to(code.resolve()), typeset.__file__
    if layout is not None:
        source = layout.read_bytes()
        typeset._layout = lambda pack: source  # type: ignore[assignment]
    warm = check_file(code / "examples" / "bereke.yaml").cooperative
    assert warm is not None
    for item in build.build_trees(warm, build.Options(langs=("ru", "kk"), layout="separate")):
        typeset.write_pdf(item, pack=warm.pack)
    trees = []
    for path in sorted(inputs.glob("*.yaml")):
        coop = check_file(path).cooperative
        assert coop is not None
        trees += [(item, coop.pack) for item in build.build_trees(coop, build.Options(layout="separate"))]
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(affinity)})
    cpu, wall = time.process_time(), time.perf_counter()
    made = [typeset.write_pdf(item, pack=pack) for item, pack in trees]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(made):
        (out / f"{i:03d}.pdf").write_bytes(data)
    print(json.dumps({"cpu": cpu, "wall": wall, "docs": len(made)}))


def pages(folder: Path) -> int:
    total = 0
    for pdf in sorted(folder.glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        total += int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, help="a checkout of an earlier commit")
    parser.add_argument("--layout", type=Path, action="append", default=[], help="another document.typ to time")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sets", type=int, default=3, help="generated cooperatives typeset (default 3: 42 documents)")
    parser.add_argument("--keep", type=Path, help="keep the PDFs there (one folder per version)")
    parser.add_argument("--child", nargs=4, metavar=("CODE", "INPUTS", "OUT", "LAYOUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        code, inputs, out, layout = args.child
        child(Path(code), Path(inputs), Path(out), Path(layout) if layout != "-" else None)
        return
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from run import generate  # type: ignore[import-not-found]

    versions: dict[str, tuple[Path, Path | None]] = {}
    if args.before:
        versions["before"] = (args.before, None)
    versions["now"] = (ROOT, None)
    for i, layout in enumerate(args.layout, start=1):
        versions[f"layout {i} ({layout.name})"] = (ROOT, layout)
    with tempfile.TemporaryDirectory(prefix="typst-ab-") as tmp:
        work = args.keep or Path(tmp)
        files, _ = generate(args.sets, Path(tmp) / "gen")
        inputs = Path(tmp) / "inputs"
        inputs.mkdir()
        for f in files:
            (inputs / f.name).write_bytes(f.read_bytes())
        cpu: dict[str, list[float]] = {name: [] for name in versions}
        wall: dict[str, list[float]] = {name: [] for name in versions}
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        for r in range(args.rounds):
            for i, (name, (code, layout)) in enumerate(versions.items()):
                out = work / f"v{i}"
                done = subprocess.run(
                    [sys.executable, __file__, "--child", str(code), str(inputs), str(out), str(layout or "-")],
                    capture_output=True,
                    text=True,
                    env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                )
                if done.returncode:
                    raise SystemExit(f"{name}: {done.stderr[-3000:]}")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                cpu[name].append(result["cpu"])
                wall[name].append(result["wall"])
                print(f"round {r + 1} {name}: CPU {result['cpu']:.2f} s, wall {result['wall']:.2f} s", file=sys.stderr)
        after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        counts = {name: pages(work / f"v{i}") for i, name in enumerate(versions)}
    print(f"load average before / after: {load} / {after}; {args.rounds} rounds, {args.sets} sets")
    first = next(iter(versions))
    for name in versions:
        n = counts[name]
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        line = f"{name}: {n} pages, CPU {c * 1000 / n:.2f} ms/page (min {min(cpu[name]) * 1000 / n:.2f}), "
        line += f"wall {w * 1000 / n:.2f} ms/page"
        if name != first:
            ratios = [a / b for a, b in zip(cpu[name], cpu[first], strict=True)]
            line += f"; CPU ratio per page / {first}: {c / n / (statistics.median(cpu[first]) / counts[first]):.3f}"
            line += f" (per round: {', '.join(f'{x:.2f}' for x in ratios)})"
        print(line)


if __name__ == "__main__":
    main()
