"""The pages as people use them, in Debian's Chromium against a real server (real model)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import text

from knowledge_service.db import make_engine
from tests.web.conftest import Browsing, is_local, new_context, screenshot, sign_in
from tests.web.server import HANDOFF_RECEIPT, REMINDER_LINE

pytestmark = pytest.mark.slow

LATE_FEE_QUESTION = "how much is the late payment charge?"


def _stored(browsing: Browsing, query: str, **params: Any) -> list[Any]:
    """The rows ``query`` reads from the served store."""
    engine = make_engine(browsing.served.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(query), params).all())
    finally:
        engine.dispose()


def _feedback_rows(browsing: Browsing) -> list[tuple[str, str, str | None]]:
    rows = _stored(
        browsing, "SELECT rating, article_id, comment FROM feedback WHERE caller = :c",
        c="web-agent",  # the key's name, as the API records it
    )  # fmt: skip
    return [(r[0], r[1], r[2]) for r in rows]


def _tab_to(page: Page, name: str, limit: int = 25) -> None:
    """Press Tab until the focused element's accessible text is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.textContent")
        if (focused or "").strip() == name:
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


def test_bot_key_is_refused_at_sign_in(browsing: Browsing) -> None:
    context = new_context(browsing, width=360)
    page = context.new_page()
    page.goto("/ui/login")
    page.get_by_label("API key").fill(browsing.served.keys["bot"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("A bot key cannot sign in")
    assert not [c for c in context.cookies() if c["name"] == "ks_session"]
    page.goto("/ui/assist")
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    screenshot(page, "login", docs=True)
    context.close()


def test_agent_finds_copies_and_flags_an_answer(browsing: Browsing) -> None:
    context = new_context(browsing, width=360, height=900)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    page.get_by_label("Customer's question").press_sequentially(LATE_FEE_QUESTION, delay=15)
    card = page.locator("#answer-card")
    expect(card.get_by_role("heading", level=2)).to_contain_text("late payment fee")
    # What a screen reader hears: one line, not the card.
    expect(page.get_by_role("status").filter(has_text="Answer:")).to_have_text(
        re.compile(
            r"^Answer: .*late payment fee[.?!] Blocked for customers\. \d+ other articles?\.$", re.I
        )
    )
    # Debounced: one request per pause, not one per keystroke.
    assert len(posts) <= 4, posts
    with page.expect_response("**/ui/assist/answer"):
        page.keyboard.press("Enter")  # Enter records the answer the agent uses
    expect(card).to_contain_text("Blocked for customers")
    expect(card.get_by_role("note")).to_contain_text("FEES#2.1 (version 5) says $20.00")
    expect(card).to_contain_text("Details for agents")
    expect(card).to_contain_text("version 2")
    expect(card).to_contain_text("FEES §2.1")
    expect(page.locator(".further li").first).to_be_visible()

    page.keyboard.press("Alt+c")
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "late payment fee of $15.00" in copied and "<" not in copied

    page.get_by_label("Comment (optional)").fill("Policy says $20 since October")
    _tab_to(page, "Outdated")
    screenshot(page, "assist", docs=True)
    with page.expect_response("**/ui/assist/feedback") as sent:
        page.keyboard.press("Enter")
    assert sent.value.status == 200, sent.value.text()
    expect(page.locator("#feedback-done")).to_contain_text("outdated")
    expect(page.locator("#feedback-done")).to_be_focused()  # not dropped to <body>
    expect(page.locator("#feedback-done")).to_contain_text("owner's review queue")
    assert ("outdated", "late-payment-fee", "Policy says $20 since October") in _feedback_rows(
        browsing
    )
    assert all(is_local(url, browsing.served.base) for url in browsing.requested)
    context.close()


def test_an_agent_whose_customer_is_at_risk_sees_it_and_the_procedure(
    browsing: Browsing,
) -> None:
    """The customer's words are far from the procedure's title; the sidebar says someone may be
    at risk, and shows the sample's family-violence procedure."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    page.get_by_label("Customer's question").press_sequentially(
        "my partner hits me and I can't pay the bill", delay=15
    )
    card = page.locator("#answer-card")
    expect(card.get_by_role("heading", level=2)).to_contain_text("family violence")
    expect(card.locator(".at-risk")).to_contain_text("Someone may be at risk of harm")
    context.close()


def test_agent_opens_a_bot_hand_off_by_its_receipt(browsing: Browsing) -> None:
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist/handoff")
    page.get_by_label("Receipt from the bot's escalation").fill(HANDOFF_RECEIPT)
    page.keyboard.press("Enter")
    card = page.get_by_role("article")
    expect(card).to_contain_text("blocking finding")
    expect(card).to_contain_text("late-payment-fee")
    expect(card).to_contain_text("[CARD]")  # stored redacted, shown redacted
    expect(card).not_to_contain_text("4111")
    screenshot(page, "handoff", docs=True)
    page.get_by_role("link", name="Look up the answer for this question").click()
    # The receipt travels in the address, never the question; a reload asks nothing again.
    expect(page).to_have_url(re.compile(rf"/ui/assist\?handoff={HANDOFF_RECEIPT}$"))
    expect(page.get_by_label("Customer's question")).to_have_value(re.compile(r"\[CARD\]"))
    expect(page.locator("#answer-card")).to_contain_text("late payment fee")
    page.reload()
    expect(page.locator("#answer-card")).to_contain_text("late payment fee")
    context.close()


def _tab_until(page: Page, selector: str, limit: int = 25) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"{selector!r} is not reachable with Tab")


def test_agent_opens_another_article_by_keyboard_and_rates_no_single_answer(
    browsing: Browsing,
) -> None:
    """No single answer: the agent opens one of the other articles from the keyboard, copies
    its answer, and says it used that article instead (the content-gap signal)."""
    context = new_context(browsing, width=360, height=900)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    box = page.get_by_label("Customer's question")
    card = page.locator("#answer-card")
    box.fill("what is the capital of France")
    expect(card.get_by_role("heading", level=2)).to_have_text("No single answer")  # typed
    with page.expect_response("**/ui/assist/answer"):
        box.press("Enter")  # no search is pending now to replace what the agent opens below
    expect(card.get_by_role("heading", level=2)).to_have_text("No single answer")
    box.focus()
    _tab_until(page, ".further summary")
    index = page.evaluate(
        "[...document.querySelectorAll('.further summary')].indexOf(document.activeElement)"
    )
    other = page.locator(".further details").nth(index)
    article_id = other.locator(".meta.mono").first.inner_text().split()[0]
    page.keyboard.press("Enter")  # opens the disclosure, which loads the article
    opened = other.locator(".opened")
    expect(opened.get_by_role("button", name=re.compile("^Copy answer"))).to_be_visible()
    _tab_until(page, "button[data-copy-from]")
    page.keyboard.press("Enter")
    expect(opened.get_by_role("status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and "<" not in copied
    card.get_by_label("I used another article instead (optional)").select_option(article_id)
    with page.expect_response("**/ui/assist/feedback") as sent:
        card.get_by_role("button", name="Wrong").click()
    assert sent.value.status == 200, sent.value.text()
    expect(page.locator("#feedback-done")).to_contain_text("wrong")
    wrong = "caller = 'web-agent' AND article_id IS NULL AND rating = 'wrong'"
    used = [r[0] for r in _stored(browsing, f"SELECT used_article_id FROM feedback WHERE {wrong}")]
    assert article_id in used
    assert all(is_local(url, browsing.served.base) for url in browsing.requested)
    context.close()


def test_a_call_reference_stays_for_the_call_and_rating_again_in_it_replaces(
    browsing: Browsing,
) -> None:
    """The sidebar's ratings named no call: rating the same answer again in one call counted
    twice. The call reference stays in the sidebar across searches, and a second rating of
    the answer in that call replaces the first; the store keeps only its pseudonym."""
    context = new_context(browsing, width=360, height=900)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    call = page.get_by_label("Call reference (optional)")
    call.fill("browser-call-0412345678")
    box = page.get_by_label("Customer's question")
    card = page.locator("#answer-card")
    done = page.locator("#feedback-done")
    for replaced in (False, True):
        if replaced:  # the same words again: typing starts no lookup
            box.fill("when is my bill due")
        else:  # typing's lookup (after a 200 ms pause) ends before Enter, or replaces its card
            with page.expect_response(lambda r: r.request.headers.get("hx-trigger") == "q"):
                box.fill("when is my bill due")
        with page.expect_response(lambda r: r.request.headers.get("hx-trigger") == "ask"):
            box.press("Enter")
        with page.expect_response("**/ui/assist/feedback") as sent:
            card.get_by_role("button", name="Helpful").click()
        assert sent.value.status == 200, sent.value.text()
        expect(done).to_contain_text("helpful")
        assert ("replacing your earlier rating" in done.inner_text()) is replaced
    expect(call).to_have_value("browser-call-0412345678")
    named = "caller = 'web-agent' AND conversation_id IS NOT NULL"
    calls = [r[0] for r in _stored(browsing, f"SELECT conversation_id FROM feedback WHERE {named}")]
    assert len(calls) == 1 and calls[0].startswith("anon-") and "0412" not in calls[0]
    context.close()


def _sidebar_posts(page: Page) -> list[str]:
    """What sends each POST the sidebar makes, as it is made: "q" (typing) or "ask" (Enter)."""
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.headers.get("hx-trigger", "")) if r.method == "POST" else None,
    )
    return posts


def test_enter_within_typings_pause_keeps_its_card_when_the_typed_lookup_is_due(
    browsing: Browsing,
) -> None:
    """Enter within 200 ms of typing sent Enter's request; then typing's delayed lookup went
    too, and its answer replaced Enter's card, the comment the agent was writing on it lost.
    Enter now cancels the lookup still waiting. The page's timers are held, so typing's pause
    ends only after Enter's card is on screen, whatever the machine's speed."""
    context = new_context(browsing, width=360)
    context.clock.install()
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)  # no timer fires until run_for
    posts = _sidebar_posts(page)
    box = page.get_by_label("Customer's question")
    box.fill("when is my bill due")  # its lookup waits for a 200 ms pause
    with page.expect_response(lambda r: r.request.headers.get("hx-trigger") == "ask"):
        box.press("Enter")
    card = page.locator("#answer-card")
    expect(card.get_by_role("heading", level=2)).to_be_visible()
    comment = page.get_by_label("Comment (optional)")
    comment.fill("Customer asked twice")
    page.clock.run_for(1000)  # typing's pause is over: its lookup would go now
    page.wait_for_timeout(1000)  # and its answer would be on its way or swapped in
    assert posts == ["ask"], posts
    expect(comment).to_have_value("Customer asked twice")  # the same card, not a new one
    context.close()


def test_a_call_reference_survives_a_reload_in_its_tab_only_and_new_call_clears_it(
    browsing: Browsing,
) -> None:
    """The call reference was lost on reload and never cleared between calls. A reload in the
    tab keeps it (this tab only: not another tab, not a cookie, not another agent signing in
    here); New call clears the reference, the question and the card, and a lookup typed just
    before it never comes back."""
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    call = page.get_by_label("Call reference (optional)")
    box = page.get_by_label("Customer's question")
    card = page.locator("#answer-card")
    call.fill("browser-call-0498765432")
    box.fill("when is my bill due")
    with page.expect_response(lambda r: r.request.headers.get("hx-trigger") == "ask"):
        box.press("Enter")
    expect(card.get_by_role("heading", level=2)).to_be_visible()
    page.reload()
    expect(call).to_have_value("browser-call-0498765432")
    assert "0498" not in json.dumps(context.cookies())
    assert page.evaluate("localStorage.length") == 0
    other_tab = context.new_page()
    other_tab.goto("/ui/assist")
    expect(other_tab.get_by_label("Call reference (optional)")).to_have_value("")
    other_tab.close()

    posts = _sidebar_posts(page)
    box.fill("how much is the late payment charge?")  # its lookup waits for a 200 ms pause
    page.get_by_role("button", name="New call").click()
    expect(call).to_have_value("")
    expect(call).to_be_focused()
    expect(box).to_have_value("")
    expect(page.locator("#results-status")).to_contain_text("New call")
    page.wait_for_timeout(500)  # past typing's pause
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")
    expect(card).to_have_count(0)
    expect(page.locator("#results")).to_have_text("Type the customer's question to see the answer.")
    assert "ask" not in posts, posts  # New call asks nothing
    page.reload()
    expect(call).to_have_value("")

    call.fill("browser-call-0411111111")  # signing out forgets it; another agent never sees it
    page.get_by_role("button", name="Sign out").click()
    page.goto("/ui/login?next=/ui/assist")
    page.get_by_label("API key").fill(browsing.served.keys["admin"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui/assist")
    expect(call).to_have_value("")
    kept = page.evaluate("JSON.stringify(sessionStorage)")
    assert "0411" not in kept and "0498" not in kept, kept
    context.close()


def test_a_session_ended_mid_call_offers_sign_in_back_to_the_page(browsing: Browsing) -> None:
    """The results say the session ended with a link that signs in and comes back; the status
    line no longer announces the answer the error replaced."""
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    box = page.get_by_label("Customer's question")
    box.fill("when is my bill due")
    status = page.locator("#results-status")
    expect(status).to_contain_text("Answer:")
    context.clear_cookies()
    with page.expect_response("**/ui/assist/answer"):
        box.press("Enter")
    results = page.locator("#results")
    expect(results.get_by_role("alert")).to_contain_text("Your session has ended.")
    expect(status).to_have_text("")
    results.get_by_role("link", name="Sign in again").click()
    expect(page).to_have_url(re.compile(r"/ui/login\?next=/ui/assist$"))
    page.get_by_label("API key").fill(browsing.served.keys["agent"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/ui/assist$"))
    context.close()


def test_a_refused_rating_keeps_the_comment_typed(browsing: Browsing) -> None:
    """A rating the server refused (here: the session ended while the agent wrote the comment)
    replaced the whole feedback form with the error: the comment was gone and there was no
    button left to rate again. The error now shows inside the form, which keeps both."""
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    page.get_by_label("Customer's question").fill("what is the BPAY biller code")
    form = page.locator("form.feedback")
    comment = "The biller code on the customer's new bill is different"
    form.get_by_label("Comment (optional)").fill(comment)
    context.clear_cookies()
    with page.expect_response("**/ui/assist/feedback"):
        form.get_by_role("button", name="Outdated").click()
    expect(form.get_by_role("alert")).to_contain_text("Your session has ended.")
    expect(form.get_by_label("Comment (optional)")).to_have_value(comment)
    expect(form.get_by_role("button", name="Outdated")).to_be_visible()
    expect(page.locator("#answer-card")).to_contain_text("BPAY")
    context.close()


def test_owner_reads_a_finding_with_its_evidence_and_acknowledges_it(browsing: Browsing) -> None:
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["owner"], next_path="/ui/review")
    queue = page.get_by_role("navigation", name=re.compile("Your queue"))
    expect(queue.get_by_role("link").first).to_contain_text("Blocking")  # most severe first
    expect(queue).not_to_contain_text("report-an-outage")  # another owner's article
    mismatch = queue.get_by_role("link").filter(has_text="Disagrees with the policy")
    expect(mismatch).to_contain_text("late-payment-fee")
    mismatch.click()
    evidence = page.locator(".evidence figure")
    expect(evidence).to_have_count(2)
    expect(evidence.nth(0).locator("mark")).to_contain_text("late payment fee of $15.00")
    expect(evidence.nth(1)).to_contain_text("Policy FEES#2.1 (version 5)")
    expect(evidence.nth(1).locator("mark")).to_contain_text("$20.00")
    expect(page.locator(".diff ins")).to_contain_text(["Turn on bill reminders"])
    expect(page.locator("#edit-late-payment-fee summary")).to_contain_text("Edit")

    page.get_by_text("Acknowledge…").click()
    page.get_by_label("Note for the history (optional)").fill("Fixing with the fee change")
    screenshot(page, "review", docs=True)
    page.get_by_role("button", name="Confirm: acknowledge").click()
    expect(page.locator("#done")).to_contain_text("Finding acknowledged")
    expect(page.locator(".status").first).to_have_text("acknowledged")
    context.close()


REVIEW_WIDTHS = (1280, 1024, 768, 400)


def test_a_review_page_with_a_long_diff_never_scrolls_sideways(browsing: Browsing) -> None:
    """WCAG 1.4.10: the diff (a 260-character line) wraps inside its column, the action panels
    fit the window, and on a small screen the queue and the finding stack."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["owner"], next_path="/ui/review")
    _open_late_fee_mismatch(page)
    expect(page.locator(".diff ins")).to_contain_text([REMINDER_LINE])
    page.locator("details.confirm").evaluate_all("all => all.forEach(d => { d.open = true; })")
    for width in REVIEW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{width} px: the page is {sideways} px wider than the window"
        diff = page.locator(".diff").first
        assert diff.evaluate("e => e.scrollWidth - e.clientWidth") <= 0, width  # all on screen
        right = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.detail *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= width, f"{width} px: something in the finding ends at {right} px"
    queue = page.locator(".queue").bounding_box()
    detail = page.locator(".detail").bounding_box()
    assert queue is not None and detail is not None
    assert detail["y"] >= queue["y"] + queue["height"], (queue, detail)  # stacked at 400 px
    screenshot(page, "review-narrow")
    context.close()


def test_a_confirm_button_wider_than_a_phone_wraps_its_label(browsing: Browsing) -> None:
    """WCAG 1.4.10 at 320 px: "Confirm: submit for approval version 1" kept to one line and
    ran past the window's edge, so the page scrolled sideways; the label now wraps."""
    context = new_context(browsing, width=320)
    page = sign_in(context, browsing.served.keys["admin"], next_path="/ui/review")
    page.goto("/ui/review/articles/ev-charging-plan")
    summary = page.get_by_text("Submit for approval ev-charging-plan…")
    summary.click()
    button = page.get_by_role("button", name="Confirm: submit for approval version 1")
    expect(button).to_be_visible()
    page.locator("details.confirm").evaluate_all("all => all.forEach(d => { d.open = true; })")
    sideways = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0, f"the page is {sideways} px wider than the window"
    rights = page.locator("main button").evaluate_all(
        "all => all.map(b => b.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= 320, rights
    context.close()


LONG_WORD = "https://portal.example/" + "a1b2c3d4" * 40
"""A comment's pasted link: one 343-character word, wider than any window."""


def test_a_long_unbroken_word_in_feedback_never_makes_a_page_scroll_sideways(
    own_browsing: Browsing,
) -> None:
    """WCAG 1.4.10: a word wider than the column (an agent's comment quoted in the owner's
    queue, the text the agent searched for) breaks inside it instead of widening the page."""
    served = own_browsing.served
    agent = {"Authorization": f"Bearer {served.keys['agent']}"}
    answer = httpx.post(
        served.base + "/v1/answer", headers=agent, timeout=60,
        json={"q": "how do I get a refund paid back to my card", "channel": "agent"},
    ).json()  # fmt: skip
    assert answer["article_id"] == "refund-method", answer
    rated = httpx.post(
        served.base + "/v1/feedback", headers=agent, timeout=60,
        json={"receipt": answer["receipt"], "rating": "wrong", "comment": f"see {LONG_WORD}"},
    )  # fmt: skip
    assert rated.status_code == 201, rated.text
    context = new_context(own_browsing)
    page = sign_in(context, served.keys["owner"], next_path="/ui/review/articles/refund-method")
    expect(page.locator(".detail")).to_contain_text(LONG_WORD[:40])
    agents = new_context(own_browsing)
    assist = sign_in(agents, served.keys["agent"], next_path="/ui/assist")
    assist.get_by_label("Customer's question").fill(f"refund to {LONG_WORD}")
    assist.get_by_label("Customer's question").press("Enter")
    expect(assist.locator("#results")).not_to_be_empty()
    for shown, width in ((page, 1280), (page, 400), (assist, 360)):
        shown.set_viewport_size({"width": width, "height": 900})
        sideways = shown.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{shown.url} at {width} px is {sideways} px wider than the window"
    context.close()
    agents.close()


def test_an_assist_swap_logs_no_console_error(browsing: Browsing) -> None:
    """No Content-Security-Policy violation (htmx settling a style attribute) or other error."""
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.get_by_label("Customer's question").press_sequentially("when is my bill due", delay=15)
    expect(page.locator("#answer-card")).to_be_visible()
    # The agent drags the comment box taller: the browser gives it a style attribute, which
    # htmx copied with setAttribute onto the new box of the next swap (refused by the CSP).
    page.locator("#feedback-comment").evaluate("box => { box.style.height = '6rem'; }")
    with page.expect_response("**/ui/assist/answer"):
        page.get_by_label("Customer's question").press("Enter")
    page.wait_for_timeout(300)  # the settle step runs 20 ms after the swap
    assert not errors, errors
    context.close()


def test_enter_during_a_typing_lookup_waits_for_it_instead_of_aborting(
    browsing: Browsing,
) -> None:
    """An agent presses Enter while the lookup of the last keystrokes is still on its way.
    Aborting that lookup makes htmx log errors (its abort events are error events), so Enter
    waits for it and then records the answer. The lookup is held at the network until Enter has
    been pressed, so the overlap is certain, whatever the machine's speed."""
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    held: list[Route] = []
    posts: list[str] = []

    def hold_the_typing_lookup(route: Route) -> None:
        posts.append(route.request.headers.get("hx-trigger", ""))
        if not held and route.request.headers.get("hx-trigger") == "q":
            held.append(route)
        else:
            route.continue_()

    page.route("**/ui/assist/answer", hold_the_typing_lookup)
    page.get_by_label("Customer's question").fill("when is my bill due")
    for _ in range(50):  # the 200 ms debounce, then the request reaches the route
        if held:
            break
        page.wait_for_timeout(50)
    assert held, posts
    page.get_by_label("Customer's question").press("Enter")
    page.wait_for_timeout(300)  # an abort of the held lookup would be logged by now
    assert not errors, errors
    with page.expect_response(lambda r: r.request.headers.get("hx-trigger") == "ask"):
        held[0].continue_()  # the lookup ends, then Enter's request goes
    expect(page.locator("#answer-card")).to_be_visible()
    assert posts == ["q", "ask"] and not errors, (posts, errors)
    context.close()


def test_a_slow_answer_marks_the_last_answer_as_being_replaced(browsing: Browsing) -> None:
    """While a slow answer was on its way, the last question's card stayed on screen as it was
    (only aria-busy changed): an agent read, copied (Alt+C) or rated the wrong answer. The
    results are now dimmed under "Looking up the answer...", and Alt+C copies nothing until the
    answer shows. The request is held at the network, so the wait is certain on any machine."""
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    box = page.get_by_label("Customer's question")
    busy = page.get_by_text("Looking up the answer…")
    box.fill("when is my bill due")
    with page.expect_response(lambda r: r.request.headers.get("hx-trigger") == "ask"):
        box.press("Enter")
    expect(page.locator("#answer-card")).to_contain_text("When is my bill due?")
    expect(busy).to_be_hidden()
    held: list[Route] = []

    def hold_the_ask(route: Route) -> None:
        if route.request.headers.get("hx-trigger") == "ask":
            held.append(route)
        else:
            route.continue_()

    page.route("**/ui/assist/answer", hold_the_ask)
    box.fill(LATE_FEE_QUESTION)
    box.press("Enter")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    expect(busy).to_be_visible()
    expect(page.locator("#results")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#results")).to_have_css("opacity", "0.45")
    box.press("Alt+c")
    expect(page.locator("#copy-status")).to_contain_text("Not copied")
    held[0].continue_()
    expect(page.locator("#answer-card")).to_contain_text("late payment fee")
    expect(busy).to_be_hidden()
    expect(page.locator("#results")).to_have_css("opacity", "1")
    context.close()


def test_alt_c_is_left_alone_while_typing_a_comment(browsing: Browsing) -> None:
    context = new_context(browsing, width=360)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    page.get_by_label("Customer's question").fill(LATE_FEE_QUESTION)
    expect(page.locator("#answer-card")).to_be_visible()
    page.evaluate(
        "window.addEventListener('keydown', e => { window.keptAltC = !e.defaultPrevented; })"
    )
    page.get_by_label("Comment (optional)").press("Alt+c")
    assert page.evaluate("window.keptAltC") is True  # the key reached the comment box
    page.wait_for_timeout(200)
    expect(page.locator("#copy-status")).to_have_text("")
    context.close()


def test_roles_see_only_their_pages(browsing: Browsing) -> None:
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["agent"])
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link")).to_have_text(["Agent assist"])
    response = page.goto("/ui/review")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("may not use this page")
    context.close()


def test_leader_reads_the_week(browsing: Browsing) -> None:
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["admin"], next_path="/ui/insights")
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")
    expect(page.locator("canvas")).to_have_count(4)
    expect(page.locator("#total-questions")).not_to_have_text("0")
    expect(page.locator("#demand-table")).to_contain_text("billing.due-date")
    gaps = page.get_by_role("region", name="Top content gaps")
    expect(gaps).to_contain_text("bitcoin")
    expect(page.get_by_role("region", name="Risk incidents", exact=True)).to_be_visible()
    page.get_by_text("The numbers").first.click()
    expect(page.locator("table").first).to_be_visible()
    screenshot(page, "insights", docs=True)
    context.close()


def test_insights_tables_scroll_in_their_own_box_never_the_page(browsing: Browsing) -> None:
    """WCAG 1.4.10 at 320 px (1280 px zoomed to 400%): a table of the numbers wider than the
    window widened its chart's column and the whole page scrolled sideways, headings and all.
    The table scrolls inside a box the keyboard reaches; the page never does."""
    context = new_context(browsing, width=320)
    page = sign_in(context, browsing.served.keys["admin"], next_path="/ui/insights")
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")
    for summary in page.get_by_text("The numbers").all():
        summary.click()
    sideways = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0, f"the page is {sideways} px wider than the window"
    boxes = page.locator(".table-scroll")
    expect(boxes).to_have_count(4)
    rates = page.get_by_role("region", name="Daily rates")
    assert rates.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls in it
    rates.focus()
    expect(rates).to_be_focused()
    page.keyboard.press("ArrowRight")
    for _ in range(50):  # the keyboard scrolls it (smoothly: it takes a few frames)
        if rates.evaluate("e => e.scrollLeft") > 0:
            break
        page.wait_for_timeout(50)
    assert rates.evaluate("e => e.scrollLeft") > 0
    screenshot(page, "insights-320")
    context.close()


def _zeroed(value: object) -> object:
    """The insights page's chart data with every value of every series nothing or zero."""
    if isinstance(value, dict):
        return {k: v if k in ("labels", "intents") else _zeroed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [None if i % 2 else 0 for i, _ in enumerate(value)]
    return value


def test_an_empty_period_says_so_and_counts_have_whole_ticks(browsing: Browsing) -> None:
    """A period with nothing to draw shows a line saying so, not empty axes; a count chart's
    axis never reads 0.2 of an escalation."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["admin"], next_path="/ui")
    page.goto(browsing.served.base + "/ui/insights?days=7")
    ticks = page.evaluate("Chart.getChart('chart-feedback').scales.y.ticks.map(t => t.value)")
    assert ticks and all(float(t).is_integer() for t in ticks), ticks

    def empty_period(route: Route) -> None:
        html = route.fetch().text()
        found = re.search(r'(<script type="application/json" id="insights-data">)(.*?)(</script>)',
                          html, re.S)  # fmt: skip
        assert found, html[:500]
        data = json.dumps(_zeroed(json.loads(found.group(2))))
        route.fulfill(body=html[: found.start(2)] + data + html[found.end(2) :],
                      content_type="text/html")  # fmt: skip

    page.route("**/ui/insights?days=28", empty_period)
    page.goto(browsing.served.base + "/ui/insights?days=28")
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")
    expect(page.locator("canvas")).to_have_count(0)
    expect(page.locator(".chart-empty")).to_have_count(4)
    expect(page.locator(".chart-empty").first).to_have_text("No data in this period.")
    context.close()


def test_post_without_csrf_token_is_refused(browsing: Browsing) -> None:
    context = new_context(browsing)
    sign_in(context, browsing.served.keys["agent"])
    refused = context.request.post("/ui/assist/answer", form={"q": LATE_FEE_QUESTION})
    assert refused.status == 403 and "security token" in refused.text()
    wrong = context.request.post(
        "/ui/assist/answer", form={"q": LATE_FEE_QUESTION, "csrf_token": "forged"}
    )
    assert wrong.status == 403
    login = context.request.post("/ui/login", form={"api_key": browsing.served.keys["agent"]})
    assert login.status == 403
    context.close()


def test_api_docs_render_offline(browsing: Browsing) -> None:
    context = new_context(browsing)
    page = context.new_page()
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    screenshot(page, "docs")
    page.goto("/redoc")
    expect(page.locator("h1").first).to_contain_text("knowledge-service")
    expect(page.get_by_text("Resolve a question to one answer").first).to_be_attached()
    outside = [u for u in browsing.requested if not is_local(u, browsing.served.base)]
    assert not outside, outside
    context.close()


def _open_late_fee_mismatch(page: Page) -> None:
    page.goto("/ui/review")
    queue = page.get_by_role("navigation", name=re.compile("Your queue"))
    queue.get_by_role("link").filter(has_text="Disagrees with the policy").filter(
        has_text="late-payment-fee"
    ).click()
    expect(page.locator("#finding-title")).to_have_text("Disagrees with the policy")


def _edit_late_fee(page: Page, change: Callable[[str], str]) -> None:
    """Open the edit form, change the Markdown and save it."""
    page.locator("#edit-late-payment-fee summary").click()
    box = page.get_by_label("Article text in Markdown (front matter and body)")
    box.fill(change(box.input_value()))
    page.get_by_role("button", name=re.compile("Confirm: edit version")).click()


def _api(browsing: Browsing, role: str, path: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {browsing.served.keys[role]}"}
    response = httpx.get(browsing.served.base + path, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _served_late_fee(browsing: Browsing) -> tuple[int, str]:
    """The version and text /v1/answer serves agents for the late-fee question."""
    answer = _api(browsing, "agent", f"/v1/answer?q={LATE_FEE_QUESTION}&channel=agent")
    assert answer["article_id"] == "late-payment-fee", answer
    return answer["version"], answer["answer"]


def test_a_refused_edit_keeps_the_pages_address_the_error_and_the_text(
    browsing: Browsing,
) -> None:
    """The page that shows a refused edit again answers the form's POST: the address bar still
    names the finding's page, so a reload reads it instead of sending the form again."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["owner"], next_path="/ui/review")
    _open_late_fee_mismatch(page)
    finding_url = page.url
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    _edit_late_fee(page, lambda text: text.replace("\ntitle: ", "\ntitle: [unclosed ", 1))
    expect(page.locator("#edit-late-payment-fee-error")).to_contain_text("malformed YAML")
    assert posted and posted[-1].endswith("/ui/review/articles/late-payment-fee/edit")
    expect(page).to_have_url(finding_url)  # not the form's address
    box = page.get_by_label("Article text in Markdown (front matter and body)")
    expect(box).to_have_value(re.compile(r"title: \[unclosed Will I be charged"))
    posted.clear()
    page.reload()
    expect(page.locator("#finding-title")).to_have_text("Disagrees with the policy")
    expect(page).to_have_url(finding_url)
    assert posted == []  # the reload sent nothing
    version = _api(browsing, "owner", "/v1/articles/late-payment-fee")
    assert "[unclosed" not in version["title"]
    context.close()


def test_a_refused_edit_puts_the_focus_on_the_field_and_its_error(browsing: Browsing) -> None:
    """The refused form is far down the finding's page: the page came back with the focus at
    its top, and a keyboard or screen-reader user had to hunt for the error. The focus is now
    on the field in error, on screen, and its description is the error."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["owner"], next_path="/ui/review")
    _open_late_fee_mismatch(page)
    _edit_late_fee(page, lambda text: text.replace("\ntitle: ", "\ntitle: [unclosed ", 1))
    expect(page.locator("#edit-late-payment-fee-error")).to_contain_text("malformed YAML")
    box = page.get_by_label("Article text in Markdown (front matter and body)")
    expect(box).to_be_focused()
    expect(box).to_be_in_viewport()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(re.compile("^Not saved: .*malformed YAML"))
    context.close()


def test_a_refused_risk_acceptance_shows_the_form_again_with_the_error_on_its_field(
    browsing: Browsing,
) -> None:
    """A reason of spaces passes the browser's 'required' but not the server: the form was
    replaced by an error page ("request parameter 'reason': ...") that linked home, and the
    reason and date typed were lost. The finding comes back with the form open, the error
    describing the reason's box, the focus there and the date kept; nothing is accepted."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["admin"], next_path="/ui/review")
    _open_late_fee_mismatch(page)
    finding_url = page.url
    page.get_by_text("Accept risk…").click()
    page.get_by_label("Reason (required)").fill("   ")
    expires = page.get_by_label("Serve it until (at most a year ahead)")
    day = expires.get_attribute("min")
    assert day is not None
    expires.fill(day)
    page.locator("#risk-confirm").check()
    page.get_by_role("button", name="Confirm: accept the risk").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("^Not accepted: say why"))
    expect(page).to_have_url(finding_url)
    reason = page.get_by_label("Reason (required)")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("^Not accepted: say why"))
    expect(expires).to_have_value(day)
    expect(page.locator("#risk-accepted")).to_have_count(0)
    context.close()


def test_a_refused_acknowledgement_keeps_the_finding_and_puts_the_focus_on_its_error(
    browsing: Browsing,
) -> None:
    """A refused acknowledgement (here a forged status, as a direct POST might send) ended on
    a bare error page. The finding comes back at its own address with the form open and the
    focus on the error, on screen."""
    context = new_context(browsing)
    page = sign_in(context, browsing.served.keys["owner"], next_path="/ui/review")
    _open_late_fee_mismatch(page)
    finding_url = page.url
    form = page.locator("details#ack, details#reopen")  # another test may acknowledge it
    form.locator("summary").click()
    form.locator('input[name="status"]').evaluate("field => { field.value = 'closed'; }")
    form.get_by_role("button", name=re.compile("^Confirm: ")).click()
    error = page.locator("#status-error")
    expect(error).to_have_text("Not acknowledged: choose acknowledged or open.")
    expect(error).to_be_focused()
    expect(error).to_be_in_viewport()
    expect(page).to_have_url(finding_url)
    expect(page.locator("#finding-title")).to_have_text("Disagrees with the policy")
    context.close()


def test_two_owners_race_on_one_article_and_nothing_is_overwritten(own_browsing: Browsing) -> None:
    browsing = own_browsing
    first, second = new_context(browsing), new_context(browsing)
    ann = sign_in(first, browsing.served.keys["owner"], next_path="/ui/review")
    bob = sign_in(second, browsing.served.keys["owner2"], next_path="/ui/review")
    for page in (ann, bob):  # both open the edit form on the same version
        _open_late_fee_mismatch(page)
    before = _api(browsing, "owner", "/v1/articles/late-payment-fee")["version"]
    ann_line = "- Pay in the Brightwater app at any time."
    _edit_late_fee(ann, lambda text: text.replace("## Details", f"{ann_line}\n\n## Details"))
    expect(ann.locator("#done")).to_contain_text("Saved as a new draft")
    _edit_late_fee(bob, lambda text: text.replace("never charge", "do not charge"))
    expect(bob.get_by_role("heading", level=1)).to_have_text("Someone else changed this article")
    expect(bob.get_by_role("alert")).to_contain_text(f"You looked at version {before}")
    expect(bob.locator(".diff ins")).to_contain_text([ann_line])
    expect(bob.locator("#unsaved-text")).to_have_value(re.compile("do not charge"))
    screenshot(bob, "review-conflict")
    saved = _api(browsing, "owner", "/v1/articles/late-payment-fee")
    assert saved["version"] == before + 1 and saved["status"] == "draft"
    assert ann_line in saved["body"] and "do not charge" not in saved["body"]
    first.close()
    second.close()


def test_owner_fixes_a_policy_mismatch_through_edit_submit_and_approve(
    own_browsing: Browsing,
) -> None:
    browsing = own_browsing
    served_version, served_text = _served_late_fee(browsing)
    assert "$15.00" in served_text
    owner = sign_in(new_context(browsing), browsing.served.keys["owner"], next_path="/ui/review")
    _open_late_fee_mismatch(owner)
    _edit_late_fee(owner, lambda text: text.replace("$15.00", "$20.00"))
    expect(owner.locator("#done")).to_contain_text("Saved as a new draft")
    expect(owner.locator("#state-late-payment-fee")).to_contain_text("last approved version")
    assert _served_late_fee(browsing) == (served_version, served_text)  # the draft is not served
    owner.get_by_text("Submit for approval late-payment-fee…").click()
    owner.get_by_role("button", name=re.compile("Confirm: submit for approval")).click()
    expect(owner.locator("#done")).to_contain_text("Submitted for approval")
    # Four eyes: the last editor is not offered Approve, and the page says why.
    expect(owner.get_by_text("Approve late-payment-fee…")).to_have_count(0)
    expect(owner.locator("#withheld-late-payment-fee")).to_contain_text("four eyes")
    assert _served_late_fee(browsing) == (served_version, served_text)

    admin = sign_in(new_context(browsing), browsing.served.keys["admin"], next_path="/ui/review")
    _open_late_fee_mismatch(admin)
    screenshot(admin, "review-approve")
    admin.get_by_text("Approve late-payment-fee…").click()
    admin.get_by_role("button", name=re.compile("Confirm: approve")).click()
    expect(admin.locator("#done")).to_contain_text("Approved")
    queue = admin.get_by_role("navigation", name=re.compile("Your queue"))
    mismatches = queue.get_by_role("link").filter(has_text="Disagrees with the policy")
    expect(mismatches.filter(has_text="late-payment-fee")).to_have_count(0)  # it resolved
    version, text = _served_late_fee(browsing)
    assert version > served_version and "$20.00" in text and "$15.00" not in text
    outside = [u for u in browsing.requested if not is_local(u, browsing.served.base)]
    assert not outside, outside
    owner.context.close()
    admin.context.close()
