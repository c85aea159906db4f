"""scripts/calibrate_answers.py picks the no-answer threshold from the dev splits: where the
objective cannot tell thresholds apart, the one that answers more."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import numpy as np
import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def calibrate() -> ModuleType:
    path = REPO_ROOT / "scripts" / "calibrate_answers.py"
    spec = importlib.util.spec_from_file_location("calibrate_answers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def split(calibrate: ModuleType, correct: list[bool], in_scope: list[bool]) -> object:
    return calibrate.Scored(np.array(correct), np.array(in_scope))


def test_the_lowest_threshold_on_the_best_plateau_is_taken(calibrate: ModuleType) -> None:
    # Four in-scope questions answered right (confidence 0.6 to 0.9) and four out of scope
    # (0.1 to 0.4): every threshold between 0.4 and 0.6 separates them perfectly.
    conf = np.array([0.6, 0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.4])
    dev = split(calibrate, [True] * 4 + [False] * 4, [True] * 4 + [False] * 4)
    t = calibrate.best_threshold([conf], [dev])
    assert 0.4 < t <= 0.6
    assert calibrate.balanced(conf, dev, t) == 1.0
    assert t < 0.45  # the lowest of the perfect thresholds, not one in the middle


def test_a_threshold_clearly_worse_on_dev_is_never_taken(calibrate: ModuleType) -> None:
    # Answering the out-of-scope question at 0.5 costs a quarter of the balanced accuracy.
    conf = np.array([0.8, 0.9, 0.5, 0.1])
    dev = split(calibrate, [True, True, False, False], [True, True, False, False])
    t = calibrate.best_threshold([conf], [dev], plateau=0.0025)
    assert 0.5 < t <= 0.8
    assert calibrate.best_threshold([conf], [dev], plateau=0.3) <= 0.5
