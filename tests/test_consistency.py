"""One fact, one statement: the documents of a cooperative must not contradict each other.

Every document of every example (the charter, the commentary, the regulations, the application,
the minutes, the compliance report) is rendered in Russian and Kazakh, as a reader sees it. For
each topic the test finds the sentences that state it, extracts what they say (a period, a
majority, who approves, who is barred) and fails when two statements disagree. Document names
are checked against the titles of the documents that are actually produced. The facts themselves
are defined once in ``templates/common/kz/consumer_cooperative/facts.yaml`` (issue 15 item 9).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from fractions import Fraction

import pytest

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import Options, build_outputs
from coopdocs.packs.pack import read_yaml
from coopdocs.writers.render import docx_text
from tests.support import DEFAULT_PACK, EXAMPLES

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
LANGS = ("ru", "kk")

Texts = dict[str, list[str]]  # "charter.ru" -> paragraphs


@pytest.fixture(scope="module", params=EXAMPLE_NAMES)
def documents(request: pytest.FixtureRequest) -> dict[str, Texts]:
    """{lang: {document: paragraphs}} for one example."""
    checked = check_file(EXAMPLES / f"{request.param}.yaml")
    assert checked.cooperative is not None
    by_lang: dict[str, Texts] = {lang: {} for lang in LANGS}
    for output in build_outputs(checked.cooperative, Options(layout="separate")):
        if output.language in by_lang:
            by_lang[output.language][output.name.removesuffix(".docx")] = docx_text(output.data)
    assert any(by_lang.values()), "no Russian or Kazakh document was built"
    return by_lang


# --- extraction ------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[А-ЯЁA-ZӘҒҚҢӨҰҮҺІ0-9])")
_NUMBER_WORDS = {
    # Russian (nominative and genitive) and Kazakh numerals the templates write out
    "одного": 1,
    "один": 1,
    "двух": 2,
    "два": 2,
    "трёх": 3,
    "трех": 3,
    "три": 3,
    "пяти": 5,
    "пять": 5,
    "семи": 7,
    "десяти": 10,
    "десять": 10,
    "четырнадцати": 14,
    "пятнадцати": 15,
    "тридцати": 30,
    "тридцать": 30,
    "бір": 1,
    "екі": 2,
    "үш": 3,
    "бес": 5,
    "жеті": 7,
    "он": 10,
    "он төрт": 14,
    "он бес": 15,
    "отыз": 30,
}
_UNIT = r"(?P<unit>рабоч\w+|календарн\w+|жұмыс|күнтізбелік)"
_PERIOD_FIGURES = re.compile(r"(?P<n>\d+)(?:\s*\([^)]*\))?\s+" + _UNIT)
_PERIOD_WORDS = re.compile(
    r"(?P<w>" + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True)) + r")\s+" + _UNIT
)


def sentences(texts: Texts) -> Iterator[tuple[str, str]]:
    for name, paragraphs in texts.items():
        for paragraph in paragraphs:
            for sentence in _SENTENCE_END.split(paragraph):
                yield name, sentence


def periods(sentence: str) -> set[tuple[int, str]]:
    """Every period in a sentence as (number, "working" | "calendar")."""
    found = set()
    for match in _PERIOD_FIGURES.finditer(sentence):
        found.add((int(match["n"]), _unit(match["unit"])))
    for match in _PERIOD_WORDS.finditer(sentence):
        found.add((_NUMBER_WORDS[match["w"]], _unit(match["unit"])))
    return found


def _unit(word: str) -> str:
    return "working" if word.startswith(("рабоч", "жұмыс")) else "calendar"


_FRACTION_WORDS = {
    "двух третей": Fraction(2, 3),
    "трёх четвертей": Fraction(3, 4),
    "трех четвертей": Fraction(3, 4),
    "үштен екі": Fraction(2, 3),
    "төрттен үш": Fraction(3, 4),
}
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_FRACTION = re.compile(r"\b(\d)/(\d)\b")


def majorities(sentence: str) -> set[Fraction]:
    found = {Fraction(m.group(1).replace(",", ".")) / 100 for m in _PERCENT.finditer(sentence)}
    found |= {Fraction(int(m.group(1)), int(m.group(2))) for m in _FRACTION.finditer(sentence)}
    lowered = sentence.lower()
    found |= {value for words, value in _FRACTION_WORDS.items() if words in lowered}
    return found


Extractor = Callable[[str], set]


def statements(texts: Texts, anchor: str, extract: Extractor) -> dict[object, list[str]]:
    """{value: [where...]} for the sentences that match ``anchor``."""
    pattern = re.compile(anchor, re.IGNORECASE)
    found: dict[object, list[str]] = {}
    for name, sentence in sentences(texts):
        if pattern.search(sentence):
            for value in extract(sentence):
                found.setdefault(value, []).append(f"{name}: {sentence[:160]}")
    return found


def _report(topic: str, found: dict[object, list[str]]) -> str:
    lines = [f"{topic}: the documents disagree"]
    for value, where in found.items():
        lines.append(f"  {value!r}:")
        lines += [f"    {w}" for w in where[:4]]
    return "\n".join(lines)


def assert_one_statement(topic: str, found: dict[object, list[str]], *, documents: int = 2) -> None:
    assert found, f"{topic}: no document states it (the test's anchor no longer matches the text)"
    assert len(found) == 1, _report(topic, found)
    sources = {where.split(":", 1)[0].split(".")[0] for wheres in found.values() for where in wheres}
    assert len(sources) >= documents, f"{topic}: stated only in {sorted(sources)}; expected {documents} documents"


# --- periods ---------------------------------------------------------------------------------------

PERIOD_TOPICS = {
    # topic: {lang: anchor regex of the sentence that states it}
    "notice of the admission decision": {
        "ru": (
            r"О принятом решении заявитель уведомляется"
            r"|направляет\s+заявителю письменное уведомление о принятом решении"
        ),
        "kk": r"Қабылданған шешім туралы өтініш берушіге|өтініш берушіге қабылданған шешім туралы жазбаша хабарлама",
    },
    "reporting changed details": {
        "ru": r"об изменении своих (данных|адреса)",
        "kk": r"(деректерінің өзгергені|мәліметтер өзгерген)",
    },
    "notice of voluntary exit": {
        "ru": r"О (добровольном )?выходе( из Кооператива)? член Кооператива уведомляет",
    },
    "payout of the leaving member's share": {
        "ru": r"Выплата .{0,40}доли.{0,30} производится",
    },
    "notice of the meeting that considers an exclusion": {
        "ru": (
            r"о предстоящем рассмотрении вопроса о его исключении"
            r"|вопрос об исключении которого включён в повестку дня, письменно уведомляется"
        ),
    },
    "extract of the exclusion decision": {
        "ru": r"Выписка из протокола общего собрания с решением об исключении",
        "kk": r"шешімі? (бар|қамтылған) жалпы жиналыс хаттамасынан үзінді көшірме",
    },
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", sorted(PERIOD_TOPICS))
def test_each_period_is_stated_once(documents: dict[str, Texts], lang: str, topic: str) -> None:
    texts = documents[lang]
    if not texts:
        pytest.skip(f"the example has no {lang} edition")
    if lang not in PERIOD_TOPICS[topic]:
        pytest.skip(f"no {lang} anchor for {topic}")
    found = statements(texts, PERIOD_TOPICS[topic][lang], periods)
    assert_one_statement(topic, found)


# --- majorities ------------------------------------------------------------------------------------

MAJORITY_TOPICS = {
    "qualified majority": {
        "ru": r"квалифицированн\w+ большинств\w+\W+не менее",
    },
    "majority for excluding a member": {
        "ru": r"Решение об исключении принимается",
        "kk": r"(шығару туралы шешім|мүшелігінен шығару туралы шешімді).*(көпшілік|дауыс)",
    },
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", sorted(MAJORITY_TOPICS))
def test_each_majority_is_stated_once(documents: dict[str, Texts], lang: str, topic: str) -> None:
    texts = documents[lang]
    if not texts:
        pytest.skip(f"the example has no {lang} edition")
    if lang not in MAJORITY_TOPICS[topic]:
        pytest.skip(f"no {lang} anchor for {topic}")
    found = statements(texts, MAJORITY_TOPICS[topic][lang], majorities)
    assert_one_statement(topic, found)


# --- who decides, who is barred --------------------------------------------------------------------

_VALUERS = {
    "ru": (("general_meeting", r"общ\w+ собрани"), ("board", r"правлени"), ("appraiser", r"оценщик")),
    "kk": (("general_meeting", r"жалпы жиналыс"), ("board", r"басқарма"), ("appraiser", r"бағалаушы")),
}
_IF_NOT_AGREED = {
    "ru": (("appraiser", r"недостижении согласия.*оценщик"), ("other_form", r"в ином?й? форме")),
    "kk": (("appraiser", r"келісімге қол жеткізілмеген.*бағалаушы"), ("other_form", r"өзге нысанда")),
}
_VALUATION = {
    "ru": r"(Денежная оценка|денежная оценка) имущества\b.*(утверждается|производится)",
    "kk": r"мүлік\w* (пен мүліктік құқықтардың |және мүліктік құқықтардың |\(мүліктік құқықтарды\) )?ақшалай баға",
}


def valuation_rule(lang: str) -> Extractor:
    def extract(sentence: str) -> set[tuple[str, str]]:
        body = next((who for who, rx in _VALUERS[lang] if re.search(rx, sentence, re.IGNORECASE)), "?")
        fallback = next((what for what, rx in _IF_NOT_AGREED[lang] if re.search(rx, sentence)), "none")
        return {(body, fallback)}

    return extract


@pytest.mark.parametrize("lang", LANGS)
def test_valuation_of_property_is_one_rule(documents: dict[str, Texts], lang: str) -> None:
    texts = documents[lang]
    if not texts:
        pytest.skip(f"the example has no {lang} edition")
    found = statements(texts, _VALUATION[lang], valuation_rule(lang))
    if not found:
        pytest.skip("no contribution in property in this example")
    assert_one_statement("valuation of contributions in property", found)


_BARRED = {
    "ru": (
        ("board", r"член\w* правления"),
        ("chair", r"председател"),
        ("audit", r"ревизион|ревизор"),
        ("employees", r"работник"),
    ),
    "kk": (("board", r"басқарма мүшелері"), ("chair", r"төраға"), ("audit", r"тексеру"), ("employees", r"қызметкер")),
}
_CONCILIATION = {
    "ru": r"примирительн\w+ комисси\w*.*(не могут быть|не являющихся)|(не могут быть|не являющихся).*примирительн",
    "kk": r"татуластыру комиссия\w*.*(бола алмайды|болып табылмайтын)|(болып табылмайтын).*татуластыру",
}


def barred(lang: str) -> Extractor:
    def extract(sentence: str) -> set[frozenset[str]]:
        return {frozenset(role for role, rx in _BARRED[lang] if re.search(rx, sentence, re.IGNORECASE))}

    return extract


@pytest.mark.parametrize("lang", LANGS)
def test_who_may_not_sit_on_the_conciliation_commission(documents: dict[str, Texts], lang: str) -> None:
    texts = documents[lang]
    if not texts:
        pytest.skip(f"the example has no {lang} edition")
    found = statements(texts, _CONCILIATION[lang], barred(lang))
    if not found:
        pytest.skip("the example has no conciliation commission")
    assert_one_statement("who may not sit on the conciliation commission", found)


# --- document names --------------------------------------------------------------------------------

_NAMED_RU = re.compile(r"(?<!раздела )(?<!разделом )(?<!разделе )Положени\w*\s+о\s+([^,;.«»()]+)")
_NAMED_KK = re.compile(r"((?:\S+\s+){1,7}?)туралы\s+ереже", re.IGNORECASE)
_UNKNOWN_NAMES = {
    "ru": re.compile(r"Порядк\w*\s+рассмотрения\s+споров|Положени\w*\s+о\s+фондах"),
    "kk": re.compile(r"Дауларды\s+және\s+шағымдарды\s+қарау\s+тәртіб|Қорлар\s+туралы\s+ереже"),
}


def _titles(texts: Texts, lang: str) -> list[str]:
    """The tails of the produced regulations' titles ("членстве", "мүшелік" ...) and of the
    documents the pack's facts declare as adopted by the cooperative itself."""
    tails = []
    found = DEFAULT_PACK.template_candidates(f"{DEFAULT_PACK.pack_dir('common')}/facts.yaml")
    facts = (read_yaml(found[0]) or {}) if found else {}
    for names in (facts.get("adopted_separately") or {}).values():
        nom = str(names[lang]["nom"])
        tails.append(nom.split(" о ", 1)[1].lower() if lang == "ru" else nom.rsplit(" туралы", 1)[0].lower())
    for paragraphs in texts.values():
        for line in paragraphs[:6]:
            if lang == "ru" and (m := re.match(r"ПОЛОЖЕНИЕ О (.+)$", line)):
                tails.append(m.group(1).lower())
            if lang == "kk" and (m := re.match(r"(.+) ТУРАЛЫ ЕРЕЖЕ$", line)):
                tails.append(m.group(1).lower())
    return sorted(set(tails))


@pytest.mark.parametrize("lang", LANGS)
def test_documents_are_named_by_their_titles(documents: dict[str, Texts], lang: str) -> None:
    texts = documents[lang]
    if not texts:
        pytest.skip(f"the example has no {lang} edition")
    titles = _titles(texts, lang)
    assert len(titles) >= 3, f"the membership and dispute regulations were not found among {sorted(texts)}"
    wrong = []
    for name, sentence in sentences(texts):
        wrong += [f"{name}: «{m.group(0)}»" for m in _UNKNOWN_NAMES[lang].finditer(sentence)]
        if lang == "ru":
            for m in _NAMED_RU.finditer(sentence):
                tail = m.group(1).lower()
                if not any(tail.startswith(t) for t in titles):
                    wrong.append(f"{name}: «{m.group(0).strip()}»")
        else:
            for m in _NAMED_KK.finditer(sentence):
                before = " ".join(m.group(1).split()).lower()
                capitalized = m.group(1).split()[-1][:1].isupper()
                if capitalized and not any(before.endswith(t) for t in titles):
                    wrong.append(f"{name}: «{m.group(0).strip()}»")
    assert not wrong, f"names of documents that are not produced ({titles}):\n" + "\n".join(sorted(set(wrong)))
