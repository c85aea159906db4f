"""Four eyes compare persons, not keys: one person holding two keys (an owner key and an admin
key, or a key and its successor) never approves their own edit with the other."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Principal, Role
from knowledge_service.audit import list_events
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidTransitionError
from knowledge_service.review.etags import LOCAL
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_models import WorkflowRecord
from knowledge_service.review.workflow_schemas import WorkflowAction as A
from knowledge_service.settings import WorkflowSettings
from tests.api.conftest import SUPPORT, seed_store
from tests.factories import article_text

DOC = "new-fees"  # a public draft of the seeded store, owned by SUPPORT
FLOW = Workflow(content.articles, WorkflowSettings())


def _key(engine: Engine, name: str, role: Role, person: str | None = None) -> Principal:
    owner = SUPPORT if role == Role.OWNER else None
    with session_scope(engine) as session:
        issued = access.create_key(session, name=name, role=role, owner=owner, person=person)
    with session_scope(engine) as session:
        return access.authenticate(session, issued.secret)


def _edit_and_submit(engine: Engine, who: Principal) -> None:
    text = article_text(
        DOC, owner=SUPPORT, status="draft", title="New fees", intents=["billing.fees"],
        answer=f"New fees, as {who.name} wrote them.",
    )  # fmt: skip
    with session_scope(engine) as session:
        FLOW.edit(session, who, DOC, text, LOCAL)
        FLOW.submit(session, who, DOC, LOCAL)


def _approve(engine: Engine, who: Principal) -> None:
    with session_scope(engine) as session:
        FLOW.approve(session, who, DOC, LOCAL)


@pytest.fixture
def seeded(engine: Engine, tmp_path: Path) -> Engine:
    seed_store(engine, tmp_path)
    return engine


def test_a_person_s_admin_key_may_not_approve_what_their_owner_key_edited(seeded: Engine) -> None:
    ann_owner = _key(seeded, "ann-owner", Role.OWNER, person="ann@example.com")
    ann_admin = _key(seeded, "ann-admin", Role.ADMIN, person="Ann@Example.com ")  # one person
    bob_admin = _key(seeded, "bob-admin", Role.ADMIN, person="bob@example.com")
    _edit_and_submit(seeded, ann_owner)
    with session_scope(seeded) as session:
        status = FLOW.status(session, ann_admin, DOC)
        assert (status.last_editor, status.last_editor_person) == ("ann-owner", "ann@example.com")
        assert A.APPROVE not in status.allowed_actions
        assert not FLOW.may_approve(session, ann_admin, DOC)
        assert A.APPROVE in FLOW.status(session, bob_admin, DOC).allowed_actions
    with pytest.raises(InvalidTransitionError) as barred:
        _approve(seeded, ann_admin)
    assert "four eyes: 'ann@example.com' (with the key 'ann-owner') made the last edit" in str(
        barred.value.why
    )
    _approve(seeded, bob_admin)  # another person may
    with Session(seeded) as session:
        events = list_events(session, object_type="article", object_id=DOC)
    assert [(e.action, e.actor, e.detail.get("person")) for e in events[-3:]] == [
        ("edited", "ann-owner", "ann@example.com"),
        ("submitted", "ann-owner", "ann@example.com"),
        ("approved", "bob-admin", "bob@example.com"),
    ]


def test_a_rotated_key_is_still_its_person_s_so_it_may_not_approve_the_old_key_s_edit(
    seeded: Engine,
) -> None:
    old = _key(seeded, "ann-2026", Role.ADMIN, person="ann@example.com")
    _edit_and_submit(seeded, old)
    with session_scope(seeded) as session:
        access.revoke_key(session, "ann-2026")
    new = _key(seeded, "ann-2027", Role.ADMIN, person="ann@example.com")
    with pytest.raises(InvalidTransitionError):
        _approve(seeded, new)


def test_keys_without_a_person_are_each_their_own_as_before(seeded: Engine) -> None:
    """A key created without --person is its name's person: four eyes judge it as they did."""
    desk = _key(seeded, "desk-admin", Role.ADMIN)
    other = _key(seeded, "other-admin", Role.ADMIN)
    assert (desk.person, other.person) == ("desk-admin", "other-admin")
    _edit_and_submit(seeded, desk)
    with pytest.raises(InvalidTransitionError):
        _approve(seeded, desk)
    _approve(seeded, other)


def test_a_record_written_before_persons_asks_the_key_it_names_who_holds_it_now(
    seeded: Engine,
) -> None:
    """A workflow record from before the upgrade names no person: the person of the key it
    names counts, including one named after the edit (``keys set-person``)."""
    ann_owner = _key(seeded, "ann-owner", Role.OWNER)
    ann_admin = _key(seeded, "ann-admin", Role.ADMIN, person="ann@example.com")
    _edit_and_submit(seeded, ann_owner)
    with session_scope(seeded) as session:  # as 0008 leaves a record written before it
        session.execute(update(WorkflowRecord).values(last_editor_person=None))
    with session_scope(seeded) as session:
        assert FLOW.may_approve(session, ann_admin, DOC)  # ann-owner's person: its own name
        access.set_person(session, "ann-owner", "ann@example.com")
    with session_scope(seeded) as session:
        assert not FLOW.may_approve(session, ann_admin, DOC)
    with pytest.raises(InvalidTransitionError):
        _approve(seeded, ann_admin)


def test_a_person_named_after_the_edit_is_barred_too(seeded: Engine) -> None:
    """An edit made with a key that did not yet name its person (recorded as the key's own
    name) is still its person's once ``keys set-person`` names them."""
    ann_owner = _key(seeded, "ann-owner", Role.OWNER)
    ann_admin = _key(seeded, "ann-admin", Role.ADMIN, person="ann@example.com")
    _edit_and_submit(seeded, ann_owner)
    with session_scope(seeded) as session:
        assert FLOW.status(session, ann_admin, DOC).last_editor_person == "ann-owner"
        access.set_person(session, "ann-owner", "ann@example.com")
    with pytest.raises(InvalidTransitionError):
        _approve(seeded, ann_admin)


def test_a_cli_actor_named_as_a_key_s_person_is_that_person() -> None:
    """A local actor (``--actor``) has no key: its name is its person."""
    actor = Principal(name="ann@example.com", prefix="local", role=Role.ADMIN)
    assert actor.person == "ann@example.com"
    given = Principal(name="ann-admin", prefix="p", role=Role.ADMIN, person="ann@example.com")
    assert given.person == "ann@example.com"
