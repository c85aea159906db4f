"""Search snippets are plain text: the Markdown's words, never its markup."""

from __future__ import annotations

from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.ranking import SNIPPET_CHARS
from tests.factories import make_article


def _index() -> HybridIndex:
    late = make_article(
        "late-fee",
        title="Late payment charge",
        answer="If your bill is still unpaid **14 days** after the due date, a _late_ charge "
        "of $12.50 is added.",
        body="## Outages\nCheck our [current outages map](https://x.example/outages) and "
        "<https://x.example/status>.\n\n| Method | Fee |\n|---|---|\n| Card | none |\n",
        questions=["how much is the late payment charge"],
    )
    index = HybridIndex(HashEmbedder())
    index.upsert([(late, 1)])
    return index


def test_a_snippet_of_the_answer_has_no_markup() -> None:
    hit = _index().search("how much is the late payment charge")[0]
    assert hit.snippet == (
        "If your bill is still unpaid 14 days after the due date, a late charge of $12.50 is added."
    )


def test_a_section_snippet_keeps_a_link_s_text_without_its_address() -> None:
    hit = _index().search("current outages map status")[0]
    assert hit.section == "Outages"
    assert hit.snippet == (
        "Check our current outages map and https://x.example/status. Method: Card, Fee: none."
    )


def test_a_long_snippet_is_cut_at_a_word() -> None:
    from knowledge_service.content.plaintext import plain_snippet  # new with plain snippets

    text = plain_snippet("**word** " * 200, SNIPPET_CHARS)
    assert len(text) <= SNIPPET_CHARS and text.endswith("word\u2026") and "*" not in text


def test_a_snippet_never_runs_a_heading_into_what_follows() -> None:
    """A section's sub-heading ran into its text ("If you can't pay by then Contact us") and
    read as a sentence before a list ("You're also protected if. someone ..."): a heading now
    ends as on the voice channel."""
    from knowledge_service.content.plaintext import plain_snippet

    assert plain_snippet("### If you can't pay by then\nContact us.", SNIPPET_CHARS) == (
        "If you can't pay by then. Contact us."
    )
    assert plain_snippet("### Costs and\nNo fee.", SNIPPET_CHARS) == "Costs and. No fee."
    assert plain_snippet("### Protected if\n- on life support\n- ill", SNIPPET_CHARS) == (
        "Protected if: on life support. ill."
    )
    assert plain_snippet("### Ready?\nGo", SNIPPET_CHARS) == "Ready? Go."


def test_a_snippet_ends_a_line_broken_before_a_capital() -> None:
    """ "**Your backup plan**" and a hard line break ran into the next line: "Your backup plan
    Know how long"."""
    from knowledge_service.content.plaintext import plain_snippet

    markdown = "**Your backup plan**\\\nKnow how long\n\n- **Step 1**  \n  Do it"
    assert plain_snippet(markdown + "\n\nCall us on  \n1800 123 456", SNIPPET_CHARS) == (
        "Your backup plan. Know how long. Step 1. Do it. Call us on 1800 123 456."
    )


def test_a_section_is_its_headings_words() -> None:
    """A hit's section was its headings as written: "**Card** fees > Paying `online`"."""
    doc = make_article(
        "card-fees",
        title="Card fees",
        answer="Card payments cost 1%.",
        body="## **Card** fees\n\n### Paying `online` [here](https://x.example)\n\n"
        "The surcharge applies to credit cards online.\n",
    )
    index = HybridIndex(HashEmbedder())
    index.upsert([(doc, 1)])
    hit = index.search("surcharge applies to credit cards online")[0]
    assert hit.section == "Card fees > Paying online here"
