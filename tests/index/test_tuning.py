"""Tuning's pure parts and the tuned-model folders: pairs, batches, versions and fallback."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.tuned_models import (
    MANIFEST_FILE,
    choose_model,
    latest_tuned_model,
    save_tuned_model,
)
from knowledge_service.index.tuning import (
    MIN_VALIDATION_QUESTIONS,
    Pair,
    Validation,
    batches,
    build_pairs,
    compare_matches,
    content_hash,
    describe_validation,
    sign_test,
    split_for_validation,
    validation_matches,
)
from knowledge_service.settings import IndexSettings
from tests.factories import make_article

BASE = "/models/all-MiniLM-L6-v2"


def test_pairs_link_each_question_to_its_article_and_to_a_sibling_question() -> None:
    doc = make_article(
        "lost-card", title="Lost card", answer="Freeze it in the app.", questions=["a", "b", "c"]
    )
    pairs = build_pairs([doc], max_questions=10, seed=1)
    passage = "Lost card. Freeze it in the app."
    assert {(p.anchor, p.positive) for p in pairs} == {
        ("a", passage), ("b", passage), ("c", passage), ("a", "b"), ("b", "c"), ("c", "a"),
    }  # fmt: skip
    assert {p.article_id for p in pairs} == {"lost-card"}


def test_an_article_without_questions_pairs_its_title_with_its_lead() -> None:
    doc = make_article("fees", title="What are the fees?", answer="No monthly fee.", questions=[])
    assert build_pairs([doc], max_questions=10, seed=1) == [
        Pair("What are the fees?", "No monthly fee.", "fees")
    ]


def test_questions_are_capped_by_a_seeded_sample() -> None:
    doc = make_article("many", questions=[f"question {n}" for n in range(30)])
    first = build_pairs([doc], max_questions=5, seed=7)
    assert first == build_pairs([doc], max_questions=5, seed=7)
    assert len({p.anchor for p in first}) == 5
    assert first != build_pairs([doc], max_questions=5, seed=8)


def _articles(count: int, questions: int) -> list[ArticleDocument]:
    return [
        make_article(
            f"art-{n}", title=f"Title {n}", answer=f"Lead {n}.",
            questions=[f"question {q} of {n}" for q in range(questions)],
        )
        for n in range(count)
    ]  # fmt: skip


def test_validation_holds_out_a_fifth_of_each_article_with_three_questions_or_more() -> None:
    docs = _articles(MIN_VALIDATION_QUESTIONS, 3) + _articles(13, 2)[MIN_VALIDATION_QUESTIONS:]
    docs[0] = docs[0].model_copy(update={"questions": [f"q{n} of 0" for n in range(10)]})
    docs[1] = docs[1].model_copy(update={"questions": [f"q{n} of 1" for n in range(60)]})
    train_docs, validation = split_for_validation(docs, seed=13, max_questions=8)
    assert validation is not None
    held = {a: validation.answers.count(a) for a in set(validation.answers)}
    expected = {f"art-{n}": 1 for n in range(2, MIN_VALIDATION_QUESTIONS)}
    assert held == {"art-0": 2, "art-1": 5, **expected}  # a fifth, at least 1, at most 5
    by_id = {d.id: d for d in train_docs}
    for question, article in zip(validation.questions, validation.answers, strict=True):
        assert question.endswith(f" of {article.removeprefix('art-')}")
        assert question not in by_id[article].questions  # never trained on
        assert question not in validation.texts  # never matched against itself
    assert len(by_id["art-0"].questions) == 8 and len(by_id["art-5"].questions) == 2
    assert all(len(d.questions) == 2 for d in train_docs if d.id in {"art-10", "art-12"})
    assert "Title 0. Lead 0." in validation.texts  # the title and lead stand for the article
    assert validation.articles.count("art-1") == 1 + 8  # title and lead, max_questions others
    assert not {"art-10", "art-11", "art-12"} & set(validation.articles)
    pairs = build_pairs(train_docs, max_questions=40, seed=13)
    assert not {p.anchor for p in pairs} & set(validation.questions)
    again = split_for_validation(docs, seed=13, max_questions=8)[1]
    assert again is not None and again.questions == validation.questions
    other = split_for_validation(docs, seed=14, max_questions=8)[1]
    assert other is not None and other.questions != validation.questions


def test_too_few_questions_to_hold_out_train_on_everything() -> None:
    docs = _articles(MIN_VALIDATION_QUESTIONS - 1, 5) + _articles(30, 2)[10:]
    train_docs, validation = split_for_validation(docs, seed=13)
    assert validation is None and train_docs == docs


def test_validation_matches_a_question_when_its_nearest_text_is_its_article() -> None:
    validation = Validation(
        questions=["apple pie", "banana bread"],
        answers=["fruit-a", "fruit-b"],
        texts=["apple", "banana", "cherry"],
        articles=["fruit-a", "fruit-a", "fruit-b"],
    )
    vectors = {"apple pie": [1, 0], "banana bread": [0, 1], "apple": [1, 0], "banana": [0, 1],
               "cherry": [0.6, 0.8]}  # fmt: skip

    def encode(texts: list[str]) -> object:
        return [vectors[t] for t in texts]

    # "banana bread" is nearest to "banana", a text of fruit-a, not its own fruit-b
    before = validation_matches(encode, validation)
    assert before == [True, False]
    vectors["cherry"] = [0, 1.0]
    vectors["banana"] = [0.6, 0.8]
    after = validation_matches(encode, validation)
    assert after == [True, True]
    assert compare_matches(before, after) == {
        "questions": 2, "base_right": 1, "tuned_right": 2, "gained": 1, "lost": 0,
    }  # fmt: skip


def test_the_sign_test_weighs_only_the_questions_the_models_disagree_on() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(5, 5) == 1.0
    assert sign_test(1, 0) == 1.0  # one question decides nothing
    assert abs(sign_test(6, 0) - 2 / 64) < 1e-12
    assert sign_test(20, 5) < 0.01 and sign_test(5, 20) == sign_test(20, 5)


def test_the_validation_line_says_which_model_to_keep() -> None:
    clear = {"questions": 100, "base_right": 60, "tuned_right": 75, "gained": 18, "lost": 3}
    line = describe_validation(clear, True)
    assert "base model 60 right (60.0%), tuned 75 (75.0%)" in line and "use it" in line
    unclear = {"questions": 40, "base_right": 30, "tuned_right": 32, "gained": 3, "lost": 1}
    assert "cannot tell that from chance" in describe_validation(unclear, True)
    worse = {"questions": 40, "base_right": 30, "tuned_right": 30, "gained": 2, "lost": 2}
    assert "keep the base model" in describe_validation(worse, True)
    assert "fewer than" in describe_validation(None, True)
    assert "--no-validate" in describe_validation(None, False)


def test_batches_never_hold_two_pairs_of_one_article() -> None:
    pairs = [Pair(f"q{a}-{n}", f"p{a}", f"art-{a}") for a in range(5) for n in range(7)]
    out = batches(pairs, 3, random.Random(3))
    assert all(len({p.article_id for p in b}) == len(b) <= 3 for b in out)
    assert sorted(p.anchor for b in out for p in b) == sorted(p.anchor for p in pairs)
    assert out == batches(pairs, 3, random.Random(3))
    assert out != batches(pairs, 3, random.Random(4))


def test_pairs_left_without_another_article_are_dropped() -> None:
    pairs = [Pair("a1", "pa", "a"), Pair("b1", "pb", "b"), Pair("a2", "pa", "a")]
    out = batches(pairs, 8, random.Random(0))
    assert len(out) == 1 and {p.article_id for p in out[0]} == {"a", "b"}


def test_content_hash_follows_the_questions() -> None:
    before = content_hash([make_article("a", questions=["one"])])
    assert before == content_hash([make_article("a", questions=["one"])])
    assert before != content_hash([make_article("a", questions=["two"])])


def _fake_model(folder: Path) -> None:
    for name in ("modules.json", "config.json"):
        (folder / name).write_text("{}", encoding="utf-8")


def test_versions_are_numbered_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    first = save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2"})
    second = save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2"})
    assert (first.version, second.version) == (1, 2)
    assert json.loads((second.path / MANIFEST_FILE).read_text())["base_model"] == "all-MiniLM-L6-v2"

    def broken(folder: Path) -> None:
        _fake_model(folder)
        raise RuntimeError("training died")

    with pytest.raises(RuntimeError):
        save_tuned_model(tmp_path, broken, {})
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["tuned-1", "tuned-2"]
    assert latest_tuned_model(tmp_path) == second.path


def test_choose_model_uses_the_newest_version_only_when_enabled(tmp_path: Path) -> None:
    save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2", "model_id": "x"})
    tuned = choose_model(tmp_path, BASE, use_tuned=True)
    assert tuned is not None and tuned.model_name == "tuned-1-x"
    assert choose_model(tmp_path, BASE, use_tuned=False) is None


def test_auto_uses_the_newest_version_only_when_its_validation_shows_a_gain(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert choose_model(tmp_path, BASE, use_tuned="auto") is None  # none: no warning
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    unclear = {"questions": 385, "base_right": 320, "tuned_right": 327, "gained": 17, "lost": 10}
    save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2", "model_id": "a",
                                             "validation": unclear})  # fmt: skip
    with caplog.at_level(logging.INFO):
        assert choose_model(tmp_path, BASE, use_tuned="auto") is None
    assert "did not show a gain beyond chance" in caplog.text
    chosen = choose_model(tmp_path, BASE, use_tuned="true")  # true: used anyway
    assert chosen is not None and chosen.model_name == "tuned-1-a"
    clear = {"questions": 240, "base_right": 196, "tuned_right": 207, "gained": 12, "lost": 1}
    save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2", "model_id": "b",
                                             "validation": clear})  # fmt: skip
    chosen = choose_model(tmp_path, BASE, use_tuned="auto")
    assert chosen is not None and chosen.model_name == "tuned-2-b"
    save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2", "model_id": "c",
                                             "validation": None})  # fmt: skip
    assert choose_model(tmp_path, BASE, use_tuned="auto") is None  # only the newest counts
    assert choose_model(tmp_path, BASE, use_tuned="false") is None


@pytest.mark.parametrize(
    ("given", "read"),
    [("auto", "auto"), ("TRUE", "true"), ("1", "true"), ("on", "true"), (True, "true"),
     ("false", "false"), ("no", "false"), (False, "false")],
)  # fmt: skip
def test_the_tuned_model_switch_reads_booleans_and_auto(given: object, read: str) -> None:
    assert IndexSettings(use_tuned_model=given).use_tuned_model == read


def test_the_tuned_model_switch_defaults_to_auto_and_refuses_other_words() -> None:
    assert IndexSettings().use_tuned_model == "auto"
    with pytest.raises(ValidationError, match="use_tuned_model"):
        IndexSettings(use_tuned_model="sometimes")


@pytest.mark.parametrize(
    ("damage", "logged"),
    [
        (lambda p: (p / "config.json").unlink(), "incomplete (missing config.json)"),
        (lambda p: (p / MANIFEST_FILE).write_text("{"), "is not valid JSON"),
        (lambda p: (p / MANIFEST_FILE).write_text('{"base_model": "other"}'), "tuned from other"),
    ],
)
def test_a_broken_tuned_model_falls_back_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage, logged: str
) -> None:
    saved = save_tuned_model(tmp_path, _fake_model, {"base_model": "all-MiniLM-L6-v2"})
    damage(saved.path)
    with caplog.at_level(logging.WARNING):
        assert choose_model(tmp_path, BASE, use_tuned=True) is None
    assert logged in caplog.text


def test_no_tuned_model_falls_back_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert choose_model(tmp_path, BASE, use_tuned=True) is None
    assert "no tuned model" in caplog.text
