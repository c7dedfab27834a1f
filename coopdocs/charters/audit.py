"""Audit of a charter someone else wrote: what the law requires it to contain, which terms take away
members' rights, pyramid language and the signs of lawful mutual help.

One straight pipeline of plain stages, each returning a value:

    reading.read(path) -> Document (paragraphs, pages)
    split(document)    -> clauses with the charter's own numbering and page
    recognise(clauses) -> the pack's topics each clause is about (cues + similarity to the library),
                          and for each topic not recognised the clause that comes nearest to it
    findings(...)      -> present / missing / ambiguous topics, unlawful terms, pyramid language, lawful signs
    Audit              -> formatted by ``format_text`` / ``as_json`` (the CLI prints)

What to look for is data of the pack (``audit.yaml`` next to ``rules.yaml``): topics with their cue
stems, the charter-library clauses that state them, and the citations; terms as regular expressions
over the normalised sentence with the rule of ``rules.yaml`` they break. Matching is explainable:
every finding says which words or which library clause it rests on. The audit never certifies a
charter: it lists what it read and what it could not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from coopdocs.charters import meaning, prototypes, reading
from coopdocs.checking import textscan
from coopdocs.checking.rules import Rule, get_rule, load_rules
from coopdocs.errors import PackError
from coopdocs.packs.citations import resolve
from coopdocs.packs.pack import Pack

# The languages a charter is read in: the numbering patterns below and ``language`` know Russian and
# Kazakh (a pack's audit.yaml gives its cues and examples in these).
READ_LANGS = ("ru", "kk")
KINDS = ("missing", "ambiguous", "unlawful", "pyramid", "present", "lawful")
_KK_LETTERS = re.compile(r"[әғқңөұүһі]")
_WORD = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[«\"(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")

# the charter's own numbering at the start of a paragraph
_MULTI = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){1,4})\.?\s+(\S.*)$")
_SINGLE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_ARTICLE_RU = re.compile(r"^(?:статья|ст\.)\s*(\d{1,3})\.?\s*(.*)$", re.IGNORECASE)
_ARTICLE_KK = re.compile(r"^(\d{1,3})\s*-\s*бап\.?\s*(.*)$", re.IGNORECASE)
# «Глава 4», «Раздел IV», «4-тарау», «4-бөлім» (typed without a Kazakh keyboard: «4-болiм»)
_CHAPTER = re.compile(
    r"^(?:(?:глава|раздел)\s+([0-9IVXLC]{1,6})|([0-9IVXLC]{1,6})\s*-\s*(?:тарау|б[өо]л[іiи]м))\.?\s*(.*)$",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^(\d{1,2}|[а-яәa-z])\)\s+(\S.*)$")


# --- the pack's data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    id: str
    mandatory: bool
    title: Mapping[str, str]
    citation: str
    also: tuple[str, ...]
    library: tuple[str, ...]
    cues: Mapping[str, tuple[tuple[tuple[str, ...], ...], ...]]  # lang -> alternatives -> all-of -> words
    unless: tuple[re.Pattern[str], ...]  # a clause matching one of these does not state the topic
    meaning: Mapping[str, str]
    question: Mapping[str, str]
    # what a sentence must contain for the clause classifier to read it as the topic (or as near it)
    meaning_requires: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Term:
    """A term that takes away a member's right or breaks the law (or, as a sign, shows lawful help)."""

    id: str
    title: Mapping[str, str]
    all: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    months_over: int | None
    negatable: bool
    even_if_negated: tuple[re.Pattern[str], ...]
    rule: str | None
    citation: str
    meaning: Mapping[str, str]
    question: Mapping[str, str] | None
    states: tuple[str, ...] = ()  # topics a clause with the term still settles (unlawfully)
    requires: tuple[re.Pattern[str], ...] = ()  # what a closest-example match must contain too
    about: tuple[str, ...] = ()  # topics a sentence with the term is about (default: states)
    meaning_requires: tuple[re.Pattern[str], ...] = ()  # what the classifier's reading must contain too
    unstates: tuple[str, ...] = ()  # topics a clause with the term does not state, however it reads
    despite: tuple[re.Pattern[str], ...] = ()  # words that keep the term though an `unless` reads too


@dataclass(frozen=True)
class AuditPack:
    topics: tuple[Topic, ...]
    terms: tuple[Term, ...]
    signs: tuple[Term, ...]
    negation: tuple[re.Pattern[str], ...]
    pyramid_unless: tuple[re.Pattern[str], ...]
    words: Mapping[str, Mapping[str, str]]
    library: Mapping[str, Mapping[str, str]]  # clause id -> lang -> text without Jinja
    examples: Mapping[str, Mapping[str, tuple[str, ...]]]  # topic -> lang -> hand-written wordings
    similar: tuple[float, float]  # (threshold, margin) of the nearest-prototype match
    cue_floor: float  # cue words count only in a clause at least this close to the topic's wordings
    term_examples: Mapping[str, tuple[str, ...]]  # term -> hand-written unlawful wordings (ru and kk)
    term_similar: tuple[float, float]  # (threshold, margin) of a term's nearest-prototype match
    meaning: Mapping[str, Any]  # the clause classifier's settings (audit.yaml `meaning`)
    programme_cues: tuple[str, ...] = ()  # words of a clause that speaks of programmes (charters.programmes)
    # the terms a programme's stress test rests on: group (always | advance) -> input key -> lang -> words
    programme_terms: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)


def _texts(value: Any, where: str, langs: Sequence[str]) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(lang), str) for lang in langs):
        raise PackError(f"{where}: needs a text in each of {', '.join(langs)}")
    return {lang: " ".join(str(value[lang]).split()) for lang in langs}


def _regexes(values: Any, where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(str(v).translate(_KK_FOLD)) for v in values or ())
    except re.error as exc:
        raise PackError(f"{where}: bad regular expression: {exc}") from exc


@cache
def load(pack: Pack) -> AuditPack:
    path = pack.schema_rel("audit.yaml")
    raw = pack.read(path)
    where = str(path)
    topics = []
    for i, t in enumerate(raw.get("topics") or []):
        at = f"{where}: topics[{i}]"
        cues: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {}
        for lang in READ_LANGS:
            alternatives = (t.get("cues") or {}).get(lang) or []
            if not alternatives:
                raise PackError(f"{at}: cues.{lang} is empty")
            cues[lang] = tuple(tuple(tuple(_fold(w).split()) for w in alt) for alt in alternatives)
        resolve(str(t["citation"]), "en", pack)
        topics.append(
            Topic(
                id=str(t["id"]),
                mandatory=bool(t.get("mandatory", True)),
                title=_texts(t.get("title"), f"{at}.title", pack.languages),
                citation=str(t["citation"]),
                also=tuple(t.get("also") or ()),
                library=tuple(t.get("library") or ()),
                cues=cues,
                unless=_regexes(t.get("unless"), f"{at}.unless"),
                meaning=_texts(t.get("meaning"), f"{at}.meaning", pack.languages),
                question=_texts(t.get("question"), f"{at}.question", pack.languages),
                meaning_requires=_regexes(t.get("meaning_requires"), f"{at}.meaning_requires"),
            )
        )
    terms = tuple(_term(t, f"{where}: terms[{i}]", pack) for i, t in enumerate(raw.get("terms") or []))
    signs = tuple(_term(t, f"{where}: signs[{i}]", pack) for i, t in enumerate(raw.get("signs") or []))
    words = {str(k): _texts(v, f"{where}: words.{k}", pack.languages) for k, v in (raw.get("words") or {}).items()}
    return AuditPack(
        tuple(topics),
        terms,
        signs,
        _regexes(raw.get("negation"), f"{where}: negation"),
        _regexes(raw.get("pyramid_unless"), f"{where}: pyramid_unless"),
        words,
        _library(pack),
        {
            str(topic): {lang: tuple(str(x) for x in (texts or {}).get(lang) or ()) for lang in READ_LANGS}
            for topic, texts in (raw.get("topic_examples") or {}).items()
        },
        (
            float((raw.get("similar") or {}).get("threshold", 0.35)),
            float((raw.get("similar") or {}).get("margin", 0.0)),
        ),
        float((raw.get("similar") or {}).get("cue_floor", 0.0)),
        {
            str(term): tuple(str(x) for lang in READ_LANGS for x in (texts or {}).get(lang) or ())
            for term, texts in (raw.get("term_examples") or {}).items()
        },
        (
            float((raw.get("similar") or {}).get("term_threshold", 1.0)),
            float((raw.get("similar") or {}).get("term_margin", 0.0)),
        ),
        dict(raw.get("meaning") or {}),
        tuple(str(cue) for cue in raw.get("programme_cues") or ()),
        {
            str(group): {
                str(key): _texts(texts, f"{where}: programme_terms.{group}.{key}", pack.languages)
                for key, texts in (keys or {}).items()
            }
            for group, keys in (raw.get("programme_terms") or {}).items()
        },
    )


def _term(t: Any, at: str, pack: Pack) -> Term:
    rule = t.get("rule")
    citation = t.get("citation")
    if rule:
        try:
            found = get_rule(str(rule), pack)
        except KeyError as exc:
            raise PackError(f"{at}: unknown rule {rule}") from exc
        citation = citation or found.citation
    if not citation:
        raise PackError(f"{at}: needs a rule or a citation")
    resolve(str(citation), "en", pack)
    question = t.get("question")
    return Term(
        id=str(t["id"]),
        title=_texts(t.get("title"), f"{at}.title", pack.languages),
        all=_regexes(t.get("all"), f"{at}.all"),
        unless=_regexes(t.get("unless"), f"{at}.unless"),
        months_over=t.get("months_over"),
        negatable=bool(t.get("negatable", True)),
        even_if_negated=_regexes(t.get("even_if_negated"), f"{at}.even_if_negated"),
        rule=str(rule) if rule else None,
        citation=str(citation),
        meaning=_texts(t.get("meaning"), f"{at}.meaning", pack.languages),
        question=_texts(question, f"{at}.question", pack.languages) if question else None,
        states=tuple(str(x) for x in t.get("states") or ()),
        requires=_regexes(t.get("requires"), f"{at}.requires"),
        about=tuple(str(x) for x in t.get("about") or t.get("states") or ()),
        unstates=tuple(str(x) for x in t.get("unstates") or ()),
        meaning_requires=_regexes(t.get("meaning_requires"), f"{at}.meaning_requires"),
        despite=_regexes(t.get("despite"), f"{at}.despite"),
    )


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _library(pack: Pack) -> dict[str, dict[str, str]]:
    """Every clause of the pack's charter library, its wording with the Jinja left out."""
    result: dict[str, dict[str, str]] = {}
    for file in pack.files(f"templates/{pack.document_rel('charter')}", "[0-9]*.yaml").values():
        for clause in pack.read_file(file).get("clauses") or []:
            texts = {}
            for lang in READ_LANGS:
                parts = [str((clause.get("text") or {}).get(lang) or "")]
                parts += [str((item.get("text") or {}).get(lang) or "") for item in clause.get("items") or []]
                texts[lang] = " ".join(_JINJA.sub(" ", " ".join(parts)).split())
            result[str(clause["id"])] = texts
    return result


def _library_items(pack: Pack) -> list[tuple[str, str]]:
    """(clause id, lead-in + item) of every list item of the pack's charter library, ru and kk, as
    ``_units`` reads a list (the Kazakh closing words after the last item are not separated here)."""
    result = []
    for file in pack.files(f"templates/{pack.document_rel('charter')}", "[0-9]*.yaml").values():
        for clause in pack.read_file(file).get("clauses") or []:
            for lang in ("ru", "kk"):
                lead = " ".join(_JINJA.sub(" ", str((clause.get("text") or {}).get(lang) or "")).split())
                for item in clause.get("items") or []:
                    text = " ".join(_JINJA.sub(" ", str((item.get("text") or {}).get(lang) or "")).split())
                    if len(text) > 15:
                        result.append((str(clause["id"]), f"{lead} {text}".strip()))
    return result


# --- splitting ----------------------------------------------------------------------------------


@dataclass
class Clause:
    label: str  # the charter's own number: "5.3.", "Статья 5 п. 2", "5-бап 2-тармақ"
    section: str  # the heading of the section it is in
    text: str  # the clause's own text (before its items)
    items: list[tuple[str, str]] = field(default_factory=list)  # ("1)", text)
    page: int | None = None
    lang: str = "ru"

    @property
    def full(self) -> str:
        return " ".join([self.text, *(f"{n} {t}" for n, t in self.items)])


def _is_heading(number: str, rest: str) -> bool:
    return len(rest) < 120 and not rest.rstrip().endswith((".", ";", ":", ",")) and "." not in number


def split(document: reading.Document) -> list[Clause]:
    """The charter's clauses, numbered as the charter numbers them."""
    clauses: list[Clause] = []
    section = ""
    article = ""
    current: Clause | None = None
    unnumbered = 0
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        chapter = _CHAPTER.match(text)
        art = _ARTICLE_RU.match(text) or _ARTICLE_KK.match(text)
        multi = _MULTI.match(text)
        single = _SINGLE.match(text)
        item = _ITEM.match(text)
        if chapter:
            section, current, article = text, None, ""
        elif art:
            number, rest = art.group(1), art.group(2)
            article = f"{text[: art.start(2)].strip().rstrip('.')}" if rest else text.rstrip(".")
            section = text
            current = None
            if rest and not _is_heading(number, rest):
                current = Clause(article, section, rest, page=paragraph.page)
                clauses.append(current)
        elif multi or (single and not _is_heading(single.group(1), single.group(2))):
            match = multi or single
            assert match is not None
            number = match.group(1)
            label = f"{number}."
            if article:  # «Статья 5 п. 2», «5-бап 2-тармақ»
                label = f"{article} {number}-тармақ" if "бап" in article else f"{article} п. {number}"
            current = Clause(label, section, match.group(2), page=paragraph.page)
            clauses.append(current)
        elif single:
            section, current, article = text, None, ""
        elif item and current is not None:
            current.items.append((f"{item.group(1)})", item.group(2)))
        elif current is None and section and document.kind in ("pdf", "image") and not text.isupper():
            section = _join(section, text)  # a heading wrapped onto the next line
        elif current is not None and _continues(current, text, document.kind):
            if current.items:
                n, t = current.items[-1]
                current.items[-1] = (n, _join(t, text))
            else:
                current.text = _join(current.text, text)
        elif clauses or section:
            unnumbered += 1
            current = Clause(f"¶{unnumbered}", section, text, page=paragraph.page)
            clauses.append(current)
    for clause in clauses:
        clause.lang = language(clause.full)
    return clauses


def _join(text: str, more: str) -> str:
    """A line joined to the one before; a word broken with a hyphen at the line's end is whole again
    («бизнес-» + «идентификационных» -> «бизнес-идентификационных», «к-» + «сі» -> «к-сі»)."""
    if re.search(r"\w-$", text):
        return f"{text}{more}"
    return f"{text} {more}"


def _continues(clause: Clause, text: str, kind: str) -> bool:
    """Whether an unnumbered paragraph continues the clause before it. A PDF's text is lines: every line
    that does not open with a number continues the clause (its sentences end in «г.», «ст.» or «т.б.»
    mid-line too), except a line in capitals after a finished one (a heading, «УТВЕРЖДЁН»)."""
    last = clause.items[-1][1] if clause.items else clause.text
    if kind in ("pdf", "image"):
        return not (last.rstrip().endswith((".", ";", ":")) and text.isupper())
    return text[:1].islower()


def language(text: str) -> str:
    letters = len(re.findall(r"[а-яё]", text.lower()))
    kk = len(_KK_LETTERS.findall(text.lower()))
    return "kk" if letters and kk / max(letters, 1) > 0.03 else "ru"


# --- recognising ---------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return text.lower().replace("ё", "е")


# Charters are often typed without a Kazakh keyboard («тутыну», «жepi» with Latin e and p): matching
# is done on text folded to the letters such a typist uses, and the pack's stems and expressions are
# folded the same way.
_KK_FOLD = str.maketrans("әғқңөұүһі", "агкноууhи".replace("h", "х"))
_LATIN_FOLD = str.maketrans("aeopcxyki", "аеорсхуки")
_MIXED = re.compile(r"\w*[а-яәғқңөұүһі]\w*")


@lru_cache(maxsize=32768)
def _fold(text: str) -> str:
    """Lower case, ё as е, Latin look-alikes inside Cyrillic words as Cyrillic, Kazakh letters as the
    Russian ones that stand for them without a Kazakh keyboard."""
    text = _MIXED.sub(lambda m: m.group(0).translate(_LATIN_FOLD), _norm(text))
    return text.translate(_KK_FOLD)


@cache
def _forms(word: str) -> tuple[str, ...]:
    """The word and, for Russian, its lemmas (pymorphy3): cue stems are matched against all."""
    if _KK_LETTERS.search(word) or not re.search(r"[а-я]", word):
        return (word,)
    return tuple(sorted(textscan.lemmas(word) | {word}))


def _index(
    words: Sequence[str], lengths: Iterable[int], lang: str = "ru", heads: frozenset[str] = frozenset()
) -> dict[str, set[int]]:
    """Every beginning of every form of every word (of the lengths the cue stems have) -> positions:
    a stem is then looked up once instead of compared with every word. A Russian word is lemmatised
    only when its first two letters begin some cue stem (``heads``): the dictionary look-up was most
    of the time, and a lemma keeps its word's first two letters in all but a few suppletive verbs."""
    index: dict[str, set[int]] = {}
    for i, word in enumerate(words):
        lemmatise = lang == "ru" and (not heads or _fold(word[:2]) in heads)
        for form in {_fold(f) for f in (_forms(word) if lemmatise else (word,))}:
            for n in lengths:
                if len(form) >= n:
                    index.setdefault(form[:n], set()).add(i)
    return index


def _has(index: Mapping[str, set[int]], phrase: tuple[str, ...]) -> bool:
    """``phrase`` (stems) occurs as consecutive words, each starting with its stem."""
    for i in index.get(phrase[0], ()):
        if all(i + k in index.get(stem, ()) for k, stem in enumerate(phrase[1:], 1)):
            return True
    return False


@dataclass(frozen=True)
class Recognised:
    topic: str
    clause: Clause
    cue: str  # the words that matched, or the library clause it resembles
    score: float  # similarity to the closest library clause of the topic (0-100)


@cache
def prototype_index(pack: Pack) -> prototypes.Index:
    """The labelled wordings: every sentence of the pack's charter library, labelled with the topic its
    clause states (the clauses each topic's `library` names) or "other"; the hand-written
    topic_examples (their topic) and term_examples ("term:<id>") of audit.yaml."""
    data = load(pack)
    label = {cid: t.id for t in data.topics for cid in t.library}
    protos = [
        prototypes.Prototype(label.get(cid, "other"), cid, sentence)
        for cid, texts in data.library.items()
        for text in texts.values()
        for sentence in _SENTENCE.split(text)
        if len(sentence) > 15
    ]
    protos += [
        prototypes.Prototype(topic, f"example «{text}»", text)
        for topic, texts in data.examples.items()
        for lang in READ_LANGS
        for text in texts[lang]
    ]
    protos += [
        prototypes.Prototype(f"term:{term}", f"example «{text}»", text)
        for term, texts in data.term_examples.items()
        for text in texts
    ]
    return prototypes.Index(protos, _clean)


@lru_cache(maxsize=8192)
def _best_by_label(text: str, pack: Pack) -> tuple[tuple[str, float, str], ...]:
    """For each label, its wording closest to ``text``: (label, cosine, source), closest first. Computed
    once per sentence for both the topics and the terms."""
    index = prototype_index(pack)
    best: dict[str, tuple[float, str]] = {}
    for i, score in index.scores(text).items():
        proto = index.prototypes[i]
        if score > best.get(proto.label, (0.0, ""))[0]:
            best[proto.label] = (score, proto.source)
    return tuple(sorted(((k, v[0], v[1]) for k, v in best.items()), key=lambda x: -x[1]))


@lru_cache(maxsize=65536)
def _ru_lemmas(word: str) -> frozenset[str]:
    return textscan.lemmas(word)


def _meaning_features(text: str) -> dict[str, float]:
    return meaning.features(text, _clean, _ru_lemmas if language(text) == "ru" else None)


@cache
def meaning_model(pack: Pack) -> meaning.Model | None:
    """The clause classifier (coopdocs/charters/meaning.py), trained on the labelled wordings of
    ``prototype_index`` and the labelled hand-written clauses audit.yaml's `meaning.clauses` names; None
    when audit.yaml has no `meaning`."""
    data = load(pack)
    if not data.meaning:
        return None
    examples = [(p.label, p.text) for p in prototype_index(pack).prototypes]
    label = {cid: t.id for t in data.topics for cid in t.library}
    examples += [(label.get(cid, "other"), text) for cid, text in _library_items(pack)]
    name = data.meaning.get("clauses")
    if name:
        raw = pack.read(pack.schema_rel(str(name)))
        examples += [(str(label), str(text)) for label, texts in (raw.get("clauses") or {}).items() for text in texts]
    return meaning.train(examples, _meaning_features)


@lru_cache(maxsize=8192)
def _meaning(text: str, pack: Pack) -> tuple[tuple[str, float], ...]:
    """The classifier's labels for ``text`` with their probabilities, most probable first."""
    model = meaning_model(pack)
    if model is None:
        return ()
    return tuple(sorted(model.probabilities(_meaning_features(text)).items(), key=lambda x: -x[1]))


def _closest_source(text: str, label: str, pack: Pack) -> str:
    """The labelled wording of ``label`` closest to ``text`` (what a finding by meaning resembles)."""
    return next((source for other, _, source in _best_by_label(text, pack) if other == label), "")


def _meaning_why(text: str, label: str, probability: float, pack: Pack) -> str:
    source = _closest_source(text, label, pack)
    return f"meaning {probability * 100:.0f}%" + (f" ~{source}" if source else "")


def _meaning_topics(
    clause: Clause, data: AuditPack, pack: Pack
) -> tuple[dict[str, tuple[str, float]], dict[str, float], dict[str, float]]:
    """(stated, weight, near): the topics some unit of the clause is classified as (its most probable
    label, at least `meaning.topic`; an unlawful term's label at `meaning.term` counts for the topics the
    term states), topic -> (why, probability); for every topic the largest probability a unit gives it
    or a term that states it; and that largest probability among the units that give the topic at least
    `meaning.ambiguous_ratio` times their most probable label's (a unit nearly as much about the topic as
    about anything)."""
    stated: dict[str, tuple[str, float]] = {}
    weight: dict[str, float] = {}
    near: dict[str, float] = {}
    if not data.meaning:
        return stated, weight, near
    near_ratio = float(data.meaning.get("ambiguous_ratio", 1.0))
    states = {f"term:{t.id}": t.states for t in data.terms}
    topic_floor = float(data.meaning.get("topic", 1.0))
    term_floor = float(data.meaning.get("term", 1.0))
    ratio = float(data.meaning.get("ratio", 1.0))
    term_ratio = float(data.meaning.get("term_ratio", 1.0))
    requires = {t.id: t.meaning_requires for t in data.topics if t.meaning_requires}
    for sentence, lead in _units(clause):
        text = f"{lead} {sentence}" if lead else sentence
        ranked = _meaning(text, pack)
        if requires:  # a topic the sentence lacks the words of is not read in it
            cleaned = _clean(text)
            ranked = tuple(r for r in ranked if all(p.search(cleaned) for p in requires.get(r[0], ())))
        listed = _list_lead(lead, data, pack)
        if listed is not None:  # an item of an organ's powers (a member's rights) names one, not the topic of its words
            ranked = tuple(r for r in ranked if not _is_topic(r[0]) or r[0] == listed)
        if not ranked:
            continue
        for label, p in ranked:
            for topic in states.get(label, (label,)):
                weight[topic] = max(weight.get(topic, 0.0), p)
                if p >= near_ratio * ranked[0][1]:
                    near[topic] = max(near.get(topic, 0.0), p)
        label, p = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        clear = p >= ratio * second
        if label in states:
            topics = states[label] if p >= term_floor and p >= term_ratio * second else ()
        else:
            topics = (label,) if _is_topic(label) and p >= topic_floor and clear else ()
        for topic in topics:
            if p > stated.get(topic, ("", 0.0))[1]:
                stated[topic] = (_meaning_why(text, label, p, pack), p)
    whole = _clause_topic(clause, data, pack)
    if whole is not None and whole[0] not in stated:
        stated[whole[0]] = (_meaning_why(clause.full, whole[0], whole[1], pack), whole[1])
    return stated, weight, near


def _whole(clause: Clause, pack: Pack) -> tuple[tuple[str, float], ...]:
    """The classifier's reading of a clause of several sentences (or items) as a whole, most probable first
    (its units are read one by one; the classifier learnt whole clauses); nothing for a clause of one."""
    if len(_SENTENCE.split(clause.text)) + len(clause.items) < 2:
        return ()
    return _meaning(clause.full, pack)


def _clause_topic(clause: Clause, data: AuditPack, pack: Pack) -> tuple[str, float] | None:
    """(topic, probability): the topic a clause of several sentences states as a whole, none of its sentences
    alone clearly enough: the classifier reads the whole clause as it at `meaning.clause_topic` or more (and
    the clause has the topic's `meaning_requires` words)."""
    ranked = _whole(clause, pack)
    if not ranked or not _is_topic(ranked[0][0]) or ranked[0][1] < float(data.meaning.get("clause_topic", 2.0)):
        return None
    topic = next((t for t in data.topics if t.id == ranked[0][0]), None)
    cleaned = _clean(clause.full)
    if topic is None or not all(p.search(cleaned) for p in topic.meaning_requires):
        return None
    return ranked[0]


def _clause_vetoes(clause: Clause, data: AuditPack, pack: Pack) -> tuple[frozenset[str], frozenset[str]]:
    """(topics, terms) a clause of several sentences does not state, however one of its sentences reads: the
    classifier reads the whole clause as a topic (at `meaning.clause_top` or more) and gives them less than
    `meaning.clause_veto` (topics) / `clause_term_veto` (unlawful terms, read on the classifier alone): an
    admission clause's «the application is accepted by the board» inside an exit clause, the auditor elected
    among the general meeting's powers, «whether a new member joined has nothing to do with the period» in a
    payout clause."""
    ranked = _whole(clause, pack)
    if not ranked or not _is_topic(ranked[0][0]) or ranked[0][1] < float(data.meaning.get("clause_top", 2.0)):
        return frozenset(), frozenset()
    given = dict(ranked)
    topic_floor = float(data.meaning.get("clause_veto", 0.0))
    term_floor = float(data.meaning.get("clause_term_veto", 0.0))
    topics = frozenset(t.id for t in data.topics if t.id != ranked[0][0] and given.get(t.id, 0.0) < topic_floor)
    terms = frozenset(t.id for t in data.terms if given.get(f"term:{t.id}", 0.0) < term_floor)
    return topics, terms


def _lawful_sign(text: str, data: AuditPack, citation: str) -> bool:
    """A lawful sign of audit.yaml (`signs`: one member one vote, court open...) on the point of law
    ``citation`` reads in ``text`` (cleaned): a clause that says something lawful in the pack's own words is
    not reported on the classifier's reading alone (a reserve fund that covers losses says nothing of a share
    kept on exit)."""
    return any(
        all(p.search(text) for p in sign.all) and not any(p.search(text) for p in sign.unless)
        for sign in data.signs
        if sign.citation == citation
    )


def _meaning_elsewhere(text: str, term: Term, data: AuditPack, pack: Pack) -> bool:
    """The classifier reads ``text`` as another unlawful term (at `meaning.term` or more) and gives
    ``term`` less than `meaning.veto`."""
    ranked = dict(_meaning(text, pack))
    if not ranked:
        return False
    top = max(ranked, key=ranked.__getitem__)
    return (
        top.startswith("term:")
        and top != f"term:{term.id}"
        and ranked[top] >= float(data.meaning.get("term", 1.0))
        and ranked.get(f"term:{term.id}", 0.0) < float(data.meaning.get("veto", 0.0))
    )


def _meaning_term(text: str, term: Term, data: AuditPack, pack: Pack) -> str | None:
    """What a unit's classification as ``term`` rests on, when its most probable label is the term at
    `meaning.term` or more."""
    if not data.meaning:
        return None
    ranked = _meaning(text, pack)
    if not ranked or ranked[0][0] != f"term:{term.id}" or ranked[0][1] < float(data.meaning.get("term", 1.0)):
        return None
    if len(ranked) > 1 and ranked[0][1] < float(data.meaning.get("term_ratio", 1.0)) * ranked[1][1]:
        return None
    return _meaning_why(text, ranked[0][0], ranked[0][1], pack)


def _nearest_term(text: str, term: Term, pack: Pack) -> tuple[str, float] | None:
    """(example, cosine) when ``text`` is close to one of the term's unlawful examples (at least
    `similar.term_threshold`, and by `term_margin` closer than any other wording) or, being about one of
    the term's topics (its closest labelled wording is one of theirs), close to the example at all
    that threshold. The term's `requires` words then decide (``_term_hits``)."""
    ranked = _best_by_label(text, pack)
    threshold, margin = load(pack).term_similar
    mine = next((r for r in ranked if r[0] == f"term:{term.id}"), None)
    if mine is None or mine[1] < threshold:
        return None
    topics = [r for r in ranked if _is_topic(r[0])]
    if ranked[0][0] == mine[0]:
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if mine[1] - runner_up >= margin:
            return mine[2], mine[1]
    if topics and topics[0][0] in term.about:
        return mine[2], mine[1]
    if mine[1] >= TERM_NEAR_TOP * ranked[0][1]:  # nearly as close as the closest wording of all
        return mine[2], mine[1]
    return None


TERM_NEAR_TOP = 0.85


def _similar_topics(
    clause: Clause, similar: tuple[float, float], pack: Pack
) -> tuple[dict[str, tuple[str, float]], dict[str, tuple[str, float]]]:
    """(accepted, closest): the topics whose labelled wording some sentence (or item, with its lead-in)
    of the clause is closest to, at least ``similar`` = (threshold, margin) close and closer than to
    another topic's; and for every topic its wording closest to the clause and the cosine.
    topic -> (prototype source, cosine)."""
    accepted: dict[str, tuple[str, float]] = {}
    closest: dict[str, tuple[str, float]] = {}
    data = load(pack)
    for sentence, lead in _units(clause):
        listed = _list_lead(lead, data, pack)
        ranked = [
            r
            for r in _best_by_label(f"{lead} {sentence}" if lead else sentence, pack)
            if _is_topic(r[0]) and listed in (None, r[0])
        ]
        for topic, score, source in ranked:
            if score > closest.get(topic, ("", 0.0))[1]:
                closest[topic] = (source, score)
        if not ranked:
            continue
        topic, score, source = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        better = topic not in accepted or accepted[topic][1] < score
        # a library sentence is a noisier prototype (its Jinja left out) than a hand-written example
        needed = similar[0] if source.startswith("example") else max(similar[0], LIBRARY_SIMILAR)
        if score >= needed and score - runner_up >= similar[1] and better:
            accepted[topic] = (source, score)
    return accepted, closest


LIBRARY_SIMILAR = 0.45


def _list_lead(lead: str, data: AuditPack, pack: Pack) -> str | None:
    """The topic (one of audit.yaml's `meaning.list_leads`: an organ's powers, a member's rights) whose list
    a lead-in introduces, when the classifier reads the lead-in so: «К исключительной компетенции общего
    собрания относятся: … 5) реорганизация и ликвидация» states the meeting's power, not how the
    cooperative is reorganised."""
    topics = data.meaning.get("list_leads") or ()
    if not lead or not topics:
        return None
    ranked = _meaning(lead, pack)
    return ranked[0][0] if ranked and ranked[0][0] in topics else None


def _is_topic(label: str) -> bool:
    return label != "other" and not label.startswith("term:")


def recognise(
    clauses: Sequence[Clause], data: AuditPack, pack: Pack
) -> tuple[list[Recognised], dict[str, list[Recognised]]]:
    """(found, near): each topic of the pack with the clauses that state it (cue words, else a sentence
    closest to the topic's labelled wordings or read so by the classifier), and for each topic the clauses
    that come near it without being recognised, nearest first — the classifier gives one of their
    sentences the topic at `meaning.ambiguous` or more (the score is that probability). A mandatory topic
    with no clause found but a near one is reported ambiguous, not missing: a clause to read, not an
    absence."""
    floor = float(data.meaning.get("ambiguous", 1.0))
    found = []
    near: dict[str, list[Recognised]] = {}
    stems = {stem for t in data.topics for cues in t.cues.values() for a in cues for p in a for stem in p}
    lengths = sorted({len(stem) for stem in stems})
    heads = frozenset(stem[:2] for stem in stems)
    for clause in clauses:
        text = _clean(clause.full)
        words = _index(
            _WORD.findall(_norm(clause.full).replace("за исключением", "кроме")), lengths, clause.lang, heads
        )
        accepted, closest = _similar_topics(clause, data.similar, pack)
        by_meaning, weight, nearness = _meaning_topics(clause, data, pack)
        veto = float(data.meaning.get("veto", 0.0))
        elsewhere, _ = _clause_vetoes(clause, data, pack)
        for topic in data.topics:
            if any(p.search(text) for p in topic.unless) or topic.id in elsewhere:
                continue
            source, score = closest.get(topic.id, ("", 0.0))
            if topic.id in by_meaning:
                why, probability = by_meaning[topic.id]
                found.append(Recognised(topic.id, clause, why, score * 100))
                continue
            p = nearness.get(topic.id, 0.0)
            if p >= floor:
                near.setdefault(topic.id, []).append(Recognised(topic.id, clause, f"meaning {p * 100:.0f}%", p * 100))
            if data.meaning and weight.get(topic.id, 0.0) < veto:  # the classifier reads it as something else
                continue
            if topic.id in accepted:
                source, score = accepted[topic.id]
                found.append(Recognised(topic.id, clause, f"~{source}", score * 100))
                continue
            if score < data.cue_floor:  # cue words in a clause about something else
                continue
            for alternative in (*topic.cues["ru"], *topic.cues["kk"]):  # a clause may mix the languages
                if all(_has(words, phrase) for phrase in alternative):
                    cue = " + ".join(" ".join(p) for p in alternative)
                    found.append(Recognised(topic.id, clause, cue, score * 100))
                    break
    return found, {topic: sorted(hits, key=lambda r: -r.score) for topic, hits in near.items()}


# --- findings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # missing | unlawful | pyramid | present | lawful
    id: str
    title: Mapping[str, str]
    clause: str | None
    page: int | None
    quote: str | None
    citation: str
    rule: str | None
    meaning: Mapping[str, str]
    why: str  # what the finding rests on: cue words, a library clause, a phrase
    question: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Audit:
    document: reading.Document
    clauses: tuple[Clause, ...]
    lang: str
    findings: tuple[Finding, ...]
    pack: Pack  # the pack the charter was checked against
    named: Pack | None = None  # the one installed pack whose legal form the charter names, if any
    programmes: Any = None  # charters.programmes.Programmes: the stress test of the programmes it states


def _units(clause: Clause) -> Iterable[tuple[str, str]]:
    """(sentence, context) pairs: each sentence of the clause, and each item with the lead-in it
    completes (so «Кооператив не вправе: 1) выплачивать доход» reads as negated)."""
    sentences = _SENTENCE.split(clause.text)
    yield from _inline_items(sentences, clause.lang)
    yield from _items_with_lead(sentences[-1] if sentences else "", [text for _, text in clause.items], clause.lang)


def _items_with_lead(lead: str, items: Sequence[str], lang: str) -> Iterator[tuple[str, str]]:
    """Each item of a list with the lead-in it completes; a Kazakh list puts its verb after the last item
    («Кооперативтің: 1) ...; 2) ... құқығы жоқ.»), so its lead-in takes that item too."""
    if items and lang == "kk":
        lead = f"{lead} {items[-1]}"
    for item in items:
        yield item, lead


_INLINE_FIRST = re.compile(r"^(.*:)\s*1\)\s*(\S.*)$")
_INLINE_NEXT = re.compile(r"^\d{1,2}\)\s*(\S.*)$")


def _inline_items(sentences: Sequence[str], lang: str) -> Iterator[tuple[str, str]]:
    """The sentences as units, a list written inside the clause's text («К компетенции собрания относятся:
    1) …; 2) …») as its lead-in and its items, each with the lead-in (as a list of items is read)."""
    i = 0
    while i < len(sentences):
        first = _INLINE_FIRST.match(sentences[i])
        if first is None:
            yield sentences[i], ""
            i += 1
            continue
        lead, items = first.group(1), [first.group(2)]
        i += 1
        while i < len(sentences) and (more := _INLINE_NEXT.match(sentences[i])):
            items.append(more.group(1))
            i += 1
        yield lead, ""
        yield from _items_with_lead(lead, items, lang)


def _quote(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_NUMBERS = {
    "один": 1,
    "одного": 1,
    "два": 2,
    "двух": 2,
    "три": 3,
    "трех": 3,
    "четыре": 4,
    "четырех": 4,
    "пять": 5,
    "пяти": 5,
    "шесть": 6,
    "шести": 6,
    "семь": 7,
    "семи": 7,
    "восемь": 8,
    "восьми": 8,
    "девять": 9,
    "девяти": 9,
    "десять": 10,
    "десяти": 10,
    "двенадцать": 12,
    "двенадцати": 12,
    "бір": 1,
    "екі": 2,
    "үш": 3,
    "төрт": 4,
    "бес": 5,
    "алты": 6,
    "жеті": 7,
    "сегіз": 8,
    "тоғыз": 9,
    "он": 10,
    "он екі": 12,
}
_NUMBERS = {word.translate(_KK_FOLD): n for word, n in _NUMBERS.items()}
_PERIOD = re.compile(
    (
        # \b: «соң екі ай» (after, two months) holds «он екі» (twelve) inside it
        r"\b(?:(\d{1,4})|(он екі|[а-яәғқңөұүһі]+))\s*(?:\(\s*[^)]*\)\s*)?"
        r"(месяц\w*|мес\.|год\w*|лет\b|календарн\w* дн\w*|рабоч\w* дн\w*|дн\w*|ай\w*|жыл\w*|күн\w*|күнтізбелік күн\w*)"
    ).translate(_KK_FOLD)
)
_MONTHLY_NUMBERS = {
    "одно": 1, "двух": 2, "трех": 3, "четырех": 4, "пяти": 5, "шести": 6, "семи": 7, "восьми": 8, "девяти": 9,
    "десяти": 10, "двенадцати": 12,
}
_MONTHLY = re.compile(rf"\b({'|'.join(_MONTHLY_NUMBERS)})месячн")
_ONE_MONTH = re.compile(r"\bв течение (?:календарного )?месяца\b|\bв месячный срок\b")
_HALF_YEAR = re.compile(r"\bполгода|\bполугод\w*|\bжарты жыл".translate(_KK_FOLD))
_NEXT_YEAR = re.compile(
    (
        r"\bв течение (?:(?:следующего|финансового|календарного|отчетного) ){0,2}года\b"
        r"|\bдо (?:окончания|конца|завершения) (?:(?:следующего|финансового|календарного|отчетного) ){0,2}года\b"
        # «до 31 декабря следующего года», «до конца следующего учебного года», «до окончания следующего
        # отопительного сезона»: a date in the next year or season
        r"|\bследующего (?:\w+ ){0,2}(?:года|сезона)\b|\bгода,? следующего за\b|жылдан кейінгі (?:\w+ )?жыл"
        r"|\bбір жыл|келесі (?:\w+ ){0,2}(?:жыл|маусым)"
    ).translate(_KK_FOLD)
)


def months(text: str) -> float | None:
    """The longest period the sentence names, in months («в течение шести месяцев» -> 6)."""
    best = None
    text = _fold(text)
    for m in _PERIOD.finditer(text):
        n = int(m.group(1)) if m.group(1) else _NUMBERS.get(m.group(2) or "")
        if n is None:
            continue
        unit = m.group(3)
        value = n * 12.0 if unit.startswith(("год", "лет", "жыл")) else n / 30.0 if "дн" in unit or "кун" in unit else n
        best = value if best is None else max(best, value)
    if best is None and _ONE_MONTH.search(text):  # «в течение месяца»: one, the number left unsaid
        best = 1.0
    for m in _MONTHLY.finditer(text):  # «в шестимесячный срок»
        best = max(best or 0.0, float(_MONTHLY_NUMBERS[m.group(1)]))
    if _HALF_YEAR.search(text):  # «в течение полугода», «жарты жыл ішінде»
        best = max(best or 0.0, 6.0)
    if best is None and _NEXT_YEAR.search(text):
        best = 12.0
    return best


@lru_cache(maxsize=32768)
def _clean(text: str) -> str:
    # quotation marks around defined terms («Мүше» «Басқарманың» шешімімен) are not words
    return _fold(text).translate(_QUOTES).replace("за исключением", "кроме")


_QUOTES = str.maketrans("", "", "«»„“”\"")


def _term_hits(
    clause: Clause, term: Term, negation: Sequence[re.Pattern[str]], sign: bool, pack: Pack
) -> tuple[str, str] | None:
    """The first sentence of the clause with the term, and what it rests on: the term's expressions, or
    (an unlawful term) the closest unlawful example (``_nearest_term``), or the clause classifier's reading
    (``_meaning_term``)."""
    data = load(pack)
    for sentence, lead in _units(clause):
        context = f"{_clean(lead)} {_clean(sentence)}".strip()
        text = context if sign else _clean(sentence)
        why = "pattern"
        by_meaning = False
        if not all(p.search(text) for p in term.all):
            near = None if sign or not term.requires else _nearest_term(f"{lead} {sentence}".strip(), term, pack)
            if near is not None and all(p.search(text) for p in term.requires):
                why = f"~{near[0]} ({near[1] * 100:.0f}%)"
            else:
                meant = None if sign else _meaning_term(f"{lead} {sentence}".strip(), term, data, pack)
                if meant is None or not all(p.search(context) for p in term.meaning_requires):
                    continue
                why, by_meaning = meant, True
        if any(p.search(context) for p in term.unless) and not any(p.search(context) for p in term.despite):
            continue
        unit = f"{lead} {sentence}".strip()
        if not sign and not by_meaning and _meaning_elsewhere(unit, term, data, pack):
            continue  # the words are there, but the classifier reads another unlawful term
        if (
            not sign
            and not by_meaning
            and dict(_meaning(unit, pack)).get(f"term:{term.id}", 1.0) < float(data.meaning.get("term_veto", 0.0))
        ):
            continue  # the words are there, but the classifier gives the term next to nothing
        negated = term.negatable and not any(p.search(text) for p in term.even_if_negated)
        if by_meaning and _lawful_sign(_clean(clause.full), data, term.citation):
            continue  # a lawful wording read by the pack's expressions outranks the classifier's reading
        if by_meaning and term.id in _clause_vetoes(clause, data, pack)[1]:
            continue  # one sentence reads so, the clause as a whole is a lawful topic's
        if not sign and negated and any(p.search(context) for p in negation):
            # the classifier has read the sentence's own negations (a list's lead-in it has not)
            meant = None if by_meaning else _meaning_term(unit, term, data, pack)
            if meant is not None:
                why, by_meaning = meant, True
            if not by_meaning or any(p.search(_clean(lead)) for p in negation):
                continue
            # ...when it reads the term clearly in spite of them (`meaning.term_negated`)
            if dict(_meaning(unit, pack)).get(f"term:{term.id}", 0.0) < float(data.meaning.get("term_negated", 0.0)):
                continue
        if term.months_over is not None:
            period = months(sentence)
            # a period the classifier's reading does not name («по мере возможности») is not a lawful one
            if (period is None and not by_meaning) or (period is not None and period <= term.months_over):
                continue
        return sentence, why
    return None


def audit(path: Path, pack: Pack) -> Audit:
    """Read, split, recognise and judge the charter at ``path``."""
    document = reading.read(path)
    return audit_document(document, pack)


def audit_document(document: reading.Document, pack: Pack) -> Audit:
    data = load(pack)
    clauses = split(document)
    langs = [c.lang for c in clauses]
    lang = max(READ_LANGS, key=langs.count) if langs else "ru"
    found: list[Finding] = []
    terms_found: list[Finding] = []
    recognised, near = recognise(clauses, data, pack)
    for kind, terms, sign in (("unlawful", data.terms, False), ("lawful", data.signs, True)):
        for term in terms:
            for clause in clauses:
                hit = _term_hits(clause, term, data.negation, sign, pack)
                if hit is not None:
                    sentence, why = hit
                    terms_found.append(
                        Finding(
                            kind,
                            term.id,
                            term.title,
                            clause.label,
                            clause.page,
                            _quote(sentence),
                            term.citation,
                            term.rule,
                            term.meaning,
                            why,
                            term.question,
                        )
                    )
                    if kind == "unlawful":  # the clause still settles the topic, unlawfully
                        recognised += [Recognised(t, clause, f"term {term.id}", 0.0) for t in term.states]
                        # ...or it does not, however like the topic's wordings it reads (a share kept states
                        # no payout procedure)
                        unstated = {(clause.label, t) for t in term.unstates}
                        recognised = [r for r in recognised if (r.clause.label, r.topic) not in unstated]
                    break
    unlawful = {f.clause for f in terms_found if f.kind == "unlawful"}
    for topic in data.topics:
        hits = [r for r in recognised if r.topic == topic.id]
        # a clause with an unlawful term is reported as such: it does not make a topic the term leaves
        # unstated (a share "not returned" states no payout) unclear
        candidate = next((r for r in near.get(topic.id, ()) if r.clause.label not in unlawful), None)
        if hits:
            best = max(hits, key=lambda r: r.score)  # the clause closest to the topic's wordings
            found.append(
                Finding(
                    "present",
                    topic.id,
                    topic.title,
                    best.clause.label,
                    best.clause.page,
                    _quote(best.clause.full),
                    topic.citation,
                    None,
                    topic.meaning,
                    f"{best.cue} (closest wording {best.score:.0f}%)"
                    + (f"; +{len(hits) - 1} more" if len(hits) > 1 else ""),
                )
            )
        elif topic.mandatory and candidate is not None:
            found.append(
                Finding(
                    "ambiguous",
                    topic.id,
                    topic.title,
                    candidate.clause.label,
                    candidate.clause.page,
                    _quote(candidate.clause.full),
                    topic.citation,
                    None,
                    topic.meaning,
                    _meaning_why(candidate.clause.full, topic.id, candidate.score / 100, pack),
                    topic.question,
                )
            )
        elif topic.mandatory:
            found.append(
                Finding(
                    "missing",
                    topic.id,
                    topic.title,
                    None,
                    None,
                    None,
                    topic.citation,
                    None,
                    topic.meaning,
                    "no clause with "
                    + " / ".join(" + ".join(" ".join(p) for p in alt) for alt in topic.cues[lang])
                    + " and none like its wordings",
                    topic.question,
                )
            )
    found += terms_found
    found.extend(_pyramid_language(clauses, data, pack))
    order = {k: i for i, k in enumerate(KINDS)}
    findings = tuple(sorted(found, key=lambda f: order[f.kind]))
    return Audit(document, tuple(clauses), lang, findings, pack, named_pack([document]))


def names_form(documents: Sequence[reading.Document], pack: Pack) -> bool:
    """The documents name a cooperative in the pack's legal form (its full name pattern, pack.yaml
    ``names.full``: «Потребительский кооператив «…»»)."""
    for form in ((pack.meta.get("names") or {}).get("full") or {}).values():
        before, _, after = str(form).partition("{name}")
        pattern = re.compile(re.escape(before) + r"[^«»\n]{1,150}?" + re.escape(after), re.IGNORECASE)
        if any(pattern.search(p.text) for d in documents for p in d.paragraphs[:200]):
            return True
    return False


def named_pack(documents: Sequence[reading.Document]) -> Pack | None:
    """The one installed pack whose legal form the documents name; None when they name none or several."""
    from coopdocs.packs.pack import available_packs

    named = [p for p in available_packs() if names_form(documents, p)]
    return named[0] if len(named) == 1 else None



_TEXT_CATEGORIES = ("return", "recruitment")


def _text_rules(pack: Pack) -> dict[str, Rule]:
    """The pack's red-flag rules that read pyramid language of the categories an audit reports,
    by category (the rules whose check is ``pyramid_language``; their ids are the pack's own)."""
    return {
        str(rule.params.get("category")): rule
        for rule in load_rules(pack)
        if rule.fn == "pyramid_language" and rule.params.get("category") in _TEXT_CATEGORIES
    }


def _pyramid_language(clauses: Sequence[Clause], data: AuditPack, pack: Pack) -> list[Finding]:
    lexicon = textscan.load_lexicon(pack)
    text_rules = _text_rules(pack)
    found = []
    for clause in clauses:
        for sentence, lead in _units(clause):
            matches = [m for m in textscan.classify(sentence, lexicon) if m.category in text_rules]
            if not matches:
                continue
            context = _clean(f"{lead} {sentence}")
            if any(p.search(context) for p in data.negation):
                continue
            if any(p.search(_clean(sentence)) for p in data.pyramid_unless):
                continue
            for category in dict.fromkeys(m.category for m in matches):
                same = [m for m in matches if m.category == category]
                rule = text_rules[category]
                words = ", ".join(dict.fromkeys(textscan.phrases(sentence, same)))
                found.append(
                    Finding(
                        "pyramid",
                        f"text-{category}",
                        data.words[f"pyramid_{category}"],
                        clause.label,
                        clause.page,
                        _quote(sentence),
                        same[0].citation,
                        rule.id,
                        dict(same[0].why),
                        f"«{words}»",
                        data.words.get(f"question_{category}"),
                    )
                )
    return found


# --- output ----------------------------------------------------------------------------------------


def counts(result: Audit) -> dict[str, int]:
    return {kind: sum(1 for f in result.findings if f.kind == kind) for kind in KINDS}


def as_json(result: Audit, lang: str) -> dict[str, Any]:
    pack = result.pack
    return {
        "file": result.document.path,
        "pack": pack.key,
        "form_named": result.named.key if result.named else None,
        "read": {
            "kind": result.document.kind,
            "pages": result.document.pages,
            "paragraphs": len(result.document.paragraphs),
            "clauses": len(result.clauses),
            "language": result.lang,
            "not_read": list(result.document.notes),
        },
        "counts": counts(result),
        "findings": [
            {
                "kind": f.kind,
                "id": f.id,
                "title": f.title[lang],
                "clause": f.clause,
                "page": f.page,
                "quote": f.quote,
                "law": resolve(f.citation, lang, pack).label(lang),
                "citation": f.citation,
                "verified": resolve(f.citation, lang, pack).verified,
                "rule": f.rule,
                "meaning": f.meaning[lang],
                "why": f.why,
                "question": f.question[lang] if f.question else None,
            }
            for f in result.findings
        ],
        "stress": None if result.programmes is None else _programmes_json(result, lang),
        "disclaimer": load(pack).words["disclaimer"][lang],
    }


def _programmes_json(result: Audit, lang: str) -> dict[str, Any]:
    from coopdocs.charters import programmes

    return programmes.as_json(result.programmes, lang, result)


def blocks(result: Audit, lang: str) -> list[tuple[str, str]]:
    """The report as (kind, text) blocks — read, note, heading, finding, quote, detail, question, summary,
    disclaimer — written out as terminal text (``format_text``) or a DOCX (``report_docx``)."""
    pack = result.pack
    w = {k: v[lang] for k, v in load(pack).words.items()}
    doc = result.document
    c = counts(result)
    pages = f", {doc.pages} {w['pages']}" if doc.pages else ""
    out = [
        (
            "read",
            f"{doc.path}: {doc.kind.upper()}{pages}, {len(result.clauses)} {w['clauses']}, "
            f"{w['language']}: {result.lang}; {w['checked_against']}: {pack_title(pack, lang)}",
        )
    ]
    if result.named is not None and result.named != pack:
        out.append(("note", f"{w['form_named']}: {pack_title(result.named, lang)}"))
    out += [("note", f"{w['not_read']}: {note}") for note in doc.notes]
    for kind in KINDS:
        items = [f for f in result.findings if f.kind == kind]
        if not items:
            continue
        out.append(("heading", f"{w['heading_' + kind]} ({len(items)})"))
        for f in items:
            where = (f.clause if " " in f.clause else f"{w['clause']} {f.clause}") if f.clause else ""
            if f.page:
                where += f", {w['page']} {f.page}"
            head = f.title[lang] + (f" [{where}]" if where else "")
            if f.rule:
                head += f" {f.rule}"
            out.append(("finding", head))
            if f.quote and kind != "present":
                out.append(("quote", f"«{f.quote}»"))
            if kind != "present":
                out.append(("detail", f"{w['law']}: {resolve(f.citation, lang, pack).label(lang)}"))
                out.append(("detail", f"{w['meaning']}: {f.meaning[lang]}"))
            if kind == "pyramid":
                out.append(("detail", f"{w['words']}: {f.why}"))
            if kind == "ambiguous":
                out.append(("detail", f"{w['ambiguous_why']}: {why_words(f.why, w)}"))
    if result.programmes is not None:
        from coopdocs.charters import programmes

        out += programmes.blocks(result.programmes, lang, result)
    questions = [
        f.question[lang]
        for f in result.findings
        if f.question and f.kind in ("missing", "ambiguous", "unlawful", "pyramid")
    ]
    if questions:
        out.append(("heading", w["heading_questions"]))
        out += [("question", f"{i}. {q}") for i, q in enumerate(dict.fromkeys(questions), 1)]
    out.append(
        (
            "summary",
            f"{w['summary']}: {c['missing']} {w['n_missing']}, {c['ambiguous']} {w['n_ambiguous']}, "
            f"{c['unlawful']} {w['n_unlawful']}, "
            f"{c['pyramid']} {w['n_pyramid']}, {c['lawful']} {w['n_lawful']}",
        )
    )
    out.append(("disclaimer", w["disclaimer"]))
    return out


_TEXT = {"note": "  {}", "finding": "  - {}", "quote": "      {}", "detail": "      = {}", "question": "  {}"}


def format_text(result: Audit, lang: str) -> str:
    lines: list[str] = []
    for kind, text in blocks(result, lang):
        if kind in ("heading", "summary"):
            lines.append("")
        lines.append(_TEXT.get(kind, "{}").format(text))
    return "\n".join(lines)


def report_docx(result: Audit, lang: str) -> bytes:
    """The same report as a Word document in the reader's language (python-docx, built-in styles)."""
    import io

    import docx
    from docx.shared import Pt

    words = load(result.pack).words
    document = docx.Document()
    document.core_properties.title = words["report_title"][lang]
    document.add_heading(words["report_title"][lang], level=0)
    for kind, text in blocks(result, lang):
        if kind == "heading":
            document.add_heading(text, level=1)
        elif kind == "finding":
            document.add_paragraph(text, style="List Bullet").runs[0].bold = True
        elif kind == "quote":
            document.add_paragraph(text, style="Quote")
        elif kind == "question":
            document.add_paragraph(text.split(". ", 1)[1], style="List Number")
        elif kind == "disclaimer":
            run = document.add_paragraph().add_run(text)
            run.italic = True
            run.font.size = Pt(9)
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_tree(result: Audit, lang: str) -> Any:
    """The report as a document tree (coopdocs/compose/doctree.py) in the reader's language, for the Typst PDF
    and HTML writers: what was read, a section per kind of finding (each finding a numbered clause with
    its quote, law, meaning and what it rests on), the questions, the summary and the caveat."""
    from coopdocs.compose import doctree, wording

    pack = result.pack
    w = {k: v[lang] for k, v in load(pack).words.items()}
    blocks_of = blocks(result, lang)
    sections: list[doctree.Section] = []

    def section(title: str, clauses: list[tuple[str, tuple[str, ...]]]) -> None:
        n = len(sections) + 1
        sections.append(
            doctree.Section(
                f"audit-{n}",
                str(n),
                title,
                tuple(
                    doctree.Clause(f"audit-{n}-{i}", f"{n}.{i}", text, items, None)
                    for i, (text, items) in enumerate(clauses, 1)
                ),
            )
        )

    read = [text for kind, text in blocks_of if kind == "read"]
    notes = tuple(text for kind, text in blocks_of if kind == "note")
    section(w["heading_read"], [(read[0], notes)])
    for kind in KINDS:
        items = [f for f in result.findings if f.kind == kind]
        if not items:
            continue
        entries = []
        for f in items:
            head = _finding_head(f, lang, w)
            details: list[str] = []
            if f.quote and kind != "present":
                details.append(f"«{f.quote}»")
            if kind != "present":
                details.append(f"{w['law']}: {resolve(f.citation, lang, pack).label(lang)}")
                details.append(f"{w['meaning']}: {f.meaning[lang]}")
            details.append(f"{w['rests_on']}: {why_words(f.why, w)}")
            entries.append((head, tuple(details)))
        section(f"{w['heading_' + kind]} ({len(items)})", entries)
    if result.programmes is not None:  # the stress test's blocks, as blocks() wrote them after its heading
        start = blocks_of.index(("heading", w["heading_stress"])) + 1
        entries = []
        for kind, text in blocks_of[start:]:
            if kind in ("heading", "summary"):
                break
            if kind == "detail" and entries:
                entries[-1] = (entries[-1][0], (*entries[-1][1], text))
            else:
                entries.append((text, ()))
        section(w["heading_stress"], entries)
    questions = [text.split(". ", 1)[1] for kind, text in blocks_of if kind == "question"]
    if questions:
        section(w["heading_questions"], [(q, ()) for q in questions])
    summary = next(text for kind, text in blocks_of if kind == "summary")
    section(w["heading_end"], [(summary, ()), (w["disclaimer"], ())])
    words = wording.words(pack)
    document = doctree.Document("audit", lang, w["report_title"], Path(result.document.path).name, (), tuple(sections))
    return doctree.Tree(
        document=document,
        header=w["report_title"],
        page_words=doctree.PageWords(**words["page"][lang]),
        draft=None,
        signatures=(),
        author="coopdocs audit",
        language_tag=str(words["languages"][lang]),
    )


def pack_title(pack: Pack, lang: str) -> str:
    """The pack in the reader's words: its title (pack.yaml) and its id."""
    titles = pack.meta.get("title") or {}
    title = titles.get(lang) or titles.get("en") if isinstance(titles, Mapping) else None
    return f"{title} ({pack.key})" if title else pack.key


def why_words(why: str, w: Mapping[str, str]) -> str:
    """What a finding rests on (``Finding.why``, written in English for JSON) in the reader's words."""
    out = re.sub(
        r"^meaning (\d+)%( ~)?", lambda m: f"{w['why_meaning']} {m.group(1)}%" + ("; ~" if m.group(2) else ""), why
    )
    out = re.sub(
        r"(^|; )~example «",
        lambda m: f"{m.group(1)}{w['why_like'] + ' ' if m.group(1) else ''}{w['why_example']} «",
        out,
    )
    out = re.sub(
        r"(^|; )~([a-z_]+\.[a-z_]+)",
        lambda m: f"{m.group(1)}{w['why_like'] + ' ' if m.group(1) else ''}{w['why_library']} {m.group(2)}",
        out,
    )
    out = re.sub(r"^term ", f"{w['why_term']} ", out)
    out = re.sub(r"^pattern$", w["why_pattern"], out)
    out = out.replace("closest wording", w["why_closest"]).replace(" more", f" {w['why_more']}")
    out = out.replace("no clause with ", f"{w['why_no_clause']} ").replace(
        " and none like its wordings", f" {w['why_none_like']}"
    )
    return out


def _finding_head(f: Finding, lang: str, w: Mapping[str, str]) -> str:
    where = (f.clause if " " in f.clause else f"{w['clause']} {f.clause}") if f.clause else ""
    if f.page:
        where += f", {w['page']} {f.page}"
    head = f.title[lang] + (f" [{where}]" if where else "")
    return head + (f" {f.rule}" if f.rule else "")


def report_pdf(result: Audit, lang: str) -> bytes:
    """The report typeset by Typst. A quote from someone else's file (an OCR'd scan above all) may hold
    a character the shipped fonts do not draw: it is printed as «?» here (the quote in the terminal
    and JSON output keeps it), instead of failing the report."""
    from dataclasses import replace

    from coopdocs.writers import typeset

    tree = report_tree(result, lang)
    drawn = typeset.covered()

    def printable(text: str) -> str:
        return "".join(ch if ord(ch) in drawn or ch in "\n\t" else "?" for ch in text)

    sections = tuple(
        replace(
            s,
            clauses=tuple(
                replace(c, text=printable(c.text), items=tuple(printable(i) for i in c.items))
                for s2 in [s]
                for c in s2.clauses
            ),
        )
        for s in tree.document.sections
    )
    document = replace(tree.document, sections=sections, subtitle=printable(tree.document.subtitle))
    return typeset.write_pdf(replace(tree, document=document), pack=result.pack)


def report_html(result: Audit, lang: str) -> bytes:
    """The report as a standalone HTML page (coopdocs/writers/htmlwriter.py, autoescaped)."""
    from coopdocs.writers import htmlwriter

    return htmlwriter.render(report_tree(result, lang), pack=result.pack).encode("utf-8")
