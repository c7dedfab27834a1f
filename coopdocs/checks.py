"""Check functions of the legal rules: small, pure, registered by name.

A check reads the normalized input and yields a ``Finding`` for every place where the rule is not
met. The rule's data (``rules.yaml``) names the check and its parameters and holds all wording;
a check only reports *where* and *with which values*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from coopdocs.model import split_path

_MISSING = object()


@dataclass(frozen=True)
class Term:
    """Choice identifiers (``board``, ``members``...) that the message wording turns into words."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    path: str
    values: dict[str, Any] = field(default_factory=dict)


CheckFn = Callable[..., Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under ``name`` (the ``fn`` of a rule)."""

    def register(func: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = func
        return func

    return register


def lookup(data: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted path, or ``default`` when a step is absent."""
    value: Any = data
    for part in split_path(path):
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                return default
        elif not isinstance(value, Mapping) or part not in value:
            return default
        value = value[part]
    return value


def _items(data: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """``(path[i], item)`` for every item of the list at ``path``."""
    value = lookup(data, path)
    for i, item in enumerate(value if isinstance(value, list) else []):
        yield f"{path}[{i}]", item


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- generic checks ---------------------------------------------------------------------------


@check("min_value")
def min_value(data: Mapping[str, Any], *, path: str, min: float) -> Iterator[Finding]:
    value = lookup(data, path)
    if _number(value) and value < min:
        yield Finding(path, {"value": value, "min": min})


@check("max_value")
def max_value(data: Mapping[str, Any], *, path: str, max: float) -> Iterator[Finding]:
    value = lookup(data, path)
    if _number(value) and value > max:
        yield Finding(path, {"value": value, "max": max})


@check("in_range")
def in_range(data: Mapping[str, Any], *, path: str, min: float, max: float) -> Iterator[Finding]:
    value = lookup(data, path)
    if _number(value) and not min <= value <= max:
        yield Finding(path, {"value": value, "min": min, "max": max})


@check("equals")
def equals(data: Mapping[str, Any], *, path: str, value: Any) -> Iterator[Finding]:
    """The value at ``path`` must be ``value``."""
    actual = lookup(data, path)
    if actual != value:
        yield Finding(path, {"value": _term_or_value(actual), "expected": _term_or_value(value)})


@check("not_in")
def not_in(data: Mapping[str, Any], *, path: str, values: list[Any]) -> Iterator[Finding]:
    """The value at ``path`` (or every item, for a list) must not be one of ``values``."""
    actual = lookup(data, path)
    if isinstance(actual, list):
        for item_path, item in _items(data, path):
            if item in values:
                yield Finding(item_path, {"value": _term_or_value(item)})
    elif actual in values and actual is not None:
        yield Finding(path, {"value": _term_or_value(actual)})


@check("requires_key")
def requires_key(data: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    """The key must be present and not empty (None, empty list, empty mapping or blank text)."""
    value = lookup(data, path)
    if (
        value is None
        or (isinstance(value, list | dict | str) and not value)
        or (isinstance(value, str) and not value.strip())
    ):
        yield Finding(path, {})


@check("list_contains")
def list_contains(
    data: Mapping[str, Any], *, path: str, items: list[str], also: str | None = None
) -> Iterator[Finding]:
    """The list at ``path`` (together with the list at ``also``, if given) must hold every item."""
    present = list(lookup(data, path) or [])
    if also:
        present += list(lookup(data, also) or [])
    missing = [item for item in items if item not in present]
    if missing:
        yield Finding(path, {"missing": Term(tuple(missing))})


@check("greater_than")
def greater_than(data: Mapping[str, Any], *, path: str, other: str) -> Iterator[Finding]:
    """The number at ``path`` must be greater than the number at ``other``."""
    value, limit = lookup(data, path), lookup(data, other)
    if _number(value) and _number(limit) and value <= limit:
        yield Finding(path, {"value": value, "other": limit})


@check("not_greater_than")
def not_greater_than(data: Mapping[str, Any], *, path: str, other: str) -> Iterator[Finding]:
    """The number at ``path`` must not exceed the number at ``other`` (absent values pass)."""
    value, limit = lookup(data, path), lookup(data, other)
    if _number(value) and _number(limit) and value > limit:
        yield Finding(path, {"value": value, "other": limit})


@check("localized_has")
def localized_has(data: Mapping[str, Any], *, path: str, langs: list[str], once: bool = False) -> Iterator[Finding]:
    """The localized text at ``path`` (or each one, for a list) must have a text in every language;
    with ``once``, only the first entry that lacks one is reported."""
    value = lookup(data, path)
    entries = list(_items(data, path)) if isinstance(value, list) else [(path, value)]
    languages = lookup(data, "languages") or []
    for entry_path, text in entries:
        given = set(text) if isinstance(text, Mapping) else set()
        if isinstance(text, str) and len(languages) == 1:
            given = {languages[0]}  # a plain string is the text of the one language requested
        missing = [lang for lang in langs if lang not in given]
        if text is not None and missing:
            yield Finding(entry_path, {"missing": ", ".join(missing)})
            if once:
                return


@check("list_has_all")
def list_has_all(data: Mapping[str, Any], *, path: str, items: list[str]) -> Iterator[Finding]:
    """Like ``list_contains`` but for plain values (language codes): reports the missing ones."""
    present = lookup(data, path) or []
    missing = [item for item in items if item not in present]
    if missing:
        yield Finding(path, {"missing": ", ".join(missing)})


def _texts(value: Any) -> Iterator[tuple[str | None, str]]:
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, Mapping):
        order = {"ru": 0, "kk": 1, "en": 2}
        for lang in sorted(value, key=lambda key: (order.get(str(key), 3), str(key))):
            if isinstance(value[lang], str):
                yield str(lang), value[lang]


@check("text_mentions")
def text_mentions(data: Mapping[str, Any], *, path: str, all_of: list[list[str]]) -> Iterator[Finding]:
    """The localized text at ``path`` (or each one, for a list) must not match every group of
    ``all_of`` (case-insensitive regular expressions; a group matches when one of its patterns does)."""
    value = lookup(data, path)
    entries = list(_items(data, path)) if isinstance(value, list) else [(path, value)]
    for item_path, item in entries:
        for lang, text in _texts(item):
            hits = [_first_match(group, text) for group in all_of]
            if all(hits):
                where = f"{item_path}.{lang}" if lang else item_path
                yield Finding(where, {"found": ", ".join(f"«{h}»" for h in hits)})
                break


def _first_match(patterns: list[str], text: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, text, flags=re.IGNORECASE)
        if match:
            return match.group(0)
    return None


def _term_or_value(value: Any) -> Any:
    return Term((value,)) if isinstance(value, str) else value


# --- checks over list entries --------------------------------------------------------------------


def _each(data: Mapping[str, Any], path: str, key: str, inner: CheckFn, **params: Any) -> Iterator[Finding]:
    for item_path, item in _items(data, path):
        for finding in inner({"x": item}, path=f"x.{key}", **params):
            yield Finding(item_path + finding.path[1:], finding.values)


@check("each_not_in")
def each_not_in(data: Mapping[str, Any], *, path: str, key: str, values: list[Any]) -> Iterator[Finding]:
    """For every entry of the list at ``path``: ``entry[key]`` (or each of its items) is not in ``values``."""
    yield from _each(data, path, key, not_in, values=values)


@check("each_max_value")
def each_max_value(data: Mapping[str, Any], *, path: str, key: str, max: float) -> Iterator[Finding]:
    yield from _each(data, path, key, max_value, max=max)


@check("each_equals")
def each_equals(data: Mapping[str, Any], *, path: str, key: str, value: Any) -> Iterator[Finding]:
    yield from _each(data, path, key, equals, value=value)


# --- domain checks -----------------------------------------------------------------------------


@check("qualified_matters")
def qualified_matters(data: Mapping[str, Any], *, matters: list[str]) -> Iterator[Finding]:
    """The matters need a qualified majority or unanimity (unanimity is stricter, so it counts)."""
    meeting = "governance.general_meeting"
    yield from list_contains(
        data, path=f"{meeting}.qualified.matters", items=matters, also=f"{meeting}.unanimous_matters"
    )


@check("exit_lock_in")
def exit_lock_in(data: Mapping[str, Any], *, max_days: int) -> Iterator[Finding]:
    """From the notice of exit to the payout must not take longer than ``max_days``."""
    notice = lookup(data, "membership.exit.notice_days") or 0
    payout = lookup(data, "membership.exit.payout_days") or 0
    if notice + payout > max_days:
        values = {"notice_days": notice, "payout_days": payout, "total": notice + payout, "max": max_days}
        yield Finding("membership.exit.payout_days", values)


@check("valuation_for_non_money")
def valuation_for_non_money(data: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    """Non-money forms of the share contribution need a body (or appraiser) that values them."""
    share = lookup(data, path) or {}
    other_forms = [form for form in share.get("forms") or [] if form != "money"]
    if other_forms and not share.get("valuation_by"):
        yield Finding(f"{path}.forms", {"forms": Term(tuple(other_forms))})


@check("legal_entity_founders")
def legal_entity_founders(data: Mapping[str, Any]) -> Iterator[Finding]:
    """A founder that is a legal entity becomes a member, so the charter must admit legal entities."""
    if lookup(data, "membership.eligibility.legal_entities"):
        return
    for item_path, founder in _items(data, "founding.founders"):
        if isinstance(founder, Mapping) and founder.get("kind") == "legal_entity":
            yield Finding(f"{item_path}.kind", {"founder": _one_text(founder.get("name"))})


@check("bodies_exist")
def bodies_exist(data: Mapping[str, Any], *, body: str, exists: str, uses: list[str]) -> Iterator[Finding]:
    """When the body does not exist, no choice in ``uses`` may name it."""
    if lookup(data, exists, True):
        return
    for path in uses:
        value = lookup(data, path)
        if value == body or (isinstance(value, list) and body in value):
            yield Finding(path, {"body": Term((body,))})


@check("late_payment_liability")
def late_payment_liability(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Late payment must have a consequence: a penalty or exclusion for non-payment."""
    penalty = lookup(data, "membership.contributions.late_payment.penalty_percent_per_day") or 0
    grounds = lookup(data, "membership.exclusion.grounds") or []
    if not penalty and "non_payment" not in grounds:
        yield Finding("membership.contributions.late_payment.penalty_percent_per_day", {})


@check("min_count")
def min_count(data: Mapping[str, Any], *, path: str, min: int) -> Iterator[Finding]:
    value = lookup(data, path)
    if isinstance(value, list) and len(value) < min:
        yield Finding(path, {"count": len(value), "min": min})


def _one_text(value: Any) -> str:
    if isinstance(value, Mapping):
        for lang in ("ru", "kk", "en"):
            if isinstance(value.get(lang), str):
                return str(value[lang])
        return ""
    return "" if value is None else str(value)
