"""The keys CLI: create prints the key once, list never shows secrets, revoke disables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.access import service as access
from knowledge_service.cli import app, common
from knowledge_service.db import session_scope
from knowledge_service.errors import AuthenticationError, InvalidRequestError, NotFoundError
from knowledge_service.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KS_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    common.engine.cache_clear()
    yield tmp_path
    common.engine().dispose()
    get_settings.cache_clear()
    common.engine.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def _create(*args: str) -> str:
    code, stdout = _invoke("keys", "create", *args)
    assert code == 0, stdout
    return stdout.strip()


def test_create_prints_a_working_key_once() -> None:
    secret = _create("--role", "owner", "--name", "payments-team", "--owner", "pay@example.com")
    assert secret.startswith("ks_") and "\n" not in secret
    with session_scope(common.engine()) as session:
        principal = access.authenticate(session, secret)
    assert (principal.role, principal.owner) == ("owner", "pay@example.com")


def test_list_shows_keys_but_never_secrets() -> None:
    secret = _create("--role", "bot", "--name", "web-chat")
    code, output = _invoke("keys", "list")
    assert code == 0
    assert "web-chat" in output and "bot" in output
    assert secret.split("_")[1] in output  # the public prefix
    assert secret.split("_", 2)[2] not in output


def test_revoke_by_name_disables_the_key() -> None:
    secret = _create("--role", "agent", "--name", "desk")
    code, output = _invoke("keys", "revoke", "desk")
    assert code == 0 and "Revoked" in output
    with session_scope(common.engine()) as session, pytest.raises(AuthenticationError):
        access.authenticate(session, secret)
    assert "desk" not in _invoke("keys", "list", "--active")[1]


def test_revoke_unknown_key_is_an_error() -> None:
    with pytest.raises(NotFoundError):
        _invoke("keys", "revoke", "nobody")


def test_owner_key_needs_an_owner() -> None:
    with pytest.raises(InvalidRequestError):
        _invoke("keys", "create", "--role", "owner", "--name", "x")


def test_unknown_role_is_refused() -> None:
    code, _ = _invoke("keys", "create", "--role", "root", "--name", "x")
    assert code == 2


def test_keys_list_json_and_unwrapped_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KS_DATABASE_URL", f"sqlite:///{tmp_path / 'keys.db'}")
    get_settings.cache_clear()
    common.engine.cache_clear()
    try:
        name = "a-rather-long-key-name-for-the-contact-centre-chatbot-integration"
        assert (
            runner.invoke(app, ["keys", "create", "--role", "bot", "--name", name]).exit_code == 0
        )
        listed = runner.invoke(app, ["keys", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        (row,) = json.loads(listed.stdout)
        assert (row["name"], row["role"], row["revoked_at"]) == (name, "bot", None)
        table = runner.invoke(app, ["keys", "list"])
        assert any(name in line for line in table.stdout.splitlines())  # one line, unwrapped
    finally:
        get_settings.cache_clear()
        common.engine.cache_clear()
