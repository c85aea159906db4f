"""What the CLI prints and how: its consoles (never wrapped off a terminal, control
characters written out), text tables, progress bars, and :func:`fail`, the one ``error:`` line of
a command that cannot run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console, ConsoleDimensions, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

__all__ = [
    "UNWRAPPED_WIDTH",
    "CliConsole",
    "TextTable",
    "console",
    "err_console",
    "fail",
    "phase_progress",
    "print_table",
    "progress_bar",
    "visible_controls",
]

UNWRAPPED_WIDTH = 100_000
"""Off a terminal, the width lines are laid out in: wide enough that nothing wraps."""


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters but tab, line feed and carriage return (which rich drops itself): an
escape in an article's title would be a command to the terminal showing it."""


def visible_controls(text: str) -> str:
    """``text`` with each control character written out as its escape (``\\x1b``)."""
    return _CONTROLS.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


class CliConsole(Console):
    """A console that wraps only on a terminal. Piped or written to a file, a message is one
    line however long (``articles edit ... | cat`` prints the owner's address whole) and a
    table keeps every cell whole on its row, so ``grep`` and ``cut`` see what was printed."""

    @property
    def size(self) -> ConsoleDimensions:
        dimensions = super().size
        if self.is_terminal:
            return dimensions
        return ConsoleDimensions(UNWRAPPED_WIDTH, dimensions.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        """What rich writes, with the text's control characters written out: text from the
        store or the command line (an owner's title or answer holding ``ESC [2J`` or a
        terminal's clipboard command) reaches the terminal as characters, never as commands.
        Rich's own codes (colours, the progress bar's cursor moves) are its styles and control
        segments, which pass as they are."""
        return super()._render_buffer(
            segment if segment.control else Segment(visible_controls(segment.text), segment.style)
            for segment in buffer
        )

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.is_terminal:
            for table in objects:
                if isinstance(table, Table):
                    for column in table.columns:
                        column.no_wrap, column.overflow = True, "ignore"
        super().print(*objects, **kwargs)


console = CliConsole()


err_console = CliConsole(stderr=True)


class TextTable(Table):
    """A table whose title and cells are text, never Rich markup: an article's title, a
    snippet or a query with ``[/x]`` or ``[current outages map]`` in it is shown as written
    (as markup it would raise or vanish)."""

    def __init__(self, *headers: str, title: str | None = None, **kwargs: Any) -> None:
        super().__init__(*headers, title=Text(title) if title is not None else None, **kwargs)

    def add_row(self, *cells: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kwargs)


def print_table(table: Table) -> None:
    """Print a table on stdout: on a terminal as rich lays it out, elsewhere every cell on one
    line, never cut (:class:`CliConsole`)."""
    console.print(table)


def progress_bar() -> Progress:
    """A transient progress bar on stderr: phase, bar, done/total, elapsed and time left (the
    ETA of a long import or index build)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


@contextmanager
def phase_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A :func:`progress_bar` with one bar per phase: ``update(phase, done, total)``."""
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr; return the exit (code 2: the command could not run)
    for the caller to raise."""
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)
