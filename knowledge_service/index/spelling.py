"""Correcting misspelt words of a question against the knowledge base's own vocabulary.

Customers type fast: "how do i pay my bil" or "powr outage". The encoder splits a misspelt word
into sub-word pieces that mean little, and BM25 finds no unit holding it, so one wrong letter
can cost the answer. A question's word is corrected only when all of these hold:

* it has at least :data:`MIN_LENGTH` letters and is not a word of the knowledge base;
* it is not a known word: not in the lexicon (the encoder tokenizer's whole words and an English
  word list of about 160,000 words, pyspellchecker's), so "weather", "latex" or "doable" are
  never turned into a knowledge-base word one letter away;
* it is not a name or an acronym: a capitalised word after the first, or an all-capitals word,
  in a question that is not all capitals;
* exactly one knowledge-base word of at least :data:`MIN_LENGTH` letters is the most frequent
  of those one edit away (a letter inserted, dropped or replaced, or two neighbours swapped)
  that start with the same letter (typos rarely change the first letter), and for a word of
  :data:`INFLECTED_LENGTH` letters or more the edit is not a letter added or dropped at the end
  ("finalize" and "finalized" are forms of one word, which the encoder reads alike); on a tie
  nothing is changed.

Everything else in the question (other words, case, punctuation) is kept as it was. The index
then keeps a corrected question only when it is at least as close to its nearest unit as the
question as asked (``HybridIndex.corrected_and_encoded``).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

MIN_LENGTH = 3
"""Shorter words are left alone: too many words lie one edit from a two-letter word."""
INFLECTED_LENGTH = 5
"""From this length a word one letter longer or shorter at the end is taken for another form
of it, not for a typo."""

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


class WordList:
    """A sorted array of ASCII words: membership by binary search, in a fraction of the memory
    a set of the same strings takes (the English list: a 6.9 MiB array, each word padded to
    the longest, against about 25 MiB retained for a set)."""

    def __init__(self, words: Iterable[str | bytes]) -> None:
        encoded = (w.encode() if isinstance(w, str) else w for w in words)
        self._words = np.array(sorted({w.lower() for w in encoded if w.isascii()}))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word.isascii() or not len(self._words):
            return False
        key = word.encode()
        at = int(np.searchsorted(self._words, key))
        return at < len(self._words) and bytes(self._words[at]) == key

    def __len__(self) -> int:
        return len(self._words)


_JSON_KEY = re.compile(rb'"([^"\\]*)": ')


@cache
def english_words() -> WordList:
    """pyspellchecker's English word list (lower case, ASCII), read once per process.

    The file is a JSON object of word frequencies; its keys are read with a pattern rather than
    by ``json.loads``, whose 160,000-entry dictionary would leave the process about 15 MiB
    larger after it is freed (a key with an escape is not ASCII, and is left out either way).
    """
    data = resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    text = gzip.decompress(data)
    keys = _JSON_KEY.findall(text)
    if len(keys) < 1000:  # written another way by another release: read it as JSON
        return WordList(json.loads(text))
    return WordList(keys)


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter inserted, dropped or replaced, or two neighbouring
    letters swapped (not when they are equal)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):  # one letter inserted into a
        return a[start:] == b[start + 1 :]
    if a[start + 1 :] == b[start + 1 :]:  # one letter replaced
        return True
    return (  # two neighbours swapped
        start + 1 < len(a)
        and a[start] == b[start + 1]
        and a[start + 1] == b[start]
        and a[start + 2 :] == b[start + 2 :]
    )


def _another_form(word: str, candidate: str) -> bool:
    """``candidate`` is ``word`` with a letter added or dropped at the end, and long enough to
    be an inflection of it rather than a typo."""
    if min(len(word), len(candidate)) < INFLECTED_LENGTH - 1 or len(word) == len(candidate):
        return False
    short, long = sorted((word, candidate), key=len)
    return long.startswith(short)


@dataclass(frozen=True)
class Speller:
    """The knowledge base's words with their counts, and the words never corrected."""

    counts: dict[str, int]
    lexicons: Sequence[Container[str]]
    """Lower-case words known to be correct besides the knowledge base's own."""
    by_start: dict[tuple[str, int], list[str]]
    """Knowledge-base words by (first letter, length), most frequent first."""

    @classmethod
    def build(cls, texts: Iterable[str], lexicons: Sequence[Container[str]] = ()) -> Speller:
        """From the knowledge base's texts (its units) and lexicons of correct lower-case words
        (none: only the knowledge base's words count as correct)."""
        counts = Counter(w.lower() for text in texts for w in _WORD.findall(text))
        by_start: dict[tuple[str, int], list[str]] = {}
        for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            if len(word) >= MIN_LENGTH:
                by_start.setdefault((word[0], len(word)), []).append(word)
        return cls(dict(counts), tuple(lexicons), by_start)

    def known(self, word: str) -> bool:
        """A word of the knowledge base or of a lexicon (lower case)."""
        return word in self.counts or any(word in lexicon for lexicon in self.lexicons)

    def suggestion(self, word: str) -> str | None:
        """The knowledge-base word ``word`` is a typo of, or None (see the module)."""
        word = word.lower()
        if len(word) < MIN_LENGTH or self.known(word):
            return None
        best: list[str] = []
        for length in (len(word) - 1, len(word), len(word) + 1):
            for candidate in self.by_start.get((word[0], length), ()):
                if best and self.counts[candidate] < self.counts[best[0]]:
                    break  # most frequent first: nothing better follows at this length
                if one_edit_apart(word, candidate) and not _another_form(word, candidate):
                    if best and self.counts[candidate] > self.counts[best[0]]:
                        best = []
                    best.append(candidate)
        return best[0] if len(best) == 1 else None

    def correct(self, text: str) -> str:
        """``text`` with each misspelt word replaced by its suggestion (lower case)."""
        shouting = text.isupper()

        def replace(match: re.Match[str]) -> str:
            word = match.group()
            name = word[0].isupper() and (match.start() > 0 or word.isupper())
            if name and not shouting:
                return word
            return self.suggestion(word) or word

        return _WORD.sub(replace, text)
