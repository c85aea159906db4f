"""Tuning's pure parts and the tuned-model folders: pairs, batches, versions and fallback."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import pytest

from knowledge_service.index.tuned_models import (
    MANIFEST_FILE,
    choose_model,
    latest_tuned_model,
    save_tuned_model,
)
from knowledge_service.index.tuning import Pair, batches, build_pairs, content_hash
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
