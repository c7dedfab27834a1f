"""`coopdocs amend`: clause-by-clause comparison by id, the list of amendments in the legal form,
the tracked-changes redline (checked in LibreOffice too), the new edition and the draft resolution."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands import amend, build
from coopdocs.inputs.model import Cooperative
from coopdocs.writers import redline
from coopdocs.writers.pdf import find_soffice, find_uno_python
from coopdocs.writers.render import docx_text
from tests.support import DEFAULT_PACK, write_patched

GOLDEN = Path(__file__).parent / "golden" / "amend"
EXAMPLE = Path(__file__).parents[1] / "examples" / "bereke.yaml"
# What a chair tried: entry fee 5 000 → 10 000, payout 90 → 60 days, board 3 → 5 (bereke.yaml otherwise).
CHAIR_NEW = Path(__file__).parent / "data" / "amend" / "chair-new.yaml"
W = redline.W
# Value changes, a clause appearing, a clause disappearing, and the renumbering they cause.
CHANGES = {
    "membership.exit.payout_days": 60,
    "membership.contributions.share.amount": 40000,
    "funds.social_support": True,
    "membership.contributions.entrance_fee": None,
}


def coop(path: Path) -> Cooperative:
    checked = check_file(path)
    assert checked.cooperative is not None and not checked.blocking
    return checked.cooperative


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("amend-in")
    return write_patched(folder, {}, name="old.yaml"), write_patched(folder, CHANGES, name="new.yaml")


@pytest.fixture(scope="module")
def package(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("amend-out")
    code, _, err = invoke("amend", str(files[0]), str(files[1]), "--out", str(out), "--meeting-date", "2026-06-15")
    assert code == 0, err
    return out / "bereke-amendments"


def diffs_for(tmp_path: Path, patch: dict[str, object]) -> dict[str, amend.DocumentDiff]:
    old = coop(write_patched(tmp_path, {}, name="old.yaml"))
    new = coop(write_patched(tmp_path, patch, name="new.yaml"))
    return {d.name: d for d in amend.compare_cooperatives(old, new, ("ru", "kk"))}


def list_text(tmp_path: Path, patch: dict[str, object], lang: str = "ru") -> str:
    old = coop(write_patched(tmp_path, {}, name="old.yaml"))
    new = coop(write_patched(tmp_path, patch, name="new.yaml"))
    diffs = amend.compare_cooperatives(old, new, (lang,))
    return "\n".join(redline.accepted(amend.list_paragraphs(diffs, old, lang, None)))


# --- comparison ----------------------------------------------------------------------------------


def test_value_change_rewords_the_clause_under_its_old_number(tmp_path: Path) -> None:
    diff = diffs_for(tmp_path, {"membership.exit.payout_days": 60})["charter"]
    assert amend.Change("clause_restated", "exit.payout_deadline", "5.8") in diff.changes
    assert not diff.clauses_renumbered and not diff.sections_renumbered
    text = list_text(tmp_path, {"membership.exit.payout_days": 60})
    assert "1) пункт 5.8 изложить в следующей редакции:\n«5.8. Выплата (выдача) доли производится в течение 60" in text


def test_clause_appearing_is_added_under_its_new_number(tmp_path: Path) -> None:
    diff = diffs_for(tmp_path, {"funds.social_support": True})["charter"]
    assert amend.Change("clause_added", "property.social_fund", "8.9") in diff.changes
    assert diff.clauses_renumbered == (("8.9", "8.10"), ("8.10", "8.11"), ("8.11", "8.12"), ("8.12", "8.13"))
    text = list_text(tmp_path, {"funds.social_support": True}, "kk")
    assert "мынадай мазмұндағы 8.9-тармақпен толықтырылсын:\n«8.9. " in text
    assert "8.9–8.12-тармақтар тиісінше 8.10–8.13-тармақтар болып есептелсін." in text


def test_clause_disappearing_is_deleted_under_its_old_number_and_the_rest_renumbered(tmp_path: Path) -> None:
    diffs = diffs_for(tmp_path, {"membership.contributions.entrance_fee": None})
    charter = diffs["charter"]
    assert amend.Change("clause_deleted", "contributions.entrance_fee", "4.7") in charter.changes
    assert charter.clauses_renumbered[0] == ("4.8", "4.7")
    assert not diffs["disputes"].changes
    text = list_text(tmp_path, {"membership.contributions.entrance_fee": None})
    assert "пункт 4.7 исключить;" in text
    assert "пункты 4.8–4.12 считать соответственно пунктами 4.7–4.11." in text
    assert "2. Изменения и дополнения в Положение о членстве" in text


def test_renumbering_groups_runs_on_both_sides() -> None:
    one, many = "{old} -> {new}", "{old} => {new}"
    pairs = [("4.8", "4.7"), ("4.9", "4.8"), ("4.10", "4.9"), ("8.9", "8.10"), ("8.10", "8.11")]
    assert amend._renumbering(pairs, one, many) == "4.8–4.10, 8.9, 8.10 => 4.7–4.9, 8.10, 8.11"
    assert amend._renumbering([("2.3", "2.2")], one, many) == "2.3 -> 2.2"


def test_amendment_list_matches_golden(tmp_path: Path) -> None:
    for lang in ("ru", "kk"):
        text = list_text(tmp_path, CHANGES, lang) + "\n"
        golden = GOLDEN / f"bereke-changes.{lang}.txt"
        if os.environ.get("COOPDOCS_UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"missing {golden}: run with COOPDOCS_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{golden} differs (COOPDOCS_UPDATE_GOLDEN=1 refreshes)"


# --- the package ---------------------------------------------------------------------------------


def test_package_holds_every_document_and_a_manifest(package: Path, files: tuple[Path, Path]) -> None:
    names = sorted(p.name for p in package.iterdir())
    per_lang = [
        "amendments",
        "charter-redline",
        "charter-new-edition",
        "membership-redline",
        "membership-new-edition",
        "resolution",
    ]
    assert names == sorted([*(f"{n}.{lang}.docx" for n in per_lang for lang in ("ru", "kk")), "coopdocs-manifest.json"])
    manifest = json.loads((package / "coopdocs-manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["old"]["sha256"] == hashlib.sha256(files[0].read_bytes()).hexdigest()
    assert manifest["input"]["new"]["sha256"] == hashlib.sha256(files[1].read_bytes()).hexdigest()
    for entry in manifest["outputs"]:
        assert hashlib.sha256((package / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


def test_package_is_byte_identical_across_runs(package: Path, files: tuple[Path, Path], tmp_path: Path) -> None:
    code, _, err = invoke("amend", str(files[0]), str(files[1]), "--out", str(tmp_path), "--meeting-date", "2026-06-15")
    assert code == 0, err
    again = tmp_path / "bereke-amendments"
    for path in package.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def _document_xml(path: Path) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("word/document.xml"))


def test_redline_holds_word_level_tracked_changes(package: Path) -> None:
    root = _document_xml(package / "charter-redline.ru.docx")
    ns = {"w": W}
    deleted = ["".join(d.itertext()) for d in root.iterfind(".//w:del", ns)]
    inserted = ["".join(i.itertext()) for i in root.iterfind(".//w:ins", ns)]
    assert "90" in deleted and "60" in inserted  # exit.payout_deadline: only the number is replaced
    # an amount is one token: «50 000» → «40 000», never «5040 000»; "тысяч)" stays
    assert {"50\u00a0000", "(пятьдесят"} <= set(deleted) and {"40\u00a0000", "(сорок"} <= set(inserted)
    assert any(text.startswith("4.7. Вступительный взнос") for text in deleted)  # the whole deleted clause
    assert any(text.startswith("8.9. Фонд стимулирования") for text in inserted)  # the whole added clause
    for change in [*root.iterfind(".//w:ins", ns), *root.iterfind(".//w:del", ns)]:
        assert change.get(f"{{{W}}}author") == "coopdocs"
        assert change.get(f"{{{W}}}date") == "2026-06-15T00:00:00Z"
    marks = root.findall(".//w:pPr/w:rPr/w:ins", ns) + root.findall(".//w:pPr/w:rPr/w:del", ns)
    assert marks, "whole inserted or deleted paragraphs must track their paragraph mark"
    ids = [c.get(f"{{{W}}}id") for c in root.iter(f"{{{W}}}ins", f"{{{W}}}del")]
    assert len(ids) == len(set(ids))


def test_redline_accepted_is_the_new_edition_and_rejected_the_old(files: tuple[Path, Path]) -> None:
    old, new = coop(files[0]), coop(files[1])
    request = amend.Request(("ru",))
    diffs = amend.compare_cooperatives(old, new, request.langs)
    outputs = {o.name: o.data for o in amend.build_outputs(old, new, diffs, request)}
    charter = next(d for d in diffs if d.name == "charter")
    before = charter.old.docs["ru"]
    after = amend.new_edition(charter.new.docs["ru"], new, None)
    signatures = [str(s) for s in amend.wording(new.pack)["signatures"]["ru"]]
    paras = amend.tracked(
        amend.blocks(before, charter.old.items, amend._page(old, before).closing),
        amend.blocks(after, charter.new.items, signatures),
    )
    assert redline.accepted(paras) == docx_text(outputs["charter-new-edition.ru.docx"])
    built = build.build_outputs(old, build.Options(docs=("charter",), langs=("ru",)))
    assert redline.rejected(paras) == docx_text(built[0].data)
    assert (
        docx_text(outputs["charter-new-edition.ru.docx"])[5] == "Потребительский кооператив «Береке» (новая редакция)"
    )


def test_resolution_takes_the_majority_from_old_and_names_registration(tmp_path: Path) -> None:
    old = write_patched(tmp_path, {"governance.general_meeting.quorum_percent": 60}, name="old.yaml")
    new = write_patched(
        tmp_path,
        {"governance.general_meeting.quorum_percent": 60, "governance.general_meeting.qualified.fraction": "3/4"},
        name="new.yaml",
    )
    code, _, err = invoke("amend", str(old), str(new), "--out", str(tmp_path / "out"), "--lang", "ru")
    assert code == 0, err
    folder = tmp_path / "out" / "bereke-amendments"
    text = "\n".join(docx_text((folder / "resolution.ru.docx").read_bytes()))
    assert "квалифицированным большинством не менее двух третей голосов" in text
    assert "трёх четвертей" not in text
    assert "более 60% от общего числа членов Кооператива" in text
    assert "(пункт 16.1 действующего Устава)" in text
    assert "документы для государственной регистрации изменений и дополнений в Устав" in text
    assert sorted(p.name for p in folder.iterdir())[0] == "amendments.ru.docx"


def test_no_difference_says_so_and_writes_nothing(files: tuple[Path, Path], tmp_path: Path) -> None:
    code, out, _ = invoke("amend", str(files[0]), str(files[0]), "--out", str(tmp_path / "out"))
    assert code == 0
    assert out.startswith("no difference:")
    assert not (tmp_path / "out").exists()


UNLAWFUL_OLD = {"governance.general_meeting.voting": "by_share", "disputes.court": False}


def test_unlawful_choices_in_old_are_reported_as_corrected_not_as_no_difference(tmp_path: Path) -> None:
    old = write_patched(tmp_path, UNLAWFUL_OLD, name="old.yaml")
    new = write_patched(tmp_path, {}, name="new.yaml")
    code, out, _ = invoke("amend", str(old), str(new), "--out", str(tmp_path / "out"))
    assert code == 0
    assert "no difference" not in out
    lines = out.splitlines()
    assert lines[0] == (
        "old.yaml (the current edition) has choices the legal rules report; the new edition corrects them:"
    )
    court = next(i for i, line in enumerate(lines) if "[KZ-PC-COURT]" in line)
    assert re.fullmatch(r"  \S*old\.yaml:\d+:\d+: warning\[KZ-PC-COURT\] disputes\.court: false → true", lines[court])
    assert lines[court + 1].startswith("    the charter takes away the members' right to go to court")
    assert lines[court + 2] == "    = law: Constitution of RK (2026) [unverified]"
    assert re.search(
        r"warning\[KZ-PC-VOTING-ONE-VOTE\] governance\.general_meeting\.voting: by_share → one_member_one_vote", out
    )
    assert "the documents' text does not change" in out and "adopt the charter in a new edition" in out
    assert not (tmp_path / "out").exists()


def test_corrections_are_listed_in_russian_and_recorded_in_the_manifest(tmp_path: Path) -> None:
    old = write_patched(tmp_path, UNLAWFUL_OLD, name="old.yaml")
    new = write_patched(tmp_path, {"membership.exit.payout_days": 60}, name="new.yaml")
    code, out, err = invoke("amend", str(old), str(new), "--out", str(tmp_path / "out"), "--messages", "ru")
    assert code == 0, err
    assert out.startswith(
        "В old.yaml (действующая редакция) есть положения, о которых сообщают правовые правила; "
        "новая редакция их исправляет:"
    )
    assert "    = закон: Конституция РК 2026 г. [не сверено]" in out
    assert "текст документов не меняется" not in out
    manifest = json.loads((tmp_path / "out" / "bereke-amendments" / "coopdocs-manifest.json").read_text("utf-8"))
    assert sorted(c["rule"] for c in manifest["corrects"]) == ["KZ-PC-COURT", "KZ-PC-VOTING-ONE-VOTE"]


def test_new_with_errors_is_reported_and_nothing_written(files: tuple[Path, Path], tmp_path: Path) -> None:
    bad = write_patched(tmp_path, {"membership.exit.payout_days": -1}, name="bad.yaml")
    code, _, err = invoke("amend", str(files[0]), str(bad), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "bad.yaml:" in err and "error[schema/min]" in err
    assert "NEW has errors, so no amendment package was written" in err
    assert not (tmp_path / "out").exists()


def test_a_language_missing_from_one_file_is_a_usage_error(files: tuple[Path, Path], tmp_path: Path) -> None:
    code, _, err = invoke("amend", str(files[0]), str(files[1]), "--out", str(tmp_path), "--lang", "en")
    assert code == 2
    assert "--lang en: both files must have the language" in err


# --- LibreOffice ---------------------------------------------------------------------------------

ACCEPT_SCRIPT = r"""
import subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

soffice, profile, src, dst = sys.argv[1:5]
pipe = "coopdocs-amend-" + uuid.uuid4().hex
proc = subprocess.Popen([soffice, "--headless", "--invisible", "--nologo", "--norestore",
                         "-env:UserInstallation=file://" + profile, "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 90
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    redlines = doc.getRedlines().createEnumeration()
    count = 0
    while redlines.hasMoreElements():
        redlines.nextElement()
        count += 1
    print(count, flush=True)
    helper = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    helper.executeDispatch(doc.getCurrentController().getFrame(), ".uno:AcceptAllTrackedChanges", "", 0, ())
    doc.storeToURL(uno.systemPathToFileUrl(dst),
                   (prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8")))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
"""


@pytest.mark.pdf_engine
def test_libreoffice_opens_the_redline_and_accepting_gives_the_new_edition(package: Path, tmp_path: Path) -> None:
    soffice, python = find_soffice(), find_uno_python()
    assert soffice is not None and python is not None  # the pdf_engine marker skips the test otherwise
    script = tmp_path / "accept.py"
    script.write_text(ACCEPT_SCRIPT, encoding="utf-8")
    dst = tmp_path / "accepted.txt"
    done = subprocess.run(
        [python, str(script), soffice, str(tmp_path / "profile"), str(package / "charter-redline.kk.docx"), str(dst)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) > 10  # LibreOffice sees the tracked changes
    accepted = [line.strip() for line in dst.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    expected = [line.strip() for line in docx_text((package / "charter-new-edition.kk.docx").read_bytes())]
    assert accepted == [line for line in expected if line]


# --- as a chair sees it: entry fee 5 000 → 10 000, payout 90 → 60 days, board 3 → 5 ----------------

FRAME_STYLES = {"Approval", "DocTitle", "DocSubtitle", "Signature"}


@pytest.fixture(scope="module")
def chair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("amend-chair")
    code, stdout, err = invoke(
        "amend", str(EXAMPLE), str(CHAIR_NEW), "--out", str(out), "--meeting-date", "2026-06-15", "--messages", "ru"
    )
    assert code == 0, err
    return out / "bereke-amendments", stdout


def test_chair_fixture_differs_from_the_example_in_exactly_three_values() -> None:
    changes = amend.input_changes(coop(EXAMPLE).data, coop(CHAIR_NEW).data)
    assert [(p, a, b) for p, a, b in changes] == [
        ("membership.contributions.entrance_fee.amount", 5000, 10000),
        ("membership.exit.payout_days", 90, 60),
        ("governance.board.size", 3, 5),
    ]


def test_terminal_summary_counts_changes_and_clauses_in_the_users_language(
    chair: tuple[Path, str], tmp_path: Path
) -> None:
    _, stdout = chair
    lines = stdout.splitlines()
    assert lines[0] == "3 изменения в данных → 7 пунктов устава, 6 пунктов положения о членстве"
    assert "  Число членов правления: 3 → 5" in lines  # a field in words, never a YAML path
    assert not any("governance." in line for line in lines)
    assert "  решение собрания также нужно: избрание дополнительных членов правления" in lines
    assert lines[-1].endswith("resolution.kk.docx")
    _, kk, _ = invoke("amend", str(EXAMPLE), str(CHAIR_NEW), "--out", str(tmp_path), "--messages", "kk")
    assert kk.splitlines()[0] == "деректердегі 3 өзгеріс → Жарғының 7 тармағы, Мүшелік туралы ереженің 6 тармағы"
    assert "  Басқарма мүшелерінің саны: 3 → 5" in kk.splitlines()
    _, lawyer, _ = invoke(
        "amend", str(EXAMPLE), str(CHAIR_NEW), "--out", str(tmp_path / "lawyer"), "--audience", "lawyer"
    )
    assert "  governance.board.size: 3 → 5" in lawyer.splitlines()


def test_plural_forms_follow_russian_english_and_kazakh_rules() -> None:
    forms = ["пункт", "пункта", "пунктов"]
    assert [amend.plural(n, forms, "ru") for n in (1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111)] == [
        "пункт", "пункта", "пункта", "пунктов", "пунктов", "пунктов", "пункт", "пункта", "пунктов", "пункт", "пунктов",
    ]  # fmt: skip
    assert [amend.plural(n, ["clause", "clauses"], "en") for n in (1, 2)] == ["clause", "clauses"]
    assert amend.plural(7, ["тармақ"], "kk") == "тармақ"


def test_json_summary_gives_the_same_data(chair: tuple[Path, str], tmp_path: Path) -> None:
    code, stdout, err = invoke(
        "amend", str(EXAMPLE), str(CHAIR_NEW), "--out", str(tmp_path), "--date", "2026-06-15", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(stdout)
    assert len(data["input_changes"]) == 3
    assert {n: d["amendments"] for n, d in data["documents"].items()} == {"charter": 7, "membership": 6, "disputes": 0}
    assert data["decisions"] == ["elect_board"]
    assert [Path(f).name for f in data["files"]][0] == "amendments.ru.docx"
    assert (tmp_path / "bereke-amendments" / "charter-redline.ru.docx").is_file()  # json: docx still written
    manifest = json.loads((tmp_path / "bereke-amendments" / "coopdocs-manifest.json").read_text("utf-8"))
    assert manifest["summary"] == {k: data[k] for k in ("input_changes", "documents", "decisions")}


def _paragraphs(path: Path) -> list[tuple[str, etree._Element]]:
    ns = {"w": W}
    return [
        (str(p.find("w:pPr/w:pStyle", ns).get(f"{{{W}}}val")), p)
        for p in _document_xml(path).iterfind(".//w:body/w:p", ns)
    ]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_redline_replaces_title_approval_and_signatures_as_whole_blocks(chair: tuple[Path, str], lang: str) -> None:
    ns = {"w": W}
    frame = [(style, p) for style, p in _paragraphs(chair[0] / f"charter-redline.{lang}.docx") if style in FRAME_STYLES]
    marks = []
    for _, p in frame:
        mark = p.find("w:pPr/w:rPr/*", ns)
        children = [etree.QName(c).localname for c in p if etree.QName(c).localname != "pPr"]
        assert mark is not None, "a title/approval/signature paragraph is either unchanged or replaced whole"
        assert children == [etree.QName(mark).localname], "no word-level change inside a title or approval block"
        marks.append(etree.QName(mark).localname)
    # the old frame deleted as a whole, then the new one inserted: del…del ins…ins, head and signatures
    head = marks[: marks.index("ins") + marks[marks.index("ins") :].index("del")] if "del" in marks[1:] else marks
    assert head == sorted(head, key=lambda m: m != "del") and "del" in head and "ins" in head
    deleted = ["".join(p.itertext()) for _, p in frame if p.find("w:pPr/w:rPr/w:del", ns) is not None]
    assert any("1 марта 2026" in t or "2026 жылғы 1 наурыз" in t for t in deleted)  # the founders' approval block


def test_redline_diffs_amounts_as_whole_tokens_and_dates_changes_with_the_resolution(chair: tuple[Path, str]) -> None:
    ns = {"w": W}
    root = _document_xml(chair[0] / "charter-redline.ru.docx")
    deleted = ["".join(d.itertext()) for d in root.iterfind(".//w:del", ns)]
    inserted = ["".join(i.itertext()) for i in root.iterfind(".//w:ins", ns)]
    assert "5\u00a0000" in deleted and "10\u00a0000" in inserted
    assert "5" not in deleted and "10" not in inserted  # never «510 000»
    clause = next("".join(p.itertext()) for _, p in _paragraphs(chair[0] / "charter-redline.ru.docx")
                  if "".join(p.itertext()).startswith("4.7."))  # fmt: skip
    assert "5\u00a000010\u00a0000" in clause  # deleted then inserted, each whole
    dates = {c.get(f"{{{W}}}date") for c in root.iter(f"{{{W}}}ins", f"{{{W}}}del")}
    assert dates == {"2026-06-15T00:00:00Z"}
    manifest = json.loads((chair[0] / "coopdocs-manifest.json").read_text("utf-8"))
    assert manifest["tracked_changes_date"] == {"date": "2026-06-15", "source": "meeting_date"}


def test_without_a_date_tracked_changes_are_dated_today_and_the_manifest_says_so(tmp_path: Path) -> None:
    import datetime as dt

    code, _, err = invoke("amend", str(EXAMPLE), str(CHAIR_NEW), "--out", str(tmp_path), "--lang", "ru")
    assert code == 0, err
    folder = tmp_path / "bereke-amendments"
    manifest = json.loads((folder / "coopdocs-manifest.json").read_text("utf-8"))
    today = manifest["tracked_changes_date"]["date"]
    assert manifest["tracked_changes_date"]["source"] == "today"
    assert today in {dt.date.today().isoformat(), (dt.date.today() - dt.timedelta(days=1)).isoformat()}
    root = _document_xml(folder / "charter-redline.ru.docx")
    assert {c.get(f"{{{W}}}date") for c in root.iter(f"{{{W}}}ins", f"{{{W}}}del")} == {f"{today}T00:00:00Z"}


def test_resolution_elects_the_added_board_members_and_states_quorum_and_votes(chair: tuple[Path, str]) -> None:
    ru = "\n".join(docx_text((chair[0] / "resolution.ru.docx").read_bytes()))
    assert "об избрании дополнительных членов правления Кооператива в связи с увеличением" in ru
    assert "с 3 до 5 членов избрать дополнительно к действующему составу членами правления" in ru
    assert ru.count("________________________ (фамилия, имя, отчество, ИИН)") == 2  # two seats added
    assert "более 50% от общего числа членов Кооператива (пункт 10.10 действующего Устава)" in ru
    assert "на собрании присутствуют ____ членов Кооператива" in ru and "кворум имеется (не имеется)" in ru
    assert "(требуется не менее двух третей голосов присутствующих): «за» — ____; «против» — ____;" in ru
    assert "по вопросу об избрании дополнительных членов правления (требуется более 50% голосов" in ru
    kk = "\n".join(docx_text((chair[0] / "resolution.kk.docx").read_bytes()))
    assert "3 мүшеден 5 мүшеге дейін ұлғаюына байланысты" in kk
    assert "(қолданыстағы Жарғының 10.10-тармағы)" in kk and "кворум бар (жоқ)" in kk


def test_decisions_follow_the_table_of_changes(tmp_path: Path) -> None:
    old = coop(write_patched(tmp_path, {}, name="old.yaml"))

    def decided(patch: dict[str, object]) -> tuple[str, ...]:
        return amend.required_decisions(old, coop(write_patched(tmp_path, patch, name="new.yaml")))

    assert decided({"governance.board.size": 5}) == ("elect_board",)
    assert decided({"governance.board.size": 3}) == ()
    larger_share = {"membership.contributions.share.amount": 60000}
    larger_share |= {f"founding.founders[{i}].share_contribution": 100000 for i in range(3)}
    assert decided({"governance.audit.size": 5, **larger_share}) == (
        "elect_audit",
        "share_top_up",
    )
    assert decided({"membership.contributions.share.amount": 40000}) == ()  # a smaller share needs no top-up


def test_resolution_without_decisions_has_no_election(files: tuple[Path, Path], package: Path) -> None:
    ru = "\n".join(docx_text((package / "resolution.ru.docx").read_bytes()))
    assert "дополнительных членов правления" not in ru and "разницы" not in ru


def _marked(path: Path) -> str:
    """The redline as text: [-deleted-] and [+inserted+], one paragraph a line."""
    lines = []
    for _, p in _paragraphs(path):
        parts = []
        for child in p:
            name, text = etree.QName(child).localname, "".join(child.itertext())
            parts.append({"ins": f"[+{text}+]", "del": f"[-{text}-]", "r": text}.get(name, ""))
        lines.append("".join(parts))
    return "\n".join(lines) + "\n"


def test_chair_package_matches_golden(chair: tuple[Path, str]) -> None:
    folder, stdout = chair
    texts = {
        "chair-summary.ru.txt": "\n".join(line for line in stdout.splitlines() if not line.startswith("/")) + "\n",
        "chair-charter-redline.ru.txt": _marked(folder / "charter-redline.ru.docx"),
        "chair-membership-redline.kk.txt": _marked(folder / "membership-redline.kk.docx"),
        **{
            f"chair-resolution.{lang}.txt": "\n".join(docx_text((folder / f"resolution.{lang}.docx").read_bytes()))
            + "\n"
            for lang in ("ru", "kk")
        },
    }
    for name, text in texts.items():
        golden = GOLDEN / name
        if os.environ.get("COOPDOCS_UPDATE_GOLDEN") == "1":
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"missing {golden}: run with COOPDOCS_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{golden} differs (COOPDOCS_UPDATE_GOLDEN=1 refreshes)"


def test_json_output_stays_json_when_old_is_corrected_or_nothing_changes(tmp_path: Path) -> None:
    old = write_patched(tmp_path, UNLAWFUL_OLD, name="old.yaml")
    new = write_patched(tmp_path, {"membership.exit.payout_days": 60}, name="new.yaml")
    code, out, err = invoke("amend", str(old), str(new), "--out", str(tmp_path / "a"), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["input_changes"][-1]["path"] == "membership.exit.payout_days"
    assert "the new edition corrects them" in err
    same = write_patched(tmp_path, {}, name="same.yaml")
    documents = amend.wording(DEFAULT_PACK)["documents"]
    assert documents == ["charter", "membership", "disputes"]
    code, out, err = invoke("amend", str(same), str(same), "--out", str(tmp_path / "b"), "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "input_changes": [],
        "documents": {n: {"amendments": 0, "sections_renumbered": 0, "clauses_renumbered": 0} for n in documents},
        "decisions": [],
        "folder": None,
        "files": [],
    }
    assert err.splitlines()[-1].startswith("no difference:")
