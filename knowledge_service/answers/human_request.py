"""Telling a request for a person ("agent", "can I talk to a real person") from a question.

A customer who asks a bot for a person wants a hand-off, not an article: on a customer channel
such a message escalates with the reason ``human_requested`` (the hand-off still carries what
the search found, for the person who takes over). Only requests count, not questions that name
someone: "my agent said I could pay later", "I spoke to someone yesterday" or "how do I become
an agent" are asked as usual.

A message is a request for a person when either

* it is only a person, politely or not: "agent", "human please", "a real person", "customer
  service now", "representative!!"; or
* it asks to talk to one ("can I speak to someone about my bill", "chat with a manager"), to be
  handed to one ("transfer me to an agent", "put me through to a person"), or for one by what
  they are ("I need a human", "get me a manager", "can I have a representative"; not "I need
  someone to read my meter"), an officer being one to talk to or be handed to ("I need to
  speak with a council officer"; not "I need an officer to inspect my fence"), or to be called
  by one ("can someone call me back", "could somebody ring me", "I want a callback", "please
  call me back"; not "will someone call me before the inspection" or "what is the callback
  number"), the person
  introduced by nothing, an article, "your" or "one of your": never "my agent" or "the new
  owner"; and it does not ask whether one is needed ("do I have to talk to
  someone to close my account", "do I need to speak to a representative to change my pin").
"""

from __future__ import annotations

import re

_STRONG = (  # people a customer asks for by what they are
    r"(?:real |live |actual |proper )?"
    r"(?:human(?: being| agent)?|person|agent|representative|rep|operator|advisor|adviser"
    r"|consultant|customer (?:service|support|care)(?: agent| rep| representative| team)?"
    r"|(?:support|service|sales) (?:agent|team|rep|representative))"
)
_OFFICER = r"(?:council |customer service |service )?officer"  # "a council officer"
_PERSON = (
    rf"(?:{_STRONG}|someone|somebody|anyone|anybody|manager|supervisor|staff(?: member)?"
    rf"|{_OFFICER})"
)
_WANTED = rf"(?:{_STRONG}|manager|supervisor)"  # not "I need someone (an officer) to read it"
_ARTICLE = r"(?:an? |the |your |one of your |some )?"
_POLITE = r"(?:\s+(?:please|pls|plz|now|asap|right now|thanks|thank you))*"
_ONLY_A_PERSON = re.compile(rf"^{_ARTICLE}{_PERSON}s?{_POLITE}$")
_TALK = r"(?:talk|speak|chat)(?:\s+(?:directly|now|please))?\s+(?:to|with)"
_HAND = (  # "transfer me to an agent", not "I made a transfer to someone"
    r"(?<!\ba )(?<!\bthe )(?<!\bmy )(?<!\bthis )(?<!\bthat )(?<!\byour )"
    r"(?:connect|transfer|put|pass|forward|redirect|escalate|hand)"
    r"(?:\s+(?:me|us|this|it|my call|my chat|the call|the chat))?"
    r"(?:\s+(?:through|over|back|on))?\s+(?:to|with|onto)"
)
_WANT = (  # "I need a human", not "do I need an agent to sell my house"
    r"(?:(?:^|(?<!\bdo )(?<!\bdoes )(?<!\bwill )(?<!\bwould )(?<!\bshould )\b(?:i|we)\s+)"
    r"(?:really |just |only )?(?:want|need)|get me|give me"
    r"|(?:can|could|may) i (?:please )?(?:have|get)|i'd like|id like)"
)
_TO_A_PERSON = re.compile(
    rf"\b(?:(?:{_TALK}|{_HAND})\s+{_ARTICLE}{_PERSON}|{_WANT}\s+{_ARTICLE}{_WANTED})s?\b"
    rf"|\b{_PERSON}\s+(?:i|we)\s+(?:can|could)\s+(?:talk|speak|chat)\b"
)
# A call from a person: "can someone call me back", "could somebody ring me", "get a manager to
# call me", "I want a callback", "please call me back". Not a question of what happens ("will
# someone call me before the inspection", "you said you'd call me back"), nor a callback's
# number or hours ("I want the callback number").
_CALL_ME = r"(?:(?:call|ring|phone|contact)\s+(?:me|us)|give\s+(?:me|us)\s+a\s+(?:call|ring|bell))"
_CALLER = rf"(?:someone|somebody|{_ARTICLE}{_WANTED})"  # not "can anyone contact me if ..."
_A_CALL_BACK = (
    rf"{_ARTICLE}call\s?backs?(?:\s+request)?"
    r"(?!\s+(?:number|no|line|option|feature|service|times?|window|hours?)\b)"
)
_CALL_BACK = re.compile(
    rf"\b(?:can|could|would|please|pls)\s+(?:please\s+)?(?:{_CALLER}\s+(?:please\s+)?"
    rf"(?:be\s+able\s+to\s+)?{_CALL_ME}|(?:anyone|anybody)\s+(?:please\s+)?{_CALL_ME}\s+back)\b"
    rf"|(?<!\bi )(?<!\bwe )\b(?:have|get|ask)\s+{_CALLER}\s+(?:to\s+)?{_CALL_ME}\b"
    rf"|{_WANT}\s+{_CALLER}\s+to\s+{_CALL_ME}\b|{_WANT}\s+{_A_CALL_BACK}\b"
    r"|(?:^|\bplease\s+|\b(?:can|could)\s+you\s+(?:please\s+)?)(?:call|ring|phone)\s+(?:me|us)"
    r"\s+back\b"
    r"|(?:^|\bplease\s+|\b(?:(?:i|we)(?:\s+would|'d)|id)\s+like\s+to\s+|\b(?:i|we)\s+(?:want|need)\s+to\s+"
    rf"|\b(?:can|could|may)\s+(?:i|we)\s+)(?:request|book|arrange|schedule)\s+{_A_CALL_BACK}\b"
    rf"|^{_A_CALL_BACK}{_POLITE}$"
)
_ASKING_WHETHER = re.compile(  # "do I need to speak to a representative to change my pin?"
    r"\b(?:do|does|did|will|would|should|must|shall)\s+(?:i|we|you|they|he|she)\s+"
    r"(?:(?:have|need|got)\s+to\s+|ever\s+)?(?:talk|speak|chat|need|have)\b"
)
_SPACES = re.compile(r"\s+")
_NOT_WORDS = re.compile(r"[^a-z' ]+")
# An apostrophe as a phone's or a word processor's smart punctuation types it (U+2019 in
# "can't", "I'd like"), or a modifier letter, a prime or an accent in its place: read as "'",
# so "I can't go on like this" typed on a phone is the same words as typed on a keyboard.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u201b\u02bc\u2032`\u00b4", "'"))


def normalised(text: str) -> str:
    """Lower case, letters and apostrophes (in any of their forms, read as "'") only, single
    spaces."""
    return _SPACES.sub(" ", _NOT_WORDS.sub(" ", text.lower().translate(_APOSTROPHES))).strip()


def asks_for_a_person(text: str) -> bool:
    """Whether ``text`` asks to be handed to a person (see the module)."""
    words = normalised(text)
    if not words:
        return False
    if _ONLY_A_PERSON.match(words):
        return True
    asks = _TO_A_PERSON.search(words) or _CALL_BACK.search(words)
    return bool(asks) and not _ASKING_WHETHER.search(words)
