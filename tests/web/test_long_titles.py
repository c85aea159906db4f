"""A title longer than its column, in a real browser: it wraps, the page never scrolls
sideways (WCAG 1.4.10)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import Browsing, new_context, screenshot, sign_in
from tests.web.server import OWNER

pytestmark = pytest.mark.slow

LONG_WORD = "Kangaroo" + "tokenpaymentsandrewards" * 4
"""One 100-character word in a title: wider than the sidebar, and than the card at 1280 px."""

ARTICLE = f"""---
id: kangaroo-tokens
title: Paying with {LONG_WORD} at an outlet
intents: [payments.kangaroo]
owner: {OWNER}
last_reviewed: 2026-05-01
next_review: 2037-05-01
status: published
audience: public
channels: [chat, agent, voice, email, web]
locale: en-AU
questions:
  - can I pay with kangaroo tokens
  - do you accept kangaroo tokens
---
You can pay your bill with kangaroo tokens at any Kangaroo outlet.
"""


def _publish(browsing: Browsing, text: str) -> None:
    """An admin writes the article and submits it; its owner approves it (four eyes)."""
    served = browsing.served
    admin = {"Authorization": f"Bearer {served.keys['admin']}"}
    made = httpx.post(f"{served.base}/v1/articles", headers=admin, json={"text": text}, timeout=60)
    assert made.status_code == 201, made.text
    submitted = httpx.post(
        f"{served.base}/v1/articles/kangaroo-tokens/submit", json={}, timeout=60,
        headers={**admin, "If-Match": made.headers["etag"]},
    )  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    owner = {"Authorization": f"Bearer {served.keys['owner']}"}
    approved = httpx.post(
        f"{served.base}/v1/articles/kangaroo-tokens/approve", json={}, timeout=60,
        headers={**owner, "If-Match": submitted.headers["etag"]},
    )  # fmt: skip
    assert approved.status_code == 200, approved.text


def test_an_answer_card_s_long_title_wraps_inside_the_card(own_browsing: Browsing) -> None:
    """The card's title sat beside its badge as wide as its longest word: a 100-character
    word pushed the badge and the page 924 px past a 360 px sidebar, and past a 1280 px window."""
    _publish(own_browsing, ARTICLE)
    context = new_context(own_browsing, width=360)
    page = sign_in(context, own_browsing.served.keys["agent"], next_path="/ui/assist")
    page.get_by_label("Customer's question").fill("can I pay with kangaroo tokens")
    page.get_by_label("Customer's question").press("Enter")
    expect(page.locator("#answer-title")).to_contain_text(LONG_WORD)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{width} px: the page is {sideways} px wider than the window"
        card = page.locator("#answer-card").bounding_box()
        assert card is not None
        for part in ("#answer-title", "#answer-card .card-head .badge"):
            box = page.locator(part).bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= card["x"] + card["width"], (width, part, box, card)
    screenshot(page, "assist-long-title")
    context.close()
