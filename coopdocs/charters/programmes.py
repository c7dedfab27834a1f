"""The stress test of the programmes a charter on file states (issue 17: "where the programme terms
can be extracted, the stress test of the pyramid issue").

Only a charter that speaks of programmes (the pack's ``programme_cues`` in ``audit.yaml``) is read
for them, by ``import`` (``importing.import_documents``: the clauses that state a programme's terms,
each value from a clause that reads back exactly). Each programme read is simulated month by month
(``checking.stress``) and reported in the words of ``coopdocs stress``; what the charter does not
state (usually the price and the monthly payment) is assumed and said so. A charter that speaks of
programmes whose terms could not be read gets a note saying that no stress test was run and which
terms to ask for, never a verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from coopdocs.charters import importing
from coopdocs.charters.audit import Audit, load
from coopdocs.checking import stress
from coopdocs.compose import stressreport
from coopdocs.compose.clauses import value_at


@dataclass(frozen=True)
class Stressed:
    """One programme the charter states, with the clauses it was read from; its simulation when every
    term the test rests on was read, else the terms the charter does not state."""

    program: dict[str, Any]
    clauses: tuple[str, ...]
    result: stress.Result | None
    unread: tuple[str, ...] = ()  # input keys of the deciding terms not read (then no result)


@dataclass(frozen=True)
class Programmes:
    mentioned: tuple[str, ...]  # the charter's clauses that speak of programmes
    read: tuple[Stressed, ...]  # the programmes read from it


def with_stress(result: Audit) -> Audit:
    """``result`` with the stress test of the programmes its charter states (or a note of the terms it
    does not state); unchanged when the charter does not speak of programmes."""
    data = load(result.pack)
    if not data.programme_cues:
        return result
    found = re.compile("|".join(data.programme_cues), re.IGNORECASE)
    mentioned = tuple(c.label.rstrip(".") for c in result.clauses if found.search(c.full))
    if not mentioned:
        return result
    imported = importing.import_documents([result.document], result.pack)
    programs = [p for p in imported.data.get("programs") or [] if isinstance(p, dict)]
    where = tuple(dict.fromkeys(f.source.label.rstrip(".") for f in imported.found if f.path == "programs"))
    read = []
    for program in programs:
        unread = tuple(key for key in _deciding(program, data.programme_terms) if value_at(program, key) is None)
        simulated = None
        if not unread:
            (simulated,) = stressreport.results([program], stress.DEFAULT_GROWTH, stress.DEFAULT_STOP)
        read.append(Stressed(program, where, simulated, unread))
    return replace(result, programmes=Programmes(mentioned, tuple(read)))


def _deciding(program: dict[str, Any], terms: Any) -> list[str]:
    """The input keys a programme's test rests on: always these, and the advance's terms when the rest
    of the price is not paid out of the member's own savings."""
    keys = list(terms.get("always") or {})  # `assumed` (price, monthly payment): never required
    if stress.terms_of(program).rest_from != "own_savings":
        keys += list(terms.get("advance") or {})
    return keys


def blocks(programmes: Programmes, lang: str, result: Audit) -> list[tuple[str, str]]:
    """The report's stress-test section as (kind, text) blocks (see ``audit.blocks``)."""
    w = {k: v[lang] for k, v in load(result.pack).words.items()}
    out = [("heading", w["heading_stress"])]
    if not programmes.read:
        out.append(("note", w["stress_not_read"].format(clauses=", ".join(programmes.mentioned))))
        return out
    terms = load(result.pack).programme_terms
    words = {key: texts[lang] for group in terms.values() for key, texts in group.items()}
    for item in programmes.read:
        name = stressreport.name_of(item.program, lang)
        clauses = ", ".join(item.clauses) or ", ".join(programmes.mentioned)
        if item.result is None:
            missing = "; ".join(words.get(key, key) for key in item.unread)
            out.append(("note", w["stress_unread"].format(name=name, clauses=clauses, terms=missing)))
            continue
        title, explanation = stressreport.verdict(item.result, lang, result.pack)
        out.append(("finding", f"{name}: {title}"))
        out.append(("detail", w["stress_read"].format(clauses=clauses)))
        assumed = "; ".join(words.get(key, key) for key in item.result.terms.assumed)
        lines = stressreport.lines(item.result, lang, result.pack, assumed=w["stress_assumed"].format(terms=assumed))
        out += [("detail", line) for line in lines]
        out.append(("detail", explanation))
    return out


def as_json(programmes: Programmes, lang: str, result: Audit) -> dict[str, Any]:
    return {
        "mentioned_in": list(programmes.mentioned),
        "programmes": [
            {
                "name": stressreport.name_of(item.program, lang),
                "read_from": list(item.clauses),
                "terms": item.program,
                "not_stated": list(item.unread),
                "tested": item.result is not None,
                "assumed": list(item.result.terms.assumed) if item.result else [],
                "verdict": item.result.verdict if item.result else None,
                "verdict_text": stressreport.verdict(item.result, lang, result.pack)[0] if item.result else None,
                "result": stress.as_dict(item.result) if item.result else None,
            }
            for item in programmes.read
        ],
    }
