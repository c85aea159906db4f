"""The benchmark scripts' check of ``--data``: a missing or wrong folder is named at once
(``scripts/eval_data.py``), not met as a FileNotFoundError deep inside a run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def eval_data() -> ModuleType:
    return load_script("eval_data")


def _a_set(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(json.dumps({"_id": "1", "text": "t"}) + "\n")
    (folder / "queries.jsonl").write_text(json.dumps({"_id": "q", "text": "q"}) + "\n")
    return folder


def test_a_folder_holding_the_sets_is_taken(eval_data: ModuleType, tmp_path: Path) -> None:
    _a_set(tmp_path / "banking77")
    assert eval_data.data_folder("banking77")(str(tmp_path)) == tmp_path
    assert eval_data.set_folder(str(tmp_path / "banking77")) == tmp_path / "banking77"


def test_a_missing_folder_is_named_with_what_it_should_hold(
    eval_data: ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"no folder .*nowhere.*banking77"):
        eval_data.data_folder("banking77", "hwu64_oos")(str(tmp_path / "nowhere"))


def test_a_folder_without_a_set_names_the_files_it_lacks(
    eval_data: ModuleType, tmp_path: Path
) -> None:
    _a_set(tmp_path / "banking77")
    with pytest.raises(argparse.ArgumentTypeError, match=r"has no hwu64_oos/corpus.jsonl"):
        eval_data.data_folder("banking77", "hwu64_oos")(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match=r"has no corpus.jsonl, queries.jsonl"):
        eval_data.set_folder(str(tmp_path))


def test_hwu64_oos_folder_is_named_with_what_it_should_hold(
    eval_data: ModuleType, tmp_path: Path
) -> None:
    folder = tmp_path / "hwu64_oos"
    with pytest.raises(argparse.ArgumentTypeError, match=r"no folder .*hwu64_oos: give HWU64"):
        eval_data.hwu64_folder(str(folder))
    folder.mkdir()
    (folder / "queries.jsonl").write_text("")
    with pytest.raises(argparse.ArgumentTypeError, match=r"has no content$"):
        eval_data.hwu64_folder(str(folder))
    (folder / "content").mkdir()
    assert eval_data.hwu64_folder(str(folder)) == folder


def test_pii_robustness_without_hwu64_oos_stops_naming_the_folder_and_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its default folder is ../shared/eval-data/hwu64_oos beside the checkout: from a checkout
    with none beside it, the script ran the sample and said HWU64-OOS was skipped."""
    script = load_script("pii_robustness")
    monkeypatch.setattr(script, "DEFAULT", tmp_path / "eval-data")
    monkeypatch.setattr(sys, "argv", ["pii_robustness.py"])
    with pytest.raises(SystemExit) as stopped:
        script.main()
    assert stopped.value.code == 2
    missing = tmp_path / "eval-data" / "hwu64_oos"
    assert (
        f"argument --hwu64: no folder {missing}: give HWU64-OOS's folder" in capsys.readouterr().err
    )
