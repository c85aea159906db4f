"""A data folder or a SQLite store that cannot be used: one ``error:`` line naming the variable
and the path, exit 2, before anything is written (no store file, no model loaded)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.server import free_port, run_cli

SERVE = ("serve", "--port", str(free_port()))

pytestmark = pytest.mark.sqlite_only("the settings are checked before any store is opened")


def _env(tmp_path: Path, data_dir: Path) -> dict[str, str]:
    return {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(data_dir),
        "KS_EMBEDDING_MODEL": "hash",
        "KS_CONTENT_DIR": str(tmp_path / "content"),
        "KS_POLICIES_DIR": str(tmp_path / "policies"),
    }


def _assert_one_error(result: object, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("command", [SERVE, ("import",), ("keys", "list"),
                                     ("check", "--store"), ("index", "rebuild")])  # fmt: skip
@pytest.mark.parametrize("where", ["a file", "below a file"])
def test_a_data_folder_that_cannot_be_used_is_one_error_before_anything_is_written(
    tmp_path: Path, command: tuple[str, ...], where: str
) -> None:
    (tmp_path / "content").mkdir()
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    data_dir = blocker if where == "a file" else blocker / "deeper"
    result = run_cli(tmp_path, _env(tmp_path, data_dir), *command)
    _assert_one_error(result, "KS_DATA_DIR", str(data_dir))
    assert "embedding model" not in result.stderr
    assert not list(tmp_path.glob("store.db*")), "the store was written"


@pytest.mark.parametrize("case", ["below a file", "/proc"])
def test_a_sqlite_file_that_cannot_be_created_names_ks_database_url(
    tmp_path: Path, case: str
) -> None:
    if case == "/proc" and not sys.platform.startswith("linux"):
        pytest.skip("/proc is Linux's")
    (tmp_path / "blocker").write_text("not a folder")
    path = "/proc/k.db" if case == "/proc" else str(tmp_path / "blocker" / "k.db")
    env = {**_env(tmp_path, tmp_path / "data"), "KS_DATABASE_URL": f"sqlite:///{path}"}
    for command in (("keys", "list"), SERVE):
        result = run_cli(tmp_path, env, *command)
        _assert_one_error(result, "KS_DATABASE_URL", path)
    status = run_cli(tmp_path, env, "db", "status")  # a look: it reports, and makes nothing
    assert status.returncode == 1 and f"store: none (no store at {path})" in status.stdout


@pytest.mark.parametrize("key_file", ["conversation-pseudonym.key", "web-session.key"])
@pytest.mark.parametrize("command", [SERVE, ("purge-logs",)])
def test_a_key_file_that_holds_no_key_is_one_error(
    tmp_path: Path, key_file: str, command: tuple[str, ...]
) -> None:
    """A key file copied badly into the data folder (empty here) is named, exit 2, before the
    server starts or the purge runs; it used to be taken as the key."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / key_file).write_bytes(b"")
    assert run_cli(tmp_path, _env(tmp_path, data_dir), "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, _env(tmp_path, data_dir), *command)
    if command == ("purge-logs",) and key_file == "web-session.key":
        assert result.returncode == 0, result.stderr  # the purge uses no session key
        return
    _assert_one_error(result, str(data_dir / key_file), "holds 0 bytes, not a key")
    assert "purged" not in result.stderr


@pytest.mark.parametrize("entry", ["10.0.0.5/33", "10.0.0.5/8", "proxy.internal", "10.0.0.256"])
def test_a_forwarded_allow_ips_entry_that_no_client_can_match_is_one_error(
    tmp_path: Path, entry: str
) -> None:
    """uvicorn takes such an entry for a name no TCP client has: the proxy's headers would be
    ignored (no Secure cookie, every client the proxy's address) while serve logged them as
    believed. It is named before the server starts."""
    env = _env(tmp_path, tmp_path / "data") | {"FORWARDED_ALLOW_IPS": f"127.0.0.1, {entry}"}
    result = run_cli(tmp_path, env, *SERVE, timeout=120)  # started: it never refused
    _assert_one_error(result, "FORWARDED_ALLOW_IPS", repr(entry), "not an address or a network")
    assert not (tmp_path / "store.db").exists()
