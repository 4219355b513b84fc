"""A second, learned opinion for search: Complement Naive Bayes over words and word pairs.

It is trained at start-up on the content's own text, on the quiz bank (each question with its
explanation) and on content/asks/ (how learners ask: casual lines, problems described without the
topic's name, long posts): natural phrasings of each topic that keyword lists never hold. Complement NB
(Rennie et al., 2003) suits many classes with few, short examples. Pure Python, a few milliseconds to
train and well under a millisecond per question; it only re-orders what the lexical ranking found.
"""
from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from bot.content.stopwords import STOPWORDS

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]+")
_MIN_DF = 2  # a feature seen in one text only says little and doubles the model
_ALPHA = 0.3  # smoothing; chosen on the development set with the standard library estimator


def features(text: str) -> Counter:
    """Words of two or more characters (no stop words) and adjacent pairs of them."""
    words = [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]
    return Counter(words + [f"{a} {b}" for a, b in itertools.pairwise(words)])


class TopicClassifier:
    """Scores every document (class) for a question; classes are the searcher's document indexes."""

    VERSION = 2  # part of the cache key: bump when the features, the stop words or the model change

    def __init__(self, examples: Sequence[tuple[int, str]], classes: int):
        counted = [(label, features(text)) for label, text in examples]
        df: Counter = Counter()
        for _, feats in counted:
            df.update(feats.keys())
        n = len(counted)
        self._idf = {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items() if d >= _MIN_DF}
        per_class: list[dict[str, float]] = [defaultdict(float) for _ in range(classes)]
        for label, feats in counted:
            for f, weight in self._weights(feats).items():
                per_class[label][f] += weight
        total_by_feature: dict[str, float] = defaultdict(float)
        for counts in per_class:
            for f, value in counts.items():
                total_by_feature[f] += value
        grand = sum(total_by_feature.values())
        vocabulary = len(total_by_feature)
        # log of each class's complement mass: the normaliser of its complement distribution
        self._log_mass = [math.log(grand - sum(c.values()) + _ALPHA * vocabulary) for c in per_class]
        self._total = dict(total_by_feature)
        self._by_feature: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for label, counts in enumerate(per_class):
            for f, value in counts.items():
                self._by_feature[f].append((label, value))
        self._classes = classes
        self._labels: dict[str, frozenset[int]] = {}

    def to_state(self) -> dict:
        return {"classes": self._classes, "idf": self._idf, "log_mass": self._log_mass, "total": self._total,
                "by_feature": self._by_feature}

    @classmethod
    def from_state(cls, state: dict, classes: int) -> TopicClassifier | None:
        """A model saved by to_state, or None when it does not fit (another content, a damaged file). The
        check is structural: the file is named by a hash of the content and written atomically."""
        try:
            model = cls.__new__(cls)
            model._classes = state["classes"]
            model._idf, model._log_mass = state["idf"], state["log_mass"]
            model._total, model._by_feature = state["total"], state["by_feature"]
            model._labels = {}
            fits = (model._classes == classes == len(model._log_mass)
                    and all(isinstance(part, dict) for part in (model._idf, model._total, model._by_feature))
                    and model._total.keys() >= model._by_feature.keys()
                    and all(isinstance(v, float) for v in model._log_mass))
        except (KeyError, TypeError):
            return None
        return model if fits else None

    def labels_using(self, word: str) -> frozenset[int]:
        """The classes whose training text uses the word (seen in two texts or more across all classes);
        memoised per word of the model's vocabulary, so the memo never outgrows the model."""
        found = self._labels.get(word)
        if found is None:
            postings = self._by_feature.get(word)
            if not postings:
                return frozenset()
            found = self._labels[word] = frozenset(label for label, _ in postings)
        return found

    def _weights(self, feats: Counter) -> dict[str, float]:
        """Sub-linear tf times idf, unit length; unknown features dropped."""
        raw = {f: (1.0 + math.log(c)) * self._idf[f] for f, c in feats.items() if f in self._idf}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {f: v / norm for f, v in raw.items()}

    def relative(self, text: str, candidates: Iterable[int]) -> dict[int, float]:
        """Each candidate's probability against the best candidate's (1.0 for the best)."""
        weights = self._weights(features(text))
        if not weights:
            return {}
        mass = sum(weights.values())
        scores = {c: mass * self._log_mass[c] for c in candidates}
        for f, x in weights.items():
            total = self._total[f]
            base = math.log(total + _ALPHA)
            for label, value in self._by_feature[f]:
                if label in scores:
                    # -log of the complement's share of f, against the classes that never saw f
                    scores[label] += x * (base - math.log(total - value + _ALPHA))
        if not scores:
            return {}
        top = max(scores.values())
        return {c: math.exp(s - top) for c, s in scores.items()}
