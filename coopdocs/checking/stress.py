"""The stress test of a programme: a pure, deterministic month-by-month simulation of its money flows.

Members join at a steady rate until recruitment stops; the model then keeps running with nobody new
and asks three questions (issue 14):

(a) does any member end up with more than he or she put in, other than out of the cooperative's own
    income? (``gain_from_others``)
(b) with nobody new, is every promise kept: is every member's property delivered, can every saver be
    paid back, and how long does the last one wait? (``all_served``, ``coverage``, ``last_wait``)
(c) which share of the benefits paid (advances, promised returns) came from members who joined
    later than the one who received them? (``later_share``)

Money is tracked by whose it is: each member's unspent savings, and the cooperative's own income.
An advance is drawn from the income first (always, as the cooperative's own money) and then, unless
advances are capped by own funds, from the other members' unspent savings in proportion; a repayment
gives the money back to whoever lent it. Fees are spent on running costs and leave the model.

The module never prints and never reads files: ``terms_of`` turns one normalized programme into
``Terms``, ``simulate`` returns a ``Result``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_GROWTH = 10  # members joining per month
DEFAULT_STOP = 24  # the last month in which anyone joins
MAX_AFTER_STOP = 600  # months the model runs on after recruitment stops (50 years)
ASSUMED_PRICE = 10_000_000  # tenge, when the programme states no price
ASSUMED_SAVING_MONTHS = 24  # the own part is saved in this many months when no monthly payment is stated
LONG_WAIT = 120  # months after the stop beyond which a kept promise is still reported as late
_EPS = 1e-6
_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}

LAWFUL = "lawful_mutual_help"
NEWCOMERS = "depends_on_newcomers"
UNFUNDED = "promises_not_kept"


@dataclass(frozen=True)
class Terms:
    """One programme's money flows, every figure stated or assumed."""

    price: int
    own_percent: float
    monthly_payment: int
    rest_from: str  # own_savings | cooperative_funds | members_pool
    repay_months: int  # 0: the advance is never repaid
    capped: bool  # advances only from the cooperative's own income
    queue: str
    return_percent: float  # promised per year on the member's savings
    entrance_fee: int = 0
    periodic_fee_monthly: float = 0.0
    service_fee: int = 0
    refund_percent: float = 100.0
    income_monthly: int = 0
    assumed: tuple[str, ...] = ()

    @property
    def own_part(self) -> float:
        return self.price * self.own_percent / 100

    @property
    def rest(self) -> float:
        return self.price - self.own_part


def terms_of(program: Mapping[str, Any], membership: Mapping[str, Any] | None = None) -> Terms:
    """The ``Terms`` of a normalized programme; absent flows are derived from the older keys."""
    assumed: list[str] = []
    price = program.get("price")
    if not price:
        price = ASSUMED_PRICE
        assumed.append("price")
    own = float(program.get("member_savings_percent") or 0)
    own_part = price * own / 100
    monthly = program.get("monthly_payment")
    if monthly is None:
        monthly = math.ceil((own_part or price) / ASSUMED_SAVING_MONTHS)
        assumed.append("monthly_payment")
    rest_from = program.get("rest_paid_by") or _rest_from(program, own)
    advance = program.get("advance") or {}
    fees = program.get("fees") or {}
    refund = program.get("exit_refund") or {}
    months = _PERIOD_MONTHS[str(fees.get("period") or "month")]
    return Terms(
        price=int(price),
        own_percent=own,
        monthly_payment=int(monthly),
        rest_from=rest_from,
        repay_months=int(advance.get("repayment_months") or 0),
        capped=bool(advance.get("capped_by_own_funds")),
        queue=str(program.get("queue") or "by_application_date"),
        return_percent=float(program.get("guaranteed_return_percent") or 0),
        entrance_fee=int(fees.get("entrance") or 0),
        periodic_fee_monthly=float(fees.get("periodic") or 0) / months,
        service_fee=int(fees.get("service") or 0),
        refund_percent=float(100 if refund.get("percent") is None else refund["percent"]),
        income_monthly=int(program.get("cooperative_income_monthly") or 0),
        assumed=tuple(assumed),
    )


def _rest_from(program: Mapping[str, Any], own: float) -> str:
    """Who pays the rest, read from the older ``funded_by`` list."""
    funded_by = list(program.get("funded_by") or [])
    if own >= 100:
        return "own_savings"
    if "new_member_contributions" in funded_by:
        return "members_pool"
    return "cooperative_funds"


@dataclass
class _Advance:
    amount: float
    lenders: dict[int, float]  # member index (or -1: the cooperative's income) -> amount lent
    outstanding: float


@dataclass
class _Member:
    index: int
    cohort: int
    draw: int  # the member's place in a lottery (deterministic)
    saved: float = 0.0  # own programme savings paid in
    balance: float = 0.0  # the member's own money still held by the cooperative
    paid_in: float = 0.0  # everything paid: savings, fees, repayments
    received_month: int | None = None
    advance: _Advance | None = None
    from_own: float = 0.0
    from_income: float = 0.0
    from_others: float = 0.0
    from_later: float = 0.0
    returns_paid: float = 0.0
    returns_owed: float = 0.0

    @property
    def received(self) -> float:
        """Property and returns, by source (a return is counted in from_income or from_others)."""
        return self.from_own + self.from_income + self.from_others


@dataclass(frozen=True)
class Cohort:
    """Members who joined in months ``first``..``last``."""

    first: int
    last: int
    members: int
    paid_in: float
    received: float
    from_own: float
    from_income: float
    from_others: float
    still_owed: float  # promised property not delivered and promised returns not paid
    served: int


@dataclass(frozen=True)
class Month:
    month: int
    money_in: float  # savings, fees, repayments and own income received
    money_out: float  # property bought, returns paid, fees spent
    cash: float  # money held at the end of the month


@dataclass(frozen=True)
class Result:
    terms: Terms
    growth: int
    stop_month: int
    members: int
    served: int
    gain_from_others: float  # (a) total received beyond own payments, not from own income, not repaid
    gainers: int  # (a) how many members
    all_served: bool  # (b)
    last_wait: int | None  # (b) months from the stop to the last delivery; None: somebody never served
    coverage: float  # (b) lowest (cash + repayable advances) / refundable claims after the stop
    later_share: float  # (c) 0..1
    benefits: float  # advances and returns paid in total
    verdict: str
    months: tuple[Month, ...] = field(repr=False)
    cohorts: tuple[Cohort, ...] = field(repr=False)

    @property
    def lawful(self) -> bool:
        return self.verdict == LAWFUL


def simulate(terms: Terms, *, growth: int = DEFAULT_GROWTH, stop_month: int = DEFAULT_STOP) -> Result:
    """Run the programme month by month: ``growth`` members join in each month 1..``stop_month``."""
    if growth < 1 or stop_month < 1:
        raise ValueError("growth and stop_month must be at least 1")
    members: list[_Member] = []
    income_cash = 0.0
    months: list[Month] = []
    coverage = math.inf
    last_delivery = 0
    horizon = stop_month + MAX_AFTER_STOP
    for month in range(1, horizon + 1):
        money_in = money_out = 0.0
        if month <= stop_month:
            for _ in range(growth):
                index = len(members)
                member = _Member(index=index, cohort=month, draw=(index * 7919 + 104729) % 1_000_003)
                members.append(member)
                fee = float(terms.entrance_fee)
                member.paid_in += fee
                money_in += fee
                money_out += fee
        for member in members:
            if _done(member, terms):
                continue
            fee = terms.periodic_fee_monthly
            member.paid_in += fee
            money_in += fee
            money_out += fee
            if member.received_month is None and member.saved < terms.price - _EPS:
                # a member waiting in the queue keeps saving towards the price: the advance shrinks
                pay = min(float(terms.monthly_payment), terms.price - member.saved)
                member.saved += pay
                member.balance += pay
                member.paid_in += pay
                money_in += pay
            elif member.advance is not None and member.advance.outstanding > _EPS and terms.repay_months:
                pay = min(member.advance.amount / terms.repay_months, member.advance.outstanding)
                member.advance.outstanding -= pay
                member.paid_in += pay
                money_in += pay
                for lender, lent in member.advance.lenders.items():
                    back = pay * lent / member.advance.amount
                    if lender < 0:
                        income_cash += back
                    else:
                        members[lender].balance += back
        income_cash += terms.income_monthly
        money_in += terms.income_monthly
        if terms.return_percent > 0:
            paid, income_cash = _pay_returns(members, terms, income_cash)
            money_out += paid
        bought, income_cash = _deliver(members, terms, income_cash, month)
        if bought:
            last_delivery = month
            money_out += bought
        cash = income_cash + sum(m.balance for m in members)
        months.append(Month(month, round(money_in, 2), round(money_out, 2), round(cash, 2)))
        if month >= stop_month:
            coverage = min(coverage, _coverage(members, terms, cash))
            if all(_done(m, terms) for m in members):
                break
    return _result(terms, members, months, growth, stop_month, last_delivery, coverage)


def _done(member: _Member, terms: Terms) -> bool:
    """Served and nothing left to repay: the member no longer pays in."""
    if member.received_month is None:
        return False
    return member.advance is None or member.advance.outstanding <= _EPS or not terms.repay_months


def _pay_returns(members: list[_Member], terms: Terms, income_cash: float) -> tuple[float, float]:
    """The promised return on every saver's savings, paid monthly out of whatever money is held: the
    cooperative's income first, then every other member's money in proportion, all savers at once
    (one pass over the members, whatever their number)."""
    savers = [m for m in members if m.received_month is None and m.saved > 0]
    if not savers:
        return 0.0, income_cash
    dues = [m.saved * terms.return_percent / 100 / 12 + m.returns_owed for m in savers]
    total_due = sum(dues)
    from_income = min(income_cash, total_due)
    income_share = from_income / total_due if total_due > 0 else 0.0
    income_cash -= from_income
    held = sum(m.balance for m in members)
    # rate_i: the fraction of every other member's balance that pays saver i's return
    rates = []
    for member, due in zip(savers, dues, strict=True):
        others = held - member.balance
        rates.append(due * (1 - income_share) / others if others > _EPS else 0.0)
    total_rate = sum(rates)
    if total_rate > 1:  # not enough money held: everybody gets the same part of what is due
        rates = [rate / total_rate for rate in rates]
        total_rate = 1.0
    later = _later_balances(members)
    paid = 0.0
    for member, due, rate in zip(savers, dues, rates, strict=True):
        got_income = due * income_share
        got_members = rate * (held - member.balance)
        member.from_income += got_income
        member.from_others += got_members
        member.from_later += rate * later[member.cohort]
        member.returns_paid += got_income + got_members
        member.returns_owed = max(0.0, due - got_income - got_members)
        paid += got_income + got_members
    rate_of = {m.index: rate for m, rate in zip(savers, rates, strict=True)}
    for member in members:
        member.balance -= member.balance * (total_rate - rate_of.get(member.index, 0.0))
    return paid, income_cash


def _later_balances(members: list[_Member]) -> dict[int, float]:
    """For each join month: the money held of the members who joined after it."""
    by_cohort: dict[int, float] = {}
    for member in members:
        by_cohort[member.cohort] = by_cohort.get(member.cohort, 0.0) + member.balance
    later: dict[int, float] = {}
    running = 0.0
    for cohort in sorted(by_cohort, reverse=True):
        later[cohort] = running
        running += by_cohort[cohort]
    return later


def _deliver(members: list[_Member], terms: Terms, income_cash: float, month: int) -> tuple[float, float]:
    """Buy the property for members in queue order while the programme's source can pay the rest."""
    bought = 0.0
    pool = sum(m.balance for m in members)
    eligible = [m for m in members if m.received_month is None and m.saved >= terms.own_part - _EPS]
    if terms.queue == "lottery":
        eligible.sort(key=lambda m: m.draw)
    elif terms.queue == "by_savings_percent":
        eligible.sort(key=lambda m: (-m.saved, m.index))
    for member in eligible:
        rest = terms.price - member.balance
        if terms.rest_from == "own_savings" and rest > _EPS:
            continue
        available = income_cash
        if not terms.capped and terms.rest_from != "own_savings":
            available += pool - member.balance
        if available + _EPS < rest:
            break  # the queue waits for money
        pool -= member.balance
        member.from_own += member.balance
        member.balance = 0.0
        if rest > _EPS:
            got, sources, income_cash = _draw(members, member, rest, income_cash, include_members=not terms.capped)
            pool -= got - sources.get(-1, 0.0)
            member.advance = _Advance(got, sources, got)
            _credit(member, members, sources)
        member.paid_in += terms.service_fee
        member.received_month = month
        bought += terms.price
    return bought, income_cash


def _draw(
    members: list[_Member], member: _Member, amount: float, income_cash: float, *, include_members: bool
) -> tuple[float, dict[int, float], float]:
    """Take ``amount`` from the cooperative's income, then from the other members' money in proportion."""
    sources: dict[int, float] = {}
    take = min(amount, income_cash)
    if take > 0:
        sources[-1] = take
        income_cash -= take
    need = amount - take
    if need > _EPS and include_members:
        others = [m for m in members if m is not member and m.balance > _EPS]
        pool = sum(m.balance for m in others)
        share = min(1.0, need / pool) if pool > 0 else 0.0
        for other in others:
            part = other.balance * share
            other.balance -= part
            sources[other.index] = sources.get(other.index, 0.0) + part
    return sum(sources.values()), sources, income_cash


def _credit(member: _Member, members: list[_Member], sources: Mapping[int, float]) -> None:
    for lender, amount in sources.items():
        if lender < 0:
            member.from_income += amount
        else:
            member.from_others += amount
            if members[lender].cohort > member.cohort:
                member.from_later += amount


def _coverage(members: list[_Member], terms: Terms, cash: float) -> float:
    """What the cooperative holds and is owed back, per tenge it owes to savers if all of them left."""
    claims = sum(
        m.saved * terms.refund_percent / 100 + m.returns_owed if m.received_month is None else m.balance
        for m in members
    )
    if claims <= _EPS:
        return math.inf
    receivable = sum(m.advance.outstanding for m in members if m.advance is not None and terms.repay_months)
    return (cash + receivable) / claims


def _result(
    terms: Terms,
    members: list[_Member],
    months: list[Month],
    growth: int,
    stop_month: int,
    last_delivery: int,
    coverage: float,
) -> Result:
    for m in members:
        if m.received_month is not None and m.balance > _EPS:  # money lent out and repaid after delivery
            m.from_own += m.balance
            m.balance = 0.0
    gains = []
    for m in members:
        unrepaid = m.advance.outstanding if m.advance is not None and terms.repay_months else 0.0
        gain = m.received - unrepaid - m.paid_in - m.from_income
        gains.append(max(0.0, gain))
    gain_total = sum(gains)
    gainers = sum(1 for g in gains if g > 0.5)
    served = sum(1 for m in members if m.received_month is not None)
    all_served = served == len(members)
    benefits = sum(m.from_income + m.from_others for m in members)
    later = sum(m.from_later for m in members)
    later_share = later / benefits if benefits > _EPS else 0.0
    last_wait = max(0, last_delivery - stop_month) if all_served else None
    coverage = 1.0 if math.isinf(coverage) else coverage
    if gain_total > 0.5 or (later_share > _EPS and not all_served):
        verdict = NEWCOMERS
    elif not all_served or coverage < 1 - 1e-9:
        verdict = UNFUNDED
    else:
        verdict = LAWFUL
    return Result(
        terms=terms,
        growth=growth,
        stop_month=stop_month,
        members=len(members),
        served=served,
        gain_from_others=round(gain_total, 2),
        gainers=gainers,
        all_served=all_served,
        last_wait=last_wait,
        coverage=round(coverage, 6),
        later_share=round(later_share, 6),
        benefits=round(benefits, 2),
        verdict=verdict,
        months=tuple(months),
        cohorts=_cohorts(members, terms, stop_month),
    )


def _cohorts(members: list[_Member], terms: Terms, stop_month: int, rows: int = 8) -> tuple[Cohort, ...]:
    """Join months grouped into at most ``rows`` bands of equal length."""
    width = max(1, math.ceil(stop_month / rows))
    out = []
    for first in range(1, stop_month + 1, width):
        last = min(stop_month, first + width - 1)
        band = [m for m in members if first <= m.cohort <= last]
        if not band:
            continue
        out.append(
            Cohort(
                first=first,
                last=last,
                members=len(band),
                paid_in=round(sum(m.paid_in for m in band), 2),
                received=round(sum(m.received for m in band), 2),
                from_own=round(sum(m.from_own for m in band), 2),
                from_income=round(sum(m.from_income for m in band), 2),
                from_others=round(sum(m.from_others for m in band), 2),
                still_owed=round(
                    sum(terms.price for m in band if m.received_month is None) + sum(m.returns_owed for m in band), 2
                ),
                served=sum(1 for m in band if m.received_month is not None),
            )
        )
    return tuple(out)


def as_dict(result: Result) -> dict[str, Any]:
    """The figures as plain data, for ``--format json``."""
    t = result.terms
    return {
        "verdict": result.verdict,
        "terms": {
            "price": t.price,
            "own_percent": t.own_percent,
            "monthly_payment": t.monthly_payment,
            "rest_paid_by": t.rest_from,
            "advance_repayment_months": t.repay_months,
            "advance_capped_by_own_funds": t.capped,
            "queue": t.queue,
            "guaranteed_return_percent": t.return_percent,
            "cooperative_income_monthly": t.income_monthly,
            "assumed": list(t.assumed),
        },
        "growth": result.growth,
        "stop_month": result.stop_month,
        "members": result.members,
        "served": result.served,
        "a_gain_from_others": result.gain_from_others,
        "a_members_gaining": result.gainers,
        "b_all_served": result.all_served,
        "b_last_wait_months": result.last_wait,
        "b_coverage": result.coverage,
        "c_later_share": result.later_share,
        "benefits": result.benefits,
        "cohorts": [vars(c) for c in result.cohorts],
        "months": len(result.months),
    }
