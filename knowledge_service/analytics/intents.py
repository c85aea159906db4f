"""Whether an intent the measures are asked about exists: an article's, or one the answer log
(or what it keeps of purged answers) names. A filter by an intent that is neither could only
count zeros, which looks like an intent nobody asked about."""

from __future__ import annotations

import difflib

from sqlmodel import Session

from knowledge_service.analytics import repository

NEAREST = 3


def unknown_intent(session: Session, intent: str) -> list[str] | None:
    """None when an article's current version has ``intent`` or an answer or rating was logged
    with it; else the articles' intents nearest to it (up to three, nearest first; perhaps
    none), for the filter to suggest."""
    if repository.intent_logged(session, intent):
        return None
    intents = repository.article_intents(session)
    if intent in intents:
        return None
    return difflib.get_close_matches(intent, sorted(intents), n=NEAREST, cutoff=0.6)
