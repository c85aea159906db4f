"""Shared CLI fixtures: a tmp store, content and data folder, with the CLI's caches reset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import app, common
from knowledge_service.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_store(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the CLI at a tmp store, data, content and policies folder (``tmp_path``), with the
    hash embedder (import runs the check: no model load) and its cached settings and engine
    reset before and after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KS_DATABASE_URL", database_url)
    monkeypatch.setenv("KS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KS_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("KS_POLICIES_DIR", str(tmp_path / "policies"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("KS_EMBEDDING_MODEL", "hash")
    get_settings.cache_clear()
    common.engine.cache_clear()
    yield tmp_path
    common.engine().dispose()
    get_settings.cache_clear()
    common.engine.cache_clear()


def invoke(*args: str, stdout_only: bool = False) -> tuple[int, str]:
    """Run the CLI; unexpected exceptions propagate (a clean exit code is returned)."""
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout if stdout_only else result.output
