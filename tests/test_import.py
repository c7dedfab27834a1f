"""`coopdocs import`: a charter coopdocs wrote reads back to the input it was built from, no value
wrong; a folder of the founding documents; the commented draft; errors; `init --resume` on a draft."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from coopdocs.charters import importing, reading
from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from tests.support import DEFAULT_PACK, DELETE, ROOT, first_page_picture, write_patched

VARIANT = {
    "cooperative.name": {"ru": "Достык", "kk": "Достық", "en": "Dostyk"},
    "cooperative.short_name": DELETE,
    "membership.contributions.share.amount": 120000,
    "founding.founders[0].share_contribution": 120000,
    "founding.founders[1].share_contribution": 120000,
    "founding.founders[2].share_contribution": 150000,
    "membership.contributions.entrance_fee.amount": 7500,
    "membership.exit.payout_days": 60,
    "membership.exit.notice_days": 45,
    "governance.board.size": 5,
    "governance.general_meeting.qualified.fraction": "3/4",
    "founding.meeting_date": "2027-02-14",
    "cooperative.location.address": {"ru": "ул. Толе би, д. 7", "kk": "Төле би к-сі, 7 үй"},
}


def _build(tmp_path: Path, source: Path, docs: str, fmt: str, lang: str = "ru,kk", layout: str = "") -> Path:
    out = tmp_path / "out"
    options = ["--layout", layout] if layout else []
    result = CliRunner().invoke(
        main, ["build", str(source), "--out", str(out), "--docs", docs, "--format", fmt, "--lang", lang, *options]
    )
    assert result.exit_code == 0, result.output
    return next(out.iterdir())


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("variant")
    source = write_patched(tmp, VARIANT)
    return source, _build(tmp, source, "charter,membership,disputes,minutes,application", "docx")


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_charter_reads_back_with_no_wrong_value(variant: tuple[Path, Path], lang: str) -> None:
    source, folder = variant
    coop = check_file(source).cooperative
    assert coop is not None
    result = importing.import_path(folder / f"charter.{lang}.docx")
    stated = importing.stated_paths(coop, "charter", lang)
    compared = importing.compare(result, coop.data, stated)
    assert compared["wrong"] == []
    # every value the charter states is read exactly, or listed as uncertain
    assert set(compared["missing"]) <= {f.path for f in result.uncertain}, compared["missing"]
    assert len(compared["exact"]) >= 0.9 * len(stated)
    values = {f.path: f.value for f in result.found}
    assert values["membership.contributions.share.amount"] == 120000
    assert values["membership.exit.payout_days"] == 60
    assert values["governance.board.size"] == 5
    assert values["governance.general_meeting.qualified.fraction"] == "3/4"
    assert values["cooperative.name"] == {"ru": "Достык", "kk": "Достық"}[lang]
    assert str(values["founding.meeting_date"]) == "2027-02-14"
    # the location line («…, 040800, Алматинская область, г. Конаев, ул. Толе би, д. 7.»): its parts
    assert values["cooperative.location.region"] == {"ru": "Алматинская область", "kk": "Алматы облысы"}[lang]
    assert values["cooperative.location.locality"] == {"ru": "г. Конаев", "kk": "Қонаев қ."}[lang]
    assert values["cooperative.location.address"] == VARIANT["cooperative.location.address"][lang]  # type: ignore[index]
    # every value names the clause it was read from, as the charter numbers it
    share = next(f for f in result.found if f.path == "membership.contributions.share.amount")
    assert share.source.label == "4.2." and "120 000" in share.source.quote


def test_a_changed_clause_is_not_read_wrong(variant: tuple[Path, Path], tmp_path: Path) -> None:
    """A charter edited by hand after coopdocs wrote it: the edited clause no longer reads as any
    rendering of its template, so its value is left out rather than guessed."""
    _, folder = variant
    text = "\n".join(p.text for p in importing.read_documents(folder / "charter.ru.docx")[0].paragraphs)
    edited = text.replace("120 000 (сто двадцать тысяч) тенге", "120 000 (сто двадцать тысяч) тенге или 200 000 тенге")
    assert edited != text
    path = tmp_path / "charter.txt"
    path.write_text(edited, encoding="utf-8")
    result = importing.import_path(path)
    values = {f.path: f.value for f in result.found}
    assert "membership.contributions.share.amount" not in values
    assert values["membership.exit.payout_days"] == 60


def test_folder_cli_writes_commented_draft_that_validate_reads(variant: tuple[Path, Path], tmp_path: Path) -> None:
    _, folder = variant
    ru = tmp_path / "docs"
    ru.mkdir()
    for f in folder.glob("*.docx"):
        (ru / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "coop.yaml"
    result = CliRunner().invoke(main, ["import", str(ru), "-o", str(out), "--messages", "ru", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["counts"]["found"] > 60
    text = out.read_text(encoding="utf-8")
    assert "charter.ru.docx 4.2." in text  # the source of a value as a YAML comment
    assert "# Не найдено в документах" not in text  # every required value is found (below)
    data = YAML(typ="safe", pure=True).load(text)
    assert data["membership"]["contributions"]["share"]["amount"] == 120000
    # the founders, their IINs and shares come from the minutes; who signs, from the charter's signatures
    founders = data["founding"]["founders"]
    assert [f["iin"] if f["kind"] == "person" else f["bin"] for f in founders] == [
        "850214300129",
        "900517400154",
        "150340012340",
    ]
    assert [f["share_contribution"] for f in founders] == [120000, 120000, 150000]
    assert founders[2]["representative"]["iin"] == "840719355239"
    assert founders[0]["name"] == {"ru": "Ахметов Серик Болатович", "kk": "Ахметов Серік Болатұлы"}
    assert str(data["founding"]["meeting_date"]) == "2027-02-14"
    assert data["signatories"]["charter"] == [0, 1, 2]
    elected = data["founding"]["elected"]  # the minutes' elections: founders by number, others by name and IIN
    assert elected["chair"] == 0 and elected["board"][:2] == [0, 1]
    assert elected["board"][2] == {
        "name": {"ru": "Жумабаев Ерлан Маратович", "kk": "Жұмабаев Ерлан Маратұлы"},
        "iin": "840719355239",
    }
    assert [p["iin"] for p in elected["audit"]] == ["881105341726", "920226430188", "751230611876"]
    assert data["cooperative"]["purpose"][0]["ru"].startswith("совместная закупка")
    # the documents state every required value, the location's parts too
    assert payload["missing"] == []
    assert data["cooperative"]["location"]["locality"] == {"ru": "г. Конаев", "kk": "Қонаев қ."}
    assert data["cooperative"]["location"]["address"] == {"ru": "ул. Толе би, д. 7", "kk": "Төле би к-сі, 7 үй"}
    assert data["cooperative"]["name"] == {"ru": "Достык", "kk": "Достық"}
    assert data["source_numbering"]["charter"]["contributions.share_amount"] == "4.2."
    again = CliRunner().invoke(main, ["import", str(ru), "-o", str(out)])
    assert again.exit_code == 3 and "already exists" in again.output


LINE = {"ru": "Алматинская область, г. Конаев, ул. Толе би, д. 7", "kk": "Алматы облысы, Қонаев қ., Төле би к-сі, 7 үй"}


@pytest.mark.parametrize(
    ("lang", "line", "parts"),
    [
        # a locality with a district, an address with a city district: cut where the settlement ends
        (
            "ru",
            "Туркестанская область, Сайрамский район, село Аксукент, район Центральный, ул. Абая, д. 5",
            ("Туркестанская область", "Сайрамский район, село Аксукент", "район Центральный, ул. Абая, д. 5"),
        ),
        (
            "kk",
            "Түркістан облысы, Сайрам ауданы, Ақсукент ауылы, Абай к-сі, 5 үй",
            ("Түркістан облысы", "Сайрам ауданы, Ақсукент ауылы", "Абай к-сі, 5 үй"),
        ),
        # a city of republican significance: region and locality may be written both, or once
        ("ru", "город Астана, г. Астана, пр. Республики, д. 1", ("город Астана", "г. Астана", "пр. Республики, д. 1")),
        ("ru", "г. Алматы, ул. Абая, д. 1, офис 4", ("г. Алматы", "г. Алматы", "ул. Абая, д. 1, офис 4")),
        ("kk", "Шымкент қ., Абай к-сі, 1 үй", ("Шымкент қ.", "Шымкент қ.", "Абай к-сі, 1 үй")),
        # not a region of the list, or a locality that does not name a settlement: not read
        ("ru", "Алматинский край, г. Конаев, ул. Толе би, д. 7", None),
        ("ru", "Алматинская область, Конаев, ул. Толе би, д. 7", None),
        ("kk", "Алматы облысы, Қонаев, Төле би к-сі, 7 үй", None),
    ],
)
def test_location_line_is_cut_only_where_one_cut_reads(
    variant: tuple[Path, Path], tmp_path: Path, lang: str, line: str, parts: tuple[str, str, str] | None
) -> None:
    """The charter writes region, locality and address as one line, commas only between them: read
    when exactly one cut reads back as on file and as a region of the closed list, a locality that
    ends with a settlement and an address; otherwise all three are left uncertain, never wrong."""
    _, folder = variant
    text = "\n".join(p.text for p in importing.read_documents(folder / f"charter.{lang}.docx")[0].paragraphs)
    assert text.count(LINE[lang]) == 1
    path = tmp_path / "charter.txt"
    path.write_text(text.replace(LINE[lang], line), encoding="utf-8")
    result = importing.import_path(path)
    values = {f.path: f.value for f in result.found}
    names = ("cooperative.location.region", "cooperative.location.locality", "cooperative.location.address")
    if parts is None:
        assert not set(names) & set(values)
        assert set(names) <= {f.path for f in result.uncertain}
    else:
        assert tuple(values.get(name) for name in names) == parts
    assert values["membership.exit.payout_days"] == 60


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["import", str(tmp_path / "nope.pdf"), "-o", str(tmp_path / "c.yaml")])
    assert missing.exit_code == 2
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    result = CliRunner().invoke(main, ["import", str(broken), "-o", str(tmp_path / "c.yaml"), "--messages", "en"])
    assert result.exit_code == 1
    assert "not a readable PDF" in result.output or "without a text layer" in result.output
    assert not (tmp_path / "c.yaml").exists()


def test_amend_old_charter_cites_the_registered_numbering(tmp_path: Path) -> None:
    """The chair's case (entrance fee 5 000 -> 10 000, payout 90 -> 60 days, board 3 -> 5) against a
    registered charter whose sections are numbered one higher than coopdocs numbers them: the list of
    amendments and the resolution cite the registered numbers."""
    import re

    from coopdocs.writers.render import docx_text
    from tests.support import BEREKE

    built = _build(tmp_path, BEREKE, "charter", "docx", "ru")
    lines = []
    for paragraph in importing.read_documents(built / "charter.ru.docx")[0].paragraphs:
        text = re.sub(r"^(\d+)\.(\d+)\. ", lambda m: f"{int(m[1]) + 1}.{m[2]}. ", paragraph.text)
        lines.append(re.sub(r"^(\d+)\. ", lambda m: f"{int(m[1]) + 1}. ", text))
    registered = tmp_path / "registered.txt"
    registered.write_text("\n".join(lines), encoding="utf-8")
    new = write_patched(
        tmp_path,
        {
            "membership.contributions.entrance_fee.amount": 10000,
            "membership.exit.payout_days": 60,
            "governance.board.size": 5,
        },
        name="new.yaml",
    )
    out = tmp_path / "amend"
    args = ["amend", "--old-charter", str(registered), str(new), "--out", str(out), "--lang", "ru"]
    result = CliRunner().invoke(main, [*args, "--meeting-date", "2027-03-01"])
    assert result.exit_code == 0, result.output
    assert "source_numbering" not in result.output
    folder = next(out.iterdir())
    listing = "\n".join(docx_text((folder / "amendments.ru.docx").read_bytes()))
    # coopdocs numbers these 4.7, 5.8 and 11.1; the registered charter 5.7, 6.8 and 12.1
    assert "пункт 5.7 изложить в следующей редакции" in listing
    assert "пункт 6.8 изложить в следующей редакции" in listing
    assert "пункт 12.1 изложить в следующей редакции" in listing
    assert "пункт 4.7 " not in listing
    resolution = "\n".join(docx_text((folder / "resolution.ru.docx").read_bytes()))
    assert "(пункт 11.10 действующего Устава)" in resolution
    assert "(пункт 17.1 действующего Устава)" in resolution
    wrong_usage = CliRunner().invoke(main, ["amend", "--old-charter", str(registered), str(new), str(new)])
    assert wrong_usage.exit_code == 2


def test_init_resume_asks_only_what_the_charter_lacks(variant: tuple[Path, Path], tmp_path: Path) -> None:
    _, folder = variant
    draft = tmp_path / "imported.yaml"
    assert CliRunner().invoke(main, ["import", str(folder / "charter.ru.docx"), "-o", str(draft)]).exit_code == 0
    answers = [
        "",  # short name: Enter accepts the one composed from the imported name
        "1",
        "совместная закупка продуктов питания для членов кооператива",
        "2",
        "person",
        "Ахметов Серик Болатович",
        "850214300129",
        "г. Конаев, ул. Абая, 1",
        "120000",
        "person",
        "Иванова Мария Петровна",
        "900517400154",
        "г. Конаев, ул. Сатпаева, 4",
        "150000",
        "1",
        "2",
        "1",  # chair, secretary, elected chair
        "non_payment, charter_violation",
        "1",  # audit checks a year: «не реже одного раза в год» does not tell 0 from 1
        "0",  # programmes
    ]
    out = tmp_path / "coop.yaml"
    result = CliRunner().invoke(
        main, ["init", str(out), "--resume", str(draft), "--messages", "en"], input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output[-2000:]
    asked = re.findall(r"\[\d+/\d+\] ([^:\[]+)", result.output)
    assert not any("share" in q.lower() and "amount" in q.lower() for q in asked)
    assert len(asked) <= 30, asked
    checked = check_file(out)
    assert checked.cooperative is not None and not checked.blocking
    data = checked.cooperative.data
    assert data["membership"]["contributions"]["share"]["amount"] == 120000
    assert data["membership"]["exit"]["payout_days"] == 60
    assert data["governance"]["board"]["size"] == 5


@pytest.mark.parametrize(
    ("name", "certain", "proposed"),
    [
        (
            "lawful-ru.txt",
            {
                "cooperative.name": "Жетысу-Агро",
                "membership.contributions.share.amount": 50000,  # «50 000 (пятьдесят тысяч) тенге»
                "governance.general_meeting.quorum_percent": 50,  # «более половины»
                "governance.board.size": 3,  # «в составе трёх человек»
            },
            {
                "membership.contributions.entrance_fee.amount": 5000,  # figures only
                "membership.exit.payout_days": 90,
            },
        ),
        (
            "lawful-kk.txt",
            {
                "cooperative.name": "Ақжол",
                "membership.contributions.share.amount": 30000,  # «30 000 (отыз мың) теңгені»
                "governance.general_meeting.quorum_percent": 50,  # «жартысынан астамы»
            },
            {"membership.exit.payout_days": 90},
        ),
    ],
)
def test_a_charter_coopdocs_did_not_write(name: str, certain: dict[str, object], proposed: dict[str, object]) -> None:
    """Generic patterns: a value is written only when its figures and words agree (or a fixed phrase
    states it); the rest is proposed as uncertain and left out of the draft."""
    from tests.support import ROOT

    result = importing.import_path(ROOT / "tests" / "corpus" / name)
    values = {f.path: f.value for f in result.found}
    for path, value in certain.items():
        assert values.get(path) == value, path
    maybe = {f.path: f.value for f in result.uncertain}
    for path, value in proposed.items():
        assert path not in values and maybe.get(path) == value, path
    assert get_in(result.data, "membership.exit.payout_days") is None


def get_in(data: dict[str, object], path: str) -> object:
    return importing.get_at(data, path)


def test_errors_in_the_users_language(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["import", str(empty), "-o", str(tmp_path / "c.yaml"), "--messages", "ru"])
    assert result.exit_code == 2
    assert "здесь нет устава или другого учредительного документа" in result.output
    text = tmp_path / "notes.txt"
    text.write_text("Список покупок: хлеб, молоко.\n", encoding="utf-8")
    new = write_patched(tmp_path, {}, name="new.yaml")
    result = CliRunner().invoke(main, ["amend", "--old-charter", str(text), str(new), "--messages", "kk"])
    assert result.exit_code == 2
    assert "жарғы ретінде танылмады" in result.output


def test_a_word_broken_at_a_pdf_line_end_is_not_certain() -> None:
    """pdftotext's default mode joins «Абай к-» + «сі» into «Абай ксі»: the address read so is checked
    against the raw text layer (the hyphen kept) and proposed as uncertain, not taken."""
    table = importing.leaves(DEFAULT_PACK)
    source = importing.Source("charter.kk.pdf", "1.9.", "…")
    read = importing.Found("cooperative.location.address", "Абай ксі, 12 үй", source, "clause")
    broken = "Қонаев қ., Абай к-\nсі, 12 үй, 3 кеңсе."
    assert importing._pdf_checked(read, broken, table).certain is False
    assert importing._pdf_checked(read, broken, table).note == "pdf_break"
    whole = importing.Found("cooperative.location.address", "Абай к-сі, 12 үй", source, "clause")
    assert importing._pdf_checked(whole, "Қонаев қ., Абай к-сі,\n12 үй, 3 кеңсе.", table).certain is True


def test_the_list_of_funds_reads_with_the_other_funds(tmp_path: Path) -> None:
    """housing-savings has another fund («Жилищный фонд»): the list of funds names it too, so that
    clause reads exactly (and states development: false, social_support: true) only once the other
    funds are read from the clause that describes them."""
    source = Path(__file__).resolve().parent.parent / "examples" / "housing-savings.yaml"
    folder = _build(tmp_path, source, "charter", "docx", "ru")
    result = importing.import_path(folder / "charter.ru.docx")
    values = {f.path: f.value for f in result.found}
    assert values["funds.development"] is False
    assert values["funds.social_support"] is True
    other = values["funds.other"]
    assert [(f["name"], f["sources"]) for f in other] == [("Жилищный фонд", ["income"])]
    assert other[0]["purpose"].startswith("выдача членам кооператива возвратных авансов")


HOUSING = Path(__file__).resolve().parent.parent / "examples" / "housing-savings.yaml"
AGRI = Path(__file__).resolve().parent.parent / "examples" / "agri-supply.yaml"
FOLDER_DOCS = "charter,membership,disputes,minutes,application"
SECOND_PROGRAMME = {
    "kind": "property_acquisition",
    "name": {"ru": "Программа приобретения техники", "kk": "Техника сатып алу бағдарламасы", "en": "Machinery"},
    "member_savings_percent": 100,
    "funded_by": ["own_savings"],
    "queue": "by_savings_percent",
    "guaranteed_return_percent": 0,
    "referral_reward": False,
    "reporting": {"annual_accounts_published": True, "audit": True},
}


@pytest.fixture(scope="module")
def housing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """housing-savings with a meeting of delegates and a second programme (another queue, one source)."""
    from tests.support import read_example

    tmp = tmp_path_factory.mktemp("housing")
    programmes = [*read_example(HOUSING)["programs"], SECOND_PROGRAMME]
    patch = {"governance.general_meeting.delegates": True, "programs": programmes}
    source = write_patched(tmp, patch, base=HOUSING)
    return source, _build(tmp, source, FOLDER_DOCS, "docx", "ru,kk", "separate")


def _folder_import(folder: Path, tmp_path: Path, pattern: str) -> importing.Imported:
    only = tmp_path / "docs"
    only.mkdir()
    for f in folder.glob(pattern):
        (only / f.name).write_bytes(f.read_bytes())
    return importing.import_path(only)


def test_a_folder_gives_back_the_programmes_and_the_other_funds(housing: tuple[Path, Path], tmp_path: Path) -> None:
    """Each programme's name, kind, savings share, sources and queue from the charter's programme clauses;
    no promised return and no reward for recruits from the clause that denies them; the other funds;
    the meeting of delegates from the clauses that name its minutes and its regulations."""
    source, folder = housing
    result = _folder_import(folder, tmp_path, "*.docx")
    data = result.data
    programmes = data["programs"]
    assert [p["name"] for p in programmes] == [
        {"ru": "Программа приобретения готового жилья", "kk": "Дайын тұрғын үй сатып алу бағдарламасы"},
        {"ru": "Программа приобретения техники", "kk": "Техника сатып алу бағдарламасы"},
    ]
    assert [p["kind"] for p in programmes] == ["property_acquisition"] * 2
    assert [p["member_savings_percent"] for p in programmes] == [50, 100]
    assert [p["funded_by"] for p in programmes] == [["own_savings", "cooperative_funds"], ["own_savings"]]
    assert [p["queue"] for p in programmes] == ["by_application_date", "by_savings_percent"]
    assert all(p["guaranteed_return_percent"] == 0 and p["referral_reward"] is False for p in programmes)
    assert "price" not in programmes[0]  # stated in no founding document (the stress test's figures)
    assert data["funds"]["other"][0]["name"] == {"ru": "Жилищный фонд", "kk": "Тұрғын үй қоры"}
    assert data["funds"]["other"][0]["sources"] == ["income"]
    assert data["governance"]["general_meeting"]["delegates"] is True
    sources = {f.path: f.source for f in result.found}
    assert "программы" in sources["programs"].quote and sources["programs"].label
    # nothing read is wrong
    coop = check_file(source).cooperative
    assert coop is not None
    for f in result.found:
        assert importing.same(f.value, importing.get_at(coop.data, f.path)), f.path


def test_one_charter_gives_back_its_programmes(housing: tuple[Path, Path]) -> None:
    source, folder = housing
    coop = check_file(source).cooperative
    assert coop is not None
    result = importing.import_path(folder / "charter.kk.docx")
    values = {f.path: f.value for f in result.found}
    assert [p["name"] for p in values["programs"]] == [
        "Дайын тұрғын үй сатып алу бағдарламасы",
        "Техника сатып алу бағдарламасы",
    ]
    assert values["governance.general_meeting.delegates"] is True
    compared = importing.compare(result, coop.data, importing.stated_paths(coop, "charter", "kk"))
    assert compared["wrong"] == []
    assert "programs" in compared["exact"] and "funds.other" in compared["exact"]


def test_a_ground_of_exclusion_in_the_founders_own_words(tmp_path: Path) -> None:
    """agri-supply excludes also for «систематическое невыполнение обязательств по приёмке…»
    ({other: text}): read from the charter and the membership regulations, in both languages."""
    folder = _build(tmp_path, AGRI, "charter,membership", "docx", layout="separate")
    result = _folder_import(folder, tmp_path, "*.docx")
    grounds = result.data["membership"]["exclusion"]["grounds"]
    assert grounds == [
        "non_payment",
        "damage_to_cooperative",
        {
            "other": {
                "ru": "систематическое невыполнение обязательств по приёмке закупленных для члена материалов",
                "kk": "мүше үшін сатып алынған материалдарды қабылдау жөніндегі міндеттемелерді жүйелі түрде орындамау",
            }
        },
    ]
    single = importing.import_path(folder / "charter.ru.docx")
    assert {f.path: f.value for f in single.found}["membership.exclusion.grounds"][2] == {
        "other": "систематическое невыполнение обязательств по приёмке закупленных для члена материалов"
    }


def test_a_named_ground_is_not_read_as_a_text_of_ones_own(variant: tuple[Path, Path]) -> None:
    """The last item of bereke's grounds is the template's wording of charter_violation: read as that
    choice, not as {other: text} (both would read back exactly)."""
    _, folder = variant
    result = importing.import_path(folder / "charter.ru.docx")
    assert {f.path: f.value for f in result.found}["membership.exclusion.grounds"] == [
        "non_payment",
        "charter_violation",
    ]


def test_the_languages_the_charter_is_drawn_up_in(housing: tuple[Path, Path], tmp_path: Path) -> None:
    """The charter's final clause states its languages (housing-savings: Kazakh and Russian, and an
    English reference text). Taken when documents in each of them are read together; else proposed,
    and the draft keeps the languages read, so that it validates (amend starts from it)."""
    _, folder = housing
    single = importing.import_path(folder / "charter.kk.docx")
    assert single.data["languages"] == ["kk"]
    proposed = [f for f in single.uncertain if f.path == "languages"]
    assert [(f.value, f.note) for f in proposed] == [(["ru", "kk", "en"], "languages_unread")]
    both = _folder_import(folder, tmp_path, "charter.*.docx")
    assert both.data["languages"] == ["ru", "kk"]  # the English text is not beside them: still proposed
    assert [f.value for f in both.uncertain if f.path == "languages"] == [["ru", "kk", "en"]]
    english = _build(tmp_path / "en", HOUSING, "charter", "docx", "ru,kk,en", "separate")
    every = importing.import_path(english)
    assert every.data["languages"] == ["ru", "kk", "en"]
    assert every.data["cooperative"]["name"] == {"ru": "Ортак Уй", "kk": "Ортақ Үй", "en": "Ortak Uy"}
    assert "languages" in {f.path for f in every.found}


def test_two_grounds_in_the_founders_own_words_and_the_unanimous_matters(tmp_path: Path) -> None:
    """Two {other: text} grounds: the charter and the membership regulations list them as «a; b.»,
    which one ground «a; b» reads the same as: neither reading is taken (none wrong); the two are proposed.
    unanimous_matters: [] is told apart by no single clause (the clause on fund rules says whether
    fund_rules is among them, the list of qualified matters whether the others are), by them together."""
    from tests.support import read_example

    grounds = [
        *read_example(AGRI)["membership"]["exclusion"]["grounds"],
        {"other": {"ru": "разглашение сведений о членах", "kk": "мүшелер туралы мәліметтерді жария ету"}},
    ]
    source = write_patched(tmp_path, {"membership.exclusion.grounds": grounds}, base=AGRI)
    folder = _build(tmp_path, source, "charter,membership", "docx", "ru", "separate")
    for files in ("charter.ru.docx", "membership.ru.docx"):
        result = importing.import_path(folder / files)
        assert "grounds" not in result.data["membership"].get("exclusion", {}), files
        # proposed (uncertain), as two grounds of one's own, with the clause and a note saying why
        proposed = [f for f in result.uncertain if f.path == "membership.exclusion.grounds"]
        assert [(f.value[-2:], f.note) for f in proposed] == [
            (
                [
                    {"other": "систематическое невыполнение обязательств по приёмке закупленных для члена материалов"},
                    {"other": "разглашение сведений о членах"},
                ],
                "one_or_two",
            )
        ], files
        assert proposed[0].source.label and "разглашение сведений о членах" in proposed[0].source.quote
        quote = "систематическое невыполнение обязательств по приёмке закупленных для члена материалов; разглашение"
        assert any(quote in " ".join(p.text.split()) for p in importing.read_documents(folder / files)[0].paragraphs)
    charter = importing.import_path(folder / "charter.ru.docx")
    assert {f.path: f.value for f in charter.found}["governance.general_meeting.unanimous_matters"] == []


def test_an_agricultural_charter_is_read_and_written_with_its_own_pack(tmp_path: Path) -> None:
    """The draft of an agricultural cooperative's charter names its form and lists what is missing in
    the agricultural questionnaire's words (it was written with the consumer pack's); --pack overrides
    the form the charter names."""
    charter = ROOT / "tests" / "golden" / "agri-machinery" / "charter.ru.txt"
    out = tmp_path / "agri.yaml"
    result = CliRunner().invoke(main, ["import", str(charter), "-o", str(out), "--messages", "ru"])
    assert result.exit_code == 0, result.output
    draft = YAML(typ="safe", pure=True).load(out.read_text(encoding="utf-8"))
    assert (draft["jurisdiction"], draft["form"]) == ("kz", "agricultural_cooperative")
    assert "  - Виды деятельности кооператива" in result.stdout  # cooperative.activities, the agricultural key
    forced = tmp_path / "consumer.yaml"
    result = CliRunner().invoke(main, ["import", str(charter), "-o", str(forced), "--pack", "kz/consumer_cooperative"])
    assert result.exit_code == 0, result.output
    assert YAML(typ="safe", pure=True).load(forced.read_text(encoding="utf-8"))["form"] == "consumer_cooperative"
    assert "activities" not in result.stdout.lower()


def test_the_short_name_in_every_language_the_documents_state(tmp_path: Path) -> None:
    """consumer-goods writes its short name once for every language: its Russian charter names «ПК «Общий
    стол»» as the Kazakh short name too (the composed one is ««Общий стол» ТК»); housing-savings' English
    short name is CC "Ortak Uy" (the composed one has other quotes, CC “Ortak Uy”). The name clauses state
    the short name in each language: each is read, with its clause; short names that are all composed
    (the variant's) give none."""
    goods = _build(tmp_path / "goods", ROOT / "examples" / "consumer-goods.yaml", FOLDER_DOCS, "docx", "ru", "separate")
    for path in (goods / "charter.ru.docx", goods):
        result = importing.import_path(path)
        assert result.data["cooperative"]["short_name"] == "ПК «Общий стол»", path
        source = next(f.source for f in result.found if f.path == "cooperative.short_name")
        assert source.file == "charter.ru.docx" and source.label == "1.4."
        assert "на казахском языке: ПК «Общий стол»" in source.quote
        assert "# charter.ru.docx 1.4.: «…" in importing.to_yaml(result, "en").split("short_name:")[1].splitlines()[0]
    housing = _build(tmp_path / "housing", HOUSING, "charter,minutes", "docx", "ru,kk,en", "separate")
    result = importing.import_path(housing)
    shorts = {"ru": "ПК «Ортак Уй»", "kk": "«Ортақ Үй» ТК", "en": 'CC "Ortak Uy"'}
    assert result.data["cooperative"]["short_name"] == shorts
    assert not [f for f in result.uncertain if f.path == "cooperative.short_name"]
    english = importing.import_path(housing / "charter.en.docx")
    found = {f.path: f for f in english.found}
    assert found["cooperative.short_name"].value["en"] == 'CC "Ortak Uy"'
    assert found["cooperative.short_name"].source.label == "1.4."
    assert "short_name" not in importing.import_path(housing / "charter.ru.docx").data["cooperative"]  # all composed


def test_a_variant_without_a_short_name_reads_none(variant: tuple[Path, Path]) -> None:
    _, folder = variant
    result = importing.import_path(folder)
    assert "short_name" not in result.data["cooperative"]


def test_the_english_location_line_is_cut_as_the_other_languages_lines(tmp_path: Path) -> None:
    """The English line «…, 010000, City of Astana, Astana, Yesil district, 55/20 Mangilik Yel Avenue,
    office 214.» has no region of the closed list: alone, its parts are proposed (uncertain); beside the
    Russian and Kazakh lines, it is cut as they are (a region written, a locality of one part, the address
    with 55/20 and 214, each part the same place in Latin letters). A region the English text leaves out
    (the same as the locality) would shift the cut: then nothing is taken."""
    folder = _build(tmp_path / "housing", HOUSING, "charter,minutes", "docx", "ru,kk,en", "separate")
    result = importing.import_path(folder)
    location = result.data["cooperative"]["location"]
    assert location["region"]["en"] == "City of Astana"
    assert location["locality"]["en"] == "Astana"
    assert location["address"]["en"] == "Yesil district, 55/20 Mangilik Yel Avenue, office 214"
    assert not [f for f in result.uncertain if f.path.startswith("cooperative.location.")]
    alone = importing.import_path(folder / "charter.en.docx")
    proposed = {f.path: f.value for f in alone.uncertain}
    assert proposed["cooperative.location.locality"] == "Astana"
    assert not [f for f in alone.found if f.path.startswith("cooperative.location.") and "postal" not in f.path]
    patch = {"cooperative.location.region": {"ru": "город Астана", "kk": "Астана қаласы", "en": "Astana"}}
    source = write_patched(tmp_path, patch, base=HOUSING)
    shifted = importing.import_path(_build(tmp_path / "shifted", source, "charter", "docx", "ru,kk,en", "separate"))
    location = shifted.data["cooperative"]["location"]
    assert "en" not in location["region"] and "en" not in location["locality"] and "en" not in location["address"]
    assert {f.path for f in shifted.uncertain} >= {"cooperative.location.locality", "cooperative.location.address"}


def test_a_folder_reads_each_document_once(variant: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document starts from the values the documents before it read (the minutes need the
    charter's forms of contribution): none is read a second time (up to c9ee75d the minutes of a
    bilingual folder were)."""
    _, folder = variant
    calls: list[str] = []
    read = importing._read_document

    def counted(document: object, *args: object, **kwargs: object) -> object:
        calls.append(Path(document.path).name)  # type: ignore[attr-defined]
        return read(document, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "_read_document", counted)
    result = importing.import_path(folder)
    assert sorted(calls) == sorted(p.name for p in folder.iterdir() if p.suffix == ".docx")
    assert result.data["membership"]["contributions"]["share"]["amount"] == 120000


def _at(data: object, path: str) -> object:
    """The value at a dotted path with list indexes (programs[0].advance.repayment_months)."""
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(data, list):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def test_the_compliance_report_gives_back_the_programmes_terms(tmp_path: Path) -> None:
    """housing-savings' folder with its compliance report (and clause commentary): the report's stress test
    states each programme's price, monthly payment, who pays the rest and the advance («Условия: цена
    24 000 000 тенге; …»), each read with the report's clause and quote; a second programme whose price is
    not stated (assumed by the model) gets none; layout `separate` from the files per language."""
    from coopdocs.checking import stress
    from tests.support import read_example

    programmes = [*read_example(HOUSING)["programs"], SECOND_PROGRAMME]
    source = write_patched(tmp_path, {"programs": programmes}, base=HOUSING)
    folder = _build(tmp_path, source, FOLDER_DOCS + ",compliance,commentary", "docx", "ru,kk", "separate")
    result = importing.import_path(folder)
    first, second = result.data["programs"]
    assert first["price"] == 24_000_000 and first["monthly_payment"] == 250_000
    assert first["rest_paid_by"] == "cooperative_funds"
    assert first["advance"] == {"repayment_months": 120, "capped_by_own_funds": True}
    assert "price" not in second and "monthly_payment" not in second and "advance" not in second
    assert second["rest_paid_by"] == "own_savings"  # the one its sources give: the same terms
    sources = {f.path: f.source for f in result.found}
    price = sources["programs[0].price"]
    assert price.file == "compliance.ru.docx" and price.label == "3.2. 1)" and "24 000 000" in price.quote
    assert sources["programs[0].advance.repayment_months"].file == "compliance.ru.docx"
    assert result.data["layout"] == "separate" and sources["layout"].file.startswith("charter.")
    assert ("compliance.kk.docx", "compliance", "kk") in result.documents
    draft = importing.to_yaml(result, "ru")
    assert re.search(r"price: 24000000 +# compliance\.ru\.docx 3\.2\. 1\): «Условия: цена 24 000 000", draft)
    # nothing read is wrong (a term the input leaves out: the one the stress test derives)
    coop = check_file(source).cooperative
    assert coop is not None
    for f in result.found:
        expected = _at(coop.data, f.path)
        if expected is None and f.path.endswith("rest_paid_by"):
            expected = stress.terms_of(coop.data["programs"][int(f.path[9])]).rest_from
        if f.path.startswith("programs["):
            assert f.value == expected, f.path
    # without the report: none of the terms
    for report in folder.glob("compliance.*"):
        report.unlink()
    plain = importing.import_path(folder)
    assert plain.data["programs"] and "price" not in plain.data["programs"][0]


def test_the_compliance_report_in_html_alone_in_kazakh(tmp_path: Path) -> None:
    folder = _build(tmp_path, HOUSING, "charter,compliance", "html", "kk", "separate")
    result = importing.import_path(folder)
    program = result.data["programs"][0]
    assert (program["price"], program["monthly_payment"]) == (24_000_000, 250_000)
    assert "layout" not in result.data  # one language: the files do not tell the layouts apart


def test_a_folder_in_the_parallel_layout(tmp_path: Path) -> None:
    """kk | ru in one file per document: each column read as a document of its language, `layout:
    parallel` from the file, and the same values as the separate files give, none wrong."""
    folder = _build(tmp_path, HOUSING, FOLDER_DOCS, "docx", "ru,kk", "parallel")
    assert (folder / "charter.kk-ru.docx").exists()
    result = importing.import_path(folder)
    assert result.data["layout"] == "parallel"
    assert {f.path: f.source.file for f in result.found}["layout"] == "charter.kk-ru.docx"
    assert result.data["cooperative"]["name"] == {"ru": "Ортак Уй", "kk": "Ортақ Үй"}
    assert result.data["programs"][0]["member_savings_percent"] == 50
    assert len(result.found) > 80
    coop = check_file(HOUSING).cooperative
    assert coop is not None
    for f in result.found:
        if "[" not in f.path and f.path != "layout":
            assert importing.same(f.value, importing.get_at(coop.data, f.path)), f.path


def test_the_report_tells_yes_no_terms_apart_only_by_the_rules_outcomes(tmp_path: Path) -> None:
    """A programme whose savings are returned on demand fails KZ-PC-PROGRAM-LENDING at that field: read
    as true; accounts published but not audited fail KZ-PC-PROGRAM-REPORTING as two other combinations
    would (the finding names only `reporting`): not read. Passed rules give the second programme's
    published, audited accounts and no savings on demand."""
    from tests.support import read_example

    first = {
        **read_example(HOUSING)["programs"][0],
        "savings_refundable_on_demand": True,
        "reporting": {"annual_accounts_published": True, "audit": False},
    }
    source = write_patched(tmp_path, {"programs": [first, SECOND_PROGRAMME]}, base=HOUSING)
    folder = _build(tmp_path, source, "charter,compliance", "docx", "ru", "separate")
    result = importing.import_path(folder)
    one, two = result.data["programs"]
    assert one["savings_refundable_on_demand"] is True and "reporting" not in one
    assert two["reporting"] == {"annual_accounts_published": True, "audit": True}
    assert two["savings_refundable_on_demand"] is False
    sources = {f.path: f.source for f in result.found}
    assert sources["programs[0].savings_refundable_on_demand"].quote == "KZ-PC-PROGRAM-LENDING предупреждение"


def test_the_reports_summary_tells_one_check_a_year_from_none(tmp_path: Path) -> None:
    """The charter reads «не реже одного раза в год» for 0 and 1 checks a year; the report's summary for a
    member says «не реже 1 раза в год»: with the report, 1 (its clause 2.3.); without, left out."""
    bereke = ROOT / "examples" / "bereke.yaml"
    folder = _build(tmp_path, bereke, "charter,compliance", "docx", "ru", "separate")
    result = importing.import_path(folder)
    assert result.data["governance"]["audit"]["checks_per_year"] == 1
    source = {f.path: f.source for f in result.found}["governance.audit.checks_per_year"]
    assert source.file == "compliance.ru.docx" and source.label == "2.3." and "1 раза в год" in source.quote
    (folder / "compliance.ru.docx").unlink()
    assert "checks_per_year" not in importing.import_path(folder).data["governance"]["audit"]


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_parallel_charter_in_html_and_pdf_is_read_column_by_column(tmp_path: Path, fmt: str) -> None:
    """The kk | ru HTML (cells with their `lang`) and PDF (landscape pages, read half by half) give each
    language's values, `layout: parallel`, none wrong (read whole, the PDF lost a ground of exclusion)."""
    folder = _build(tmp_path, HOUSING, "charter", fmt, "ru,kk", "parallel")
    result = importing.import_path(folder / f"charter.kk-ru.{fmt}")
    assert result.data["layout"] == "parallel"
    assert sorted(lang for _, _, lang in result.documents) == ["kk", "ru"]
    assert result.data["membership"]["exclusion"]["grounds"] == [
        "non_payment",
        "charter_violation",
        "damage_to_cooperative",
    ]
    assert result.data["cooperative"]["name"] == {"ru": "Ортак Уй", "kk": "Ортақ Үй"}
    coop = check_file(HOUSING).cooperative
    assert coop is not None
    for f in result.found:
        if "[" not in f.path and f.path != "layout":
            assert importing.same(f.value, importing.get_at(coop.data, f.path)), f.path


@pytest.mark.skipif(
    not (reading.ocr_available() and set(reading.ocr_languages()) == {"rus", "kaz"} and shutil.which("pdftoppm")),
    reason="Tesseract with rus and kaz data, and pdftoppm, are optional (bootstrap.sh --with-ocr installs them)",
)
def test_a_scanned_page_imports_what_it_states_and_says_it_was_read_by_ocr(tmp_path: Path) -> None:
    """Page 1 of bereke's Russian charter, rendered to a picture (no text layer) and imported: the values
    that page states come back exactly as the input has them, and the draft says OCR read it."""
    folder = _build(tmp_path, ROOT / "examples" / "bereke.yaml", "charter", "pdf", lang="ru")
    png = first_page_picture(folder / "charter.ru.pdf", tmp_path / "page", 300)
    out = tmp_path / "imported.yaml"
    result = CliRunner().invoke(main, ["import", str(png), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "OCR" in result.output
    draft = YAML(typ="safe").load(out.read_text(encoding="utf-8"))
    source = YAML(typ="safe").load((ROOT / "examples" / "bereke.yaml").read_text(encoding="utf-8"))
    assert draft["cooperative"]["name"] == source["cooperative"]["name"]["ru"]
    location = draft["cooperative"]["location"]
    for key in ("region", "locality", "address"):
        assert location[key] == source["cooperative"]["location"][key]["ru"], key
    assert location["postal_code"] == source["cooperative"]["location"]["postal_code"]
    assert draft["income"]["distribution_to_members"] is False
    assert "1.9." in out.read_text(encoding="utf-8")  # the source clause of the location, in a comment
