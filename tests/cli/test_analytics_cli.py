"""``report``, ``export-events`` and ``purge-logs`` on a real SQLite store."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from knowledge_service.analytics.log import (
    PSEUDONYM_KEY_FILE,
    AnswerLog,
    LoggedAnswer,
    conversation_key,
)
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.cli import common
from knowledge_service.cli.app import app
from knowledge_service.db import make_engine, session_scope
from knowledge_service.keyfile import load_key
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import get_settings

runner = CliRunner()
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _new_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Engine]:
    """An empty SQLite store that the CLI reads (KS_DATABASE_URL), its URL and an engine."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("KS_DATABASE_URL", url)
    get_settings.cache_clear()
    common.engine.cache_clear()
    engine = make_engine(url)
    create_all_tables(engine)
    return url, engine


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url, engine = _new_store(tmp_path, monkeypatch)
    log = AnswerLog(engine)
    for i, status in enumerate(["answered", "answered", "no_answer", "escalate"]):
        log.record(
            LoggedAnswer(
                kind="answer", question=f"q{i} call 0412 345 678", latency_ms=3.0,
                channel="chat", status=status, reason="low_confidence", at=T0 + timedelta(hours=i),
            )
        )  # fmt: skip
    log.flush()
    engine.dispose()
    yield url
    get_settings.cache_clear()
    common.engine.cache_clear()


def test_report_json_has_the_rates(store: str) -> None:
    result = runner.invoke(app, ["report", "--from", "2026-11-20", "--to", "2026-11-20", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["from"] == "2026-11-20"
    assert data["totals"]["answers"] == 4 and data["totals"]["answer_rate"] == 0.5


def test_report_rounds_a_rate_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1 no-answer in 29 answers is 3.448%: the report said 3.5%, a percentage of the rate
    already rounded to 4 places (0.0345), where the API, at 4 places, and the counts say 3.4."""
    _, engine = _new_store(tmp_path, monkeypatch)
    log = AnswerLog(engine)
    for i in range(29):
        status, reason = ("no_answer", "no_article") if i == 0 else ("answered", "confident")
        log.record(
            LoggedAnswer(
                kind="answer", question=f"q{i}", latency_ms=3.0, channel="chat", status=status,
                reason=reason, at=T0 + timedelta(minutes=i),
            )
        )  # fmt: skip
    log.flush()
    engine.dispose()
    result = runner.invoke(app, ["report", "--from", "2026-11-20", "--to", "2026-11-20"])
    get_settings.cache_clear()
    common.engine.cache_clear()
    assert result.exit_code == 0, result.output
    total = next(line for line in result.stdout.splitlines() if "total" in line)
    assert "96.6%" in total and "3.4%" in total and "3.5%" not in total, total


def test_report_text_defaults_to_the_last_week(store: str) -> None:
    result = runner.invoke(app, ["report"])  # the suite's frozen today: 2026-11-24
    assert result.exit_code == 0, result.output
    assert "2026-11-18 to 2026-11-24: 4 questions" in result.stdout


def test_report_s_last_week_ends_on_the_real_date_when_ks_today_is_after_it(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KS_TODAY (2026-11-24) four days after the real date: the default week ended on it, days
    no answer can have yet (an answer's time is the real one); it ends on the real date now,
    as the insights page's does."""
    monkeypatch.setattr("knowledge_service.clock.now", lambda: T0 + timedelta(hours=3))
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    assert "2026-11-14 to 2026-11-20: 4 questions" in result.stdout


def test_report_rejects_a_bad_date(store: str) -> None:
    result = runner.invoke(app, ["report", "--from", "yesterday"])
    assert result.exit_code != 0
    assert "--from" in str(result.exception) or "--from" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [(["report", "--to", "0001-01-03"], "--to"),
     (["report", "--from", "0001-01-01", "--to", "2026-11-24"], "--from")],
)  # fmt: skip
def test_days_at_the_calendars_ends_are_refused_naming_the_option(
    store: str, args: list[str], option: str
) -> None:
    """Near years 1 and 9999 a range's arithmetic would leave the calendar (the words are
    tests/cli/test_errors_cli.py's, every command's day's)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {option}: ")
    assert "from 1900-01-01 to 9998-12-31" in result.stderr


def test_a_time_at_the_calendars_ends_is_refused_naming_the_option(store: str) -> None:
    """A zone offset near year 1 would leave the calendar."""
    args = ["export-events", "out.csv", "--since", "0001-01-01T00:00:00+14:00"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --since: '0001-01-01T00:00:00+14:00' is out of range")
    assert "from 1900-01-01 to 9998-12-31" in result.stderr


@pytest.mark.parametrize(
    ("name", "first"),
    [("events.jsonl", b"{"), ("events.PARQUET", b"PAR1"), ("events.txt", b"id,at,kind,")],
)
def test_export_events_takes_its_format_from_the_file_s_extension(
    store: str, tmp_path: Path, name: str, first: bytes
) -> None:
    result = runner.invoke(app, ["export-events", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes().startswith(first)


def test_export_events_writes_redacted_jsonl(store: str, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["export-events", str(out), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and "0412" not in out.read_text()
    assert json.loads(lines[0])["question"] == "q0 call [PHONE]"


def test_export_events_writes_the_feedback_on_asking(store: str, tmp_path: Path) -> None:
    engine = make_engine(store)
    with session_scope(engine) as session:
        session.add(Feedback(receipt="rcpt_" + "a" * 32, rating="outdated", at=T0,
                             comment="fee is $20 now, call 0412 345 678"))  # fmt: skip
    engine.dispose()
    out = tmp_path / "feedback.csv"
    result = runner.invoke(app, ["export-events", str(out), "--table", "feedback"])
    assert result.exit_code == 0, result.output
    assert "1 ratings written to" in result.output
    [row] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["rating"], row["comment"]) == ("outdated", "fee is $20 now, call [PHONE]")
    wrong = runner.invoke(app, ["export-events", str(out), "--table", "ratings"])
    assert wrong.exit_code == 2 and "'ratings' is not one of" in wrong.output


@pytest.mark.parametrize(("days", "purged"), [("36500", 0), ("1", 4)])
def test_purge_logs_deletes_only_what_is_past_the_retention(
    store: str, monkeypatch: pytest.MonkeyPatch, days: str, purged: int
) -> None:
    monkeypatch.setenv("KS_LOG_RETENTION_DAYS", days)
    get_settings.cache_clear()
    result = runner.invoke(app, ["purge-logs"])
    assert result.exit_code == 0, result.output
    assert f"purged {purged} answer events" in result.output


@pytest.mark.parametrize("terminal", [True, False])
def test_purge_logs_shows_its_progress_piece_by_piece_on_a_terminal(
    store: str, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """A large backlog is purged in pieces (``PURGE_PIECE_ROWS`` rows each): on a terminal a
    bar moves as each is committed, as an import's does; a pipe gets only the count, which is
    the whole purge's either way."""
    from knowledge_service.analytics import service
    from knowledge_service.cli import analytics as analytics_cli

    shown: list[tuple[str, int, int]] = []

    @contextmanager
    def recorder() -> Iterator[Callable[[str, int, int], None]]:
        yield lambda phase, done, total: shown.append((phase, done, total))

    monkeypatch.setattr(analytics_cli, "phase_progress", recorder)
    monkeypatch.setattr(analytics_cli, "_on_terminal", lambda: terminal)
    monkeypatch.setattr(service, "PURGE_PIECE_ROWS", 3)
    monkeypatch.setenv("KS_LOG_RETENTION_DAYS", "1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["purge-logs"])
    assert result.exit_code == 0, result.output
    assert result.output == "purged 4 answer events and 0 feedback older than 1 days\n"
    pieces = [("Purging expired logs", 3, 4), ("Purging expired logs", 4, 4)]
    assert shown == (pieces if terminal else [])


def test_report_channel_is_one_of_the_channels(store: str) -> None:
    wrong = runner.invoke(app, ["report", "--channel", "fax"])
    assert wrong.exit_code == 2
    assert "'fax' is not one of" in wrong.output and "'chat'" in wrong.output
    days = ["--from", "2026-11-20", "--to", "2026-11-20", "--json"]
    for channel, answers in (("chat", 4), ("voice", 0)):
        result = runner.invoke(app, ["report", *days, "--channel", channel])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["totals"]["answers"] == answers


def test_report_piped_keeps_every_column_whole(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")  # narrower than the table; stdout is not a terminal
    result = runner.invoke(app, ["report", "--from", "2026-11-20", "--to", "2026-11-20"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "questions" in line.split())
    headers = ["day", "questions", "answered", "no answer", "escalated", "stale", "repeat"]
    assert all(name in header for name in [*headers, "helpful", "wrong", "overrides", "risk"])
    total = next(line for line in result.stdout.splitlines() if "total" in line)
    cells = [cell.strip() for cell in total.split("│") if cell.strip()]
    # no feedback that day: the helpful, wrong and override rates are no measure, not 0%
    assert cells == ["total", "4", "50.0%", "25.0%", "25.0%", "0.0%", "0.0%", "-", "-", "-",
                     "0"]  # fmt: skip


def test_purge_logs_stores_conversation_ids_kept_as_sent_as_pseudonyms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store from before pseudonyms holds 'sarah.connor' as sent: purge-logs rewrites it under
    the data folder's key, the one the server's answer log uses."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("KS_DATABASE_URL", url)
    monkeypatch.setenv("KS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    common.engine.cache_clear()
    engine = make_engine(url)
    create_all_tables(engine)
    with session_scope(engine) as session:
        session.add(AnswerEvent(kind="answer", question="q", latency_ms=1.0, channel="chat",
                                at=datetime.now(UTC), conversation_id="sarah.connor"))  # fmt: skip
    result = runner.invoke(app, ["purge-logs"])
    assert result.exit_code == 0, result.output
    assert "stored 1 conversation ids kept as sent as pseudonyms" in result.output
    key = load_key(tmp_path / "data", PSEUDONYM_KEY_FILE)
    with session_scope(engine) as session:
        (stored,) = session.exec(select(AnswerEvent.conversation_id)).all()
    assert stored == conversation_key("sarah.connor", key)
    engine.dispose()
    get_settings.cache_clear()
    common.engine.cache_clear()


def test_export_events_to_a_folder_not_made_yet_is_refused(store: str, tmp_path: Path) -> None:
    """``export-events exports/`` names a folder, made or not: it once wrote a file named
    ``exports`` (Path drops the trailing separator), where the user looked for a folder."""
    typed = f"{tmp_path / 'exports'}/"
    result = runner.invoke(app, ["export-events", typed])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"error: OUT {typed} is a folder: give the file to write"
    assert not (tmp_path / "exports").exists()
    result = runner.invoke(app, ["export-events", str(tmp_path / "exports.csv")])
    assert result.exit_code == 0 and (tmp_path / "exports.csv").is_file(), result.output
