"""The live feed's hub: closing it (the server is stopping) ends every subscription at once."""

from __future__ import annotations

import threading

import pytest

from knowledge_service.analytics.stream import EventHub
from knowledge_service.errors import ServiceBusyError


def test_closing_the_hub_wakes_a_waiting_subscriber_and_refuses_new_ones() -> None:
    hub = EventHub()
    subscription = hub.add()
    got: list[object] = []
    waiting = threading.Thread(target=lambda: got.append(subscription.get(timeout=60)))
    waiting.start()

    assert hub.close() == 1
    waiting.join(timeout=30)  # generous: it returns at once, not after its 60 s wait
    assert not waiting.is_alive() and got == [None]
    assert subscription.is_closed and subscription.get(timeout=60) is None
    with pytest.raises(ServiceBusyError, match="stopping"):
        hub.add()
