"""Check functions of the legal rules: small, pure, registered by name.

A check reads the normalized input and yields a ``Finding`` for every place where the rule is not
met. The rule's data (``rules.yaml``) names the check and its parameters and holds all wording;
a check only reports *where* and *with which values*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coopdocs.checking import majority, textscan
from coopdocs.diagnostics import Localized, Term
from coopdocs.inputs.model import split_path
from coopdocs.packs.pack import Pack

_MISSING = object()


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


@check("qualified_above_majority")
def qualified_above_majority(data: Mapping[str, Any], *, path: str, other: str) -> Iterator[Finding]:
    """The qualified majority at ``path`` (fraction or percent, "at least") must be above the ordinary
    majority at ``other`` (a percent, "more than"); compared as exact fractions."""
    qualified, ordinary = lookup(data, path), lookup(data, other)
    if not isinstance(qualified, Mapping) or not _number(ordinary):
        return
    try:
        share = majority.qualified_share(qualified)
    except (KeyError, TypeError, ValueError):
        return
    if share <= majority.percent_share(ordinary):
        fraction = qualified.get("fraction")
        at, shown = (f"{path}.fraction", str(fraction)) if fraction is not None else (f"{path}.percent", None)
        yield Finding(at, {"value": shown or f"{qualified['percent']}%", "other": ordinary})


@check("qualified_rounded")
def qualified_rounded(data: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    """A percent that rounds a common fraction up (67 for 2/3) needs more votes than the fraction at
    some small meeting; report the smallest such meeting, counted exactly."""
    qualified = lookup(data, path)
    if not isinstance(qualified, Mapping) or qualified.get("fraction") is not None:
        return
    value = qualified.get("percent")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    found = majority.rounding_of(value)
    if found is not None:
        yield Finding(
            f"{path}.percent",
            {
                "value": value,
                "fraction": found.fraction,
                "present": found.present,
                "votes_fraction": found.votes_fraction,
                "votes_percent": found.votes_percent,
            },
        )


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
def legal_entity_founders(data: Mapping[str, Any], *, pack: Pack) -> Iterator[Finding]:
    """A founder that is a legal entity becomes a member, so the charter must admit legal entities."""
    if lookup(data, "membership.eligibility.legal_entities"):
        return
    for item_path, founder in _items(data, "founding.founders"):
        if isinstance(founder, Mapping) and founder.get("kind") == "legal_entity":
            yield Finding(f"{item_path}.kind", {"founder": _one_text(founder.get("name"), pack.languages)})


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


@check("pyramid_language")
def pyramid_language(data: Mapping[str, Any], *, pack: Pack, lexicon: str, category: str) -> Iterator[Finding]:
    """Every prose field (or, for a localized text, its first language) in which the pack's lexicon (its
    file ``lexicon``, e.g. ``pyramid-language.yaml``) finds pyramid language of ``category``; the finding
    quotes the phrases and says why the first matters."""
    reported: set[str] = set()
    for item, matches in textscan.scan(data, pack, lexicon):
        mine = [m for m in matches if m.category == category]
        field = item.path.rsplit(".", 1)[0] if item.lang else item.path
        if not mine or field in reported:
            continue
        reported.add(field)
        found = ", ".join(f"«{p}»" for p in textscan.phrases(item.text, mine))
        yield Finding(item.path, {"found": found, "why": Localized(tuple(mine[0].why.items()))})


def _one_text(value: Any, langs: Sequence[str]) -> str:
    """A name as one text: its first language of the pack's that has one."""
    if isinstance(value, Mapping):
        for lang in langs:
            if isinstance(value.get(lang), str):
                return str(value[lang])
        return ""
    return "" if value is None else str(value)


# --- programmes: the money-flow model (coopdocs/checking/stress.py) -------------------------------------


def _programs(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for item_path, item in _items(data, "programs"):
        if isinstance(item, Mapping):
            yield item_path, item


def _stress(program: Mapping[str, Any]) -> Any:
    from coopdocs.checking import stress

    return _simulate(stress.terms_of(program))


def _simulate(terms: Any) -> Any:
    from coopdocs.checking import stress

    cached = _SIMULATIONS.get(terms)
    if cached is None:
        cached = _SIMULATIONS[terms] = stress.simulate(terms)
    return cached


_SIMULATIONS: dict[Any, Any] = {}


def _pct(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") or "0"


@check("program_stress")
def program_stress(data: Mapping[str, Any]) -> Iterator[Finding]:
    """The stress test says the programme depends on newcomers (figures (a), (b), (c))."""
    from coopdocs.checking import stress

    for item_path, program in _programs(data):
        result = _stress(program)
        if result.verdict == stress.NEWCOMERS:
            yield Finding(
                item_path,
                {
                    "gain": round(result.gain_from_others),
                    "gainers": result.gainers,
                    "members": result.members,
                    "unserved": result.members - result.served,
                    "coverage": _pct(min(result.coverage, 9.99) * 100),
                    "later": _pct(result.later_share * 100),
                    "growth": result.growth,
                    "stop": result.stop_month,
                },
            )


@check("program_promises")
def program_promises(data: Mapping[str, Any], *, max_wait: int) -> Iterator[Finding]:
    """Without newcomers the promises are not funded, or the last member waits more than ``max_wait`` months."""
    from coopdocs.checking import stress

    for item_path, program in _programs(data):
        result = _stress(program)
        if result.verdict == stress.UNFUNDED or (result.last_wait or 0) > max_wait:
            wait = "∞" if result.last_wait is None else str(result.last_wait)
            yield Finding(
                item_path, {"wait": wait, "max": max_wait, "coverage": _pct(min(result.coverage, 9.99) * 100)}
            )


@check("program_unrepaid_advance")
def program_unrepaid_advance(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Property before full payment, the rest paid by others and never repaid."""
    from coopdocs.checking import stress

    for item_path, program in _programs(data):
        terms = stress.terms_of(program)
        if terms.own_percent < 100 and terms.rest_from != "own_savings" and terms.repay_months == 0:
            where = (
                f"{item_path}.advance.repayment_months"
                if program.get("advance")
                else f"{item_path}.member_savings_percent"
            )
            yield Finding(where, {"own": _pct(terms.own_percent), "rest": _pct(100 - terms.own_percent)})


@check("program_lending")
def program_lending(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Savings refundable on demand (deposit-like), or advances repaid by members (lending)."""
    for item_path, program in _programs(data):
        if program.get("savings_refundable_on_demand"):
            yield Finding(f"{item_path}.savings_refundable_on_demand", {})
        elif (program.get("advance") or {}).get("repayment_months") and not program["advance"].get(
            "capped_by_own_funds"
        ):
            yield Finding(f"{item_path}.advance.repayment_months", {})


@check("program_reporting")
def program_reporting(data: Mapping[str, Any]) -> Iterator[Finding]:
    """A programme with members' money and no published, audited annual accounts."""
    for item_path, program in _programs(data):
        reporting = program.get("reporting") or {}
        if not (reporting.get("annual_accounts_published") and reporting.get("audit")):
            yield Finding(f"{item_path}.reporting" if program.get("reporting") else item_path, {})


_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


@check("nonrefundable_payments")
def nonrefundable_payments(data: Mapping[str, Any], *, max_ratio: float) -> Iterator[Finding]:
    """What a member loses in the first year (entrance fee, a year of periodic fees, service fees, the
    unrefunded part of a year's programme savings) must not exceed ``max_ratio`` of what is refundable
    (the share contribution and the refunded savings)."""
    contributions = lookup(data, "membership.contributions") or {}
    share = float((contributions.get("share") or {}).get("amount") or 0)
    entrance = float((contributions.get("entrance_fee") or {}).get("amount") or 0)
    fee = contributions.get("membership_fee") or {}
    yearly = float(fee.get("amount") or 0) * _PER_YEAR.get(str(fee.get("period") or "year"), 1)
    lost, kept = entrance + yearly, share
    if share and lost > max_ratio * kept:
        where = (
            "membership.contributions.entrance_fee.amount"
            if entrance >= yearly
            else "membership.contributions.membership_fee.amount"
        )
        yield Finding(where, {"lost": round(lost), "kept": round(kept), "ratio": _pct(lost / kept * 100)})
    for item_path, program in _programs(data):
        fees = program.get("fees") or {}
        refund = program.get("exit_refund") or {}
        percent = float(100 if refund.get("percent") is None else refund["percent"])
        savings = float(program.get("monthly_payment") or 0) * 12
        own_fees = (
            0.0
            if fees.get("refundable")
            else (
                float(fees.get("entrance") or 0)
                + float(fees.get("periodic") or 0) * _PER_YEAR.get(str(fees.get("period") or "month"), 12)
                + float(fees.get("service") or 0)
            )
        )
        p_lost = lost + own_fees + savings * (100 - percent) / 100
        p_kept = share + savings * percent / 100
        if (own_fees or percent < 100) and p_kept and p_lost > max_ratio * p_kept:
            where = f"{item_path}.fees" if own_fees else f"{item_path}.exit_refund.percent"
            yield Finding(where, {"lost": round(p_lost), "kept": round(p_kept), "ratio": _pct(p_lost / p_kept * 100)})
