"""The vectorised parts of ranking give what their plain definitions give (fast unit tests)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_service.content.schemas import Channel
from knowledge_service.index.evidence import Evidence, _distinct
from knowledge_service.index.ranking import _best_units, group_requests
from knowledge_service.index.schemas import SearchFilters, SearchRequest
from knowledge_service.index.vectors import FaissVectorIndex
from tests.factories import make_article


def _evidence(article_of_unit: list[int], n_articles: int) -> Evidence:
    n = len(article_of_unit)
    return Evidence(
        unit_ids=list(range(n)),
        dense=np.zeros(n, dtype=np.float32),
        lexical=np.zeros(n, dtype=np.float32),
        lexical_max=0.0,
        lexical_bound=0.0,
        article_ids=[f"a{k}" for k in range(n_articles)],
        article_of_unit=np.asarray(article_of_unit, dtype=np.int64),
        is_body=np.zeros(n, dtype=bool),
    )


@pytest.mark.parametrize("seed", range(5))
def test_best_units_are_each_articles_argmax_ties_first(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_articles = 30
    article_of_unit = rng.integers(0, n_articles, 400)
    article_of_unit[:n_articles] = np.arange(n_articles)  # every article has a unit
    fused = rng.integers(0, 6, 400).astype(np.float32) / 5  # many ties
    ev = _evidence(article_of_unit.tolist(), n_articles)
    articles = rng.permutation(n_articles)[:10].tolist()
    expected = []
    for article in articles:
        members = np.flatnonzero(article_of_unit == article)
        expected.append(int(members[np.argmax(fused[members])]))
    assert _best_units(ev, fused, articles) == expected
    assert _best_units(ev, fused, []) == []


@pytest.mark.parametrize("seed", range(5))
def test_distinct_is_np_unique_with_inverse(seed: int) -> None:
    values = np.random.default_rng(seed).integers(0, 50, 300)
    distinct, inverse = _distinct(values, 60)
    expected, expected_inverse = np.unique(values, return_inverse=True)
    assert distinct.tolist() == expected.tolist()
    assert inverse.tolist() == expected_inverse.tolist()


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_search_gives_the_best_inner_products_in_order(kind: str) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((60, 16)).astype(np.float32)
    index = FaissVectorIndex(16, kind=kind)  # type: ignore[arg-type]
    ids = np.arange(60, dtype=np.int64) * 7 + 1
    index.add(ids, vectors)
    query = rng.standard_normal((1, 16)).astype(np.float32)
    scores, found = index.search(query, 20)
    exact = vectors @ query[0]
    assert found[0].tolist() == ids[np.argsort(-exact, kind="stable")[:20]].tolist()
    assert scores[0] == pytest.approx(np.sort(exact)[::-1][:20], abs=1e-5)
    scores, found = index.search(query, 70)  # more than it holds: the rest is missing
    assert found[0, 60:].tolist() == [-1] * 10 and np.isneginf(scores[0, 60:]).all()
    assert sorted(found[0, :60].tolist()) == ids.tolist()


def test_requests_are_grouped_by_top_k_and_equal_filters() -> None:
    requests = [
        SearchRequest(query="a", top_k=10),
        SearchRequest(query="b", top_k=10, filters=SearchFilters(channel=Channel.CHAT)),
        SearchRequest(query="c", top_k=10),
        SearchRequest(query="d", top_k=5),
        SearchRequest(query="e", top_k=10, filters=SearchFilters(channel="chat")),  # type: ignore[arg-type]
        SearchRequest(query="f", top_k=10, filters=SearchFilters(locale="en")),
        SearchRequest(query="g", top_k=10, filters=SearchFilters(status=None)),
        SearchRequest(query="h", top_k=10, filters=SearchFilters(locale="en")),
    ]
    groups = group_requests(requests)
    assert groups == [[0, 2], [1, 4], [3], [5, 7], [6]]
    # the same grouping as by the filters' JSON
    by_json: dict[tuple[int, str], list[int]] = {}
    for n, r in enumerate(requests):
        by_json.setdefault((r.top_k, r.filters.model_dump_json()), []).append(n)
    assert groups == list(by_json.values())


def test_the_filters_key_holds_every_filter() -> None:
    """``SearchFilters.key`` names its fields one by one (no serialising per request): a field
    added to the filters must be added to the key, or two different filter sets would share
    cached masks and be ranked together."""
    assert len(SearchFilters().key()) == len(SearchFilters.model_fields)
    changed = {
        "status": None,
        "audience": "internal",
        "channel": "voice",
        "locale": "en-AU",
        "intent": "billing.pay",
    }
    assert set(changed) == set(SearchFilters.model_fields)
    for name, value in changed.items():
        assert SearchFilters(**{name: value}).key() != SearchFilters().key(), name


@pytest.mark.parametrize(
    ("channel", "admitted"),
    [("agent", True), ("chat", False), ("voice", False), ("email", False), ("web", False)],
)
def test_a_channel_filter_admits_an_internal_article_only_on_the_agent_channel(
    channel: str, admitted: bool
) -> None:
    """An internal article whose `channels` lists every channel is still never served on a
    customer channel: `GET /v1/search?channel=chat` listed it as an article chat serves."""
    doc = make_article("staff-voucher", audience="internal")
    assert Channel(channel) in doc.channels
    assert SearchFilters(channel=Channel(channel)).admits(doc) is admitted
    public = make_article("public-voucher")
    assert SearchFilters(channel=Channel(channel)).admits(public)
