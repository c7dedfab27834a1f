"""Round trip of `coopdocs import` on our own documents (issue 17).

    .venv/bin/python bench/import_roundtrip.py                 # examples + 50 variants, DOCX and PDF, ru and kk
    .venv/bin/python bench/import_roundtrip.py --variants 5    # a quick look
    .venv/bin/python bench/import_roundtrip.py --folder-every 5  # the whole-folder import on every 5th

For every example of examples/ and N variants drawn from them (seeded: the same seed gives the same
variants), the charter is built (DOCX and PDF, in each of the input's languages ru and kk), each file
is imported alone, and the values read are compared with the input:

* stated: the input values the charter states (`importing.stated_paths`: a value whose change changes
  the text of one of the charter's clauses as coopdocs writes it);
* exact: stated values imported equal to the input's; missing: stated values not imported;
* wrong: any imported value that differs from the input's, stated or not (the target is 0).

With --folder-every K, every example and every K-th cooperative also gets all its founding documents
(charter, membership and dispute regulations, minutes, application) and the compliance report and clause
commentary built as DOCX in each of its languages (the English reference text too), in the input's own
layout (separate files, or kk | ru in one file); the folder is
imported, and the whole input is compared: the share of the input's values (every leaf the contract
has for this cooperative, `source_numbering` aside: import writes it) imported exactly, and the values
not imported, by path, each with why: the bench changes the value in the input and renders the same
documents again, so that a value is either

* stated and not read (another value changes the documents' text, and none reads the same): import's to fix;
* not told apart: another value (named) gives the very same documents (a short name equal to the
  default one; a programme's own income, which only moves the stress test's figures);
* not stated: no other value changes any of these documents (nor the layout of the files).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from click.testing import CliRunner  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402
from run import NAMES, random_iin, write_yaml  # noqa: E402

from coopdocs.charters import importing  # noqa: E402
from coopdocs.checking.pipeline import check_file  # noqa: E402
from coopdocs.cli import main as cli  # noqa: E402
from coopdocs.compose import clauses, compliance, stressreport  # noqa: E402
from coopdocs.inputs.model import split_path  # noqa: E402

FOLDER_DOCS = ("charter", "membership", "disputes", "minutes", "application")

PLACES = [
    (("Алматинская область", "Алматы облысы"), ("г. Конаев", "Қонаев қ."), "040800"),
    (("Акмолинская область", "Ақмола облысы"), ("г. Кокшетау", "Көкшетау қ."), "020000"),
    (("Туркестанская область", "Түркістан облысы"), ("г. Туркестан", "Түркістан қ."), "161200"),
    (("Костанайская область", "Қостанай облысы"), ("г. Костанай", "Қостанай қ."), "110000"),
    (("Жамбылская область", "Жамбыл облысы"), ("г. Тараз", "Тараз қ."), "080000"),
]
STREETS = [
    ("ул. Абая, д. {n}", "Абай к-сі, {n} үй"),
    ("ул. Толе би, д. {n}, офис 2", "Төле би к-сі, {n} үй, 2 кеңсе"),
    ("пр. Республики, д. {n}", "Республика даңғ., {n} үй"),
    ("ул. Сейфуллина, д. {n}", "Сейфуллин к-сі, {n} үй"),
]


def _loc(value: Any, ru: str, kk: str, en: str | None = None) -> Any:
    if isinstance(value, dict):
        return {lang: {"ru": ru, "kk": kk, "en": en or ru}[lang] for lang in value}
    return ru


def vary(base: dict[str, Any], index: int, rng: random.Random) -> dict[str, Any]:
    """A new cooperative: name, place, date, amounts, periods and choices drawn from lawful ranges."""
    data = copy.deepcopy(base)
    coop = data["cooperative"]
    ru, kk, en = NAMES[index % len(NAMES)]
    coop["name"] = _loc(coop["name"], f"{ru} {index + 1}", f"{kk} {index + 1}", f"{en} {index + 1}")
    coop.pop("short_name", None)
    (region_ru, region_kk), (town_ru, town_kk), postal = rng.choice(PLACES)
    location = coop["location"]
    location["region"] = _loc(location["region"], region_ru, region_kk)
    location["locality"] = _loc(location["locality"], town_ru, town_kk)
    street_ru, street_kk = rng.choice(STREETS)
    n = rng.randrange(1, 120)
    location["address"] = _loc(location["address"], street_ru.format(n=n), street_kk.format(n=n))
    location["postal_code"] = postal
    founding = data["founding"]
    founding["meeting_date"] = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(700))
    founding["place"] = _loc(founding["place"], town_ru, town_kk)
    m = data["membership"]
    c = m["contributions"]
    c["share"]["amount"] = rng.randrange(10, 301, 5) * 1000
    c["share"]["payment_days"] = rng.choice((10, 15, 30, 60))
    c["share"]["installments"] = rng.random() < 0.3
    for founder in founding["founders"]:
        if founder.get("kind") == "person":
            founder["iin"] = random_iin(rng)
        founder["share_contribution"] = c["share"]["amount"] * rng.choice((1, 1, 2))
    if rng.random() < 0.8:
        c["entrance_fee"] = {"amount": rng.randrange(1, 21) * 500}
    else:
        c.pop("entrance_fee", None)
    if rng.random() < 0.7:
        c["membership_fee"] = {"amount": rng.randrange(1, 11) * 500, "period": rng.choice(("month", "quarter", "year"))}
    else:
        c.pop("membership_fee", None)
    if isinstance(c.get("late_payment"), dict):
        c["late_payment"]["penalty_percent_per_day"] = rng.choice((0.05, 0.1, 0.2))
        c["late_payment"]["exclusion_after_days"] = rng.choice((60, 90, 120))
    m["admission"]["decided_by"] = rng.choice(("board", "general_meeting"))
    m["admission"]["decision_days"] = rng.choice((10, 15, 30, 45))
    m["admission"]["membership_starts"] = rng.choice(("on_decision", "on_payment"))
    m["exit"]["payout_days"] = rng.choice((30, 45, 60, 90, 120, 180))
    m["exit"]["notice_days"] = rng.choice((14, 30, 60))
    m["exit"]["payout_form"] = rng.choice(("money", "money_or_property"))
    m["exclusion"]["notice_days"] = rng.choice((7, 10, 14, 30))
    m["inheritance"] = rng.choice(("heirs_paid", "heirs_may_join", "heirs_paid_or_join"))
    gov = data["governance"]
    gm = gov["general_meeting"]
    gm["notice_days"] = rng.choice((10, 15, 20, 30))
    gm["regular"]["months_after_year_end"] = rng.choice((3, 4))
    gm["extraordinary_members_percent"] = rng.choice((10, 20))
    if isinstance(gm.get("qualified"), dict) and "fraction" in gm["qualified"]:
        gm["qualified"]["fraction"] = rng.choice(("2/3", "3/4"))
    gm["notice_methods"] = rng.choice((["written"], ["written", "electronic"]))
    if gov["board"].get("exists", True):
        gov["board"]["size"] = rng.choice((3, 5, 7))
        gov["board"]["term_years"] = rng.choice((2, 3, 5))
    gov["chair"]["term_years"] = rng.choice((2, 3, 5))
    gov["audit"]["term_years"] = rng.choice((2, 3, 5))
    if gov["audit"].get("kind") == "commission":
        gov["audit"]["size"] = rng.choice((3, 5))
    reserve = data["funds"].get("reserve")
    if isinstance(reserve, dict):
        reserve["percent_of_income"] = rng.choice((5, 10, 15))
        reserve["target_percent_of_share_fund"] = rng.choice((10, 25, 50))
    data["funds"]["development"] = rng.random() < 0.7
    data["funds"]["social_support"] = rng.random() < 0.4
    internal = data["disputes"]["internal"]
    internal["response_days"] = rng.choice((10, 15, 20, 30))
    if isinstance(internal.get("conciliation_commission"), dict):
        internal["conciliation_commission"]["size"] = rng.choice((3, 5))
    data["disputes"]["mediation"] = rng.random() < 0.8
    data["disputes"]["confidentiality"] = rng.random() < 0.8
    liquidation = data["reorganization"]["liquidation"]
    liquidation["remaining_property"] = rng.choice(("to_charter_purposes", "to_other_cooperative"))
    return data


def skipped() -> list[Path]:
    """Examples of a pack import does not read yet (it refuses them with a message): not measured."""
    loader = YAML(typ="safe", pure=True)
    return [
        p
        for p in sorted((ROOT / "examples").glob("*.yaml"))
        if loader.load(p.read_text(encoding="utf-8")).get("form") != "consumer_cooperative"
    ]


def cooperatives(n: int, folder: Path, seed: int) -> list[Path]:
    """Every example, then N valid variants of them (a draw that does not validate is drawn again)."""
    rng = random.Random(seed)
    examples = [p for p in sorted((ROOT / "examples").glob("*.yaml")) if p not in skipped()]
    bases = [YAML(typ="safe", pure=True).load(p.read_text(encoding="utf-8")) for p in examples]
    files = list(examples)
    for i in range(n):
        path = folder / f"variant-{i + 1:03d}.yaml"
        for _attempt in range(20):
            write_yaml(vary(bases[i % len(bases)], i, rng), path)
            if not check_file(path).blocking:
                break
        else:
            raise SystemExit(f"no valid variant of {examples[i % len(examples)].name} in 20 draws")
        files.append(path)
    return files


def build(source: Path, out: Path, docs: str, formats: str, langs: str, layout: str = "separate") -> Path:
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(source),
            "--out",
            str(out),
            "--docs",
            docs,
            "--format",
            formats,
            "--lang",
            langs,
            "--layout",
            layout,
        ],
    )
    if result.exit_code != 0:
        raise SystemExit(f"build {source} failed: {result.output}")
    return next(p for p in out.iterdir() if p.is_dir())


def leaves_of(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of an input as dotted paths (a localized text is one leaf; lists by index)."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and not (value and set(value) <= {"ru", "kk", "en"}):
        for k, v in value.items():
            out.update(leaves_of(v, f"{path}.{k}" if path else str(k)))
    elif (
        isinstance(value, list)
        and value
        and isinstance(value[0], dict)
        and not all(isinstance(v, dict) and set(v) <= {"ru", "kk", "en"} for v in value)  # texts: one leaf
    ):
        for i, v in enumerate(value):
            out.update(leaves_of(v, f"{path}[{i}]"))
    elif value is not None:
        out[path] = value
    return out


def _whole(imported: Any, expected: Any, langs: list[str]) -> bool:
    """An imported value equals the input's, a text in every language of the folder's documents."""
    if isinstance(expected, dict) and set(expected) <= {"ru", "kk", "en"}:
        if not isinstance(imported, dict) or not set(expected) & set(langs) <= set(imported):
            return len(langs) == 1 and importing.same(imported, expected, langs[0])
        return importing.same(imported, expected)
    if isinstance(expected, list) and isinstance(imported, list) and len(expected) == len(imported):
        return all(_whole(a, b, langs) for a, b in zip(imported, expected, strict=True))
    if isinstance(expected, dict) and isinstance(imported, dict):
        given = {k for k, v in expected.items() if v is not None}  # a None: a key the input leaves out
        return (
            set(imported) <= set(expected)
            and given <= set(imported)
            and all(_whole(imported[k], expected[k], langs) for k in given)
        )
    return importing.same(imported, expected, langs[0] if len(langs) == 1 else None)


def _partial(imported: Any, expected: Any) -> bool:
    """A localized text read in some of the languages only, the same in those."""
    return (
        isinstance(expected, dict)
        and isinstance(imported, dict)
        and set(imported) < set(expected)
        and importing.same(imported, expected)
    )


def _texts(coop: Any, langs: list[str]) -> tuple[str, ...] | None:
    """The text of every founding document of the folder, signatures included (None: it does not render)."""
    try:
        documents = [d for name in FOLDER_DOCS for d in clauses.render_all(coop, name, langs)]
        with mock.patch.object(stressreport, "chart_png", lambda *_a, **_k: b""):  # text only: no chart drawn
            documents += [compliance.report(coop, lang) for lang in langs]  # the commentary: the charter's text
    except Exception:  # noqa: BLE001 - an alternative value the templates cannot render says nothing
        return None
    return (
        *(clauses.as_text(d) + "\n" + "\n".join(d.signatures) for d in documents),
        # the files' layout (a kk | ru file, or a file per language), which a folder without both shows not
        coop.data.get("layout") if coop.pack.parallel and set(coop.pack.parallel) <= set(langs) else None,
    )


def _rules(coop: Any, path: str) -> dict[str, Any]:
    rules: Any = {"schema": coop.pack.input_schema()}
    for part in split_path(path):
        if isinstance(part, int):
            continue
        rules = (rules.get("schema") or {}) if isinstance(rules, dict) else {}
        if rules.get("type") == "dict" and isinstance(rules.get("schema"), dict):  # a list's records
            rules = rules["schema"]
        rules = rules.get(part) if isinstance(rules, dict) else None
    return rules if isinstance(rules, dict) else {}


def _alternatives(value: Any, rules: dict[str, Any], lang: str) -> list[Any]:
    """Other values of the same kind, the contract's default and its empty value among them."""
    out: list[Any] = []
    if "default" in rules or rules.get("nullable"):
        out.append(rules.get("default"))
    if isinstance(value, bool):
        out.append(not value)
    elif isinstance(value, (int, float)):
        out += [0, value + 1, max(0, value - 1), value + 7]
    elif isinstance(value, str) and rules.get("allowed"):
        out += list(rules["allowed"])
    elif isinstance(value, str):
        out += [value + " Qz", None]
    elif isinstance(value, dict) and set(value) <= {"ru", "kk", "en"}:
        out += [{**value, lang: value.get(lang, "") + " Qz"}, None]
    elif isinstance(value, list):
        allowed = (rules.get("schema") or {}).get("allowed") or []
        out += [[]] + [[v for v in value if v != a] if a in value else [*value, a] for a in allowed]
        if value:
            out.append(value[:-1])
    return [o for o in out if o != value]


def why_not(coop: Any, path: str, langs: list[str], base: tuple[str, ...] | None) -> str:
    """Why a value of the input is not imported: «stated, not read», «not told apart (reads as X)», «not stated»."""
    value = coop.get(path)
    parts = split_path(path)
    same: list[Any] = []
    changed = False
    for other in _alternatives(value, _rules(coop, path), langs[0]):
        data = copy.deepcopy(coop.data)
        target: Any = data
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = other
        texts = _texts(dataclasses.replace(coop, data=data), langs)
        if texts is None:
            continue
        if texts == base:
            same.append(other)
        else:
            changed = True
    if not changed:
        return "not stated"
    return f"not told apart (reads as {same[0]!r})" if same else "stated, not read"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=50)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--formats", default="docx,pdf")
    parser.add_argument("--folder-every", type=int, default=5, help="whole-folder import on every K-th (0: none)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    stated_total = exact_total = 0
    wrong: list[str] = []
    missing: Counter[str] = Counter()
    imports = 0
    proposed: Counter[bool] = Counter()  # uncertain values (left out of the draft): right or not
    folder_total = folder_exact = folder_wrong = 0
    folder_missing: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory(prefix="coopdocs-import-bench-") as tmp:
        work = Path(tmp)
        files = cooperatives(args.variants, work, args.seed)
        for number, source in enumerate(files):
            coop = check_file(source).cooperative
            assert coop is not None
            langs = [lang for lang in coop.languages if lang in ("ru", "kk")]
            built = build(source, work / f"out-{number}", "charter", args.formats, ",".join(langs))
            for lang in langs:
                stated = importing.stated_paths(coop, "charter", lang)
                for fmt in args.formats.split(","):
                    result = importing.import_path(built / f"charter.{lang}.{fmt}")
                    compared = importing.compare(result, coop.data, stated)
                    imports += 1
                    stated_total += len(stated)
                    exact_total += len(compared["exact"])
                    missing.update(compared["missing"])
                    for f in result.uncertain:
                        proposed[importing.same(f.value, importing.get_at(coop.data, f.path), lang)] += 1
                    wrong += [f"{source.name} charter.{lang}.{fmt}: {p}" for p in compared["wrong"]]
            if args.folder_every and (number % args.folder_every == 0 or source.parent == ROOT / "examples"):
                docs = "charter,membership,disputes,minutes,application,compliance,commentary"
                everyone = [lang for lang in coop.languages if lang in ("ru", "kk", "en")]
                layout = str(coop.data.get("layout") or "separate")  # the input's own layout
                folder = build(source, work / f"folder-{number}", docs, "docx", ",".join(everyone), layout)
                result = importing.import_path(folder)
                truth = leaves_of({k: v for k, v in coop.data.items() if k != "source_numbering"})
                have = leaves_of(result.data)
                base = _texts(coop, everyone)
                for path, value in truth.items():
                    folder_total += 1
                    shown = re.sub(r"\[\d+\]", "[]", path)
                    if path in have and _whole(have[path], value, everyone):
                        folder_exact += 1
                    elif path in have and _partial(have[path], value):
                        unread = sorted(set(value) & set(everyone) - set(have[path]), key=everyone.index)
                        folder_missing[(shown, f"text in {', '.join(unread)} not read")] += 1
                    elif path in have:
                        folder_wrong += 1
                        wrong.append(f"{source.name} folder: {path}")
                    else:
                        why = why_not(coop, path, everyone, base)
                        folder_missing[(shown, re.sub(r"'[^']*'", "'…'", why))] += 1
            print(
                f"{number + 1:3}/{len(files)} {source.name:<24} stated {stated_total:6} exact {exact_total:6} "
                f"wrong {len(wrong)}",
                flush=True,
            )
    seconds = time.monotonic() - started
    print()
    examples = len(files) - args.variants
    print(f"cooperatives: {len(files)} ({examples} examples + {args.variants} variants, seed {args.seed})")
    print(f"examples not measured (a pack import does not read yet): {', '.join(p.name for p in skipped()) or '-'}")
    print(f"charter imports: {imports} ({args.formats}, ru and kk where the input has them)")
    share = exact_total / max(1, stated_total)
    print(f"stated values recovered exactly: {exact_total} / {stated_total} = {share:.2%} (target >= 99 %)")
    location = sum(n for path, n in missing.items() if path.startswith("cooperative.location."))
    rest = (exact_total) / max(1, stated_total - location)
    print(f"  the same without the location's parts not recovered ({location} of them): {rest:.2%}")
    print(f"wrong values: {len(wrong)} (target 0)")
    for line in wrong[:30]:
        print(f"  WRONG {line}")
    print(
        f"uncertain values (left out of the draft, listed with a proposal): {sum(proposed.values())}, "
        f"of which the proposal equals the input: {proposed[True]}"
    )
    print("stated values not recovered, by path:")
    for path, count in missing.most_common(15):
        print(f"  {count:5}  {path}")
    if folder_total:
        print(
            f"whole folder (DOCX of all founding documents): {folder_exact} / {folder_total} input values exactly "
            f"= {folder_exact / folder_total:.2%}, wrong {folder_wrong}"
        )
        print("  not imported from the folder, by path and why:")
        for (path, why), count in sorted(folder_missing.items(), key=lambda x: (x[0][1], -x[1], x[0][0])):
            print(f"  {count:5}  {path}: {why}")
        stated = sum(n for (_, why), n in folder_missing.items() if why.startswith("stated"))
        print(f"  stated in a founding document and not imported: {stated} (target 0)")
    print(f"time: {seconds:.0f} s")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
