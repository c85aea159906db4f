"""Failed sign-ins per address: the record itself, on a clock the test moves."""

from __future__ import annotations

import logging

import pytest

from knowledge_service.access.throttle import FailedSignIns
from knowledge_service.errors import TooManyAttemptsError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_refused_at_the_limit_until_its_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    sign_ins = FailedSignIns(3, 60.0, clock=clock)
    for second in (0, 10, 20):
        clock.now = 1000.0 + second
        sign_ins.check("10.0.0.1")  # under the limit: let through
        sign_ins.failed("10.0.0.1")
    clock.now = 1030.0
    with pytest.raises(TooManyAttemptsError) as refused:
        sign_ins.check("10.0.0.1")
    assert refused.value.retry_after == 30  # the first failure (at 1000) leaves at 1060
    assert "try again in 30 seconds" in refused.value.message
    sign_ins.check("10.0.0.2")  # another address is not touched
    clock.now = 1060.0
    sign_ins.check("10.0.0.1")  # two failures left in the window


def test_a_lock_out_is_logged_once_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Operators see an address guessing keys: one WARNING when it reaches the limit."""
    sign_ins = FailedSignIns(2, 60.0, clock=Clock())
    with caplog.at_level(logging.WARNING, logger="knowledge_service.access.throttle"):
        sign_ins.failed("192.0.2.4")
        assert not caplog.records
        sign_ins.failed("192.0.2.4")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "2 failed sign-ins from 192.0.2.4" in caplog.records[0].getMessage()


def test_a_success_clears_the_address_and_the_record_stays_bounded() -> None:
    clock = Clock()
    sign_ins = FailedSignIns(2, 60.0, clock=clock, max_addresses=3)
    sign_ins.failed("10.0.0.1")
    sign_ins.succeeded("10.0.0.1")
    sign_ins.failed("10.0.0.1")
    sign_ins.check("10.0.0.1")  # one failure since the success
    for n in range(2, 6):  # four more addresses fail twice each: the oldest are forgotten
        sign_ins.failed(f"10.0.0.{n}")
        sign_ins.failed(f"10.0.0.{n}")
    sign_ins.check("10.0.0.2")  # forgotten (the record keeps 3 addresses)
    with pytest.raises(TooManyAttemptsError):
        sign_ins.check("10.0.0.5")
    assert len(sign_ins._failures) == 3


@pytest.mark.parametrize(
    ("window", "later", "retry_after", "said"),
    [
        (0.5, 0.2, 1, "try again in 1 second"),  # whole seconds, at least 1
        (300.0, 1.5, 299, "try again in 5 minutes"),  # a long wait in minutes
    ],
)
def test_the_wait_is_whole_seconds_and_said_as_a_person_reads_it(
    window: float, later: float, retry_after: int, said: str
) -> None:
    clock = Clock()
    sign_ins = FailedSignIns(1, window, clock=clock)
    sign_ins.failed("192.0.2.9")
    clock.now += later
    with pytest.raises(TooManyAttemptsError) as refused:
        sign_ins.check("192.0.2.9")
    assert refused.value.retry_after == retry_after
    assert refused.value.message.endswith(said)


def test_an_ipv6_client_is_counted_by_its_64_and_cannot_dodge_by_changing_address() -> None:
    """A client holds a whole /64: a fresh address in it for each guess is still one client;
    another /64 is another client."""
    sign_ins = FailedSignIns(3, 60.0, clock=Clock())
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff"):
        sign_ins.check(host)
        sign_ins.failed(host)
    with pytest.raises(TooManyAttemptsError):
        sign_ins.check("2001:db8:1:2:abcd::9")  # a fourth address of the same /64
    with pytest.raises(TooManyAttemptsError):
        sign_ins.check("2001:DB8:1:2:0:0:0:1")  # written another way
    sign_ins.check("2001:db8:1:3::1")  # the next /64 is not touched
    sign_ins.succeeded("2001:db8:1:2::77")  # a valid key from the /64 clears it
    sign_ins.check("2001:db8:1:2::1")


def test_ipv4_stays_per_address_and_an_ipv4_mapped_address_counts_as_its_ipv4() -> None:
    sign_ins = FailedSignIns(2, 60.0, clock=Clock())
    sign_ins.failed("::ffff:192.0.2.1")
    sign_ins.failed("192.0.2.1")
    with pytest.raises(TooManyAttemptsError):
        sign_ins.check("192.0.2.1")
    with pytest.raises(TooManyAttemptsError):
        sign_ins.check("::ffff:c000:201")  # the same address, mapped and in hex
    sign_ins.check("192.0.2.2")  # its neighbour is another client
    sign_ins.check("::ffff:192.0.2.2")


def test_a_lock_out_of_an_ipv6_client_names_its_64(caplog: pytest.LogCaptureFixture) -> None:
    sign_ins = FailedSignIns(2, 60.0, clock=Clock())
    with caplog.at_level(logging.WARNING, logger="knowledge_service.access.throttle"):
        sign_ins.failed("2001:db8::1")
        sign_ins.failed("2001:db8::2")
    assert "2 failed sign-ins from 2001:db8::/64" in caplog.records[0].getMessage()


def test_what_is_no_ip_address_is_counted_as_it_is() -> None:
    sign_ins = FailedSignIns(1, 60.0, clock=Clock())
    sign_ins.failed("testclient")
    with pytest.raises(TooManyAttemptsError):
        sign_ins.check("testclient")
    sign_ins.check("-")
