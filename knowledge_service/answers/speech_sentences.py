"""Where a word stands in its sentence, for the rules of
:mod:`~knowledge_service.answers.speech` that read a word by the words before it: the word
just before a place, and whether a word opens its sentence."""

from __future__ import annotations

import re

WORD_BEFORE = re.compile(r"(?P<word>[\w'\u2019]+)[ \u00a0]+$")
LOOK_BACK = 80
"""How far back the words before a match are looked for: a few words, never the whole text
(each match looking back to the start of its text would make reading a text quadratic)."""


def opens_a_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` is a sentence's first: nothing before it but spaces, quotes
    or a bracket, after the text's start or a sentence's end."""
    before = text[max(0, at - LOOK_BACK) : at].rstrip(" \u00a0\"'\u201c\u2018(")
    return before[-1:] in ".!?:;\n" if before else at <= LOOK_BACK
