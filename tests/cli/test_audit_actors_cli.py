"""The command line's actors in the audit trail: a workflow step's ``--actor`` or an import's
``--author`` that bears an owner key's name is the command line's event (``via`` ``cli``), never
that key's, so the key's owner reads it only where it reads every event: on its own
documents."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge_service.access.schemas import Principal, Role
from knowledge_service.cli import common
from knowledge_service.db import session_scope
from knowledge_service.review import audit_log
from knowledge_service.review.queue_schemas import AuditFilters
from tests.cli.conftest import invoke
from tests.factories import write_article_md

PAYMENTS, SUPPORT = "payments@example.com", "support@example.com"


def test_a_command_line_actor_named_as_an_owner_key_is_not_that_owner_s_event(
    cli_store: Path,
) -> None:
    """``pay`` is payments' key; the operator imports as ``pay`` and steps support's article
    as ``pay``: payments reads its own article's events, and none of support's article (they
    showed as its key's own)."""
    write_article_md(cli_store / "content", "refund-timeframe", owner=PAYMENTS)
    write_article_md(cli_store / "content", "escalation-process", owner=SUPPORT)
    created = invoke("keys", "create", "--role", "owner", "--name", "pay", "--owner", PAYMENTS)
    assert created[0] == 0, created[1]
    assert invoke("import", "--author", "pay")[0] == 0
    steps = (
        ("verify", "escalation-process"),
        ("retire", "escalation-process"),
        ("restore", "escalation-process", "1"),
        ("reassign", "escalation-process", "--owner", "help@example.com"),
    )
    for step in steps:
        code, output = invoke("articles", *step, "--actor", "pay")
        assert code == 0, output
    payments = Principal(name="pay", prefix="0123456789ab", role=Role.OWNER, owner=PAYMENTS)
    with session_scope(common.engine()) as session:
        events, total = audit_log.list_audit_events(session, payments, AuditFilters(), limit=100)
    assert {e.object_id for e in events if e.object_type == "article"} == {"refund-timeframe"}
    assert total == len(events)
    code, output = invoke("audit", "--actor", "pay", "--json")
    assert code == 0, output
    made = [(e["object_id"], e["action"], e["via"]) for e in json.loads(output)["items"]]
    assert {via for _, _, via in made} == {"cli"}
    assert {action for _, action, _ in made} >= {"created", "verified", "reassigned"}
