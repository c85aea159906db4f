"""Freed memory goes back to the system after the score profile's probe index is dropped."""

from __future__ import annotations

import platform
import sys
from typing import Any

import pytest

import knowledge_service.index.profile as profile_module
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.memory import return_free_memory
from tests.index.conftest import CountingEmbedder
from tests.index.test_profile import articles


def _resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's; elsewhere return_free_memory says it could not ask",
)
def test_freed_pages_go_back_to_the_system() -> None:
    # 1 KiB blocks come from malloc's heap; keeping every 50th alive holds the heap open, so
    # freeing the rest returns nothing by itself
    blocks: list[Any] = [bytearray(1024) for _ in range(150_000)]
    kept = blocks[::50]
    del blocks
    before = _resident_mib()
    assert return_free_memory()
    assert _resident_mib() < before - 60  # most of the ~145 MiB freed is handed back
    assert len(kept) == 3000


def test_the_profile_returns_its_probe_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(profile_module, "return_free_memory", lambda: calls.append(True))
    index = HybridIndex(CountingEmbedder())
    index.upsert(articles(6))
    assert profile_module.score_profile(index) is not None
    assert calls == [True]
    # no probe built (too few to hold out): nothing to return
    small = HybridIndex(CountingEmbedder())
    small.upsert(articles(2))
    assert profile_module.score_profile(small) is None and calls == [True]
