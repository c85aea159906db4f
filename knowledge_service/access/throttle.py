"""Failed sign-ins per client address: a guessing client is slowed down to nothing.

After ``limit`` failed attempts (a key that is not valid, sent to the API or to the sign-in
page) from one address within ``window`` seconds, that address is refused with
:class:`~knowledge_service.errors.TooManyAttemptsError` (429, ``Retry-After``) before any key it
sends is looked at, a right key included, until its oldest failure leaves the window. A
request with no key at all is not a guess and is not counted; a valid key from an address that
is not refused clears the address's failures.

"One address" is what one client holds (:func:`counted_as`): an IPv4 address; for IPv6, the
whole /64 its address is in (a network hands a client a /64, so a client could otherwise take
a fresh address for every guess); an IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) counts as
its IPv4 address.

The record is per server process (each uvicorn worker and replica keeps its own) and bounded:
it forgets the addresses that failed longest ago beyond :data:`MAX_ADDRESSES`. Behind a reverse
proxy every client has the proxy's address unless ``serve`` is told to trust the proxy's
``X-Forwarded-For`` (see the README's "Reliability, security and hardening").
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from knowledge_service.errors import TooManyAttemptsError

logger = logging.getLogger(__name__)

MAX_ADDRESSES = 10_000
"""Addresses with recent failures one process remembers (a flood of addresses cannot grow it)."""
IPV6_PREFIX = 64
"""The IPv6 prefix one client is taken to hold: its failures are counted together."""


def counted_as(address: str) -> str:
    """What the failures of a client at ``address`` are counted under: an IPv4 address as it
    is, an IPv6 address as its /64 (``2001:db8:1:2::/64``), an IPv4-mapped IPv6 address as its
    IPv4 address; anything that is no IP address (``-``, a test client's name) as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(ip), IPV6_PREFIX), strict=False))


class FailedSignIns:
    """The recent failed attempts of each client address (thread-safe), counted by
    :func:`counted_as`."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._max_addresses = max_addresses
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        """Refuse ``address`` while it has ``limit`` failures in the window.

        Raises:
            TooManyAttemptsError: with the seconds until its oldest failure leaves the window.
        """
        address = counted_as(address)
        with self._lock:
            failures = self._recent(address)
            if failures is None or len(failures) < self.limit:
                return
            wait = max(1, math.ceil(failures[0] + self.window - self._clock()))
        raise TooManyAttemptsError(
            f"too many failed sign-in attempts from this address: try again in {_spoken(wait)}",
            retry_after=wait,
        )

    def failed(self, address: str) -> None:
        """Count a failed attempt from ``address``."""
        address = counted_as(address)
        with self._lock:
            failures = self._recent(address)
            if failures is None:
                failures = self._failures[address] = deque(maxlen=self.limit)
                while len(self._failures) > self._max_addresses:
                    self._failures.popitem(last=False)
            failures.append(self._clock())
            self._failures.move_to_end(address)
            locked = len(failures) == self.limit
        if locked:  # once per lock-out: while refused, an address's keys are not looked at
            logger.warning(
                "%d failed sign-ins from %s within %g s: its keys are refused for a while",
                self.limit, address, self.window,
            )  # fmt: skip

    def succeeded(self, address: str) -> None:
        """Forget the failures of ``address`` (a valid key was sent from it; for IPv6, from
        its /64)."""
        if self._failures:  # the usual case, nothing recorded, takes no lock
            address = counted_as(address)
            with self._lock:
                self._failures.pop(address, None)

    def _recent(self, address: str) -> deque[float] | None:
        """The failures of ``address`` still in the window (the older ones dropped)."""
        failures = self._failures.get(address)
        if failures is None:
            return None
        oldest = self._clock() - self.window
        while failures and failures[0] <= oldest:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return None
        return failures


def _spoken(seconds: int) -> str:
    """A wait as a person reads it: "45 seconds", "1 minute", "5 minutes" (rounded up)."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
