"""Issuing and revoking API keys is written to the one audit log."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.audit import list_events
from knowledge_service.db import session_scope


def test_key_creation_and_revocation_are_audited_without_the_secret(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(
            session, name="desk", role=Role.OWNER, owner="pay@example.com", actor="ann"
        )
        access.revoke_key(session, issued.key.prefix, actor="bob")
    with Session(engine) as session:
        events = list_events(session, object_type="api_key", object_id="desk")
    assert [(e.action, e.actor) for e in events] == [("key_created", "ann"), ("key_revoked", "bob")]
    assert events[0].detail == {
        "role": "owner",
        "owner": "pay@example.com",
        "prefix": issued.key.prefix,
        "person": "desk",  # none given: the key is its own person
    }
    assert all(issued.secret not in str(e.detail) for e in events)


def test_failed_creation_writes_no_event(engine: Engine) -> None:
    with session_scope(engine) as session:
        access.create_key(session, name="desk", role=Role.AGENT)
    try:
        with session_scope(engine) as session:
            access.create_key(session, name="desk", role=Role.AGENT)
    except Exception:
        pass
    with Session(engine) as session:
        assert len(list_events(session, object_type="api_key")) == 1
