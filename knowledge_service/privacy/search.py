"""What a question is searched with: without personal data nor the words that give it."""

from __future__ import annotations

import re

from knowledge_service.privacy.names import (
    _BIRTH,
    _GREETING,
    _LIVE_AT,
    _MAY_HOLD_WORDS,
    _NUMBER_WORD,
    _SENT_BY,
    _THANKS,
    _TITLES,
)
from knowledge_service.privacy.numbers import _SPOKEN_DIGITS
from knowledge_service.privacy.redaction import _redact_folded
from knowledge_service.privacy.text import Placeholder, fold
from knowledge_service.privacy.told import _CARD_CODE_LEAD_IN, _CARD_EXPIRY_LEAD_IN, _ID_WORDS

_PLACEHOLDER = "(?:" + "|".join(re.escape(str(p)) for p in Placeholder) + ")"
_PLACEHOLDERS = re.compile(_PLACEHOLDER)
_MAY_HOLD_PERSONAL_DATA = re.compile(
    r"\d|@|[\[({<]\s*at\s*[\])}>]|\bdot\b|\bat\s+(?:\S+\s+)?[\w\-]+\.[a-z]|ks_|pass|pin|secur|"
    + _MAY_HOLD_WORDS.pattern,
    re.I,
)
# What a value belongs to may be what the question is about: "my concession card number is
# ...", "my water meter is ...", "my licence: ..." ask about the card, the meter, the licence.
# That noun stays in what is searched; only the value and "number is" go. A word that is only
# a handle for the customer (account, customer, reference, name, e-mail, phone) goes with it.
_TOPIC_WORDS = (
    rf"nmi|mirn|meter|policy|invoice|membership|{_ID_WORDS}"
    r"|pass\s?words?|passwd|passcodes?|pass\s?phrase|pins?|security\s+(?:answer|word)"
    r"|ni|national\s+insurance"
)
_HANDLE_WORDS = r"account|acct|acc|a/c|customer|client|member|reference|ref|crn"
# A title left before a name that goes ("this is mr [NAME]", "spoke to Mr and Mrs [NAME]") goes
# with it: alone it says nothing of what is asked. What is stored keeps it.
_TITLED = rf"\b(?:{_TITLES})\b\.?\s+(?:(?:and|&)\s+(?:{_TITLES})\b\.?\s+)?"
# quotes, brackets or asterisks put around a value go with it ("my name is *[NAME]*")
_OPEN = r"[(\[<{\"'*_]"
_BEFORE_NAME = rf"(?={_OPEN}{{0,3}}(?:{_TITLED})?\[NAME\])"
_TITLED_PLACEHOLDER = re.compile(rf"(?:{_TITLED}(?=\[NAME\]))?{_PLACEHOLDER}", re.IGNORECASE)
# What a customer says to give a value ("my email is", "account number:", "call me on",
# "I live at", "this is ... speaking") goes with it when a question is searched: without the
# value those words only pull the question away from its article.
_GIVEN = re.compile(
    rf"(?:\b(?P<topic>{_TOPIC_WORDS})\b(?:\s*{_NUMBER_WORD})?\s*(?:(?:is|was|[:#=\-])\s*)?"
    r"|\b(?:my|our|his|her|their|the|your)\s+(?:(?:new|old|home|work|mobile|phone|cell|postal"
    r"|street|e-?mail|card|credit|debit|bank|account|customer|contact|reference|full|first|last"
    r"|daytime|best|date\s+of)\s+){0,2}"
    r"(?:e-?mail(?:\s+address)?|address|number|no\.?|name|phone|mobile|cell|card|account|acct"
    r"|dob|birth|details|reference|ref|id)\s*(?:is|was|[:=\-])\s*"
    rf"|\b(?:(?:(?:my|our|his|her|their|the|your)\s+)?(?:{_HANDLE_WORDS})\b"
    rf"(?:\s*{_NUMBER_WORD})?|{_BIRTH}"
    r"|name|e-?mail|phone|mobile|address)\s*(?:(?:is|was|[:#=\-])\s*)?"
    rf"|\b{_LIVE_AT}\s+"
    rf"|\b(?:{_GREETING}\b[,!.]?\s+)?"
    r"(?:my\s+name'?s|(?:my\s+)?name\s+is|i\s+am\s+called|i'?m\s+called|this\s+is|it'?s|i'?m"
    rf"|i\s+am)\s+{_BEFORE_NAME}"
    rf"|\b(?:{_THANKS}\s*[,!.\-]?|{_SENT_BY}\s*:?)\s*{_BEFORE_NAME}"
    r"|\b(?:the\s+)?name\s+on\s+(?:the|my|our|this|that)\s+(?:account|bill|card|contract|lease)"
    rf"\s+(?:is|was)\s+{_BEFORE_NAME}|\bin\s+the\s+name\s+of\s+{_BEFORE_NAME}"
    r"|\b(?:(?:you\s+can|please|pls|can\s+you|could\s+you)\s+)?(?:call|reach|contact|text|ring"
    r"|phone|sms|e-?mail|message|write\s+to)\s+(?:me|us)(?:\s+back)?\s+(?:on|at|via)\s+"
    r"|\b(?:(?:my|our|his|her|their|the|your)\s+)?"
    rf"(?:{_CARD_CODE_LEAD_IN}(?=\[CARD_CODE\])|{_CARD_EXPIRY_LEAD_IN}(?=\[CARD_EXPIRY\]))"
    r"|\b(?:on|at|to|via|for|from|of|in)\s+)?"
    rf"(?P<open>{_OPEN}{{1,3}}(?=(?:the\s+|{_TITLED})?{_PLACEHOLDER}))?"
    rf"(?:\bthe\s+(?=\[DOB\])|{_TITLED}(?=\[NAME\]))?{_PLACEHOLDER}"
    r"(?(open)[)\]>}\"'*_]{1,3})(?:\s+(?:speaking|here|calling)\b)?",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"^[\s,;:.\-]*(?:(?:and|but|also)\b[\s,]*)?|[\s,;:\-]*(?:\b(?:and|but))?[\s,;:\-]*$"
)


def without_personal_data(text: str) -> str:
    """What a question is searched with: ``text`` without any value :func:`redact` would
    replace, nor the words that give it ("my email is", "call me on", "I live at"), the spaces
    and commas around it closed up. A text with nothing to remove is returned in its plain forms
    (:func:`fold`: "ＬＡＴＥ ＦＥＥ" typed in full width is searched as "LATE FEE", as a value
    written so is redacted), and an ASCII one as it is."""
    folded = fold(text)  # once: the test below and the redaction read the same text
    # A question redacted already (a bot's, stored, opened again as an agent's hand-off) holds
    # placeholders for its values: they and their words go as the values would have.
    redacted_before = _PLACEHOLDERS.search(folded) is not None
    if not (
        redacted_before or _MAY_HOLD_PERSONAL_DATA.search(folded) or _SPOKEN_DIGITS.search(folded)
    ):
        return folded
    redacted = _redact_folded(folded)
    if not (redacted.changed or redacted_before):
        return folded
    # each value and the words giving it end a part; a topic noun stays, at the end of its part
    cut = _GIVEN.sub(lambda m: (m.group("topic") or "") + "\0", redacted.text)
    parts = (_DANGLING.sub("", part) for part in cut.split("\0"))
    searched = " ".join(" ".join(part for part in parts if part.strip(" ,;:.-")).split())
    # Nothing but personal data and the words giving it ("call me on ..."): search the words.
    return searched or " ".join(_TITLED_PLACEHOLDER.sub(" ", redacted.text).split())
