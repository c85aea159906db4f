"""The embedding cache's SQLite file in the data folder: a damaged one is named."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path

import pytest

from knowledge_service.index.cache import CACHE_FILE, EmbeddingCache

cli_app = importlib.import_module("knowledge_service.cli.app")  # the package exports `app`


@pytest.mark.parametrize(
    "damage",
    [b"not a database\n", b"SQLite format 3\x00" + b"\x00" * 84],
    ids=["garbage", "cut-short"],
)
def test_a_damaged_cache_file_is_named_in_the_command_s_one_error_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: bytes,
) -> None:
    path = tmp_path / "index" / CACHE_FILE
    path.parent.mkdir()
    path.write_bytes(damage)  # garbage, or a file cut short after its header
    with pytest.raises(sqlite3.DatabaseError, match=str(path)):
        EmbeddingCache(path)

    monkeypatch.setattr(cli_app, "app", lambda: EmbeddingCache(path))
    with pytest.raises(SystemExit) as exited:
        cli_app.main()
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: a database file could not be used: {path}: "), err
    assert "delete the file and it is rebuilt" in err and "Traceback" not in err
