"""The console entry point: whatever escapes a command is one ``error:`` line, never a
traceback (a file or folder the command needs, a cache that is no database, a Ctrl-C)."""

from __future__ import annotations

import importlib
import sqlite3

import pytest

cli_app = importlib.import_module("knowledge_service.cli.app")  # the package exports `app`


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [
        (PermissionError(13, "Permission denied", "/srv/kb/data/index"), 2,
         "error: Permission denied: /srv/kb/data/index"),
        (NotADirectoryError(20, "Not a directory", "/srv/kb/file/index"), 2,
         "error: Not a directory: /srv/kb/file/index"),
        (sqlite3.DatabaseError("file is not a database"), 2,
         "error: a database file could not be used: file is not a database"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)  # fmt: skip
def test_what_escapes_a_command_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    code: int,
    line: str,
) -> None:
    def command() -> None:
        raise raised

    monkeypatch.setattr(cli_app, "app", command)
    with pytest.raises(SystemExit) as exited:
        cli_app.main()
    assert exited.value.code == code
    err = capsys.readouterr().err
    assert err.strip() == line and "Traceback" not in err
