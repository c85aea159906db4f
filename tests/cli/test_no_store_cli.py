"""Only the commands that make a store (``import`` with something to import, ``keys create``,
``db upgrade``, ``serve``, a new draft) create one. A command that reads the store or changes
what it holds, run where no store is (a new SQLite path, an empty database: a mistyped
``KS_DATABASE_URL``), says so in one line naming the setting and creates nothing, and a command
that fails creates nothing either; an empty path argument (``export ""``, an unset shell
variable) is refused naming the argument, never taken for the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from knowledge_service.cli import app

runner = CliRunner()

NEEDS_A_STORE = [
    ["articles", "list"],
    ["articles", "show", "a-1"],
    ["articles", "history", "a-1"],
    ["articles", "diff", "a-1", "1", "2"],
    ["articles", "submit", "a-1"],
    ["articles", "verify", "a-1"],
    ["articles", "discard", "a-1"],
    ["policies", "list"],
    ["policies", "retire", "p-1"],
    ["keys", "list"],
    ["keys", "revoke", "nobody"],
    ["report"],
    ["audit"],
    ["review"],
    ["export", "exported"],
    ["export-events", "events.csv"],
    ["purge-logs"],
    ["check", "--store"],
    ["index", "status"],
    ["index", "rebuild"],
    ["search", "late fee"],
    ["tune"],
    ["demo", "seed-traffic"],
]


def _store_is_absent(url: str) -> bool:
    """No SQLite file, or a database with no tables (so nothing was created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return not Path(parsed.database or "").exists()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _refused_without_a_store(result: Result, url: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: KS_DATABASE_URL: "), result.stderr
    assert ("no store at" if url.startswith("sqlite") else "is empty, with no tables") in lines[0]
    assert "knowledge-service import" in lines[0]
    assert _store_is_absent(url)


@pytest.mark.parametrize("args", NEEDS_A_STORE, ids=" ".join)
def test_a_command_that_needs_a_store_creates_none(
    cli_store: Path, database_url: str, args: list[str]
) -> None:
    _refused_without_a_store(runner.invoke(app, args), database_url)
    assert not (cli_store / "data").exists()  # nor a data folder, an index or an export
    assert not (cli_store / "exported").exists() and not (cli_store / "events.csv").exists()


def test_an_import_with_no_content_folder_creates_no_store(
    cli_store: Path, database_url: str
) -> None:
    """KS_CONTENT_DIR and KS_POLICIES_DIR name no folder: the import fails before the store."""
    result = runner.invoke(app, ["import"])
    assert result.exit_code == 2, result.output
    assert "neither the content folder" in result.stderr
    assert _store_is_absent(database_url)


@pytest.mark.sqlite_only("a missing SQLite file; an empty database has no file to make")
def test_db_status_of_a_missing_sqlite_file_says_so_and_makes_none(
    cli_store: Path, database_url: str
) -> None:
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 1, result.output
    assert f"store: none (no store at {cli_store / 'store.db'})" in result.stdout
    assert _store_is_absent(database_url)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["export", ""], "DIR"),
        (["export-events", ""], "OUT"),
        (["import", ""], "PATHS"),
        (["import", "content", ""], "PATHS"),
        (["check", "--content", ""], "--content"),
        (["check", "--policies", ""], "--policies"),
        (["articles", "draft", ""], "FILE"),
        (["articles", "edit", "a-1", ""], "FILE"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_an_empty_path_is_refused_naming_the_argument(
    cli_store: Path, database_url: str, args: list[str], named: str
) -> None:
    """``Path("")`` is the current folder: ``export ""`` wrote there, ``import ""`` and
    ``check --content ""`` read it."""
    (cli_store / "content").mkdir()
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{named}': is empty" in " ".join(result.stderr.split())
    assert _store_is_absent(database_url)
    assert sorted(p.name for p in cli_store.iterdir()) == ["content"]  # nothing written


def test_export_events_to_a_folder_is_refused_naming_it(cli_store: Path) -> None:
    result = runner.invoke(app, ["export-events", str(cli_store)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"error: OUT {cli_store} is a folder: give the file to write"
