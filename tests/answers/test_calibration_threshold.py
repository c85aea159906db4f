"""scripts/calibrate_answers.py picks the no-answer threshold from the dev splits: the dev
objective is smoothed over thresholds, so the pick stays put when the confidences move a little,
and where the smoothed objective cannot tell thresholds apart, the one that answers more."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def calibrate() -> ModuleType:
    return load_script("calibrate_answers")


def split(calibrate: ModuleType, correct: list[bool], in_scope: list[bool]) -> object:
    return calibrate.Scored(np.array(correct), np.array(in_scope))


def separated(calibrate: ModuleType, right: np.ndarray, out: np.ndarray) -> tuple[Any, Any]:
    """In-scope questions answered right at confidences ``right``, out of scope at ``out``."""
    conf = np.r_[right, out].clip(0, 1)
    flags = np.r_[np.ones(len(right), bool), np.zeros(len(out), bool)]
    return conf, split(calibrate, list(flags), list(flags))


def test_the_obvious_optimum_is_found(calibrate: ModuleType) -> None:
    # Equal spreads around 0.65 (in scope) and 0.35 (out of scope): the best threshold is 0.5.
    rng = np.random.default_rng(17)
    conf, dev = separated(calibrate, rng.normal(0.65, 0.1, 2000), rng.normal(0.35, 0.1, 2000))
    assert calibrate.best_threshold([conf], [dev], plateau=0.0) == pytest.approx(0.5, abs=0.01)
    # The default plateau leans to answering, but only as far as dev cannot tell apart.
    t = calibrate.best_threshold([conf], [dev])
    assert 0.45 < t < 0.5
    assert calibrate.balanced(conf, dev, t) > calibrate.balanced(conf, dev, 0.5) - 0.005


def test_the_lowest_threshold_on_a_flat_best_is_taken(calibrate: ModuleType) -> None:
    # Every threshold between 0.3 and 0.7 separates them perfectly: one near the low end is
    # taken, not the middle.
    conf, dev = separated(calibrate, np.linspace(0.7, 1.0, 20), np.linspace(0.0, 0.3, 20))
    t = calibrate.best_threshold([conf], [dev])
    assert calibrate.balanced(conf, dev, t) == 1.0
    assert 0.3 < t < 0.45


def test_a_small_move_of_the_confidences_barely_moves_the_threshold(
    calibrate: ModuleType,
) -> None:
    # 300 + 300 questions with overlapping confidences: the raw objective is ragged near its
    # flat best. Moving every confidence by about 0.005 (what an int8 encoder does) 30 times:
    rng = np.random.default_rng(1)
    conf, dev = separated(calibrate, rng.normal(0.6, 0.15, 300), rng.normal(0.4, 0.15, 300))
    moved = [(conf + np.random.default_rng(k).normal(0, 0.005, len(conf))).clip(0, 1)
             for k in range(30)]  # fmt: skip
    picked = [calibrate.best_threshold([c], [dev]) for c in moved]
    assert np.ptp(picked) <= 0.01
    # Without the smoothing (the rule before issue 17) the same moves shift it far more.
    unsmoothed = [calibrate.best_threshold([c], [dev], smoothing=0.0) for c in moved]
    assert np.ptp(unsmoothed) >= 0.05


def test_both_splits_weigh_the_same(calibrate: ModuleType) -> None:
    # A large split best refused below 0.3 that loses slowly above it, and a split ten times
    # smaller, best refused below 0.6, that loses faster below it: weighing the splits alike,
    # 0.6 wins the raw objective (pooling the questions, the large split would pull it to 0.3).
    a_conf, a_dev = separated(calibrate, np.linspace(0.3, 1.0, 500), np.linspace(0.0, 0.3, 500))
    b_conf, b_dev = separated(calibrate, np.linspace(0.6, 1.0, 50), np.linspace(0.0, 0.6, 50))
    t = calibrate.best_threshold([a_conf, b_conf], [a_dev, b_dev], plateau=0.0)
    assert 0.45 < t <= 0.6  # the smoothing pulls it off the steep side of 0.6
    assert calibrate.best_threshold([a_conf], [a_dev], plateau=0.0) < 0.35


def test_a_threshold_clearly_worse_on_dev_is_never_taken(calibrate: ModuleType) -> None:
    # Answering the out-of-scope question at 0.5 costs a quarter of the balanced accuracy.
    conf = np.array([0.8, 0.9, 0.5, 0.1])
    dev = split(calibrate, [True, True, False, False], [True, True, False, False])
    t = calibrate.best_threshold([conf], [dev], plateau=0.0025)
    assert 0.5 < t <= 0.8
    assert calibrate.best_threshold([conf], [dev], plateau=0.3) <= 0.5


def test_a_channel_counts_its_answers_and_the_right_share_of_them(calibrate: ModuleType) -> None:
    # five questions: right in scope, wrong in scope, out of scope (x2), right in scope
    conf = np.array([0.95, 0.9, 0.86, 0.3, 0.5])
    scored = split(calibrate, [True, False, False, False, True], [True, True, False, False, True])
    voice = calibrate.given_answers(conf, scored, 0.85)
    assert voice["answered"] == 3  # 0.95, 0.9 and the out-of-scope 0.86
    assert voice["answered_share"] == pytest.approx(3 / 5)
    assert voice["right_when_answered"] == pytest.approx(1 / 3)
    chat = calibrate.given_answers(conf, scored, 0.4)
    assert (chat["answered"], chat["right_when_answered"]) == (4, pytest.approx(2 / 4))
    assert calibrate.given_answers(conf, scored, 0.99)["right_when_answered"] == 0.0


def test_right_answers_are_compared_at_as_many_wrong_answers(calibrate: ModuleType) -> None:
    # Four right answers (R) and three wrong (W). The reference answers R R W W at 0.5; the
    # candidate orders them R W R R R W W: by its second wrong answer it has given four right.
    correct = [True, True, False, False, True, True, False]
    scored = split(calibrate, correct, [True] * 7)
    reference = np.array([0.9, 0.8, 0.7, 0.6, 0.1, 0.1, 0.1])
    candidate = np.array([0.9, 0.7, 0.8, 0.1, 0.6, 0.65, 0.05])
    m = calibrate.right_at_equal_wrong(reference, 0.5, candidate, scored)
    assert m == {"reference_right": 2, "wrong": 2, "right": 4}
    # the same model against itself gives the same count
    same = calibrate.right_at_equal_wrong(reference, 0.5, reference, scored)
    assert same["right"] == same["reference_right"] == 2
