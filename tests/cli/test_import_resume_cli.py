"""An ``import`` stopped after its commit (Ctrl-C, the check or the index sync failing, a model
that will not load) says so, and the next ``import`` (or ``check --store``) completes it: the
store's "checked through" watermark stays where the last finished run left it."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from knowledge_service.cli import app, common
from knowledge_service.db import session_scope
from knowledge_service.freshness import pipeline
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.pipeline import StoreMarks
from knowledge_service.freshness.schemas import FindingKind, FindingStatus, Severity
from knowledge_service.index.service import SearchService
from knowledge_service.settings import get_settings
from tests.factories import write_article_md, write_policy_md

runner = CliRunner()
UNFINISHED = (
    "The documents were saved, but the index and check did not finish: run "
    "`knowledge-service import` again (or `check --store`) to complete them."
)
BLOCKING = "Findings in the store: 1 open and 0 acknowledged, 1 of them blocking."


@pytest.fixture
def files(cli_store: Path) -> Path:
    """A policy and two articles, one of which contradicts it (5 business days, not 10)."""
    write_policy_md(cli_store / "policies", "REFUNDS")
    write_article_md(
        cli_store / "content",
        "refund-timeframe",
        policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 5 business days.",
    )
    write_article_md(
        cli_store / "content",
        "meter-reading",
        title="How do I send a meter reading?",
        intents=["metering.reading.submit"],
        answer="Send your meter reading in the app before the 5th of the month.",
    )
    return cli_store


def _import() -> tuple[int, str]:
    result = runner.invoke(app, ["import"])
    return result.exit_code, result.output


def _active() -> list[tuple[FindingKind, Severity, list[str]]]:
    with session_scope(common.engine()) as session:
        rows = freshness.list_findings(session, limit=1000)
    return [(r.kind, r.severity, r.article_ids) for r in rows if r.status != FindingStatus.RESOLVED]


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("simulated failure after the commit")


def _interrupt(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyboardInterrupt


def _sigterm(*_args: Any, **_kwargs: Any) -> Any:
    """A service manager's stop (``systemctl stop``, ``kill``) while the import checks."""
    os.kill(os.getpid(), signal.SIGTERM)


def _assert_completed_by_the_next_import() -> None:
    code, output = _import()
    assert code == 0, output
    assert "Also checking 3 document(s) changed since the last import" in output
    assert BLOCKING in output
    assert _active() == [(FindingKind.POLICY_MISMATCH, Severity.BLOCK, ["refund-timeframe"])]
    assert pipeline.checked_mark(common.engine()) == pipeline.read_marks(common.engine())
    code, output = _import()  # now level: nothing more to check, the findings stay
    assert code == 0 and "Also checking" not in output and BLOCKING in output, output


@pytest.mark.parametrize(
    ("target", "name", "failure", "code"),
    [
        (pipeline, "check_store", _boom, 1),
        (SearchService, "sync", _boom, 1),
        (pipeline, "check_store", _interrupt, 130),
        (pipeline, "check_store", _sigterm, 130),
    ],
    ids=["check-fails", "index-sync-fails", "ctrl-c", "sigterm"],
)
def test_an_import_stopped_after_its_commit_is_completed_by_the_next(
    files: Path, monkeypatch: pytest.MonkeyPatch, target: Any, name: str, failure: Any, code: int
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(target, name, failure)
        result = runner.invoke(app, ["import"])
    assert result.exit_code == code, result.output
    assert UNFINISHED in result.output
    engine = common.engine()
    assert pipeline.read_marks(engine) == StoreMarks(2, 1)  # the documents were committed
    assert _active() == []  # ... and never checked
    assert pipeline.checked_mark(engine) == StoreMarks(0, 0)  # no mark for those writes
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back
    _assert_completed_by_the_next_import()


def test_an_import_whose_model_will_not_load_says_so_and_the_next_completes_it(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KS_EMBEDDING_MODEL", str(files / "no-such-model"))
    get_settings.cache_clear()
    code, output = _import()
    assert code == 2, output
    assert "error: could not load the embedding model" in output
    assert UNFINISHED in output
    assert _active() == [] and pipeline.checked_mark(common.engine()) == StoreMarks(0, 0)
    monkeypatch.setenv("KS_EMBEDDING_MODEL", "hash")
    get_settings.cache_clear()
    _assert_completed_by_the_next_import()


def test_check_store_completes_a_stopped_import_and_records_it(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "check_store", _boom)
        assert _import()[0] == 1
    result = runner.invoke(app, ["check", "--store"])
    assert result.exit_code == 1, result.output  # the blocking finding fails the check
    assert _active() == [(FindingKind.POLICY_MISMATCH, Severity.BLOCK, ["refund-timeframe"])]
    assert pipeline.checked_mark(common.engine()) == StoreMarks(2, 1)
    code, output = _import()
    assert code == 0 and "Also checking" not in output and BLOCKING in output, output


def test_a_finished_import_records_its_mark_and_prints_no_stop_line(files: Path) -> None:
    code, output = _import()
    assert code == 0, output
    assert UNFINISHED not in output and "Also checking" not in output
    assert BLOCKING in output
    assert pipeline.checked_mark(common.engine()) == StoreMarks(2, 1)
