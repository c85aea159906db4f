"""The insights filters in Debian's Chromium against a real server: a plain form that works
without JavaScript, its values kept in the URL and carried to the downloads."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Browsing, is_local, sign_in

pytestmark = pytest.mark.slow


def test_a_leader_narrows_the_insights_without_javascript_and_downloads_what_is_shown(
    browsing: Browsing, tmp_path: Path
) -> None:
    context = browsing.browser.new_context(
        base_url=browsing.served.base, java_script_enabled=False, accept_downloads=True
    )
    context.on("request", lambda request: browsing.requested.append(request.url))
    page = sign_in(context, browsing.served.keys["leader"], next_path="/ui/insights")
    page.get_by_label("Period", exact=True).select_option("28")
    page.get_by_label("Channel", exact=True).select_option("chat")
    page.get_by_label("Intent", exact=True).fill("billing.due-date")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/ui/insights?*intent=billing.due-date*")
    asked = parse_qs(urlsplit(page.url).query)
    assert (asked["days"], asked["channel"], asked["intent"]) == (
        ["28"], ["chat"], ["billing.due-date"]
    )  # fmt: skip
    expect(page.get_by_label("Channel", exact=True)).to_have_value(
        "chat"
    )  # the form keeps its values
    expect(page.get_by_label("Intent", exact=True)).to_have_value("billing.due-date")
    expect(page.get_by_label("Period", exact=True)).to_have_value("28")
    demand = page.locator("#demand-table")
    expect(demand.locator("tbody th")).to_have_text(["billing.due-date"])
    expect(demand.locator("thead th")).to_have_text(["Intent", "chat"])
    shown = int(page.locator("#total-questions").inner_text())
    assert shown > 0
    with page.expect_download() as download:
        page.get_by_role("link", name="these measures").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name.endswith("-chat-billing.due-date.csv")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 28 and sum(int(r["answers"]) for r in rows) == shown
    with page.expect_download() as download:
        page.get_by_role("link", name="the answer log").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    logged = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert logged and {(r["channel"], r["intent"]) for r in logged} == {
        ("chat", "billing.due-date")
    }
    page.goto("/ui/insights?channel=fax")  # as a hand-edited URL would send it
    expect(page.get_by_role("alert")).to_contain_text("Channel: must be one of chat, voice")
    expect(page.get_by_label("Channel", exact=True)).to_have_attribute("aria-invalid", "true")
    assert all(is_local(url, browsing.served.base) for url in browsing.requested)
    context.close()
