"""The key cache: authentication asks the store once per ``KEY_CACHE_SECONDS`` and key; a key
revoked by another process stops working within that bound, one revoked here at once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.key_cache import (
    KEY_CACHE_SECONDS,
    KeyCache,
    KeyCredentials,
    key_cache,
)
from knowledge_service.access.schemas import Role
from knowledge_service.db import make_engine, session_scope
from knowledge_service.errors import AuthenticationError
from knowledge_service.settings import Settings
from tests.api.conftest import auth
from tests.server import run_cli, serving, wait_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def key_queries(engine: Engine) -> list[str]:
    """Every statement ``engine`` sends that reads the key table, from now on."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "api_key" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def authenticate(engine: Engine, secret: str) -> str:
    with session_scope(engine) as session:
        return access.authenticate(session, secret).name


@pytest.fixture
def clock(engine: Engine) -> Clock:
    fake = Clock()
    key_cache(engine).clock = fake
    return fake


def issue(engine: Engine, name: str) -> str:
    with session_scope(engine) as session:
        return access.create_key(session, name=name, role=Role.BOT).secret


def revoke(engine: Engine, name: str) -> None:
    with session_scope(engine) as session:
        access.revoke_key(session, name)


def test_a_known_key_is_read_from_the_store_once_per_period(engine: Engine, clock: Clock) -> None:
    secret = issue(engine, "bot")
    queries = key_queries(engine)
    assert [authenticate(engine, secret) for _ in range(3)] == ["bot"] * 3
    assert len(queries) == 1
    clock.now += KEY_CACHE_SECONDS
    assert authenticate(engine, secret) == "bot"
    assert len(queries) == 2


def test_key_revoked_by_another_process_stops_working_within_the_bound(
    engine: Engine, settings: Settings, clock: Clock
) -> None:
    secret = issue(engine, "bot")
    assert authenticate(engine, secret) == "bot"
    other = make_engine(settings.database_url)  # another replica, or the keys CLI
    try:
        revoke(other, "bot")
    finally:
        other.dispose()
    clock.now += KEY_CACHE_SECONDS - 0.5
    assert authenticate(engine, secret) == "bot"  # the documented delay
    clock.now += 0.5
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(engine, secret)


def test_key_revoked_through_this_process_stops_working_at_once(
    engine: Engine, clock: Clock
) -> None:
    secret = issue(engine, "bot")
    assert authenticate(engine, secret) == "bot"
    revoke(engine, "bot")
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(engine, secret)


def test_a_revocation_rolled_back_leaves_the_key_working(engine: Engine, clock: Clock) -> None:
    secret = issue(engine, "bot")
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        access.revoke_key(session, "bot")
        raise RuntimeError("the caller fails before committing")
    assert authenticate(engine, secret) == "bot"


def test_a_cached_prefix_with_a_wrong_secret_is_refused(engine: Engine, clock: Clock) -> None:
    secret = issue(engine, "bot")
    assert authenticate(engine, secret) == "bot"
    with pytest.raises(AuthenticationError, match="not valid"):
        authenticate(engine, secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB"))


def test_unknown_keys_are_not_cached(engine: Engine, clock: Clock) -> None:
    for n in range(5):
        with pytest.raises(AuthenticationError, match="not valid"):
            authenticate(engine, f"ks_{n:012d}_madeupsecretmadeupsecret")
    assert len(key_cache(engine)) == 0


def test_the_cache_keeps_at_most_maxsize_keys() -> None:
    cache = KeyCache(maxsize=2)
    for prefix in ("a", "b", "c"):
        cache.put(KeyCredentials(prefix, prefix, "h", "bot", None, False))
    assert (cache.get("a"), len(cache)) == (None, 2)
    assert cache.get("c") is not None


def test_a_server_refuses_a_key_revoked_by_the_cli_within_the_bound(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    secret = issue(engine, "desk")
    env = {"KS_DATABASE_URL": settings.database_url, "KS_DATA_DIR": str(settings.data_dir),
           "KS_EMBEDDING_MODEL": "hash"}  # fmt: skip

    def status() -> int:
        response = httpx.get(f"{server.base}/v1/answer", params={"q": "refund", "channel": "chat"},
                             headers=auth(secret), timeout=30)  # fmt: skip
        return response.status_code

    with serving(tmp_path, env) as server:
        assert status() == 200
        done = run_cli(tmp_path, env, "keys", "revoke", "desk")
        assert done.returncode == 0, done.stderr
        revoked = time.monotonic()
        wait_for(lambda: status() == 401, timeout=KEY_CACHE_SECONDS + 30)  # against a stall
        print(f"\nthe server refused the key {time.monotonic() - revoked:.2f} s after the CLI")
