"""A small intent classifier: TF-IDF (character and word n-grams) + logistic regression.

Trained in well under a second on the labelled seed questions shipped in
``seed_questions.yaml``. The router masks team names, years and week numbers before both
training and prediction (``"Iowa at LSU 2023"`` -> ``"xteamx at xteamx xyearx"``), so the model
learns how questions are phrased rather than which teams appear in them. Character n-grams
within word boundaries make it tolerant of typos ("predicton", "rankigns").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from scriptohio.errors import DataFormatError

__all__ = [
    "DEFAULT_SEED_FILE",
    "ClassifierConfig",
    "IntentClassifier",
    "TfidfIntentClassifier",
    "load_seed_questions",
]

DEFAULT_SEED_FILE = Path(__file__).with_name("seed_questions.yaml")


class IntentClassifier(Protocol):
    """Scores every intent for a masked question; the scores sum to 1."""

    def scores(self, masked: str) -> dict[str, float]: ...


@dataclass(frozen=True)
class ClassifierConfig:
    """Model settings; the defaults were chosen on the seed set, not on the test questions."""

    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    regularisation: float = 8.0
    max_iter: int = 2000


DEFAULT_CLASSIFIER_CONFIG = ClassifierConfig()


def load_seed_questions(path: Path = DEFAULT_SEED_FILE) -> dict[str, list[str]]:
    """``{intent: [question, ...]}`` from the seed file."""
    try:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFormatError(str(exc), file=str(path)) from exc
    if not isinstance(table, Mapping) or not all(
        isinstance(questions, list) and all(isinstance(q, str) for q in questions)
        for questions in table.values()
    ):
        raise DataFormatError("expected intent -> list of questions", file=str(path))
    return {str(intent): list(questions) for intent, questions in table.items()}


class TfidfIntentClassifier:
    """Logistic regression over character and word TF-IDF features of masked questions."""

    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        *,
        config: ClassifierConfig = DEFAULT_CLASSIFIER_CONFIG,
    ) -> None:
        if len({label for _, label in examples}) < 2:
            raise DataFormatError("the classifier needs examples of at least two intents")
        texts = [text for text, _ in examples]
        self._vectorizers = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, sublinear_tf=True),
            TfidfVectorizer(analyzer="word", ngram_range=config.word_ngrams,
                            token_pattern=r"(?u)\b\w+\b", sublinear_tf=True),
        )
        features = hstack([v.fit_transform(texts) for v in self._vectorizers]).tocsr()
        model = LogisticRegression(
            C=config.regularisation, max_iter=config.max_iter, solver="newton-cg"
        )
        # One BLAS thread: on a busy 2-core machine a threaded BLAS made this tiny fit 30x slower.
        with threadpool_limits(limits=1):
            model.fit(features, [label for _, label in examples])
        self._labels = [str(label) for label in model.classes_]
        coef = np.asarray(model.coef_, dtype=np.float64)
        intercept = np.asarray(model.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # two intents: sklearn keeps one row; make it a 2-way softmax
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-1, 1]) * intercept / 2
        self._coef, self._intercept = coef, intercept
        # The scorer below re-implements TfidfVectorizer.transform for one short text (analyse,
        # count, 1 + log tf, x idf, L2 per block): the same numbers without sklearn's per-call
        # validation, which cost ~1.5 ms of a ~2 ms answer.
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, int]] = []
        offset = 0
        for vectorizer in self._vectorizers:
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            self._blocks.append((vectorizer.build_analyzer(), vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)

    @property
    def labels(self) -> list[str]:
        """The intents it knows."""
        return list(self._labels)

    def scores(self, masked: str) -> dict[str, float]:
        """Probability per intent (the multinomial model's softmax)."""
        logits = self._intercept.copy()
        for analyze, vocabulary, idf, offset in self._blocks:
            counts = Counter(
                index for term in analyze(masked) if (index := vocabulary.get(term)) is not None
            )
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf)) * idf[columns]
            values /= np.linalg.norm(values)
            logits += self._coef[:, columns + offset] @ values
        weights = np.exp(logits - logits.max())
        probabilities = weights / weights.sum()
        return {label: float(p) for label, p in zip(self._labels, probabilities, strict=True)}
