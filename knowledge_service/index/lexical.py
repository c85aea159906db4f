"""Lexical (BM25) scoring of units with Snowball stemming and a short stop-word list.

BM25 (the Lucene variant that bm25s implements, same IDF and term-frequency formulas, so the
same scores) over keyed texts, with cheap incremental updates: a compacted base of term postings
(numpy arrays) plus a small delta of texts added since, and removed base texts masked out.
Document frequencies, document count and total length are kept exact on every change, so the
scores equal those of an index rebuilt from scratch. The base is recompacted when the delta
grows past a fraction of it; a one-article change costs O(its units), never a full rebuild.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_TOKEN_RE = re.compile(r"[a-z0-9]+")
# Negations change a customer's need ("card not working"): keep them.
STOP_WORDS = frozenset(STOPWORDS_EN) - {"not", "no"}
# An empty text still counts as a document of length 1 (as bm25s indexes a sentinel term).
_EMPTY = "\x00"
MAX_CACHED_TERMS = 4096


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


@dataclass
class _Base:
    """Compacted postings: per term, the base rows holding it and its frequency there."""

    keys: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.float64]
    alive: npt.NDArray[np.bool_]
    rows: dict[int, int]
    postings: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]

    @classmethod
    def build(cls, docs: dict[int, list[str]]) -> _Base:
        keys = np.fromiter(docs, dtype=np.int64, count=len(docs))
        lengths = np.fromiter((len(t) for t in docs.values()), dtype=np.float64, count=len(docs))
        pairs = Counter((term, row) for row, tokens in enumerate(docs.values()) for term in tokens)
        by_term: dict[str, tuple[list[int], list[int]]] = {}
        for (term, row), tf in pairs.items():
            entry = by_term.setdefault(term, ([], []))
            entry[0].append(row)
            entry[1].append(tf)
        postings = {
            t: (np.asarray(r, dtype=np.int64), np.asarray(f, dtype=np.float64))
            for t, (r, f) in by_term.items()
        }
        rows = {int(k): n for n, k in enumerate(keys.tolist())}
        return cls(keys, lengths, np.ones(len(keys), dtype=bool), rows, postings)


@dataclass(frozen=True)
class _View:
    """The live keys (base rows first, then the delta) and per-base-row length norms."""

    keys: npt.NDArray[np.int64]
    live: npt.NDArray[np.intp]
    delta_keys: list[int]
    norm: npt.NDArray[np.float64]
    avg: float
    terms: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = field(
        default_factory=dict
    )
    """Per query term seen since the last change, its base rows and their BM25 weights."""


def _empty_base() -> _Base:
    return _Base.build({})


class Bm25Index:
    """BM25 over a keyed set of texts; ``scores`` rates every key for a query at once.

    Args:
        tokenizer: Turns a text into terms (the default stems and drops stop words).
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
        compact_ratio: Recompact the postings when the changed texts exceed this share of
            the base (or ``compact_min`` texts, whichever is more).
        compact_min: See ``compact_ratio``.
    """

    def __init__(
        self,
        tokenizer: Tokenizer | None = None,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        compact_ratio: float = 0.1,
        compact_min: int = 256,
    ) -> None:
        self._tokenize = tokenizer or Tokenizer()
        self._k1, self._b = k1, b
        self._compact_ratio, self._compact_min = compact_ratio, compact_min
        self._tokens: dict[int, list[str]] = {}
        self._df: Counter[str] = Counter()
        self._total_len = 0.0
        self._base = _empty_base()
        self._dead = 0
        self._delta: dict[int, Counter[str]] = {}
        self._delta_postings: dict[str, dict[int, int]] = {}
        self._view: _View | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tokens)

    def add(self, keys: Sequence[int], texts: Sequence[str]) -> None:
        """Add (or replace) texts under ``keys``."""
        with self._lock:
            for key, text in zip(keys, texts, strict=True):
                self._drop(int(key))
                tokens = self._tokenize(text) or [_EMPTY]
                self._tokens[int(key)] = tokens
                counts = Counter(tokens)
                self._delta[int(key)] = counts
                for term, tf in counts.items():
                    self._delta_postings.setdefault(term, {})[int(key)] = tf
                self._df.update(counts.keys())
                self._total_len += len(tokens)
            self._view = None

    def remove(self, keys: Iterable[int]) -> None:
        """Remove ``keys``; unknown keys are ignored."""
        with self._lock:
            for key in keys:
                self._drop(int(key))
            self._view = None

    def _drop(self, key: int) -> None:
        tokens = self._tokens.pop(key, None)
        if tokens is None:
            return
        self._df.subtract(set(tokens))
        self._total_len -= len(tokens)
        counts = self._delta.pop(key, None)
        if counts is not None:
            for term in counts:
                self._delta_postings[term].pop(key, None)
        else:
            self._base.alive[self._base.rows[key]] = False
            self._dead += 1

    def _current(self) -> _View:
        """(live keys, live base rows, delta keys), compacting first when the delta is big."""
        with self._lock:
            changed = len(self._delta) + self._dead
            if changed > max(self._compact_min, self._compact_ratio * len(self._base.keys)):
                self._base = _Base.build(self._tokens)
                self._delta, self._delta_postings, self._dead = {}, {}, 0
                self._df = +self._df  # drop terms no text holds any more
                self._view = None
            if self._view is None:
                live = np.flatnonzero(self._base.alive)
                delta_keys = list(self._delta)
                keys = np.concatenate(
                    [self._base.keys[live], np.asarray(delta_keys, dtype=np.int64)]
                )
                avg = self._total_len / max(1, len(keys))
                norm = self._k1 * ((1 - self._b) + self._b * self._base.lengths / avg)
                self._view = _View(keys, live, delta_keys, norm, avg)
            return self._view

    def _idf(self, term: str, n: int) -> float:
        df = self._df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def terms(self, query: str) -> list[str]:
        """The query's distinct terms that at least one text holds, in query order."""
        return [t for t in dict.fromkeys(self._tokenize(query)) if self._df.get(t, 0) > 0]

    def keys_holding(self, term: str) -> npt.NDArray[np.int64]:
        """The keys of the live texts that hold ``term`` (a term after tokenising)."""
        self._current()  # compact first if due, so the base and delta are current
        with self._lock:
            base = self._base
            parts = []
            posting = base.postings.get(term)
            if posting is not None:
                rows = posting[0]
                parts.append(base.keys[rows[base.alive[rows]]])
            delta = self._delta_postings.get(term)
            if delta:
                parts.append(np.fromiter(delta, dtype=np.int64, count=len(delta)))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def query_bound(self, query: str) -> float:
        """The sum of the query terms' IDF: about the best BM25 score any unit could get.

        Dividing by it puts lexical scores on an absolute 0..1 scale (the share of the query's
        weight that a unit matches), so a weak match is not inflated to 1 as it would be by
        dividing by the best score. Terms no unit contains count with the highest IDF.
        """
        n = len(self._current().keys)
        return float(sum(self._idf(t, n) for t in self._tokenize(query)))

    def scores(self, query: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """BM25 scores of every key for ``query``.

        Returns:
            ``(keys, scores)`` aligned arrays; all scores are 0 when no term matches.
        """
        view = self._current()
        keys, live = view.keys, view.live
        terms = [t for t in self._tokenize(query) if self._df.get(t, 0) > 0]
        if not terms or not len(keys):
            return keys, np.zeros(len(keys), dtype=np.float32)
        with self._lock:
            base, n = self._base, len(keys)
            k1, b = self._k1, self._b
            base_scores = np.zeros(len(base.keys), dtype=np.float64)
            delta_pos = {k: len(live) + i for i, k in enumerate(view.delta_keys)}
            out = np.zeros(n, dtype=np.float32)
            for term in terms:
                idf = self._idf(term, n)
                weights = view.terms.get(term)
                if weights is None and term in base.postings:
                    rows, tf = base.postings[term]
                    weights = (rows, idf * tf / (view.norm[rows] + tf))
                    if len(view.terms) >= MAX_CACHED_TERMS:
                        view.terms.clear()
                    view.terms[term] = weights
                if weights is not None:
                    base_scores[weights[0]] += weights[1]
                for key, freq in self._delta_postings.get(term, {}).items():
                    norm_d = k1 * ((1 - b) + b * len(self._tokens[key]) / view.avg)
                    out[delta_pos[key]] += idf * freq / (norm_d + freq)
            out[: len(live)] = base_scores[live] if len(live) < len(base.keys) else base_scores
        return keys, out
