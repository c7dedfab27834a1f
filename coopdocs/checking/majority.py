"""Majorities counted exactly: a threshold is a :class:`~fractions.Fraction`, never a rounded float.

The qualified majority of ``governance.general_meeting.qualified`` is given either as a fraction
(``fraction: "2/3"``, "at least two thirds of the votes") or as a percent (``percent: 67``, "at least
67 % of the votes"). ``2 of 3`` votes pass two thirds exactly and fail 67 %: 2/3 = 66.67 % < 67 %.
Every comparison here is on integers, so no rounding can turn a pass into a fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# The fractions the contract allows for `qualified.fraction` (each has its wording in terms.yaml).
FRACTIONS = ("3/5", "2/3", "3/4", "4/5")


def parse_fraction(text: str) -> Fraction:
    """``"2/3"`` -> ``Fraction(2, 3)``; a value outside (0, 1] raises ``ValueError``."""
    top, sep, bottom = str(text).partition("/")
    if not sep or not top.strip().isdigit() or not bottom.strip().isdigit():
        raise ValueError(f"not a fraction like 2/3: {text!r}")
    if int(bottom) == 0:
        raise ValueError(f"a fraction's denominator cannot be 0: {text!r}")
    value = Fraction(int(top), int(bottom))
    if not 0 < value <= 1:
        raise ValueError(f"a majority is a fraction above 0 and at most 1: {text!r}")
    return value


def percent_share(percent: int | float) -> Fraction:
    """67 -> 67/100, 66.67 -> 6667/10000: the decimal the user wrote, exactly (not the float's binary value)."""
    return Fraction(str(percent)) / 100


def qualified_share(qualified: Mapping[str, Any]) -> Fraction:
    """The qualified-majority threshold ("at least" this share of the votes counted)."""
    if qualified.get("fraction") is not None:
        return parse_fraction(str(qualified["fraction"]))
    return percent_share(qualified["percent"])


def reaches(votes_for: int, votes_counted: int, at_least: Fraction) -> bool:
    """Do ``votes_for`` of ``votes_counted`` reach "at least" ``at_least``? (2 of 3 reach 2/3; not 67 %.)"""
    if votes_counted <= 0:
        return False
    return votes_for * at_least.denominator >= at_least.numerator * votes_counted


def exceeds(votes_for: int, votes_counted: int, more_than: Fraction) -> bool:
    """Do ``votes_for`` of ``votes_counted`` make "more than" ``more_than``? (the ordinary majority)."""
    if votes_counted <= 0:
        return False
    return votes_for * more_than.denominator > more_than.numerator * votes_counted


def votes_needed(votes_counted: int, at_least: Fraction) -> int:
    """The fewest votes that reach ``at_least`` of ``votes_counted`` (ceiling, on integers)."""
    return -(-at_least.numerator * votes_counted // at_least.denominator)


@dataclass(frozen=True)
class Rounding:
    """A percent just above a common fraction: stricter than it at some small meeting."""

    fraction: str  # "2/3"
    present: int  # the smallest meeting where the percent needs more votes than the fraction
    votes_fraction: int  # votes the fraction needs there
    votes_percent: int  # votes the percent needs there


def rounding_of(percent: int | float, fractions: tuple[str, ...] = FRACTIONS, within: int = 1) -> Rounding | None:
    """If ``percent`` is a common fraction rounded up (67 for 2/3, 76 for 3/4 is not: more than 1 point
    above), the smallest number of members present at which it needs more votes than that fraction."""
    share = percent_share(percent)
    for text in fractions:
        frac = parse_fraction(text)
        if not frac < share <= frac + Fraction(within, 100):
            continue
        present = 1
        while votes_needed(present, share) == votes_needed(present, frac):
            present += 1
        return Rounding(text, present, votes_needed(present, frac), votes_needed(present, share))
    return None
