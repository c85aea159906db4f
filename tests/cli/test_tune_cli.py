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
    assert run_cli(tmp_path, env, "db", "upgrade").returncode == 0  # a store, with no article
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
    # the default, auto: this version showed no gain (3 articles hold nothing out), so the base
    default = run_cli(tmp_path, env, "index", "rebuild", "--json")
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout)["model_name"] == base_name
    manifest = json.loads((folder / "tune.json").read_text())  # as if it had shown one
    manifest["validation"] = {"questions": 40, "base_right": 25, "tuned_right": 35, "gained": 11,
                              "lost": 1}  # fmt: skip
    (folder / "tune.json").write_text(json.dumps(manifest))
    default = run_cli(tmp_path, env, "index", "rebuild", "--json")
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout)["model_name"] == tuned_name
    flag = {"KS_INDEX__USE_TUNED_MODEL": "true"}
    search = run_cli(tmp_path, {**env, **flag}, "search", "someone stole my card", "--json")
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)["results"][0]["article_id"] == "lost-card"

    (folder / "model.safetensors").unlink()  # broken: the base model serves, and says why
    name, stderr = _rebuild_model(tmp_path, env, use_tuned=True)
    assert name == base_name
    assert f"tuned model {folder} failed to load" in stderr

    shutil.rmtree(folder)  # gone: the same
    name, stderr = _rebuild_model(tmp_path, env, use_tuned=True)
    assert name == base_name and "no tuned model in" in stderr


TOPICS = {
    "lost-card": ("Report a lost card", "Freeze the card in the app."),
    "refund-time": ("How long does a refund take?", "Refunds arrive within 10 business days."),
    "change-address": ("Change your address", "Update your address in the profile page."),
    "pay-bill": ("Pay your bill", "Pay by card, bank transfer or direct debit."),
    "power-outage": ("Report a power outage", "Call the faults line or check the outage map."),
    "read-meter": ("Read your meter", "Send us a photo of the meter's display."),
    "close-account": ("Close your account", "Tell us the day you move out."),
    "reset-password": ("Reset your password", "Use the forgotten password link."),
    "late-fee": ("Late payment fee", "A $20 fee applies after the due date."),
    "solar-feed-in": ("Solar feed-in credits", "Credits appear on your next bill."),
}


def test_tune_reports_held_out_questions_it_never_trained_on(tmp_path: Path) -> None:
    for article_id, (title, answer) in TOPICS.items():
        subject = title.lower()
        questions = [f"how do i {subject}", f"question about {subject}", f"help with {subject}"]
        write_article_md(
            tmp_path / "content", article_id, title=title, answer=answer, questions=questions,
            intents=[f"kb.{article_id.replace('-', '_')}"],
        )  # fmt: skip
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_INDEX__BACKEND": "torch",
        "HF_HUB_OFFLINE": "1",
    }
    assert run_cli(tmp_path, env, "import", str(tmp_path / "content")).returncode == 0

    text = run_cli(tmp_path, env, "tune")
    assert text.returncode == 0, text.stderr
    assert f"Validation, {len(TOPICS)} held-out questions" in text.stdout
    assert "KS_INDEX__USE_TUNED_MODEL=" in text.stdout  # what index rebuild will use
    saved = json.loads((tmp_path / "data" / "models" / "tuned-1" / "tune.json").read_text())
    validation = saved["validation"]
    assert validation["questions"] == len(TOPICS)  # one per article
    assert 0 <= validation["base_right"] <= len(TOPICS)
    assert 0 <= validation["tuned_right"] <= len(TOPICS)
    assert saved["pairs"] == len(TOPICS) * 4  # 2 questions each: 2 with the lead, 2 with a sibling

    everything = run_cli(tmp_path, env, "tune", "--no-validate", "--json")
    assert everything.returncode == 0, everything.stderr
    unvalidated = json.loads(everything.stdout)
    assert unvalidated["validation"] is None and unvalidated["pairs"] == len(TOPICS) * 6
