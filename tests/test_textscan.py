"""Free text is read for the language of pyramids (issue 14, item 4): the labelled phrase sets, the
issue's variants through the whole pipeline, and the pieces (lemmas, Kazakh stems, prose fields)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from coopdocs.checking import rules, textscan
from coopdocs.compose.messages import worded
from coopdocs.diagnostics import Diagnostic
from coopdocs.inputs.loader import load_file, load_text
from coopdocs.inputs.schema import validate_input
from coopdocs.packs.citations import citation_ids
from tests.support import DEFAULT_PACK

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import phrases as bench  # noqa: E402

TRAIN = ROOT / "tests" / "data" / "pyramid_phrases.yaml"
HOLDOUT = ROOT / "tests" / "data" / "pyramid_phrases_holdout5.yaml"
SEEN = [ROOT / "tests" / "data" / f"pyramid_phrases_holdout{n}.yaml" for n in ("", "2", "3", "4")]
TEXT_RULES = {"KZ-PC-PYRAMID-TEXT-RETURN", "KZ-PC-PYRAMID-TEXT-RECRUITMENT", "KZ-PC-TEXT-INVESTMENT"}


def check(patch: dict[str, Any]) -> list[Diagnostic]:
    base = load_file(ROOT / "examples" / "bereke.yaml").data
    text = rules.dump_yaml(rules.apply_patch(base, patch))
    coop, found = validate_input(load_text(text, "variant.yaml"))
    assert coop is not None, [worded(d, "en").message for d in found]
    return [d for d in rules.run_rules(coop) if d.rule in TEXT_RULES]


# --- the labelled sets ---------------------------------------------------------------------------


def test_the_labelled_set_is_large_and_covers_both_languages_and_labels() -> None:
    entries = bench.load(TRAIN)
    assert len(entries) >= 150
    kinds = {(e["lang"], e["label"] == "lawful") for e in entries}
    assert kinds == {("ru", True), ("ru", False), ("kk", True), ("kk", False)}
    assert {e["label"] for e in entries} == {"return", "recruitment", "investment", "lawful"}
    texts = [e["text"] for e in entries + bench.load(HOLDOUT) + [x for p in SEEN for x in bench.load(p)]]
    assert len(texts) == len(set(texts)), "a phrase is in two sets or twice in one"


def test_precision_and_recall_on_the_labelled_set() -> None:
    score = bench.score(TRAIN)
    assert score.precision >= 0.95 and score.recall >= 0.95, "\n".join(score.errors)
    assert score.classed >= 0.95 * score.tp, "\n".join(score.errors)


def test_the_holdout_never_tuned_on_stays_above_its_floor() -> None:
    """Holdout 5 was written after the last round of changes and never tuned on (bench/RESULTS.md
    has every holdout's first run); this floor, just under its first run (1.000 / 0.767), catches a
    change that makes the scan worse on text it has not seen."""
    score = bench.score(HOLDOUT)
    assert score.total >= 60
    assert score.precision >= 0.95 and score.recall >= 0.75, "\n".join(score.errors)


def test_the_holdouts_seen_in_tuning_stay_right() -> None:
    """Holdouts 1-4 informed the later rounds (their first runs are recorded); they now guard those
    rounds' fixes like the labelled set does."""
    for path in SEEN:
        score = bench.score(path)
        assert score.precision >= 0.95 and score.recall >= 0.95, f"{path.name}:\n" + "\n".join(score.errors)


# --- the variants of issue 14 --------------------------------------------------------------------

PROGRAM = {
    "kind": "property_acquisition",
    "name": {"ru": "Доход 30 % в месяц", "kk": "Айына 30 % табыс"},
    "member_savings_percent": 50,
    "funded_by": ["own_savings", "cooperative_funds"],
    "queue": "by_application_date",
}


@pytest.mark.parametrize(
    ("patch", "rule", "path", "phrase"),
    [
        (
            {
                "cooperative.purpose[2]": {
                    "ru": "гарантированный доход 9 % годовых на паевые взносы",
                    "kk": "кооператив мүшелері үшін жемшөпті бірлесіп сатып алу",
                }
            },
            "KZ-PC-PYRAMID-TEXT-RETURN",
            "cooperative.purpose[2].ru",
            "«гарантированный доход 9 % годовых на паевые взносы»",
        ),
        (
            {
                "cooperative.purpose[2]": {
                    "ru": "совместная закупка кормов для членов кооператива",
                    "kk": "пайлық жарналарға жылдық 9 % кепілдендірілген табыс",
                }
            },
            "KZ-PC-PYRAMID-TEXT-RETURN",
            "cooperative.purpose[2].kk",
            "«пайлық жарналарға жылдық 9 % кепілдендірілген табыс»",
        ),
        (
            {
                "cooperative.purpose[2]": {
                    "ru": "пассивный доход для членов кооператива",
                    "kk": "кооператив мүшелеріне пассивті табыс",
                }
            },
            "KZ-PC-PYRAMID-TEXT-RETURN",
            "cooperative.purpose[2].ru",
            "«пассивный доход»",
        ),
        ({"programs": [PROGRAM]}, "KZ-PC-PYRAMID-TEXT-RETURN", "programs[0].name.ru", "«Доход 30 % в месяц»"),
        (
            {
                "funds.other": [
                    {
                        "name": {"ru": "Фонд бонусов", "kk": "Бонус қоры"},
                        "purpose": {
                            "ru": "бонус за каждого приглашённого члена",
                            "kk": "әрбір шақырылған мүше үшін бонус",
                        },
                        "sources": ["contributions"],
                    }
                ]
            },
            "KZ-PC-PYRAMID-TEXT-RECRUITMENT",
            "funds.other[0].purpose.ru",
            "«бонус за каждого приглашённого»",
        ),
    ],
)
def test_issue_variants_are_flagged_where_they_are_written(
    patch: dict[str, Any], rule: str, path: str, phrase: str
) -> None:
    found = check(patch)
    assert [(d.rule, d.path, d.severity) for d in found] == [(rule, path, "red_flag")]
    assert phrase in worded(found[0], "ru").message
    assert found[0].line is not None


def test_the_message_says_why_in_the_users_language() -> None:
    patch = {"cooperative.purpose[2]": {"ru": "пассивный доход для членов", "kk": "мүшелерге пассивті табыс"}}
    (found,) = check(patch)  # one check, worded in each language afterwards
    ru, kk, en = (worded(found, lang).message for lang in ("ru", "kk", "en"))
    assert "Пассивный доход" in ru and "«пассивный доход»" in ru
    assert "Пассивті кіріс" in kk
    assert "Passive income" in en


def test_lawful_wording_of_the_law_itself_is_not_flagged() -> None:
    patch = {
        "cooperative.purpose[2]": {
            "ru": "доходы кооператива направляются на уставные цели и не распределяются между членами",
            "kk": "табыс табу кооперативтің мақсаты емес",
        }
    }
    assert check(patch) == []


def test_fields_that_are_not_prose_are_not_read() -> None:
    """Addresses and people's names are not prose: a street may be called after anything."""
    assert check({"cooperative.location.address": {"ru": "ул. Инвестиционная, 5", "kk": "Инвестициялық к-сі, 5"}}) == []
    assert check({"cooperative.purpose[2]": {"ru": "инвестиционная деятельность", "kk": "инвестициялық қызмет"}})


# --- the pieces ----------------------------------------------------------------------------------


def test_russian_words_are_recognised_in_any_form() -> None:
    assert "доходность" in textscan.lemmas("доходностью")
    assert "пригласить" in textscan.lemmas("приглашённых".replace("ё", "е"))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("жинағыңызды үш айда көбейтеміз", "return"),  # жинақ -> жинағы: a final қ voices
        ("тартқаны үшін сыйақы", "recruitment"),
        ("табыстылығы жылына 30 пайыз", "return"),
    ],
)
def test_kazakh_stems_take_their_suffixes(text: str, category: str) -> None:
    found = textscan.classify(text, textscan.load_lexicon(DEFAULT_PACK))
    assert category in {m.category for m in found}


@pytest.mark.parametrize(
    "text",
    [
        "пайлық жарналарға табыс есептелмейді",  # a negated verb
        "пеня 0,1 % от суммы просроченного взноса за каждый день",  # a penalty, not a return
        "бағдарламаның мақсаты — мүшелерді тұрғын үймен қамтамасыз ету",  # -ма- inside a noun is no negation
        "не упустите шанс получить пассивный доход",  # "не упустите" does not negate the promise
    ],
)
def test_contexts(text: str) -> None:
    found = textscan.classify(text, textscan.load_lexicon(DEFAULT_PACK))
    expected = text.startswith("не упустите")
    assert bool(found) is expected


def test_the_cheap_prefilter_loses_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clauses in which no pattern can match skip the Russian dictionary; with the filter off, every
    phrase of both sets is classified the same."""
    texts = [e["text"] for p in [TRAIN, HOLDOUT, *SEEN] for e in bench.load(p)]
    lexicon = textscan.load_lexicon(DEFAULT_PACK)
    with_filter = [sorted((m.pattern, m.phrase) for m in textscan.classify(t, lexicon)) for t in texts]
    monkeypatch.setattr(textscan, "_plausible", lambda words, lexicon: True)
    fresh = textscan.load_lexicon.__wrapped__(DEFAULT_PACK)  # no cached results
    without = [sorted((m.pattern, m.phrase) for m in textscan.classify(t, fresh)) for t in texts]
    assert with_filter == without


def test_every_pattern_says_why_and_cites_a_known_source() -> None:
    lexicon = textscan.load_lexicon(DEFAULT_PACK)
    known = set(citation_ids(DEFAULT_PACK))
    raw = yaml.safe_load((DEFAULT_PACK.schema_dir / "pyramid-language.yaml").read_text(encoding="utf-8"))
    assert len(lexicon.patterns) == len(raw["patterns"]) >= 10
    for pattern in lexicon.patterns:
        assert pattern.citation in known
        assert all(pattern.why[lang].strip() for lang in ("ru", "kk", "en"))
    assert {p.category for p in lexicon.patterns} == set(textscan.CATEGORIES)


@pytest.mark.parametrize("form", ["consumer_cooperative", "agricultural_cooperative"])
def test_the_lexicon_is_read_through_its_pack(form: str) -> None:
    """Each pack's rules read its own `pyramid-language.yaml` through the pack (recorded in its file
    record like every pack file), never by a path written in the rules."""
    from coopdocs.checking.rules import load_rules
    from coopdocs.packs.pack import find_pack

    pack = find_pack("kz", form)
    assert pack is not None
    text_rules = [r for r in load_rules(pack) if r.fn == "pyramid_language"]
    assert text_rules and {r.params["lexicon"] for r in text_rules} == {"pyramid-language.yaml"}
    lexicon = textscan.load_lexicon(pack)
    assert lexicon.source == f"schemas/kz/{form}/pyramid-language.yaml"
    assert pack.schema_dir / "pyramid-language.yaml" in pack.used()
    example = "bereke.yaml" if form == "consumer_cooperative" else "agri-machinery.yaml"
    data = load_file(ROOT / "examples" / example).data
    assert data is not None
    data["cooperative"]["purpose"][0] = {"ru": "пассивный доход для членов", "kk": "мүшелерге пассивті табыс"}
    found = [f for r in text_rules for f in r.findings(data, pack)]
    assert [f.path for f in found] == ["cooperative.purpose[0].ru"]


def test_the_quick_precheck_finds_what_a_concept_by_concept_check_finds() -> None:
    """`_maybe` looks a word up once in one index of every concept (`_quick_index`); it must give each word
    exactly the concepts the plain check of each concept in turn gives (Russian prefixes and words, English
    and exact Kazakh words, the regex, Kazakh stems)."""
    lexicon = textscan.load_lexicon(DEFAULT_PACK)

    def one_by_one(word: str) -> set[str]:
        found = set()
        for name, w in lexicon.concepts.items():
            cheap = textscan.Words(w.ru_prefixes, w.kk_stems, w.kk_exact, w.en, w.regex)
            prefix = any(word[:k] in cheap.ru for k in (2, 3, 4, 5))
            if prefix or word in w.ru or textscan._is_plain(word, cheap, lexicon.suffixes):
                found.add(name)
        return found

    root = Path(__file__).resolve().parent
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "data").glob("pyramid_phrases*.yaml"))]
    words = sorted({textscan._norm(m.group(0)) for text in texts for m in textscan._TOKEN.finditer(text)})
    assert len(words) > 1000
    differ = [w for w in words if textscan._maybe_uncached(w, lexicon) != one_by_one(w)]
    assert differ == []
    assert any(textscan._maybe_uncached(w, lexicon) for w in words)  # the check finds something at all
