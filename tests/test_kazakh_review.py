"""Issue 15, items 11, 12 and 16: the minutes, the approval blocks and the Kazakh wording the
reviewer sent back."""

from __future__ import annotations

from coopdocs.build import Options, build_outputs
from coopdocs.pipeline import check_file
from coopdocs.render import docx_text
from tests.support import BEREKE


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
