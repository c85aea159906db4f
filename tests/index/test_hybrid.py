"""The in-memory hybrid index: ranking, filters, versions, caches and article neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_service.content.schemas import ArticleDocument, Audience, Channel
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.chunking import chunk_article
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.evidence import allowed_rows, gather_evidence
from knowledge_service.index.fusion import FusionConfig, smooth_scores
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.ranking import centroid_cosines
from knowledge_service.index.schemas import SearchFilters, SearchRequest
from tests.factories import make_article
from tests.index.conftest import CountingEmbedder, kb_articles


@pytest.fixture
def index() -> HybridIndex:
    built = HybridIndex(HashEmbedder())
    built.upsert([(doc, 1) for doc in kb_articles()])
    return built


def ids(hits: list) -> list[str]:
    return [h.article_id for h in hits]


def test_a_customer_phrasing_finds_the_article_through_its_question(index: HybridIndex) -> None:
    hits = index.search("when will I get my money back")
    assert hits[0].article_id == "refund-timeframe"
    assert hits[0].unit_kind == "question"
    assert hits[0].snippet.startswith("Refunds reach your account")  # the answer, not the question


def test_results_are_whole_articles_each_once(index: HybridIndex) -> None:
    hits = index.search("card", top_k=10, filters=SearchFilters(status=None))
    assert len(ids(hits)) == len(set(ids(hits)))
    assert hits == sorted(hits, key=lambda h: -h.score)


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (
            SearchFilters(),
            {"refund-timeframe", "lost-card", "card-fraud-internal", "refund-timeframe-fr"},
        ),
        (
            SearchFilters(audience=Audience.PUBLIC),
            {"refund-timeframe", "lost-card", "refund-timeframe-fr"},
        ),
        (SearchFilters(audience=Audience.INTERNAL), {"card-fraud-internal"}),
        (SearchFilters(channel=Channel.CHAT), {"refund-timeframe", "lost-card"}),
        (
            SearchFilters(channel=Channel.AGENT),
            {"refund-timeframe", "lost-card", "card-fraud-internal"},
        ),
        (SearchFilters(locale="fr"), {"refund-timeframe-fr"}),
        (SearchFilters(locale="en-AU"), {"refund-timeframe", "lost-card", "card-fraud-internal"}),
        (SearchFilters(locale="de"), set()),
        (
            SearchFilters(intent="billing.refund.timeframe"),
            {"refund-timeframe", "refund-timeframe-fr"},
        ),
        (SearchFilters(intent="card.lost", channel=Channel.VOICE), {"lost-card"}),
    ],
)
def test_every_filter_admits_exactly_its_articles(
    index: HybridIndex, filters: SearchFilters, allowed: set[str]
) -> None:
    for query in ("refund card stolen", "délai", "escalate fraud"):
        assert set(ids(index.search(query, top_k=10, filters=filters))) <= allowed
    found = set(
        ids(index.search("refund card stolen money lost fraud délai", top_k=10, filters=filters))
    )
    assert found == allowed


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_drafts_and_retired_articles_are_never_returned_by_default(status: str) -> None:
    index = HybridIndex(HashEmbedder())
    index.upsert([(make_article("hidden", title="Secret refund rules", status=status), 2)])
    assert index.search("secret refund rules") == []
    assert ids(index.search("secret refund rules", filters=SearchFilters(status=None))) == [
        "hidden"
    ]


def test_new_version_replaces_the_old_units(index: HybridIndex) -> None:
    old_units = set(index.articles["lost-card"].unit_ids)
    new = make_article(
        "lost-card",
        title="Report a lost card",
        answer="Call the 24h hotline to block it.",
        intents=["card.lost"],
        questions=["I misplaced my debit card"],
    )
    index.upsert([(new, 2)])
    assert not old_units & set(index.units)
    assert len(index.vectors) == len(index.units)
    assert index.search("misplaced debit card")[0].version == 2
    assert not index.search("replacement card arrives in 5 days")[0].snippet.startswith(
        "A replacement"
    )


def test_retiring_an_article_removes_it_from_results(index: HybridIndex) -> None:
    retired = make_article("lost-card", title="Report a lost or stolen card", status="retired")
    index.upsert([(retired, 2)])
    assert "lost-card" not in ids(index.search("my card was stolen", top_k=10))
    index.remove(["lost-card"])
    assert "lost-card" not in index.articles and len(index.vectors) == len(index.units)


def test_unchanged_units_are_never_embedded_twice(counting_embedder: CountingEmbedder) -> None:
    cache = EmbeddingCache()
    docs = [(doc, 1) for doc in kb_articles()]
    HybridIndex(counting_embedder, cache=cache).upsert(docs)
    first = len(counting_embedder.texts)
    HybridIndex(counting_embedder, cache=cache).upsert(docs)  # a rebuild
    assert len(counting_embedder.texts) == first
    original = kb_articles()[1]
    changed = original.model_copy(
        update={
            "answer": "New answer text.",
            "body": original.body.replace(original.answer, "New answer text."),
        }
    )
    index = HybridIndex(counting_embedder, cache=cache)
    index.upsert([(changed, 2)])
    assert counting_embedder.texts[first:] == ["Report a lost or stolen card\nNew answer text."]


def test_embedding_cache_persists_across_processes(
    tmp_path, counting_embedder: CountingEmbedder
) -> None:
    path = tmp_path / "cache.sqlite"
    HybridIndex(counting_embedder, cache=EmbeddingCache(path)).upsert([(kb_articles()[0], 1)])
    calls = len(counting_embedder.calls)
    HybridIndex(counting_embedder, cache=EmbeddingCache(path)).upsert([(kb_articles()[0], 5)])
    assert len(counting_embedder.calls) == calls


def test_repeated_queries_are_encoded_once(counting_embedder: CountingEmbedder) -> None:
    index = HybridIndex(counting_embedder)
    index.upsert([(doc, 1) for doc in kb_articles()])
    before = len(counting_embedder.calls)
    index.search_many(["lost card", "refund", "lost card"])
    index.search("refund")
    assert counting_embedder.calls[before:] == [["lost card", "refund"]]


def test_intent_head_is_trained_on_published_questions_and_used() -> None:
    index = HybridIndex(HashEmbedder(), config=FusionConfig(head_weight=0.5))
    index.upsert([(doc, 1) for doc in kb_articles()])
    assert index.head is not None
    assert set(index.head.article_ids) == {d.id for d in kb_articles()}
    assert index.search("I lost my card")[0].article_id == "lost-card"


def test_nearest_articles_are_whole_article_neighbours() -> None:
    index = HybridIndex(HashEmbedder())
    twin = make_article(
        "refund-copy",
        title="How long does a refund take?",
        answer="Refunds reach your account within 10 business days.",
    )
    index.upsert([(doc, 1) for doc in [*kb_articles(), twin]])
    near = index.nearest_articles("refund-timeframe", k=2)
    assert near[0][0] == "refund-copy" and near[0][1] > 0.99
    assert all(a != "refund-timeframe" for a, _ in near)
    assert index.nearest_articles("refund-timeframe", k=5, min_score=0.99) == [near[0]]
    assert index.nearest_articles("no-such-article") == []
    vectors = index.article_vectors_for(["refund-timeframe", "refund-copy"])
    assert vectors.shape == (2, index.embedder.dimension)


def test_index_switches_to_hnsw_past_the_threshold() -> None:
    from knowledge_service.index.snapshot import IndexOptions

    index = HybridIndex(HashEmbedder(), options=IndexOptions(ann_threshold=5))
    index.upsert([(doc, 1) for doc in kb_articles()])
    assert index.vector_kind == "hnsw"
    assert index.search("my card was stolen")[0].article_id == "lost-card"


def test_batched_requests_with_their_own_filters_match_separate_searches(
    index: HybridIndex,
) -> None:
    requests = [
        SearchRequest(query="lost card", top_k=3),
        SearchRequest(query="refund still missing", top_k=3),  # ranked with the first
        SearchRequest(query="refund", top_k=2, filters=SearchFilters(channel=Channel.VOICE)),
        SearchRequest(
            query="lost card", top_k=5, filters=SearchFilters(audience=Audience.INTERNAL)
        ),
    ]
    batched = index.search_requests(requests)
    separate = [index.search(r.query, top_k=r.top_k, filters=r.filters) for r in requests]
    assert [ids(b) for b in batched] == [ids(s) for s in separate]
    for b, s in zip(batched, separate, strict=True):
        assert [h.score for h in b] == pytest.approx([h.score for h in s])
    assert len(batched[0]) <= 3 and len(batched[2]) <= 2
    assert ids(batched[0]) != ids(batched[1])  # grouped, yet each keeps its own ranking


def _whole_content_centroid(doc: ArticleDocument, embedder: HashEmbedder) -> np.ndarray:
    units = embedder.encode([u.index_text for u in chunk_article(doc, 1)])
    mean = units.mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_an_article_scores_its_best_units_plus_the_cosine_to_its_whole_content() -> None:
    embedder = HashEmbedder()
    plain = HybridIndex(embedder)
    weighted = HybridIndex(embedder, config=FusionConfig(centroid_weight=0.5))
    for index in (plain, weighted):
        index.upsert([(doc, 1) for doc in kb_articles()])
    query = "my card was stolen and I want my money back"
    vector = embedder.encode([query])[0]
    before = {h.article_id: h.score for h in plain.search(query, top_k=10)}
    after = {h.article_id: h.score for h in weighted.search(query, top_k=10)}
    assert set(after) == set(before) and len(after) >= 2
    docs = {d.id: d for d in kb_articles()}
    for article_id, score in after.items():
        cosine = float(_whole_content_centroid(docs[article_id], embedder) @ vector)
        assert score == pytest.approx(before[article_id] + 0.5 * cosine, abs=1e-5)


def test_a_new_version_replaces_the_article_centroid() -> None:
    embedder = HashEmbedder()
    index = HybridIndex(embedder, config=FusionConfig(centroid_weight=0.5))
    index.upsert([(doc, 1) for doc in kb_articles()])
    changed = make_article(
        "lost-card", title="Gift vouchers", answer="Vouchers never expire.", intents=["card.lost"]
    )
    index.upsert([(changed, 2)])
    centroid = index.articles["lost-card"].centroid
    assert centroid is not None
    expected = embedder.encode([u.index_text for u in chunk_article(changed, 2)]).mean(axis=0)
    assert np.allclose(centroid, expected / np.linalg.norm(expected), atol=1e-6)


def test_the_centroid_rows_the_evidence_carries_are_its_articles_own() -> None:
    """Ranking reads each evidence article's centroid by its table row (no lookup by id per
    article): the same cosines as by id, also after a removal renumbers the articles."""
    embedder = HashEmbedder()
    index = HybridIndex(embedder, config=FusionConfig(centroid_weight=0.5))
    index.upsert([(doc, 1) for doc in kb_articles()])
    index.remove([kb_articles()[0].id])
    query = "my card was stolen and I want my money back"
    vector = embedder.encode([query])[0]
    with index.lock.read():
        snap = index.snapshot()
        allowed = allowed_rows(snap, SearchFilters())
        _, dense_ids = snap.vectors.search(vector[None, :], len(snap.vectors))
        ev = gather_evidence(snap, query, vector, dense_ids[0], allowed)
        assert ev.article_rows is not None and len(ev.article_ids) >= 2
        by_row = centroid_cosines(snap, vector, ev.article_ids, ev.article_rows)
        by_id = centroid_cosines(snap, vector, ev.article_ids)
    assert by_row.tolist() == by_id.tolist()
    docs = {d.id: d for d in kb_articles()}
    for article_id, cosine in zip(ev.article_ids, by_row.tolist(), strict=True):
        assert cosine == pytest.approx(
            float(_whole_content_centroid(docs[article_id], embedder) @ vector), abs=1e-5
        )


def _coverage_kb(outage_answer: str) -> list[ArticleDocument]:
    return [
        make_article("new-home", title="Power at a new home", answer="We connect it.", body=""),
        make_article("register", title="Equipment register", answer="List oxygen use.", body=""),
        make_article("outages", title="Outages", answer=outage_answer, body=""),
    ]


def test_an_article_gains_its_share_of_the_query_terms_weight() -> None:
    embedder = HashEmbedder()
    plain = HybridIndex(embedder)
    covered = HybridIndex(embedder, config=FusionConfig(coverage_weight=0.3))
    for index in (plain, covered):
        index.upsert([(doc, 1) for doc in _coverage_kb("Check the map.")])
    query = "oxygen at a new home"  # terms: oxygen, new, home; each held by one article
    before = {h.article_id: h.score for h in plain.search(query, top_k=10)}
    after = {h.article_id: h.score for h in covered.search(query, top_k=10)}
    share = {"new-home": 2 / 3, "register": 1 / 3, "outages": 0.0}
    for article_id, score in after.items():
        assert score == pytest.approx(before[article_id] + 0.3 * share[article_id], abs=1e-5)
    # a new version holding "oxygen" makes the term commoner and counts for its article
    (changed,) = [d for d in _coverage_kb("Oxygen users are called first.") if d.id == "outages"]
    for index in (plain, covered):
        index.upsert([(changed, 2)])
    before = {h.article_id: h.score for h in plain.search(query, top_k=10)}
    after = {h.article_id: h.score for h in covered.search(query, top_k=10)}
    common, rare = np.log(1 + 1.5 / 2.5), np.log(1 + 2.5 / 1.5)  # held by 2 and by 1 of 3
    total = common + 2 * rare
    share = {"new-home": 2 * rare / total, "register": common / total, "outages": common / total}
    for article_id, score in after.items():
        assert score == pytest.approx(before[article_id] + 0.3 * share[article_id], abs=1e-5)


def test_the_best_articles_scores_are_smoothed_by_their_centroids() -> None:
    embedder = HashEmbedder()
    plain = HybridIndex(embedder)
    smoothed = HybridIndex(embedder, config=FusionConfig(smooth_weight=0.2, smooth_top=2))
    for index in (plain, smoothed):
        index.upsert([(doc, 1) for doc in kb_articles()])
    query = "my card was stolen and I want my money back"
    before = plain.search(query, top_k=10)
    after = {h.article_id: h.score for h in smoothed.search(query, top_k=10)}
    top = [h.article_id for h in before[:2]]
    centroids = np.stack([plain.articles[a].centroid for a in top])
    want = smooth_scores(np.asarray([h.score for h in before[:2]], np.float32), centroids, 0.2, 0.1)
    assert [after[a] for a in top] == pytest.approx(want.tolist(), abs=1e-5)
    assert want.tolist() != pytest.approx([h.score for h in before[:2]])
    for hit in before[2:]:
        assert after[hit.article_id] == pytest.approx(hit.score, abs=1e-6)


def test_questions_are_searched_without_personal_data() -> None:
    embedder = CountingEmbedder()
    index = HybridIndex(embedder)
    index.upsert([(doc, 1) for doc in kb_articles()])
    embedder.calls.clear()
    asked = "I lost my card 4111 1111 1111 1111, mail me at jo.bloggs@example.com"
    clean = "I lost my card mail me"
    hits = index.search_many([asked])[0]
    assert embedder.texts == [clean]  # what the encoder saw
    assert [(h.article_id, h.score) for h in hits] == [
        (h.article_id, h.score) for h in index.search_many([clean])[0]
    ]
    requests = [SearchRequest(query="call 0412 345 678 about my refund")]
    assert index.search_requests(requests)[0]
    assert "call about my refund" in embedder.texts
    assert not any(c.isdigit() or "@" in t for t in embedder.texts for c in t)
