"""A finding's review page with TestClient: its evidence as the sentences read, the article's
title as it reads, and who acknowledged it with their note."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.audit import list_events
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.rules import policy_evidence
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind
from knowledge_service.web.evidence_text import as_read, find_span
from tests.api.conftest import PAYMENTS
from tests.factories import make_policy, write_article_md, write_policy_md
from tests.web.test_pages_unit import (  # noqa: F401 (fixtures)
    client,
    csrf_of,
    keys,
    sign_in,
    web_app,
)

WRAPPED_ANSWER = (
    "If your bill is still unpaid 5 business days after the pay-by date, we charge a late fee of\n"
    "$15.00. We never charge more than one late\npayment fee per bill."
)
CLAUSE = {
    "2.1 Late payment fee": "A late payment fee of $20.00 is charged when a bill is still\n"
    "unpaid 5 business days after the pay-by date."
}


def _mismatch(engine: Engine, tmp_path: Path, **article: str) -> int:
    """late-fee (payments' article, its answer wrapped mid-sentence as Markdown sources are)
    against FEES#2.1 (wrapped too): the finding as the check makes it, its spans on one line."""
    roots = [tmp_path / "fees" / "content", tmp_path / "fees" / "policies"]
    write_article_md(roots[0], "late-fee", owner=PAYMENTS, answer=WRAPPED_ANSWER,
                     intents=["fees.late"], policy_sources=["FEES#2.1"], **article)  # fmt: skip
    write_policy_md(roots[1], "FEES", clauses=CLAUSE)
    content.import_content(engine, roots, max_file_bytes=1 << 20)
    sentence = "we charge a late fee of $15.00."
    finding = FindingData.create(
        FindingKind.POLICY_MISMATCH, ["late-fee"], "The article says $15.00 ...",
        [Evidence(article_id="late-fee", version=1, section="answer", text=sentence),
         policy_evidence(make_policy("FEES", clauses=CLAUSE), " ".join(
             CLAUSE["2.1 Late payment fee"].split()), clause="2.1")],
        policy_id="FEES", clause="2.1", fact_key="fee",
    )  # fmt: skip
    with session_scope(engine) as session:
        freshness.sync_findings(session, [finding], covered=lambda _row: False)
        found = freshness.list_findings(session, kind=FindingKind.POLICY_MISMATCH)
        return next(f.id for f in found if f.article_ids == ["late-fee"])


@pytest.fixture
def owner(client: TestClient, keys: dict[str, str]) -> TestClient:  # noqa: F811
    """The unit app signed in as the payments owner."""
    return sign_in(client, keys["owner"])


def _quotes(page: str) -> list[str]:
    return [html.unescape(q) for q in re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S)]


def test_the_evidence_reads_as_its_sentences_not_as_the_source_wraps_them(
    owner: TestClient, engine: Engine, tmp_path: Path
) -> None:
    """The evidence kept the Markdown source's line breaks, shown as they are (pre-wrap): "...
    a late payment" on one line and "fee per bill." on the next. Worse, a cited sentence the
    source wrapped was not found in its section, so the page showed the sentence alone, without
    the text around it. Each is now the sentence as it reads, the cited one highlighted in it."""
    finding_id = _mismatch(engine, tmp_path)
    page = owner.get(f"/ui/review/findings/{finding_id}")
    assert page.status_code == 200, page.text
    article, policy = _quotes(page.text)
    assert article == (
        "If your bill is still unpaid 5 business days after the pay-by date, "
        "<mark>we charge a late fee of $15.00.</mark> "
        "We never charge more than one late payment fee per bill."
    )
    assert policy == (
        "<mark>A late payment fee of $20.00 is charged when a bill is still unpaid 5 business "
        "days after the pay-by date.</mark>"
    )


def test_only_a_paragraph_s_soft_line_breaks_are_read_as_spaces() -> None:
    """A list item, a heading, a table row, a hard break and a code block keep their lines."""
    source = (
        "Pay by the due date\nto avoid the fee.\n\n## Ways to pay\n- Direct debit from\n"
        "  your bank\n- BPAY\n| way | fee |\n| card | 0.6% |\nLine one  \nline two\n"
        "```\nkeep\nthese\n```"
    )
    assert as_read(source) == (
        "Pay by the due date to avoid the fee.\n\n## Ways to pay\n- Direct debit from your bank\n"
        "- BPAY\n| way | fee |\n| card | 0.6% |\nLine one  \nline two\n```\nkeep\nthese\n```"
    )
    assert find_span("a fee of\n$15.00 applies", "fee of $15.00") == (
        "a ",
        "fee of\n$15.00",
        " applies",
    )


def test_an_article_s_heading_is_its_title_as_it_reads_not_its_markdown(
    owner: TestClient, engine: Engine, tmp_path: Path
) -> None:
    """The review page's heading and page title showed an article's title as written in its
    front matter ("The **late** fee: `$15` & <em>when</em>"), Markdown marks and tags and all,
    while the queue beside it and search showed its words; both now show the words, escaped."""
    title = "The **late** fee: `$15` & <em>when</em> <script>alert(1)</script>"
    roots = [tmp_path / "titled" / "content"]
    write_article_md(roots[0], "late-fee-draft", owner=PAYMENTS, title=title, status="draft",
                     intents=["fees.late.draft"])  # fmt: skip
    content.import_content(engine, roots, max_file_bytes=1 << 20)
    page = owner.get("/ui/review/articles/late-fee-draft")
    assert page.status_code == 200, page.text
    heading = re.search(r'<h2 id="article-title">(.*?) <span', page.text)
    assert heading is not None
    assert heading.group(1) == "The late fee: $15 &amp; when"
    assert "<title>Draft not yet submitted: The late fee: $15 &amp; when (late-fee-draft)" in (
        page.text
    )
    assert "**" not in page.text.split("<main", 1)[1].split('id="state-', 1)[0]


def test_an_acknowledged_finding_shows_who_acknowledged_it_when_and_their_note(
    owner: TestClient, engine: Engine
) -> None:
    """The note an owner gives when acknowledging was stored in the finding's history, but its
    page said only "acknowledged": the next owner could not see who had looked at it or why it
    was left. It now shows the key's name, the time and the note, escaped (stored redacted:
    without the characters no reader sees, such as a direction override)."""
    page = owner.get("/ui/review/findings/1")
    assert 'id="acknowledgement"' not in page.text  # open: nobody acknowledged it
    note = "Waiting for legal <script>alert(1)</script>\nuntil Friday\u202e"
    sent = owner.post(
        "/ui/review/findings/1/status",
        data={"csrf_token": csrf_of(page.text), "status": "acknowledged", "note": note},
    )
    assert sent.status_code == 303, sent.text
    with session_scope(engine) as session:
        (event,) = [e for e in list_events(session, object_type="finding", object_id="1")
                    if e.action == "acknowledged"]  # fmt: skip
        at = event.at.strftime("%Y-%m-%d %H:%M UTC")
    shown = owner.get("/ui/review/findings/1?done=acknowledged").text
    block = shown.split('<div class="acknowledgement" id="acknowledgement">', 1)[1]
    block = block.split("</div>", 1)[0]
    assert f"Acknowledged by <strong>test-owner</strong> on {at}, with this note:" in block
    assert (
        '<blockquote class="note">Waiting for legal &lt;script&gt;alert(1)&lt;/script&gt;\n'
        "until Friday</blockquote>"
    ) in block
    reopened = owner.post(
        "/ui/review/findings/1/status", data={"csrf_token": csrf_of(shown), "status": "open"}
    )
    assert reopened.status_code == 303, reopened.text
    assert 'id="acknowledgement"' not in owner.get("/ui/review/findings/1").text


def test_a_field_the_file_writes_otherwise_is_highlighted_in_its_front_matter(
    owner: TestClient, engine: Engine, tmp_path: Path
) -> None:
    """A finding quotes the field at fault as "policy_sources: FEES#9.9"; the file writes it as
    a list ("policy_sources: [FEES#9.9]" in the sample, or an item under the field), so the
    quote was not found in the front matter and the page showed it alone, without the fields
    around it (the sample's two blocking missing and retired clause findings), while a field
    written as quoted ("last_reviewed: ...") showed the whole front matter with it marked."""
    roots = [tmp_path / "missing" / "content"]
    write_article_md(roots[0], "late-fee", owner=PAYMENTS, intents=["fees.late"],
                     policy_sources=["FEES#9.9"])  # fmt: skip
    content.import_content(engine, roots, max_file_bytes=1 << 20)
    finding = FindingData.create(
        FindingKind.POLICY_MISSING, ["late-fee"], "Cites FEES#9.9, but FEES has no clause 9.9",
        [Evidence(article_id="late-fee", version=1, section="front matter",
                  text="policy_sources: FEES#9.9")],
        policy_id="FEES", clause="9.9", fact_key="9.9",
    )  # fmt: skip
    with session_scope(engine) as session:
        freshness.sync_findings(session, [finding], covered=lambda _row: False)
        (found,) = freshness.list_findings(session, kind=FindingKind.POLICY_MISSING)
    page = owner.get(f"/ui/review/findings/{found.id}")
    assert page.status_code == 200, page.text
    (quote,) = _quotes(page.text)
    assert "id: late-fee\ntitle: " in quote
    assert "\npolicy_sources:\n<mark>- FEES#9.9</mark>\nlast_reviewed: '2026-06-01'\n" in quote


def test_a_policy_s_field_is_highlighted_in_the_policy_s_front_matter(
    owner: TestClient, engine: Engine, tmp_path: Path
) -> None:
    """A policy's field ("effective_date: ...", "status: retired") was shown alone: it is in
    the policy's front matter, not its body, where the page looked for it."""
    _mismatch(engine, tmp_path)
    changed = FindingData.create(
        FindingKind.POLICY_CHANGED, ["late-fee"], "Policy FEES changed ...",
        [Evidence(article_id="late-fee", version=1, section="front matter",
                  text="last_reviewed: 2026-06-01"),
         policy_evidence(make_policy("FEES", clauses=CLAUSE), "effective_date: 2026-01-01")],
        policy_id="FEES", fact_key="1",
    )  # fmt: skip
    with session_scope(engine) as session:
        freshness.sync_findings(session, [changed], covered=lambda _row: False)
        (found,) = freshness.list_findings(session, kind=FindingKind.POLICY_CHANGED)
    page = owner.get(f"/ui/review/findings/{found.id}").text
    policy = page.split('class="source policy"', 1)[1].split("</figure>", 1)[0]
    assert "id: FEES\ntitle: Fees policy\nversion: &#39;1&#39;\n<mark>effective_date:" in policy
