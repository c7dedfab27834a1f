"""`coopdocs batch`: inputs, folder names, isolation of bad and crashing inputs, report, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands import batch, build
from coopdocs.errors import UsageError
from coopdocs.writers.manifest import path_key
from tests.support import BEREKE, ROOT, write_patched


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    # Workers are forked from this process: warm the pack caches once so every worker starts warm.
    checked = check_file(BEREKE)
    assert checked.cooperative is not None
    build.build_outputs(checked.cooperative, build.Options(docs=("charter",)))


def named(tmp_path: Path, name: str, file: str, **patch: object) -> Path:
    return write_patched(tmp_path, {"cooperative.name.en": name, **patch}, name=file)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["batch", *args])
    return result.exit_code, result.stdout, result.stderr


def report(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return data


def items(out: Path) -> list[dict[str, object]]:
    found = report(out)["items"]
    assert isinstance(found, list)
    return found


def test_collect_inputs_takes_files_and_folders_in_order_without_repeats(tmp_path: Path) -> None:
    folder = tmp_path / "clients"
    folder.mkdir()
    for name in ("b.yaml", "a.yaml", "c.yml", "notes.txt"):
        (folder / name).write_text("x", encoding="utf-8")
    found = batch.collect_inputs([BEREKE, folder, folder / "a.yaml"])
    assert [p.name for p in found] == ["bereke.yaml", "a.yaml", "b.yaml", "c.yml"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.yaml", "missing.yaml: no such file or folder"),
        (lambda tmp: tmp, "the folder holds no *.yaml file"),
    ],
)
def test_collect_inputs_refuses_missing_paths_and_empty_folders(tmp_path: Path, make: object, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("*", r"\*")):
        batch.collect_inputs([make(tmp_path)])  # type: ignore[operator]


def test_repeated_slugs_get_distinct_names_from_their_paths_whatever_the_order() -> None:
    keys = ["aaaaaaaa1", "bbbbbbbb2", "c", "d", "e", "ffffffff3"]
    names = batch.unique_slugs(["bereke", "bereke", None, "bereke-aaaaaaaa", "other", "bereke"], keys)
    # bereke-aaaaaaaa is another input's slug: it keeps it, and the clash is suffixed further
    assert names == ["bereke-aaaaaaaa-2", "bereke-bbbbbbbb", None, "bereke-aaaaaaaa", "other", "bereke-ffffffff"]


def test_batch_builds_good_inputs_and_isolates_bad_ones(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    named(inputs, "Bereke", "a.yaml")
    named(inputs, "Bereke", "b.yaml")  # the same slug: must not overwrite a.yaml's folder
    named(inputs, "Bad", "c.yaml", **{"membership.exit.payout_days": -1})
    (inputs / "d.yaml").write_text("coopdocs: 1\nfoo: [\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = invoke(str(inputs), "--out", str(out), "-j", "2", "--docs", "charter,disputes")
    assert code == 1, stderr
    a_slug, b_slug = (f"bereke-{path_key(inputs / f)[:8]}" for f in ("a.yaml", "b.yaml"))
    assert sorted(p.name for p in out.iterdir()) == sorted([a_slug, b_slug, "report.json"])
    for folder in (a_slug, b_slug):
        names = sorted(p.name for p in (out / folder).iterdir())
        assert names == sorted(
            ["coopdocs-manifest.json", *(f"{d}.{x}.docx" for d in ("charter", "disputes") for x in ("ru", "kk"))]
        )
    rows = items(out)
    assert [(r["input"].rsplit("/", 1)[-1], r["status"], r["slug"]) for r in rows] == [  # type: ignore[union-attr]
        ("a.yaml", "ok", a_slug),
        ("b.yaml", "ok", b_slug),
        ("c.yaml", "invalid", None),
        ("d.yaml", "invalid", None),
    ]
    assert rows[2]["errors"] == 1 and rows[2]["documents"] == []
    # structured diagnostics, as `validate --format json` gives them, and the cooperative's name (issue 18)
    (diag,) = [d for d in rows[2]["diagnostics"] if d["severity"] == "error"]  # type: ignore[union-attr,index]
    assert (diag["rule"], diag["path"]) == ("schema/min", "membership.exit.payout_days")  # type: ignore[index]
    assert isinstance(diag["line"], int) and diag["message"]  # type: ignore[index]
    assert any("error[schema/min] \"Days to pay a leaving member's share" in d for d in rows[2]["diagnostics_text"])  # type: ignore[union-attr]
    assert rows[0]["name"] == {"ru": "Береке", "kk": "Береке", "en": "Bereke"}
    assert all(isinstance(r["duration"], float) for r in rows)
    assert report(out)["summary"] == {"total": 4, "ok": 2, "invalid": 2}
    table = stdout.replace(str(inputs) + "/", "")
    assert re.search(r"c\.yaml +Bad +invalid", table) and re.search(r"a\.yaml +Bereke +ok", table), table
    assert table.splitlines()[0].split()[:3] == ["input", "cooperative", "status"]
    assert "4 input(s): 2 invalid, 2 ok" in stderr


def test_all_good_inputs_exit_0_and_quiet_lines_when_not_a_terminal(tmp_path: Path) -> None:
    a = named(tmp_path, "Alpha", "a.yaml")
    out = tmp_path / "out"
    code, stdout, stderr = invoke(str(a), "--out", str(out), "-j", "1", "--docs", "charter", "--lang", "ru")
    assert code == 0, stderr
    assert f"[1/1] ok {a} -> alpha (" in stderr
    assert sorted(p.name for p in (out / "alpha").iterdir()) == ["charter.ru.docx", "coopdocs-manifest.json"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_an_item_that_raises_is_a_crash_with_a_saved_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build.build_trees

    def flaky(coop: object, options: build.Options) -> object:
        if build.folder_name(coop) == "boom":  # type: ignore[arg-type]
            raise RuntimeError("simulated bug")
        return real(coop, options)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "build_trees", flaky)  # inherited by the forked workers
    good, bad = named(tmp_path, "Good", "a.yaml"), named(tmp_path, "Boom", "b.yaml")
    out = tmp_path / "out"
    code, _, stderr = invoke(str(bad), str(good), "--out", str(out), "-j", "2", "--docs", "charter")
    assert code == 123
    rows = items(out)
    assert [r["status"] for r in rows] == ["crashed", "ok"]
    saved = Path(str(rows[0]["traceback"]))
    try:
        assert "RuntimeError: simulated bug" in saved.read_text(encoding="utf-8")
        assert f"the traceback was saved to {saved}" in stderr
    finally:
        saved.unlink()
    assert sorted(p.name for p in out.iterdir()) == ["good", "report.json"]


def test_a_worker_that_dies_takes_down_only_its_own_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build.build_trees

    def fatal(coop: object, options: build.Options) -> object:
        if build.folder_name(coop) == "dies":  # type: ignore[arg-type]
            os._exit(9)  # as a segfault or the OOM killer would
        return real(coop, options)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "build_trees", fatal)
    inputs = [named(tmp_path, name, f"{i}.yaml") for i, name in enumerate(("One", "Dies", "Three", "Four"))]
    out = tmp_path / "out"
    result = batch.run_batch(inputs, out, batch.BatchOptions(docs=("charter",), langs=("ru",)), jobs=2)
    assert [i.status for i in result.items] == ["ok", "crashed", "ok", "ok"]
    assert result.exit_code == 123
    assert result.items[1].traceback is not None
    Path(result.items[1].traceback).unlink()
    assert sorted(p.name for p in out.iterdir()) == ["four", "one", "report.json", "three"]


def test_interrupt_keeps_finished_items_and_reports_the_rest_as_cancelled(tmp_path: Path) -> None:
    inputs = [named(tmp_path, f"Coop {i}", f"{i}.yaml") for i in range(6)]
    out = tmp_path / "out"

    def interrupt(progress: batch.Progress) -> None:
        raise KeyboardInterrupt  # as Ctrl-C would, in the parent, after the first item

    options = batch.BatchOptions(docs=("charter",), langs=("ru",))
    result = batch.run_batch(inputs, out, options, jobs=1, on_progress=interrupt)
    assert result.interrupted and result.exit_code == 130
    statuses = [i.status for i in result.items]
    assert statuses[0] == "ok" and "cancelled" in statuses and set(statuses) == {"ok", "cancelled"}
    assert report(out)["interrupted"] is True
    for item in result.items:
        assert (out / f"coop-{item.index}").is_dir() == (item.status == "ok")
        if item.status == "ok":
            assert (out / f"coop-{item.index}" / "coopdocs-manifest.json").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_batch_without_out_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = invoke(str(BEREKE))
    assert code == 2
    assert "--out" in stderr


def test_bench_quick_mode_runs_end_to_end(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    for heading in ("## Machine", "validate", "DOCX set", "PDF", "batch", "naive", "cold start", "cache warm"):
        assert heading in text
    assert "ratio" in text.lower()


def test_build_one_writes_a_valid_input_and_nothing_for_an_invalid_one(tmp_path: Path) -> None:
    options = batch.BatchOptions(docs=("charter",), langs=("ru",))
    good = batch.build_one(named(tmp_path, "Solo", "a.yaml"), tmp_path / "out", options, None)
    assert (good.status, good.slug, good.documents) == ("ok", "solo", ("charter.ru.docx",))
    assert (tmp_path / "out" / "solo" / "charter.ru.docx").is_file()
    bad_input = named(tmp_path, "Bad", "b.yaml", **{"membership.exit.payout_days": -1})
    bad = batch.build_one(bad_input, tmp_path / "out", options, None)
    assert (bad.status, bad.slug, bad.errors) == ("invalid", None, 1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["solo"]
