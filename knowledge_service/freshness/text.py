"""Text helpers of fact extraction: Markdown to sentences, non-fact numbers, terms and numbers.

Pure functions. Masking replaces a span with spaces of the same length, so offsets found in a
masked sentence still point into the original one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))
_TENS_ALT = "|".join(TENS)
BELOW_100 = rf"(?:(?:{_TENS_ALT})(?:[\s-](?:{_UNIT_ALT}))?|{_UNIT_ALT})"
_BELOW_1000 = rf"(?:(?:{_UNIT_ALT}|a)\s+hundred(?:\s+(?:and\s+)?{BELOW_100})?|{BELOW_100})"
NUMBER_WORD = rf"(?:(?:{_BELOW_1000}|a)\s+thousand(?:,?\s+(?:and\s+)?{_BELOW_1000})?|{_BELOW_1000})"
"""A number in words, compounds included: "twenty-one", "two hundred and fifty", "one thousand
five hundred" (a longer reading is tried first, so "two hundred and fifty" is never "fifty")."""
# "once" that opens a clause ("once it's paid, you can't contest it"); not a frequency ("once a
# year", "once per visit"), "at once", nor one time ("changed once free of charge", "once during
# the crossing", "once for free", "once without paying"), where no clause follows it.
ONCE_OPENS_CLAUSE = (
    r"(?<!at )\bonce\b(?!\s+(?:a|an|per|every|each|more|again|only|or|in|and|the|free|for|"
    r"during|without)\b)"
)
DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"
NUMBER = rf"(?:{DIGITS}|{NUMBER_WORD})"

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Numbers that are never facts: dates, years, phone numbers, references, identifiers (times of
# day are facts of their own: freshness/times.py).
_NON_FACTS = re.compile(
    "|".join(
        [
            r"\b\d{4}-\d{1,2}-\d{1,2}\b",
            r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\b(?:,?\s+\d{{4}})?",
            rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",
            rf"\b{_MONTHS}\s+\d{{4}}\b",
            r"(?<![$\d.,])\b(?:19|20)\d{2}\b(?!\s*(?:%|per ?cent|dollars))",
            r"\+?\(?\b\d{2,4}\)?(?:[ -]\d{2,4}){2,}\b",
            r"\b1[38]00\s?[A-Z]{3,}\b",
            r"\b(?:section|sections|clause|clauses|part|step|schedule|version|item|items|ref|"
            r"reference|code|number|no\.|page|chapter|appendix|table|form|level|tier|stage|"
            r"option|press)\s+\d+(?:\.\d+)*[a-z]?\b",
            r"\b[A-Z][A-Z0-9_-]*#\d+(?:\.\d+)*",
            r"\b(?!(?:under|over)-\d{1,3}s?\b)[A-Z]{1,6}-\d[\w-]*",  # "SR-12", not "under-12s"
            r"\b\d+(?:\.\d+){2,}\b",
            r"(?<![$\d.,])\b\d{5,}\b",
            r"\b\d+(?:st|nd|rd|th)\b",
            r"#\d+",
        ]
    ),
    re.IGNORECASE,
)
_CLAUSE_PREFIX = re.compile(r"^\s*\d+(?:\.\d+)+\s")

STOPWORDS = _words(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each few for from further had hadn't has hasn't
    have haven't having he her here hers herself him himself his how i if in into is isn't
    it it's its itself just let's me more most must mustn't my myself no nor not of off on
    once only or other ought our ours ourselves out over own same shan't she should
    shouldn't so some such than that that's the their theirs them themselves then there
    these they this those through to too under until up very was wasn't we we'll we're we've
    were weren't what when where which while who whom why will with won't would wouldn't you
    you'll you're you've your yours yourself also may might need needs get gets got able via
    per within upto etc e g i.e eg ie s t ll re ve d m let us whether unless else either
    neither never always every yes one two three four five six seven eight nine ten new least
    """
)
# Frequent words of this domain that say nothing about what a fact is about.
GENERIC = _words(
    """
    customer customers company account holder holders please contact call
    charged charge charges charging cost costs pay pays paid paying take taken takes make
    made apply applies applied give given gives see ask asks asked request requested usually
    normally generally still ask time times amount amounts
    """
)

_WORD = re.compile(r"[a-z][a-z']*")
# A one-letter prefix joins its word: "e-waste" is no "waste", "x-ray" no "ray".
_PREFIXED_WORD = re.compile(r"\b[a-z]-[a-z][a-z']+|[a-z][a-z']*")
# The same in letters of any script, for the words that name a place or a service (name_terms):
# "Whānau" is one word there, not "wh" and "nau".
_ANY_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|')*")
_ANY_PREFIXED_WORD = re.compile(r"\b[^\W\d_]-[^\W\d_](?:[^\W\d_]|')+|[^\W\d_](?:[^\W\d_]|')*")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"[*_`>]+")
# GFM strikethrough within a line: two tildes, text that neither starts nor ends with a space.
_STRUCK = re.compile(r"(?<!~)~~(?=[^\s~])(?:[^~]|~(?!~))*?(?<=[^\s~])~~(?!~)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|approx|incl|no)\.$", re.IGNORECASE)


def clean_markdown_line(line: str) -> str:
    """One Markdown line as plain text (links, emphasis and list markers removed, and struck
    text, ``~~$5~~``, which no channel tells as current)."""
    if "~~" in line:
        line = _STRUCK.sub("", line)
    if "](" in line:
        line = _MD_LINK.sub(r"\1", line)
    line = _LIST.sub("", line)
    if any(mark in line for mark in "*_`>"):
        line = _MD_MARK.sub("", line)
    return line.strip()


def split_sentences(text: str) -> Iterator[str]:
    """Sentences of Markdown text: list items and table cells stand alone; headings are skipped."""
    return (sentence for sentence, _ in labelled_sentences(text))


def labelled_sentences(text: str) -> Iterator[tuple[str, str]]:
    """:func:`split_sentences`, each with what labels it: for a cell of a table's body, its
    column's header and its row's first cell (the words of each that state no figure: a cell
    "$95" under "Fee" in the row "First visit" is the first visit's fee); "" for the rest."""
    paragraph: list[str] = []
    header: list[str] | None = None
    for raw in [*text.splitlines(), ""]:
        stripped = raw.strip()
        is_item = bool(_LIST.match(raw)) or stripped.startswith("|")
        if not stripped.startswith("|"):
            header = None
        if not stripped or stripped.startswith("#") or is_item:
            yield from ((s, "") for s in _split_paragraph(" ".join(paragraph)))
            paragraph = []
            if stripped.startswith("|"):
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                if all(set(c) <= set("-: ") for c in cells):
                    continue  # the line under the header
                labels = _cell_labels(cells, header)
                if header is None:
                    header = cells
                yield from (
                    (c, label)
                    for c, label in zip(cells, labels, strict=True)
                    if c and not set(c) <= set("-: ")
                )
            elif is_item:
                paragraph = [clean_markdown_line(raw)]
            continue
        paragraph.append(clean_markdown_line(raw))


_HOW = re.compile(r"\bhow\s+(?:long|often|much|many|soon|far|old)\b", re.IGNORECASE)


def _cell_labels(cells: list[str], header: list[str] | None) -> list[str]:
    """Each cell's label: its column's header and its row's name, but a header that may state
    a figure itself ("Basic 15GB"); "" for the header row and for the row's name. The row's
    name is its first cell, unless that states a figure or holds no words (:func:`_row_name`)."""
    if header is None:
        return [""] * len(cells)
    named = _row_name(cells)
    row = "" if named is None else cells[named]
    labels = []
    for n in range(len(cells)):
        if n == (named or 0):
            labels.append("")
            continue
        column = header[n] if n < len(header) and not may_state_number(header[n]) else ""
        column = _HOW.sub(" ", column)  # "How long", "How often": what the cell says, no subject
        labels.append(" ".join(part for part in (row, column) if part.strip()))
    return labels


def _row_name(cells: list[str]) -> int | None:
    """The cell that names a table's row: its first, unless that states a figure ("6 to 8
    weeks": the row's case is that figure, which no label carries). A phone number, a date or
    a reference states none (:func:`mask_non_facts`: "Phone, 0800 555 314" names its row), and
    a first cell that holds nothing else has no words to name it: the row's next cell with
    words that states no figure does ("| 1800 123 456 | Faults | 24/7 |": Faults)."""
    first = mask_non_facts(cells[0])
    if may_state_number(first):
        return None
    if _LETTER.search(first):
        return 0
    return next(
        (
            n
            for n, cell in enumerate(cells[1:], 1)
            if _LETTER.search(masked := mask_non_facts(cell)) and not may_state_number(masked)
        ),
        None,
    )


_LETTER = re.compile(r"[^\W\d_]")


# "open 9 a.m. to 8 p.m. Monday to Friday": a clock time's "p.m." before a day or a month
# ends no sentence.
_CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
# Time zones by the names a text gives them, each as one zone ("9am to 5pm Eastern" is ET).
TIME_ZONES = {
    "et": "et", "est": "et", "edt": "et", "eastern": "et", "ct": "ct", "cst": "ct", "cdt": "ct",
    "central": "ct", "mt": "mt", "mst": "mt", "mdt": "mt", "mountain": "mt", "pt": "pt",
    "pst": "pt", "pdt": "pt", "pacific": "pt", "gmt": "uk", "bst": "uk", "uk": "uk",
    "utc": "utc", "aest": "aet", "aedt": "aet", "acst": "act", "acdt": "act", "awst": "awt",
    "nzst": "nzt", "nzdt": "nzt",
}  # fmt: skip
# After "p.m.", a day, a month or a time zone goes on the sentence ("8 p.m. Eastern, Monday to
# Friday"; "9 a.m. to 8 p.m. Monday to Friday"); not "UK", which may open one ("UK customers").
_DAY_OR_MONTH = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|(?i:" + "|".join(sorted(set(TIME_ZONES) - {"uk"}, key=len, reverse=True)) + r")\b"
)


def _split_paragraph(paragraph: str) -> Iterator[str]:
    if not paragraph.strip():
        return
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.start()]
        if _ABBREV.search(candidate):
            continue
        if _CLOCK_END.search(candidate) and _DAY_OR_MONTH.match(paragraph, match.end()):
            continue
        yield candidate.strip()
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        yield tail


_MAY_STATE_NUMBER = re.compile(
    rf"\d|\b(?:{NUMBER_WORD}|an?\s+(?:day|week|fortnight|month|year|hour)|fortnight|once|twice"
    r"|weekly|fortnightly|monthly|quarterly|annually|yearly)\b",
    re.IGNORECASE,
)


def may_state_number(sentence: str) -> bool:
    """A cheap test: can the sentence state a numeric fact at all (digits or number words)?"""
    return _MAY_STATE_NUMBER.search(sentence) is not None


_DIGIT = re.compile(r"\d")


# A name that holds a number ("Tracked 24", "the Commuter 50 block", "Zone 2"): a capitalised
# word, then a whole number that no unit follows (a service, plan or product, not a quantity).
_NAMED_NUMBER = re.compile(
    r"\b(?P<word>[A-Z][a-z]+)(?P<gap>\s)\d{1,4}\b"
    r"(?![.,:/]\d|[\s-]?(?:%|[-–]\s?\d|per ?cent\b|(?i:(?:business |working |calendar |full )?"
    r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|yrs?|kgs?|kilo\w*|"
    r"g|grams?|lbs?|pounds?|km|cm|mm|m|metres?|meters?|inch\w*|l|ml|litres?|liters?|"
    r"dollars?|euros?|cents?|c)\b)))"
)


def _is_inside(sentence: str, start: int) -> bool:
    """``start`` follows a word of the same sentence (not its first word, a list marker or a
    clause that ends at a colon)."""
    before = sentence[:start].rstrip()
    return bool(before) and before[-1] not in ".!?:;-*•(\"'|"


def named_number_words(sentences: Iterable[str]) -> frozenset[str]:
    """The capitalised words a text's ``sentences`` (:func:`split_sentences`) use as names with
    a number inside a sentence ("deliver Tracked 24 or large parcels": Tracked): the same word
    then a number opening a sentence ("Tracked 48 parcels are fine") is that name too, not a
    count."""
    return frozenset(
        m["word"]
        for sentence in sentences
        if _DIGIT.search(sentence) is not None
        for m in _NAMED_NUMBER.finditer(sentence)
        if _is_inside(sentence, m.start())
    )


def mask_non_facts(sentence: str, names: frozenset[str] = frozenset()) -> str:
    """The sentence with every number that is not a fact (dates, phones, names such as
    "Tracked 24", ...) blanked out. ``names``: the words its text uses as names with a number
    (:func:`named_number_words`), read as names at the start of a sentence too."""
    if _DIGIT.search(sentence) is None:
        return sentence  # every non-fact pattern needs a digit
    dated = _NON_FACTS.sub(lambda m: " " * len(m.group(0)), sentence)
    masked = _NAMED_NUMBER.sub(
        lambda m: (
            m.group(0)
            if m["word"] not in names and not _is_inside(dated, m.start())
            else m["word"] + m["gap"] + " " * (m.end() - m.start("gap") - 1)
        ),
        dated,
    )
    prefix = _CLAUSE_PREFIX.match(masked)
    if prefix:
        masked = " " * prefix.end() + masked[prefix.end() :]
    return masked


def parse_number(text: str) -> float | None:
    """``"1,250.50"`` -> 1250.5; ``"twenty-one"`` -> 21; ``"two hundred and fifty"`` -> 250;
    ``"a"``/``"an"`` -> 1."""
    value = text.strip().lower().replace(",", "")
    if not value:
        return None
    if value[0].isdigit():
        try:
            return float(value)
        except ValueError:
            return None
    if value in ("a", "an"):
        return 1.0
    total = current = 0
    for part in re.split(r"[\s-]+", value):
        if part in TENS:
            current += TENS[part]
        elif part in UNITS:
            current += UNITS[part]
        elif part == "hundred":
            current = (current or 1) * 100
        elif part == "thousand":
            total, current = total + (current or 1) * 1000, 0
        elif part not in ("a", "and"):
            return None
    return float(total + current)


# Irregular forms the stemmer leaves apart from their verb ("driven" and "drive") or noun
# ("children" and "child"; "kids" are children too, as customer copy says).
_IRREGULAR = {
    "driven": "drive", "drove": "drive", "paid": "pay", "given": "give", "gave": "give",
    "taken": "take", "took": "take", "written": "write", "wrote": "write", "sent": "send",
    "kept": "keep", "sold": "sell", "bought": "buy", "held": "hold", "lost": "lose",
    "chosen": "choose", "chose": "choose", "made": "make",
    "children": "child", "kid": "child", "kids": "child", "people": "person",
    "women": "woman", "men": "man",
}  # fmt: skip


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(_IRREGULAR.get(word, word)))


_BUSINESS_TIME = re.compile(r"business[\s-]+(?:days?|hours?)\b")
# "check-in" and "check out" are one word each: their particle tells them apart, and "in" and
# "out" are stop words.
_CHECK_IN_OUT = re.compile(r"\bcheck[\s-](in|out)\b")


@lru_cache(maxsize=65536)
def words_with_positions(
    text: str, *, any_script: bool = False
) -> tuple[tuple[str, int, int], ...]:
    """Lower-case words of ``text`` with their character spans (cached by text: a sentence
    is read for its facts, its stated terms and the subject of the next one).

    ``business day(s)``/``business hours`` become one word, so that they never read as the
    business customer segment. ``any_script``: words in letters of any script ("Whānau",
    "café"), else of a to z only (other letters end a word).
    """
    lowered = text.lower()
    if "check" in lowered:
        lowered = _CHECK_IN_OUT.sub(lambda m: "check" + m[1] + " ", lowered)
    if "business" in lowered:
        lowered = _BUSINESS_TIME.sub(
            lambda m: "businesstime" + " " * (len(m.group(0)) - 12), lowered
        )
    word, prefixed = (_ANY_WORD, _ANY_PREFIXED_WORD) if any_script else (_WORD, _PREFIXED_WORD)
    if "-" not in lowered:  # most sentences: the plain pattern, about twice as fast
        return tuple([(m.group(0).strip("'"), m.start(), m.end()) for m in word.finditer(lowered)])
    return tuple(
        [
            (m.group(0).strip("'").replace("-", ""), m.start(), m.end())
            for m in prefixed.finditer(lowered)
        ]
    )


def is_content_word(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS and word not in GENERIC


@lru_cache(maxsize=65536)
def content_terms(text: str) -> tuple[str, ...]:
    """Stems of the content words of ``text``, in order (cached by text: an article's words
    are compared with each of its candidate pairs)."""
    return tuple(stem(w) for w, _, _ in words_with_positions(text) if is_content_word(w))


@lru_cache(maxsize=65536)
def name_terms(text: str) -> tuple[str, ...]:
    """:func:`content_terms` in letters of any script, accents folded (:func:`fold`): the
    words that may name a place or a service ("the Whānau Room", "Whāriki Café"), which a to
    z alone would split into pieces ("wh", "nau") another name may share, and which are one
    name however they are accented ("Whānau" and "Whanau", "Café" and "Cafe")."""
    if not text.isascii():
        text = fold(text)
    if text.isascii():
        return content_terms(text)
    words = words_with_positions(text, any_script=True)
    return tuple(stem(w) for w, _, _ in words if is_content_word(w))


def fold(text: str) -> str:
    """``text`` casefolded, its accents dropped (Unicode NFKD without combining marks):
    "Whānau" is "whanau", "Café" "cafe"; a letter with no accent to drop stays ("ø")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
