"""The knowledge base's leave-one-out score profile: what it holds out, when it exists, and
that the search service keeps it in step with the store."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content.importer import import_content
from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.profile import (
    MIN_QUESTIONS,
    SHARE_ARTICLES,
    log_share,
    score_profile,
    split_questions,
    split_titles,
)
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.factories import make_article, write_article_md
from tests.index.conftest import CountingEmbedder

TOPICS = ["refund", "card", "meter", "solar", "move", "bill"]


def questions_of(topic: str, n: int) -> list[str]:
    return [f"{topic} question number {i} about my {topic}" for i in range(n)]


def articles(per_article: int, status: str = "published") -> list[tuple[ArticleDocument, int]]:
    return [
        (
            make_article(
                t, title=f"{t} help", questions=questions_of(t, per_article), status=status
            ),
            1,
        )
        for t in TOPICS
    ]


def rivals(*scores: float) -> list[tuple[str, float]]:
    return [(f"r{i}", s) for i, s in enumerate(scores)]


def test_the_share_of_an_article_that_stands_apart_is_near_one() -> None:
    assert log_share("best", 0.9, rivals(*[0.2] * 10)) == pytest.approx(0.0, abs=1e-3)


def test_the_share_among_k_equal_articles_is_one_in_k() -> None:
    k = SHARE_ARTICLES  # the best and SHARE_ARTICLES - 1 rivals at its score
    assert log_share("best", 0.7, rivals(*[0.7] * 20)) == pytest.approx(-math.log(k))
    assert log_share("best", 0.7, rivals(0.7, 0.7, *[0.0] * 20)) == pytest.approx(
        -math.log(3), abs=0.01
    )


def test_the_share_counts_each_rival_once_and_skips_the_best_in_the_list() -> None:
    listed = [("best", 0.8), ("a", 0.75), ("a", 0.74), ("b", 0.2)]
    once = [("a", 0.75), ("b", 0.2)]
    assert log_share("best", 0.8, listed) == pytest.approx(log_share("best", 0.8, once))
    assert log_share("best", 0.8, listed) < log_share("best", 0.8, [("b", 0.2)])


def test_a_missing_rival_scores_zero() -> None:
    # nothing else found: a strong article stands apart, a weak one does not quite
    assert log_share("best", 0.9, []) == pytest.approx(0.0, abs=1e-4)
    assert log_share("best", 0.1, []) < log_share("best", 0.9, []) - 0.5
    assert log_share("best", 0.3, []) == pytest.approx(log_share("best", 0.3, rivals(*[0.0] * 9)))


def test_each_article_keeps_at_least_one_question() -> None:
    docs = [(make_article("a", questions=["one"]), 1), (make_article("b", questions=["x", "y"]), 1)]
    kept, held = split_questions(docs, per_article=3)
    assert [doc.questions for doc, _ in kept] == [["one"], [q for q in ["x", "y"] if q not in held]]
    assert len(held) == 1


def test_held_out_questions_are_fixed_by_the_content() -> None:
    first = split_questions(articles(8), per_article=3)[1]
    again = split_questions(articles(8), per_article=3)[1]
    assert first == again and len(first) == 3 * len(TOPICS)


def test_profile_of_a_knowledge_base_with_questions() -> None:
    index = HybridIndex(CountingEmbedder())
    index.upsert(articles(6))
    profile = score_profile(index)
    assert profile is not None and profile.questions == 3 * len(TOPICS)
    assert 0.0 < profile.dense_median <= 1.0 and 0.0 < profile.score_median <= 1.5
    assert profile.share_median is not None
    assert -math.log(SHARE_ARTICLES) <= profile.share_median <= 0.0


def test_too_few_questions_give_no_profile() -> None:
    index = HybridIndex(CountingEmbedder())
    index.upsert(articles(2))  # one held out per article: 6 questions
    assert len(TOPICS) < MIN_QUESTIONS and score_profile(index) is None


def test_drafts_do_not_count() -> None:
    index = HybridIndex(CountingEmbedder())
    index.upsert(articles(6, status="draft"))
    assert score_profile(index) is None


def test_profile_embeds_nothing_new() -> None:
    embedder = CountingEmbedder()
    index = HybridIndex(embedder, cache=EmbeddingCache())
    index.upsert(articles(6))
    before = len(embedder.texts)
    score_profile(index)
    assert len(embedder.texts) == before


def test_search_service_keeps_the_profile_in_step(settings: Settings, engine: Engine) -> None:
    root: Path = settings.content_dir
    for t in TOPICS[:3]:
        write_article_md(
            root, t, title=f"{t} help", intents=[f"x.{t}"], questions=questions_of(t, 6)
        )
    import_content(engine, [root], max_file_bytes=settings.max_file_bytes)
    service = SearchService(settings, engine, CountingEmbedder())
    service.rebuild()
    assert service.profile is None  # 9 held-out questions: too few
    assert service.status().answer_profile.startswith("the settings' defaults")  # type: ignore[union-attr]
    write_article_md(
        root, "solar", title="solar help", intents=["x.solar"], questions=questions_of("solar", 6)
    )
    import_content(engine, [root], max_file_bytes=settings.max_file_bytes)
    service.sync()
    assert service.profile is not None and service.profile.questions == 12
    assert service.status().answer_profile.startswith("12 held-out questions: score ")  # type: ignore[union-attr]
    reopened = SearchService(settings, engine, CountingEmbedder())
    reopened.open()
    assert reopened.profile == service.profile


@pytest.mark.parametrize("per_article", [1, 2])
def test_per_article_bounds_what_is_held_out(per_article: int) -> None:
    held = split_questions(articles(6), per_article=per_article)[1]
    assert len(held) == per_article * len(TOPICS)


MANY_TOPICS = [f"topic{n}" for n in range(12)]


def without_questions(topics: list[str]) -> list[tuple[ArticleDocument, int]]:
    return [
        (make_article(t, title=f"{t} help", answer=f"All about {t} here.", questions=[]), 1)
        for t in topics
    ]


def test_without_questions_the_titles_are_held_out() -> None:
    """A knowledge base whose articles list no questions gets a profile from its titles (it
    fell back to the defaults before, and refused most answerable questions)."""
    index = HybridIndex(CountingEmbedder())
    index.upsert(without_questions(MANY_TOPICS))
    profile = score_profile(index)
    assert profile is not None
    assert profile.held_out == "titles" and profile.questions == len(MANY_TOPICS)
    assert 0.0 < profile.dense_median <= 1.0
    assert profile.share_median is None  # titles crowd unlike questions: the default stands in
    # questions, where enough are listed, still come first
    with_questions = HybridIndex(CountingEmbedder())
    with_questions.upsert(articles(6))
    assert score_profile(with_questions).held_out == "questions"  # type: ignore[union-attr]


def test_held_out_titles_leave_their_articles_and_their_units_context() -> None:
    """The probe must not see a held-out title: not as a unit and not as the context that the
    body's units are embedded with (a title would then find itself)."""
    docs = without_questions(MANY_TOPICS)
    kept, titles = split_titles(docs, most=5)
    assert len(titles) == 5 and titles == split_titles(docs, most=5)[1]  # fixed by the ids
    stripped = {doc.id for doc, _ in kept if doc.title == ""}
    assert len(stripped) == 5
    assert {f"{t} help" for t in stripped} == set(titles)
    embedder = CountingEmbedder()
    probe = HybridIndex(embedder)
    probe.upsert(kept)
    embedded = " ".join(embedder.texts)
    assert not any(title in embedded for title in titles)
    assert len(split_titles(docs)[1]) == len(docs)  # at most MAX_TITLES: all of these


def test_too_few_articles_without_questions_give_no_profile() -> None:
    index = HybridIndex(CountingEmbedder())
    index.upsert(without_questions(MANY_TOPICS[: MIN_QUESTIONS - 1]))
    assert score_profile(index) is None
