"""The compliance report: every rule checked with its basis and result, the financial-pyramid
indicators one by one, a plain-language summary, and the trace to the exact input.

Its wording is data (``templates/common/<pack>/compliance.yaml``); the results come from
``rules.evaluate``. It is produced for invalid input too (with ``--draft``), and then shows every
failure and red flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from coopdocs import __version__
from coopdocs.checking import rules, stress
from coopdocs.compose import clauses, stressreport
from coopdocs.compose.clauses import Clause, Document, Section
from coopdocs.compose.messages import worded
from coopdocs.compose.wording import words
from coopdocs.errors import PackError
from coopdocs.inputs.model import Cooperative
from coopdocs.packs.citations import citation_entry, instrument_entry, resolve
from coopdocs.packs.pack import Pack

RED_FLAG = "red_flag"


@dataclass(frozen=True)
class Extra:
    """A clause that carries a table or a figure (printed after its text)."""

    text: str
    table: tuple[tuple[str, ...], ...] = ()
    figure: bytes | None = None


Entry = tuple[str, tuple[str, ...]] | Extra
Entries = list[Entry]


def _clause(number: str, entry: Entry) -> Clause:
    if isinstance(entry, Extra):
        return Clause(f"compliance.{number}", number, entry.text, (), None, table=entry.table, figure=entry.figure)
    body, items = entry
    return Clause(f"compliance.{number}", number, body, items, None)


def _stress_section(
    coop: Cooperative, lang: str, text: Mapping[str, Any], ctx: Mapping[str, Any]
) -> tuple[str, Entries]:
    """Per programme: the terms and the decisive figures, the chart, the cohort table, the verdict."""
    entries: Entries = [(_text(entry, lang, ctx, f"stress.intro[{i}]"), ()) for i, entry in enumerate(text["intro"])]
    for program in coop.data["programs"]:
        result = stressreport.results([program], stress.DEFAULT_GROWTH, stress.DEFAULT_STOP)[0]
        name = stressreport.name_of(program, lang)
        title, explanation = stressreport.verdict(result, lang, coop.pack)
        heading = str(text["programme"][lang]).format(name=name, verdict=title)
        entries.append((heading, tuple(stressreport.lines(result, lang, coop.pack))))
        entries.append(Extra(str(text["chart"][lang]), figure=stressreport.chart_png(result, lang, coop.pack)))
        rows = tuple(tuple(row) for row in stressreport.table(result, lang, coop.pack))
        entries.append(Extra(str(text["table"][lang]), table=rows))
        entries.append((f"{text['verdict'][lang]}: {explanation}", ()))
    return _text(text["title"], lang, ctx, "stress.title"), entries


@cache
def wording(pack: Pack) -> Mapping[str, Any]:
    merged: Mapping[str, Any] = pack.read(pack.common_rel("compliance.yaml"), required=False) or {}
    if not merged:
        raise PackError(f"{pack.pack_dir('common')}/compliance.yaml: the compliance report's wording is missing")
    return merged


def _text(entry: Mapping[str, str], lang: str, ctx: Mapping[str, Any], where: str) -> str:
    if lang not in entry:
        raise PackError(f"compliance.yaml {where}: no {lang} text")
    return clauses.render_text(str(entry[lang]), ctx, f"compliance.yaml {where}")


def _counts(results: list[rules.RuleResult]) -> dict[str, int]:
    counts = {"errors": 0, "warnings": 0, "red_flags": 0, "infos": 0, "passed": 0, "total": len(results)}
    key = {"error": "errors", "warning": "warnings", "red_flag": "red_flags", "info": "infos"}
    for result in results:
        if result.passed:
            counts["passed"] += 1
        else:
            counts[key[result.rule.severity]] += len(result.findings)
    return counts


def _basis(rule: rules.Rule, lang: str, pack: Pack) -> str:
    return "; ".join(resolve(cid, lang, pack).label(lang) for cid in (rule.citation, *rule.also))


def _findings(result: rules.RuleResult, coop: Cooperative, lang: str) -> list[str]:
    out = []
    for finding in result.findings:
        diag = worded(rules.to_diagnostic(result.rule, finding, coop), lang)
        where = f"{diag.path} ({words(coop.pack)['line'][lang]} {diag.line})" if diag.line else diag.path
        out.append(f"{where}: {diag.message}")
    return out


def _sources(
    coop: Cooperative, results: list[rules.RuleResult], text: Mapping[str, Any], lang: str, ctx: Mapping[str, Any]
) -> tuple[str, Entries]:
    """Every instrument the rules rest on, with the edition actually read (or that none was
    established): the report claims no edition of the law that was not read."""
    order: dict[str, None] = {}
    for result in results:
        for cid in (result.rule.citation, *result.rule.also):
            order[citation_entry(cid, coop.pack)["instrument"]] = None
    unknown = _text(text["unknown"], lang, ctx, "sources.unknown")
    entries: Entries = [(_text(p, lang, ctx, f"sources.intro[{i}]"), ()) for i, p in enumerate(text["intro"])]
    for iid in order:
        instrument = instrument_entry(iid, coop.pack)
        read = (instrument.get("edition_read") or {}).get(lang)
        edition = " ".join(str(read).split()) if read else unknown
        entries.append((f"{instrument[lang]}: {edition}.", ()))
    return _text(text["title"], lang, ctx, "sources.title"), entries


def report(coop: Cooperative, lang: str) -> Document:
    """The compliance report of ``coop`` in ``lang``, as a document the layouts can render."""
    text = wording(coop.pack)
    results = rules.evaluate(coop)
    counts = _counts(results)
    ctx = clauses.with_filters(clauses.jinja_context(coop, lang))
    ctx["trace"] = {
        "file": coop.file.replace("\\", "/").rsplit("/", 1)[-1],
        "sha256": coop.input_sha256,
        "version": __version__,
        "pack": coop.pack.key,
        "edition": coop.pack.edition,
    }
    ctx["counts"] = counts
    labels = {key: value[lang] for key, value in text["labels"].items()}
    outcome = {key: value[lang] for key, value in text["results"].items()}

    def paragraphs(entries: list[Mapping[str, str]], where: str) -> list[str]:
        return [_text(entry, lang, ctx, f"{where}[{i}]") for i, entry in enumerate(entries)]

    sections: list[tuple[str, Entries]] = []
    verdict = "clean" if counts["errors"] == 0 and counts["red_flags"] == 0 else "errors"
    intro = [*paragraphs(text["intro"], "intro"), _text(text["verdict"][verdict], lang, ctx, f"verdict.{verdict}")]
    sections.append((str(words(coop.pack)["compliance_intro"][lang]), [(p, ()) for p in intro]))
    summary = text["summary"]
    sections.append(
        (
            _text(summary["title"], lang, ctx, "summary.title"),
            [(p, ()) for p in paragraphs(summary["paragraphs"], "summary")],
        )
    )

    if coop.data.get("programs"):
        sections.append(_stress_section(coop, lang, text["stress"], ctx))

    pyramid = text["pyramid"]
    indicator_clauses: Entries = [(p, ()) for p in paragraphs(pyramid["intro"], "pyramid.intro")]
    by_id = {r.rule.id: r for r in results}
    for rule_id, entry in pyramid["indicators"].items():
        result = by_id.get(rule_id)
        if result is None:
            raise PackError(f"compliance.yaml pyramid.indicators: {rule_id} is not a rule of {coop.pack.key}")
        where = f"pyramid.indicators.{rule_id}"
        name = _text(entry["name"], lang, ctx, where + ".name")
        head = f"{name}{'' if name.endswith(('.', '!', '?')) else '.'} {_text(entry['why'], lang, ctx, where + '.why')}"
        state = "absent" if result.passed else "present"
        items = [
            f"{labels['result']}: {outcome['passed'] if result.passed else outcome[RED_FLAG]}. "
            f"{_text(entry[state], lang, ctx, f'{where}.{state}')}",
            *(f"{labels['finding']}: {line}" for line in _findings(result, coop, lang)),
            f"{labels['basis']}: {_basis(result.rule, lang, coop.pack)}",
        ]
        indicator_clauses.append((head, tuple(items)))
    missing = [r.rule.id for r in results if r.rule.severity == RED_FLAG and r.rule.id not in pyramid["indicators"]]
    if missing:
        raise PackError(f"compliance.yaml pyramid.indicators lacks the red-flag rules {', '.join(missing)}")
    sections.append((_text(pyramid["title"], lang, ctx, "pyramid.title"), indicator_clauses))

    rule_clauses: list[Entry] = [(p, ()) for p in paragraphs(text["rules"]["intro"], "rules.intro")]
    header = tuple(str(cell) for cell in text["rules"]["table"][lang])
    rows = [header]
    for result in results:
        rule = result.rule
        status = outcome["passed"] if result.passed else outcome[rule.severity]
        rows.append((rule.id, status, _basis(rule, lang, coop.pack)))
    rule_clauses.append(
        Extra(_text(text["rules"]["table_caption"], lang, ctx, "rules.table_caption"), table=tuple(rows))
    )
    for result in results:
        if result.passed:
            continue
        rule = result.rule
        items = [
            f"{labels['result']}: {outcome[rule.severity]}",
            *(f"{labels['finding']}: {line}" for line in _findings(result, coop, lang)),
            f"{words(coop.pack)['protects'][lang]}: {' '.join(rule.protects[lang].split())}",
            f"{labels['basis']}: {_basis(rule, lang, coop.pack)}",
        ]
        rule_clauses.append((f"{labels['rule']} {rule.id}", tuple(items)))
    sections.append((_text(text["rules"]["title"], lang, ctx, "rules.title"), rule_clauses))

    sections.append(_sources(coop, results, text["sources"], lang, ctx))

    trace = text["trace"]
    sections.append(
        (_text(trace["title"], lang, ctx, "trace.title"), [(p, ()) for p in paragraphs(trace["lines"], "trace.lines")])
    )

    numbered = tuple(
        Section(
            id=f"compliance.{s_index}",
            number=str(s_index),
            title=title,
            clauses=tuple(_clause(f"{s_index}.{c_index}", entry) for c_index, entry in enumerate(entries, start=1)),
        )
        for s_index, (title, entries) in enumerate(sections, start=1)
    )
    return Document(
        name="compliance",
        lang=lang,
        title=_text(text["title"], lang, ctx, "title"),
        subtitle=_text(text["subtitle"], lang, ctx, "subtitle"),
        approval=(),
        sections=numbered,
    )
