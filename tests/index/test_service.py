"""The search service kept in step with a real store through the real import path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content.importer import import_content
from knowledge_service.db import make_engine
from knowledge_service.index.cache import EmbeddingCache, StoreEmbeddingCache
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.schemas import SearchFilters
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.factories import write_article_md
from tests.index.conftest import CountingEmbedder
from tests.postgres import fresh_database


def write_kb(root: Path) -> None:
    write_article_md(root, "refund-timeframe", questions=["when will I get my money back"])
    write_article_md(
        root,
        "lost-card",
        title="Report a lost or stolen card",
        answer="Freeze the card in the app.",
        intents=["card.lost"],
        questions=["my card was stolen"],
    )


def do_import(engine: Engine, settings: Settings) -> None:
    report = import_content(engine, [settings.content_dir], max_file_bytes=settings.max_file_bytes)
    assert not report.invalid


def _edit_lost_card(settings: Settings, engine: Engine, status: str = "published") -> None:
    """A second version of lost-card (imported from its file) with ``status``."""
    write_article_md(
        settings.content_dir,
        "lost-card",
        title="Report a lost or stolen card",
        answer="Call the hotline to block the card.",
        intents=["card.lost"],
        questions=["I misplaced my debit card"],
        status=status,
    )
    do_import(engine, settings)


@pytest.fixture
def store(settings: Settings, engine: Engine) -> tuple[Settings, Engine]:
    write_kb(settings.content_dir)
    do_import(engine, settings)
    return settings, engine


def service_for(
    settings: Settings, engine: Engine, embedder: object | None = None
) -> SearchService:
    return SearchService(settings, engine, embedder or HashEmbedder(), cache=EmbeddingCache())  # type: ignore[arg-type]


def test_open_without_a_bundle_builds_and_saves_one(store: tuple[Settings, Engine]) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    status = service.open()
    assert status.is_current and status.articles == 2 and status.units > 2
    assert service.path.is_file()
    assert service.search("my card was stolen")[0].article_id == "lost-card"


class WatchedIndex:
    """Records, for each search of the index, whether the service already counted as open."""

    def __init__(self, service: SearchService, *, fail: bool = False) -> None:
        self.service, self.fail, self.searched_while_open = service, fail, []  # type: list[bool]

    def around(self, index: object) -> None:
        inner = index.search_requests  # type: ignore[attr-defined]

        def search_requests(requests):  # type: ignore[no-untyped-def]
            self.searched_while_open.append(self.service.is_open)
            if self.fail:
                raise RuntimeError("the model is broken")
            return inner(requests)

        index.search_requests = search_requests  # type: ignore[attr-defined]


def watch(
    service: SearchService, monkeypatch: pytest.MonkeyPatch, *, fail: bool = False
) -> list[bool]:
    """Every index the service builds or loads records, at each search, whether the service
    already counted as open (and fails the search with ``fail``)."""
    import knowledge_service.index.service as module

    watched = WatchedIndex(service, fail=fail)
    new_index, load = service._new_index, module.load_bundle

    def built() -> object:
        index = new_index()
        watched.around(index)
        return index

    def loaded(*args: object, **kwargs: object) -> object:
        index, watermark = load(*args, **kwargs)  # type: ignore[arg-type]
        watched.around(index)
        return index, watermark

    monkeypatch.setattr(service, "_new_index", built)
    monkeypatch.setattr(module, "load_bundle", loaded)
    return watched.searched_while_open


@pytest.mark.parametrize("bundle", [False, True], ids=["built", "loaded"])
def test_a_server_warms_the_index_up_before_it_says_ready(
    store: tuple[Settings, Engine], bundle: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, engine = store
    if bundle:
        service_for(settings, engine).open()  # a saved bundle: the next open loads it
    service = service_for(settings, engine)
    searched_while_open = watch(service, monkeypatch)
    assert service.open(warm=True).is_current
    assert searched_while_open == [False]  # searched once, before it counted as open
    assert service.index._speller is not None and service.index._table is not None
    cold = service_for(settings, engine)
    cold.open()
    assert cold.index._speller is None  # commands that are not servers do not pay for it


def test_a_failed_warm_up_still_opens_the_index(
    store: tuple[Settings, Engine],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    searched_while_open = watch(service, monkeypatch, fail=True)
    assert service.open(warm=True).is_current and service.is_open
    assert searched_while_open == [False]
    assert "warming the search index up failed" in caplog.text


def test_edit_and_sync_replace_the_old_version(store: tuple[Settings, Engine]) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    service.open()
    _edit_lost_card(settings, engine)
    assert not service.status().is_current
    status = service.sync()
    assert status.is_current
    hit = service.search("misplaced debit card")[0]
    assert (hit.article_id, hit.version) == ("lost-card", 2)
    assert all(u.version == 2 for u in service.index.units.values() if u.article_id == "lost-card")


def test_retired_article_is_never_returned_after_sync(store: tuple[Settings, Engine]) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    service.open()
    (settings.content_dir / "lost-card.md").unlink()
    do_import(engine, settings)  # the import retires the vanished article
    service.sync()
    for query in ("my card was stolen", "lost stolen card freeze"):
        assert "lost-card" not in [h.article_id for h in service.search(query)]
    any_status = service.search("my card was stolen", filters=SearchFilters(status=None))
    assert any_status[0].article_id == "lost-card"


def test_stale_bundle_is_caught_up_incrementally(store: tuple[Settings, Engine]) -> None:
    settings, engine = store
    service_for(settings, engine).open()
    write_article_md(
        settings.content_dir,
        "pin-reset",
        title="Reset your PIN",
        answer="Reset the PIN in the app.",
        intents=["card.pin"],
    )
    do_import(engine, settings)
    embedder = CountingEmbedder()
    reopened = service_for(settings, engine, embedder)
    status = reopened.open()
    assert status.is_current and status.articles == 3
    encoded = embedder.texts
    assert encoded and all("PIN" in t or "Details" in t for t in encoded)  # only the new article
    assert reopened.search("reset my pin")[0].article_id == "pin-reset"


@pytest.mark.parametrize("damage", [b"", b"not a bundle at all", "truncate"])
def test_corrupt_bundle_is_rebuilt_at_start(store: tuple[Settings, Engine], damage: object) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    service.open()
    data = service.path.read_bytes()
    service.path.write_bytes(data[: len(data) // 2] if damage == "truncate" else damage)  # type: ignore[arg-type]
    reopened = service_for(settings, engine)
    status = reopened.open()
    assert status.is_current and status.articles == 2
    assert reopened.search("my card was stolen")[0].article_id == "lost-card"


def test_bundle_of_another_model_is_rebuilt(store: tuple[Settings, Engine]) -> None:
    settings, engine = store
    service_for(settings, engine, HashEmbedder(64)).open()
    other = service_for(settings, engine, HashEmbedder(128))
    assert other.open().is_current
    assert other.index.vectors.dimension == 128


def test_bundle_ahead_of_the_store_is_rebuilt(
    tmp_path: Path, store: tuple[Settings, Engine]
) -> None:
    settings, engine = store
    service_for(settings, engine).open()
    from knowledge_service.db import create_tables, make_engine

    fresh = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    create_tables(fresh)
    status = service_for(settings, fresh).open()
    assert status.articles == 0 and status.is_current


def test_reopening_a_current_bundle_embeds_nothing(store: tuple[Settings, Engine]) -> None:
    settings, engine = store
    service_for(settings, engine).open()
    embedder = CountingEmbedder()
    reopened = service_for(settings, engine, embedder)
    assert reopened.open().is_current
    assert embedder.calls == []
    assert reopened.search("when will I get my money back")[0].article_id == "refund-timeframe"


def test_historical_index_shows_the_versions_published_then(
    store: tuple[Settings, Engine],
) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    service.open()
    before_edit = datetime.now(UTC)
    _edit_lost_card(settings, engine)
    service.sync()
    then = service.search_as_of("my card was stolen", before_edit)
    assert (then[0].article_id, then[0].version) == ("lost-card", 1)
    assert service.search("my card was stolen")[0].version == 2
    assert service.search_as_of("anything", datetime(2000, 1, 1, tzinfo=UTC)) == []


def test_moments_between_the_same_two_writes_share_one_historical_index(
    store: tuple[Settings, Engine],
) -> None:
    settings, engine = store
    service = service_for(settings, engine)
    service.open()
    first = service.historical(datetime.now(UTC))
    assert service.historical(datetime.now(UTC)) is first
    write_article_md(
        settings.content_dir,
        "meter-reading",
        title="Submit a meter reading",
        intents=["meter.reading"],
        questions=["submit a reading"],
    )
    do_import(engine, settings)
    later = service.historical(datetime.now(UTC))
    assert later is not first and len(later) == len(first) + 1


@pytest.fixture
def opened(store: tuple[Settings, Engine]) -> tuple[Settings, Engine, SearchService]:
    """The store with its search service opened."""
    settings, engine = store
    service = service_for(settings, engine)
    service.open()
    return settings, engine, service


def test_published_version_stays_served_while_a_newer_draft_is_in_review(
    opened: tuple[Settings, Engine, SearchService],
) -> None:
    settings, engine, service = opened
    _edit_lost_card(settings, engine, "draft")  # version 2: a draft of the published version 1
    service.sync()
    hits = [h for h in service.search("my card was stolen") if h.article_id == "lost-card"]
    assert [h.version for h in hits] == [1]
    rebuilt = service_for(settings, engine)
    rebuilt.rebuild()  # a rebuild indexes the same served version as the sync
    assert rebuilt.search("my card was stolen")[0].version == 1
    _edit_lost_card(settings, engine, "published")  # the draft approved: version 3
    service.sync()
    assert [
        h.version for h in service.search("misplaced debit card") if h.article_id == "lost-card"
    ] == [3]


def test_retiring_an_article_with_a_draft_stops_serving_it(
    opened: tuple[Settings, Engine, SearchService],
) -> None:
    settings, engine, service = opened
    _edit_lost_card(settings, engine, "retired")
    _edit_lost_card(settings, engine, "draft")  # a draft written after the retirement
    service.sync()
    assert "lost-card" not in [h.article_id for h in service.search("my card was stolen")]


def test_historical_index_serves_the_published_version_that_was_in_force(
    opened: tuple[Settings, Engine, SearchService],
) -> None:
    settings, engine, service = opened
    _edit_lost_card(settings, engine, "draft")
    during_review = datetime.now(UTC)
    then = service.search_as_of("my card was stolen", during_review)
    assert (then[0].article_id, then[0].version) == ("lost-card", 1)


def test_store_cache_keeps_one_vector_per_text_and_model(engine: Engine) -> None:
    cache = StoreEmbeddingCache(engine)
    first = HashEmbedder().encode(["one", "two"])
    cache.put_many("m", {"h1": first[0], "h2": first[1]})
    cache.put_many("m", {"h1": first[1]})  # a replica stored it meanwhile: the first stays
    found = cache.get_many("m", ["h1", "h2", "h3"])
    assert set(found) == {"h1", "h2"}
    assert (found["h1"] == first[0]).all()
    assert cache.get_many("another-model", ["h1"]) == {}


def test_second_replica_on_a_new_machine_encodes_nothing_already_embedded(
    postgres_server: str, tmp_path: Path
) -> None:
    """Two replicas, each with its own data folder, share one PostgreSQL store."""
    with fresh_database(postgres_server) as url:
        engine = make_engine(url)
        try:
            create_all_tables(engine)
            first = Settings(database_url=url, data_dir=tmp_path / "a", content_dir=tmp_path / "c")
            write_kb(first.content_dir)
            do_import(engine, first)
            encoded_first = CountingEmbedder()
            SearchService(first, engine, encoded_first).open()
            second = first.model_copy(update={"data_dir": tmp_path / "b"})
            encoded_second = CountingEmbedder()
            replica = SearchService(second, engine, encoded_second)
            assert replica.open().is_current
        finally:
            engine.dispose()
    assert encoded_first.texts and encoded_second.calls == []
    assert not (tmp_path / "b" / "index" / "embeddings.sqlite").exists()
    assert replica.search("my card was stolen")[0].article_id == "lost-card"
