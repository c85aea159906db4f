"""`knowledge-service tune` with the real model: a tuned version is saved, `index rebuild` uses
it when enabled, and falls back to the base model when it is broken or gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.factories import write_article_md
from tests.server import run_cli

ARTICLES = {
    "lost-card": ("Report a lost card", "Freeze the card in the app.",
                  ["my card was stolen", "i lost my debit card", "someone took my wallet"]),
    "refund-time": ("How long does a refund take?", "Refunds arrive within 10 business days.",
                    ["when do i get my money back", "refund not here", "how long for a refund"]),
    "change-address": ("Change your address", "Update your address in the profile page.",
                       ["i moved house", "new postal address", "update where i live"]),
}  # fmt: skip


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    for article_id, (title, answer, questions) in ARTICLES.items():
        write_article_md(
            tmp_path / "content", article_id, title=title, answer=answer, questions=questions,
            intents=[f"kb.{article_id.replace('-', '_')}"],
        )  # fmt: skip
    return {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_CONTENT_DIR": str(tmp_path / "content"),
        "KS_POLICIES_DIR": str(tmp_path / "policies"),
        "KS_INDEX__BACKEND": "torch",  # the ONNX export of a tuned model is the eval script's
        "HF_HUB_OFFLINE": "1",
    }


def _rebuild_model(root: Path, env: dict[str, str], use_tuned: bool) -> tuple[str, str]:
    flag = {"KS_INDEX__USE_TUNED_MODEL": "true" if use_tuned else "false"}
    result = run_cli(root, {**env, **flag}, "index", "rebuild", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["model_name"], result.stderr


def test_tune_refuses_a_store_with_nothing_to_learn(tmp_path: Path, env: dict[str, str]) -> None:
    result = run_cli(tmp_path, env, "tune")
    assert result.returncode == 2
    assert "tuning needs at least two published articles" in result.stderr
    assert not (tmp_path / "data" / "models").exists() or not any(
        p.name.startswith("tuned") for p in (tmp_path / "data" / "models").iterdir()
    )


def test_tune_saves_a_version_that_rebuild_uses_and_falls_back_from(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert run_cli(tmp_path, env, "import").returncode == 0
    result = run_cli(tmp_path, env, "tune", "--batch-size", "3", "--json")
    assert result.returncode == 0, result.stderr
    saved = json.loads(result.stdout)
    folder = tmp_path / "data" / "models" / "tuned-1"
    assert Path(saved["path"]) == folder
    assert (folder / "model.safetensors").is_file() and (folder / "tune.json").is_file()
    assert saved["articles"] == 3 and saved["pairs"] == 18 and saved["steps"] == 6
    assert saved["base_model"] == Path(saved["base_model_path"]).name
    assert saved["settings"]["epochs"] == 1 and len(saved["content_hash"]) == 64
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp left

    base_name, _ = _rebuild_model(tmp_path, env, use_tuned=False)
    tuned_name, _ = _rebuild_model(tmp_path, env, use_tuned=True)
    assert tuned_name == f"tuned-1-{saved['model_id']}" and base_name != tuned_name
    flag = {"KS_INDEX__USE_TUNED_MODEL": "true"}
    search = run_cli(tmp_path, {**env, **flag}, "search", "someone stole my card", "--json")
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)[0]["article_id"] == "lost-card"

    (folder / "model.safetensors").unlink()  # broken: the base model serves, and says why
    name, stderr = _rebuild_model(tmp_path, env, use_tuned=True)
    assert name == base_name
    assert f"tuned model {folder} failed to load" in stderr

    shutil.rmtree(folder)  # gone: the same
    name, stderr = _rebuild_model(tmp_path, env, use_tuned=True)
    assert name == base_name and "no tuned model in" in stderr
