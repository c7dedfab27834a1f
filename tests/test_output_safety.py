"""What coopdocs may replace in OUT/<slug>/ (issue 13, items 1 and 2).

coopdocs replaces only the files it wrote (listed, with an unchanged SHA-256, in the folder's
manifest); user files are kept; edited outputs, another cooperative's folder and link or file
targets are refused; writers to one target are serialised by a lock; staging folders of killed
writers are cleaned; batch folder names do not depend on input order. DOCX only (fast).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from coopdocs.commands import batch
from coopdocs.writers import outfolder
from coopdocs.writers.manifest import MANIFEST, Output, path_key
from tests.support import BEREKE, ROOT, write_patched

ONE = ("--docs", "charter", "--lang", "ru")
TWO = ("--docs", "charter,disputes", "--lang", "ru")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def build(source: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return invoke("build", str(source), "--out", str(out), *(extra or ONE))


def manifest_of(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return data


def assert_consistent(folder: Path) -> None:
    """The manifest lists exactly the outputs' files, each with its SHA-256."""
    outputs = manifest_of(folder)["outputs"]
    assert isinstance(outputs, list) and outputs
    for entry in outputs:
        digest = hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["file"]


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def other_cooperative(tmp_path: Path) -> Path:
    """Another cooperative whose folder name is also `bereke` (no name in common with Береке)."""
    names = {"ru": "Берекет-Плюс", "kk": "Берекет-Плюс", "en": "BEREKE!"}
    return write_patched(tmp_path, {"cooperative.name": names}, name="other.yaml")


# ---------------------------------------------------------------------------------------------
# Item 1: only what coopdocs wrote is replaced


def test_user_files_and_folders_are_kept_on_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out, *TWO)[0] == 0
    folder = out / "bereke"
    (folder / "signed-scan.pdf").write_bytes(b"%PDF signed by the founders")
    (folder / "notes").mkdir()
    (folder / "notes" / "call.txt").write_text("called the notary", encoding="utf-8")
    code, _, err = build(BEREKE, out)  # the charter only: disputes.ru.docx is no longer produced
    assert code == 0, err
    assert (folder / "signed-scan.pdf").read_bytes() == b"%PDF signed by the founders"
    assert (folder / "notes" / "call.txt").read_text(encoding="utf-8") == "called the notary"
    assert not (folder / "disputes.ru.docx").exists()  # coopdocs' own unchanged output: removed
    assert sorted(p.name for p in folder.iterdir()) == ["charter.ru.docx", MANIFEST, "notes", "signed-scan.pdf"]
    assert_consistent(folder)
    assert hidden(out) == []


def test_an_edited_output_is_refused_then_replaced_with_overwrite_edited(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out)[0] == 0
    charter = out / "bereke" / "charter.ru.docx"
    charter.write_bytes(charter.read_bytes() + b"the lawyer's edits")
    edited = charter.read_bytes()
    code, stdout, err = build(BEREKE, out)
    assert code == 3
    assert "charter.ru.docx changed since coopdocs wrote them" in err
    assert "--overwrite-edited" in err
    assert stdout == ""
    assert charter.read_bytes() == edited
    code, _, err = build(BEREKE, out, *ONE, "--overwrite-edited")
    assert code == 0, err
    assert charter.read_bytes() != edited
    assert_consistent(out / "bereke")


def test_the_refusal_speaks_the_message_language(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out)[0] == 0
    (out / "bereke" / "charter.ru.docx").write_bytes(b"edited")
    code, _, err = build(BEREKE, out, *ONE, "--messages", "ru")
    assert code == 3
    assert "изменены после того, как coopdocs их записал" in err and "--overwrite-edited" in err


def test_an_edited_output_no_longer_produced_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out, *TWO)[0] == 0
    disputes = out / "bereke" / "disputes.ru.docx"
    disputes.write_bytes(b"edited by hand")
    assert build(BEREKE, out)[0] == 0
    assert disputes.read_bytes() == b"edited by hand"


def test_a_folder_without_a_manifest_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "bereke"
    folder.mkdir(parents=True)
    (folder / "charter.ru.docx").write_bytes(b"someone else's charter")
    (folder / "letter.txt").write_text("keep me", encoding="utf-8")
    code, _, err = build(BEREKE, tmp_path / "out")
    assert code == 3 and "charter.ru.docx" in err
    assert (folder / "charter.ru.docx").read_bytes() == b"someone else's charter"
    code, _, err = build(BEREKE, tmp_path / "out", "--docs", "disputes", "--lang", "ru")
    assert code == 0, err
    assert (folder / "charter.ru.docx").read_bytes() == b"someone else's charter"
    assert (folder / "letter.txt").read_text(encoding="utf-8") == "keep me"
    assert_consistent(folder)


def test_a_folder_in_the_place_of_an_output_is_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "out" / "bereke" / "charter.ru.docx").mkdir(parents=True)
    code, _, err = build(BEREKE, tmp_path / "out", *ONE, "--force")
    assert code == 3 and "charter.ru.docx" in err and "folder or a link" in err
    assert (tmp_path / "out" / "bereke" / "charter.ru.docx").is_dir()


# ---------------------------------------------------------------------------------------------
# Item 1: another cooperative's folder, links and files


def test_another_cooperatives_folder_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out)[0] == 0
    before = (out / "bereke" / "charter.ru.docx").read_bytes()
    code, _, err = build(other_cooperative(tmp_path), out)
    assert code == 3
    assert "another cooperative" in err and "«Береке»" in err and "«Берекет-Плюс»" in err
    assert "bereke.yaml" in err and "other.yaml" in err and "--force" in err
    assert (out / "bereke" / "charter.ru.docx").read_bytes() == before
    code, _, err = build(other_cooperative(tmp_path), out, *ONE, "--force")
    assert code == 0, err
    assert manifest_of(out / "bereke")["cooperative"] == {
        "name": {"ru": "Берекет-Плюс", "kk": "Берекет-Плюс", "en": "BEREKE!"}
    }


def test_a_changed_input_of_the_same_cooperative_is_not_another_cooperative(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out)[0] == 0
    changed = write_patched(tmp_path, {"membership.exit.payout_days": 60})
    code, _, err = build(changed, out)
    assert code == 0, err
    assert manifest_of(out / "bereke")["input"]["sha256"] == hashlib.sha256(changed.read_bytes()).hexdigest()  # type: ignore[index]


def test_the_identity_check_compares_bin_when_both_have_one() -> None:
    def info(sha: str, name: str, bin_: str | None) -> dict[str, object]:
        coop: dict[str, object] = {"name": {"ru": name}}
        if bin_:
            coop["bin"] = bin_
        return {"input": {"file": "x.yaml", "sha256": sha}, "cooperative": coop}

    assert outfolder.other_cooperative(info("a", "Береке", None), info("a", "Другой", None)) is None  # same input
    assert outfolder.other_cooperative(info("a", "Береке", None), info("b", "береке", None)) is None  # same name
    assert outfolder.other_cooperative(info("a", "Береке", "1"), info("b", "Новое имя", "1")) is None  # renamed
    assert outfolder.other_cooperative(info("a", "Береке", "1"), info("b", "Береке", "2")) is not None
    assert outfolder.other_cooperative(info("a", "Береке", None), info("b", "Другой", None)) is not None
    assert outfolder.other_cooperative({"input": {"sha256": "a"}}, info("b", "Другой", None)) is None  # older


def test_a_symlinked_target_is_refused_and_left_alone(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("mine", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "bereke").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = build(BEREKE, out)
    assert code == 3 and "symbolic link" in err
    assert (out / "bereke").is_symlink()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt"]
    assert hidden(out) == []


def test_a_file_in_place_of_the_target_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "bereke").write_text("a file, not a folder", encoding="utf-8")
    code, _, err = build(BEREKE, out)
    assert code == 3 and "is not a folder" in err
    assert (out / "bereke").read_text(encoding="utf-8") == "a file, not a folder"
    assert hidden(out) == []


def test_out_itself_may_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real-out"
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    assert build(BEREKE, tmp_path / "out")[0] == 0
    assert_consistent(real / "bereke")


# ---------------------------------------------------------------------------------------------
# Item 2: stale staging folders, the lock, killed and concurrent writers


def staging(out: Path, target: str, tag: str, *, marked: bool = True) -> Path:
    folder = out / f".{target}.{tag}.tmp"
    folder.mkdir(parents=True)
    (folder / "charter.ru.docx").write_bytes(b"half-written")
    if marked:
        (folder / outfolder.MARKER).write_text(json.dumps({"target": target, "pid": 1}), encoding="utf-8")
    return folder


def test_stale_staging_folders_are_cleaned_but_not_a_live_writers_or_foreign_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    own = staging(out, "bereke", "abcd1234")
    dead = staging(out, "alpha", "efgh5678")  # another target, its writer died
    live = staging(out, "gamma", "ijkl9012")  # another target, its writer is alive (holds the lock)
    unmarked = staging(out, "delta", "mnop3456", marked=False)  # not provably coopdocs'
    (out / ".epsilon.qrst7890.tmp").mkdir()  # empty, so no marker: perhaps another program's
    with (out / ".gamma.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        code, _, err = build(BEREKE, out)
        assert code == 0, err
        assert live.is_dir() and unmarked.is_dir() and (out / ".epsilon.qrst7890.tmp").is_dir()
        assert not own.exists() and not dead.exists()
    assert hidden(out) == [".delta.mnop3456.tmp", ".epsilon.qrst7890.tmp", ".gamma.ijkl9012.tmp", ".gamma.lock"]


KILLER = """
import os, sys
from coopdocs.cli import main

real, calls = os.rename, [0]
def rename(src, dst):
    calls[0] += 1
    if calls[0] == int(sys.argv[1]):
        os._exit(9)  # as kill -9 would, in the middle of moving the outputs in
    real(src, dst)
os.rename = rename
main(sys.argv[2:])
"""


@pytest.mark.parametrize("moment", [2, 3, 4])
def test_a_writer_killed_while_moving_files_in_is_recovered_by_the_next_run(tmp_path: Path, moment: int) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out, *TWO)[0] == 0
    changed = write_patched(tmp_path, {"membership.exit.payout_days": 60})  # other bytes in both documents
    args = ["build", str(changed), "--out", str(out), *TWO]
    killed = subprocess.run([sys.executable, "-c", KILLER, str(moment), *args], cwd=ROOT, capture_output=True)
    assert killed.returncode == 9, killed.stderr.decode()
    assert [p for p in hidden(out) if p.endswith(".tmp")]  # the killed writer's staging folder
    # The next run (of yet other bytes: the first input's) recognises the files of both runs.
    code, _, err = build(BEREKE, out, *TWO)  # no "changed since coopdocs wrote them"
    assert code == 0, err
    assert_consistent(out / "bereke")
    assert sorted(p.name for p in (out / "bereke").iterdir()) == ["charter.ru.docx", MANIFEST, "disputes.ru.docx"]
    assert hidden(out) == []


def test_a_failed_move_puts_the_previous_files_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert build(BEREKE, out, *TWO)[0] == 0
    folder = out / "bereke"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real, calls = os.rename, [0]

    def failing(src: object, dst: object) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", failing)
    code, _, err = build(write_patched(tmp_path, {"membership.exit.payout_days": 60}), out, *TWO)
    assert code == 3 and "No space left on device" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert hidden(out) == []


def outputs(tag: str) -> list[Output]:
    return [Output(f"{n}.ru.docx", f"{n} {tag}".encode() * 1000, n, "ru", "docx") for n in ("charter", "disputes")]


def test_threads_writing_one_target_are_serialised(tmp_path: Path) -> None:
    target = tmp_path / "out" / "bereke"
    info = {"input": {"file": "bereke.yaml", "sha256": "s"}, "cooperative": {"name": "Береке"}}
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for i in range(8):
                outfolder.write_folder(target, outputs(f"{tag}{i}"), info)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_consistent(target)
    assert hidden(target.parent) == []


def test_three_concurrent_builds_of_one_target_all_succeed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "coopdocs", "build", str(BEREKE), "--out", str(out), *TWO]
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    results = [(run.wait(), run.communicate()[1].decode()) for run in runs]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert_consistent(out / "bereke")
    assert sorted(p.name for p in (out / "bereke").iterdir()) == ["charter.ru.docx", MANIFEST, "disputes.ru.docx"]
    assert hidden(out) == []


# ---------------------------------------------------------------------------------------------
# batch: folder names that do not depend on input order; the same protections


def named(folder: Path, name: str, file: str) -> Path:
    return write_patched(folder, {"cooperative.name.en": name}, name=file)


def batch_run(out: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> dict[str, str | None]:
    result = CliRunner().invoke(main, ["batch", *map(str, inputs), "--out", str(out), "-j", "1", *ONE, *extra])
    assert result.exit_code in (0, 3), result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {Path(item["input"]).name: item["slug"] for item in report["items"]}


def test_batch_folder_names_do_not_depend_on_input_order(tmp_path: Path) -> None:
    a, b = named(tmp_path, "Bereke", "a.yaml"), named(tmp_path, "Bereke", "b.yaml")
    c = named(tmp_path, "Other", "c.yaml")
    first = batch_run(tmp_path / "one", a, b, c)
    second = batch_run(tmp_path / "two", c, b, a)
    assert first == second
    assert first == {"a.yaml": f"bereke-{path_key(a)[:8]}", "b.yaml": f"bereke-{path_key(b)[:8]}", "c.yaml": "other"}
    assert batch_run(tmp_path / "one", b, a, c) == first  # again into the same OUT, another order
    assert batch_run(tmp_path / "one", b) == {"b.yaml": first["b.yaml"]}  # alone: still its own folder


def test_batch_keeps_a_folder_for_the_input_it_was_written_from(tmp_path: Path) -> None:
    a, b = named(tmp_path, "Bereke", "a.yaml"), named(tmp_path, "Bereke", "b.yaml")
    out = tmp_path / "out"
    assert batch_run(out, a) == {"a.yaml": "bereke"}
    expected = {"a.yaml": "bereke", "b.yaml": f"bereke-{path_key(b)[:8]}"}
    assert batch_run(out, b, a) == expected
    assert batch_run(out, b) == {"b.yaml": expected["b.yaml"]}
    assert manifest_of(out / "bereke")["input"]["file"] == "a.yaml"  # type: ignore[index]


def test_unique_slugs_are_the_same_in_any_order() -> None:
    bases, keys = ["x", "x", None, "y", "x"], ["k1aaaaaaaa", "k2bbbbbbbb", "k3", "k4", "k5cccccccc"]
    names = batch.unique_slugs(bases, keys)
    assert names == ["x-k1aaaaaa", "x-k2bbbbbb", None, "y", "x-k5cccccc"]
    order = [4, 2, 0, 3, 1]
    assert batch.unique_slugs([bases[i] for i in order], [keys[i] for i in order]) == [names[i] for i in order]
    assert batch.unique_slugs(["x"], ["k9"], {"x": "k1"}) == ["x-k9"]  # OUT/x was written from another input


def test_batch_does_not_replace_another_cooperatives_folder_or_a_users_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(other_cooperative(tmp_path), out)[0] == 0
    theirs = (out / "bereke" / "charter.ru.docx").read_bytes()
    names = batch_run(out, BEREKE)
    assert names == {"bereke.yaml": f"bereke-{path_key(BEREKE)[:8]}"}
    assert (out / "bereke" / "charter.ru.docx").read_bytes() == theirs
    folder = out / names["bereke.yaml"]  # type: ignore[operator]
    (folder / "scan.pdf").write_bytes(b"scan")
    (folder / "charter.ru.docx").write_bytes(b"edited")
    result = CliRunner().invoke(main, ["batch", str(BEREKE), "--out", str(out), "-j", "1", *ONE])
    assert result.exit_code == 3
    assert "charter.ru.docx changed since coopdocs wrote them" in result.stderr
    assert (folder / "charter.ru.docx").read_bytes() == b"edited" and (folder / "scan.pdf").read_bytes() == b"scan"
    assert batch_run(out, BEREKE, extra=("--overwrite-edited",)) == names
    assert (folder / "scan.pdf").read_bytes() == b"scan"
    assert_consistent(folder)


# ---------------------------------------------------------------------------------------------
# amend: the same protections


def test_amend_keeps_user_files_and_refuses_edited_outputs(tmp_path: Path) -> None:
    old = write_patched(tmp_path, {}, name="old.yaml")
    new = write_patched(tmp_path, {"membership.exit.payout_days": 60}, name="new.yaml")
    out = tmp_path / "out"
    args = ["amend", str(old), str(new), "--out", str(out), "--lang", "ru"]
    assert invoke(*args)[0] == 0
    folder = out / "bereke-amendments"
    (folder / "signed-resolution.pdf").write_bytes(b"signed")
    edited = next(p for p in folder.iterdir() if p.suffix == ".docx")
    edited.write_bytes(b"edited")
    code, _, err = invoke(*args)
    assert code == 3 and edited.name in err and "--overwrite-edited" in err
    assert edited.read_bytes() == b"edited"
    code, _, err = invoke(*args, "--overwrite-edited")
    assert code == 0, err
    assert (folder / "signed-resolution.pdf").read_bytes() == b"signed"
    assert_consistent(folder)
    assert manifest_of(folder)["cooperative"] == {"name": {"ru": "Береке", "kk": "Береке", "en": "Bereke"}}


def test_batch_names_an_input_it_could_not_read_ahead_without_overwriting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "planned_slug", lambda path: None)  # as for an input too large to read ahead
    a, b = named(tmp_path, "Bereke", "a.yaml"), named(tmp_path, "Bereke", "b.yaml")
    assert batch_run(tmp_path / "out", a, b) == {"a.yaml": "bereke", "b.yaml": f"bereke-{path_key(b)[:8]}"}
