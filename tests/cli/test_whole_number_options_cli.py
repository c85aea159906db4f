"""Every whole-number option and argument of the CLI refuses a value that is no whole number,
or lies outside its range, in the CLI's words: the option, the value and what to give, exit 2
(Typer's own check said pydantic's "Input should be a valid integer, unable to parse string as
an integer", without the value)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import app

runner = CliRunner()

CASES = [
    (("search", "refund", "--top-k"), "--top-k", "from 1 to 50"),
    (("eval", ".", "--limit"), "--limit", "of 1 or more"),
    (("tune", "--epochs"), "--epochs", "from 1 to 20"),
    (("tune", "--batch-size"), "--batch-size", "from 2 to 256"),
    (("tune", "--max-questions"), "--max-questions", "of 1 or more"),
    (("tune", "--seed"), "--seed", "from 0 to 4294967295"),
    (("serve", "--port"), "--port", "from 1 to 65535"),
    (("serve", "--workers"), "--workers", "from 1 to 64"),
    (("review", "--limit"), "--limit", "from 1 to 1000"),
    (("review", "--offset"), "--offset", "from 0 to 1000000"),
    (("audit", "--limit"), "--limit", "from 1 to 1000"),
    (("audit", "--offset"), "--offset", "from 0 to 1000000"),
    (("articles", "show", "a", "--version"), "'--version' / '-v'", "from 1 to 2147483647"),
    (("policies", "show", "P", "--version"), "'--version' / '-v'", "from 1 to 2147483647"),
    (("articles", "diff", "a", "1"), "'V2'", "from 1 to 2147483647"),
    (("articles", "restore", "a"), "'VERSION'", "from 1 to 2147483647"),
    (("policies", "restore", "P"), "'VERSION'", "from 1 to 2147483647"),
    (("articles", "submit", "a", "--if-version"), "--if-version", "from 1 to 2147483647"),
    (("policies", "approve", "P", "--if-version"), "--if-version", "from 1 to 2147483647"),
    (
        ("keys", "create", "--role", "bot", "--name", "b", "--expires-in-days"),
        "--expires-in-days",
        "from 1 to 3650",
    ),
    (("demo", "seed-traffic", "--days"), "--days", "from 1 to 60"),
]


def _refused(args: tuple[str, ...], option: str, value: str, words: str) -> None:
    """``args`` with ``value`` exits 2 with ``Invalid value for OPTION: 'VALUE' WORDS``."""
    result = runner.invoke(app, [*args, value])
    assert result.exit_code == 2, result.output
    assert "Input should" not in result.output
    assert "Traceback" not in result.output
    said = " ".join(result.output.replace("│", " ").split())
    named = option if option.startswith("'") else f"'{option}'"
    assert f"Invalid value for {named}: {value!r} {words}" in said, said


@pytest.mark.sqlite_only("refused before any store is opened")
@pytest.mark.parametrize(("args", "option", "wanted"), CASES)
def test_a_value_that_is_no_whole_number_is_named_with_what_to_give(
    cli_store: Path, args: tuple[str, ...], option: str, wanted: str
) -> None:
    for value in ("x", "1.5", "", "1e3"):
        _refused(args, option, value, f"is not a whole number: give a whole number {wanted}")


@pytest.mark.sqlite_only("refused before any store is opened")
@pytest.mark.parametrize(("args", "option", "wanted"), [c for c in CASES if "from" in c[2]])
def test_a_whole_number_out_of_range_is_named_with_the_range(
    cli_store: Path, args: tuple[str, ...], option: str, wanted: str
) -> None:
    _, low, _, high = wanted.split()
    for value in (str(int(low) - 1), str(int(high) + 1)):
        _refused(args, option, value, f"is out of range: give a whole number {wanted}")


@pytest.mark.sqlite_only("refused before any store is opened")
def test_a_seed_that_is_no_whole_number_is_refused(cli_store: Path) -> None:
    args = ("demo", "seed-traffic", "--seed")
    _refused(args, "--seed", "seven", "is not a whole number: give a whole number")
