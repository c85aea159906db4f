"""The server's stop, told to what would otherwise hold it open.

uvicorn stops a server by closing its listening sockets, letting every open request finish
(up to ``timeout_graceful_shutdown``), and only then running the app's lifespan shutdown. A
response that never ends by itself (a live ``/v1/events`` stream) therefore held every stop
for the whole timeout, after which uvicorn cancelled it and logged an ERROR. The protocol
``serve`` runs (:class:`~knowledge_service.http.protocol.DeadlineHttpToolsProtocol`) calls
:func:`server_stopping` as soon as uvicorn asks the open connections to shut down, and the
app ends its streams there (:func:`on_server_stop`), so they finish like any other request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

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
