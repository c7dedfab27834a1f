"""Issue 15, items 11, 12 and 16: the minutes, the approval blocks and the Kazakh wording the
reviewer sent back."""

from __future__ import annotations

from pathlib import Path

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import Options, build_outputs
from coopdocs.compose import clauses
from coopdocs.inputs.idnumbers import iin_gender
from coopdocs.writers.render import docx_text
from tests.support import BEREKE, DELETE, write_patched


def _texts(docs: tuple[str, ...], langs: tuple[str, ...] = ("ru", "kk")) -> dict[str, list[str]]:
    coop = check_file(BEREKE).cooperative
    assert coop is not None
    outputs = build_outputs(coop, Options(docs=docs, langs=langs, layout="separate"))
    return {o.name.removesuffix(".docx"): docx_text(o.data) for o in outputs}


def test_the_commentary_is_not_an_approved_document() -> None:
    texts = _texts(("commentary",))
    for name, lines in texts.items():
        head = "\n".join(lines[:6])
        for word in ("УТВЕРЖД", "БЕКІТІЛГЕН", "APPROVED", "протокол № 1", "№ 1 хаттама"):
            assert word not in head, f"{name}: {word!r} in the title block"
        assert not any("____" in line for line in lines), f"{name}: signature lines"
        assert not any(line.startswith(("Подписи учредителей", "Құрылтайшылардың қолдары")) for line in lines)


def test_the_regulations_are_approved_by_minutes_no_1_at_the_meeting_place() -> None:
    texts = _texts(("charter", "membership", "disputes"))
    for name, lines in texts.items():
        head = lines[:6]
        number = "(протокол № 1 от 1 марта 2026 года)" if name.endswith(".ru") else "№ 1 хаттама)"
        place = "г. Конаев" if name.endswith(".ru") else "Қонаев қ."
        assert any(number in line for line in head), f"{name}: {head}"
        assert place in head, f"{name}: {head}"


def test_kazakh_minutes_title_and_vote_lines() -> None:
    lines = _texts(("minutes", "application"), ("kk",))
    minutes = lines["minutes.kk"]
    assert "«Береке» тұтыну кооперативінің құрылтай жиналысының № 1 ХАТТАМАСЫ" in minutes
    votes = [line for line in minutes if "«жақтап»" in line]
    assert votes and all("«қалыс қалды» — 0" in line for line in votes)
    assert not any("қалыс қалғандар" in line for line in minutes)
    decided = next(line for line in minutes if "ШЕШТІ: «Береке» тұтыну кооперативі құрылсын." in line)
    assert "Кооператив өз мүшелерінің" in decided  # the sentence after ШЕШТІ has its subject
    application = "\n".join(lines["application.kk"][:6])
    assert "атынан" not in application  # «атынан» is "on behalf of", the form asks "from whom"
    assert "кімнен:" in application


def test_kazakh_charter_wording_fixes() -> None:
    charter = "\n".join(_texts(("charter",), ("kk",))["charter.kk"])
    assert "өткеннен ерте емес тоқтатылады" in charter  # 5.3
    assert "31 желтоқсанға дейінгі (қоса алғанда)" in charter  # 14.2
    assert "тұрақсыздық айыбын (өсімпұлды)" in charter  # 4.11
    assert (
        "Бизнес-сәйкестендіру нөмірлерінің ұлттық тізіліміне жазба енгізілгеннен кейін Кооперативті тарату"
        " аяқталды" in charter
    )  # 15.7: the condition first, the consequence last


# --- item 11: the minutes elect the bodies, name the head and the representatives -------------------


def _minutes(path: Path, lang: str = "ru") -> str:
    coop = check_file(path).cooperative
    assert coop is not None
    (document,) = clauses.render_all(coop, "minutes", [lang])
    return clauses.as_text(document)


def _rules(path: Path) -> list[tuple[str, str, str]]:
    return [(d.rule, d.severity, d.path) for d in check_file(path).diagnostics]


def test_the_sex_comes_from_the_iin_7th_digit() -> None:
    assert iin_gender("850214300129") == "male"  # 3: 1900s, male
    assert iin_gender("900517400154") == "female"  # 4: 1900s, female
    assert iin_gender("000317514561") == "male"  # 5: 2000s, male
    assert iin_gender("850214900129") is None


def test_the_minutes_elect_the_bodies_at_the_meeting_and_name_the_head() -> None:
    text = _minutes(BEREKE)
    assert "отдельным протоколом" not in text
    assert "РЕШИЛИ: избрать на должность председателя правления сроком на 3 года: Ахметов Серик Болатович" in text
    assert "3) Жумабаев Ерлан Маратович (ИИН 840719355239)" in text  # elected by name, not a founder index
    assert "Ким Елена Сергеевна (ИИН 751230611876)" in text
    assert "Протокол составлен в 4 (четырёх) экземплярах" in text


def test_without_elected_the_minutes_leave_blanks_and_validation_warns(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.elected": DELETE})
    assert ("input/head-not-elected", "warning", "founding") in _rules(path)
    text = _minutes(path)
    assert "отдельным протоколом" not in text
    blank = "________________________ (фамилия, имя, отчество, ИИН)"
    assert text.count(blank) == 3 + 1 + 3  # board, chair, audit commission: filled in by hand
    kk = _minutes(path, "kk")
    assert kk.count("________________________ (тегі, аты, әкесінің аты, ЖСН)") == 7


def test_the_old_shape_of_elected_stays_valid(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.elected": {"chair": 0, "board": [0, 1], "audit": []}})
    assert not [r for r in _rules(path) if r[1] in ("error", "warning")]
    assert "1) Ахметов Серик Болатович (ИИН 850214300129); 2) Иванова Мария Петровна" in _minutes(path)


def test_elected_persons_are_checked(tmp_path: Path) -> None:
    bad = {"name": {"ru": "Кто-то", "kk": "Біреу"}, "iin": "850214300128"}
    path = write_patched(tmp_path, {"founding.elected.board": [0, 1, bad]})
    assert ("input/iin", "error", "founding.elected.board[2].iin") in _rules(path)
    same = {"name": {"ru": "Ахметов С.Б.", "kk": "Ахметов С.Б."}, "iin": "850214300129"}  # founder 0 by IIN
    path = write_patched(tmp_path, {"founding.elected.audit": [same]}, name="twice.yaml")
    assert ("input/board-and-audit", "error", "founding.elected.audit[0]") in _rules(path)


def test_a_legal_entity_founder_acts_through_a_named_representative(tmp_path: Path) -> None:
    text = _minutes(BEREKE)
    assert (
        "представитель — руководитель Жумабаев Ерлан Маратович (ИИН 840719355239), действующий на основании устава"
        in text
    )
    path = write_patched(tmp_path, {"founding.founders[2].representative": DELETE})
    assert ("input/representative-missing", "warning", "founding.founders[2]") in _rules(path)
    assert "в лице ________________________ (фамилия, имя, отчество, ИИН представителя)" in _minutes(path)


def test_a_female_chair_is_worded_as_such(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.chair": 1, "founding.secretary": 0})
    assert "Слушали председателя собрания, которая предложила" in _minutes(path)
    assert "Слушали председателя собрания, который предложил" in _minutes(BEREKE)


def test_every_founder_signs_the_minutes() -> None:
    lines = _texts(("minutes",), ("ru",))["minutes.ru"]
    signatures = lines[lines.index("Подписи учредителей:") + 1 :]
    assert signatures == [
        "1. Ахметов Серик Болатович ________________________",
        "2. Иванова Мария Петровна ________________________",
        "3. ТОО «Агро Сервис» (представитель — Жумабаев Ерлан Маратович) ________________________",
    ]


def test_init_asks_who_acts_for_a_legal_entity_founder(tmp_path: Path) -> None:
    from tests.test_init import ANSWERS, invoke, load, stdin

    answers: list[tuple[str, str]] = []
    for label, answer in ANSWERS:
        if label == "legal_entities":
            answer = "yes"
        if label == "founder2.kind":
            answer = "legal_entity"
        if label == "founder2.iin":
            answers.append(("founder2.bin", "150340012340"))
            continue
        if label == "founder2.address.ru":
            answers += [
                ("rep.ru", "Жумабаев Ерлан Маратович"),
                ("rep.kk", "Жұмабаев Ерлан Маратұлы"),
                ("rep.iin", "840719355239"),
                ("rep.basis", "charter"),
            ]
        answers.append((label, answer))
    result = invoke(tmp_path, str(tmp_path / "coop.yaml"), input=stdin(answers))
    assert result.exit_code == 0, result.output
    founder = load(tmp_path / "coop.yaml")["founding"]["founders"][1]
    assert founder["representative"] == {
        "name": {"ru": "Жумабаев Ерлан Маратович", "kk": "Жұмабаев Ерлан Маратұлы"},
        "iin": "840719355239",
        "basis": "charter",
    }
    assert not [d for d in check_file(tmp_path / "coop.yaml").diagnostics if d.severity == "warning"]


def test_the_registration_filing_names_the_representative_of_a_company_chair(tmp_path: Path) -> None:
    # A legal entity chairing the founding meeting files for registration through the person named
    # in founders[].representative, not an unnamed "authorised representative".
    path = write_patched(tmp_path, {"founding.chair": 2})
    coop = check_file(path).cooperative
    assert coop is not None
    outputs = build_outputs(coop, Options(docs=("minutes",), langs=("ru", "kk"), layout="separate"))
    texts = {o.name.removesuffix(".docx"): "\n".join(docx_text(o.data)) for o in outputs}
    ru = next(line for line in texts["minutes.ru"].splitlines() if "государственной регистрации Кооператива в" in line)
    assert "в лице представителя Жумабаев Ерлан Маратович, ИИН 840719355239" in ru
    assert "уполномоченного представителя" not in ru
    kk = next(line for line in texts["minutes.kk"].splitlines() if "әділет органдарында" in line)
    assert "өкілі Жұмабаев Ерлан Маратұлы, ЖСН 840719355239 арқылы" in kk
