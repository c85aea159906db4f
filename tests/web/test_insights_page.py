"""The insights page with TestClient: the escalation reasons in words, and the filters."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.db import session_scope
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
