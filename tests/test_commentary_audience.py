"""Issue 15 item 17: the commentary speaks to members in words; a lawyer's edition keeps the keys."""

from __future__ import annotations

import re
from pathlib import Path

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import Options, build_outputs
from coopdocs.compose.clauses import load_choices, load_library
from coopdocs.writers.render import docx_text
from tests.support import BEREKE, DEFAULT_PACK, write_patched

YAML_PATH = re.compile(r"\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*\b")
MARKS = ("[не сверено]", "[тексерілмеген]", "[unverified]")


def _commentary(path: Path, audience: str, lang: str = "ru") -> list[str]:
    coop = check_file(path).cooperative
    assert coop is not None
    (output,) = build_outputs(coop, Options(docs=("commentary",), langs=(lang,), audience=audience))
    return docx_text(output.data)


def test_the_members_edition_has_no_yaml_keys_and_states_verification_once() -> None:
    for lang, title in (("ru", "О правовых источниках"), ("kk", "Құқықтық дереккөздер туралы")):
        lines = _commentary(BEREKE, "member", lang)
        keys = [m.group(0) for line in lines for m in YAML_PATH.finditer(line)]
        assert keys == [], keys[:10]
        assert not [line for line in lines for mark in MARKS if mark in line]
        assert sum(line.endswith(title) for line in lines) == 1
        note = lines[next(i for i, line in enumerate(lines) if line.endswith(title)) :]
        law = "Закон РК «О потребительском кооперативе» № 197-II, ст. 16 п. 2" if lang == "ru" else "16-бап 2-тармақ"
        assert any(law in line for line in note)  # the sources are listed once, with their state


def test_choices_are_worded_from_the_input_value(tmp_path: Path) -> None:
    text = "\n".join(_commentary(BEREKE, "member"))
    assert "Что выбрали учредители. Название Кооператива выбрали учредители. Членами могут быть граждане." in text
    assert "Учредители решили допустить в Кооператив юридических лиц." in text
    assert "Учредители установили срок выплаты доли — 90 календарных дней со дня выхода." in text
    path = write_patched(tmp_path, {"membership.exit.payout_days": 60})
    assert "Учредители установили срок выплаты доли — 60 календарных дней со дня выхода." in "\n".join(
        _commentary(path, "member")
    )


def test_the_lawyers_edition_keeps_the_keys_and_every_mark() -> None:
    text = "\n".join(_commentary(BEREKE, "lawyer"))
    assert "Откуда это положение. Текст зависит от membership.eligibility" in text
    assert "[не сверено]" in text
    assert "О правовых источниках" not in text


def test_every_charter_input_has_a_choice_in_words_in_every_language() -> None:
    choices = load_choices(DEFAULT_PACK)
    inputs = {i for s in load_library(DEFAULT_PACK, "charter").sections for c in s.clauses for i in c.inputs}
    assert sorted(inputs - set(choices)) == []
    for path, entry in choices.items():
        assert set(entry) == {"ru", "kk", "en"}, path
        for text in entry.values():
            assert not YAML_PATH.search(re.sub(r"{[{%].*?[}%]}", "", text)), (path, text)


def test_a_member_sees_each_source_of_a_clause_once() -> None:
    # Two citations of one act without an article (one verified, one not) read the same once the
    # verification mark is left out: the member's edition names the source once.
    for lang, label in (("ru", "Правовое основание:"), ("kk", "Құқықтық негіз:")):
        for line in _commentary(BEREKE, "member", lang):
            if line.startswith(label):
                sources = [s.strip() for s in line[len(label) :].split(";")]
                assert len(sources) == len(set(sources)), line
