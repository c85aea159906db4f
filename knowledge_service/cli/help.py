"""Help that reads as prose: each command's first help paragraph on one line in a command
list, and each paragraph on one line in a command's own help."""

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


def prose(help_text: str) -> str:
    """A docstring as its command's own ``--help`` shows it: each paragraph one line (the
    terminal wraps it), its ``code`` marks as plain quotes.

    Typer's rich help keeps the line breaks of every paragraph but the first, so ``tune --help``
    broke "or, with the" / "default `auto`" where the source wraps, and showed reST's double
    backquotes (``serve --help``: "(``/readyz`` says 503 ...)") as they are written.
    """
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    return "\n\n".join(" ".join(p.split()).replace("``", "'") for p in paragraphs)


class HelpGroup(TyperGroup):
    """A command group whose list of commands shows each one's first paragraph on one line,
    and whose commands' own help shows each paragraph as one."""

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and command.help:
            if command.short_help is None:
                command.short_help = one_line(command.help)
            command.help = prose(command.help)
        return command
