"""axe-core (vendored, served by the app) finds no serious or critical violation on any page,
the API documentation's (Swagger UI at /docs, ReDoc at /redoc) included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REPO_ROOT
from tests.web.conftest import Browsing, new_context, screenshot, sign_in
from tests.web.server import HANDOFF_RECEIPT

pytestmark = pytest.mark.slow

AXE = "/ui/static/vendor/axe-core/axe.min.js"


def _assist_with_answer(page: Page) -> None:
    page.get_by_label("Customer's question").fill("when is my bill due")
    page.keyboard.press("Enter")
    expect(page.locator("#answer-card")).to_be_visible()
    page.locator(".more summary").first.click()


def _assist_without_answer(page: Page) -> None:
    """No single answer: its feedback form, and one of the other articles opened."""
    page.get_by_label("Customer's question").fill("what is the capital of France")
    expect(page.locator("#answer-card")).to_contain_text("No single answer")
    with page.expect_response("**/ui/assist/answer"):
        page.keyboard.press("Enter")
    expect(page.locator("#answer-card")).to_contain_text("No single answer")
    page.locator(".further summary").first.click()
    expect(page.locator(".further .opened").first).to_be_visible()


def _first_finding(page: Page) -> None:
    page.get_by_role("navigation", name="Your queue").get_by_role("link").first.click()
    expect(page.locator(".evidence figure").first).to_be_visible()
    page.locator("details.confirm summary").first.click()


def _late_fee_finding(page: Page) -> None:
    """A finding whose article has a diff with a line wider than the window."""
    page.get_by_role("navigation", name="Your queue").get_by_role("link").filter(
        has_text="Disagrees with the policy"
    ).filter(has_text="late-payment-fee").click()
    expect(page.locator(".diff ins").first).to_be_visible()
    page.locator("details.confirm summary").first.click()


def _late_fee_diff_scrolling(page: Page) -> None:
    """The same, with the diff's lines unwrapped (as a browser without pre-wrap would show
    them): the diff scrolls, so the keyboard must reach it."""
    _late_fee_finding(page)
    diff = page.locator(".diff").first
    diff.evaluate("d => { d.style.whiteSpace = 'pre'; d.style.overflowWrap = 'normal'; }")
    assert diff.evaluate("d => d.scrollWidth > d.clientWidth")


def _first_article_item(page: Page) -> None:
    """A draft to approve or agents' feedback: the article's page in the queue."""
    page.locator('.queue a[href^="/ui/review/articles/"]').first.click()
    expect(page.locator("#article-title")).to_be_visible()
    page.locator("details.confirm summary").first.click()


def _insights_numbers(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")
    for summary in page.get_by_text("The numbers").all():
        summary.click()


def _api_docs(page: Page) -> None:
    """Swagger UI drawn, one operation opened (its parameters, responses and buttons)."""
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    page.locator(".opblock-summary-control").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()


def _api_docs_try_it_out(page: Page) -> None:
    """An operation with parameters and a body tried out: its fields, Execute and Cancel, and
    the response it got (a 401: no key)."""
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    for operation in ("#operations-answers-get_answer_v1_answer_get",
                      "#operations-answers-post_answer_v1_answer_post"):  # fmt: skip
        block = page.locator(operation)
        block.locator(".opblock-summary-control").click()
        block.get_by_role("button", name="Try it out").click()
        question = block.get_by_label("q (query)")
        if question.count():  # GET: the question is a parameter (POST: in the example body)
            question.fill("when is my bill due")
        block.get_by_role("button", name="Execute").click()
        expect(block.locator(".live-responses-table")).to_be_visible()


def _api_docs_authorize(page: Page) -> None:
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    page.locator(".btn.authorize").first.click()
    expect(page.locator(".modal-ux")).to_be_visible()


def _api_reference(page: Page) -> None:
    expect(page.locator("h1").first).to_contain_text("knowledge-service")
    expect(page.get_by_text("Resolve a question to one answer").first).to_be_attached()


# (name, role signed in or None, path, what to do before the scan)
PAGES: list[tuple[str, str | None, str, Callable[[Page], None] | None]] = [
    ("login", None, "/ui/login", None),
    ("home", "admin", "/ui", None),
    ("assist", "agent", "/ui/assist", None),
    ("assist-answer", "agent", "/ui/assist", _assist_with_answer),
    ("assist-no-answer", "agent", "/ui/assist", _assist_without_answer),
    ("handoff", "agent", f"/ui/assist/handoff/{HANDOFF_RECEIPT}", None),
    ("review", "owner", "/ui/review", None),
    ("review-finding", "owner", "/ui/review", _first_finding),
    ("review-diff", "owner", "/ui/review", _late_fee_finding),
    ("review-diff-narrow", "owner", "/ui/review", _late_fee_finding),
    ("review-diff-scrolling-narrow", "owner", "/ui/review", _late_fee_diff_scrolling),
    ("review-article", "admin", "/ui/review", _first_article_item),
    ("insights", "admin", "/ui/insights", _insights_numbers),
    ("insights-narrow", "admin", "/ui/insights", _insights_numbers),
    (
        "insights-filtered",
        "admin",
        "/ui/insights?days=28&channel=chat&intent=billing.due-date",
        _insights_numbers,
    ),
    ("insights-wrong-filter-narrow", "admin", "/ui/insights?channel=fax&from=2026-13-01", None),
    ("forbidden", "agent", "/ui/insights", None),
    ("not-found", "owner", "/ui/no-such-page", None),
    ("api-docs", None, "/docs", _api_docs),
    ("api-docs-narrow", None, "/docs", _api_docs),
    ("api-docs-try-it-out", None, "/docs", _api_docs_try_it_out),
    ("api-docs-authorize", None, "/docs", _api_docs_authorize),
    ("api-reference", None, "/redoc", _api_reference),
]


def _serious(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(url=AXE)  # same origin: the page's CSP allows it
    results: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("name", "role", "path", "prepare"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_serious_violation(
    browsing: Browsing,
    name: str,
    role: str | None,
    path: str,
    prepare: Callable[[Page], None] | None,
) -> None:
    narrow = name.startswith(("assist", "handoff", "login")) or name.endswith("-narrow")
    width = 360 if narrow else 1280
    context = new_context(browsing, width=width)
    if role is None:
        page = context.new_page()
        page.goto(path)
    else:
        page = sign_in(context, browsing.served.keys[role])
        page.goto(path)
    if prepare is not None:
        prepare(page)
    violations = _serious(page)
    screenshot(page, f"axe-{name}")
    context.close()
    assert not violations, violations


def test_axe_finds_no_serious_violation_on_a_policy_drafts_page(own_browsing: Browsing) -> None:
    """The policy page (a policy source's draft in review: its changes and what can be done)
    is in no shared server's queue, so it has a server of its own."""
    served = own_browsing.served
    headers = {"Authorization": f"Bearer {served.keys['admin']}"}
    flow = httpx.get(f"{served.base}/v1/policies/FEES/workflow", headers=headers, timeout=60)
    assert flow.status_code == 200, flow.text
    text = (REPO_ROOT / "policies" / "fees.md").read_text(encoding="utf-8")
    text = text.replace("## 1 Scope\n", "## 1 Scope\nDraft: a new line to review.\n", 1)
    headers["If-Match"] = flow.headers["etag"]
    edited = httpx.put(
        f"{served.base}/v1/policies/FEES", headers=headers, json={"text": text}, timeout=60
    )
    assert edited.status_code == 200, edited.text
    context = new_context(own_browsing)
    page = sign_in(context, served.keys["admin"], next_path="/ui/review/policies/FEES")
    expect(page.get_by_text("knowledge-service policies discard FEES")).to_be_visible()
    violations = _serious(page)
    screenshot(page, "axe-review-policy")
    context.close()
    assert not violations, violations
