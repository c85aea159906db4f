"""Correcting misspelt words of a question against the knowledge base's own vocabulary.

Customers type fast: "how do i pay my bil" or "powr outage". The encoder splits a misspelt word
into sub-word pieces that mean little, and BM25 finds no unit holding it, so one wrong letter
can cost the answer. A question's word is corrected only when all of these hold:

* it has at least :data:`MIN_LENGTH` letters and is not a word of the knowledge base;
* it is not a known word: not in the lexicon (the encoder tokenizer's whole words, an English
  word list of about 160,000 words, pyspellchecker's, and chat shorthand, :data:`CHAT_WORDS`),
  so "weather", "latex", "doable" or "lol" are never turned into a knowledge-base word one
  letter away;
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

# fmt: off
CHAT_WORDS = frozenset((
    "lol", "lols", "lolz", "lmao", "lmfao", "rofl", "omg", "omfg", "btw", "thx", "thnx", "thanx",
    "tnx", "tks", "pls", "plz", "plse", "idk", "imo", "imho", "tbh", "brb", "nvm", "ikr", "fyi",
    "afaik", "smh", "wtf", "ffs", "jk", "irl", "ngl", "tysm", "thks", "ttyl", "cya", "cuz", "coz",
    "hmm", "hmmm", "umm", "ummm", "erm", "uhh", "haha", "hahaha", "hehe", "xoxo", "yep", "yup",
    "yea", "nah",
))
# fmt: on
"""Chat shorthand and interjections that no dictionary lists: never a typo. Corrected to the
knowledge base's nearest word they changed what a message meant ("lol" read as "log", and a
customer laughing was sent to "how do I log a complaint")."""


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


class Vocabulary:
    """The knowledge base's words with their counts, kept level with its texts as they come and
    go (an index adds and removes its units' texts), so a change never rebuilds it."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.counts: Counter[str] = Counter()
        self.by_start: dict[tuple[str, int], set[str]] = {}
        """Words of at least :data:`MIN_LENGTH` letters by (first letter, length)."""
        self.add(texts)

    def add(self, texts: Iterable[str]) -> None:
        """Count the words of ``texts``."""
        counts, by_start = self.counts, self.by_start
        batch = _count(texts)
        for word in batch.keys() - counts.keys():
            if len(word) >= MIN_LENGTH:
                by_start.setdefault((word[0], len(word)), set()).add(word)
        counts.update(batch)

    def remove(self, texts: Iterable[str]) -> None:
        """Uncount the words of ``texts`` (texts added before; a word never counted is left
        alone)."""
        counts, by_start = self.counts, self.by_start
        for word, many in _count(texts).items():
            left = counts.get(word, 0) - many
            if left > 0:
                counts[word] = left
                continue
            if counts.pop(word, None) is None:
                continue
            bucket = by_start.get((word[0], len(word)))
            if bucket is not None:
                bucket.discard(word)
                if not bucket:
                    del by_start[(word[0], len(word))]


def _count(texts: Iterable[str]) -> Counter[str]:
    """The lower-case words of ``texts`` with their counts."""
    return Counter(word.lower() for text in texts for word in _WORD.findall(text))


@dataclass(frozen=True)
class Speller:
    """The knowledge base's words (read live: its :class:`Vocabulary` may change under it, never
    during a call) and the words never corrected."""

    vocabulary: Vocabulary
    lexicons: Sequence[Container[str]]
    """Lower-case words known to be correct besides the knowledge base's own."""

    @classmethod
    def build(cls, texts: Iterable[str], lexicons: Sequence[Container[str]] = ()) -> Speller:
        """From the knowledge base's texts (its units) and lexicons of correct lower-case words
        (none: only the knowledge base's words count as correct)."""
        return cls(Vocabulary(texts), tuple(lexicons))

    def known(self, word: str) -> bool:
        """A word of the knowledge base or of a lexicon (lower case)."""
        return word in self.vocabulary.counts or any(word in lexicon for lexicon in self.lexicons)

    def suggestion(self, word: str) -> str | None:
        """The knowledge-base word ``word`` is a typo of, or None (see the module)."""
        word = word.lower()
        if len(word) < MIN_LENGTH or self.known(word):
            return None
        counts, by_start = self.vocabulary.counts, self.vocabulary.by_start
        best: list[str] = []
        most = 0
        for length in (len(word) - 1, len(word), len(word) + 1):
            for candidate in by_start.get((word[0], length), ()):
                count = counts[candidate]
                if count < most or not one_edit_apart(word, candidate):
                    continue
                if _another_form(word, candidate):
                    continue
                if count > most:
                    best, most = [], count
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
