"""Splitting a customer's question into its clauses (the aspects it asks about).

"my dad is on a home oxygen machine what happens if the power goes out" asks about two things:
who is affected (a life-support customer) and what happens (an outage). The split is general
English, not domain words: a clause ends at sentence punctuation (``. ? ! ; ,``) or before a
wh-word that opens a new question (what, how, when, where, why, who, which). A fragment with
fewer than ``min_terms`` content terms (after stop words are dropped) is not an aspect of its
own and joins the clause after it (the last one the clause before it), so "how much does it
cost" stays one clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_BOUNDARY = re.compile(r"[.?!;,]+|\b(?=(?:what|how|when|where|why|who|which)\b)")
MAX_CLAUSES = 4
"""At most this many clauses are kept (the last ones are joined), bounding the extra work."""


def split_clauses(text: str, terms: Callable[[str], list[str]], min_terms: int = 2) -> list[str]:
    """The clauses of ``text`` that each hold at least ``min_terms`` of ``terms(clause)``.

    Args:
        text: A question.
        terms: A clause's content terms (the lexical tokeniser: stop words dropped).
        min_terms: A shorter fragment is joined to the clause after it (the last one to the
            clause before it).

    Returns:
        The clauses, lower-cased, in order; one clause (or none, for a text without words)
        when the text does not ask about two things.
    """
    parts = [p.strip() for p in _BOUNDARY.split(text.lower()) if p and p.strip()]
    out: list[str] = []
    for part in parts:
        if out and len(terms(out[-1])) < min_terms:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    while len(out) > 1 and len(terms(out[-1])) < min_terms:
        last = out.pop()
        out[-1] = f"{out[-1]} {last}"
    while len(out) > MAX_CLAUSES:
        last = out.pop()
        out[-1] = f"{out[-1]} {last}"
    return out
