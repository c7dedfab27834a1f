"""Precision and recall of the pyramid-language scan (coopdocs/checking/textscan.py) on labelled phrases.

    .venv/bin/python bench/phrases.py                     # the tuning set and the holdout
    .venv/bin/python bench/phrases.py --errors            # also list every phrase scored wrong
    .venv/bin/python bench/phrases.py FILE.yaml ...       # other labelled sets

A phrase is positive when it is labelled return, recruitment or investment, and predicted positive
when the scan finds any pattern in it. Precision = TP / (TP + FP), recall = TP / (TP + FN). The
category is scored too: a positive phrase counts as rightly classed when the scan finds its
labelled category among the ones it reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from coopdocs.checking import textscan  # noqa: E402
from coopdocs.cli import default_pack  # noqa: E402

PACK = default_pack()  # the labelled phrases are read with the consumer pack's lexicon
SETS = sorted((ROOT / "tests" / "data").glob("pyramid_phrases*.yaml"))


@dataclass(frozen=True)
class Score:
    name: str
    total: int
    tp: int
    fp: int
    fn: int
    tn: int
    classed: int
    by_lang: dict[str, tuple[int, int, int]]  # lang -> (tp, fp, fn)
    errors: list[str]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load(path: Path) -> list[dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["phrases"])


def score(path: Path) -> Score:
    lexicon = textscan.load_lexicon(PACK)
    tp = fp = fn = tn = classed = 0
    by_lang: dict[str, list[int]] = {}
    errors = []
    for entry in load(path):
        found = {m.category for m in textscan.classify(entry["text"], lexicon)}
        positive = entry["label"] != "lawful"
        counts = by_lang.setdefault(entry["lang"], [0, 0, 0])
        if positive and found:
            tp += 1
            counts[0] += 1
            classed += entry["label"] in found
            if entry["label"] not in found:
                errors.append(f"class  {entry['label']:<11} got {','.join(sorted(found))}: {entry['text']}")
        elif positive:
            fn += 1
            counts[2] += 1
            errors.append(f"missed {entry['label']:<11}: {entry['text']}")
        elif found:
            fp += 1
            counts[1] += 1
            errors.append(f"false  {','.join(sorted(found)):<11}: {entry['text']}")
        else:
            tn += 1
    langs = {lang: (c[0], c[1], c[2]) for lang, c in sorted(by_lang.items())}
    return Score(path.name, tp + fp + fn + tn, tp, fp, fn, tn, classed, langs, errors)


def report(scores: Sequence[Score], show_errors: bool = False) -> list[str]:
    lines = [
        "| set | phrases | precision | recall | TP | FP | FN | TN | category right | by language (P / R) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        langs = "; ".join(
            f"{lang} {tp / (tp + fp) if tp + fp else 1:.2f} / {tp / (tp + fn) if tp + fn else 1:.2f}"
            for lang, (tp, fp, fn) in s.by_lang.items()
        )
        lines.append(
            f"| {s.name} | {s.total} | {s.precision:.3f} | {s.recall:.3f} | {s.tp} | {s.fp} | {s.fn} | {s.tn} "
            f"| {s.classed}/{s.tp} | {langs} |"
        )
    if show_errors:
        for s in scores:
            lines += ["", f"{s.name}: {len(s.errors)} scored wrong", *(f"  {e}" for e in s.errors)]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, help="labelled phrase files (default: tuning set, holdout)")
    parser.add_argument("--errors", action="store_true", help="list every phrase scored wrong")
    args = parser.parse_args(argv)
    print("\n".join(report([score(p) for p in args.sets or SETS], args.errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
