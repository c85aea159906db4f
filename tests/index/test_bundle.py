"""Bundle persistence: cheap delta appends, honest watermarks after torn writes, compaction."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from knowledge_service.index import bundle
from knowledge_service.index.bundle import delta_path, save_bundle
from knowledge_service.index.bundle_load import load_bundle
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.schemas import SearchFilters
from tests.factories import make_article
from tests.index.conftest import kb_articles

ANY = SearchFilters(status=None)


def _state(index: HybridIndex) -> dict[str, tuple[int, str]]:
    return {a: (e.version, e.doc.answer) for a, e in index.articles.items()}


def _search(index: HybridIndex, query: str) -> list[tuple[str, float]]:
    return [(h.article_id, round(h.score, 5)) for h in index.search(query, filters=ANY)]


def _edit(index: HybridIndex, article_id: str, version: int) -> None:
    index.upsert([(make_article(article_id, answer=f"Answer revision {version}."), version)])


@pytest.fixture
def saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[HybridIndex, Path]:
    monkeypatch.setattr(bundle, "DELTA_MAX_FRACTION", 100.0)  # the test bundles are tiny
    index = HybridIndex(HashEmbedder())
    index.upsert([(doc, 1) for doc in kb_articles()])
    path = tmp_path / "search.bundle"
    save_bundle(path, index, 4)
    return index, path


def test_a_small_change_is_appended_and_loads_as_the_live_index(
    saved: tuple[HybridIndex, Path],
) -> None:
    index, path = saved
    base = path.read_bytes()
    _edit(index, "lost-card", 2)
    save_bundle(path, index, 5)
    index.remove(["refund-timeframe-fr"])
    _edit(index, "new-article", 1)
    save_bundle(path, index, 7)
    assert path.read_bytes() == base  # the bundle itself was not rewritten
    assert delta_path(path).stat().st_size > 0
    loaded, watermark = load_bundle(path, HashEmbedder())
    assert watermark == 7
    assert _state(loaded) == _state(index)
    assert sorted(loaded.units) == sorted(index.units)
    for query in ["card stolen", "Answer revision", "refund"]:
        assert _search(loaded, query) == _search(index, query)


def test_a_torn_record_loads_the_last_complete_watermark(saved: tuple[HybridIndex, Path]) -> None:
    index, path = saved
    _edit(index, "lost-card", 2)
    save_bundle(path, index, 5)
    good = delta_path(path).read_bytes()
    _edit(index, "lost-card", 3)
    save_bundle(path, index, 6)
    full = delta_path(path).read_bytes()
    for cut in (len(good) + 5, len(good) + 30, len(full) - 1):
        delta_path(path).write_bytes(full[:cut])
        loaded, watermark = load_bundle(path, HashEmbedder())
        assert watermark == 5
        assert loaded.articles["lost-card"].version == 2
        assert loaded.saved is None  # the next save rewrites instead of appending after junk


def test_records_of_another_generation_are_ignored(saved: tuple[HybridIndex, Path]) -> None:
    index, path = saved
    _edit(index, "lost-card", 2)
    save_bundle(path, index, 5)
    stale = delta_path(path).read_bytes()
    rebuilt = HybridIndex(HashEmbedder())
    rebuilt.upsert([(doc, 1) for doc in kb_articles()])
    save_bundle(path, rebuilt, 4)  # a full rewrite (new generation) drops the delta
    assert not delta_path(path).exists()
    delta_path(path).write_bytes(stale)  # a stale writer's record
    loaded, watermark = load_bundle(path, HashEmbedder())
    assert watermark == 4 and loaded.articles["lost-card"].version == 1


def test_a_large_delta_is_compacted_into_the_bundle(
    saved: tuple[HybridIndex, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, path = saved
    monkeypatch.setattr(bundle, "DELTA_MAX_FRACTION", 0.0)
    _edit(index, "lost-card", 2)
    save_bundle(path, index, 5)  # appended: the delta was empty
    assert delta_path(path).exists()
    _edit(index, "lost-card", 3)
    save_bundle(path, index, 6)  # the delta is over the limit: rewrite
    assert not delta_path(path).exists()
    loaded, watermark = load_bundle(path, HashEmbedder())
    assert watermark == 6 and loaded.articles["lost-card"].version == 3
    assert np.allclose(
        loaded.article_vectors_for(["lost-card"]), index.article_vectors_for(["lost-card"])
    )


def test_saving_without_changes_writes_nothing(saved: tuple[HybridIndex, Path]) -> None:
    index, path = saved
    save_bundle(path, index, 4)
    assert not delta_path(path).exists()
    save_bundle(path, index, 5)  # only the watermark moved: still recorded
    assert load_bundle(path, HashEmbedder())[1] == 5


def test_the_delta_file_is_the_owners_alone_like_the_bundle(
    saved: tuple[HybridIndex, Path],
) -> None:
    """It holds articles' text, internal ones too: 0600, as the bundle and the database."""
    index, path = saved
    _edit(index, "lost-card", 2)
    save_bundle(path, index, 5)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(delta_path(path).stat().st_mode) == 0o600
    delta_path(path).chmod(0o644)  # left readable by an older version
    _edit(index, "lost-card", 3)
    save_bundle(path, index, 6)
    assert stat.S_IMODE(delta_path(path).stat().st_mode) == 0o600
