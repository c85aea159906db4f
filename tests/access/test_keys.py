"""API keys: issued once, stored hashed, found by prefix, revocable; role permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from knowledge_service.access import service as access
from knowledge_service.access.key_cache import key_cache
from knowledge_service.access.models import ApiKey
from knowledge_service.access.schemas import Permission, Principal, Role, roles_for
from knowledge_service.audit import list_events
from knowledge_service.content.models import utcnow
from knowledge_service.db import session_scope
from knowledge_service.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
)


def test_key_is_shown_once_and_only_its_hash_is_stored(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="chatbot", role=Role.BOT)
    assert issued.secret.startswith(f"ks_{issued.key.prefix}_")
    with session_scope(engine) as session:
        row = session.exec(select(ApiKey)).one()
    assert row.key_hash == access.hash_key(issued.secret)
    secret_part = issued.secret.split("_", 2)[2]
    assert secret_part not in row.key_hash


def test_store_never_contains_the_raw_key(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="agent-desk", role=Role.AGENT)
    with engine.connect() as connection:  # every row of every table, as text
        dump = "\n".join(
            repr(tuple(row))
            for table in SQLModel.metadata.sorted_tables
            for row in connection.execute(sa_select(table))
        )
    assert issued.key.prefix in dump
    assert issued.secret not in dump
    assert issued.secret.split("_", 2)[2] not in dump


def test_two_keys_never_share_a_secret_or_prefix(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = access.create_key(session, name="a", role=Role.BOT)
        second = access.create_key(session, name="b", role=Role.BOT)
    assert first.secret != second.secret
    assert first.key.prefix != second.key.prefix


def test_authenticate_returns_the_caller(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="pay", role=Role.OWNER, owner="pay@example.com")
    with session_scope(engine) as session:
        principal = access.authenticate(session, issued.secret)
    assert principal == Principal(
        name="pay", prefix=issued.key.prefix, role=Role.OWNER, owner="pay@example.com"
    )


def _tamper(secret: str) -> str:
    return secret[:-1] + ("A" if secret[-1] != "A" else "B")


@pytest.mark.parametrize(
    "make_key",
    [
        pytest.param(lambda s: None, id="missing"),
        pytest.param(lambda s: "", id="empty"),
        pytest.param(lambda s: "not-a-key", id="malformed"),
        pytest.param(lambda s: "ks_000000000000_" + "x" * 43, id="unknown-prefix"),
        pytest.param(_tamper, id="wrong-secret"),
        pytest.param(lambda s: s + "x" * 300, id="overlong"),
        pytest.param(lambda s: s.replace("ks_", "kx_", 1), id="wrong-scheme"),
    ],
)
def test_bad_keys_do_not_authenticate(engine: Engine, make_key) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        issued = access.create_key(session, name="bot", role=Role.BOT)
    with session_scope(engine) as session, pytest.raises(AuthenticationError):
        access.authenticate(session, make_key(issued.secret))


def test_revoked_key_stops_working_by_name_or_prefix(engine: Engine) -> None:
    with session_scope(engine) as session:
        by_name = access.create_key(session, name="old-bot", role=Role.BOT)
        by_prefix = access.create_key(session, name="old-agent", role=Role.AGENT)
    with session_scope(engine) as session:
        access.revoke_key(session, "old-bot")
        access.revoke_key(session, by_prefix.key.prefix)
    for issued in (by_name, by_prefix):
        with session_scope(engine) as session, pytest.raises(AuthenticationError, match="revoked"):
            access.authenticate(session, issued.secret)
    with session_scope(engine) as session:
        assert [k.name for k in access.list_keys(session, include_revoked=False)] == []
        assert all(k.revoked_at is not None for k in access.list_keys(session))


def _expire(engine: Engine, name: str, *, ago: timedelta) -> None:
    """Move the expiry of key ``name`` to ``ago`` before now (the clock cannot be moved)."""
    with session_scope(engine) as session:
        key = session.exec(select(ApiKey).where(ApiKey.name == name)).one()
        key.expires_at = utcnow() - ago
        session.add(key)


def test_a_key_given_days_to_live_works_until_then_and_is_refused_as_expired_after(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="temp", role=Role.AGENT, expires_in_days=30)
        forever = access.create_key(session, name="desk", role=Role.AGENT)
    expires_at = issued.key.expires_at
    assert expires_at is not None and expires_at - issued.key.created_at == timedelta(days=30)
    assert forever.key.expires_at is None
    with session_scope(engine) as session:
        assert access.authenticate(session, issued.secret).name == "temp"
        listed = {k.name: k.expires_at for k in access.list_keys(session)}
    assert listed == {"temp": expires_at, "desk": None}
    _expire(engine, "temp", ago=timedelta(seconds=1))
    key_cache(engine).forget(issued.key.prefix)  # as another process would, 5 s later
    with session_scope(engine) as session, pytest.raises(AuthenticationError) as refused:
        access.authenticate(session, issued.secret)
    assert str(refused.value.message).startswith("the API key has expired")
    assert str(expires_at.year) not in refused.value.message  # says no more than that
    with session_scope(engine) as session:
        assert [k.name for k in access.list_keys(session, include_revoked=False)] == ["desk"]
        assert access.authenticate(session, forever.secret).name == "desk"  # as before
        with pytest.raises(AuthenticationError, match="not valid"):  # a guess learns nothing
            access.authenticate(session, issued.secret[:-1] + "x")


def test_a_cached_key_stops_working_the_moment_it_expires(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="temp", role=Role.AGENT, expires_in_days=1)
        access.authenticate(session, issued.secret)  # now in this process's cache
    credentials = key_cache(engine).get(issued.key.prefix)
    assert credentials is not None
    key_cache(engine).put(credentials._replace(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(AuthenticationError, match="expired"):
        access.authenticate_from_cache(engine, issued.secret)


@pytest.mark.parametrize("days", [0, -1, access.MAX_EXPIRY_DAYS + 1])
def test_a_key_s_days_to_live_are_1_to_ten_years(engine: Engine, days: int) -> None:
    with session_scope(engine) as session, pytest.raises(InvalidRequestError) as refused:
        access.create_key(session, name="temp", role=Role.BOT, expires_in_days=days)
    assert refused.value.parameter == "expires_in_days"


def test_revoking_twice_or_an_unknown_key_is_an_error(engine: Engine) -> None:
    with session_scope(engine) as session:
        access.create_key(session, name="k", role=Role.BOT)
        access.revoke_key(session, "k")
        with pytest.raises(ConflictError):
            access.revoke_key(session, "k")
        with pytest.raises(NotFoundError):
            access.revoke_key(session, "nobody")


def test_a_name_that_is_another_keys_prefix_is_refused_as_ambiguous(engine: Engine) -> None:
    """`keys revoke 632bba29b4c4` revoked the key *named* so, whatever the operator meant: a
    key named after another's prefix made the leader's key unrevocable by its prefix."""
    with session_scope(engine) as session:
        leader = access.create_key(session, name="leader", role=Role.LEADER).key
        clash = access.create_key(session, name=leader.prefix, role=Role.BOT).key
    with session_scope(engine) as session, pytest.raises(ConflictError) as refused:
        access.revoke_key(session, leader.prefix)
    assert clash.prefix in str(refused.value) and "'leader'" in str(refused.value)
    with session_scope(engine) as session:
        assert [k.revoked_at for k in session.exec(select(ApiKey)).all()] == [None, None]
        access.revoke_key(session, clash.prefix)  # each by what is its own alone
        access.revoke_key(session, "leader")
    with session_scope(engine) as session:
        assert all(k.revoked_at for k in session.exec(select(ApiKey)).all())


@pytest.mark.parametrize(
    ("name", "role", "owner", "error"),
    [
        ("", Role.BOT, None, InvalidRequestError),
        ("  ", Role.BOT, None, InvalidRequestError),
        ("x" * 201, Role.BOT, None, InvalidRequestError),
        ("pay", Role.OWNER, None, InvalidRequestError),
        ("pay", Role.AGENT, "pay@example.com", InvalidRequestError),
        ("taken", Role.BOT, None, ConflictError),
    ],
)
def test_invalid_key_requests_are_refused(
    engine: Engine, name: str, role: Role, owner: str | None, error: type[Exception]
) -> None:
    with session_scope(engine) as session:
        access.create_key(session, name="taken", role=Role.ADMIN)
    with session_scope(engine) as session, pytest.raises(error):
        access.create_key(session, name=name, role=role, owner=owner)


@pytest.mark.parametrize(
    ("name", "owner", "parameter", "found"),
    [
        ("chat\nbot", None, "name", "U+000A"),
        ("chat\tbot", None, "name", "U+0009"),
        ("pay", "pay@example.com\x1b[31m", "owner", "U+001B"),
    ],
)
def test_a_key_name_or_owner_is_one_line_of_printable_text(
    engine: Engine, name: str, owner: str | None, parameter: str, found: str
) -> None:
    """Keys are listed one to a line, and their names and owners quoted in the audit log: a
    line break or a terminal escape in one was stored as given."""
    role = Role.OWNER if owner else Role.BOT
    with session_scope(engine) as session, pytest.raises(InvalidRequestError) as refused:
        access.create_key(session, name=name, role=role, owner=owner)
    assert refused.value.parameter == parameter and found in refused.value.problem
    with session_scope(engine) as session:
        assert session.exec(select(ApiKey)).all() == []


@pytest.mark.parametrize(
    ("permission", "roles"),
    [
        (Permission.ANSWER, (Role.BOT, Role.AGENT, Role.OWNER, Role.LEADER, Role.ADMIN)),
        (Permission.SEARCH, (Role.AGENT, Role.OWNER, Role.LEADER, Role.ADMIN)),
        (Permission.READ_ARTICLES, (Role.AGENT, Role.OWNER, Role.LEADER, Role.ADMIN)),
        (Permission.READ_POLICIES, (Role.AGENT, Role.OWNER, Role.LEADER, Role.ADMIN)),
        (Permission.READ_FINDINGS, (Role.AGENT, Role.OWNER, Role.LEADER, Role.ADMIN)),
        (Permission.UPDATE_FINDINGS, (Role.OWNER, Role.ADMIN)),
        (Permission.READ_MEASURES, (Role.LEADER, Role.ADMIN)),
        (Permission.ADMINISTER, (Role.ADMIN,)),
    ],
)
def test_role_permission_table(permission: Permission, roles: tuple[Role, ...]) -> None:
    assert roles_for(permission) == roles


def test_only_the_owner_or_an_admin_passes_the_ownership_check() -> None:
    owner = Principal(name="o", prefix="p", role=Role.OWNER, owner="pay@example.com")
    admin = Principal(name="a", prefix="q", role=Role.ADMIN)
    access.authorize_owner(owner, {"pay@example.com", "other@example.com"}, "change it")
    access.authorize_owner(admin, {"someone@example.com"}, "change it")
    with pytest.raises(PermissionDeniedError):
        access.authorize_owner(owner, {"someone@example.com"}, "change it")
    with pytest.raises(PermissionDeniedError):
        access.authorize_owner(owner, set(), "change it")


def test_a_key_names_the_person_holding_it_and_by_default_is_its_own(engine: Engine) -> None:
    """Four eyes compare persons: a key says whose it is; without --person, its name (never the
    owner, which is a team every one of whose members may approve the others' edits)."""
    with session_scope(engine) as session:
        ann = access.create_key(
            session, name="ann-owner", role=Role.OWNER, owner="pay@example.com",
            person=" ann@example.com ",
        )  # fmt: skip
        desk = access.create_key(session, name="desk", role=Role.OWNER, owner="pay@example.com")
    assert (ann.key.person, desk.key.person) == ("ann@example.com", "desk")
    with session_scope(engine) as session:
        assert access.authenticate(session, ann.secret).person == "ann@example.com"
        assert access.authenticate(session, desk.secret).person == "desk"
        listed = {k.name: k.person for k in access.list_keys(session)}
    assert listed == {"ann-owner": "ann@example.com", "desk": "desk"}


def test_naming_a_key_s_person_later_applies_at_once_and_is_audited(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="old-admin", role=Role.ADMIN)
    with session_scope(engine) as session:
        assert access.authenticate(session, issued.secret).person == "old-admin"  # now cached
        access.revoke_key(session, "old-admin")
    with session_scope(engine) as session:  # a revoked key too: its edits are still its person's
        public = access.set_person(session, issued.key.prefix, "ann@example.com", actor="bob")
    assert public.person == "ann@example.com"
    with session_scope(engine) as session:
        assert access.person_of(session, "old-admin") == "ann@example.com"
        assert access.person_of(session, "a-cli-actor") == "a-cli-actor"  # no key: the name
        events = list_events(session, object_type="api_key", object_id="old-admin")
    assert (events[-1].action, events[-1].actor, events[-1].detail["person"]) == (
        "key_person_set", "bob", "ann@example.com",
    )  # fmt: skip
    assert events[-1].detail["before"] == "old-admin"


def test_a_cached_key_s_new_person_applies_at_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="desk", role=Role.ADMIN)
    with session_scope(engine) as session:
        assert access.authenticate(session, issued.secret).person == "desk"
        access.set_person(session, "desk", "ann@example.com")
    assert access.authenticate_from_cache(engine, issued.secret) is None  # dropped on commit
    with session_scope(engine) as session:
        assert access.authenticate(session, issued.secret).person == "ann@example.com"


@pytest.mark.parametrize(("person", "found"), [("", "1 to 200"), ("a" * 201, "1 to 200"),
                                               ("ann\n@example.com", "U+000A")])  # fmt: skip
def test_a_person_is_one_line_of_1_to_200_characters(
    engine: Engine, person: str, found: str
) -> None:
    with session_scope(engine) as session, pytest.raises(InvalidRequestError) as refused:
        access.create_key(session, name="desk", role=Role.BOT, person=person)
    assert refused.value.parameter == "person" and found in refused.value.problem
    with session_scope(engine) as session:
        access.create_key(session, name="desk", role=Role.BOT)
    with session_scope(engine) as session, pytest.raises(InvalidRequestError):
        access.set_person(session, "desk", person)
    with session_scope(engine) as session, pytest.raises(NotFoundError):
        access.set_person(session, "nobody", "ann@example.com")
