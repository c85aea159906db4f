"""Addresses on the voice channel, said in words: after a verb's particle ("log on"), under a
label that already says "online", after a verb whose object is whom it addresses ("contact");
a table's cell with nothing to say in it but a dash, "n/a" and a postal address's ZIP code."""

from __future__ import annotations

import pytest

from knowledge_service.answers.render import render_answer
from knowledge_service.content.schemas import Channel


def _spoken(markdown: str) -> str:
    return render_answer(markdown, Channel.VOICE)


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Log on at https://x.example/login.", "Log on to the website."),
        ("Log on https://x.example/login to pay; sign on at x.example.gov.au.",
         "Log on to the website to pay; sign on to the website."),
        ("Sign in at https://x.example, or log on at https://y.example.",
         "Sign in online, or log on to the website."),
        # the other particles, and "to", as before
        ("Log in at https://x.example, check in at https://x.example/checkin.",
         "Log in online, check in online."),
        ("Log on to https://x.example/login to pay.", "Log on to the website to pay."),
        ("Sign up at <help@x.example>.", "Sign up."),
    ],
)  # fmt: skip
def test_voice_says_log_on_to_the_website_not_log_on_online(markdown: str, spoken: str) -> None:
    """ "Log on at https://x.example" said "Log on online": the address after a preposition is
    "online", and the particle "on" of "log on" stayed before it."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("- **Online:** sign in at brightline.example and go to **My Usage**.",
         "Online: sign in and go to My Usage."),
        ('- **Online:** use the "Contest" button at parking.harborfalls.example/pay. You can'
         " upload photos.",
         'Online: use the "Contest" button. You can upload photos.'),
        ("Online banking: log in at https://x.example and choose Transfers.",
         "Online banking: log in and choose Transfers."),
        ("You can pay online or at https://x.example/pay; renew online, or via x.example.",
         "You can pay online; renew online."),
        # an "online" of a clause of its own, or of another sentence, or an object: as before
        ("Book online or pay at https://x.example/pay.", "Book online or pay online."),
        ("Online: see the form. Then pay at https://x.example/pay.",
         "Online: see the form. Then pay online."),
        ("Online: visit https://x.example.", "Online: visit the website."),
    ],
)  # fmt: skip
def test_voice_says_a_web_address_under_an_online_label_without_online_again(
    markdown: str, spoken: str
) -> None:
    """ "Online: sign in at brightline.example" said "Online: sign in online", and "pay online
    or at https://x.example" "pay online or online": the address was "online" after its
    preposition whatever the sentence had said already."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Still nothing after 10 minutes? Contact support@ledgerly.example.",
         "Still nothing after 10 minutes? Contact us by email."),
        ("Ask sales@ledgerly.example for a guided demo instead.",
         "Ask us by email for a guided demo instead."),
        ("Also tell [the practice team](mailto:team@x.example) today; told <a@x.example>?"
         " Message b@x.example with your name, or notify c@x.example.",
         "Also tell the practice team today; told us by email? Message us by email with your"
         " name, or notify us by email."),
        # an address to email or write to, one we address, one after a preposition: as before
        ("Email help@x.example, write to us at help@x.example; we'll contact help@x.example.",
         "Email the email address, write to us; we'll contact the email address."),
        ("Contact us at help@x.example or ask at https://x.example.", "Contact us or ask online."),
    ],
)  # fmt: skip
def test_voice_says_an_email_address_someone_is_asked_or_told_as_us_by_email(
    markdown: str, spoken: str
) -> None:
    """ "Contact support@ledgerly.example" said "Contact the email address", and "Ask
    sales@ledgerly.example for a guided demo" "Ask the email address for a guided demo": one
    asks or contacts people, not an address."""
    assert _spoken(markdown) == spoken


def test_voice_leaves_out_a_table_s_cell_that_holds_only_a_dash() -> None:
    """ "| Credit card | No | – |" under "Method", "Available?" and "Time to clear" said
    "Method: Credit card, Available?: No, Time to clear: –.", a row ending on its header or a
    "dash"; an empty cell was left out already. Chat shows the dash as written."""
    markdown = (
        "| Method | Available? | Time to clear |\n|---|---|---|\n"
        "| Credit card | No | – |\n| – | Yes | 1 day |\n| Cheque | - | — |\n| – | – | — |\n"
        "| Card |  | 2 days |\n| Pay 3–5 | -5 | 2 - 3 days |\n"
    )
    assert _spoken(markdown) == (
        "Method: Credit card, Available?: No. Available?: Yes, Time to clear: 1 day. Method:"
        " Cheque. Method: Card, Time to clear: 2 days. Method: Pay 3 to 5, Available?: -5, Time"
        " to clear: 2 to 3 days."
    )
    assert render_answer(markdown, Channel.CHAT).splitlines()[0] == (
        "Method: Credit card, Available?: No, Time to clear: –"
    )


def test_voice_reads_n_a_as_not_applicable() -> None:
    """ "Saver: n/a" (freshness_kb_airline's table of bags) was left for a speech engine to read
    "N slash A" or "N A"."""
    markdown = (
        "| Fare | Saver | Flex |\n|---|---|---|\n| Weight per bag | n/a | 23kg |\n\n"
        "Fees: N/A. See a/n/a/b, N/As or `n/a`."
    )
    assert _spoken(markdown) == (
        "Fare: Weight per bag, Saver: not applicable, Flex: 23kg. Fees: not applicable. See"
        " a/n/a/b, N/As or n/a."
    )


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Post it to Pawprint Claims, PO Box 4410, Columbus, OH 43216.",
         "Post it to Pawprint Claims, PO Box 4410, Columbus, OH 4 3 2 1 6."),
        ("Write to us at 100 Main St, Austin, TX 78701-1234, USA.",
         "Write to us at 100 Main St, Austin, TX 7 8 7 0 1, 1 2 3 4, USA."),
        # no US state's capitals before it: as written
        ("In 2026, NZ 12345 visitors came.", "In 2026, NZ 12345 visitors came."),
    ],
)  # fmt: skip
def test_voice_reads_a_zip_code_digit_by_digit(markdown: str, spoken: str) -> None:
    """ "Columbus, OH 43216" (freshness_kb_petins) was read "forty-three thousand two hundred
    and sixteen", and "TX 78701-1234" as a range, "78701 to 1234"."""
    assert _spoken(markdown) == spoken
