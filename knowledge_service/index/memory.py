"""Giving freed memory back to the system.

CPython and NumPy free their objects to the C allocator, which keeps the pages for reuse: after
a large structure that lived for a moment is dropped (the probe index of the score profile,
built beside the served index), a server's resident size stays where the peak left it. glibc's
``malloc_trim`` hands the free pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from typing import Any


@functools.cache
def _libc() -> Any:
    """glibc, or None where the C library has no ``malloc_trim`` (musl, macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def return_free_memory() -> bool:
    """Ask the C allocator to return its free pages to the system; whether it could be asked.

    After the score profile's probe index on a 3,000-article store, a restarted server's RSS
    at ``/readyz`` went from 516 MiB without it to 455 MiB (docs/benchmarks.md, "Knowledge
    bases without questions"). It takes a few milliseconds, so it follows rare, large work only.
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
