"""The stress test against hand-computed cases (issue 14). Each docstring walks the months by hand;
the model must reproduce every figure."""

from __future__ import annotations

import pytest

from coopdocs.checking import stress
from coopdocs.checking.stress import LAWFUL, NEWCOMERS, Terms, simulate


def terms(**kw: object) -> Terms:
    base: dict[str, object] = {
        "price": 1000,
        "own_percent": 100,
        "monthly_payment": 100,
        "rest_from": "own_savings",
        "repay_months": 0,
        "capped": False,
        "queue": "by_application_date",
        "return_percent": 0,
    }
    base.update(kw)
    return Terms(**base)  # type: ignore[arg-type]


def test_self_funded_queue_is_lawful() -> None:
    """Price 1200, 100% own savings at 100 a month; one member joins in each of months 1-3.
    Member k saves 12 months and receives in month 12+k-1: months 12, 13, 14. Nobody's money pays for
    anyone else: (a) 0, (c) 0; the last one waits 14 - 3 = 11 months after the stop."""
    r = simulate(terms(price=1200), growth=1, stop_month=3)
    assert r.verdict == LAWFUL
    assert (r.members, r.served, r.gain_from_others, r.later_share, r.last_wait) == (3, 3, 0, 0, 11)
    assert r.coverage == 1.0
    assert [(c.paid_in, c.received, c.from_own, c.from_others) for c in r.cohorts] == [(1200, 1200, 1200, 0)] * 3
    assert len(r.months) == 14


def test_ponzi_pays_the_first_member_with_the_second_ones_money() -> None:
    """Price 300, own part 1/3 (100), rest from the members' pool, never repaid; 100 a month; one
    member joins in months 1 and 2. Month 1: M0 has 100, needs 200 more, nobody else: waits.
    Month 2: M0 has 200, M1 100; M0 gets the flat: 200 own + 100 of M1's money. M1 then saves 300 in
    all (100 of it gone to M0) and, with nobody new, waits forever with 200 held for a 300 flat.
    (a) M0 received 300 for 200 paid: 100. (b) M1 never served; at the stop the cooperative holds 0
    against M1's claim of 100: coverage 0. (c) all 100 of benefits came from a later member: 1.0."""
    r = simulate(terms(price=300, own_percent=100 / 3, rest_from="members_pool"), growth=1, stop_month=2)
    assert r.verdict == NEWCOMERS
    assert (r.served, r.gain_from_others, r.gainers, r.all_served, r.last_wait) == (1, 100, 1, False, None)
    assert (r.coverage, r.later_share, r.benefits) == (0, 1.0, 100)
    first, second = r.cohorts
    assert (first.paid_in, first.received, first.from_own, first.from_others) == (200, 300, 200, 100)
    assert (second.paid_in, second.received, second.still_owed) == (300, 0, 300)


def test_closed_mutual_with_instalments_is_lawful() -> None:
    """Price 300, no own part, rest from the pool repaid in 2 instalments; A, B, C join in month 1 and
    pay 100 a month. M1: A gets the flat (100 own + 100 of B + 100 of C), owes 200 (100 a month).
    M2: A repays 100 (50 to B, 50 to C); B, C pay 100 -> 150 each; B gets the flat (150 own + 150 of
    C), owes 150 (75 a month). M3: A repays 100 (B 50, C 125), B repays 75 (C 200), C pays 100 (C 300
    saved, 225 held): C needs 75, only B's 50 is held: waits. M4: B repays 75 -> C holds 300: C gets
    the flat. B's 50 comes back to B. Everybody paid what he received: A 300, B 350, C 300."""
    r = simulate(terms(price=300, own_percent=0, rest_from="members_pool", repay_months=2), growth=3, stop_month=1)
    assert r.verdict == LAWFUL
    assert (r.served, r.gain_from_others, r.later_share, r.last_wait, r.coverage) == (3, 0, 0, 3, 1.0)
    assert r.benefits == 350  # advances: A 200, B 150, all repaid
    (cohort,) = r.cohorts
    assert (cohort.paid_in, cohort.received, cohort.from_own, cohort.from_others) == (950, 950, 600, 350)
    assert len(r.months) == 4


def test_advances_from_own_income_capped_and_repaid_are_lawful() -> None:
    """Price 1000, own part 50%, 250 a month; the rest from the cooperative's own income (100 a month),
    capped by it and repaid in 5 instalments; one member joins in months 1 and 2. M3: M0 has saved 750,
    the income holds 300: M0 gets the flat with 250 of income, repaid at 50 a month (months 4-8). M5:
    M1 has saved the whole 1000 and is served from own savings. (a) 0, (c) 0; last wait 5 - 2 = 3;
    at the stop the cooperative holds 950 against 750 of savings: coverage 950/750."""
    t = terms(
        own_percent=50,
        monthly_payment=250,
        rest_from="cooperative_funds",
        repay_months=5,
        capped=True,
        income_monthly=100,
    )
    r = simulate(t, growth=1, stop_month=2)
    assert r.verdict == LAWFUL
    assert (r.served, r.gain_from_others, r.later_share, r.last_wait, r.benefits) == (2, 0, 0, 3, 250)
    assert r.coverage == pytest.approx(950 / 750, abs=1e-6)
    first, second = r.cohorts
    assert (first.paid_in, first.from_own, first.from_income) == (1000, 750, 250)
    assert (second.paid_in, second.from_own) == (1000, 1000)
    assert len(r.months) == 8


def test_pooled_housing_without_repayment_depends_on_newcomers() -> None:
    """Price 1000, own part 50%, 500 a month, the rest from a common fund fed by members, never repaid;
    two members join in months 1 and 2. M1: M0 is served with 500 of M1's money. M2: M1 (1000 saved,
    500 held) is served with 250 of M2 and 250 of M3 (later members). M3 (no newcomers): M2 (750 held)
    is served with 250 of M3; M3 holds 500 for a 1000 flat and waits forever.
    (a) M0 got 1000 for 500: 500. (c) of 1250 of benefits, 500 came from later members: 0.4.
    (b) at the stop the cooperative holds 500 against 1000 of savings: coverage 0.5."""
    r = simulate(terms(own_percent=50, monthly_payment=500, rest_from="cooperative_funds"), growth=2, stop_month=2)
    assert r.verdict == NEWCOMERS
    assert (r.served, r.gain_from_others, r.gainers, r.all_served) == (3, 500, 1, False)
    assert (r.benefits, r.later_share, r.coverage) == (1250, 0.4, 0.5)
    first, second = r.cohorts
    assert (first.paid_in, first.received, first.from_others) == (1500, 2000, 1000)
    assert (second.paid_in, second.received, second.still_owed) == (2000, 1000, 1000)


def test_promised_return_is_paid_from_other_members() -> None:
    """Self-funded queue (price 1200, 100 a month) but 12% a year promised on savings (1% a month);
    one member joins in months 1 and 2. Month 1: M0 has 100 saved and is due 1, but nobody else's
    money is held: owed, nothing paid. Month 2: M0 (200 saved) is due 2 + 1 = 3, M1 (100 saved) is
    due 1; all dues are paid at once out of the others' money: M0's 3 is 3% of M1's 100, M1's 1 is
    0.5% of M0's 200. M0 keeps 200 - 1 = 199, M1 keeps 100 - 3 = 97; 4 paid out, 296 held. The
    savers then drain each other's savings and never reach the price: the return is paid with later
    members' money and the promises fail without newcomers."""
    r = simulate(terms(price=1200, return_percent=12), growth=1, stop_month=2)
    first, second = r.months[:2]
    assert (first.money_in, first.money_out, first.cash) == (100, 0, 100)
    assert (second.money_in, second.money_out, second.cash) == (200, 4, 296)
    assert r.verdict == NEWCOMERS
    assert r.later_share > 0 and not r.all_served
    # with a steady inflow the early members end up ahead, out of the later members' money
    grown = simulate(terms(price=1200, return_percent=24), growth=10, stop_month=24)
    assert grown.verdict == NEWCOMERS and grown.gain_from_others > 0 and grown.gainers > 0


def test_terms_from_the_older_keys() -> None:
    t = stress.terms_of(
        {"member_savings_percent": 10, "funded_by": ["own_savings", "new_member_contributions"], "queue": "lottery"}
    )
    assert (t.rest_from, t.price, t.repay_months, t.queue) == ("members_pool", stress.ASSUMED_PRICE, 0, "lottery")
    assert set(t.assumed) == {"price", "monthly_payment"}
    t = stress.terms_of(
        {
            "member_savings_percent": 50,
            "funded_by": ["own_savings", "cooperative_funds"],
            "queue": "by_application_date",
            "price": 20_000_000,
            "monthly_payment": 200_000,
            "advance": {"repayment_months": 60, "capped_by_own_funds": True},
            "fees": {"periodic": 3000, "period": "quarter"},
        }
    )
    assert (t.rest_from, t.repay_months, t.capped, t.periodic_fee_monthly, t.assumed) == (
        "cooperative_funds",
        60,
        True,
        1000,
        (),
    )


def test_the_run_is_deterministic() -> None:
    t = terms(own_percent=5, rest_from="members_pool", queue="lottery")
    assert simulate(t, growth=7, stop_month=9) == simulate(t, growth=7, stop_month=9)
