"""Redaction: every rule applied in its order, each value replaced by its placeholder."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from knowledge_service.privacy.addresses import (
    _ADDRESS_LEAD_IN,
    _ADDRESS_START,
    _CLAUSE_END,
    _PO_BOX,
    _STREET,
    _STREET_TYPES,
    _told_locality_end,
)
from knowledge_service.privacy.emails import (
    _EMAIL,
    _EMAIL_CUE_WORDS,
    _PERCENT_EMAIL,
    _PROVIDER_EMAIL,
    _SAID_EMAIL,
    _SPELLED_MAILBOX,
    _email,
)
from knowledge_service.privacy.groups import (
    _CARD_IN_GROUPS,
    _CARD_IN_PERCENT_GROUPS,
    _COUNTRY_CODE,
    _DIGITS,
    _ENCODED_NUMBER,
    _NUMBER_IN_GROUPS,
    _WITH_LETTERS_FOR_DIGITS,
    _led_by_code,
    _letters_as_digits,
    _number_lead,
    _percent_decoded,
)
from knowledge_service.privacy.identifiers import (
    _IBAN,
    _NINO,
    _NINO_ANY_CASE,
    _UK_POSTCODE,
    _UK_POSTCODE_ANY_CASE,
    _iban_end,
)
from knowledge_service.privacy.names import (
    _AFTER_SIGN_OFF,
    _GREETING_LEAD_IN,
    _HOLDER_LEAD_IN,
    _INTRODUCTION,
    _MAY_HOLD_WORDS,
    _NAME_HERE,
    _NAME_LEAD_IN,
    _NOT_A_NAME_AFTER_IM,
    _OPENING,
    _SIGN_OFF,
    _STOP_WORDS,
    _THIS_IS,
    _TITLE_BEFORE_NAME,
    _UNITS,
    _lower_case_names,
    _name_end,
    _names_a_business,
    _staff_names,
)
from knowledge_service.privacy.numbers import (
    _EXTENSION,
    _LIST_SLASH,
    _SPOKEN_DIGITS,
    _slash_listed,
    classify_number,
    spoken_digits,
)
from knowledge_service.privacy.passwords import _API_KEY, _SECRET, _secret, _secret_before
from knowledge_service.privacy.text import Placeholder, Span, fold
from knowledge_service.privacy.told import (
    MIN_SPOKEN_NUMBER,
    _counting,
    _numbers_told,
    _spoken_number,
)


def _places_and_names(text: str) -> list[Span]:
    """Where ``text`` holds a street address or a person's name, as (start, end, placeholder).
    Runs after the number rules, so a house number is never the tail of a phone number."""
    spans: list[Span] = []
    for match in _ADDRESS_LEAD_IN.finditer(text):
        start, value = match.start("value"), match.group("value")
        street = _STREET.match(value)
        if street:
            end = _told_locality_end(text, start + street.end())
        elif not _ADDRESS_START.match(value):  # "I'm at 100 percent", "I live at 2 addresses"
            continue
        else:
            cut = _CLAUSE_END.search(value)
            end = start + len((value[: cut.start()] if cut else value).rstrip(" ,"))
        spans.append((start, end, Placeholder.ADDRESS))
    for match in _STREET.finditer(text):
        words = match.group("words").split()
        if any(w.lower() in _STOP_WORDS or (w.islower() and w in _UNITS) for w in words):
            continue
        if match.group("type").lower() not in _STREET_TYPES and not all(
            w[0].isupper() for w in [*words, match.group("type")]
        ):
            continue
        spans.append((match.start(), match.end(), Placeholder.ADDRESS))
    for match in _PO_BOX.finditer(text):
        spans.append((match.start(), match.end(), Placeholder.ADDRESS))
    for lead_in, capitalised in (
        (_NAME_LEAD_IN, False),
        (_HOLDER_LEAD_IN, True),
        (_GREETING_LEAD_IN, True),
        (_THIS_IS, True),
        (_INTRODUCTION, True),
        (_NAME_HERE, True),
    ):
        for match in lead_in.finditer(text):
            start = match.end()
            wrapped = _OPENING.match(text, start)  # "my name is *Jane Smith*"
            if wrapped:
                start = wrapped.end()
            title = _TITLE_BEFORE_NAME.match(text, start)  # "my landlord Mr. Alfred ...": kept
            if title:
                start = title.end()
            elif capitalised and _NOT_A_NAME_AFTER_IM.match(text, start):
                continue  # "Hi, I'm Moving House next month"
            end = _name_end(text, start, capitalised)
            if capitalised and not title and _names_a_business(text[start:end]):
                continue  # "this is Origin Energy"
            if end > start:
                spans.append((start, end, Placeholder.NAME))
    spans += [(start, end, Placeholder.NAME) for start, end in _lower_case_names(text)]
    spans += _staff_names(text)
    for match in _SIGN_OFF.finditer(text):
        wrapped = _OPENING.match(text, match.end())  # "Kind regards, (Jane Smith)"
        start = wrapped.end() if wrapped else match.end()
        end = _name_end(text, start, capitalised=True)
        if _names_a_business(text[start:end]):
            continue  # "Kind regards, Origin Energy"
        if end > start and _AFTER_SIGN_OFF.match(text, end):
            spans.append((start, end, Placeholder.NAME))
    return spans


def _redact_spans(text: str, spans: list[Span], counts: Counter[Placeholder]) -> str:
    """``text`` with each span replaced by its placeholder (overlapping spans merged)."""
    if not spans:
        return text
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[Span] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            if span[1] > kept[-1][1]:
                kept[-1] = (kept[-1][0], span[1], kept[-1][2])
            continue
        kept.append(span)
    out, pos = [], 0
    for start, end, kind in kept:
        out += [text[pos:start], str(kind)]
        counts[kind] += 1
        pos = end
    out.append(text[pos:])
    return "".join(out)


@dataclass
class Redacted:
    """Redacted text and what was replaced, by placeholder."""

    text: str
    counts: Counter[Placeholder] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


_RECEIPT = re.compile(r"(?<![A-Za-z0-9_])(rcpt_[0-9a-f]{32})(?![A-Za-z0-9_])")
"""The service's own receipts (``answers.receipts``): random hex, never personal data, though
one that starts with eight digits reads as a phone number. Kept, so a log line stays traceable."""


def redact_text(text: str) -> Redacted:
    """Replace personal data in ``text`` with typed placeholders, counting each kind; the
    service's own receipts are kept as they are. Separators and symbols in other characters
    are read (and kept) in their ASCII forms (:func:`fold`)."""
    return _redact_folded(fold(text))


def _redact_folded(text: str) -> Redacted:
    """:func:`redact_text` of a text already folded."""
    if "rcpt_" not in text:
        return _redact_text(text)
    parts = _RECEIPT.split(text)  # text, receipt, text, ...: only the text is redacted
    counts: Counter[Placeholder] = Counter()
    for i in range(0, len(parts), 2):
        done = _redact_text(parts[i])
        parts[i] = done.text
        counts.update(done.counts)
    return Redacted("".join(parts), counts)


# A number typed against a word, with no space between ("card4111111111111111", "ph0412345678",
# "card4111 1111 1111 1111" was stored "card4111 [NUMBER]", "no.4111%1111%1111%1111abc", "call
# 0412345678pls"): the digit rules read a run only where no letter touches it, so that a code's
# digits ("SCHOOLS2024", "mp3", "GB82WEST1234...") stay its own. Where a word of letters and a run
# with eight digits or more within its reach touch, the run is read alone, as if a space stood
# between: when it is read so as a card, a phone, a tax file, Medicare or social security number
# (or any number, if eight digits or more touch the word: "acct12345678"), and the rules leave
# its digits beside the word, a mark is set between the two for the rules to read, and taken out
# after ("card[CARD]", "[PHONE]pls"). A code whose digits are a date or a year before a date
# ("INV20260115", "PROMOS2025 2025-01-01") is no such number and stays.
_GLUED_MARK = "\ue000"  # a private-use character: neither a letter, a digit nor a space
# a word of two letters or more, or of one not inside a code's dashed or dotted groups
# ("x4111%201111...", but not the "a" of a UUID's "...-a716-446655440000")
_WORD_BEFORE_DIGITS = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{2,}+|(?<![\-_.])[A-Za-z])(?=\d)")
_NO_LETTERS = re.compile(r"[^A-Za-z]*+")
_WORD_AFTER_DIGITS = re.compile(r"(?<=\d)[A-Za-z]++")
_GLUED_REACH = 64  # characters read beside the word: a number written in any way is shorter
_NUMBER = str(Placeholder.NUMBER)


def _glued_number(read: str, touching: str) -> bool:
    """Whether ``read``, the run read alone (its placeholder at the end touching the word), is
    a value that goes: any but a number of no known kind, or that too when ``touching`` (the
    digits that touch the word) has eight digits or more."""
    return read.endswith("]") and (not read.endswith(_NUMBER) or len(touching) >= 8)


def _left_beside(text: str, start: int, end: int) -> bool:
    """Whether the word and the digits touching it, ``text[start:end]``, are left as they are
    when the text around them, within :data:`_GLUED_REACH`, is read as it is."""
    around = text[max(0, start - _GLUED_REACH) : end + _GLUED_REACH]
    return text[start:end] in _redact_text(around, glued_read=True).text


def _marked_glued_numbers(text: str) -> str:
    """``text`` with :data:`_GLUED_MARK` between a word and a number it touches that goes
    when read alone and stays beside the word (see above). What is read is the text with no
    letter on the number's side of the word, up to :data:`_GLUED_REACH` characters."""
    marks = []
    for word in _WORD_BEFORE_DIGITS.finditer(text):
        at = word.end()
        run = _NO_LETTERS.match(text, at, at + _GLUED_REACH)
        assert run is not None  # it matches the empty text too
        if sum(c.isdigit() for c in run.group(0)) < 8:
            continue
        touching = re.match(r"\d+", run.group(0))
        assert touching is not None  # the word is followed by a digit
        if not _left_beside(text, word.start(), at + len(touching.group(0))):
            continue  # read already, with its word ("no4111111111111111" is an IBAN's shape)
        first = re.match(r"\[[A-Z_]+\]", _redact_text(run.group(0), glued_read=True).text)
        if first and _glued_number(first.group(0), touching.group(0)):
            marks.append(at)
    for word in _WORD_AFTER_DIGITS.finditer(text):
        at = word.start()
        run = _NO_LETTERS.match(text[max(0, at - _GLUED_REACH) : at][::-1])
        assert run is not None  # it matches the empty text too
        before = run.group(0)[::-1]
        if sum(c.isdigit() for c in before) < 8:
            continue
        touching = re.search(r"\d+$", before)
        assert touching is not None  # the word follows a digit
        if not _left_beside(text, at - len(touching.group(0)), word.end()):
            continue  # read already: "412 345 678A", "[CARD]abc"
        if _glued_number(_redact_text(before, glued_read=True).text, touching.group(0)):
            marks.append(at)
    if not marks:
        return text
    parts, pos = [], 0
    for at in sorted(set(marks)):
        parts += [text[pos:at], _GLUED_MARK]
        pos = at
    parts.append(text[pos:])
    return "".join(parts)


def _card_long(text: str) -> bool:
    """Whether ``text`` holds as many digits as a card number: 13 to 19."""
    return 13 <= sum(c.isdigit() for c in text) <= 19


def _redact_text(text: str, *, percent_read: bool = False, glued_read: bool = False) -> Redacted:
    """:func:`_redact_folded` of a text without receipts; ``percent_read`` when it is a run of
    digit groups a "%" splits, read alone (:data:`_CARD_IN_PERCENT_GROUPS`), ``glued_read`` when
    it is a number and the word it touches, read alone (:func:`_marked_glued_numbers`)."""
    counts: Counter[Placeholder] = Counter()

    def sub(kind: Placeholder) -> str:
        counts[kind] += 1
        return str(kind)

    out = _API_KEY.sub(lambda m: sub(Placeholder.KEY), text)
    out = _SECRET.sub(
        lambda m: (
            m.group(0)[: m.start("value") - m.start()] + sub(Placeholder.SECRET)
            if _secret(m)
            else m.group(0)
        ),
        out,
    )
    out = _EMAIL.sub(lambda m: _email(m, sub(Placeholder.EMAIL)), out)
    out = _PROVIDER_EMAIL.sub(lambda m: _email(m, sub(Placeholder.EMAIL)), out)
    if "%" in out:
        out = _PERCENT_EMAIL.sub(lambda m: sub(Placeholder.EMAIL), out)
    marked = not (percent_read or glued_read) and _GLUED_MARK not in out
    if marked:
        out = _marked_glued_numbers(out)

    def in_groups(match: re.Match[str], *, cards_only: bool) -> str:
        lead = match.group("lead") or ""
        written = _percent_decoded(match.group("card").replace(match.group("sep"), " "))
        written += re.sub(r"\D+", " ", _percent_decoded(match.group("tail")))
        if _number_lead(lead):
            written, lead = _percent_decoded(lead) + written, ""
        digits = re.sub(r"\D", "", written)
        typed = "%" not in match.group("sep")  # a symbol as typed, not a separator encoded
        led = written.startswith(("+", "0")) or _led_by_code(match, digits)
        summed = _percent_decoded(match.group("sep")).strip() == "+"
        code = match.group("code") or ""
        # a country code joined by "+" is no part of the card's digits when "+" joins its
        # groups too: "363+5624+4722+233" is a sum, "44+4111+1111+1111+1111" a card
        card = digits[sum(c.isdigit() for c in code) :] if summed else digits
        groups = [len(g) for g in re.findall(r"\d+", written)][1 if summed and code else 0 :]
        fours = all(g == 4 for g in groups)  # a card's groups
        if summed and code and not fours:
            card = ""  # "399+3352+8302+491+7859": a sum, no code and card
        if 13 <= len(card) <= 19 and (cards_only or led or not typed):
            return lead + sub(Placeholder.CARD)
        kind = None if cards_only else classify_number(written)
        # Numbers a typed symbol joins in other groups than a card's are a sum or a list
        # ("923 + 938 + 737 + 1108", "plans 500|1000|2000", "601 ~ 842 ~ 5355" were stored
        # [CARD] or [PHONE]) unless led as a phone number is ("0412|345|678", "+61|412|345|678",
        # "1+800+555+1234") or a tax file or Medicare number by its checksum.
        if summed and not led:
            return match.group(0)  # a sum, typed or encoded ("100%2B200%2B3000")
        if typed and not (led or fours) and kind not in (Placeholder.TFN, Placeholder.MEDICARE):
            return match.group(0)
        if kind is None or (kind is Placeholder.NUMBER and len(digits) < 13):
            return match.group(0)  # a list of years, of counts: no identifier
        return lead + sub(kind)

    def percent_groups(match: re.Match[str]) -> str:
        # Read alone as the rules below read it, each "%" an encoding, the run goes whole
        # ("0001%200001%090001": [NUMBER]) and is left to them, read where it stands; or some
        # of its digits are left ("9525%25[PHONE]"), its "%" is a typed symbol and it is a card.
        run = match.group(0)
        if not _card_long(match.group("run")):
            return run
        alone = _redact_text(run, percent_read=True)
        return sub(Placeholder.CARD) if any(c.isdigit() for c in alone.text) else run

    if "%" in out and not percent_read:
        out = _CARD_IN_PERCENT_GROUPS.sub(percent_groups, out)
    out = _CARD_IN_GROUPS.sub(lambda m: in_groups(m, cards_only=True), out)

    def encoded_number(match: re.Match[str]) -> str:
        number, lead = match.group("number"), match.group("lead") or ""
        if "%" not in number + lead:  # typed as it is: the digit rules read it
            return match.group(0)
        if _number_lead(lead):
            number, lead = lead + number, ""
        before = _percent_decoded(match.string[max(0, match.start() - 40) : match.start()])
        written = _percent_decoded(number)
        # a phone's words before it make it a phone number; a currency sign keeps nothing
        # this rule took before it read them
        kind = classify_number(written, before + _percent_decoded(lead)) or classify_number(written)
        return match.group(0) if kind is None else lead + sub(kind)

    # before the symbols' rule for other numbers: "%2802%29%20..." starts with an encoded
    # bracket, whose "28" that rule would read as digits
    if "%" in out:
        out = _ENCODED_NUMBER.sub(encoded_number, out)
    out = _NUMBER_IN_GROUPS.sub(lambda m: in_groups(m, cards_only=False), out)
    if "%" in out:  # a run these rules kept whole: its groups are a card's
        out = _CARD_IN_PERCENT_GROUPS.sub(
            lambda m: sub(Placeholder.CARD) if _card_long(m["run"]) else m[0],
            out,
        )
    for nino in (_NINO, _NINO_ANY_CASE):
        out = nino.sub(lambda m: sub(Placeholder.NINO), out)
    for postcode in (_UK_POSTCODE, _UK_POSTCODE_ANY_CASE):
        out = postcode.sub(lambda m: sub(Placeholder.ADDRESS), out)
    out = _SAID_EMAIL.sub(lambda m: sub(Placeholder.EMAIL), out)
    if "[EMAIL]" in out:  # the rest of a mailbox read out with spaces goes with its address
        out = _SPELLED_MAILBOX.sub("", _EMAIL_CUE_WORDS.sub(lambda m: m.group("cue"), out))

    def spoken(match: re.Match[str]) -> str:
        value = match.group(0)
        digits = spoken_digits(value)
        kind = classify_number(digits)
        if kind is None and _secret_before(match.string, match.start()):
            kind = Placeholder.SECRET  # "my pin is four three two one"
        elif kind is None and len(digits) >= MIN_SPOKEN_NUMBER and not _counting(digits):
            kind = _spoken_number(match.string[max(0, match.start() - 40) : match.start()], digits)
        return value if kind is None else sub(kind)

    out = _SPOKEN_DIGITS.sub(spoken, out)
    told = _MAY_HOLD_WORDS.search(out) is not None
    if told:
        out = _redact_spans(out, _numbers_told(out), counts)

    def iban(match: re.Match[str]) -> str:
        value = match.group(0)
        end = _iban_end(value)
        return value if end == 0 else sub(Placeholder.IBAN) + value[end:]

    out = _IBAN.sub(iban, out)

    def with_letters(match: re.Match[str]) -> str:
        value = match.group(0)
        read = _letters_as_digits(value)
        if read is None:
            return value
        before = match.string[max(0, match.start() - 40) : match.start()]
        kind = classify_number(read, before, match.string[match.end() : match.end() + 40])
        if kind not in (Placeholder.PHONE, Placeholder.CARD):
            return value  # "part 1O0-2345-678": no phone's shape, a code
        # a bracket opened before the number and not closed in it is the text's
        return ("(" if value.startswith("(") and ")" not in value else "") + sub(kind)

    out = _WITH_LETTERS_FOR_DIGITS.sub(with_letters, out)

    def number_or_x(match: re.Match[str]) -> str:
        x = match.group("x") or ""
        kept = match.group(0)[len(x) :]
        read = ("0" if x in ("o", "O") else "") + kept  # an "O" for a zero: "O412 345 678"
        done = number(match, read)
        return x + kept if done == read else done  # an "x" before it goes with what goes

    phone_end = -1  # where the last phone number this rule took ends

    def number(match: re.Match[str], value: str) -> str:
        nonlocal phone_end
        done = numbered(match, value)
        # the last phone number's end: "[PHONE] / [PHONE]" when a slash listed two
        if done.startswith(str(Placeholder.PHONE)):
            last = done.rindex(str(Placeholder.PHONE)) + len(str(Placeholder.PHONE))
            phone_end = match.end() - len(done) + last
        return done

    def numbered(match: re.Match[str], value: str) -> str:
        before = match.string[max(0, match.start() - 40) : match.start()]
        if phone_end >= 0 and match.start() - phone_end <= 40:  # it is "[PHONE]" by now
            before = str(Placeholder.PHONE) + match.string[phone_end : match.start()]
        after = match.string[match.end() : match.end() + 40]
        if match.group("letter"):
            kind = classify_number(value[:-1], before)
            return value if kind is None else sub(kind)
        stripped = value.rstrip("-./(_, ")
        kind = classify_number(stripped, before, value[len(stripped) :] + after)
        code = _COUNTRY_CODE.match(value)
        if kind is None and code:  # "$883+9650 3908": the amount stays, the number after it goes
            lead, value = value[: code.end()], value[code.end() :]
            stripped = value.rstrip("-./(_, ")
            kind = classify_number(stripped, before + lead)
            return lead + (value if kind is None else sub(kind) + value[len(stripped) :])
        if kind is None:
            return value
        # numbers a slash lists go one by one, as each would alone: "0412 345 678 / 412,345,679"
        listed = None
        if kind in (Placeholder.CARD, Placeholder.NUMBER):
            listed = _slash_listed(stripped, before, value[len(stripped) :] + after)
        first = _LIST_SLASH.split(stripped, 1)[0] if listed else stripped
        # a bracket opened before the number and not closed in it is the text's: "(0412 ...,"
        opened = "(" if first.startswith("(") and ")" not in first else ""
        shown = "".join(sub(p) if isinstance(p, Placeholder) else p for p in listed or [kind])
        return opened + shown + value[len(stripped) :]

    out = _EXTENSION.sub(str(Placeholder.PHONE), _DIGITS.sub(number_or_x, out))
    if told:
        out = _redact_spans(out, _places_and_names(out), counts)
    if marked:
        out = out.replace(_GLUED_MARK, "")
    return Redacted(out, counts)


def redact(text: str) -> str:
    """``text`` with personal data replaced by typed placeholders."""
    return redact_text(text).text
