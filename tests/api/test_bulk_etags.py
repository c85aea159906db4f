"""A bulk item's ``etag`` is one ETag, read as one value: never split like an If-Match list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from knowledge_service.audit import AuditEvent
from knowledge_service.db import session_scope
from knowledge_service.http.deps import get_after_write
from tests.api.conftest import auth
from tests.factories import etag_of

OTHER = {"id": "escalation-process", "etag": etag_of("escalation-process", 1)}
"""A well-formed first item: the malformed one is the second, ``items.1``."""


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The app with an after-write step that does nothing (the fake index has no sync)."""
    app.dependency_overrides[get_after_write] = lambda: lambda _changes: None
    with TestClient(app) as test_client:
        yield test_client


def _events(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


@pytest.mark.parametrize(
    "tag",
    [
        # a list, as If-Match may carry: its right ETag was picked out and the step ran
        f"{etag_of('refund-timeframe', 2)}, {etag_of('refund-timeframe', 1)}",
        f"{etag_of('other', 1)},{etag_of('refund-timeframe', 2)}",
        f"{etag_of('refund-timeframe', 2)},",
        "refund-timeframe-v2",  # the quotes lost: no ETag
        "*",  # names no version
        f" {etag_of('refund-timeframe', 2)}",
        '"refund"timeframe-v2"',
    ],
)
@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/v1/articles:bulk-verify", {}),
        ("/v1/articles:bulk-reassign", {"owner": "billing@example.com"}),
    ],
)
def test_a_bulk_items_etag_that_is_not_one_etag_is_a_400_naming_the_item_and_field(
    client: TestClient, keys: dict[str, str], engine: Engine,
    path: str, extra: dict[str, Any], tag: str,
) -> None:  # fmt: skip
    before = _events(engine)
    body = {"items": [OTHER, {"id": "refund-timeframe", "etag": tag}]} | extra
    response = client.post(path, json=body, headers=auth(keys["admin"]))
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert (error["parameter"], error["location"]) == ("items.1.etag", "body"), error
    assert "one ETag" in error["problem"], error
    assert _events(engine) == before


@pytest.mark.parametrize("tag", [etag_of("refund-timeframe", 2), 'W/"refund-timeframe-v2"'])
def test_a_bulk_items_etag_strong_or_weak_names_its_version(
    client: TestClient, keys: dict[str, str], tag: str
) -> None:
    response = client.post(
        "/v1/articles:bulk-verify",
        json={"items": [{"id": "refund-timeframe", "etag": tag}]},
        headers=auth(keys["admin"]),
    )
    assert response.status_code == 200, response.text
    assert [s["version"] for s in response.json()] == [3]


def test_a_bulk_items_etag_of_another_version_is_a_412(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    before = _events(engine)
    response = client.post(
        "/v1/articles:bulk-verify",
        json={"items": [{"id": "refund-timeframe", "etag": etag_of("refund-timeframe", 1)}]},
        headers=auth(keys["admin"]),
    )
    assert response.status_code == 412, response.text
    assert _events(engine) == before
