"""Lexical (BM25) scoring of units with bm25s, Snowball stemming and a short stop-word list.

bm25s was chosen over SQLite FTS5 by measurement (see the index README section of the report):
same quality, and scoring every unit at once as a numpy array makes fusion with dense scores a
vector operation. bm25s has no incremental update, so the index is rebuilt lazily on the first
query after a change (milliseconds for thousands of short units).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import bm25s
import numpy as np
import numpy.typing as npt
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_TOKEN_RE = re.compile(r"[a-z0-9]+")
# Negations change a customer's need ("card not working"): keep them.
STOP_WORDS = frozenset(STOPWORDS_EN) - {"not", "no"}


class Tokenizer:
    """Lower-cased alphanumeric tokens, stop words dropped, Snowball-stemmed (English)."""

    def __init__(self, *, stem: bool = True, stop_words: Iterable[str] = STOP_WORDS) -> None:
        self._stemmer = Stemmer.Stemmer("english") if stem else None
        self._stop = frozenset(stop_words)

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _TOKEN_RE.findall(text.lower()) if w not in self._stop]
        if self._stemmer is None:
            return words
        stemmed: list[str] = self._stemmer.stemWords(words)
        return stemmed


class Bm25Index:
    """BM25 over a keyed set of texts; ``scores`` rates every key for a query at once.

    Args:
        tokenizer: Turns a text into terms (the default stems and drops stop words).
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
    """

    def __init__(
        self, tokenizer: Tokenizer | None = None, *, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self._tokenize = tokenizer or Tokenizer()
        self._k1, self._b = k1, b
        self._tokens: dict[int, list[str]] = {}
        self._keys: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._model: bm25s.BM25 | None = None
        self._df: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tokens)

    def add(self, keys: Sequence[int], texts: Sequence[str]) -> None:
        """Add (or replace) texts under ``keys``."""
        with self._lock:
            for key, text in zip(keys, texts, strict=True):
                self._tokens[int(key)] = self._tokenize(text)
            self._model = None

    def remove(self, keys: Iterable[int]) -> None:
        """Remove ``keys``; unknown keys are ignored."""
        with self._lock:
            for key in keys:
                self._tokens.pop(int(key), None)
            self._model = None

    def _fitted(self) -> tuple[bm25s.BM25 | None, npt.NDArray[np.int64]]:
        with self._lock:
            if self._model is None and self._tokens:
                keys = list(self._tokens)
                # An empty token list would break bm25s; a sentinel term keeps positions aligned.
                corpus = [self._tokens[k] or ["\x00"] for k in keys]
                model = bm25s.BM25(k1=self._k1, b=self._b)
                model.index(corpus, show_progress=False)
                self._model, self._keys = model, np.asarray(keys, dtype=np.int64)
                self._df = Counter(t for tokens in corpus for t in set(tokens))
            return self._model, self._keys

    def query_bound(self, query: str) -> float:
        """The sum of the query terms' IDF: about the best BM25 score any unit could get.

        Dividing by it puts lexical scores on an absolute 0..1 scale (the share of the query's
        weight that a unit matches), so a weak match is not inflated to 1 as it would be by
        dividing by the best score. Terms no unit contains count with the highest IDF.
        """
        self._fitted()
        n = len(self._keys)
        return float(
            sum(
                math.log(1 + (n - self._df.get(t, 0) + 0.5) / (self._df.get(t, 0) + 0.5))
                for t in self._tokenize(query)
            )
        )

    def scores(self, query: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """BM25 scores of every key for ``query``.

        Returns:
            ``(keys, scores)`` aligned arrays; all scores are 0 when no term matches.
        """
        model, keys = self._fitted()
        terms = self._tokenize(query)
        if model is None or not terms:
            return keys, np.zeros(len(keys), dtype=np.float32)
        return keys, np.asarray(model.get_scores(terms), dtype=np.float32)
