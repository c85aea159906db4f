"""Command lists that read as prose: each command's first help paragraph on one line."""

from __future__ import annotations

import inspect

from typer import _click  # the click Typer is built on (it keeps its own copy)
from typer.core import TyperGroup


def one_line(help_text: str) -> str:
    """The first paragraph of a docstring as one line, its ``code`` marks as plain quotes.

    Typer's rich help keeps a docstring's line breaks in a group's list of commands, so a
    command list breaks its descriptions where the source happens to wrap.
    """
    first = inspect.cleandoc(help_text).split("\n\n")[0]
    return " ".join(first.split()).replace("``", "'")


class HelpGroup(TyperGroup):
    """A command group whose list of commands shows each one's first paragraph on one line."""

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and command.short_help is None and command.help:
            command.short_help = one_line(command.help)
        return command
