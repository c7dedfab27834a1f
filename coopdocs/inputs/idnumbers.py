"""Kazakhstan identification numbers: IIN (individuals) and BIN (legal entities).

Both are 12 digits whose last digit is a control digit: the weighted sum of the first eleven
digits mod 11 with weights 1..11; when that gives 10, weights 3..11, 1, 2; when that gives 10
again, the number is not issued. An IIN starts with the birth date (YYMMDD) and its 7th digit
gives the century and the sex (1-2: 1800s, 3-4: 1900s, 5-6: 2000s; odd: male, even: female).
A BIN starts with the year and month of registration, then the kind of entity (4 resident,
5 non-resident, 6 individual entrepreneur in joint business) and the kind of unit (0 head office,
1 branch, 2 representative office, 4 peasant farm).
"""

from __future__ import annotations

import datetime as dt

_WEIGHTS_1 = tuple(range(1, 12))
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def control_digit(first11: str) -> int | None:
    """The control digit for eleven digits, or None when the number cannot be issued."""
    digits = [int(c) for c in first11]
    for weights in (_WEIGHTS_1, _WEIGHTS_2):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def _checksum_problem(value: str) -> str | None:
    if len(value) != 12 or not value.isdigit():
        return "not_12_digits"
    expected = control_digit(value[:11])
    if expected is None:
        return "not_issuable"
    if expected != int(value[11]):
        return "checksum"
    return None


def iin_birth_date(value: str) -> dt.date | None:
    century = _CENTURY.get(value[6:7])
    if century is None:
        return None
    try:
        return dt.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None


def iin_gender(value: str) -> str | None:
    """``female`` or ``male`` from an IIN's 7th digit (odd: male, even: female), None if unreadable."""
    digit = value[6:7]
    if digit not in _CENTURY:
        return None
    return "male" if int(digit) % 2 else "female"


def iin_problem(value: str) -> str | None:
    """None for a valid IIN, else a problem code (see ``REASONS``)."""
    problem = _checksum_problem(value)
    if problem:
        return problem
    if value[6] not in _CENTURY:
        return "century"
    if iin_birth_date(value) is None:
        return "birth_date"
    return None


def bin_problem(value: str) -> str | None:
    """None for a valid BIN, else a problem code (see ``REASONS``)."""
    problem = _checksum_problem(value)
    if problem:
        return problem
    if not 1 <= int(value[2:4]) <= 12:
        return "bin_month"
    if value[4] not in "456":
        return "bin_kind"
    return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


REASONS = {
    "not_12_digits": {
        "en": "it must have exactly 12 digits",
        "ru": "он должен состоять ровно из 12 цифр",
        "kk": "ол дәл 12 цифрдан тұруы тиіс",
    },
    "not_issuable": {
        "en": "its first 11 digits give no control digit, so it cannot have been issued",
        "ru": "по первым 11 цифрам контрольный разряд не вычисляется, такой номер не выдаётся",
        "kk": "алғашқы 11 цифр бойынша бақылау разряды есептелмейді, мұндай нөмір берілмейді",
    },
    "checksum": {
        "en": "the control digit (the 12th) does not match; a digit is probably mistyped",
        "ru": "контрольный (12-й) разряд не совпадает; вероятно, допущена опечатка",
        "kk": "бақылау (12-ші) разряды сәйкес келмейді; цифр қате терілген болуы мүмкін",
    },
    "century": {
        "en": "its 7th digit must be 1 to 6 (century and sex)",
        "ru": "его 7-я цифра должна быть от 1 до 6 (век и пол)",
        "kk": "оның 7-ші цифры 1-ден 6-ға дейін болуы тиіс (ғасыр және жыныс)",
    },
    "birth_date": {
        "en": "its first six digits are not a real birth date (YYMMDD)",
        "ru": "первые шесть цифр не являются реальной датой рождения (ГГММДД)",
        "kk": "алғашқы алты цифры нақты туған күн емес (ЖЖААКК)",
    },
    "bin_month": {
        "en": "its 3rd and 4th digits must be a registration month 01 to 12",
        "ru": "его 3-я и 4-я цифры должны быть месяцем регистрации от 01 до 12",
        "kk": "оның 3-ші және 4-ші цифрлары 01-ден 12-ге дейінгі тіркеу айы болуы тиіс",
    },
    "bin_kind": {
        "en": "its 5th digit must be 4, 5 or 6 (the kind of legal entity)",
        "ru": "его 5-я цифра должна быть 4, 5 или 6 (вид юридического лица)",
        "kk": "оның 5-ші цифры 4, 5 немесе 6 болуы тиіс (заңды тұлғаның түрі)",
    },
}
