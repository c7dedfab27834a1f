"""Nearest labelled prototype: which known wording a sentence of a charter resembles most.

The prototypes are sentences with a label: the pack's own charter library (every sentence of a clause
that states a topic of audit.yaml carries that topic; the other sentences are labelled "other"), and the
short example wordings of audit.yaml's unlawful terms and their lawful counterparts. A sentence is
compared with every prototype by TF-IDF cosine over word features that survive Russian and Kazakh
endings without a dictionary: the first 4 and the first 6 letters of each word of the folded text
(«исключения» -> «искл», «исключ»; «мүшелерінің» -> «муше», «мушеле») and each pair of neighbouring
4-letter beginnings («решени правл» is not «решени общ»). The answer names the prototype, so every
finding says which wording it rests on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

_WORD = re.compile(r"[^\W\d_]{2,}")
# words too common in charters to tell one clause from another
STOP = (
    "и в во на по с со к о об от для из за до не или а но что как его ее их при это этот также либо "
    "кооператив кооператива кооперативу кооперативом кооперативе настоящ устав устава уставом "
    "мен және немесе осы бойынша үшін оның олардың кооперативтің кооперативке кооперативтен жарғы жарғыға"
)


@dataclass(frozen=True)
class Prototype:
    label: str  # a topic or term id, or "other"
    source: str  # where it comes from: a library clause id, or "audit.yaml: terms.<id>"
    text: str


@dataclass(frozen=True)
class Nearest:
    prototype: Prototype
    score: float  # cosine, 0..1
    runner_up: float  # the best score of a prototype with another label


@cache
def _stop(fold: Callable[[str], str]) -> frozenset[str]:
    return frozenset(fold(STOP).split())  # folded as the text is (қ -> к...)


def features(text: str, fold: Callable[[str], str]) -> dict[str, float]:
    stop = _stop(fold)
    words = [w for w in _WORD.findall(fold(text)) if w not in stop]
    counts: dict[str, float] = {}
    previous = ""
    for word in words:
        short = word[:4]
        for feature in (short, word[:6] if len(word) > 4 else ""):
            if feature:
                counts[feature] = counts.get(feature, 0.0) + 1.0
        if previous:
            pair = f"{previous} {short}"
            counts[pair] = counts.get(pair, 0.0) + 1.0
        previous = short
    return {k: 1.0 + math.log(v) for k, v in counts.items()}


class Index:
    """Prototypes indexed by feature: a sentence is scored against those that share a feature with it."""

    def __init__(self, prototypes: Iterable[Prototype], fold: Callable[[str], str]) -> None:
        self.fold = fold
        self.prototypes = list(prototypes)
        raw = [features(p.text, fold) for p in self.prototypes]
        df: dict[str, int] = {}
        for vector in raw:
            for key in vector:
                df[key] = df.get(key, 0) + 1
        n = len(raw) + 1
        self.idf = {k: math.log(n / (1 + d)) + 1.0 for k, d in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for i, vector in enumerate(raw):
            weighted = {k: v * self.idf[k] for k, v in vector.items()}
            norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
            for k, w in weighted.items():
                self.postings.setdefault(k, []).append((i, w / norm))

    def scores(self, text: str) -> dict[int, float]:
        vector = {k: v * self.idf[k] for k, v in features(text, self.fold).items() if k in self.idf}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm:
            return {}
        total: dict[int, float] = {}
        for k, w in vector.items():
            for i, pw in self.postings[k]:
                total[i] = total.get(i, 0.0) + w * pw
        return {i: s / norm for i, s in total.items()}

    def nearest(self, text: str, among: Sequence[int] | None = None) -> Nearest | None:
        """The closest prototype (of ``among`` when given), with the best score of another label."""
        scores = self.scores(text)
        if among is not None:
            allowed = set(among)
            scores = {i: s for i, s in scores.items() if i in allowed}
        if not scores:
            return None
        best = max(scores, key=lambda i: scores[i])
        label = self.prototypes[best].label
        other = max((s for i, s in scores.items() if self.prototypes[i].label != label), default=0.0)
        return Nearest(self.prototypes[best], scores[best], other)
