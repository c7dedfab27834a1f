"""How values are worded in each language: amounts in figures and words, dates in legal style,
periods with the right grammatical number, and the contract's choice identifiers (terms)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from coopdocs.errors import PackError, TemplateError
from coopdocs.packs.pack import Pack

NBSP = "\u00a0"
_NUM2WORDS_LANG = {"ru": "ru", "kk": "kz", "en": "en"}

# Russian noun forms after numerals: (one, few, many) per case; genitive has (one, many, many).
_RU_UNITS = {
    "days": {
        "nom": ("календарный день", "календарных дня", "календарных дней"),
        "gen": ("календарного дня", "календарных дней", "календарных дней"),
    },
    "months": {"nom": ("месяц", "месяца", "месяцев"), "gen": ("месяца", "месяцев", "месяцев")},
    "years": {"nom": ("год", "года", "лет"), "gen": ("года", "лет", "лет")},
}
_KK_UNITS = {"days": "күнтізбелік күн", "months": "ай", "years": "жыл"}
_EN_UNITS = {
    "days": ("calendar day", "calendar days"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}


def ru_plural(n: int, forms: tuple[str, str, str]) -> str:
    """Choose the Russian form for ``n``: 1 день, 2 дня, 5 дней, 21 день, 11 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def number(value: int | float, lang: str) -> str:
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    if lang == "en":
        return text
    return text.replace(",", NBSP).replace(".", ",")


def in_words(value: int, lang: str) -> str:
    from num2words import num2words  # imported when needed: `validate` never words amounts

    return str(num2words(int(value), lang=_NUM2WORDS_LANG[lang]))


def copies(value: int, lang: str) -> str:
    """'in N copies' after the preposition: ru «4 (четырёх) экземплярах», kk «4 (төрт) данада»."""
    if lang == "ru":
        from num2words import num2words

        spelled = num2words(int(value), lang="ru", case="prepositional")
        return f"{value} ({spelled}) {ru_plural(value, ('экземпляре', 'экземплярах', 'экземплярах'))}"
    if lang == "kk":
        return f"{value} ({in_words(value, lang)}) данада"
    return f"{value} ({in_words(value, lang)}) {'copy' if value == 1 else 'copies'}"


def money(value: int, lang: str, currency: str, currency_names: Mapping[str, Mapping[str, str]]) -> str:
    unit = currency_names[currency][lang]
    return f"{number(value, lang)} ({in_words(value, lang)}) {unit}"


def percent(value: int | float, lang: str) -> str:
    return f"{number(value, lang)}%"


# Kazakh month names with the case endings a date takes in legal text ("2026 жылғы 1 наурыздағы
# шешім", "31 желтоқсанға дейін"): nominative, attributive (-дағы), dative, ablative, locative.
_KK_MONTHS = (
    ("қаңтар", "қаңтардағы", "қаңтарға", "қаңтардан", "қаңтарда"),
    ("ақпан", "ақпандағы", "ақпанға", "ақпаннан", "ақпанда"),
    ("наурыз", "наурыздағы", "наурызға", "наурыздан", "наурызда"),
    ("сәуір", "сәуірдегі", "сәуірге", "сәуірден", "сәуірде"),
    ("мамыр", "мамырдағы", "мамырға", "мамырдан", "мамырда"),
    ("маусым", "маусымдағы", "маусымға", "маусымнан", "маусымда"),
    ("шілде", "шілдедегі", "шілдеге", "шілдеден", "шілдеде"),
    ("тамыз", "тамыздағы", "тамызға", "тамыздан", "тамызда"),
    ("қыркүйек", "қыркүйектегі", "қыркүйекке", "қыркүйектен", "қыркүйекте"),
    ("қазан", "қазандағы", "қазанға", "қазаннан", "қазанда"),
    ("қараша", "қарашадағы", "қарашаға", "қарашадан", "қарашада"),
    ("желтоқсан", "желтоқсандағы", "желтоқсанға", "желтоқсаннан", "желтоқсанда"),
)
_KK_DATE_CASES = ("nom", "attr", "dat", "abl", "loc")


def legal_date(day: dt.date, lang: str, case: str = "nom") -> str:
    """A date in legal style. Kazakh takes a case: nom, attr (-дағы), dat, abl, loc."""
    from babel.dates import format_date  # Russian and English month names; imported when needed

    if lang == "ru":
        return f"{format_date(day, 'd MMMM y', locale='ru')} года"
    if lang == "kk":
        if case not in _KK_DATE_CASES:
            raise ValueError(f"Kazakh date case must be one of {', '.join(_KK_DATE_CASES)}, not {case!r}")
        return f"{day.year} жылғы {day.day} {_KK_MONTHS[day.month - 1][_KK_DATE_CASES.index(case)]}"
    return format_date(day, "d MMMM y", locale="en")


def period(value: int, unit: str, lang: str, case: str = "gen") -> str:
    if case not in ("nom", "gen", "acc"):
        raise ValueError(f"case must be nom, gen or acc, not {case!r}")
    if lang == "ru":
        forms = _RU_UNITS[unit]["gen" if case == "gen" else "nom"]
        return f"{value} {ru_plural(value, forms)}"
    if lang == "kk":
        return f"{value} {_KK_UNITS[unit]}"
    one, many = _EN_UNITS[unit]
    return f"{value} {one if value == 1 else many}"


_RU_WORKING = {
    "nom": ("рабочий день", "рабочих дня", "рабочих дней"),
    "gen": ("рабочего дня", "рабочих дней", "рабочих дней"),
}
_RU_CALENDAR = {"nom": _RU_UNITS["days"]["nom"], "gen": _RU_UNITS["days"]["gen"]}


def span(fact: Mapping[str, Any], lang: str, case: str = "gen") -> str:
    """A period of the pack's facts (``{value, unit}``, unit ``days`` or ``working_days``) in
    figures and words: "5 (пяти) рабочих дней", "10 (он) күнтізбелік күн", "5 (five) working days"."""
    from num2words import num2words

    value, unit = int(fact["value"]), str(fact["unit"])
    if unit not in ("days", "working_days"):
        raise ValueError(f"a fact's period unit is days or working_days, not {unit!r}")
    if case not in ("nom", "gen", "acc"):
        raise ValueError(f"case must be nom, gen or acc, not {case!r}")
    if lang == "ru":
        forms = (_RU_WORKING if unit == "working_days" else _RU_CALENDAR)["gen" if case == "gen" else "nom"]
        words = num2words(value, lang="ru", case="genitive" if case == "gen" else "nominative")
        return f"{value} ({words}) {ru_plural(value, forms)}"
    if lang == "kk":
        return f"{value} ({in_words(value, 'kk')}) {'жұмыс күні' if unit == 'working_days' else _KK_UNITS['days']}"
    noun = "working day" if unit == "working_days" else "calendar day"
    return f"{value} ({in_words(value, 'en')}) {noun}{'' if value == 1 else 's'}"


def as_item(sentence: str) -> str:
    """A sentence as an item of a numbered list: lower-case start, ends with ";" (the list's
    last item gets its full stop back when the clause is rendered)."""
    text = sentence.strip()
    if text and not text[:2].isupper():
        text = text[0].lower() + text[1:]
    return text[:-1] + ";" if text.endswith(".") else text + ";"


@cache
def load_terms(pack: Pack) -> dict[str, Any]:
    """All ``terms*.yaml`` of the pack, merged; a user's override wins over the pack's wording.

    Within one folder an id defined twice is an error."""
    merged: dict[str, Any] = {}
    for place in reversed(pack.search_path(pack.common_rel("")[:-1])):
        origin: dict[str, str] = {}
        for path in pack.glob(place, "terms*.yaml"):
            data = pack.read_file(path) or {}
            pack.check_shape(path, data, merged)
            for key, value in data.items():
                if key in origin:
                    problem = f"term {key!r} is defined in both {origin[key]} and {path}"
                    if pack.is_override(path):
                        raise TemplateError.of("yaml", str(path), problem=problem)
                    raise PackError(problem)
                merged[key] = value
                origin[key] = str(path)
    return merged


class Wording:
    """The filters and functions a clause template uses, bound to one language."""

    def __init__(self, pack: Pack, lang: str, currency: str = "KZT") -> None:
        self.pack = pack
        self.lang = lang
        self.currency = currency
        self.terms_table = load_terms(pack)
        self.currency_names = pack.meta["currency"]

    def term(self, ident: str, form: str = "nom") -> str:
        entry = self.terms_table.get(str(ident))
        if entry is None:
            raise PackError(f"no term {ident!r} in templates/common/{self.pack.key}/terms*.yaml")
        forms = entry.get(self.lang)
        if isinstance(forms, str):
            return forms
        if not isinstance(forms, Mapping):
            raise PackError(f"term {ident!r} has no {self.lang} wording")
        if self.lang == "en" and form not in forms:
            form = "nom"
        if form not in forms:
            raise PackError(f"term {ident!r} has no {self.lang} form {form!r}")
        return str(forms[form])

    def terms(self, idents: Iterable[str], form: str = "nom", conj: str = "and") -> str:
        words = [self.term(i, form) for i in idents]
        joiner = {
            "and": {"ru": "и", "kk": "және", "en": "and"},
            "or": {"ru": "или", "kk": "немесе", "en": "or"},
        }
        if len(words) <= 1:
            return "".join(words)
        return f"{', '.join(words[:-1])} {joiner[conj][self.lang]} {words[-1]}"

    def filters(self) -> dict[str, Callable[..., str]]:
        lang = self.lang
        return {
            "money": lambda v: money(v, lang, self.currency, self.currency_names),
            "number": lambda v: number(v, lang),
            "words": lambda v: in_words(v, lang),
            "copies": lambda v: copies(v, lang),
            "percent": lambda v: percent(v, lang),
            "majority": self.majority,
            "date": lambda v, case="nom": legal_date(v, lang, case),
            "days": lambda v, case="gen": period(v, "days", lang, case),
            "months": lambda v, case="gen": period(v, "months", lang, case),
            "years": lambda v, case="gen": period(v, "years", lang, case),
            "span": lambda v, case="gen": span(v, lang, case),
            "as_item": as_item,
        }

    def majority(self, qualified: Mapping[str, Any]) -> str:
        """A qualified majority as the clause says it after «не менее» / «кемінде» / "at least": an exact
        fraction in words (двух третей, үштен екісі, two thirds) or a percent (67%)."""
        fraction = qualified.get("fraction")
        if fraction is None:
            return percent(qualified["percent"], self.lang)
        return self.term(str(fraction), "gen" if self.lang == "ru" else "nom")

    def functions(self) -> dict[str, Callable[..., str]]:
        return {"t": self.term, "terms": self.terms}


@cache
def words(pack: Pack) -> Mapping[str, Any]:
    """The layout words (headings, «page», the draft mark, language names); a user's
    ``layouts/words.yaml`` may replace any of them."""
    return dict(pack.read("templates/layouts/words.yaml"))
