"""The CLI: search, index rebuild|status and eval, with the fake embedder (``hash`` model)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import common
from knowledge_service.cli import index as index_cli
from knowledge_service.cli.app import app
from tests.factories import write_article_md

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KS_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("KS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KS_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("KS_POLICIES_DIR", str(tmp_path / "policies"))
    monkeypatch.setenv("KS_EMBEDDING_MODEL", "hash")
    for cached in (common.engine, index_cli._embedder):
        cached.cache_clear()
    from knowledge_service import settings as settings_module

    settings_module.get_settings.cache_clear()
    write_article_md(
        tmp_path / "content",
        "lost-card",
        title="Report a lost card",
        answer="Freeze the card in the app.",
        intents=["card.lost"],
        questions=["my card was stolen"],
    )
    write_article_md(
        tmp_path / "content",
        "internal-fraud",
        title="Fraud escalation",
        answer="Escalate card fraud.",
        intents=["card.fraud"],
        audience="internal",
        channels=["agent"],
    )
    assert runner.invoke(app, ["import", str(tmp_path / "content")]).exit_code == 0
    yield tmp_path
    for cached in (common.engine, index_cli._embedder):
        cached.cache_clear()
    settings_module.get_settings.cache_clear()


def test_search_prints_json_hits(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "my card was stolen", "--json", "--top-k", "1"])
    assert result.exit_code == 0, result.output
    response = json.loads(result.stdout)
    assert set(response) == {"query", "results", "as_of", "locale_fallback"}  # as GET /v1/search
    assert response["locale_fallback"] is False
    assert [h["article_id"] for h in response["results"]] == ["lost-card"]


def test_search_shows_the_query_redacted_as_the_api_echoes_it(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "my card 4111 1111 1111 1111 was stolen"])
    assert result.exit_code == 0, result.output
    assert "Search: my card [CARD] was stolen" in result.stdout
    assert "4111" not in result.stdout


def test_search_channel_filter_hides_agent_only_articles(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "card fraud escalation", "--json", "--channel", "chat"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    assert "internal-fraud" not in [h["article_id"] for h in hits]


def test_search_shows_each_article_s_findings_and_badge(cli_env: Path) -> None:
    write_article_md(
        cli_env / "content",
        "card-fee",
        title="Card replacement fee",
        answer="A replacement card costs $5.",
        intents=["card.fee"],
        last_reviewed="2025-06-01",
        next_review="2026-01-01",  # overdue past its grace on KS_TODAY: a blocking finding
    )
    assert runner.invoke(app, ["import", str(cli_env / "content")]).exit_code == 0
    result = runner.invoke(app, ["search", "card replacement fee", "--json"])
    assert result.exit_code == 0, result.output
    hits = {h["article_id"]: h for h in json.loads(result.stdout)["results"]}
    assert (hits["card-fee"]["badge"], hits["lost-card"]["badge"]) == ("block", "current")
    assert [n["kind"] for n in hits["card-fee"]["freshness"]] == ["review_overdue"]
    assert hits["lost-card"]["freshness"] == []
    table = runner.invoke(app, ["search", "card replacement fee"])
    assert table.exit_code == 0, table.output
    rows = [line.split("│") for line in table.stdout.splitlines() if "card-fee" in line]
    assert [cell.strip() for cell in rows[0]][3:6] == ["card-fee", "1", "block"]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--locale", "!!"), ("--locale", "en-" + "a" * 40), ("--top-k", "51"), ("--top-k", "0"),
     ("--intent", "Card Lost"), ("--intent", "card." + "a" * 200)],
)  # fmt: skip
def test_search_refuses_what_the_api_refuses(cli_env: Path, option: str, value: str) -> None:
    result = runner.invoke(app, ["search", "my card was stolen", option, value])
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output


def test_search_refuses_a_query_longer_than_the_api_takes(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "card " * 101])
    assert result.exit_code == 2
    assert "the query has 505 characters: at most 500" in result.stderr
    assert runner.invoke(app, ["search", "lost card", "--intent", "card.lost"]).exit_code == 0


def test_search_takes_the_api_s_largest_top_k_and_a_language(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "card", "--top-k", "50", "--locale", "en", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    assert {h["article_id"] for h in hits} == {"lost-card", "internal-fraud"}


def test_search_in_another_region_of_the_language_falls_back_and_says_so(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "my card was stolen", "--locale", "en-US", "--json"])
    assert result.exit_code == 0, result.output
    response = json.loads(result.stdout)
    assert response["locale_fallback"] is True  # the articles are en-AU
    assert response["results"][0]["article_id"] == "lost-card"
    table = runner.invoke(app, ["search", "my card was stolen", "--locale", "en-US"])
    assert table.exit_code == 0, table.output
    assert "No en-US article matched: these are the same language's (en-AU)." in table.stdout


def test_index_rebuild_and_status(cli_env: Path) -> None:
    rebuilt = runner.invoke(app, ["index", "rebuild", "--json"])
    assert rebuilt.exit_code == 0, rebuilt.output
    status = json.loads(runner.invoke(app, ["index", "status", "--json"]).stdout)
    assert status["is_current"] and status["articles"] == 2
    assert status["model"] == os.environ["KS_EMBEDDING_MODEL"]  # where the model comes from
    assert status["model_name"].startswith("hash")  # what the vectors are keyed by


def test_bad_channel_is_a_usage_error(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "card", "--channel", "fax"])
    assert result.exit_code == 2


def test_eval_prints_metrics(cli_env: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "corpus.jsonl").write_text(
        json.dumps({"id": "d1", "title": "Lost card", "text": "I lost my card", "intent": "lost"})
        + "\n"
        + json.dumps({"id": "d2", "title": "Top up", "text": "add money", "intent": "top_up"})
        + "\n"
    )
    (folder / "queries.jsonl").write_text(json.dumps({"id": "q1", "text": "lost my card"}) + "\n")
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    result = runner.invoke(app, ["eval", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["queries"] == 1 and report["metrics"]["accuracy@1"] == 1.0


def _waiting_on_flock(pid: int) -> bool:
    """Whether process ``pid`` is blocked waiting for a ``flock`` (Linux lists waiters in
    /proc/locks with a ``->`` prefix)."""
    lines = Path("/proc/locks").read_text(encoding="utf-8").splitlines()
    return any("->" in line and "FLOCK" in line and f" {pid} " in f" {line} " for line in lines)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
@pytest.mark.parametrize("command", [("index", "rebuild"), ("index", "status")])
def test_index_commands_wait_for_a_server_worker_opening_the_index(
    cli_env: Path, command: tuple[str, ...]
) -> None:
    """A worker of ``serve`` building the index holds the machine's index lock; the CLI waits
    for it instead of building a second copy alongside, then does its work."""
    import fcntl
    import os
    import subprocess
    import sys

    from knowledge_service.index.locks import INDEX_OPEN_LOCK
    from tests.server import wait_for

    assert runner.invoke(app, ["import", str(cli_env / "content")]).exit_code == 0
    lock_path = cli_env / "data" / "index" / INDEX_OPEN_LOCK
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("knowledge-service")
    with lock_path.open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        proc = subprocess.Popen(
            [str(exe), *command, "--json"], env=dict(os.environ),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_for(lambda: _waiting_on_flock(proc.pid) or proc.poll() is not None, timeout=120)
            assert proc.poll() is None, "the command ran while a worker held the index lock"
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert json.loads(out)["articles"] >= 1


def test_search_shows_text_as_written_never_as_rich_markup(cli_env: Path) -> None:
    write_article_md(
        cli_env / "content",
        "outages",
        title="No water [unplanned]",
        answer="If you have no water, check our [current outages map](https://x.example/out).",
        intents=["supply.outage"],
        questions=["no water low pressure"],
    )
    assert runner.invoke(app, ["import", str(cli_env / "content")]).exit_code == 0
    result = runner.invoke(app, ["search", "no water low pressure"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "outages" in line)
    assert "check our current outages map." in row  # the link's text, not "check our (https..."
    odd = runner.invoke(app, ["search", "[/x] late fee [bold]"])
    assert odd.exit_code == 0 and odd.exception is None, odd.output
    assert "Search: [/x] late fee [bold]" in odd.stdout


def test_piped_search_keeps_each_row_on_one_line(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # narrower than the table; stdout is not a terminal
    result = runner.invoke(app, ["search", "my card was stolen", "--top-k", "1"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "lost-card" in line)
    assert "Freeze the card in the app." in row


def test_search_table_cuts_a_long_snippet_at_a_word(cli_env: Path) -> None:
    words = "Freeze the card in the app straight away, then order a replacement card " * 4
    write_article_md(
        cli_env / "content", "lost-card", title="Report a lost card", answer=words.strip(),
        intents=["card.lost"], questions=["my card was stolen"],
    )  # fmt: skip
    assert runner.invoke(app, ["import", str(cli_env / "content")]).exit_code == 0
    result = runner.invoke(app, ["search", "my card was stolen"], terminal_width=400)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "lost-card" in line)
    snippet = row.split("\u2502")[-2].strip()  # the last column, between the table's bars
    assert snippet.endswith("\u2026") and len(snippet) <= 120
    assert snippet[:-1].rstrip() + " " in words  # whole words only
