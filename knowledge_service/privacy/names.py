"""People's names, found by what is said around them: lead-ins, greetings, titles, staff
notes, sign-offs, and given names typed in lower case."""

from __future__ import annotations

import re

from knowledge_service.first_names import FIRST_NAMES
from knowledge_service.privacy.text import Placeholder, Span, _word_list

# --- Personal data told in words: found by what is said around it --------------------------
#
# A name, an address, a date of birth or an account number has no shape of its own (a name is a
# word, an account number may be six digits), so these are found by their lead-in ("my name is",
# "I live at", "date of birth", "account number") or, for a street address, by a house number
# followed by a street name and a street type. Words that cannot be a name or a street stop a
# value early, so "my name is wrong on my bill" keeps its words.


_STOP_WORDS = frozenset(
    _word_list(
        """a about after also am an and any are as at be because been being but by can cause cos
    could did do does for from had has have he her here his how i i'd i'll i'm i've im in is it
    it's its just me my no not now of ok okay on only or our please pls she so still that the
    their them then there they this to too under up was we were what when where which who why
    will with would you your yours already also changed correct different incorrect listed
    misspelled misspelt missing printed right shown showing spelled spelt wrong written
    speaking calling here thanks thank hi hello hey dear"""
    )
)
# Words that say how to reach someone end a name when written in lower case and followed by a
# number or by whom to reach ("my name is Margaret Thornbury ring 0412 ..." kept "ring" in the
# name); capitalised or alone, they may be a surname ("Anna Ring", "my name is anna ring") and
# stay in it: a name is over-redacted rather than half kept.
_CONTACT_WORDS = frozenset(
    _word_list("call ring phone text txt sms email e-mail contact reach mobile mob tel ph number")
)
_CONTACT_FOLLOWS = re.compile(r"[ :]+(?:[+(\d[]|(?:me|us|back|on|at|my|him|her)\b)")
_UNITS = frozenset(
    _word_list(
        """hour hours hr hrs minute minutes min mins day days week weeks month months year years
    time times dollar dollars buck bucks cent cents km kms kilometre kilometres kilometer kilometers
    metre metres meter meters mile miles people person kid kids child children bill bills
    payment payments percent kwh am pm"""
    )
)
# A name's words are letters of any script ("José María", "Åsa Öberg", "Zoë"), with "'" and "-"
_LETTER = r"[^\W\d_]"
# Quotes, brackets and asterisks a customer puts around a name ("my name is *Jane Smith*",
# "this is (Jane Smith)", "Kind regards, <Jane Smith>"): the name is inside them.
_OPEN = r"[(\[<{\"'*_]{0,3}"
_CLOSE = r"[)\]>}\"'*_]{0,3}"
_NAME_TOKEN = re.compile(rf"{_LETTER}\.(?=\s)|{_LETTER}(?:{_LETTER}|['\-])*")
_CAPITALISED = re.compile(r"[A-Z](?:[a-z'\-]+|\.?)(?:[A-Z][a-z'\-]+)*")  # O'Neil-Hart too


def _capitals() -> str:
    """A character class of the capital (upper- and title-case) letters of any script in the
    Basic Multilingual Plane: Python's regular expressions have no ``\\p{Lu}``."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x80, 0x10000):
        if chr(code).isupper() or chr(code).istitle():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    spans = "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in ranges)
    return f"[A-Z{spans}]"


# A letter that opens a capitalised word, in any script ("Åsa", "Ōtaki"; not "écoles")
_MAY_BE_CAPITAL = _capitals()


def _is_capitalised(word: str) -> bool:
    """Whether ``word`` is written as a name is (:data:`_CAPITALISED`), in any script: "Åsa",
    "Öberg" and "McÉwan" as "Asa", "Oberg" and "McEwan"."""
    shape = "".join("A" if c.isupper() else "a" if c.islower() else c for c in word)
    return _CAPITALISED.fullmatch(shape) is not None


# Lead-ins shared by redaction and by what a question is searched with (``_GIVEN``).
_GREETING = r"(?:hi|hello|hey|g'?day|good\s+(?:morning|afternoon|evening))"
# the longer of two sign-offs first ("best wishes" before "best"): the first that matches is taken
_THANKS = (
    r"(?:thanks|thank\s+you|thx|cheers|regards|kind\s+regards|best\s+regards|best\s+wishes"
    r"|best|warm(?:est)?\s+regards|yours\s+(?:sincerely|faithfully|truly)|sincerely)"
)
_BIRTH = r"(?:date\s+of\s+birth|birth\s*date|d\.?o\.?b\b\.?|birthday|born(?:\s+(?:on|in))?)"
_NUMBER_WORD = r"(?:no\b\.?|number|num|\#|id|code)"
_LIVE_AT = (
    r"(?:(?:i|we)\s+live\s+|i'?m\s+|i\s+am\s+|we'?re\s+|we\s+are\s+"
    r"|(?:property|house|home)\s+(?:is\s+)?)at"
)
# "my name is", "the account holder's name is", "name:", "I'm called", "this is X speaking".
_NAME_LEAD_IN = re.compile(
    r"\b(?:(?:(?:my|his|her|their|our|the|your)\s+(?:[a-z]+'s\s+)?|account\s+holder'?s?\s+)"
    r"(?:full\s+|first\s+|last\s+|given\s+|family\s+|middle\s+|maiden\s+|sur)?name\s+(?:is|was)"
    r"|my\s+name'?s|(?:full\s+)?name(?:\s*[:=]|\s+-|-(?=\s))|i\s+am\s+called|i'?m\s+called)\s*",
    re.IGNORECASE,
)
# Whose the account is: "the account holder is ...", "the name on the bill is ...", "the account
# is in the name of ...", and "name is" with no word before it but a message's, a line's or a
# sentence's start, a greeting and "the" ("name is Sarah Connor", "Hi, name is ...") or one of a
# person's ("the account name was ...", "customer name is ..."; but "its name is Collide" names
# an app). Only capitalised words count ("the account holder is away", "... is deceased" and
# "name is wrong on my bill" say how they are).
_HOLDER_LEAD_IN = re.compile(
    r"\b(?:account\s+holder\s*(?:is|was|[:=])|name\s+on\s+(?:the|my|our|this|that)\s+"
    r"(?:account|bill|card|contract|lease)\s+(?:is|was)|in\s+the\s+name\s+of)\s*"
    rf"|(?:(?:^|\n|[.!?,;:]\s+)\W{{0,40}}(?:{_GREETING}\b[,!.]?\s+)?(?:the\s+)?|\b(?:the\s+)?(?:account|customer"
    r"|client|caller|contact|member|tenant|resident|person'?s|holder'?s)\s+)name\s+(?:is|was)\s*",
    re.IGNORECASE,
)
# A greeting then "I'm" / "this is", "this is ... speaking", or a sign-off at the end: only
# capitalised words count ("it's dark in here" names nobody).
_GREETING_LEAD_IN = re.compile(
    rf"\b(?:{_GREETING}\b[,!.]?\s+(?:i'?m|i\s+am|this\s+is|it'?s)"
    rf"|(?:this\s+is|it'?s)(?=\s+{_OPEN}(?:(?:{_LETTER}|['\-])+{_CLOSE}\s+){{1,3}}"
    r"(?:speaking|here|calling)\b))\s+",
    re.IGNORECASE,
)
# A message, line or sentence that opens "This is" and a name of two or three capitalised words,
# closed by a comma or a full stop or followed by "from" or "and" ("This is Jo Bloggs, my bill
# is late"; after a greeting one word is enough: :data:`_GREETING_LEAD_IN`). "this is my bill"
# and "This is Urgent." name nobody.
_THIS_IS = re.compile(
    r"(?:^|\n|[.!?]\s+)\W{0,40}this\s+is\s+"
    rf"(?={_OPEN}(?-i:{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+)(?:\s+(?-i:{_MAY_BE_CAPITAL})(?:{_LETTER}|['\-])+){{1,2}}"
    rf"{_CLOSE}(?:\s*[,.!;]|\s+(?:from|and)\b|\s*$))",
    re.IGNORECASE,
)
_RELATIONS = (
    r"(?:husband|wife|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|grandmother"
    r"|grandfather|grandma|grandpa|nan|friend|flatmate|housemate|roommate|landlord|tenant"
    r"|neighbour|neighbor|carer|boss)"
)
# A message or a sentence (after a full stop, a question or exclamation mark, a colon, a
# semicolon or a comma) that starts "I'm" and capitalised words ("my mum says: I'm Margaret
# Thatcherson and ..."); "my husband" (a relation) and capitalised words; a message that starts
# with two or three capitalised words and "here", or with a greeting and one to three ("Hi,
# Jane here", "Good morning, Jane Doe here").
# Also "(you can / please) call me" and capitalised words ("call me back" and "call me on
# 0412 ..." name nobody), a mail's "From:" line, and a message, line or sentence that starts
# "Sent by", "Written by" or "Submitted by" ("Sent by Jane Smith"; but "the bill was sent by
# Origin Energy" is kept: mid-sentence, "by" names a company as often as a person).
_SENT_BY = r"(?:sent|written|submitted)\s+by"
_INTRODUCTION = re.compile(
    r"(?:^|[.!?:;,]\s+)\W{0,40}(?:i'?m|i\s+am)\s+"
    rf"|\bmy\s+{_RELATIONS}\s+"
    r"|\bcall\s+me\s+|(?:^|\n)[ \t]*from\s*:[ \t]*"
    rf"|(?:(?:^|\n)[ \t]*|[.!?]\s+){_SENT_BY}\s*:?[ \t]*",
    re.IGNORECASE,
)
_NAME_HERE = re.compile(
    rf"(?:^\W*|[\n.!?,;:(\-]\W{{0,40}})"
    rf"(?:(?={_OPEN}(?:{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+{_CLOSE}\s+){{2,3}}here\b)"
    rf"|(?i:{_GREETING}(?:\s+there)?)\b[,!.]?\s+"
    rf"(?={_OPEN}(?:{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+{_CLOSE}\s+){{1,3}}here\b))"
)
_NOT_NAMES = frozenset(
    _word_list(
        """monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight
    yesterday christmas easter"""
    )
)
# A sign-off word ("thanks, Jo"), or the double dash that opens a signature ("-- Jo Bloggs",
# a mail program's "-- " line; an em dash is read as one dash, so "— Jo" needs a sign-off word).
_SIGN_OFF = re.compile(
    rf"(?:\b{_THANKS}\s*[,!.\-]?\s+|(?:^|(?<=\s)|(?<=[(\[<{{\"'*_]))-{{2,}}\s*)"
    rf"(?={_OPEN}{_LETTER})",
    re.IGNORECASE,
)
_OPENING = re.compile(rf"{_OPEN}(?={_LETTER})")  # what opens a name: passed over
# What may follow the name of a sign-off: nothing, a line break (a signature's next line), or
# a mail program's own footer ("Sent from my iPhone", "Get Outlook for Android").
_AFTER_SIGN_OFF = re.compile(
    r"[ .!,)\]>}\"'*_]*(?:$|\r?\n|(?:sent\s+(?:from|via|using|with)|get\s+outlook)\b)",
    re.IGNORECASE,
)
# What staff and agents write about a customer in notes, reasons and comments: a role word
# ("Customer Tom Baker", "resident Mary O'Brien"), a title ("Mr Smith", "Dr. Patel", "Prof Jane
# Smith", "Sir John Smith", "Fr Murphy") or a contact ("confirmed with", "spoke to", "called",
# "on behalf of", "per") before capitalised words. The title stays: only the name goes.
# Titles: the everyday ones, academic and religious ones, and those that also name a place or
# an office (:data:`_HONOURS`).
_HONOURS = r"Sir|Dame|Lord|Lady|Mister|Madam"
_TITLES_BUT_FR = rf"Mr|Mrs|Ms|Miss|Dr|Mx|Prof|Professor|Rev|Revd|Reverend|{_HONOURS}"
_TITLES = rf"{_TITLES_BUT_FR}|Fr"
_TITLE = rf"\b(?-i:{_TITLES})\b\.?"
_ROLES = r"customer|resident|caller|client|member|tenant|account\s+holder|rate\s*payer"
_STAFF_CUE = re.compile(
    rf"(?:\b(?:{_ROLES}|confirmed\s+with|spoke\s+(?:to|with)|called|on\s+behalf\s+of|per)\s+"
    rf"(?:(?P<title>{_TITLE})\s+)?|(?P<alone>{_TITLE})\s+)",
    re.IGNORECASE,
)
# Capitalised words after such a cue (but a title) that name the organisation, its teams, its
# things or a person's role, not a person ("Customer Service Team", "Resident Parking Permit",
# "per Council policy", "spoke to Customer Care"): with one of them among or right after the
# words, none goes. After a title the words are a name whatever they are ("Mr Holder").
_NOT_A_PERSON = frozenset(
    _word_list(
        """service services team teams centre center care support desk helpdesk help line lines
    office offices council councils city shire department dept section division group
    committee board government policy policies clause clauses act regulation regulations
    parking permit permits portal account accounts number rebate
    rebates hardship program programme scheme plan plans manager managers officer officers staff
    supervisor coordinator hub contact contacts enquiries enquiry feedback complaint complaints
    relations experience satisfaction charter survey record records request requests form forms
    application applications library libraries waste rates finance billing payment payments
    collection collections planning roads compliance legal privacy security operations
    reception counter details detail information info portal app website online email phone
    id number customer customers resident residents caller callers client clients member
    members tenant tenants ratepayer ratepayers"""
    )
)
# Words in a business's or an agency's name, not in a person's ("this is Origin Energy", "Hi,
# this is Sydney Water", "Sent by Acme Insurance Pty Ltd", "Services Australia here"): with one
# of them, or one of the organisation's own words above, among capitalised words a greeting,
# "this is", "I'm", "Sent by" or a sign-off gave, they name no one. Not a surname as well
# ("Power", "Banks", "Mills", "Trust" are both, and stay names). After "my name is" or a title
# the words are a name whatever they are.
_BUSINESS = frozenset(
    _word_list(
        """energy electricity electric gas water telecom telecoms telecommunications
    communications broadband internet network networks mobile mobiles bank banking insurance
    insurer assurance superannuation credit financial utilities utility retail retailer
    airline airlines airways rail railways transport motors logistics solutions systems
    technologies software media foundation association society agency authority institute
    university college school hospital clinic health medical pharmacy dental ltd limited pty
    inc incorporated llc plc corp corporation company holdings australia"""
    )
)
_NOT_A_PERSONS_WORD = _BUSINESS | _NOT_A_PERSON


def _names_a_business(words: str) -> bool:
    """Whether capitalised ``words`` a lead-in gave name a business or the organisation's own
    things (:data:`_BUSINESS`, :data:`_NOT_A_PERSON`), not a person."""
    return any(
        w.lower().removesuffix("'s").rstrip(".") in _NOT_A_PERSONS_WORD for w in words.split()
    )


# Places and institutions named after a holder of an honour ("Lord Howe Island", "Sir Charles
# Gairdner Hospital", "Lady Bay") and offices so addressed ("Madam Speaker", "Mister
# President"). After "Sir", "Dame", "Lord", "Lady", "Mister" or "Madam", capitalised words with
# one of these, or a business's or the organisation's word, among or right after them name no
# one (after another title they are a name whatever they are). Not a word that is a common
# surname too ("Park", "Hall", "Lane", "House", "Court", "Close", "Way"): "Mister Park" is a
# name; but a street type's abbreviation is none ("Sir John Ln", "Lady Gowrie Dr").
_PLACES_AND_OFFICES = frozenset(
    _word_list(
        """island islands isle bay beach cove harbour harbor point lake river creek mount mountain
    reserve gardens street st road rd avenue ave av drive dr highway hwy place pl square sq
    terrace tce parade pde crescent cres boulevard blvd esplanade esp circuit cct parkway pkwy
    ln ct cl bridge building tower museum gallery library oval stadium arena station airport
    speaker chair chairman chairperson president mayor secretary treasurer minister deputy"""
    )
)


_HONOUR = re.compile(rf"(?:{_HONOURS})\.?")


def _names_a_place_or_office(words: list[str]) -> bool:
    """Whether capitalised ``words`` after such a title (:data:`_HONOURS`) name a place, an
    institution or an office (:data:`_PLACES_AND_OFFICES`, :data:`_BUSINESS`,
    :data:`_NOT_A_PERSON`), not a person."""
    return any(
        w.lower().removesuffix("'s").rstrip(".") in _PLACES_AND_OFFICES | _NOT_A_PERSONS_WORD
        for w in words
    )


# redacted again: kept
_TITLE_BEFORE_NAME = re.compile(rf"{_TITLE}\s+(?={_MAY_BE_CAPITAL}|\[NAME\])")
# Capitalised words after "I'm" that say what the customer is doing or how they are, not who:
# one of these, or a word ending in "ing" before a word a verb takes ("I'm Trying to pay",
# "I'm Calling about"; but "I'm Irving Smith", "I'm Sterling and ...").
_NOT_A_NAME_AFTER_IM = re.compile(
    r"(?:[A-Z][a-z]{2,}ing(?=\s+(?:to|for|about|on|in|at|with|because|if|my|our|the|a|an|up|out"
    r"|from|into|back|over|off|away|home|house|again|now|today|tomorrow|next|this)\b)|(?:Sorry|Unable|Confused|Interested|Happy|Glad|New|Currently|Really"
    r"|Very|Worried|Concerned|Disappointed|Frustrated|Annoyed|Stuck|Done|Finished|Ready|Keen"
    r"|Wondering|Having|Getting|Going|Looking|Trying|Moving|Calling|Writing|Emailing|Away"
    r"|Overseas|Home|Back|Pregnant|Retired|Disabled|Unemployed|Sick|Unwell))\b"
)
_MAY_HOLD_WORDS = re.compile(
    r"name|this\s+is|it'?s|i'?m|i\s+am|thank|thx|cheers|regards|sincerely|best|yours|birth|dob"
    rf"|born|\d|--|call\s+me|from\s*:|{_SENT_BY}"
    rf"|here|my\s+{_RELATIONS}|\b(?:{_ROLES}|confirmed|spoke|called|behalf|per)\b|{_TITLE}",
    re.IGNORECASE,
)


# "I'm", "I am", "this is" or "it's" before a name typed in lower case ("hi this is sarah jones",
# "i'm john smith calling about my bill"): a name only when its first word is a given name that
# is no ordinary English word (:data:`~knowledge_service.first_names.FIRST_NAMES`), so "i'm
# moving", "this is urgent", "this is my second bill" and "i'm frank with you" name nobody. A
# title between, in any case, stays ("this is mrs jane smith", "i'm dr. sarah jones" were kept
# whole; "this is mrs [NAME]"); "Fr" only so written: "fr" is as often French, or "for"
# ("it's fr real").
_LOWER_CASE_NAME_LEAD_IN = re.compile(
    rf"\b(?:i'?m|i\s+am|this\s+is|it'?s)\s+(?P<title>(?:{_TITLES_BUT_FR}|(?-i:Fr))\b\.?\s+)?",
    re.IGNORECASE,
)


def _surname_after_title(word: str) -> bool:
    """Whether ``word``, straight after a title a lead-in gave, may be a surname."""
    bare = word.lower().removesuffix("'s")
    return (
        len(bare) >= 2
        and not bare.endswith(".")
        and bare not in _STOP_WORDS | _UNITS | _NOT_NAMES | _NOT_A_SURNAME
        and not _names_a_business(bare)
    )


# After such a title a surname alone is a name too ("this is mr smith", "i'm dr. patel"): the
# title says a person's name follows, whether or not the word is a given name. But not a word
# of the sentence, a unit, a day, the organisation's or a business's word ("this is ms teams"),
# not one of the programs "ms" names in lower case ("it's ms word that crashes"), nor what a
# doctor gives, "dr" typed for "doctor's" ("it's dr appointment time", "this is dr note"), nor
# what another title's word says in lower case ("it's lady luck", "it's lord knows what", "this
# is prof dev day", "it's rev limiter time").
_NOT_A_SURNAME = frozenset(
    _word_list(
        """word excel outlook access edge paint windows dos powerpoint onenote sql project
    publisher visio exchange azure appointment appointments note notes visit visits letter
    letters referral referrals certificate certificates cert certs report reports prescription
    prescriptions script scripts surgery receptionist luck knows dev development limiter
    counter"""
    )
)


def _lower_case_names(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names someone after "I'm", "I am", "this is" or "it's", in any case, by a
    given name (:data:`_LOWER_CASE_NAME_LEAD_IN`): the name and up to two words after it that
    may be part of it (:func:`_name_end`), up to one that names a thing of the organisation or
    a business ("this is john's account": "account" stays); after a title, a surname alone
    (:func:`_surname_after_title`: "this is mr smith")."""
    spans = []
    for match in _LOWER_CASE_NAME_LEAD_IN.finditer(text):
        start = match.end()
        first = _NAME_TOKEN.match(text, start)
        if first is None:
            continue
        # "it's" and a title that also names places, before a place's words, says where, as
        # the title alone does ("it's Sir John Street", "it's lady gowrie dr"); after "I'm" or
        # "this is" it introduces a person, as it does capitalised ("this is Sir John Street")
        title = (match.group("title") or "").strip().capitalize()
        if (
            _HONOUR.fullmatch(title)
            and match.group(0)[:2].lower() == "it"
            and _names_a_place_or_office(text[start : _name_end(text, start, False)].split())
        ):
            continue
        if first.group(0).lower().removesuffix("'s") not in FIRST_NAMES:
            if match.group("title") and _surname_after_title(first.group(0)):
                spans.append((start, first.end()))  # the surname alone: "this is mr smith"
            continue
        end = first.end()
        for word in re.finditer(r"\S+", text[end : _name_end(text, start, capitalised=False)]):
            if _names_a_business(word.group(0)):
                break
            end = first.end() + word.end()
        spans.append((start, end))
    return spans


def _name_end(text: str, start: int, capitalised: bool) -> int:
    """Where a name that starts at ``start`` ends: up to three name words, stopping at a word
    that cannot be part of a name (or, with ``capitalised``, at one without a capital)."""
    end, pos = start, start
    for _ in range(3):
        match = _NAME_TOKEN.match(text, pos)
        if not match:
            break
        word = match.group(0)
        if word.lower().rstrip(".") in _STOP_WORDS:
            break
        if word in _CONTACT_WORDS and _CONTACT_FOLLOWS.match(text, match.end()):
            break
        if capitalised and (
            not _is_capitalised(word) or word.lower().removesuffix("'s") in _NOT_NAMES
        ):
            break
        end = match.end()
        gap = re.match(r" +", text[end:])
        if not gap:
            break
        pos = end + gap.end()
    return end


def _staff_names(text: str) -> list[Span]:
    """Where ``text`` names a customer after a staff cue (:data:`_STAFF_CUE`): up to three
    capitalised words, unless (with no title before them) one of them or the word after them
    names the organisation's own things (:data:`_NOT_A_PERSON`)."""
    spans: list[Span] = []
    for match in _STAFF_CUE.finditer(text):
        start = match.end()
        end = _name_end(text, start, capitalised=True)
        if end == start:
            continue
        after = _NAME_TOKEN.match(text, end + 1) if text[end : end + 1] == " " else None
        words = text[start:end].split() + ([after.group(0)] if after else [])
        titled = match.group("title") or match.group("alone")
        if not titled and any(
            w.lower().removesuffix("'s").rstrip(".") in _NOT_A_PERSON for w in words
        ):
            continue
        if titled and _HONOUR.fullmatch(titled) and _names_a_place_or_office(words):
            continue  # "Lord Howe Island", "Madam Speaker"
        spans.append((start, end, Placeholder.NAME))
    return spans
