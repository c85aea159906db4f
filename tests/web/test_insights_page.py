"""The insights page with TestClient: the escalation reasons in words, and the filters."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.analytics import demo_traffic
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.app import create_app
from knowledge_service.db import session_scope
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.settings import Settings
from tests.api.conftest import FakeSearchService, auth, seed_store
from tests.conftest import TODAY
from tests.web.test_pages_unit import client, keys, sign_in, web_app  # noqa: F401 (fixtures)


def _log(engine: Engine, *events: tuple[int, str, str | None, str, str | None]) -> None:
    """(days ago, channel, intent, status, reason): one answer each, at 09:00 UTC."""
    with session_scope(engine) as session:
        for days_ago, channel, intent, status, reason in events:
            at = datetime.combine(TODAY - timedelta(days=days_ago), time(9), UTC)
            session.add(AnswerEvent(
                kind="answer", question="q", latency_ms=1.0, channel=channel, intent=intent,
                status=status, reason=reason, at=at,
            ))  # fmt: skip


def _header_cells(page: str, caption: str) -> list[str]:
    table = page.split(f'<caption class="visually-hidden">{caption}</caption>', 1)[1]
    head = table.split("</thead>", 1)[0]
    cells = re.findall(r'<th scope="col">(.*?)</th>', head, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "|", c)).strip("|") for c in cells]


def test_the_escalations_table_names_each_reason_in_words_with_its_code(
    client: TestClient,  # noqa: F811
    keys: dict[str, str],  # noqa: F811
    engine: Engine,
) -> None:
    """The table's columns were the codes with spaces ("blocked by finding", "human
    requested"); each is now in words, with the code BI exports use beside it."""
    _log(engine, (0, "chat", None, "escalate", "blocked_by_finding"),
         (1, "chat", None, "escalate", "human_requested"))  # fmt: skip
    sign_in(client, keys["leader"])
    page = client.get("/ui/insights?days=7").text
    assert _header_cells(page, "Escalations per day by reason") == [
        "Day", "Asked for a person |human_requested", "Blocked by a finding |blocked_by_finding",
    ]  # fmt: skip


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _hrefs(page: str) -> dict[str, str]:
    """The insights links by their words: href, unescaped."""
    found = re.findall(r'<a href="(/ui/insights[^"]*)"[^>]*>([^<]+)</a>', page)
    return {words: html.unescape(href) for href, words in found}


def test_the_filters_narrow_the_page_and_every_download_carries_them(
    client: TestClient,  # noqa: F811
    keys: dict[str, str],  # noqa: F811
    engine: Engine,
) -> None:
    """The page had no filters but the period: a leader could not narrow the measures to a
    channel, an intent or given dates, and the downloads could not either. The form's values
    stay in the URL and in the form, and each download holds what the page counts."""
    _log(
        engine, (0, "chat", "billing.due-date", "answered", "confident"),
        (0, "voice", "billing.due-date", "answered", "confident"),
        (1, "chat", "fees.late.payment", "escalate", "blocked_by_finding"),
        (10, "chat", "billing.due-date", "answered", "confident"),
    )  # fmt: skip
    with session_scope(engine) as session:
        for days_ago, channel, intent in [(0, "chat", "billing.due-date"), (0, "voice", None)]:
            at = datetime.combine(TODAY - timedelta(days=days_ago), time(10), UTC)
            session.add(Feedback(receipt=f"rcpt_{channel:0>32}", rating="wrong", at=at,
                                 channel=channel, intent=intent))  # fmt: skip
    sign_in(client, keys["leader"])
    asked = f"from={_day(2)}&to={_day(0)}&channel=chat&intent=billing.due-date"
    response = client.get(f"/ui/insights?{asked}")
    assert response.status_code == 200, response.text
    page = response.text
    assert re.search(r'id="total-questions">1<', page)
    assert f'<input id="filter-from" name="from" type="date" value="{_day(2)}"' in page
    assert 'value="billing.due-date"' in page and '<option value="chat" selected>' in page
    links = _hrefs(page)
    carried = f"days=7&{asked}"
    for words, path in [("these measures", "measures.csv"), ("the answer log", "answers.csv"),
                        ("the feedback", "feedback.csv")]:  # fmt: skip
        assert links[words] == f"/ui/insights/{path}?{carried}", links
    measures = list(csv.DictReader(io.StringIO(client.get(links["these measures"]).text)))
    assert [r["day"] for r in measures] == [_day(2), _day(1), _day(0)]
    assert [r["answers"] for r in measures] == ["0", "0", "1"]
    answers = client.get(links["the answer log"])
    assert answers.status_code == 200, answers.text
    name = f"answers-{_day(2)}-to-{_day(0)}-chat-billing.due-date.csv"
    assert answers.headers["content-disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.DictReader(io.StringIO(answers.text)))
    assert [(r["channel"], r["intent"], r["at"][:10]) for r in rows] == [
        ("chat", "billing.due-date", _day(0))
    ]
    ratings = list(csv.DictReader(io.StringIO(client.get(links["the feedback"]).text)))
    assert [(r["channel"], r["intent"]) for r in ratings] == [("chat", "billing.due-date")]
    earlier = client.get(f"/ui/insights/answers.csv?from={_day(12)}&to={_day(5)}")
    assert [r["at"][:10] for r in csv.DictReader(io.StringIO(earlier.text))] == [_day(10)]
    assert links["28 days"] == "/ui/insights?days=28&channel=chat&intent=billing.due-date"
    assert 'aria-current="page">28 days' not in page  # given dates are no preset period


def test_blank_filters_are_no_filters(
    client: TestClient,  # noqa: F811
    keys: dict[str, str],  # noqa: F811
    engine: Engine,
) -> None:
    """The form sends its empty fields (``from=&channel=``): all channels, the period chosen."""
    _log(engine, (0, "chat", None, "answered", "confident"), (0, "voice", None, "answered", None))
    sign_in(client, keys["leader"])
    response = client.get("/ui/insights?days=28&from=&to=&channel=&intent=+")
    assert response.status_code == 200, response.text
    assert re.search(r'id="total-questions">2<', response.text)
    assert "<title>Insights · knowledge-service</title>" in response.text
    assert 'href="/ui/insights?days=28" aria-current="page">28 days' in response.text
    assert 'href="/ui/insights/measures.csv?days=28"' in response.text


WRONG = [
    (
        "channel=fax",
        "channel",
        "Channel: must be one of chat, voice, email, web, agent (got 'fax')",
    ),
    ("intent=Late+Fees!", "intent", "Intent: must be an intent as articles write them"),
    (
        "intent=billing.fee",
        "intent",
        "Intent: no article has this intent and no answer was logged with it (got "
        "'billing.fee'); did you mean billing.fees?",
    ),
    ("from=2026-13-01", "from", "From: must be an ISO date such as 2026-11-24 (got '2026-13-01')"),
    (f"from={_day(0)}&to={_day(3)}", "from", f"From: must not be after to ({_day(3)})"),
    (f"from={_day(400)}", "from", "From: the range may span at most 366 days"),
    ("days=abc", "days", "Period: must be a whole number of days from 1 to 366 (got 'abc')"),
    ("days=0", "days", "Period: must be a whole number of days from 1 to 366 (got '0')"),
    ("days=" + "9" * 5000, "days", "Period: must be a whole number of days from 1 to 366"),
]


@pytest.mark.parametrize(("query", "name", "words"), WRONG, ids=[w[0][:24] for w in WRONG])
def test_a_wrong_filter_comes_back_in_the_form_saying_what_is_wrong(
    client: TestClient,  # noqa: F811
    keys: dict[str, str],  # noqa: F811
    query: str,
    name: str,
    words: str,
) -> None:
    """A value typed wrong (or edited in the URL) is a 400 page with the form, the field
    marked and what is wrong with it, not a 500 nor measures nobody asked for; a download's
    is the API's problem+json naming the parameter."""
    sign_in(client, keys["leader"])
    response = client.get(f"/ui/insights?{query}")
    assert response.status_code == 400, response.text
    page = html.unescape(response.text)
    assert f'<p class="field-error" id="filter-{name}-error">{words}' in page
    field = re.search(rf'<(?:input|select) id="filter-{name}"[^>]*>', page)
    assert field and 'aria-invalid="true"' in field.group(0), page
    assert f"filter-{name}-error" in field.group(0)
    assert 'role="alert"' in page and 'id="total-questions"' not in page
    assert "<title>Error: Insights · knowledge-service</title>" in page  # said first by its title
    for path in ("measures", "answers", "feedback"):
        download = client.get(f"/ui/insights/{path}.csv?{query}")
        assert download.status_code == 400, (path, download.text)
        assert download.headers["content-type"] == "application/problem+json"
        assert f"'{name}'" in download.json()["detail"]


def test_an_intent_no_article_has_and_nobody_asked_about_is_refused_as_a_wrong_channel_is(
    client: TestClient,  # noqa: F811
    keys: dict[str, str],  # noqa: F811
    engine: Engine,
) -> None:
    """A well-formed intent that exists nowhere ("billing.fee" for billing.fees) showed every
    measure as zero, as if nobody had asked about it: a typo read as no demand. It is now
    refused in the form, as a channel that does not exist is (above), naming the intents it
    is near; an article's intent nobody asked about, and an intent only the answer log names
    (an article's former intent), still show their measures."""
    _log(engine, (0, "chat", "billing.retired-intent", "answered", "confident"))
    sign_in(client, keys["leader"])
    far = client.get("/ui/insights?intent=zzz.qqq")
    assert far.status_code == 400
    assert "(got &#39;zzz.qqq&#39;)</p>" in far.text  # nothing near it: no suggestion
    for known, asked in [("billing.fees", 0), ("billing.retired-intent", 1)]:
        page = client.get(f"/ui/insights?intent={known}")
        assert page.status_code == 200, page.text
        assert re.search(rf'id="total-questions">{asked}<', page.text), known
        assert client.get(f"/ui/insights/measures.csv?intent={known}").status_code == 200


class _GapSearch(FakeSearchService):
    """Finds no article, with an encoder for clustering the questions into gaps."""

    embedder = HashEmbedder()

    def search(self, query: str, *, top_k: int = 10) -> list[Any]:
        return []


@pytest.fixture
def gap_client(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    seed_store(engine, tmp_path)
    app = create_app(settings, engine=engine, search_service=_GapSearch())  # type: ignore[arg-type]
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _gaps_on_the_page(page: str) -> list[str]:
    section = page.split('id="gaps-title"', 1)[1].split("</section>", 1)[0]
    return sorted(html.unescape(q) for q in re.findall(r'<li class="quote">(.*?)</li>', section))


def test_the_content_gaps_are_those_of_the_page_s_channel_and_intent(
    gap_client: TestClient,
    keys: dict[str, str],  # noqa: F811
    engine: Engine,
) -> None:
    """The gaps were every channel's and every intent's whatever the filters, under measures
    narrowed to one channel and one intent: a leader looking at voice was shown chat's gaps.
    They are now the questions the measures count, as ``GET /v1/metrics/gaps`` gives them."""
    asked = [("where is my parcel", "chat", "delivery.parcel"),
             ("how do i change my pin", "voice", "cards.pin"),
             ("zzz qqq xxx", "chat", None)]  # fmt: skip
    with session_scope(engine) as session:
        for i, (question, channel, intent) in enumerate(asked * 2):  # each asked twice: a gap
            session.add(AnswerEvent(
                kind="answer", question=question, latency_ms=1.0, channel=channel, intent=intent,
                status="no_answer", reason="no_article", confidence=0.1,
                at=datetime.combine(TODAY, time(9, i), UTC),
            ))  # fmt: skip
    sign_in(gap_client, keys["leader"])
    for query, shown in [
        ("days=7", ["how do i change my pin", "where is my parcel", "zzz qqq xxx"]),
        ("days=7&channel=voice", ["how do i change my pin"]),
        ("days=7&channel=chat", ["where is my parcel", "zzz qqq xxx"]),
        ("days=7&intent=delivery.parcel", ["where is my parcel"]),
        ("days=7&channel=voice&intent=delivery.parcel", []),
    ]:
        page = gap_client.get(f"/ui/insights?{query}")
        assert page.status_code == 200, page.text
        assert _gaps_on_the_page(page.text) == shown, query
        api = gap_client.get(f"/v1/metrics/gaps?{query[7:]}", headers=auth(keys["leader"]))
        assert api.status_code == 200, api.text
        assert sorted(q for g in api.json() for q in g["examples"]) == shown, query
    assert 'about <span class="mono">delivery.parcel</span>, the intent' in page.text


@pytest.mark.parametrize(
    ("ahead", "last_days_ago"),
    [(10, 10), (-30, 0)],  # KS_TODAY 10 days after the real date; 30 days before it
)
def test_the_default_period_ends_on_the_last_day_answers_can_have(
    client: TestClient,  # noqa: F811
    keys: dict[str, str],  # noqa: F811
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    ahead: int,
    last_days_ago: int,
) -> None:
    """With KS_TODAY after the real date (``make demo KS_TODAY=...`` to show a later day), the
    default week ended on KS_TODAY while every answer, the demo's seeded ones too, is recorded
    at the real time: a fresh demo's insights page was empty. The period now ends on the real
    date then, the day ``demo seed-traffic`` ends its days on; a KS_TODAY before the real date
    still ends it (the suite's own case). ``/v1/metrics/summary`` ends its default on the same
    day."""
    real_now = datetime.combine(TODAY - timedelta(days=ahead), time(12), UTC)
    monkeypatch.setattr("knowledge_service.clock.now", lambda: real_now)
    _log(engine, *[(last_days_ago + back, "chat", None, "answered", "confident")
                   for back in range(7)])  # fmt: skip
    sign_in(client, keys["leader"])
    page = client.get("/ui/insights").text
    assert f"{_day(last_days_ago + 6)} to {_day(last_days_ago)}" in page, page
    assert re.search(r'id="total-questions">7<', page), page
    assert demo_traffic.last_day(TODAY, real_now).isoformat() == _day(last_days_ago)
    measures = list(csv.DictReader(io.StringIO(client.get("/ui/insights/measures.csv").text)))
    assert [r["day"] for r in measures][-1] == _day(last_days_ago)
    assert sum(int(r["answers"]) for r in measures) == 7
    summary = client.get("/v1/metrics/summary", headers=auth(keys["leader"])).json()
    assert (summary["to"], summary["totals"]["answers"]) == (_day(last_days_ago), 7), summary
