"""Lines read as sentences on the voice channel (and in a search result's snippet): a line
that is plainly unfinished, a preposition before the number in the next line, runs on into it
rather than ending with a full stop."""

from __future__ import annotations

import pytest

from knowledge_service.answers.render import render_answer
from knowledge_service.content.plaintext import plain_snippet
from knowledge_service.content.schemas import Channel


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("- Call us on\n- 1800 123 456\n- 13 22 55",
         "Call us on 1 8 0 0, 1 2 3, 4 5 6. 1 3, 2 2, 5 5."),
        ("From overseas, call us at\n\n- +61 2 9876 5432 (Sydney)\n- +44 20 7946 0958 (London)",
         "From overseas, call us at plus 6 1, 2, 9 8 7 6, 5 4 3 2 (Sydney). plus 4 4, 2 0,"
         " 7 9 4 6, 0 9 5 8 (London)."),
        # the words of the line before read the list's numbers: each a number to text
        ("Text STOP to\n\n- 12345 (one network)\n- 67890 (another)",
         "Text STOP to 1 2 3 4 5 (one network). 6 7 8 9 0 (another)."),
        ("Lines are open until\n\n1. 8pm on weekdays\n2. $5 a call after that",
         "Lines are open until 8pm on weekdays. $5 a call after that."),
        # a line that ends in a preposition before words is often whole: a sentence of its own
        ("- Who it was made out to\n- Turn it on\n- restart the app\n\nWhat we look at\n\nWe"
         " check the roof.",
         "Who it was made out to. Turn it on. restart the app. What we look at. We check the"
         " roof."),
        # a heading never runs on
        ("## Call us on\n\n1800 123 456", "Call us on. 1 8 0 0, 1 2 3, 4 5 6."),
    ],
)  # fmt: skip
def test_voice_runs_a_line_ending_in_a_preposition_on_into_the_number_after_it(
    markdown: str, spoken: str
) -> None:
    """ "Call us on" above "1800 123 456" in a list was read "Call us on. 1 8 0 0, ...": only a
    comma, a semicolon, a colon or a joining word ran a line on into the next."""
    assert render_answer(markdown, Channel.VOICE) == spoken


def test_a_snippet_runs_a_line_ending_in_a_preposition_on_into_the_number_after_it() -> None:
    assert plain_snippet("- Call us on\n- 1800 123 456\n- Who it was made out to", 320) == (
        "Call us on 1800 123 456. Who it was made out to."
    )


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        # said as within one line ("Email us at help@x.example" says "Email us")
        ("Email us at:\n\n- help@x.example\n\nWe reply within 2 business days.",
         "Email us. We reply within 2 business days."),
        ("For a copy, email us at\n\n- [help@x.example](mailto:help@x.example)",
         "For a copy, email us."),
        ("Email us at\n\n<help@x.example>\n\nor call 1800 123 456.",
         "Email us. or call 1 8 0 0, 1 2 3, 4 5 6."),
        # a web address so: "online"
        ("Pay your bill at:\n\n- https://x.example/pay", "Pay your bill online."),
        # a heading takes none, and a line with other words is read as before
        ("## Email us at\n\nhelp@x.example", "Email us at."),
        ("To pay, log in\n\n- https://x.example/login", "To pay, log in."),
        ("Email us at:\n\n- help@x.example (billing)",
         "Email us at: the email address (billing)."),
    ],
)  # fmt: skip
def test_voice_says_an_address_on_a_line_of_its_own_as_the_object_of_the_line_before(
    markdown: str, spoken: str
) -> None:
    """ "Email us at" above a list item that is only an e-mail address was read "Email us at.":
    the address's line, said as nothing, was dropped and its preposition left hanging, where
    within one line the address is left out with it ("Email us")."""
    assert render_answer(markdown, Channel.VOICE) == spoken
