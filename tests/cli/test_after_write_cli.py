"""``import`` runs the after-write pipeline (index and findings current without a server);
``check --store`` checks the store in place with the folder check's formats and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import app, common
from knowledge_service.cli import index as index_cli
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.acceptance import add_acceptance
from knowledge_service.freshness.schemas import FindingKind, FindingStatus
from knowledge_service.index.service import BUNDLE_NAME
from knowledge_service.settings import get_settings
from tests.conftest import TODAY
from tests.factories import write_article_md, write_policy_md

runner = CliRunner()
OVERDUE = {"last_reviewed": "2025-06-01", "next_review": "2026-01-01"}  # before KS_TODAY
METER = {
    "title": "How do I send a meter reading?",
    "intents": ["metering.reading.submit"],
    "answer": "Send your meter reading in the app before the 5th of the month.",
}


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A tmp store, data folder and content tree; the fake embedder; fresh cached wiring."""
    monkeypatch.setenv("KS_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("KS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KS_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("KS_POLICIES_DIR", str(tmp_path / "policies"))
    monkeypatch.setenv("KS_EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    common.engine.cache_clear()
    index_cli._embedder.cache_clear()
    write_policy_md(tmp_path / "policies", "REFUNDS")
    write_article_md(
        tmp_path / "content",
        "refund-timeframe",
        policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 5 business days.",  # REFUNDS#2.1 says 10
    )
    write_article_md(tmp_path / "content", "meter-reading", **METER)
    yield tmp_path
    common.engine().dispose()
    get_settings.cache_clear()
    common.engine.cache_clear()
    index_cli._embedder.cache_clear()


def active_kinds() -> dict[str, set[FindingKind]]:
    with session_scope(common.engine()) as session:
        rows = freshness.list_findings(session, limit=1000)
    kinds: dict[str, set[FindingKind]] = {}
    for row in rows:
        if row.status != FindingStatus.RESOLVED:
            for article_id in row.article_ids:
                kinds.setdefault(article_id, set()).add(row.kind)
    return kinds


def test_import_leaves_current_findings_and_index_in_the_store(cli_env: Path) -> None:
    result = runner.invoke(app, ["import"])
    assert result.exit_code == 0, result.output
    assert active_kinds() == {"refund-timeframe": {FindingKind.POLICY_MISMATCH}}
    assert "Findings in the store: 1 open and 0 acknowledged, 1 of them blocking." in result.output
    assert (get_settings().index_dir / BUNDLE_NAME).is_file()  # the index was synced too

    write_article_md(cli_env / "content", "meter-reading", **METER, **OVERDUE)
    result = runner.invoke(app, ["import"])
    assert result.exit_code == 0, result.output
    assert active_kinds() == {
        "refund-timeframe": {FindingKind.POLICY_MISMATCH},
        "meter-reading": {FindingKind.REVIEW_OVERDUE},
    }

    write_article_md(
        cli_env / "content",
        "refund-timeframe",
        policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 10 business days.",
    )
    result = runner.invoke(app, ["import"])
    assert result.exit_code == 0, result.output
    assert active_kinds() == {"meter-reading": {FindingKind.REVIEW_OVERDUE}}


def test_an_unchanged_import_checks_nothing_and_still_reports_the_findings() -> None:
    assert runner.invoke(app, ["import"]).exit_code == 0
    result = runner.invoke(app, ["import"])
    assert result.exit_code == 0, result.output
    assert "Findings in the store: 1 open and 0 acknowledged, 1 of them blocking." in result.output


def test_check_store_reports_like_the_folder_check_and_exits_1_on_a_block(
    cli_env: Path,
) -> None:
    assert runner.invoke(app, ["import"]).exit_code == 0
    result = runner.invoke(app, ["check", "--store", "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "summary"}
    (finding,) = data["findings"]
    assert (finding["kind"], finding["article_ids"]) == ("policy_mismatch", ["refund-timeframe"])
    assert data["summary"]["articles_checked"] == 2 and data["summary"]["blocking"] is True

    sarif = json.loads(runner.invoke(app, ["check", "--store", "--format", "sarif"]).stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["policy_mismatch"]
    text = runner.invoke(app, ["check", "--store"])
    assert text.exit_code == 1
    assert "policy_mismatch [REFUNDS#2.1]" in text.output


def test_check_store_shows_an_accepted_risk_and_exits_0_as_serving_serves_it(
    cli_env: Path,
) -> None:
    """A block whose risk an admin accepted is served to customers: the store check says so
    (until when, by whom) and fails only ``--fail-on warn``, as a warning would."""
    assert runner.invoke(app, ["import"]).exit_code == 0
    until = TODAY + timedelta(days=10)
    with session_scope(common.engine()) as session:
        (finding,) = freshness.list_findings(session, limit=10)
        add_acceptance(session, finding, actor="ops-admin", reason="legal agreed", expires_on=until)
    text = runner.invoke(app, ["check", "--store"])
    assert text.exit_code == 0, text.output
    assert f"block (risk accepted until {until.isoformat()} by ops-admin: served)" in text.output
    assert "1 block (1 of the blocks with an accepted risk)." in text.output
    data = json.loads(runner.invoke(app, ["check", "--store", "--format", "json"]).stdout)
    assert data["summary"]["blocking"] is False
    assert runner.invoke(app, ["check", "--store", "--fail-on", "warn"]).exit_code == 1
    lapsed = runner.invoke(app, ["check", "--store", "--today", until.isoformat()])
    assert lapsed.exit_code == 1 and "risk accepted" not in lapsed.output


def test_check_store_json_and_sarif_mark_an_accepted_risk_as_the_exit_code_counts_it(
    cli_env: Path,
) -> None:
    """JSON and SARIF say which block is served under an accepted risk, as the text does: the
    JSON finding until when and by whom, the SARIF result at the level of a warning (the exit
    code's), its properties keeping the block; once the acceptance lapses, a block again."""
    assert runner.invoke(app, ["import"]).exit_code == 0
    until = TODAY + timedelta(days=10)
    with session_scope(common.engine()) as session:
        (finding,) = freshness.list_findings(session, limit=10)
        add_acceptance(session, finding, actor="ops-admin", reason="legal agreed", expires_on=until)
    result = runner.invoke(app, ["check", "--store", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (item,) = data["findings"]
    assert item["severity"] == "block"
    assert (item["risk_accepted_until"], item["risk_accepted_by"]) == (
        until.isoformat(),
        "ops-admin",
    )
    assert data["summary"]["risk_accepted"] == 1 and data["summary"]["blocking"] is False
    sarif = runner.invoke(app, ["check", "--store", "--format", "sarif"])
    assert sarif.exit_code == 0, sarif.output
    (sarif_result,) = json.loads(sarif.stdout)["runs"][0]["results"]
    assert sarif_result["level"] == "warning"
    assert sarif_result["properties"]["severity"] == "block"
    assert sarif_result["properties"]["risk_accepted_until"] == until.isoformat()
    assert (
        f"Risk accepted until {until.isoformat()} by ops-admin" in sarif_result["message"]["text"]
    )
    assert (
        runner.invoke(app, ["check", "--store", "--format", "sarif", "--fail-on", "warn"]).exit_code
        == 1
    )

    lapsed = ["check", "--store", "--today", until.isoformat(), "--format"]
    result = runner.invoke(app, [*lapsed, "json"])
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)["findings"]
    assert (item["risk_accepted_until"], item["risk_accepted_by"]) == (None, None)
    result = runner.invoke(app, [*lapsed, "sarif"])
    assert result.exit_code == 1
    (sarif_result,) = json.loads(result.stdout)["runs"][0]["results"]
    assert (
        sarif_result["level"] == "error" and "risk_accepted_until" not in sarif_result["properties"]
    )


def test_check_store_as_of_another_day_reports_without_writing_the_store(cli_env: Path) -> None:
    """A review overdue in 2036 written to the store would block customers' answers now."""
    assert runner.invoke(app, ["import"]).exit_code == 0
    before = active_kinds()
    later = ["check", "--store", "--today", "2036-01-01", "--fail-on", "warn", "--format", "json"]
    result = runner.invoke(app, later)
    assert result.exit_code == 1, result.output
    reported = json.loads(result.stdout)["findings"]
    assert any(
        f["kind"] == FindingKind.REVIEW_OVERDUE and f["article_ids"] == ["meter-reading"]
        for f in reported
    )
    assert "not today" in result.stderr and active_kinds() == before  # the store is untouched
    assert FindingKind.REVIEW_OVERDUE not in active_kinds().get("meter-reading", set())
    today = runner.invoke(app, ["check", "--store", "--today", TODAY.isoformat()])
    assert "not today" not in today.stderr  # today's date is an ordinary check


def test_check_store_exits_0_on_a_clean_store(cli_env: Path) -> None:
    (cli_env / "content" / "refund-timeframe.md").unlink()
    assert runner.invoke(app, ["import"]).exit_code == 0
    result = runner.invoke(app, ["check", "--store"])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


@pytest.mark.parametrize(
    "extra", [["--content", "content"], ["--policies", "policies"], ["--no-embeddings"]]
)
def test_check_store_refuses_folder_options(extra: list[str]) -> None:
    result = runner.invoke(app, ["check", "--store", *extra])
    assert result.exit_code == 2


def test_check_store_names_a_version_edited_in_the_service_not_its_stale_file(
    cli_env: Path,
) -> None:
    assert runner.invoke(app, ["import"]).exit_code == 0
    file = cli_env / "content" / "refund-timeframe.md"
    edited = cli_env / "edited.md"  # outside the content folder: the file there is unchanged
    edited.write_text(file.read_text(encoding="utf-8").replace("5 business", "6 business"))
    for step in (["edit", "refund-timeframe", str(edited), "--actor", "ann"],
                 ["submit", "refund-timeframe", "--actor", "ann"],
                 ["approve", "refund-timeframe", "--actor", "bob"]):  # fmt: skip
        done = runner.invoke(app, ["articles", *step])
        assert done.exit_code == 0, done.output
    result = runner.invoke(app, ["check", "--store", "--format", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    article = next(e for e in finding["evidence"] if e["article_id"] == "refund-timeframe")
    assert "6 business days" in article["text"] and article["version"] == 3
    assert article["path"] is None  # the file holds version 1's text, not this one
    text = runner.invoke(app, ["check", "--store"]).output
    assert "at refund-timeframe v3 (edited in the service, in no file)" in text
    assert "refund-timeframe.md" not in text


def test_verify_says_which_findings_still_block_the_article() -> None:
    assert runner.invoke(app, ["import"]).exit_code == 0
    done = runner.invoke(app, ["articles", "verify", "refund-timeframe", "--actor", "ann"])
    assert done.exit_code == 0, done.output
    assert "refund-timeframe is verified but still blocked for customers" in done.output
    assert "by: policy_mismatch (finding " in done.output
    clean = runner.invoke(app, ["articles", "verify", "meter-reading", "--actor", "ann"])
    assert clean.exit_code == 0 and "still blocked" not in clean.output, clean.output


def test_approve_says_which_findings_block_the_published_article(cli_env: Path) -> None:
    """The approval's own check finds the new text still disagrees with its policy: the
    approver is told at once that customer channels hand the article to a person."""
    assert runner.invoke(app, ["import"]).exit_code == 0
    file = cli_env / "content" / "refund-timeframe.md"
    edited = cli_env / "edited.md"
    edited.write_text(file.read_text(encoding="utf-8").replace("5 business", "6 business"))
    for step in (["edit", "refund-timeframe", str(edited), "--actor", "ann"],
                 ["submit", "refund-timeframe", "--actor", "ann"]):  # fmt: skip
        assert runner.invoke(app, ["articles", *step]).exit_code == 0
    done = runner.invoke(app, ["articles", "approve", "refund-timeframe", "--actor", "bob"])
    assert done.exit_code == 0, done.output
    assert "refund-timeframe is published but blocked for customers (approving lifts" in done.output
    assert "by: policy_mismatch (finding " in done.output
