"""The service's one reading of the calendar.

Review dates fall due by the calendar, so every "what is today?" goes through :func:`today`.
``KS_TODAY`` (``Settings.today``) freezes it: the test suite runs as of a fixed date, a demo can
be shown as of any date, and a check can be reproduced as it ran on a given day. Timestamps
(``*_at``) stay real: they order versions and answers, and a frozen instant would collapse them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from knowledge_service.errors import InvalidRequestError
from knowledge_service.settings import Settings

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)
"""The days a date or time parameter may name: far enough from the calendar's ends (years 1
and 9999) that a zone offset or a range's arithmetic never leaves it."""


def now() -> datetime:
    """The real time (UTC), which answers, ratings and every ``*_at`` are recorded at."""
    return datetime.now(UTC)


def today(settings: Settings) -> date:
    """The date review dates are compared with: ``settings.today`` if set, else today in UTC."""
    return settings.today if settings.today is not None else now().date()


def last_answer_day(settings: Settings) -> date:
    """The last day the answer log can hold: :func:`today`, unless ``KS_TODAY`` lies after the
    real date, which then ends it (an answer's time is the real one, never ``KS_TODAY``'s). The
    measures' default period ends on it, and ``demo seed-traffic``'s days do too: a demo shown
    as of a later day still shows the week its traffic was seeded in, not days no answer can
    have yet."""
    return min(today(settings), now().date())


SUPPORTED_DAYS = f"must be between {EARLIEST_DAY} and {LATEST_DAY}"
"""What an adapter says of a day outside them."""


def is_supported_day(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_day(name: str, day: date) -> None:
    """InvalidRequestError naming parameter ``name`` unless ``day`` is a supported day."""
    if not is_supported_day(day):
        raise InvalidRequestError(name, SUPPORTED_DAYS)


def parse_instant(name: str, value: str) -> datetime:
    """An ISO 8601 timestamp or date (midnight) given as parameter ``name``, on a supported day;
    naive is UTC. InvalidRequestError naming ``name`` otherwise."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRequestError(
            name, f"must be an ISO date or timestamp such as 2026-11-24T09:00:00Z (got {value!r})"
        ) from None
    check_day(name, instant.date())
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
