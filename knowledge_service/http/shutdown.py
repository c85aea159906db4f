"""The server's stop, told to what would otherwise hold it open.

uvicorn stops a server by closing its listening sockets, letting every open request finish
(up to ``timeout_graceful_shutdown``), and only then running the app's lifespan shutdown. A
response that never ends by itself (a live ``/v1/events`` stream) therefore held every stop
for the whole timeout, after which uvicorn cancelled it and logged an ERROR. The protocol
``serve`` runs (:class:`~knowledge_service.http.protocol.DeadlineHttpToolsProtocol`) calls
:func:`server_stopping` as soon as uvicorn asks the open connections to shut down, and the
app ends its streams there (:func:`on_server_stop`), so they finish like any other request.

Any other uvicorn command (``uvicorn knowledge_service.app:create_app --factory``) runs
uvicorn's own protocol, which tells the app nothing before the lifespan shutdown, and that
comes only once every response has ended: a stream held such a stop for uvicorn's whole
graceful timeout, which it leaves unbounded by default, so the server never stopped. The
app's lifespan therefore also chains a handler before the server's own SIGTERM and SIGINT
handlers (:func:`stop_on_signals`) that calls :func:`server_stopping` on the event loop.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType

_lock = threading.Lock()
_callbacks: list[Callable[[], None]] = []


def on_server_stop(callback: Callable[[], None]) -> Callable[[], None]:
    """Have ``callback`` called (once, on the event loop) when the server that runs this
    process's app starts to stop; returns what unregisters it (call it at lifespan end)."""
    with _lock:
        _callbacks.append(callback)

    def forget() -> None:
        with _lock:
            if callback in _callbacks:
                _callbacks.remove(callback)

    return forget


def server_stopping() -> None:
    """The server is stopping: call (and forget) every registered callback. Idempotent: the
    protocol calls it for each open connection."""
    with _lock:
        callbacks = list(_callbacks)
        _callbacks.clear()
    for callback in callbacks:
        callback()


Handler = Callable[[int, FrameType | None], object]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""The signals uvicorn stops gracefully on."""


def stop_on_signals() -> Callable[[], None]:
    """Call :func:`server_stopping` (on the running event loop) when a stop signal arrives,
    then the handler the server installed for it (its graceful stop, a second Ctrl-C's forced
    one): the server is stopping, whichever command runs it. Only a Python handler is chained
    (under the default one the signal ends the process anyway), and only on the main thread
    (where the server takes signals). Returns what puts the server's handlers back (call it at
    lifespan end)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    chained: dict[int, tuple[Handler, Handler]] = {}
    for signum in STOP_SIGNALS:
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def handler(number: int, frame: FrameType | None, previous: Handler = previous) -> None:
            # A signal handler runs between two bytecodes of the loop's thread, maybe inside
            # a lock the callbacks take: they run as the loop's next callback instead.
            loop.call_soon_threadsafe(server_stopping)
            previous(number, frame)

        signal.signal(signum, handler)
        chained[signum] = (handler, previous)

    def restore() -> None:
        for signum, (handler, previous) in chained.items():
            if signal.getsignal(signum) is handler:  # nobody has replaced it since
                signal.signal(signum, previous)

    return restore
