"""``knowledge-service check``: exit codes, JSON and SARIF output, and one real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli.app import app
from tests.factories import write_article_md, write_policy_md

runner = CliRunner()
TODAY = ["--today", "2026-11-24", "--no-embeddings"]


def folders(tmp_path: Path, answer: str) -> list[str]:
    write_policy_md(tmp_path / "policies")
    write_article_md(tmp_path / "content", policy_sources=["REFUNDS#2.1"], answer=answer)
    return ["--content", str(tmp_path / "content"), "--policies", str(tmp_path / "policies")]


def test_exit_0_when_nothing_blocks(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within ten business days.")
    result = runner.invoke(app, ["check", *args, *TODAY])
    assert result.exit_code == 0, result.output
    assert "1 article, 1 policy, 0 invalid files: no findings" in result.output


def test_an_invalid_file_says_what_is_wrong_once_and_how_to_fix_it(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within ten business days.")
    broken = tmp_path / "content" / "broken.md"
    broken.write_text(
        "---\nid: broken\ntitle: Broken\nintents: [x.y]\nowner: a@example.com\n"
        "last_reviewed: 2026-02-30\nnext_review: 2027-06-01\n---\nAn answer.\n"
    )
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    message, (evidence,) = finding["message"], finding["evidence"]
    # named under its folder, wherever that lies; the id could be read: it is about "broken"
    assert message.startswith("content/broken.md line 6, field 'last_reviewed': ")
    assert finding["article_ids"] == ["broken"]
    assert message.count("last_reviewed") == 2  # where, and what to correct
    assert message.endswith(
        ": correct the field 'last_reviewed' (see the content format) and import the file again."
    )
    assert (evidence["path"], evidence["line"]) == (str(broken), 6)
    assert str(broken) not in evidence["text"] and "2026-02-30" in evidence["text"]
    text = runner.invoke(app, ["check", *args, *TODAY]).output
    assert "1 article, 1 policy, 1 invalid file: 1 block." in text


def test_exit_1_and_json_shape_when_a_finding_blocks(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within 3 business days.")
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "summary"}
    (finding,) = data["findings"]
    assert finding["kind"] == "policy_mismatch" and finding["severity"] == "block"
    assert finding["article_ids"] == ["refund-timeframe"]
    assert (finding["policy_id"], finding["clause"]) == ("REFUNDS", "2.1")
    assert finding["evidence"][0]["text"] == "Refunds are paid within 3 business days."
    assert data["summary"]["blocking"] is True


def test_fail_on_warn(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within ten business days.")
    write_policy_md(tmp_path / "policies", effective_date="2026-09-01")  # after last_reviewed
    assert runner.invoke(app, ["check", *args, *TODAY]).exit_code == 0
    assert runner.invoke(app, ["check", *args, *TODAY, "--fail-on", "warn"]).exit_code == 1


def test_sarif_shape(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within 3 business days.")
    (tmp_path / "content" / "broken.md").write_text("---\nid: broken\n---\nx\n")
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "sarif"])
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"policy_mismatch", "invalid"}
    for result_ in results.values():
        assert rules[result_["ruleIndex"]] == result_["ruleId"]
        assert result_["level"] == "error"
        assert result_["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    invalid = results["invalid"]["locations"][0]["physicalLocation"]
    assert invalid["artifactLocation"]["uri"].endswith("broken.md")
    assert invalid["region"]["startLine"] >= 1


@pytest.mark.parametrize(
    "args",
    [
        ["--content", "/no/such/folder"],
        ["--policies", "/no/such/folder"],
        ["--today", "24/11/2026"],
        ["--format", "xml"],
    ],
)
def test_exit_2_when_it_cannot_run(tmp_path: Path, args: list[str]) -> None:
    base = folders(tmp_path, "Refunds are paid within ten business days.")
    result = runner.invoke(app, ["check", *base, "--no-embeddings", *args])
    assert result.exit_code == 2


@pytest.mark.slow
def test_real_process_with_the_real_model(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within 3 business days.")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "knowledge-service"),
            "check",
            *args,
            "--today",
            "2026-11-24",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert [f["kind"] for f in json.loads(done.stdout)["findings"]] == ["policy_mismatch"]


def _line(path: str, n: int) -> str:
    return Path(path).read_text(encoding="utf-8").splitlines()[n - 1]


def test_every_evidence_span_names_its_file_and_line(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within 3 business days.")
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    article, clause = finding["evidence"]
    assert article["path"].endswith("refund-timeframe.md")
    assert _line(article["path"], article["line"]) == "Refunds are paid within 3 business days."
    assert clause["path"].endswith("refunds.md")
    assert _line(clause["path"], clause["line"]).startswith("Approved refunds are paid within")
    text = runner.invoke(app, ["check", *args, *TODAY]).output
    assert f"at {article['path']}:{article['line']}: Refunds are paid within 3" in text
    assert f"at {clause['path']}:{clause['line']}: Approved refunds" in text


def test_sarif_rules_carry_help_and_a_help_uri_into_the_repository_docs(tmp_path: Path) -> None:
    args = folders(tmp_path, "Refunds are paid within 3 business days.")
    sarif = json.loads(runner.invoke(app, ["check", *args, *TODAY, "--format", "sarif"]).stdout)
    (run,) = sarif["runs"]
    docs = (Path(__file__).parents[2] / "docs" / "content-format.md").read_text(encoding="utf-8")
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["text"]
        page, anchor = rule["helpUri"].split("#")
        assert page == "docs/content-format.md"
        assert f"#### `{anchor}`" in docs  # the heading the anchor points at
    (result_,) = run["results"]
    regions = [loc["physicalLocation"]["region"]["startLine"] for loc in result_["locations"]]
    assert len(regions) == 2 and all(n > 1 for n in regions)


@pytest.mark.parametrize(
    ("next_review", "expected"),
    [
        ("2026-11-23", "(1 day ago)"),
        ("2026-11-14", "(10 days ago)"),
        ("2026-11-25", "Review due in 1 day"),
        ("2026-11-24", "Review due today"),
    ],
)
def test_review_messages_count_days_and_say_how_to_fix(
    tmp_path: Path, next_review: str, expected: str
) -> None:
    write_article_md(tmp_path / "content", next_review=next_review, last_reviewed="2026-06-01")
    write_policy_md(tmp_path / "policies")
    args = ["--content", str(tmp_path / "content"), "--policies", str(tmp_path / "policies")]
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert expected in finding["message"]
    assert "`knowledge-service articles verify refund-timeframe`" in finding["message"]
    assert "verify it on its review page (Verify) or with" in finding["message"]  # owners in pages
    if finding["kind"] == "review_overdue":
        assert "edit `next_review`" in finding["message"]


@pytest.mark.parametrize(
    ("last_reviewed", "next_review", "kind", "severity"),
    [
        ("2026-06-01", "2026-05-01", "review_overdue", "block"),  # 207 days: past the grace
        ("2026-11-20", "2026-11-10", "review_overdue", "warn"),  # 14 days: within it
        ("2026-12-01", "2026-11-30", "review_due_soon", "info"),  # in 6 days
    ],
)
def test_a_review_date_before_the_last_review_is_valid_and_due_by_date(
    tmp_path: Path, last_reviewed: str, next_review: str, kind: str, severity: str
) -> None:
    """The contract says only that after ``next_review`` the article is overdue: a date before
    ``last_reviewed`` is a valid file, held to the review rules like any other."""
    write_article_md(tmp_path / "content", last_reviewed=last_reviewed, next_review=next_review)
    write_policy_md(tmp_path / "policies")
    args = ["--content", str(tmp_path / "content"), "--policies", str(tmp_path / "policies")]
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["kind"], finding["severity"]) == (kind, severity), finding["message"]
    assert result.exit_code == (1 if severity == "block" else 0)


def test_a_retired_policy_names_the_clause_that_replaced_it(tmp_path: Path) -> None:
    clauses = {"1 Paper bills": "Retired: replaced by BILLING#2.4.\n\nPaper bills cost $2."}
    write_policy_md(tmp_path / "policies", "PAPER", status="retired", clauses=clauses)
    write_article_md(tmp_path / "content", policy_sources=["PAPER#1"])
    args = ["--content", str(tmp_path / "content"), "--policies", str(tmp_path / "policies")]
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["kind"] == "policy_retired"
    assert "cite BILLING#2.4 instead" in finding["message"]


def test_evidence_paths_are_shown_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders(tmp_path, "Refunds are paid within 3 business days.")
    monkeypatch.chdir(tmp_path)
    args = ["--content", "content", "--policies", "policies"]
    result = runner.invoke(app, ["check", *args, *TODAY, "--format", "sarif"])
    [run] = json.loads(result.stdout)["runs"]
    uris = {
        place["physicalLocation"]["artifactLocation"]["uri"]
        for found in run["results"]
        for place in found["locations"]
    }
    assert uris == {"content/refund-timeframe.md", "policies/refunds.md"}


def test_progress_on_a_terminal_only_for_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run loads a model and embeds every article (half a minute): a terminal sees
    each phase; a pipe, --format json or sarif get nothing extra."""
    from collections.abc import Callable, Iterator
    from contextlib import contextmanager

    from knowledge_service.cli import check as check_module

    shown: list[tuple[str, int, int]] = []

    @contextmanager
    def recorder() -> Iterator[Callable[[str, int, int], None]]:
        yield lambda phase, done, total: shown.append((phase, done, total))

    monkeypatch.setattr(check_module, "phase_progress", recorder)
    args = folders(tmp_path, "Refunds are paid within ten business days.")
    monkeypatch.setattr(check_module, "_on_terminal", lambda: False)
    assert runner.invoke(app, ["check", *args, *TODAY]).exit_code == 0
    assert shown == []
    monkeypatch.setattr(check_module, "_on_terminal", lambda: True)
    for fmt in ("json", "sarif"):
        assert runner.invoke(app, ["check", *args, *TODAY, "--format", fmt]).exit_code == 0
    assert shown == []
    result = runner.invoke(app, ["check", *args, *TODAY])
    assert result.exit_code == 0 and "no findings" in result.output
    phases = [phase for phase, _, _ in shown]
    assert phases[0] == "Reading files" and ("Reading files", 2, 2) in shown
    assert shown[-1] == ("Checking", 1, 1)
