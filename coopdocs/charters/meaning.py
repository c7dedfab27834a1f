"""What a clause is about, by a classifier trained on labelled clauses (issue 17: matching by meaning).

The audit's rules (cue words, expressions of audit.yaml, the nearest labelled prototype) generalise to
reordered and re-inflected wording, not to vocabulary nobody wrote down. This module adds a linear
classifier over one sentence (or list item with its lead-in): multinomial logistic regression over

- the beginnings of its words (first 4 and 6 letters of the folded text), which survive Russian and
  Kazakh endings without a dictionary,
- character 4- and 5-grams inside each word (``·голос·`` inside «проголосовало»),
- Russian lemmas (pymorphy3, as the audit's cue words use them),
- pairs of neighbouring word beginnings, and a negation joined to the word it negates («не·расп»).

The labels are the pack's topics, "term:<id>" for an unlawful term and "other". The training examples
are every sentence of the pack's charter library (each clause coopdocs writes, ru and kk, labelled with
the topic audit.yaml's `library` gives it, else "other"; each list item with its lead-in too), the
hand-written examples of audit.yaml and
the labelled hand-written clauses of `audit_clauses.yaml` (the corpus of earlier audit rounds; the
fifth holdout is not in it).

- **Deterministic**: scikit-learn's lbfgs solver over a fixed feature order; the same examples give the
  same weights.
- **Cached**: training takes a few seconds and needs scikit-learn; its weights (numpy arrays) are
  kept in the user cache (``templatecache.cache_dir()``'s sibling folder ``audit``), keyed by the
  SHA-256 of the examples, the settings and this module's feature version. With the cache the audit
  only does a few numpy products per sentence (scikit-learn is not imported). A cache that cannot be
  read or written means training again, never an error.
- Nothing is downloaded: the examples are the pack's own files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

FEATURE_VERSION = "meaning-2"  # 2: the cache keeps the feature names as one UTF-8 text
C = 16.0  # inverse regularisation of the logistic regression
KEEP_MODELS = 3  # fitted models kept in the cache folder, newest first
_WORD = re.compile(r"[^\W\d_]{2,}")
_NEGATION = frozenset({"не", "ни", "нет", "без", "емес", "жок", "жоқ"})
_STOP = frozenset(
    {
        "и",
        "в",
        "во",
        "на",
        "по",
        "с",
        "со",
        "к",
        "о",
        "об",
        "от",
        "для",
        "из",
        "за",
        "до",
        "или",
        "а",
        "но",
        "что",
        "как",
        "его",
        "ее",
        "их",
        "при",
        "это",
        "этот",
        "также",
        "либо",
        "мен",
        "және",
        "немесе",
        "осы",
        "бойынша",
        "үшін",
        "оның",
        "олардың",
        "жане",
    }
)


def features(
    text: str, fold: Callable[[str], str], lemmas: Callable[[str], Iterable[str]] | None = None
) -> dict[str, float]:
    """The feature vector of ``text`` (sublinear counts, not normalised)."""
    counts: dict[str, float] = {}

    def add(key: str) -> None:
        counts[key] = counts.get(key, 0.0) + 1.0

    previous = ""
    negate = False
    for word in _WORD.findall(fold(text)):
        if word in _NEGATION:
            negate = True
            continue
        if word in _STOP:
            continue
        short = word[:4]
        for key in _word_features(word):
            add(key)
        if lemmas is not None:
            for lemma in lemmas(word):
                if lemma != word:
                    add(f"l:{lemma}")
        if previous:
            add(f"b:{previous}·{short}")
        if negate:
            add(f"n:{short}")
            negate = False
        previous = short
    return {k: 1.0 + math.log(v) for k, v in counts.items()}


@lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[str, ...]:
    """A word's own features: its first four and six letters, its letter 4- and 5-grams with the word's
    edges marked (a charter repeats its words: computed once each)."""
    keys = [f"p:{word[:4]}"]
    if len(word) > 4:
        keys.append(f"p:{word[:6]}")
    padded = f"·{word}·"
    keys += [f"c:{padded[i : i + n]}" for n in (4, 5) for i in range(len(padded) - n + 1)]
    return tuple(keys)


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: Any  # numpy array, features x labels
    bias: Any  # numpy array, labels

    def probabilities(self, vector: dict[str, float]) -> dict[str, float]:
        import numpy as np

        known = [(self.vocabulary[k], v) for k, v in vector.items() if k in self.vocabulary]
        if not known:
            return {}
        index = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
        values = np.fromiter((v for _, v in known), dtype=np.float64, count=len(known))
        values /= math.sqrt(float(values @ values)) or 1.0
        logits = values @ self.weights[index] + self.bias
        logits -= logits.max()
        exp = np.exp(logits)
        exp /= exp.sum()
        return {label: float(p) for label, p in zip(self.labels, exp, strict=True)}


def _key(examples: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256(f"{FEATURE_VERSION}\0{C}\0".encode())
    for label, text in examples:
        digest.update(label.encode() + b"\0" + text.encode("utf-8", "surrogatepass") + b"\0\0")
    return digest.hexdigest()


def _cache_file(key: str) -> Path | None:
    from coopdocs.compose.templatecache import cache_dir

    folder = cache_dir()
    return None if folder is None else folder.parent / "audit" / f"meaning-{key[:32]}.npz"


def _read(path: Path | None) -> Model | None:
    if path is None or not path.is_file():
        return None
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            labels = tuple(str(x) for x in data["labels"])
            # the feature names as one UTF-8 text, a name a line: one decode, not 50 000 numpy strings
            names = data["vocabulary_utf8"].tobytes().decode("utf-8").split("\n")
            weights, bias = data["weights"], data["bias"]
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return None
    if weights.shape != (len(names), len(labels)) or bias.shape != (len(labels),):
        return None
    return Model(labels, {name: i for i, name in enumerate(names)}, weights, bias)


def _write(path: Path | None, model: Model) -> None:
    if path is None:
        return
    import numpy as np

    names = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        vocabulary = np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8)
        np.savez(
            buffer, labels=np.array(model.labels), vocabulary_utf8=vocabulary, weights=model.weights, bias=model.bias
        )
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        # a model per set of examples ever fitted (a new release, an edited audit.yaml): about 15 MB
        # each, so only the newest KEEP_MODELS stay
        models = sorted(path.parent.glob("meaning-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in models[KEEP_MODELS:]:
            old.unlink()


def train(examples: Sequence[tuple[str, str]], featurize: Callable[[str], dict[str, float]]) -> Model:
    """A model of (label, text) ``examples``: from the cache, else fitted (and cached)."""
    path = _cache_file(_key(examples))
    model = _read(path)
    if model is not None:
        return model
    model = fit(examples, featurize)
    _write(path, model)
    return model


def fit(examples: Sequence[tuple[str, str]], featurize: Callable[[str], dict[str, float]]) -> Model:
    """Multinomial logistic regression (scikit-learn, lbfgs), classes weighted by their size."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    vectors = [featurize(text) for _, text in examples]
    vocabulary: dict[str, int] = {}
    for vector in vectors:
        for key in sorted(vector):
            vocabulary.setdefault(key, len(vocabulary))
    rows, cols, values = [], [], []
    for r, vector in enumerate(vectors):
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        for key, value in vector.items():
            rows.append(r)
            cols.append(vocabulary[key])
            values.append(value / norm)
    matrix = csr_matrix((values, (rows, cols)), shape=(len(vectors), len(vocabulary)))
    labels = sorted({label for label, _ in examples})
    target = np.array([labels.index(label) for label, _ in examples])
    classifier = LogisticRegression(C=C, max_iter=1000, class_weight="balanced")
    classifier.fit(matrix, target)
    weights = np.ascontiguousarray(classifier.coef_.T, dtype=np.float64)
    bias = np.asarray(classifier.intercept_, dtype=np.float64)
    return Model(tuple(labels), vocabulary, weights, bias)
