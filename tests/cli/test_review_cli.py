"""The ``review``, ``audit`` and ``export`` commands, and ``import --author`` and conflicts."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.cli import common
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError
from tests.cli.conftest import invoke
from tests.conftest import TODAY
from tests.factories import article_text, write_article_md, write_policy_md


@pytest.fixture(autouse=True)
def cli_env(cli_store: Path) -> Path:
    tmp_path = cli_store
    write_article_md(tmp_path / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"])
    write_article_md(
        tmp_path / "content" / "meter", "meter-reading", title="Read your meter",
        intents=["metering.read"], last_reviewed="2025-06-01", next_review="2026-01-01",
    )  # fmt: skip
    write_policy_md(tmp_path / "policies", "REFUNDS")
    return tmp_path


def test_review_lists_the_queue_as_json_and_as_a_table() -> None:
    assert invoke("import", "--author", "Ada <ada@example.com>")[0] == 0
    code, output = invoke("review", "--json")
    assert code == 0
    page = json.loads(output)
    first = page["items"][0]
    assert (first["kind"], first["article_id"], first["severity"]) == (
        "review_overdue", "meter-reading", "block",
    )  # fmt: skip
    assert "verify" in first["actions"] and page["total"] == len(page["items"])
    code, output = invoke("review", "--owner", "nobody@example.com")
    assert code == 0 and "0 of 0 item(s)" in output
    code, output = invoke("review", "--owner", "  ")  # blank: an error, never an empty queue
    assert code == 2 and "--owner" in output and "must not be blank" in output, output


def test_review_filters_by_a_finding_kind_and_shows_it() -> None:
    assert invoke("import")[0] == 0
    code, output = invoke("review", "--kind", "review_overdue", "--json")
    assert code == 0, output
    (item,) = json.loads(output)["items"]
    assert (item["kind"], item["finding_kind"]) == ("review_overdue", "review_overdue")
    code, output = invoke("review", "--kind", "policy_mismatch")
    assert code == 0 and "0 of 0 item(s)" in output, output
    code, output = invoke("review")
    assert code == 0 and "review_overdue" in output


@pytest.mark.parametrize("ahead", [0, 10])
def test_the_whole_queue_holds_the_weeks_content_gaps_an_owners_does_not(
    monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    """With KS_TODAY ``ahead`` days after the real date, the week of the gaps ends on the real
    date (every answer's time is the real one); it ended on KS_TODAY and held none."""
    real_now = datetime.combine(TODAY - timedelta(days=ahead), time(12), UTC)
    monkeypatch.setattr("knowledge_service.clock.now", lambda: real_now)
    assert invoke("import")[0] == 0
    at = datetime.combine(real_now.date(), time(9), UTC)
    questions = ["do you sell gas heaters", "do you sell gas heaters?", "do you sell gas heaters!"]
    with session_scope(common.engine()) as session:
        for i, question in enumerate([*questions, "an old question"]):
            session.add(
                AnswerEvent(
                    kind="answer", question=question, latency_ms=1.0, channel="chat",
                    status="no_answer", reason="no_article",
                    at=at + timedelta(minutes=i) - timedelta(days=30 if i == 3 else 0),
                )
            )  # fmt: skip
    code, output = invoke("review", "--kind", "content_gap", "--json")
    assert code == 0
    (gap,) = json.loads(output)["items"]
    assert gap["evidence"][0] in questions and gap["actions"] == ["write_article", "edit"]
    code, output = invoke("review")
    assert code == 0 and "content_gap" in output and "asked 3 times, found no confident" in output
    code, output = invoke("review", "--owner", "ada@example.com", "--json")
    assert code == 0 and all(i["kind"] != "content_gap" for i in json.loads(output)["items"])


def test_audit_shows_who_changed_what_with_the_import_author() -> None:
    invoke("import", "--author", "Ada <ada@example.com>")
    code, output = invoke("audit", "--article", "meter-reading", "--json")
    assert code == 0
    items = json.loads(output)["items"]  # the article's events, then its findings' (if any)
    assert {e["object_type"] for e in items} <= {"article", "finding"}
    (event,) = [e for e in items if e["object_type"] == "article"]
    assert (event["actor"], event["action"], event["version_after"]) == (
        "Ada <ada@example.com>", "created", 1,
    )  # fmt: skip
    code, output = invoke("audit", "--actor", "nobody")
    assert code == 0 and "0 of 0 event(s)" in output
    code, output = invoke("audit", "--since", "last week")  # tests/cli/test_errors_cli.py
    assert code == 2 and "--since: 'last week' is not a date or time" in output
    assert invoke("audit", "--since", "2026-11-24 09:00+10:00", "--until", "2026-11-25")[0] == 0
    with pytest.raises(InvalidRequestError, match=r"^parameter '--article': "):
        invoke("audit", "--article", "a", "--policy", "P")
    with pytest.raises(InvalidRequestError, match=r"^parameter '--until': .* before --since$"):
        invoke("audit", "--since", "2026-12-08", "--until", "2026-12-01")  # not 'until', 'since'


def test_import_without_author_names_the_os_user_outside_git(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GIT_DIR", "/nonexistent")  # no repository: the OS user
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    invoke("import")
    with session_scope(common.engine()) as session:
        assert content.get_article(session, "refund-timeframe").author == "operator"


def test_export_then_import_changes_nothing(cli_env: Path) -> None:
    invoke("import")
    code, output = invoke("export", "out")
    assert code == 0 and "Exported 2 articles to out/content and 1 policy to" in output
    assert (cli_env / "out" / "content" / "meter" / "meter-reading.md").is_file()
    code, output = invoke("import", "out/content", "out/policies")
    assert code == 0, output
    assert "conflict" not in output


def test_import_conflict_is_reported_and_exits_non_zero(cli_env: Path) -> None:
    invoke("import")
    with session_scope(common.engine()) as session:
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer="API.")
        content.save_article_text(session, text, author="key:editor", source="api")
    write_article_md(
        cli_env / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"], answer="File."
    )
    code, output = invoke("import")
    assert code == 1
    assert "conflict:" in output and "refund-timeframe" in output
    with session_scope(common.engine()) as session:
        assert content.get_article(session, "refund-timeframe").to_document().answer == "API."


def test_a_file_s_git_author_is_credited_only_for_what_they_committed(tmp_path: Path) -> None:
    """An uncommitted change, or a file git does not track, is not the last committer's."""
    from knowledge_service.cli.imports import git_author

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    committed = tmp_path / "a.md"
    committed.write_text("one\n", encoding="utf-8")
    git("add", "a.md")
    git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-qm", "a")
    assert git_author(str(committed)) == "Ada <ada@example.com>"
    committed.write_text("two\n", encoding="utf-8")  # edited since, not committed
    assert git_author(str(committed)) is None
    untracked = tmp_path / "b.md"
    untracked.write_text("new\n", encoding="utf-8")
    assert git_author(str(untracked)) is None


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("audit", "--actor", "  "), "must not be blank"),
        (("articles", "list", "--owner", " "), "must not be blank"),
        (("review", "--owner", ""), "must not be blank"),
        # invisible characters only (a zero-width space, a byte order mark, a word joiner)
        (("audit", "--actor", "\u200b"), "only invisible characters"),
        (("articles", "list", "--owner", "\ufeff\u2060"), "only invisible characters"),
        (("review", "--owner", " \u200b"), "only invisible characters"),
    ],
)
def test_a_blank_filter_is_refused_naming_its_option(args: tuple[str, ...], said: str) -> None:
    """ "audit --actor '  '" and "articles list --owner ' '" printed nothing found, as if no
    event or article matched; they exit 2 naming the option, as the API's 400 does, and so
    does a filter of invisible characters only ("review --owner $'\\u200b'" listed 0 items)."""
    assert invoke("import")[0] == 0
    code, output = invoke(*args)
    assert code == 2 and args[-2] in output and said in " ".join(output.split()), output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("audit", "--article", "Refund Timeframe"), "is not an article id"),
        (("audit", "--article", "REFUNDS"), "is not an article id"),
        (("audit", "--article", "-refund"), "is not an article id"),
        (("audit", "--article", "refund\u200b"), "is not an article id"),
        (("audit", "--article", "a" * 121), "at most 120 characters"),
        (("audit", "--policy", "refunds"), "is not a policy id"),
        (("audit", "--policy", "REFUNDS#2.1"), "is not a policy id"),
        (("audit", "--policy", "R" * 121), "at most 120 characters"),
    ],
)
def test_a_malformed_document_id_is_refused_naming_its_option(
    args: tuple[str, ...], said: str
) -> None:
    """ "audit --article 'Refund Timeframe'" (or a policy id in lower case) printed 0 events,
    as if the document had none; no document can have such an id (the API's article_id is a
    400 for it), so it exits 2 naming the option and what an id is."""
    assert invoke("import")[0] == 0
    code, output = invoke(*args)
    assert code == 2 and args[-2] in output and said in " ".join(output.split()), output
    code, output = invoke(
        "audit", args[-2], "refund-timeframe" if "article" in args[-2] else "REFUNDS"
    )
    assert code == 0 and "event(s)" in output, output
