"""The pages' forms and query strings hold UTF-8: a field whose name or value is not (percent-
encoded or sent as it is) is a 400 naming it, and nothing is written. It was read with U+FFFD
for each such byte, so an owner's edit was saved as a draft holding U+FFFD where the bytes were,
and the assist page answered a question the agent never typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.app import create_app
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.freshness.pipeline import StoreChanges
from knowledge_service.http.deps import get_after_write
from knowledge_service.settings import Settings
from tests.api.conftest import FakeSearchService, issue_keys, seed_store
from tests.web.test_pages_unit import _edit_form, csrf_of, sign_in

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class _Search(FakeSearchService):
    embedder = None
    cache = None


@pytest.fixture
def written() -> list[StoreChanges]:
    """What the pages handed to the after-write pipeline."""
    return []


@pytest.fixture
def client(
    settings: Settings, engine: Engine, tmp_path: Path, written: list[StoreChanges]
) -> Iterator[TestClient]:
    seed_store(engine, tmp_path)
    app: FastAPI = create_app(settings, engine=engine, search_service=_Search())  # type: ignore[arg-type]
    app.dependency_overrides[get_after_write] = lambda: written.append
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return issue_keys(engine)


def _encoded(fields: dict[str, str]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()


@pytest.mark.parametrize(
    "bad", [b"%FF%FE", b"caf%E9", b"caf\xe9"], ids=["percent-encoded", "latin-1", "as-is"]
)
def test_an_edit_that_is_not_utf8_is_refused_naming_the_text_and_saves_nothing(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges],
    bad: bytes,
) -> None:  # fmt: skip
    text, form = _edit_form(client, keys["owner"])
    body = _encoded(form) + b"&text=" + quote(text).encode() + bad
    response = client.post("/ui/review/articles/refund-timeframe/edit", content=body, headers=FORM)
    assert response.status_code == 400, response.text
    assert "parameter &#39;text&#39;: its value is not valid UTF-8" in response.text
    with session_scope(engine) as session:
        current = content.get_article(session, "refund-timeframe")
    assert current.version == 2 and "\ufffd" not in current.raw
    assert written == []


def test_a_question_that_is_not_utf8_is_refused_naming_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["agent"])
    token = csrf_of(client.get("/ui/assist").text)
    body = _encoded({"csrf_token": token}) + b"&q=refund+%C0%AF"
    response = client.post("/ui/assist/answer", content=body, headers=FORM)
    assert response.status_code == 400, response.text
    assert "parameter &#39;q&#39;: its value is not valid UTF-8 (byte 7" in response.text


def test_a_form_in_utf8_is_read(client: TestClient, keys: dict[str, str]) -> None:
    """UTF-8 of any script, U+FFFD itself included, is text: the edit is saved."""
    text, form = _edit_form(client, keys["owner"])
    fixed = text.replace("5 business days", "5 business days (café \ufffd 😀)")
    body = _encoded({**form, "text": fixed})
    response = client.post("/ui/review/articles/refund-timeframe/edit", content=body, headers=FORM)
    assert response.status_code == 303, response.text


# The pages' query strings hold UTF-8, as their forms do: a parameter whose name or value,
# percent-decoded, is not UTF-8 is a 400 naming it (a page, or a download's problem+json).
# Starlette read such bytes as U+FFFD, so ``done=%FF`` showed the queue, a signed-in person's
# ``/ui/login?next=/ui/review%FF`` was sent on to ``/ui/review%EF%BF%BD``, and the insights
# downloads took ``since=%FF``. Other parameters, in UTF-8, are still ignored (docs/api.md).


NOT_UTF8 = {
    "/ui/review?done=%FF": ("owner", "done"),
    "/ui/review/findings/1?done=caf%E9": ("owner", "done"),
    "/ui/login?next=/ui/review%FF": ("admin", "next"),
    "/ui/assist?handoff=rcpt_%C0%AF": ("agent", "handoff"),
    "/ui/insights?days=7&%FF=1": ("leader", "\ufffd"),
}
"""Each address, the role that opens it and the parameter named (a name is shown as read)."""
TABLES = ("answers", "feedback", "measures")


@pytest.mark.parametrize("url", list(NOT_UTF8))
def test_a_page_s_parameter_that_is_not_utf8_is_a_400_page_naming_it(
    client: TestClient, keys: dict[str, str], url: str
) -> None:
    role, name = NOT_UTF8[url]
    sign_in(client, keys[role])
    response = client.get(url)
    assert response.status_code == 400, (response.status_code, response.headers)
    assert response.headers["content-type"].startswith("text/html")
    assert f"parameter &#39;{name}&#39;: its " in response.text
    assert "is not valid UTF-8" in response.text


def test_a_download_s_parameter_that_is_not_utf8_is_a_problem_naming_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    """``since`` is no parameter of these downloads (ignored in UTF-8), but its bytes are."""
    sign_in(client, keys["leader"])
    refusals = [client.get(f"/ui/insights/{t}.csv?days=7&since=%FF") for t in TABLES]
    assert {(r.status_code, r.headers["content-type"]) for r in refusals} == {
        (400, "application/problem+json")
    }
    for refusal in refusals:
        (error,) = refusal.json()["errors"]
        assert (error["parameter"], error["location"]) == ("since", "query")
        assert "not valid UTF-8" in error["problem"]


def test_the_sign_in_page_refuses_a_next_that_is_not_utf8(client: TestClient) -> None:
    response = client.get("/ui/login?next=%2Fui%2Freview%FF")
    assert response.status_code == 400
    assert "parameter &#39;next&#39;: its value is not valid UTF-8" in response.text


@pytest.mark.parametrize(
    "query", ["since=2026-11-01", "utm_source=mail&x=caf%C3%A9", "days=7&done=%EF%BF%BD"]
)
def test_other_parameters_in_utf8_are_still_ignored(
    client: TestClient, keys: dict[str, str], query: str
) -> None:
    """U+FFFD itself, sent as UTF-8, is text like any other."""
    sign_in(client, keys["admin"])
    for url in ("/ui/insights", "/ui/insights/answers.csv", "/ui/review"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, response.text[:300])
