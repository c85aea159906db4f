"""The command lists of ``--help``: each command's first help paragraph reads as one line."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from knowledge_service.cli import app
from knowledge_service.cli.help import one_line

runner = CliRunner()
GROUPS = [[], ["index"], ["keys"], ["articles"], ["policies"], ["db"], ["demo"]]


def test_one_line_joins_the_first_paragraph_and_unquotes_code() -> None:
    assert (
        one_line("Serve it (``/readyz``\n    says 503).\n\nMore.")
        == "Serve it ('/readyz' says 503)."
    )


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: " ".join(g) or "top")
def test_every_command_is_described_on_one_line(group: list[str]) -> None:
    """On a wide terminal each description is one row: no break where the docstring wraps."""
    result = runner.invoke(app, [*group, "--help"], env={"COLUMNS": "1000"}, terminal_width=1000)
    assert result.exit_code == 0, result.output
    command = get_command(app)
    for name in group:
        command = command.commands[name]  # type: ignore[attr-defined]
    rows = result.output.splitlines()
    described = 0
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        if sub.hidden or not sub.help:
            continue
        text = one_line(sub.help)
        assert any(name in row and text in row for row in rows), (name, text, result.output)
        described += 1
    assert described >= 1


@pytest.mark.parametrize("group", ["articles", "policies"])
def test_the_document_groups_say_they_hold_the_workflow(group: str) -> None:
    """``knowledge-service --help`` once described ``articles`` and ``policies`` as read-only
    ("Read articles and their versions."), hiding the steps an owner looks for there."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "1000"}, terminal_width=1000)
    row = next(r for r in result.output.splitlines() if r.startswith(f"│ {group} "))
    group_command = get_command(app).commands[group]  # type: ignore[attr-defined]
    steps = [
        n for n in ("draft", "edit", "submit", "approve", "discard") if n in group_command.commands
    ]
    assert len(steps) == 5 and all(step in row for step in steps), row


@pytest.mark.parametrize("group", ["articles", "policies"])
def test_the_document_groups_name_every_workflow_step_they_hold(group: str) -> None:
    """``articles --help`` listed the workflow's steps without ``verify``, which only articles
    have: an owner looking for the review step was not told it is there."""
    result = runner.invoke(app, [group, "--help"], env={"COLUMNS": "1000"}, terminal_width=1000)
    group_command = get_command(app).commands[group]  # type: ignore[attr-defined]
    said = result.output.split("workflow (", 1)[1].split(")", 1)[0]
    reading = {"list", "show", "history", "diff"}
    steps = sorted(set(group_command.commands) - reading)
    assert sorted(said.split(", ")) == steps, (said, steps)


@pytest.mark.parametrize(
    ("command", "paragraph"),
    [
        (
            ["tune"],
            "`index rebuild` and `serve` use it when KS_INDEX__USE_TUNED_MODEL is true, or, with "
            "the default `auto`, when its held-out questions (see --validate) show a gain beyond "
            "chance.",
        ),
        (
            ["serve"],
            "Serve the HTTP API. Every worker listens at once and makes its index current in the "
            "background ('/readyz' says 503 'index-not-ready' until then);",
        ),
        (["db", "revision"], "a store at the newest revision ('db upgrade' it first)."),
    ],
    ids=lambda c: " ".join(c) if isinstance(c, list) else "",
)
def test_a_command_s_own_help_shows_each_paragraph_on_one_line(
    command: list[str], paragraph: str
) -> None:
    """``tune --help`` broke its second paragraph where the docstring wraps ("or, with the" /
    "default `auto`"), and ``serve --help`` and ``db revision --help`` showed reST's double
    backquotes (``/readyz``) as written."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "1000"}, terminal_width=1000)
    assert result.exit_code == 0, result.output
    assert "``" not in result.output
    assert any(paragraph in row for row in result.output.splitlines()), result.output


def test_seed_traffic_says_no_other_span_than_the_days_it_seeds() -> None:
    """``demo seed-traffic --help`` said the insights page would have "a week to show" while
    ``--days`` seeds 14 by default (the README's two weeks, which ``make demo`` runs)."""
    command = get_command(app).commands["demo"].commands["seed-traffic"]  # type: ignore[attr-defined]
    days = next(p.default for p in command.params if p.name == "days")
    spans = {"a week": 7, "two weeks": 14, "a fortnight": 14}
    said = one_line(command.help)
    named = [n for phrase, n in spans.items() if phrase in said]
    named += [int(n) for n in re.findall(r"(\d+) days", said)]
    assert all(n == days for n in named), (said, days)
