"""The agent sidebar's other articles, opened, in Debian's Chromium against a real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Browsing, is_local, new_context, sign_in

pytestmark = pytest.mark.slow


def test_an_opened_other_article_shows_its_snippet_once(browsing: Browsing) -> None:
    """Opened, an entry of "Other articles" showed its snippet twice: in its summary line and
    again as the start of the article's answer below it. Once the article is there, the
    summary keeps only the title and the article's id; closed again, the snippet is back."""
    context = new_context(browsing, width=1280, height=900)
    page = sign_in(context, browsing.served.keys["agent"], next_path="/ui/assist")
    box = page.get_by_label("Customer's question")
    with page.expect_response("**/ui/assist/answer"):
        box.fill("how do I pay my bill")
        box.press("Enter")
    other = page.locator(".further details").first
    snippet = other.locator(":scope > summary .snippet")
    expect(snippet).to_be_visible()
    words = snippet.inner_text().rstrip("…").strip()
    assert words, "the entry has a snippet to compare"
    other.locator(":scope > summary").click()
    expect(other.locator(".opened .answer")).to_be_visible()
    expect(snippet).to_be_hidden()
    assert other.inner_text().count(words) == 1, other.inner_text()
    other.locator(
        ":scope > summary"
    ).click()  # closed: the summary line says what the article is again
    expect(snippet).to_be_visible()
    assert all(is_local(url, browsing.served.base) for url in browsing.requested)
    context.close()
