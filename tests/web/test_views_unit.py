"""What the page views build from the store and how the templates show it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.engine import Engine

from knowledge_service.answers.schemas import AnswerReason, AnswerResult, AnswerStatus
from knowledge_service.content.schemas import Audience, Channel
from knowledge_service.db import session_scope
from knowledge_service.freshness.rules import CheckedArticle, check_dates, check_policy_links
from knowledge_service.freshness.schemas import (
    Badge,
    FindingKind,
    FreshnessNote,
    SearchResult,
    Severity,
)
from knowledge_service.index.schemas import SearchHit
from knowledge_service.web.assist_view import AnswerCard, AssistView, build_view, group_sections
from knowledge_service.web.review_view import VersionDiff
from knowledge_service.web.templating import render_text
from tests.api.conftest import seed_store
from tests.conftest import TODAY
from tests.factories import make_article, make_policy


def _answered(notes: list[FreshnessNote]) -> AnswerResult:
    return AnswerResult(
        status=AnswerStatus.ANSWERED, channel=Channel.AGENT, article_id="refund-timeframe",
        version=2, title="Refund timeframe", answer="Refunds take 5 business days.",
        confidence=0.9, freshness=notes, receipt="rcpt_abc123", as_of=datetime.now(UTC),
        reason=AnswerReason.CONFIDENT,
    )  # fmt: skip


def _block(accepted_until: object = None) -> FreshnessNote:
    return FreshnessNote(
        kind=FindingKind.POLICY_MISMATCH, severity=Severity.BLOCK,
        message="The article disagrees with REFUNDS#2.1.", risk_accepted_until=accepted_until,
    )  # fmt: skip


def test_the_assist_card_of_a_risk_accepted_article_says_check_first_and_until_when(
    engine: Engine, tmp_path: Path
) -> None:
    seed_store(engine, tmp_path)
    until = TODAY + timedelta(days=10)
    with session_scope(engine) as session:
        accepted = build_view(session, "refunds?", _answered([_block(until)]), lambda _: [],
                              today=TODAY)  # fmt: skip
        blocked = build_view(session, "refunds?", _answered([_block()]), lambda _: [], today=TODAY)
    assert accepted.card is not None and accepted.card.badge == Badge.WARN
    assert blocked.card is not None and blocked.card.badge == Badge.BLOCK
    shown = render_text("_results.html", view=accepted, csrf="t")
    assert "Check first" in shown and "Blocked for customers" not in shown
    assert f"Risk accepted until {until}" in shown
    still_blocked = render_text("_results.html", view=blocked, csrf="t")
    assert "Blocked for customers" in still_blocked and "Risk accepted" not in still_blocked


AGENT_BODY = (
    "## How the test works\nWe test the meter.\n\n"
    "## Details for agents\nRaise a *METER-TEST* work order.\n\n"
    "### Escalation\nIf the customer disputes the result, escalate to the team lead.\n\n"
    "## Test results\nThe result comes in 20 days.\n"
)


def test_the_agents_box_holds_the_sub_sections_of_details_for_agents() -> None:
    doc = make_article("meter-test", body=AGENT_BODY)
    for_agents, others = group_sections(doc)
    assert [(g.section.heading, [s.heading for s in g.subsections]) for g in for_agents] == [
        ("Details for agents", ["Escalation"])
    ]
    assert [s.heading for s in others] == ["How the test works", "Test results"]
    card = AnswerCard(_answered([]), Badge.CURRENT, for_agents, others)
    shown = render_text("_results.html", view=AssistView("q", card.result, card, []), csrf="t")
    box = shown[shown.index('class="agent-details"') : shown.index("</section>")]
    assert "<h4>Escalation</h4>" in box and "escalate to the team lead" in box
    more = shown[shown.index("More in this article") :]
    assert "Escalation" not in more and "Test results" in more


def test_section_headings_show_their_words_not_their_markdown() -> None:
    """A heading written "## Details for **agents**" was shown with its asterisks on the
    agent's card (heading, region name and "More in this article"): Markdown shown as typed."""
    body = (
        AGENT_BODY.replace("## Details for agents", "## Details for **agents**")
        .replace("### Escalation", "### `ESC` [path](https://x.example/esc)")
        .replace("## Test results", "## Test _results_")
    )
    for_agents, others = group_sections(make_article("meter-test", body=body))
    card = AnswerCard(_answered([]), Badge.CURRENT, for_agents, others)
    shown = render_text("_results.html", view=AssistView("q", card.result, card, []), csrf="t")
    assert 'aria-label="Details for agents"' in shown and "<h3>Details for agents</h3>" in shown
    assert "<h4>ESC path</h4>" in shown and "<h3>Test results</h3>" in shown
    assert not any(mark in shown for mark in ("**", "`", "_results_", "](https"))


def test_another_article_s_section_and_snippet_are_read_apart() -> None:
    """An "Other articles" entry read "... Your backup plan Know how long ..." to a screen
    reader: its section ran into its snippet; a hidden ": " now ends the section."""
    other = SearchResult(
        article_id="life-support-outages", version=1, title="Life support and outages",
        section="Your backup plan", snippet="Know how long your battery lasts.", score=0.5,
        dense_score=0.5, lexical_score=0.2, unit_kind="section", intents=["outage.plan"],
        audience=Audience.PUBLIC, channels=[Channel.AGENT], locale="en", badge=Badge.CURRENT,
    )  # fmt: skip
    view = AssistView("q", _answered([]), None, [other])
    shown = render_text("_results.html", view=view, csrf="t")
    ended = r'Your backup plan</span>\s*<span class="visually-hidden">: </span>'
    ended += '<span class="snippet">'
    assert re.search(ended + "Know how long", shown)


def test_other_articles_show_their_titles_as_the_answer_card_and_search_give_them(
    engine: Engine, tmp_path: Path
) -> None:
    """An "Other articles" entry and the "I used another article instead" list showed a title
    as stored, its Markdown and HTML as typed ("<img src=x> Paying by **BPAY** &amp; card"),
    where the card, GET /v1/search and the owner's queue give its words ("Paying by BPAY &
    card"): the search's hits were never cleaned for the page."""
    seed_store(engine, tmp_path)
    hit = SearchHit(
        article_id="escalation-process", version=1,
        title="<img src=x> Paying by **BPAY** &amp; card", section="Details for agents",
        snippet="Escalate to a team lead.", score=0.5, dense_score=0.5, lexical_score=0.2,
        unit_kind="section", intents=["support.escalate"], audience=Audience.INTERNAL,
        channels=[Channel.AGENT], locale="en",
    )  # fmt: skip
    with session_scope(engine) as session:
        view = build_view(session, "bpay", _answered([]), lambda _: [hit], today=TODAY)
    assert [other.title for other in view.further] == ["Paying by BPAY & card"]
    shown = render_text("_results.html", view=view, csrf="t")
    assert '<span class="title">Paying by BPAY &amp; card</span>' in shown
    assert '<option value="escalation-process">Paying by BPAY &amp; card</option>' in shown
    assert not any(typed in shown for typed in ("&lt;img", "**", "&amp;amp;"))


def test_a_diff_is_a_named_region_the_keyboard_reaches() -> None:
    """axe's scrollable-region-focusable: should a diff scroll, Tab reaches it (and says what
    it is)."""
    diff = VersionDiff("late-fee", 1, 2, [("del", "-$15.00"), ("add", "+$20.00")])
    shown = render_text("_diff.html", d=diff)
    assert '<pre class="diff" tabindex="0" aria-label="Changes from version 1 to 2">' in shown
    assert "<del>-$15.00</del>" in shown and "<ins>+$20.00</ins>" in shown


def test_a_search_swaps_in_a_one_line_status_and_the_results_are_not_live(
    engine: Engine, tmp_path: Path
) -> None:
    """The live region is the status line ("Answer: ... Blocked for customers."), not the card
    (some 1,900 characters a screen reader would queue on every pause in typing)."""
    seed_store(engine, tmp_path)
    with session_scope(engine) as session:
        blocked = build_view(session, "refunds?", _answered([_block()]), lambda _: [], today=TODAY)
    swapped = render_text("_assist_results.html", view=blocked, csrf="t")
    status = '<p id="results-status" hx-swap-oob="innerHTML">{}</p>'
    assert status.format("Answer: Refund timeframe. Blocked for customers.") in swapped
    assert 'id="answer-card"' in swapped and "aria-live" not in swapped
    plain = SimpleNamespace(reason=None)
    no_answer = SimpleNamespace(card=None, further=[object()] * 3, result=plain)
    assert render_text("_results_status.html", view=no_answer) == "No answer: 3 other articles."
    assert render_text("_results_status.html", view=None).strip() == ""


def test_the_status_line_ends_a_title_s_sentence_once(engine: Engine, tmp_path: Path) -> None:
    """A title that is a question was announced "Answer: When is my bill due?. Current.", the
    full stop read out after the question mark."""
    seed_store(engine, tmp_path)
    asked = _answered([]).model_copy(update={"title": "When is my refund paid?"})
    with session_scope(engine) as session:
        view = build_view(session, "refund when", asked, lambda _: [], today=TODAY)
    assert render_text("_results_status.html", view=view) == (
        "Answer: When is my refund paid? Current."
    )


def test_the_status_line_says_first_that_someone_may_be_at_risk(
    engine: Engine, tmp_path: Path
) -> None:
    """A message saying someone was at risk of harm was announced as "No answer: 5 other
    articles." (or as any answer): the card's warning is a note, which a screen reader does
    not read out when the results change, so an agent who cannot see it missed it."""
    seed_store(engine, tmp_path)
    at_risk = _answered([]).model_copy(update={"reason": AnswerReason.AT_RISK})
    with session_scope(engine) as session:
        answered = build_view(session, "I can't go on", at_risk, lambda _: [], today=TODAY)
    warning = "Someone may be at risk of harm: put their safety first. "
    swapped = render_text("_assist_results.html", view=answered, csrf="t")
    status = '<p id="results-status" hx-swap-oob="innerHTML">{}</p>'
    assert status.format(warning + "Answer: Refund timeframe. Current.") in swapped
    unanswered = SimpleNamespace(
        card=None, further=[object()] * 2, result=SimpleNamespace(reason=AnswerReason.AT_RISK)
    )
    shown = render_text("_results_status.html", view=unanswered)
    assert shown == warning + "No answer: 2 other articles."


def _rule_messages() -> dict[FindingKind, str]:
    """Finding messages as the check writes them, with the owner's steps (review page, CLI)."""
    overdue = CheckedArticle.of(
        make_article("late-fee", owner="parking@council.example.gov.au",
                     last_reviewed="2025-06-01", next_review="2026-01-01")
    )  # fmt: skip
    soon = CheckedArticle.of(make_article("late-fee", next_review=str(TODAY + timedelta(days=3))))
    changed = CheckedArticle.of(make_article("late-fee", policy_sources=["REFUNDS#2.1"],
                                             last_reviewed="2025-01-01"))  # fmt: skip
    policies = {"REFUNDS": make_policy("REFUNDS", effective_date="2026-02-01")}
    found = [
        *check_dates(overdue, TODAY, 14), *check_dates(soon, TODAY, 14),
        *check_policy_links(changed, policies),
    ]  # fmt: skip
    return {f.kind: f.message for f in found}


def test_the_assist_card_shows_findings_without_the_owners_steps() -> None:
    messages = _rule_messages()
    assert set(messages) == {
        FindingKind.REVIEW_OVERDUE, FindingKind.REVIEW_DUE_SOON, FindingKind.POLICY_CHANGED
    }  # fmt: skip
    assert all("knowledge-service articles verify" in m for m in messages.values())
    notes = [
        FreshnessNote(kind=kind, severity=Severity.WARN, message=message)
        for kind, message in messages.items()
    ]
    card = AnswerCard(_answered(notes), Badge.WARN)
    shown = render_text("_results.html", view=AssistView("q", card.result, card, []), csrf="t")
    box = shown[shown.index('class="findings"') : shown.index('id="answer-text"')]
    for words in ("knowledge-service", "`", "review page", "Verify", "edit next_review"):
        assert words not in box
    assert (
        "parking@council.example.gov.au must confirm the article is still right "
        "(customer channels escalate it to a human).</li>" in box
    )
    assert "Review due in 3 days (next_review " in box
    assert "after this article was last reviewed (2025-01-01); check it still matches " in box
