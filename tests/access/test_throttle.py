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
