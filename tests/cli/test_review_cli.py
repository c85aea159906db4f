"""The ``review``, ``audit`` and ``export`` commands, and ``import --author`` and conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import app, common
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError
from knowledge_service.settings import get_settings
from tests.factories import article_text, write_article_md, write_policy_md

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KS_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("KS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KS_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("KS_POLICIES_DIR", str(tmp_path / "policies"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("KS_EMBEDDING_MODEL", "hash")
    get_settings.cache_clear()
    common.engine.cache_clear()
    write_article_md(tmp_path / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"])
    write_article_md(
        tmp_path / "content" / "meter", "meter-reading", title="Read your meter",
        intents=["metering.read"], last_reviewed="2025-06-01", next_review="2026-01-01",
    )  # fmt: skip
    write_policy_md(tmp_path / "policies", "REFUNDS")
    yield tmp_path
    common.engine().dispose()
    get_settings.cache_clear()
    common.engine.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_review_lists_the_queue_as_json_and_as_a_table() -> None:
    assert _invoke("import", "--author", "Ada <ada@example.com>")[0] == 0
    code, output = _invoke("review", "--json")
    assert code == 0
    page = json.loads(output)
    first = page["items"][0]
    assert (first["kind"], first["article_id"], first["severity"]) == (
        "review_overdue", "meter-reading", "block",
    )  # fmt: skip
    assert "verify" in first["actions"] and page["total"] == len(page["items"])
    code, output = _invoke("review", "--owner", "nobody@example.com")
    assert code == 0 and "0 of 0 item(s)" in output


def test_audit_shows_who_changed_what_with_the_import_author() -> None:
    _invoke("import", "--author", "Ada <ada@example.com>")
    code, output = _invoke("audit", "--article", "meter-reading", "--json")
    assert code == 0
    (event,) = json.loads(output)["items"]
    assert (event["actor"], event["action"], event["version_after"]) == (
        "Ada <ada@example.com>", "created", 1,
    )  # fmt: skip
    code, output = _invoke("audit", "--actor", "nobody")
    assert code == 0 and "0 of 0 event(s)" in output
    with pytest.raises(InvalidRequestError, match="since"):  # main() prints it, exits 2
        _invoke("audit", "--since", "last week")


def test_import_without_author_names_the_os_user_outside_git(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GIT_DIR", "/nonexistent")  # no repository: the OS user
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    _invoke("import")
    with session_scope(common.engine()) as session:
        assert content.get_article(session, "refund-timeframe").author == "operator"


def test_export_then_import_changes_nothing(cli_env: Path) -> None:
    _invoke("import")
    code, output = _invoke("export", "out")
    assert code == 0 and "Exported 2 article(s)" in output
    assert (cli_env / "out" / "content" / "meter" / "meter-reading.md").is_file()
    code, output = _invoke("import", "out/content", "out/policies")
    assert code == 0, output
    assert "conflict" not in output


def test_import_conflict_is_reported_and_exits_non_zero(cli_env: Path) -> None:
    _invoke("import")
    with session_scope(common.engine()) as session:
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer="API.")
        content.save_article_text(session, text, author="key:editor", source="api")
    write_article_md(
        cli_env / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"], answer="File."
    )
    code, output = _invoke("import")
    assert code == 1
    assert "conflict:" in output and "refund-timeframe" in output
    with session_scope(common.engine()) as session:
        assert content.get_article(session, "refund-timeframe").to_document().answer == "API."
