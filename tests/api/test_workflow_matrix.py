"""The whole authorisation matrix of the workflow: every role x every action x own and another's
article, each cell against a fresh store (in process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Principal, Role
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.http.deps import get_after_write
from knowledge_service.review.etags import LOCAL
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_schemas import WorkflowAction
from knowledge_service.settings import Settings
from tests.api.conftest import PAYMENTS, SUPPORT, auth, issue_keys
from tests.factories import article_text, etag_of

SETUP = Principal(name="setup", prefix="local", role=Role.ADMIN)
ARTICLES = {"own": ("refund-timeframe", PAYMENTS), "another's": ("escalation-process", SUPPORT)}
PRINCIPALS = ["admin", "owner-of-it", "owner-of-another", "leader", "agent", "bot"]


def _text(article_id: str, owner: str, **fields: Any) -> str:
    extra = {"audience": "internal", "intents": ["support.escalate"]} if owner == SUPPORT else {}
    return article_text(article_id, owner=owner, **{**extra, **fields})


def _prepare(engine: Engine, settings: Settings, action: WorkflowAction, article_id: str) -> int:
    """Bring the article into a state where ``action`` is legal; its current version."""
    flow = Workflow(content.articles, settings.workflow)
    with session_scope(engine) as session:
        status = flow.status(session, SETUP, article_id)
        owner = status.owner
        drafted = (WorkflowAction.SUBMIT, WorkflowAction.APPROVE, WorkflowAction.REJECT)
        if action in (*drafted, WorkflowAction.DISCARD):
            text = _text(article_id, owner, answer="A new answer for review, in 3 days.")
            status = flow.edit(session, SETUP, article_id, text, LOCAL).status
        if action in (WorkflowAction.APPROVE, WorkflowAction.REJECT):
            status = flow.submit(session, SETUP, article_id, LOCAL).status
        return status.version


def _request(
    client: TestClient, action: WorkflowAction, article_id: str, owner: str, version: int
) -> Callable[[str], Any]:
    path, tag = f"/v1/articles/{article_id}", etag_of(article_id, version)
    bodies = {
        WorkflowAction.REJECT: {"reason": "not yet"},
        WorkflowAction.RESTORE: {"version": 1},
        WorkflowAction.REASSIGN: {"owner": "billing@example.com"},
    }
    if action is WorkflowAction.CREATE:
        text = _text("brand-new", owner, title="Brand new", intents=["billing.new"])
        return lambda key: client.post("/v1/articles", headers=auth(key), json={"text": text})
    if action is WorkflowAction.EDIT:
        text = _text(article_id, owner, answer="Edited answer.")
        headers = {"If-Match": tag}
        return lambda key: client.put(path, headers=auth(key) | headers, json={"text": text})
    body = bodies.get(action)
    return lambda key: client.post(
        f"{path}/{action}", headers=auth(key) | {"If-Match": tag}, json=body
    )


def _allowed(principal: str, action: WorkflowAction, whose: str) -> bool:
    if principal == "admin":
        return True
    if principal == "owner-of-it":
        return whose == "own" and action is not WorkflowAction.REASSIGN
    return False


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize("whose", list(ARTICLES))
@pytest.mark.parametrize("action", list(WorkflowAction))
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_authorisation_matrix(
    app: Any, engine: Engine, settings: Settings, principal: str, action: WorkflowAction,
    whose: str,
) -> None:  # fmt: skip
    app.dependency_overrides[get_after_write] = lambda: lambda _changes: None
    keys = issue_keys(engine)
    with session_scope(engine) as session:
        keys["owner-of-another"] = access.create_key(
            session, name="billing", role=Role.OWNER, owner="billing@example.com"
        ).secret
    keys["owner-of-it"] = keys["owner"]
    article_id, owner = ARTICLES[whose]
    version = _prepare(engine, settings, action, article_id)
    with TestClient(app) as client:
        response = _request(client, action, article_id, owner, version)(keys[principal])
    if _allowed(principal, action, whose):
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
