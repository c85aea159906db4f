"""The live feed's hub: a subscriber awaits its events on the event loop (no thread), woken by
an event published from another thread (the answer log's writer); closing the hub (the server
is stopping) ends every subscription at once."""

from __future__ import annotations

import asyncio
import threading

import pytest

from knowledge_service.analytics.stream import EventHub
from knowledge_service.errors import ServiceBusyError


def test_closing_the_hub_wakes_a_waiting_subscriber_and_refuses_new_ones() -> None:
    hub = EventHub()
    subscription = hub.add()

    async def wait_then_close() -> list[object]:
        waiting = asyncio.ensure_future(subscription.next(timeout=60))
        await asyncio.sleep(0.05)  # awaiting
        assert await asyncio.to_thread(hub.close) == 1  # from another thread
        # generous: it returns at once, not after its 60 s wait
        return [await asyncio.wait_for(waiting, 30), await subscription.next(timeout=60)]

    assert asyncio.run(wait_then_close()) == [None, None]
    assert subscription.is_closed
    with pytest.raises(ServiceBusyError, match="stopping") as refused:
        hub.add()
    assert refused.value.retry_after == 1


def test_an_event_published_from_another_thread_wakes_the_awaiting_subscriber() -> None:
    hub = EventHub()
    threads_before = threading.active_count()

    async def receive() -> list[object]:
        with hub.subscribe() as subscription:
            waiting = asyncio.ensure_future(subscription.next(timeout=60))
            await asyncio.sleep(0.05)
            assert threading.active_count() == threads_before  # waiting holds no thread
            await asyncio.to_thread(hub.publish, {"question": "q1"})
            return [await asyncio.wait_for(waiting, 30)]

    assert asyncio.run(receive()) == [{"question": "q1"}]
    assert hub.subscribers == 0


def test_a_full_feed_refuses_one_more_subscriber_with_a_retry_after() -> None:
    hub = EventHub(max_subscribers=2)
    first, _ = hub.add(), hub.add()
    with pytest.raises(ServiceBusyError, match="2 subscribers") as refused:
        hub.add()
    assert refused.value.retry_after == 10
    hub.remove(first)
    hub.add()  # a place is free again
