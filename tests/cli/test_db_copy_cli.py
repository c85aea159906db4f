"""``db copy --to URL`` as an operator runs it: a summary of every table's rows, the target
ready for ``db status``, one line and exit 130 on Ctrl-C (nothing kept), one ``error:`` line
naming the table of a target that holds data. The source is the test's store, the target the
other kind (every row's equality: ``tests/test_store_copy.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from knowledge_service import store_copy
from knowledge_service.cli import app, common
from knowledge_service.db import make_engine, store_name
from knowledge_service.settings import get_settings
from tests.factories import write_article_md, write_policy_md

runner = CliRunner()


@pytest.fixture
def seeded(cli_store: Path) -> Path:
    write_article_md(cli_store / "content", "refund-timeframe")
    write_policy_md(cli_store / "policies")
    assert runner.invoke(app, ["import"]).exit_code == 0
    assert runner.invoke(app, ["keys", "create", "--role", "bot", "--name", "bot"]).exit_code == 0
    return cli_store


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_the_copy_prints_every_table_and_the_target_is_at_this_release(
    seeded: Path, other_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["db", "copy", "--to", other_database_url])
    assert result.exit_code == 0, result.output
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in result.stdout.splitlines()]
    rows = {row[0]: row[1:] for row in cells if row}
    assert set(rows) == {table.name for table in store_copy.copied_tables()}
    assert all(check == "same" for *_, check in rows.values())
    assert rows["api_key"] == ["1", "1", "same"]
    shown = store_name(other_database_url)
    assert "%2F" not in shown  # a socket folder in the query reads as a folder
    assert f"in {len(rows)} tables to {shown}; every table's row count matches" in result.stdout
    monkeypatch.setenv("KS_DATABASE_URL", other_database_url)
    get_settings.cache_clear()
    common.engine().dispose()
    common.engine.cache_clear()
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 0, status.output
    monkeypatch.setenv("KS_DATA_DIR", str(seeded / "new-machine"))  # no index, no keys
    get_settings.cache_clear()
    found = runner.invoke(app, ["search", "refund", "--json"])  # builds the index from the store
    assert found.exit_code == 0, found.output
    assert "refund-timeframe" in found.stdout


def test_ctrl_c_says_so_in_one_line_and_keeps_nothing(
    seeded: Path, other_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = store_copy.insert_rows

    def interrupted(connection: Any, table: Any, rows: Any) -> None:
        if table.name == "audit_log":
            raise KeyboardInterrupt
        written(connection, table, rows)

    monkeypatch.setattr(store_copy, "insert_rows", interrupted)
    result = runner.invoke(app, ["db", "copy", "--to", other_database_url])
    assert result.exit_code == 130, result.output
    assert result.stderr.strip().splitlines() == [
        "Stopped: nothing was copied; the target database is as it was."
    ]
    assert _tables(other_database_url) == []


def test_a_stopped_copy_to_a_new_sqlite_file_leaves_no_file(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a SQLite URL makes its file: a copy that made it and failed removes it, so
    the next try does not find an empty store it did not ask for."""
    target = tmp_path / "moved" / "knowledge.db"
    target.parent.mkdir()

    def interrupted(connection: Any, table: Any, rows: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store_copy, "insert_rows", interrupted)
    result = runner.invoke(app, ["db", "copy", "--to", f"sqlite:///{target}"])
    assert result.exit_code == 130, result.output
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("below", ["knowledge.db", "laptop/knowledge.db"])
def test_a_sqlite_target_in_a_folder_that_does_not_exist_is_refused_naming_it(
    seeded: Path, tmp_path: Path, below: str
) -> None:
    """A typo in the folder (``movde/``) is one line naming the folder that is not there, exit
    2, and nothing is made: the copy used to make the folders and copy into them."""
    target = tmp_path / "movde" / below
    result = runner.invoke(app, ["db", "copy", "--to", f"sqlite:///{target}"])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"error: --to: no folder {tmp_path / 'movde'} for the SQLite file {target}: create the "
        "folder first, or correct the path (the copy makes no folder)"
    )
    assert not (tmp_path / "movde").exists()


@pytest.mark.sqlite_only("the target is refused before the store is read")
@pytest.mark.parametrize("below", ["knowledge.db", "laptop/knowledge.db"])
def test_a_sqlite_target_under_a_file_is_named(cli_store: Path, tmp_path: Path, below: str) -> None:
    (tmp_path / "taken").write_text("a file where the folder would be\n")
    target = tmp_path / "taken" / below
    result = runner.invoke(app, ["db", "copy", "--to", f"sqlite:///{target}"])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    taken = tmp_path / "taken"
    says = f"error: --to: {taken} is not a folder: give the path of a SQLite file in a folder"
    assert line == says
    assert taken.read_text() == "a file where the folder would be\n"


def test_a_target_holding_data_is_one_error_line_naming_the_table(
    seeded: Path, other_database_url: str
) -> None:
    assert runner.invoke(app, ["db", "copy", "--to", other_database_url]).exit_code == 0
    result = runner.invoke(app, ["db", "copy", "--to", other_database_url])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: the target store (--to) already holds data: table ")
    assert "Traceback" not in result.output


@pytest.mark.sqlite_only("the URL is refused before any database is opened")
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://ks:s3cret@db/kb", "--to: 'mysql' is not a supported database"),
        ("postgresql+psycopg://ks:s3cr@t@db/kb", "--to: cannot tell the password from the host"),
    ],
)
def test_a_bad_other_database_url_is_named_without_its_password(
    cli_store: Path, url: str, says: str
) -> None:
    result = runner.invoke(app, ["db", "copy", "--to", url])
    assert result.exit_code == 2
    assert says in result.stderr
    assert "s3cr" not in result.output


@pytest.mark.sqlite_only("no database answers there")
def test_a_target_that_cannot_be_opened_is_named_not_the_store(
    cli_store: Path, tmp_path: Path
) -> None:
    url = f"postgresql+psycopg:///kb2?user=ks&password=TargetSecret7&host={tmp_path / 'none'}"
    result = runner.invoke(app, ["db", "copy", "--to", url])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: --to: the database (postgresql+psycopg:///kb2?"), line
    assert "cannot be opened: " in line and "password=***" in line
    assert "TargetSecret7" not in result.output and "store.db" not in line


@pytest.mark.sqlite_only("the same file is refused before anything is read")
def test_the_configured_store_itself_is_refused(cli_store: Path) -> None:
    url = f"sqlite:///{cli_store / 'store.db'}"
    result = runner.invoke(app, ["db", "copy", "--to", url])
    assert result.exit_code == 2
    assert "--to names the store KS_DATABASE_URL names" in result.stderr
