"""Telling a message that says someone may be at risk of harm from a question.

A customer who writes that they, or someone with them, may be hurt ("I want to end my life",
"my roommate is talking about hurting herself", "he said he'd kill me") needs a person now,
not an article, however well one matches: on a customer channel such a message escalates with
the reason ``at_risk`` (the hand-off still carries what the search found, a crisis line's
article say, for the person who takes over). Agents are the person: they are answered, with the
reason ``at_risk``, from a search that adds what such procedures are called (:data:`RISK_WORDS`),
so a vulnerable-customer procedure comes first.

Only what a message says of a person counts, in words a contact centre's vulnerable-customer
procedures are written for:

* suicide and self-harm: "suicide", "kill myself", "hurting herself", "end my life", "want to
  die", "self-harm", "overdose", "better off dead", "I can't go on like this", "I can't go on."
  (said alone: not "I can't go on the website"), "everyone would be better off without me",
  "ending it all", "no point in living", "I wish I was dead", "life is not worth living", "hang
  myself";
* violence or a threat of it, by a person: "he threatened to kill me", "my partner hits me",
  "she's going to hurt us", "he choked me", "he punched me", "she kicked me", "my ex is stalking
  me", "I was assaulted", "I'm being abused" (not by an animal or staff), "I'm scared of my
  partner", "family violence", "domestic abuse", "an abusive relationship", "he is abusive",
  "my husband gets violent" (not one "abusive on the phone" or "to our staff"), "I'm not safe
  at home", "I fear for my safety", "I'm afraid to go home", "he said he would hurt me", "my
  neighbour threatened me" (a person's threat, not "threatened me with eviction"), and
  financial abuse ("my husband controls all the money").

Words that only sound alike are no risk: "kill the power", "my phone is dying", "dying to
know", "the battery died", "a dead meter", "this bill is killing me", "they slapped me with a
fee", "they hit me with a late fee", "kicked me off the plan", an agent who was "abusive on
the phone" (a person close to the customer counts, not staff), and the hyperbole "my mum is
going to kill me if I miss it" (a threat to kill counts when it is called one).
"""

from __future__ import annotations

import re
from enum import StrEnum

from knowledge_service.answers.human_request import normalised

_SELF = r"(?:my|him|her|them|your|our)sel(?:f|ves)|themself|oneself"
_THEIR = r"(?:my|his|her|their|your|our)"
# "I can't go on", "I cannot carry on", "I can't keep going": alone (see _GO_ON_ALONE) or with
# what says it is life that cannot go on ("anymore", "like this", "living")
_GO_ON = r"(?:can'?t|cannot|can\s+not)\s+(?:go\s+on|carry\s+on|keep\s+going)"
_SELF_HARM = (
    rf"\b(?:kill|killing|killed|hurt|hurting|harm|harming|cut|cutting|starve|starving|hang|hanging"
    rf"|drown|drowning|poison|poisoning|shoot|shooting)\s+(?:{_SELF})\b"
    r"|\bsuicid\w*"
    rf"|\b(?:end|ending|take|taking)\s+{_THEIR}\s+(?:own\s+)?life\b"
    r"|\b(?:want|wants|wanted|wanting|going|gonna)\s+to\s+die\b"
    r"|\bdon'?t\s+want\s+to\s+(?:live|be\s+alive|be\s+here\s+anymore|wake\s+up)\b"
    r"|\bself\s*harm\w*"
    r"|\boverdos\w*"
    r"|\b(?:better\s+off\s+dead|no\s+reason\s+to\s+live|nothing\s+(?:left\s+)?to\s+live\s+for)\b"
    rf"|\b{_GO_ON}\s+(?:anymore|any\s+more|any\s+longer|much\s+longer|like\s+th(?:is|at)"
    r"|this\s+way|living)\b"
    r"|\bbetter\s+off\s+without\s+me\b|\b(?:end|ending)\s+it\s+all\b|\bunaliv\w*"
    r"|\bno\s+point\s+(?:in\s+)?(?:living|going\s+on|being\s+alive)\b"
    r"|\bwish\s+(?:i|we)\s+(?:was|were)\s+dead\b|\bnot\s+worth\s+living\b"
    r"|\bjump\s+off\s+(?:a|the)\s+(?:bridge|building|roof|cliff)\b"
)
_PEOPLE = (
    r"husband|wife|partner|boyfriend|girlfriend|ex|fianc\w*|dad|father|stepdad|stepfather|mum|"
    r"mom|mother|stepmum|stepmom|son|daughter|brother|sister|flatmate|roommate|housemate|"
    r"neighbou?r|landlord|carer|uncle|aunt|parents?"
)
# An agent writes of the customer in the third person: "her partner hits her".
_PERSON = rf"(?:he|she|someone|somebody|(?:my|our|his|her|their)\s+(?:ex\s+)?(?:{_PEOPLE}))"
_WHO = rf"(?:they|{_PERSON})"
_THEIRS = r"(?:my|our|the|her|his|their)"
_US = rf"(?:me|us|her|him|{_THEIRS}\s+(?:kids?|children|son|daughter|baby|family))"
# Not "my mum is going to kill me if I miss the deadline": a threat to kill counts only when it
# is called one; hurting, hitting and beating count as said.
_VIOLENCE = (
    rf"\b{_WHO}\s+(?:has\s+|have\s+|had\s+)?threat\w*\s+to\s+(?:kill|hurt|harm|hit|beat)\b"
    rf"|\b{_WHO}\s*(?:(?:'?s|'?re|is|are|was|were|will|'ll|would|'d|keeps?)\s*)?"
    rf"(?:(?:going\s+to|gonna|trying\s+to)\s*)?"
    rf"(?:hurts?|hurting|hits?|hitting|beats?|beating|harms?|harming|chok(?:e|es|ed|ing)|"
    rf"strangl\w*|stalk(?:s|ed|ing)?|punch\w*|kick(?:s|ed|ing)?|shov\w+|push(?:es|ed|ing)?|"
    rf"slap\w*|attack\w*|assault\w*|abus(?:e|es|ed|ing)|rap(?:e|es|ed|ing))\s+{_US}\b"
    # not "kicked me off the plan", "pushed me to sign up", "pushed us into a contract"
    r"(?!\s+(?:off|out|to|into|onto|for)\b)"
    # "I was assaulted", "I'm being abused", "we were attacked by our neighbour"
    r"|\b(?:i|we)\s*(?:was|were|am|are|'m|'re|have\s+been|'ve\s+been|got|keep\s+getting)\s+"
    r"(?:being\s+)?(?:abused|assaulted|attacked|raped|beaten\s+up|strangled|choked)\b"
    # (not by an animal, nor by staff: "attacked by my neighbour's dog", "abused by the agent")
    r"(?!\s+by\s+(?:(?:an?|the|my|our|their|his|her|your|one\s+of\s+your)\s+)?(?:\w+'s\s+)?"
    r"(?:\w+\s+){0,2}(?:dog|cat|animal|bird|magpie|snake|agent|staff|operator|representative|"
    r"rep|consultant|officer|employee|worker|call\s+centre|customer\s+service)s?\b)"
    # fear of a person close to them: "I'm scared of my partner", "afraid of him"
    rf"|\b(?:scared|afraid|frightened|terrified)\s+of\s+(?:him|{_PERSON}|her(?=$|\s+(?:and|but|so|because|he|she|i|we|they|now)\b))\b"
    r"(?!\s*'s)"
    # a person's threat ("my neighbour threatened me over the meter"), never a company's or
    # one of what it will do ("threatened me with court action", "with disconnection")
    rf"|\b{_PERSON}\s+(?:has\s+|had\s+)?threaten(?:s|ed)?\s+{_US}\b(?!\s+with\b)"
    # financial abuse: "my husband controls all the money"
    rf"|\b{_PERSON}\s+(?:controls?|controlled|controlling|takes|took)\s+all\s+"
    r"(?:of\s+)?(?:the|my|our)\s+money\b"
    r"|\b(?:domestic|family)\s+(?:violence|abuse)\b"
    r"|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+not\s+safe\s+(?:at\s+home|here|with\s+(?:him|her))\b"
    rf"|\babusive\s+(?:(?:ex\s+)?(?:{_PEOPLE})|relationship|marriage|home)\b"
    # "my husband is abusive", "he's violent", "she can be really abusive", "he gets violent"
    # (not someone on the phone or in a chat: "he was abusive on the call" is staff's or a
    # caller's manner, not a danger to the customer)
    rf"|\b(?:he|she|(?:my|our|his|her|their)\s+(?:ex\s+)?(?:{_PEOPLE}))"
    r"(?:\s+(?:is|was|has\s+been|can\s+be|gets|got|becomes|became|turns|turned|is\s+being)|'s|s)"
    r"\s+(?:(?:very|really|so|quite|extremely|always|often|sometimes|getting|being|becoming"
    r"|verbally|physically|emotionally|financially|psychologically|sexually)\s+){0,2}"
    r"(?:violent|abusive)\b"
    r"(?!\s+(?:(?:on|over|in|during)\s+(?:the|a|this|that)\s+(?:phone|call|chat|line)"
    r"|to\s+(?:the|your|our|my)?\s*(?:staff|agents?|operators?|consultants?|team))\b)"
    r"|\b(?:scared|afraid|fear(?:ful)?)\s+for\s+(?:my|our|his|her|their)\s+(?:life|lives|safety)\b"
    r"|\b(?:scared|afraid)\s+to\s+go\s+home\b|\bbeing\s+stalked\b"
)
_SELF_HARM_RE = re.compile(_SELF_HARM)
# "I can't go on." as a sentence or clause of its own, nothing after "on" but its end (not "I
# can't go on the website"): read clause by clause, as normalised words lose the punctuation.
_GO_ON_ALONE = re.compile(rf"\b{_GO_ON}$")
_CLAUSES = re.compile(r"[.!?,;:\n]+")
_VIOLENCE_RE = re.compile(_VIOLENCE)
# "they hit me with a late fee", "he hit us with a huge bill": a charge, not a blow
_FIGURATIVE_HIT = re.compile(
    rf"\b(?:hits?|hitting|slap\w*)\s+{_US}\s+with\s+(?:\w+\s+){{0,3}}?"
    r"(?:fees?|bills?|charges?|prices?|rates?|increases?|rises?|penalt\w+|fines?|surcharges?|"
    r"costs?|invoices?|debts?|interest|tax\w*)\b"
)


class RiskKind(StrEnum):
    """What a message at risk says: harm to oneself, or violence by another person."""

    SELF_HARM = "self_harm"
    VIOLENCE = "violence"


RISK_WORDS: dict[RiskKind, str] = {
    RiskKind.SELF_HARM: "suicide, self-harm, mental health crisis support",
    RiskKind.VIOLENCE: "family violence, domestic abuse, personal safety",
}
"""What the procedures for each kind are called in a contact centre's knowledge: an agent's
search for such a message adds them, since a customer's own words ("my partner hits me") are
far from a procedure's ("supporting customers affected by family violence")."""


def risk_kind(text: str) -> RiskKind | None:
    """What ``text`` says of someone at risk of harm (see the module), or None."""
    words = normalised(text)
    if not words:
        return None
    if _SELF_HARM_RE.search(words) or any(
        _GO_ON_ALONE.search(normalised(clause)) for clause in _CLAUSES.split(text)
    ):
        return RiskKind.SELF_HARM
    if _VIOLENCE_RE.search(_FIGURATIVE_HIT.sub(" ", words)):
        return RiskKind.VIOLENCE
    return None


# Where a message's parts meet: after a sentence's or clause's punctuation, or at a conjunction.
_PARTS = re.compile(r"(?<=[.!?;,:])\s+|\s+(?:and|but|so|because|though)\s+", re.IGNORECASE)


def without_risk(text: str) -> str:
    """``text`` without its parts (sentences, clauses) that say someone is at risk: what else
    the message asks ("my partner hits me and I'm scared. How long does a refund take?" asks
    "I'm scared. How long does a refund take?"); empty when nothing else is said."""
    return " ".join(part for part in _PARTS.split(text) if risk_kind(part) is None).strip()


def signals_risk(text: str) -> bool:
    """Whether ``text`` says someone may be at risk of harm (see the module)."""
    return risk_kind(text) is not None
