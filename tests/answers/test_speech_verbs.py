"""Numbers to text and to call on the voice channel, by the verb before them in any of its
forms ("texting", "replied", "sent", "dialling"), and what the words after such a number say it
is: a number to text, or a count."""

from __future__ import annotations

import pytest

from knowledge_service.answers.render import render_answer
from knowledge_service.content.schemas import Channel


def _spoken(markdown: str) -> str:
    return render_answer(markdown, Channel.VOICE)


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Texting STOP to 12345 stops all messages.",
         "Texting STOP to 1 2 3 4 5 stops all messages."),
        ("Replying YES to 12345 confirms your booking; if you replied STOP to 67890, reply"
         " START to 67890.",
         "Replying YES to 1 2 3 4 5 confirms your booking; if you replied STOP to 6 7 8 9 0,"
         " reply START to 6 7 8 9 0."),
        ("Text or SMS STOP to 12345. Once you've texted HELP to 1999 88, SMSing it again is free.",
         "Text or SMS STOP to 1 2 3 4 5. Once you've texted HELP to 1 9 9 9, 8 8, SMSing it"
         " again is free."),
        ("Try sending YES to 12345, or messaging 'stop' to 67890; we sent `JOIN` to 11111.",
         "Try sending YES to 1 2 3 4 5, or messaging 'stop' to 6 7 8 9 0; we sent JOIN to"
         " 1 1 1 1 1."),
        ("Texts to 12345 cost 25c.", "Texts to 1 2 3 4 5 cost 25c."),
        ("Calling 111 connects you, and so does dialling 611; we rang 112 or dialed 999.",
         "Calling 1 1 1 connects you, and so does dialling 6 1 1; we rang 1 1 2 or dialed"
         " 9 9 9."),
        # what is counted after such a verb's number: as written
        ("We texted 300 students, replied within 2 days to 1500 emails and sent 1500 texts"
         " to 2000 customers; calling 500 customers took 3 days.",
         "We texted 300 students, replied within 2 days to 1500 emails and sent 1500 texts"
         " to 2000 customers; calling 500 customers took 3 days."),
    ],
)  # fmt: skip
def test_voice_reads_a_number_after_any_form_of_a_verb_of_texting_or_calling(
    markdown: str, spoken: str
) -> None:
    """ "Texting STOP to 12345", "Replying YES to 12345", "sending YES to 12345" and "dialling
    611" read the number as a quantity ("twelve thousand three hundred and forty-five"): only
    the verbs' stems ("text", "reply", "send", "dial") were known."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Texting STOP to 12345 blocks all messages; texting MENU to 12345 lists all options.",
         "Texting STOP to 1 2 3 4 5 blocks all messages; texting MENU to 1 2 3 4 5 lists all"
         " options."),
        ("Replying YES to 12345 activates your plan, and SMS BAL to 12345 shows your balance.",
         "Replying YES to 1 2 3 4 5 activates your plan, and SMS BAL to 1 2 3 4 5 shows your"
         " balance."),
        ("Text TOPUP to 12345 tops up your credit; texting WIN to 67890 charges $1.",
         "Text TOPUP to 1 2 3 4 5 tops up your credit; texting WIN to 6 7 8 9 0 charges $1."),
        ("Dialling 611 plays your options; calling 111 gets you the police.",
         "Dialling 6 1 1 plays your options; calling 1 1 1 gets you the police."),
        # a count, followed by other words: as written
        ("We call 500 members a day, text 500 tenants a reminder each month and 300 drivers all"
         " over the state, and sent SMS to 400 patients each night.",
         "We call 500 members a day, text 500 tenants a reminder each month and 300 drivers all"
         " over the state, and sent SMS to 400 patients each night."),
    ],
)  # fmt: skip
def test_voice_reads_a_word_in_s_before_its_object_as_a_verb_not_a_count(
    markdown: str, spoken: str
) -> None:
    """ "Texting STOP to 12345 blocks all messages" read 12345 as a quantity: "blocks" was taken
    for what the number counts, since only a closed list of verbs ("stops", "gets", "confirms",
    ...) was known; a pronoun or an amount after the word ("all", "your", "$1") makes it one."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        # a local number after a verb of calling in a form other than its stem
        ("If you called us on 555-1234, phoning 555-4321 again is free.",
         "If you called us on 5 5 5, 1 2 3 4, phoning 5 5 5, 4 3 2 1 again is free."),
        ("We rang 555 1234 twice. Try reaching us at 555.4321 or texting 555-1234.",
         "We rang 5 5 5, 1 2 3 4 twice. Try reaching us at 5 5 5, 4 3 2 1 or texting"
         " 5 5 5, 1 2 3 4."),
        # a year-like code after a sentence's first verb that asks for it, in any of its forms
        ("Entering policy 2024 on the form starts it. Quoted ticket 2019 when you called?",
         "Entering policy 2 0 2 4 on the form starts it. Quoted ticket 2 0 1 9 when you"
         " called?"),
        ("Submitting claim 2019 takes a day. Resetting account 2019 is free. Keyed code 2024 in?",
         "Submitting claim 2 0 1 9 takes a day. Resetting account 2 0 1 9 is free. Keyed code"
         " 2 0 2 4 in?"),
        # a year that ends a name stays
        ("Under the Fuel policy 2024 you pay less. Fuel policy 2024 applies.",
         "Under the Fuel policy 2024 you pay less. Fuel policy 2024 applies."),
    ],
)  # fmt: skip
def test_voice_reads_a_local_number_or_a_code_after_any_form_of_the_verb_before_it(
    markdown: str, spoken: str
) -> None:
    """ "called us on 555-1234", "phoning 555-4321", "rang 555 1234" and "reaching us at
    555.4321" left the local number as written (a range or a quantity to the engine), and
    "Entering policy 2024", "Submitting claim 2019" read the code as a year: the words that mark
    a local number and the verbs that ask for a code listed only some of each verb's forms."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Forms can be faxed to 555-1234.", "Forms can be faxed to 5 5 5, 1 2 3 4."),
        ("Fax your signed form to 555 1234, or send a fax to 555.4321.",
         "Fax your signed form to 5 5 5, 1 2 3 4, or send a fax to 5 5 5, 4 3 2 1."),
        ("Faxing it to 555-4321 is free.", "Faxing it to 5 5 5, 4 3 2 1 is free."),
        # read so before too
        ("Fax us on 555 1234. Fax: 555-1234.", "Fax us on 5 5 5, 1 2 3 4. Fax: 5 5 5, 1 2 3 4."),
        # a range after "to" that counts something: as written
        ("We faxed forms to 100-2000 customers.", "We faxed forms to 100-2000 customers."),
    ],
)  # fmt: skip
def test_voice_reads_a_local_number_a_fax_is_sent_to_as_a_phone_number(
    markdown: str, spoken: str
) -> None:
    """ "Faxed to 555-1234" left the number as written (a range or a quantity to the engine),
    while "Call 555-1234" and "Fax: 555-1234" were read digit by digit: only "on" or "at"
    after a verb of calling marked a local number, and a fax is sent "to" one."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Telephone 111 now, or telephone us on 000.",
         "Telephone 1 1 1 now, or telephone us on 0 0 0."),
        ("We telephoned 112; telephoning 000 or 112 is free.",
         "We telephoned 1 1 2; telephoning 0 0 0 or 1 1 2 is free."),
        # read so before too: a phone number by its shape, a local one after "telephone"
        ("Telephone 1800 123 456, or telephoning us on 555 1234.",
         "Telephone 1 8 0 0, 1 2 3, 4 5 6, or telephoning us on 5 5 5, 1 2 3 4."),
        # a count: as written
        ("We telephone 500 customers a day.", "We telephone 500 customers a day."),
    ],
)  # fmt: skip
def test_voice_reads_a_short_number_after_telephone_as_one_to_call(
    markdown: str, spoken: str
) -> None:
    """ "Telephone 111" read the number as a quantity ("one hundred and eleven"), while "Phone
    111" and "Call 111" were read digit by digit: "telephone" was no verb of calling a short
    number (its "phone" is inside the word)."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        # people, whatever follows: a count
        ("We text 2000 guests your check-in time the day before.",
         "We text 2000 guests your check-in time the day before."),
        ("We text 500 tenants it is due; staff call 200 patients you referred.",
         "We text 500 tenants it is due; staff call 200 patients you referred."),
        ("We text 400 cyclists your route and call 250 electricians your job details.",
         "We text 400 cyclists your route and call 250 electricians your job details."),
        ("We call 500 staff your roster.", "We call 500 staff your roster."),
        # "all" and a time is no object: a count
        ("We call 300 donors all week and text 500 plumbers all day.",
         "We call 300 donors all week and text 500 plumbers all day."),
        # a verb before its object, as before
        ("Texting BAL to 12345 displays your balance; calling 111 alerts all crews.",
         "Texting BAL to 1 2 3 4 5 displays your balance; calling 1 1 1 alerts all crews."),
        ("Text MENU to 12345 lists all options; text HELP to 12345 assists you.",
         "Text MENU to 1 2 3 4 5 lists all options; text HELP to 1 2 3 4 5 assists you."),
    ],
)  # fmt: skip
def test_voice_reads_people_counted_before_an_object_as_a_count(markdown: str, spoken: str) -> None:
    """ "We text 2000 guests your check-in time" read 2000 digit by digit, as a number to text:
    a word in s before a pronoun was taken for a verb before its object ("blocks your
    number"), though a word for people is no verb, and "all week" is no object."""
    assert _spoken(markdown) == spoken


_TEXTING_VERBS = [
    "Text", "Texting", "Texted", "Txt", "SMS", "SMSing", "Reply", "Replying", "Replied",
    "Send", "Sending", "Sent", "Message", "Messaging", "Msg",
]  # fmt: skip
_KEYWORDS = [
    "ON", "AT", "TO", "OFF", "Y", "UP", "STOP", "'on'", '"ON"', "`ON`", "the word ON",
    "the keyword ON", "the word help", "ON or OFF", "OFF, ON or PAUSE",
]  # fmt: skip


@pytest.mark.parametrize("verb", _TEXTING_VERBS)
@pytest.mark.parametrize("keyword", _KEYWORDS)
def test_voice_reads_the_number_after_any_texting_verb_and_keyword_digit_by_digit(
    verb: str, keyword: str
) -> None:
    """ "Texting ON to 12345" read 12345 as a quantity: "ON" was taken for the number's
    preposition, and "to" was then no number; "Send Y to 12345", "Send UP to 12345", "send the
    word help to 12345" and "send ON or OFF to 12345" too, after "send", "message" or "msg" a
    keyword being a word of two capitals or more, alone or with another right after it. Every
    verb of texting in its forms, before every kind of keyword, reads the number as "Text STOP
    to 12345" does."""
    keyword_said = keyword.strip("`")
    assert _spoken(f"{verb} {keyword} to 12345.") == f"{verb} {keyword_said} to 1 2 3 4 5."


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Text ON to 12345 to opt in, or OFF to 12345 to opt out.",
         "Text ON to 1 2 3 4 5 to opt in, or OFF to 1 2 3 4 5 to opt out."),
        ("Reply Y to 12345 to confirm or N to 12345 to cancel.",
         "Reply Y to 1 2 3 4 5 to confirm or N to 1 2 3 4 5 to cancel."),
        ("TEXT US ON 1999 88, or TEXT STOP TO 12345.",
         "TEXT US ON 1 9 9 9, 8 8, or TEXT STOP TO 1 2 3 4 5."),
        # no keyword, or a count: as written
        ("Send 3 copies to 12345, send the word to 2000 customers, SAVE UP TO 5000; sent I to"
         " 12345 people.",
         "Send 3 copies to 12345, send the word to 2000 customers, SAVE UP TO 5000; sent I to"
         " 12345 people."),
        ("Text me at 9 to 12345 instead. Text on 12 May to 12345 people.",
         "Text me at 9 to 12345 instead. Text on 12 May to 12345 people."),
    ],
)  # fmt: skip
def test_voice_reads_a_keyword_that_is_a_preposition_or_a_letter_as_the_message(
    markdown: str, spoken: str
) -> None:
    """ "Text ON to 12345 to opt in, or OFF to 12345" and "or N to 12345" left their numbers as
    quantities: "ON" was read as a preposition, and a keyword had two letters or more."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        # no word for people the rules know: counted after a verb with a subject before it
        ("We text 2000 campers your check-in time; staff call 300 golfers you nominate.",
         "We text 2000 campers your check-in time; staff call 300 golfers you nominate."),
        ("We'll text 500 jurors it is cancelled; we're texting 300 swimmers it is closed.",
         "We'll text 500 jurors it is cancelled; we're texting 300 swimmers it is closed."),
        ("The league texts 200 clubs your fixtures. Staff phone 400 kayakers all their times.",
         "The league texts 200 clubs your fixtures. Staff phone 400 kayakers all their times."),
        # a verb after "and" in a sentence a pronoun opens shares the pronoun
        ("We text 2000 campers your check-in time and call 300 golfers you nominate.",
         "We text 2000 campers your check-in time and call 300 golfers you nominate."),
        # plurals with no "s", whatever the verb
        ("We text 500 alumni each week, 500 folk each month. Call 300 crew each morning.",
         "We text 500 alumni each week, 500 folk each month. Call 300 crew each morning."),
        # a verb that opens its clause, or after a relative pronoun or a determiner: a verb
        ("Texting PAUSE to 12345 holds your deliveries. Just text MENU to 12345 lists all"
         " options.",
         "Texting PAUSE to 1 2 3 4 5 holds your deliveries. Just text MENU to 1 2 3 4 5 lists"
         " all options."),
        ("Anyone who texts HELP to 12345 receives your balance; an SMS to 67890 shows it too.",
         "Anyone who texts HELP to 1 2 3 4 5 receives your balance; an SMS to 6 7 8 9 0 shows"
         " it too."),
        ("We call 111 twice, you can text STOP to 12345 anytime and we text 12345 as well.",
         "We call 1 1 1 twice, you can text STOP to 1 2 3 4 5 anytime and we text 1 2 3 4 5 as"
         " well."),
    ],
)  # fmt: skip
def test_voice_reads_a_plural_after_the_number_of_a_verb_with_a_subject_as_counted(
    markdown: str, spoken: str
) -> None:
    """ "We text 2000 campers your check-in time" and "we call 300 golfers you nominate" read
    the count digit by digit: a word in s before a pronoun was a verb ("Texting PAUSE to 12345
    holds your deliveries") unless it was one of a list of words for people, and "campers",
    "golfers", "jurors", "clubs" were not in it; "alumni", "folk" and "crew" were no plural. A
    verb with a subject or an auxiliary before it has the number for its object, and the word
    after it is no verb of the sentence."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("You can order 1500 tickets at once, or claim 1500 points each year.",
         "You can order 1500 tickets at once, or claim 1500 points each year."),
        ("To claim 1500 parking credits, please order 1000 windscreen stickers.",
         "To claim 1500 parking credits, please order 1000 windscreen stickers."),
        ("Order 5000 kWh; you can claim 1500 dollars, or claim 1500 per year.",
         "Order 5000 kWh; you can claim 1500 dollars, or claim 1500 per year."),
        # a code, as before: the word a noun, or no plural or unit after the number
        ("Your order 12345 ships today. Ticket 12345 is open; quote claim 2019 when you call.",
         "Your order 1 2 3 4 5 ships today. Ticket 1 2 3 4 5 is open; quote claim 2 0 1 9 when"
         " you call."),
        ("You can order 12345 online or quote invoice 12345678 or 87654321.",
         "You can order 1 2 3 4 5 online or quote invoice 1 2 3 4 5 6 7 8 or 8 7 6 5 4 3 2 1."),
    ],
)  # fmt: skip
def test_voice_reads_a_count_after_a_word_for_a_code_used_as_a_verb_as_a_count(
    markdown: str, spoken: str
) -> None:
    """ "You can order 1500 tickets" and "claim 1500 points" read "1 5 0 0", and "Order 5000
    kWh" "5 0 0 0": "order" and "claim" name a code, and any number of 4 digits after them was
    one, though here they are verbs before a count ("parking credits", "windscreen stickers"
    in no list) or an amount."""
    assert _spoken(markdown) == spoken
