"""Checks of what a command is given on its command line: paths, filters, ids, days, and a
refused request field named as the option that gave it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer

from knowledge_service.cli.output import fail
from knowledge_service.clock import EARLIEST_DAY, LATEST_DAY, is_supported_day
from knowledge_service.content.schemas import (
    ARTICLE_ID_PATTERN,
    NO_TEXT_TO_SHOW,
    PATTERN_WORDS,
    POLICY_ID_PATTERN,
    shows_text,
)
from knowledge_service.errors import InvalidRequestError

__all__ = [
    "DAY_FORM",
    "INSTANT_FORM",
    "MAX_ID_CHARS",
    "article_id_filter",
    "day_option",
    "instant_option",
    "named_as_options",
    "path_argument",
    "policy_id_filter",
    "visible_filter",
    "whole_number",
]


@contextmanager
def named_as_options(options: Mapping[str, str]) -> Iterator[None]:
    """A refused request field that the command gives as an option is named as the option
    (``parameter '--owner'``), not as the API's field (``parameter 'owner'``); ``options`` maps
    each field to its option."""
    try:
        yield
    except InvalidRequestError as exc:
        if exc.parameter not in options:
            raise
        raise type(exc)(options[exc.parameter], exc.problem) from None


def path_argument(value: str) -> Path:
    """A command-line path as typed (Typer's ``parser=``): an empty one is refused, naming the
    argument (click adds its name), since ``Path("")`` is the current folder: ``export ""``
    (an unset shell variable) wrote into whatever folder the command ran in."""
    if not value.strip():
        raise typer.BadParameter("is empty: give a path (an unset shell variable?)")
    return Path(value)


def visible_filter(value: str | None) -> str | None:
    """A filter option's check (``--owner``, ``--actor``): a blank value, or one of invisible
    characters only (a zero-width space, a byte order mark: :func:`shows_text`), is an error
    (exit 2), as the API's query parameter so given is (400), never a filter that matches
    nothing."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be blank")
    if value is not None and not shows_text(value):
        raise typer.BadParameter(NO_TEXT_TO_SHOW)
    return value


MAX_ID_CHARS = 120
"""The longest document id (the API's ``article_id``, the store's id column)."""


def _id_check(pattern: str) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and len(value) > MAX_ID_CHARS:
            raise typer.BadParameter(f"must be at most {MAX_ID_CHARS} characters")
        if value is not None and not re.fullmatch(pattern, value):
            raise typer.BadParameter(PATTERN_WORDS[pattern])
        return value

    return check


article_id_filter = _id_check(ARTICLE_ID_PATTERN)
"""An article id option's check (``audit --article``): an id no article can have (spaces,
capitals, a policy's id) is an error (exit 2) naming the option and what an id is, as the
API's ``article_id`` so given is (400), never a filter that matches nothing."""


policy_id_filter = _id_check(POLICY_ID_PATTERN)
"""A policy id option's check (``audit --policy``), as :data:`article_id_filter`."""


DAY_FORM = f"an ISO date (YYYY-MM-DD) from {EARLIEST_DAY} to {LATEST_DAY}, such as 2026-11-24"
"""What a day given on the command line must be (``check --today``, ``report --from``)."""

_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
"""A day as the docs write it: Python also reads ``20261124`` and ``2026-W48-2`` as days."""


def day_option(option: str, value: str) -> date:
    """The day ``value`` names, given as ``option``: one that names no day, is written in
    another form than YYYY-MM-DD, or lies outside the supported days, exits 2 with one line
    naming the option, the value and :data:`DAY_FORM`, in the same words for every command."""
    try:
        if not re.fullmatch(_ISO_DAY, value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date: give {DAY_FORM}") from None
    if not is_supported_day(day):
        raise fail(f"{option}: {value!r} is out of range: give {DAY_FORM}")
    return day


INSTANT_FORM = (
    f"an ISO date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM[:SS], UTC unless it ends with Z or an "
    f"offset such as +10:00) from {EARLIEST_DAY} to {LATEST_DAY}, such as 2026-11-24 or "
    "2026-11-24T09:00:00Z"
)
"""What a time given on the command line must be (``audit --since``, ``export-events
--since``)."""

_ISO_INSTANT = re.compile(
    _ISO_DAY
    + r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def instant_option(option: str, value: str | None) -> datetime | None:
    """The time ``value`` names (a day: its midnight; no zone: UTC), given as ``option``, or
    None when it is not given: one in another form, or on a day outside the supported ones,
    exits 2 with one line naming the option, the value and :data:`INSTANT_FORM`, as
    :func:`day_option` words a day (``audit --since`` said ``parameter '--since': must be an ISO
    date or timestamp ...``, the API's words, and took ``20261124``)."""
    if value is None:
        return None
    try:
        if not _ISO_INSTANT.fullmatch(value.strip()):
            raise ValueError(value)
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date or time: give {INSTANT_FORM}") from None
    if not is_supported_day(instant.date()):
        raise fail(f"{option}: {value!r} is out of range: give {INSTANT_FORM}")
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def whole_number(low: int | None = None, high: int | None = None) -> dict[str, Any]:
    """Typer's keywords for a whole-number option or argument from ``low`` to ``high``
    (``typer.Option("--top-k", **whole_number(1, 50))``; the help shows the range as before). A
    value that is no whole number, or lies outside the range, is refused naming the option, the
    value and what to give, exit 2: ``Invalid value for '--top-k': 'x' is not a whole number:
    give a whole number from 1 to 50`` (Typer's check said ``Input should be a valid integer,
    unable to parse string as an integer``, pydantic's words, without the value)."""
    if low is not None and high is not None:
        wanted = f"a whole number from {low} to {high}"
    elif low is not None:
        wanted = f"a whole number of {low} or more"
    else:
        wanted = "a whole number"

    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value  # a default
        elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            number = int(value.strip())
        else:
            raise typer.BadParameter(f"{value!r} is not a whole number: give {wanted}")
        if (low is not None and number < low) or (high is not None and number > high):
            raise typer.BadParameter(f"{value!r} is out of range: give {wanted}")
        return number

    return {"parser": parse, "min": low, "max": high}
