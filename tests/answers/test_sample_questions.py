"""The sample knowledge base answers customer-worded questions it was not written from.

``tests/data/sample_questions.yaml`` was written without looking at the articles' ``questions``
lists; the sample is imported, checked and indexed with the real model and shipped settings. The
floor sits a few questions under the figure the README reports (scripts/sample_accuracy.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_service.answers.evaluation import (
    AnswerScore,
    LabelledQuestion,
    load_labelled,
    open_answer_service,
    score_answers,
    strip_questions,
)
from knowledge_service.answers.schemas import AnswerReason
from knowledge_service.answers.service import AnswerService
from knowledge_service.content.schemas import Channel
from knowledge_service.errors import InvalidContentError
from knowledge_service.index.embedder import create_embedder
from knowledge_service.settings import Settings
from tests.conftest import REPO_ROOT, TODAY

pytestmark = pytest.mark.slow

QUESTIONS = REPO_ROOT / "tests" / "data" / "sample_questions.yaml"
IN_SCOPE_FLOOR = 0.70
OUT_OF_SCOPE_FLOOR = 0.90


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> AnswerService:
    settings = Settings(today=TODAY)
    return open_answer_service(
        tmp_path_factory.mktemp("sample"),
        [REPO_ROOT / "content", REPO_ROOT / "policies"],
        create_embedder(settings, threads=2),
        settings,
    )


@pytest.fixture(scope="module")
def score(sample: AnswerService) -> AnswerScore:
    return score_answers(sample, load_labelled(QUESTIONS))


QUESTIONLESS_IN_SCOPE_FLOOR = 0.55
"""The sample with no article listing ``questions`` (scripts/questionless_report.py: 40 of 64
right with the titles' profile, 23 with the defaults it got before)."""


@pytest.fixture(scope="module")
def questionless(tmp_path_factory: pytest.TempPathFactory) -> AnswerService:
    root = tmp_path_factory.mktemp("questionless")
    assert strip_questions(REPO_ROOT / "content", root / "content") > 50
    settings = Settings(today=TODAY)
    return open_answer_service(
        root / "kb",
        [root / "content", REPO_ROOT / "policies"],
        create_embedder(settings, threads=2),
        settings,
    )


def test_a_knowledge_base_without_questions_still_answers(questionless: AnswerService) -> None:
    """Articles need not list ``questions``: the confidence is then measured from where the
    titles land, and answerable questions are answered while out-of-scope ones stay refused."""
    profile = questionless.search.profile
    assert profile is not None and profile.held_out == "titles"
    score = score_answers(questionless, load_labelled(QUESTIONS))
    assert score.in_scope_accuracy >= QUESTIONLESS_IN_SCOPE_FLOOR, score.misses
    assert score.oos_rejection >= OUT_OF_SCOPE_FLOOR, score.misses
    assert score.chat["wrong"] <= 0.08 * score.total, score.chat


def test_the_set_is_big_enough_and_labels_real_articles(sample: AnswerService) -> None:
    questions = load_labelled(QUESTIONS)
    assert len([q for q in questions if q.article]) >= 50
    known = {hit.article_id for hit in sample.search.search("bill", top_k=1000)}
    assert {q.article for q in questions if q.article} <= known


def test_in_scope_questions_get_the_right_article(score: AnswerScore) -> None:
    assert score.in_scope_accuracy >= IN_SCOPE_FLOOR, score.misses


def test_out_of_scope_questions_are_not_answered(score: AnswerScore) -> None:
    assert score.oos_rejection >= OUT_OF_SCOPE_FLOOR, score.misses


def test_chat_rarely_answers_with_the_wrong_article(score: AnswerScore) -> None:
    assert score.chat["wrong"] <= 0.08 * score.total, score.chat


def test_a_broken_question_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "questions.yaml"
    bad.write_text("questions:\n  - article: bpay\n", encoding="utf-8")
    with pytest.raises(InvalidContentError, match=r"questions\.yaml"):
        load_labelled(bad)


def test_score_counts_refusals_and_right_answers(sample: AnswerService) -> None:
    questions = [
        LabelledQuestion(q="how long does a refund take", article="refund-timeframe"),
        LabelledQuestion(q="what is the capital of France", article=None),
    ]
    score = score_answers(sample, questions)
    assert (score.total, score.in_scope, score.right, score.refused) == (2, 1, 1, 1)
    assert score.accuracy == 1.0 and score.misses == []


def test_personal_data_in_a_question_changes_neither_its_answer_nor_what_is_kept(
    sample: AnswerService,
) -> None:
    asked = (
        "hi my name is Jane Citizen, my card 4111 1111 1111 1111 was charged twice, "
        "call me on 0412 345 678"
    )
    plain = "my card was charged twice"
    for channel in (Channel.CHAT, Channel.AGENT):
        with_data, without = sample.answer(asked, channel), sample.answer(plain, channel)
        assert (with_data.status, with_data.article_id, with_data.confidence) == (
            without.status, without.article_id, without.confidence,
        )  # fmt: skip
    kept = [key[0] for key in sample._hits_cache._items]  # the answer engine's cache of hits
    assert plain in kept
    assert not [key for key in kept if "4111" in key or "0412" in key or "citizen" in key]


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("customer says she wants to end her life", None),  # no self-harm procedure here
        ("customer is suicidal", None),
        ("customer says her partner hits her", "agent-family-violence"),
    ],
)
def test_an_agent_is_never_given_life_support_for_a_customer_at_risk_of_suicide(
    sample: AnswerService, asked: str, answered: str | None
) -> None:
    """ "end her life" and "suicidal" share "life" with "Life support customers and power
    outages", which was the agent's answer (confidence 0.69) for want of a procedure."""
    agent = sample.answer(asked, Channel.AGENT)
    assert (agent.article_id, agent.reason) == (answered, AnswerReason.AT_RISK)
