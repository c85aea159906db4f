"""The service's own API keys, and passwords, passcodes and PINs after their words."""

from __future__ import annotations

import re

from knowledge_service.privacy.names import _STOP_WORDS
from knowledge_service.privacy.text import _word_list

# The service's own API keys (``ks_<12 hex prefix>_<secret>``, see ``access.service``): a key
# pasted into a URL or a question must not reach a log or the store either.
_API_KEY = re.compile(r"(?<![A-Za-z0-9])ks_[0-9a-f]{12}_[A-Za-z0-9_\-]{16,}")
# A password, passcode or PIN a customer types ("password is Hunter2!", "my pin is 4321", "PIN:
# 0000"): the value after the word goes. After "is", "was", ":" or "=" any word but one that
# says how it is ("my PIN is blocked", "password is not working", "was rejected"); straight
# after the word only a value with a digit ("pin 4321", but "my pin blocked"). "security code"
# is a card's (``[CARD_CODE]``) when it is three or four digits.
_SECRET_LEAD_IN = (
    r"\b(?:pass\s?words?|passwd|passcodes?|pass\s?phrase|pins?(?:\s+(?:number|no\b\.?|code))?"
    r"|security\s+(?:code|answer|word)(?!\s*(?:(?:is|was|[:#=\-])\s*)?\d{3,4}\b)"
    r"|(?:login|log-?in|sign-?in|account)\s+password)"
)
_SECRET = re.compile(
    rf"{_SECRET_LEAD_IN}(?:\s*(?P<is>\bis\b|\bwas\b|[:=])\s*|\s+)"
    # a number in groups goes whole ("my pin 0412 345 678" once kept "345 678"), then one word
    r"(?!\[[A-Z_]+\])(?P<value>\d+(?:[ \-./_]{1,3}\d+)+(?![^\s.,;:?!)])"
    r"|[^\s.,;:?!)]\S*[^\s.,;:?)]|[^\s.,;:?!)])",  # not a placeholder
    re.IGNORECASE,
)
_SECRET_BEFORE = re.compile(rf"{_SECRET_LEAD_IN}\s*(?:(?:\bis\b|\bwas\b|[:=])\s*)?$", re.IGNORECASE)
SECRET_LEAD_IN_REACH = 100
"""How far before a value its secret's words are looked for (they are at most a few words):
looking through all the text before every run of digit words read out cost time in the square
of a long text's length."""


def _secret_before(text: str, end: int) -> bool:
    """Whether a password's, passcode's or PIN's words end ``text`` just before ``end``."""
    return _SECRET_BEFORE.search(text, max(0, end - SECRET_LEAD_IN_REACH), end) is not None


_SECRET_STATES = frozenset(
    _word_list(
        """blocked locked unlocked expired invalid wrong incorrect correct working broken reset
    forgotten forgot needed required missing same different too not already still case long
    short changed new old weak strong easy simple hard secure safe fine good bad right being
    set sent also just only never always there mandatory optional compulsory usually valid
    case-sensitive temporary"""
    )
)


def _secret(match: re.Match[str]) -> bool:
    """Whether a match of :data:`_SECRET` gives a value (not how the secret is)."""
    value = match.group("value")
    word = value.lower().rstrip("!")
    if match.group(0)[:3].lower() == "pin" and not any(c.isdigit() for c in value):
        return False  # a PIN is digits: "a PIN is valid for 7 days"
    if match.group("is"):  # "was rejected", "is expiring": how it is, not what
        state = word.isalpha() and word.islower() and word.endswith(("ed", "ing"))
        return len(value) >= 3 and not state and word not in _STOP_WORDS | _SECRET_STATES
    return any(c.isdigit() for c in value) and len(value) >= 3
