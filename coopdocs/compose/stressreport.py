"""The stress test in words, a table and a chart, for ``coopdocs stress`` and the compliance report.

The wording is data (``templates/common/<pack>/stress.yaml``); the figures come from ``stress``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from coopdocs.checking import stress
from coopdocs.packs.pack import Pack

_CURRENCY = {"ru": "тенге", "kk": "теңге", "en": "tenge"}


@cache
def wording(pack: Pack) -> Mapping[str, Any]:
    return dict(pack.read(pack.common_rel("stress.yaml")) or {})


def number(value: float, lang: str) -> str:
    digits = f"{round(value):,}"
    return digits.replace(",", "," if lang == "en" else "\u00a0")


def money(value: float, lang: str) -> str:
    return f"{number(value, lang)} {_CURRENCY[lang]}"


def _percent(value: float, lang: str = "en") -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") or "0"
    return text if lang == "en" else text.replace(".", ",")


def results(programs: Sequence[Mapping[str, Any]], growth: int, stop_month: int) -> list[stress.Result]:
    return [_simulated(stress.terms_of(p), growth, stop_month) for p in programs]


@lru_cache(maxsize=32)
def _simulated(terms: stress.Terms, growth: int, stop_month: int) -> stress.Result:
    """One simulation per programme, whatever the number of languages its report is written in (the
    result does not depend on the language, and it is immutable)."""
    return stress.simulate(terms, growth=growth, stop_month=stop_month)


def terms_lines(terms: stress.Terms, lang: str, pack: Pack, *, assumed: str | None = None) -> list[str]:
    """The programme's terms as the report states them, and the line naming what was assumed (if any).
    ``import`` renders it again with candidate terms to read a compliance report on file."""
    w = wording(pack)["labels"]
    t = terms
    repay = (
        str(w["repay_months"][lang]).format(months=t.repay_months) if t.repay_months else str(w["repay_never"][lang])
    )
    rest_from = str(w["rest_from"][t.rest_from][lang]) + (str(w["capped"][lang]) if t.capped else "")
    if t.rest_from == "own_savings":
        repay = "—"
    out = [
        str(w["terms"][lang]).format(
            price=money(t.price, lang),
            own_percent=_percent(t.own_percent, lang),
            own_part=money(t.own_part, lang),
            monthly=money(t.monthly_payment, lang),
            rest_from=rest_from,
            repay=repay,
            queue=w["queue"][t.queue][lang],
            return_percent=_percent(t.return_percent, lang),
        )
    ]
    if t.assumed:
        out.append(assumed or str(w["assumed"][lang]).format(keys=", ".join(t.assumed)))
    return out


def lines(result: stress.Result, lang: str, pack: Pack, *, assumed: str | None = None) -> list[str]:
    """The terms, the model, the three decisive figures and the verdict, one sentence a line.
    ``assumed``: the line naming what was assumed, when the caller words it (an audit says "not
    stated in the charter", not "in the input")."""
    w = wording(pack)["labels"]
    out = terms_lines(result.terms, lang, pack, assumed=assumed)
    out.append(str(w["model"][lang]).format(growth=result.growth, stop=result.stop_month, members=result.members))
    out.append(str(w["a"][lang]).format(amount=money(result.gain_from_others, lang), members=result.gainers))
    coverage = _percent(min(result.coverage, 9.99) * 100, lang)
    if result.all_served:
        out.append(str(w["b_all"][lang]).format(members=result.members, wait=result.last_wait, coverage=coverage))
    else:
        out.append(
            str(w["b_not"][lang]).format(
                unserved=result.members - result.served,
                members=result.members,
                horizon=stress.MAX_AFTER_STOP,
                coverage=coverage,
            )
        )
    out.append(
        str(w["c"][lang]).format(share=_percent(result.later_share * 100, lang), benefits=money(result.benefits, lang))
    )
    return out


def verdict(result: stress.Result, lang: str, pack: Pack) -> tuple[str, str]:
    """(name, explanation) of the verdict."""
    entry = wording(pack)["verdicts"][result.verdict]
    return str(entry["name"][lang]), " ".join(str(entry["text"][lang]).split())


def table(result: stress.Result, lang: str, pack: Pack) -> list[list[str]]:
    """The cohort table: a header row, then one row per band of join months."""
    rows = [list(wording(pack)["labels"]["table"][lang])]
    for c in result.cohorts:
        rows.append(
            [
                str(c.first) if c.first == c.last else f"{c.first}–{c.last}",
                str(c.members),
                number(c.paid_in, lang),
                number(c.received, lang),
                number(c.from_own, lang),
                number(c.from_income, lang),
                number(c.from_others, lang),
                number(c.still_owed, lang),
                str(c.served),
            ]
        )
    return rows


def as_text(name: str, result: stress.Result, lang: str, pack: Pack) -> str:
    w = wording(pack)["labels"]
    title, explanation = verdict(result, lang, pack)
    out = [f"{w['programme'][lang]} «{name}»" if lang != "en" else f'{w["programme"][lang]} "{name}"']
    out += [f"  {line}" for line in lines(result, lang, pack)]
    out.append(f"  {w['verdict'][lang]}: {title}. {explanation}")
    rows = table(result, lang, pack)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.append("  " + " | ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)))
    return "\n".join(out)


def chart_png(result: stress.Result, lang: str, pack: Pack, *, months: int | None = None) -> bytes:
    """Money in, money out and money held per month, the stop of recruitment marked (PNG bytes).

    Deterministic: the Agg backend, no timestamp or software tag in the PNG, fixed size and fonts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    w = wording(pack)["labels"]["chart"]
    shown = list(result.months[: months or len(result.months)])
    last_active = max((m.month for m in shown if m.money_in or m.money_out), default=result.stop_month)
    shown = [m for m in shown if m.month <= max(last_active + 6, result.stop_month + 12)]
    x = [m.month for m in shown]
    fig = Figure(figsize=(7.0, 3.2), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    scale = 1_000_000 if max((m.cash for m in shown), default=0) >= 10_000_000 else 1
    million = {"ru": "млн ", "kk": "млн ", "en": "million "}[lang] if scale > 1 else ""
    unit = f"{million}{w['tenge'][lang]}"
    ax.plot(x, [m.money_in / scale for m in shown], color="#1f77b4", linewidth=1.4, label=str(w["money_in"][lang]))
    ax.plot(x, [m.money_out / scale for m in shown], color="#d62728", linewidth=1.4, label=str(w["money_out"][lang]))
    ax.plot(
        x, [m.cash / scale for m in shown], color="#555555", linewidth=1.0, linestyle="--", label=str(w["cash"][lang])
    )
    ax.axvline(result.stop_month, color="#000000", linewidth=1.0, linestyle=":")
    top = ax.get_ylim()[1]
    ax.text(result.stop_month, top * 0.97, " " + str(w["stop"][lang]), fontsize=8, va="top", ha="left")
    ax.set_xlabel(str(w["month"][lang]), fontsize=8)
    ax.set_ylabel(unit, fontsize=8)
    ax.set_title(str(w["title"][lang]), fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(True, linewidth=0.3, color="#cccccc")
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def name_of(program: Mapping[str, Any], lang: str) -> str:
    name = program.get("name")
    if isinstance(name, Mapping):
        return str(name.get(lang) or next(iter(name.values()), ""))
    return str(name or "")
