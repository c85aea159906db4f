"""The insights page's filters: a period (the last ``days`` days, or ``from`` and ``to``), a
channel and an intent, read from the page's URL and carried to every link and download on it.

Read by hand from the query string, not as FastAPI parameters, so that a value a person typed
wrong comes back in the form with what is wrong with it (the page, a 400), never a 500 nor a
page without the form; a download's wrong value is the API's problem+json (a 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from urllib.parse import urlencode

from knowledge_service.analytics import service as analytics
from knowledge_service.content.schemas import INTENT_PATTERN, MAX_INTENT_CHARS, Channel
from knowledge_service.errors import InvalidRequestError

PERIODS = (7, 28, 90)
FIELDS = ("days", "from", "to", "channel", "intent")
"""The query parameters the page reads, in the order its links write them."""
MAX_ECHO_CHARS = 40
"""A wrong value is quoted in its message up to this many characters."""
CHANNELS = [
    str(c) for c in (Channel.CHAT, Channel.VOICE, Channel.EMAIL, Channel.WEB, Channel.AGENT)
]


@dataclass(frozen=True)
class InsightsFilters:
    """The period and the answers the page counts (``channel``, ``intent``: None for all)."""

    start: date
    end: date
    days: int = PERIODS[0]
    channel: str | None = None
    intent: str | None = None
    given: dict[str, str] = field(default_factory=dict)
    """The non-blank parameters as the URL gave them: what links and downloads carry."""

    @property
    def is_preset(self) -> bool:
        """Whether the period is the last ``days`` days (no date given)."""
        return "from" not in self.given and "to" not in self.given

    @property
    def is_narrowed(self) -> bool:
        return self.channel is not None or self.intent is not None

    def query(self, changes: Mapping[str, str | int | None] | None = None) -> str:
        """The query string of these filters (always with ``days``) with ``changes`` (None
        drops a parameter)."""
        values = {"days": self.days, **self.given, **(changes or {})}
        return urlencode([(name, values[name]) for name in FIELDS if values.get(name)])


def _quoted(value: str) -> str:
    shown = value if len(value) <= MAX_ECHO_CHARS else value[:MAX_ECHO_CHARS] + "…"
    return repr(shown)


def _days(value: str | None) -> int:
    if value is None:
        return PERIODS[0]
    limit = analytics.MAX_RANGE_DAYS
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(limit))
    if not digits or not 1 <= int(value) <= limit:  # int() of thousands of digits raises
        raise InvalidRequestError(
            "days", f"must be a whole number of days from 1 to {limit} (got {_quoted(value)})"
        )
    return int(value)


def _channel(value: str | None) -> str | None:
    if value is not None and value not in CHANNELS:
        choices = ", ".join(CHANNELS)
        raise InvalidRequestError("channel", f"must be one of {choices} (got {_quoted(value)})")
    return value


def _intent(value: str | None) -> str | None:
    if value is not None and (
        len(value) > MAX_INTENT_CHARS or not re.fullmatch(INTENT_PATTERN, value)
    ):
        raise InvalidRequestError(
            "intent",
            "must be an intent as articles write them, dotted lower-case words such as "
            f"billing.due-date (got {_quoted(value)})",
        )
    return value


UnknownIntent = Callable[[str], list[str] | None]
"""None for an intent that exists (an article's, or the answer log's), else the nearest
intents that do (:func:`knowledge_service.analytics.intents.unknown_intent`)."""


def _existing(value: str | None, unknown: UnknownIntent | None) -> str | None:
    """``value`` when it is an intent that exists: refused like a channel that does not, for
    the measures of an intent nobody wrote are zeros that look like an intent nobody asked
    about."""
    if value is None or unknown is None:
        return value
    nearest = unknown(value)
    if nearest is None:
        return value
    hint = f"; did you mean {' or '.join(nearest)}?" if nearest else ""
    raise InvalidRequestError(
        "intent",
        f"no article has this intent and no answer was logged with it (got {_quoted(value)}){hint}",
    )


T = TypeVar("T")


def _read(
    errors: dict[str, InvalidRequestError], name: str, read: Callable[[str | None], T],
    value: str | None,
) -> T | None:  # fmt: skip
    try:
        return read(value)
    except InvalidRequestError as error:
        errors[name] = error
        return None


def read_filters(
    params: Mapping[str, str], today: date, unknown: UnknownIntent | None = None
) -> tuple[InsightsFilters | None, dict[str, InvalidRequestError]]:
    """The filters ``params`` ask for, or None and what is wrong with each parameter that is
    (a blank one, as an empty form field sends it, is not given; an intent that does not
    exist, when ``unknown`` says so)."""
    given = {name: params[name].strip() for name in FIELDS if params.get(name, "").strip()}
    errors: dict[str, InvalidRequestError] = {}
    days = _read(errors, "days", _days, given.get("days")) or PERIODS[0]
    channel = _read(errors, "channel", _channel, given.get("channel"))
    intent = _read(errors, "intent", lambda v: _existing(_intent(v), unknown), given.get("intent"))
    try:
        start, end = analytics.day_range(
            given.get("from"), given.get("to"), today=today, default_days=days
        )
    except InvalidRequestError as error:
        errors[error.parameter] = error
        return None, errors
    if errors:
        return None, errors
    return InsightsFilters(start, end, days, channel, intent, given), {}


def filters_or_error(
    params: Mapping[str, str], today: date, unknown: UnknownIntent | None = None
) -> InsightsFilters:
    """The filters ``params`` ask for; InvalidRequestError (a 400) for the first wrong one."""
    filters, errors = read_filters(params, today, unknown)
    if filters is None:
        raise next(iter(errors.values()))
    return filters
