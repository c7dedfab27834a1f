"""The Kazakh legal glossary of a pack (``templates/common/<pack>/glossary.yaml``): one Kazakh term
per Russian legal term, with the variants that must not appear. ``violations`` finds them in a text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from coopdocs.errors import PackError
from coopdocs.packs.pack import Pack


@dataclass(frozen=True)
class Term:
    ru: str
    kk: str
    rejected: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Violation:
    term: Term
    found: str  # the rejected variant as it stands in the text
    context: str  # the words around it


@cache
def load_glossary(pack: Pack) -> tuple[Term, ...]:
    path = pack.common_rel("glossary.yaml")
    data = pack.read(path) or {}
    terms = []
    for i, entry in enumerate(data.get("terms") or []):
        try:
            patterns = tuple(
                re.compile(r"(?<!\w)" + str(r["pattern"]), re.IGNORECASE) for r in entry.get("rejected") or ()
            )
            terms.append(Term(str(entry["ru"]), str(entry["kk"]), patterns))
        except (KeyError, TypeError, re.error) as exc:
            raise PackError(f"{path}: term {i + 1}: {exc}") from exc
    return tuple(terms)


def violations(text: str, pack: Pack) -> list[Violation]:
    """Every rejected variant of a glossary term in a Kazakh text."""
    text = re.sub(r"\s+", " ", text)
    found = []
    for term in load_glossary(pack):
        for pattern in term.rejected:
            for m in pattern.finditer(text):
                found.append(Violation(term, m.group(0), text[max(0, m.start() - 40) : m.end() + 40]))
    return found
