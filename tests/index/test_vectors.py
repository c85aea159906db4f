"""The FAISS wrapper: add, remove, search and serialise, flat and HNSW."""

from __future__ import annotations

import threading

import faiss
import numpy as np
import pytest

from knowledge_service.index.embedder import normalise_rows
from knowledge_service.index.vectors import FaissVectorIndex, set_search_threads

KINDS = ["flat", "hnsw"]


def random_vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    return normalise_rows(np.random.default_rng(seed).normal(size=(n, dim)))


@pytest.mark.parametrize("kind", KINDS)
def test_each_vector_finds_itself_first(kind: str) -> None:
    vectors = random_vectors(50)
    index = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    index.add(np.arange(100, 150), vectors)
    scores, ids = index.search(vectors[:5], 3)
    assert ids[:, 0].tolist() == [100, 101, 102, 103, 104]
    assert scores[:, 0] == pytest.approx(1.0, abs=1e-5)
    assert len(index) == 50


@pytest.mark.parametrize("kind", KINDS)
def test_removed_ids_are_never_returned(kind: str) -> None:
    vectors = random_vectors(20)
    index = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    index.add(np.arange(20), vectors)
    index.remove(np.asarray([3, 7, 999]))
    _, ids = index.search(vectors, 20)
    assert not {3, 7} & set(ids.ravel().tolist())
    assert len(index) == 18
    assert 3 not in index and 4 in index


@pytest.mark.parametrize("kind", KINDS)
def test_missing_results_are_minus_one(kind: str) -> None:
    index = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    index.add(np.asarray([5, 6]), random_vectors(2))
    scores, ids = index.search(random_vectors(1, seed=1), 4)
    assert ids[0, 2:].tolist() == [-1, -1]
    assert np.isneginf(scores[0, 2:]).all()
    empty = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    assert empty.search(random_vectors(1), 3)[1].tolist() == [[-1, -1, -1]]


@pytest.mark.parametrize("kind", KINDS)
def test_adding_an_existing_id_replaces_its_vector(kind: str) -> None:
    first, second = random_vectors(2)
    index = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    index.add(np.asarray([1]), first[None])
    index.add(np.asarray([1]), second[None])
    assert len(index) == 1
    assert index.vectors_for(np.asarray([1]))[0] == pytest.approx(second)
    _, ids = index.search(second[None], 2)
    assert ids[0].tolist() == [1, -1]


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_through_bytes_keeps_results(kind: str) -> None:
    vectors = random_vectors(40)
    index = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    index.add(np.arange(40), vectors)
    index.remove(np.asarray([0]))
    loaded = FaissVectorIndex.from_bytes(index.to_bytes())
    assert loaded.kind == kind and len(loaded) == 39
    assert loaded.search(vectors[1:6], 5)[1].tolist() == index.search(vectors[1:6], 5)[1].tolist()


@pytest.mark.parametrize("data", [b"", b"garbage", b"PK\x03\x04broken"])
def test_unreadable_bytes_raise_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        FaissVectorIndex.from_bytes(data)


def test_wrong_dimension_is_rejected() -> None:
    index = FaissVectorIndex(16)
    with pytest.raises(ValueError, match="dimension"):
        index.add(np.asarray([1]), random_vectors(1, dim=8))


def test_the_search_thread_cap_reaches_searches_from_other_threads() -> None:
    """OpenMP caps threads per calling thread; a request thread must get the cap too."""
    index = FaissVectorIndex(4)
    index.add(np.arange(3, dtype=np.int64), normalise_rows(np.eye(3, 4, dtype=np.float32)))
    seen: list[int] = []

    def search_in_new_thread() -> None:
        index.search(np.eye(1, 4, dtype=np.float32), 2)
        seen.append(faiss.omp_get_max_threads())

    try:
        set_search_threads(3)  # not the default on any machine with other than 3 cores
        thread = threading.Thread(target=search_in_new_thread)
        thread.start()
        thread.join()
        assert seen == [3]
    finally:
        set_search_threads(1)


def test_searches_share_the_index_and_a_change_waits_for_them() -> None:
    index = FaissVectorIndex(4)
    index.add(np.arange(3, dtype=np.int64), normalise_rows(np.eye(3, 4, dtype=np.float32)))
    query = np.eye(1, 4, dtype=np.float32)
    searched, added = threading.Event(), threading.Event()

    def search() -> None:
        index.search(query, 1)
        searched.set()

    def add() -> None:
        index.add(np.asarray([9], dtype=np.int64), normalise_rows(np.ones((1, 4), np.float32)))
        added.set()

    threads = [threading.Thread(target=search), threading.Thread(target=add)]
    with index._lock.read():  # a search in progress in another thread
        threads[0].start()
        assert searched.wait(timeout=10)  # a second search does not wait
        threads[1].start()
        assert not added.wait(timeout=0.2)  # a change does
    assert added.wait(timeout=10)
    for thread in threads:
        thread.join()
    assert 9 in index
