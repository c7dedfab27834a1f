"""The founding-meeting minutes name every founder and every elected person."""

from __future__ import annotations

from pathlib import Path

from coopdocs.checking.pipeline import check_file
from coopdocs.compose import clauses
from tests.support import write_patched


def minutes_text(path: Path, lang: str = "ru") -> str:
    coop = check_file(path).cooperative
    assert coop is not None
    (document,) = clauses.render_all(coop, "minutes", [lang])
    return clauses.as_text(document)


def test_minutes_name_every_founder_and_every_elected_person(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.elected": {"chair": 0, "board": [0, 2], "audit": [1]}})
    text = minutes_text(path)
    for name, number in (
        ("Ахметов Серик Болатович", "850214300129"),
        ("Иванова Мария Петровна", "900517400154"),
        ("ТОО «Агро Сервис»", "150340012340"),
    ):
        assert name in text
        assert number in text
    board = next(line for line in text.splitlines() if "правлени" in line and "Ахметов" in line)
    assert "Ахметов Серик Болатович" in board
    assert text.count("Иванова Мария Петровна") >= 3  # present, secretary, elected to the audit body
    assert "«за» — 3, «против» — 0, «воздержались» — 0" in text


def test_minutes_in_kazakh_use_kazakh_names(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.elected": {"chair": 0, "board": [0, 2], "audit": [1]}})
    text = minutes_text(path, "kk")
    assert "Ахметов Серік Болатұлы" in text
    assert "«Агро Сервис» ЖШС" in text
    assert "ХАТТАМА" in text.upper()
