"""Reading free text for the language of financial pyramids, in Russian, Kazakh and English.

The word lists, patterns and lawful contexts are data of the pack (``pyramid-language.yaml``, next
to ``input.yaml``); this module only cuts text into clauses and words and recognises the words:
Russian by lemma (pymorphy3 and its OpenCorpora dictionary, shipped as a package: nothing is
downloaded at run time), Kazakh by a stem followed only by known suffixes, English as written.
Which fields are prose comes from the input schema: every ``localized`` field not marked
``meta: {prose: false}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import product
from typing import Any

from coopdocs.errors import PackError
from coopdocs.inputs.schema import prose_fields
from coopdocs.packs.pack import Pack

CATEGORIES = ("return", "recruitment", "investment")
_CLAUSE = re.compile(r"[.;:!?()\n\[\]«»\"]+(?!\d)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|%|[^\W\d_]+")
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]")


@dataclass(frozen=True)
class Match:
    """One pattern found in one clause: where, which words, and why it matters."""

    pattern: str
    category: str
    start: int
    end: int
    phrase: str
    citation: str
    why: Mapping[str, str]


@dataclass(frozen=True)
class Words:
    """A word class of the lexicon: Russian lemmas, Kazakh stems and exact words, English words."""

    ru: frozenset[str]
    kk_stems: tuple[str, ...]
    kk_exact: frozenset[str]
    en: frozenset[str]
    regex: re.Pattern[str] | None = None

    @property
    def ru_prefixes(self) -> frozenset[str]:
        """The first letters of every Russian lemma (see ``_prefix_length``): a word that starts
        otherwise cannot be one of them, since Russian inflects at the end (forms that change
        earlier, such as денег or люди, are listed as words)."""
        return frozenset(word[: _prefix_length(word)] for word in self.ru)


def _prefix_length(lemma: str) -> int:
    """Five letters of a long noun or adjective (инвестиция -> инвес, so инвентарь does not pass),
    four of a verb, whose stem may alternate after them (вернуть, вернём), fewer of a short word
    (новый -> нов, пай -> па)."""
    if len(lemma) >= 7 and not lemma.endswith(("ть", "ться", "чь", "ти")):
        return 5
    return min(4, max(2, len(lemma) - 2))


@dataclass(frozen=True)
class Pattern:
    id: str
    category: str
    concepts: tuple[str, ...]
    window: int
    unless: tuple[str, ...]
    citation: str
    why: Mapping[str, str]


@dataclass(frozen=True)
class Context:
    words: Words
    before: int
    after: int
    after_words: Words | None
    except_next: Words | None
    except_prev: Words | None
    barriers: Words | None


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    concepts: frozenset[str]
    contexts: frozenset[str]
    exceptions: frozenset[str]  # "next" / "prev" / "after" markers of the negation context


@dataclass(frozen=True)
class QuickIndex:
    """Every concept's cheap words in one index (``_quick_index``)."""

    keys: Mapping[str, frozenset[str]]  # a Russian prefix (2-5 letters) or "=" + a whole word -> concepts
    stems: tuple[str, ...]  # every Kazakh stem
    stem_names: Mapping[str, frozenset[str]]  # a Kazakh stem -> its concepts
    regexes: tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class Lexicon:
    concepts: Mapping[str, Words]
    patterns: tuple[Pattern, ...]
    contexts: Mapping[str, Context]
    suffixes: tuple[str, ...]
    source: str
    _cache: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _found: dict[str, list[Match]] = field(default_factory=dict, compare=False, repr=False)
    _quick: list[QuickIndex] = field(default_factory=list, compare=False, repr=False)  # built once, at first use
    _maybe: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)


# --- loading -------------------------------------------------------------------------------------


LEXICON = "pyramid-language.yaml"


@cache
def load_lexicon(pack: Pack, name: str = LEXICON) -> Lexicon:
    """The pack's lexicon (its file ``name``, read through the pack and recorded like every file of
    it), validated; malformed data is a PackError. Each ``why`` is in every language of the pack."""
    where = pack.schema_rel(name)
    raw = pack.read(where)
    if not isinstance(raw, Mapping):
        raise PackError(f"{where}: expected a mapping")
    concepts = {str(k): _words(v, f"{where}: concepts.{k}") for k, v in (raw.get("concepts") or {}).items()}
    contexts = {str(k): _context(v, f"{where}: contexts.{k}") for k, v in (raw.get("contexts") or {}).items()}
    default_window = int(raw.get("window", 5))
    patterns = []
    for i, entry in enumerate(raw.get("patterns") or []):
        at = f"{where}: patterns[{i}]"
        if entry.get("category") not in CATEGORIES:
            raise PackError(f"{at}: category must be one of {', '.join(CATEGORIES)}")
        names = tuple(entry.get("all") or ())
        unknown = [n for n in names if n not in concepts] + [n for n in entry.get("unless") or () if n not in contexts]
        if not names or unknown:
            raise PackError(f"{at}: unknown or missing concepts/contexts {unknown}")
        why = entry.get("why") or {}
        if not all(isinstance(why.get(lang), str) for lang in pack.languages) or not entry.get("citation"):
            raise PackError(f"{at}: needs `why` in {', '.join(pack.languages)} and a `citation`")
        patterns.append(
            Pattern(
                id=str(entry["id"]),
                category=str(entry["category"]),
                concepts=names,
                window=int(entry.get("window", default_window)),
                unless=tuple(entry.get("unless") or ()),
                citation=str(entry["citation"]),
                why={lang: " ".join(str(why[lang]).split()) for lang in pack.languages},
            )
        )
    suffixes = tuple(sorted({str(s) for s in raw.get("kk_suffixes") or ()}, key=len, reverse=True))
    return Lexicon(concepts, tuple(patterns), contexts, suffixes, where)


def _norm(word: str) -> str:
    return word.lower().replace("ё", "е")


def _words(value: Any, where: str) -> Words:
    if not isinstance(value, Mapping):
        raise PackError(f"{where}: expected ru/kk/en word lists")
    kk = [_norm(str(w)) for w in value.get("kk") or ()]
    regex = value.get("kk_regex")
    return Words(
        ru=frozenset(_norm(str(w)) for w in value.get("ru") or ()),
        kk_stems=tuple(w for w in kk if not w.startswith("=")),
        kk_exact=frozenset(w[1:] for w in kk if w.startswith("=")),
        en=frozenset(_norm(str(w)) for w in value.get("en") or ()),
        regex=re.compile(str(regex)) if regex else None,
    )


def _context(value: Any, where: str) -> Context:
    def optional(key: str) -> Words | None:
        return _words(value[key], f"{where}.{key}") if key in value else None

    return Context(
        words=_words(value, where),
        before=int(value.get("before", 4)),
        after=int(value.get("after", 4)),
        after_words=optional("after_words"),
        except_next=optional("except_next"),
        except_prev=optional("except_prev"),
        barriers=optional("barriers"),
    )


# --- words ---------------------------------------------------------------------------------------


@cache
def _morph() -> Any:
    import pymorphy3  # imported here: ~0.1 s and 15 MB, needed only when free text is read

    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def lemmas(word: str) -> frozenset[str]:
    """Every Russian normal form of ``word`` (all parses: the scan must not miss a reading)."""
    if not _CYRILLIC.search(word):
        return frozenset({word})
    forms = {word} | {_norm(p.normal_form) for p in _morph().parse(word)}
    # a reflexive verb counts as its base: выплачивается -> выплачиваться -> выплачивать
    return frozenset(forms | {f[:-2] for f in forms if f.endswith(("ться", "тись", "чься"))})


_VOICED = {"қ": "ғ", "к": "г", "п": "б"}


def _stem_matches(word: str, stem: str, suffixes: Sequence[str]) -> bool:
    """``word`` is ``stem`` followed only by suffixes; a final қ/к/п may voice before a vowel
    (жинақ -> жинағы)."""
    if word == stem:
        return True
    stems = [stem]
    if stem[-1:] in _VOICED:
        stems.append(stem[:-1] + _VOICED[stem[-1]])
    # a short stem (пай, қор, бөл) takes at most two suffixes: қор + ытындысы is another word
    depth = 5 if len(stem) < 4 else 0
    return any(word.startswith(s) and _only_suffixes(word[len(s) :], tuple(suffixes), depth) for s in stems)


@cache
def _only_suffixes(rest: str, suffixes: tuple[str, ...], depth: int = 0) -> bool:
    if not rest:
        return True
    if depth >= 7:
        return False
    return any(rest.startswith(s) and _only_suffixes(rest[len(s) :], suffixes, depth + 1) for s in suffixes)


def _is(word: str, words: Words, suffixes: Sequence[str]) -> bool:
    return bool(lemmas(word) & words.ru) or _is_plain(word, words, suffixes)


def _is_plain(word: str, words: Words, suffixes: Sequence[str]) -> bool:
    """The match without the Russian dictionary: English and exact words, Kazakh stems, the regex."""
    if word in words.en or word in words.kk_exact:
        return True
    if words.regex is not None and words.regex.match(word):
        return True
    return any(_stem_matches(word, stem, suffixes) for stem in _stems_for(word, words.kk_stems))


# Kazakh stems by their first two letters: a word is compared only with the stems it can start with
# (a stem's voiced variant differs only in its last letter; a stem of one or two letters is kept under
# its whole self). Keyed by the tuple's identity, which the Words holding it keeps alive.
_STEM_INDEX: dict[int, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {}


def _stems_for(word: str, stems: tuple[str, ...]) -> tuple[str, ...]:
    known = _STEM_INDEX.get(id(stems))
    if known is None or known[0] is not stems:
        index: dict[str, list[str]] = {}
        for stem in stems:
            index.setdefault(stem[:2], []).append(stem)
            if len(stem) == 2 and stem[-1] in _VOICED:  # ақ -> ағы
                index.setdefault(stem[0] + _VOICED[stem[-1]], []).append(stem)
        known = (stems, {k: tuple(v) for k, v in index.items()})
        _STEM_INDEX[id(stems)] = known
    index_of = known[1]
    short = index_of.get(word[:1], ())
    if len(word) < 2:
        return short
    return index_of.get(word[:2], ()) + short


def _classes(word: str, lexicon: Lexicon) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    known = lexicon._cache.get(word)
    if known is None:
        concepts = frozenset(n for n, w in lexicon.concepts.items() if _is(word, w, lexicon.suffixes))
        contexts = frozenset(n for n, c in lexicon.contexts.items() if _is(word, c.words, lexicon.suffixes))
        marks = set()
        for name, ctx in lexicon.contexts.items():
            marks_of = (
                ("after", ctx.after_words),
                ("next", ctx.except_next),
                ("prev", ctx.except_prev),
                ("barrier", ctx.barriers),
            )
            for mark, words in marks_of:
                if words is not None and _is(word, words, lexicon.suffixes):
                    marks.add(f"{name}:{mark}")
        known = (concepts, contexts, frozenset(marks))
        lexicon._cache[word] = known
    return known


def _maybe(word: str, lexicon: Lexicon) -> frozenset[str]:
    """The concepts a word may belong to, found without the Russian dictionary (a superset); known
    words are remembered (a charter repeats its words: this check was most of an audit's time)."""
    known = lexicon._maybe.get(word)
    if known is None:
        known = lexicon._maybe[word] = frozenset(_maybe_uncached(word, lexicon))
    return known


def _maybe_uncached(word: str, lexicon: Lexicon) -> set[str]:
    """The concepts whose Russian prefixes, Russian words, English or exact Kazakh words, regex or Kazakh
    stems ``word`` matches, looked up in one index of every concept (``_quick_index``) rather than
    concept by concept."""
    quick = lexicon._quick[0] if lexicon._quick else _quick_index(lexicon)
    found: set[str] = set()
    for key in (word[:2], word[:3], word[:4], word[:5], "=" + word):
        found |= quick.keys.get(key, frozenset())
    found |= {name for name, regex in quick.regexes if regex.match(word)}
    for stem in _stems_for(word, quick.stems):
        names = quick.stem_names[stem]
        if not names <= found and _stem_matches(word, stem, lexicon.suffixes):
            found |= names
    return found


def _quick_index(lexicon: Lexicon) -> QuickIndex:
    """Every concept's cheap words in one index: a Russian prefix (2-5 letters) or "=" + a whole word
    (Russian, English, exact Kazakh) -> the concepts; the regexes; every Kazakh stem -> its concepts."""
    keys: dict[str, set[str]] = {}
    stem_names: dict[str, set[str]] = {}
    regexes = []
    for name, w in lexicon.concepts.items():
        for key in (*w.ru_prefixes, *("=" + x for x in w.ru | w.en | w.kk_exact)):
            keys.setdefault(key, set()).add(name)
        for stem in w.kk_stems:
            stem_names.setdefault(stem, set()).add(name)
        if w.regex is not None:
            regexes.append((name, w.regex))
    quick = QuickIndex(
        keys={k: frozenset(v) for k, v in keys.items()},
        stems=tuple(stem_names),
        stem_names={k: frozenset(v) for k, v in stem_names.items()},
        regexes=tuple(regexes),
    )
    lexicon._quick.append(quick)
    return quick


def _plausible(words: Sequence[str], lexicon: Lexicon) -> bool:
    """Whether some pattern could match the clause: only then is the Russian dictionary loaded
    (most cooperatives' texts never need it)."""
    present: set[str] = set()
    for word in words:
        present |= _maybe(word, lexicon)
    return any(set(p.concepts) <= present for p in lexicon.patterns)


def tokens(text: str, lexicon: Lexicon) -> list[list[Token]]:
    """The text cut into clauses, each a list of recognised words (clauses in which no pattern can
    match are left out)."""
    clauses: list[list[Token]] = []
    offset = 0
    for part in _CLAUSE.split(text):
        begin = text.index(part, offset) if part else offset
        offset = begin + len(part)
        if not _plausible([_norm(m.group(0)) for m in _TOKEN.finditer(part)], lexicon):
            continue
        words = []
        for m in _TOKEN.finditer(part):
            word = _norm(m.group(0))
            concepts, contexts, marks = _classes(word, lexicon)
            words.append(Token(m.group(0), begin + m.start(), begin + m.end(), concepts, contexts, marks))
        if words:
            clauses.append(words)
    return clauses


# --- matching ------------------------------------------------------------------------------------


def _placements(clause: Sequence[Token], pattern: Pattern) -> Iterator[tuple[int, int]]:
    """(first, last) token index of each shortest placement of the pattern's concepts."""
    where = [[i for i, t in enumerate(clause) if name in t.concepts] for name in pattern.concepts]
    if not all(where):
        return
    best: dict[int, int] = {}
    for combo in product(*where):
        if len(pattern.concepts) > 1 and len(set(combo)) < len(combo):
            continue
        first, last = min(combo), max(combo)
        if last - first <= pattern.window and last < best.get(first, len(clause) + 1):
            best[first] = last
    yield from sorted(best.items())


def _suppressed(clause: Sequence[Token], first: int, last: int, pattern: Pattern, lexicon: Lexicon) -> bool:
    for name in pattern.unless:
        ctx = lexicon.contexts[name]
        near = [*range(max(0, first - ctx.before), last + 1), *range(last + 1, min(len(clause), last + 1 + ctx.after))]
        for k in near:
            token = clause[k]
            if name not in token.contexts:
                continue
            if k > last and ctx.after_words is not None and f"{name}:after" not in token.exceptions:
                continue
            following = clause[k + 1] if k + 1 < len(clause) else None
            if following is not None and f"{name}:next" in following.exceptions:
                continue
            previous = clause[k - 1] if k > 0 else None
            if previous is not None and f"{name}:prev" in previous.exceptions:
                continue
            between = range(k + 1, first) if k < first else range(last + 1, k)
            if any(f"{name}:barrier" in clause[b].exceptions for b in between):
                continue
            return True
    return False


def classify(text: str, lexicon: Lexicon) -> list[Match]:
    """Every pattern of the lexicon found in ``text`` and not made lawful by its context."""
    known = lexicon._found.get(text)
    if known is not None:
        return list(known)
    found = []
    for clause in tokens(text, lexicon):
        for pattern in lexicon.patterns:
            for first, last in _placements(clause, pattern):
                if _suppressed(clause, first, last, pattern, lexicon):
                    continue
                # widen to whole word groups: "на паевые" -> "на паевые взносы", "жарналарға" -> "пайлық жарналарға"
                while first > 0 and clause[first - 1].concepts & clause[first].concepts:
                    first -= 1
                while last + 1 < len(clause) and clause[last + 1].concepts & clause[last].concepts:
                    last += 1
                start, end = clause[first].start, clause[last].end
                found.append(
                    Match(pattern.id, pattern.category, start, end, text[start:end], pattern.citation, pattern.why)
                )
    lexicon._found[text] = found
    return list(found)


def phrases(text: str, matches: Sequence[Match]) -> list[str]:
    """The matched words as written, overlapping matches joined: «гарантированный доход 9 % годовых»."""
    spans: list[list[int]] = []
    for m in sorted(matches, key=lambda m: (m.start, m.end)):
        if spans and m.start <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], m.end)
        else:
            spans.append([m.start, m.end])
    return [" ".join(text[a:b].split()) for a, b in spans]


# --- the fields of an input ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldText:
    path: str
    lang: str | None
    text: str


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def field_texts(data: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[FieldText]:
    """Every prose text of the input, with its dotted path (``cooperative.purpose[2].ru``)."""
    order = {"ru": 0, "kk": 1, "en": 2}
    for path, value in prose_fields(schema, data):
        base = _dotted(path)
        if isinstance(value, str):
            yield FieldText(base, None, value)
        elif isinstance(value, Mapping):
            for lang in sorted(value, key=lambda key: order.get(str(key), 3)):
                if isinstance(value[lang], str):
                    yield FieldText(f"{base}.{lang}", str(lang), value[lang])


def scan(data: Mapping[str, Any], pack: Pack, lexicon_name: str = LEXICON) -> Iterator[tuple[FieldText, list[Match]]]:
    """Each prose field of ``data`` (an input of ``pack``) with the pyramid language the pack's lexicon
    finds in it (fields without any are skipped)."""
    lexicon = load_lexicon(pack, lexicon_name)
    schema = pack.input_schema()
    for item in field_texts(data, schema):
        found = classify(item.text, lexicon)
        if found:
            yield item, found
