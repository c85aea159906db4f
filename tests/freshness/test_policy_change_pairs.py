"""A policy change re-evaluates the conflicts of the articles citing it, with their partners."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge_service.content.service import import_content
from knowledge_service.db import session_scope
from knowledge_service.freshness.service import check_store, list_findings
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import write_article_md, write_policy_md


def _conflict_messages(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        rows = list_findings(session, kind="conflict", status="open")
        return sorted(r.message for r in rows)


def test_a_policy_change_rewrites_the_conflict_of_a_citing_article_with_one_citing_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """notice-cited restates NOTICE#4.1 (2 days); notice-faq, citing nothing, says 1 day. The
    conflict says which one matches the clause; after the clause changes to 3 days, that advice
    is wrong, and the check run for the policy change must rewrite it."""
    root = tmp_path / "kb"
    write_policy_md(
        root / "policies", "NOTICE", clauses={"4.1 Notice": "We give 2 days' notice of works."}
    )
    write_article_md(
        root / "content", "notice-cited", intents=["works.notice"], title="Notice of works",
        policy_sources=["NOTICE#4.1"], answer="We give you 2 days' notice of planned works.",
    )  # fmt: skip
    write_article_md(
        root / "content", "notice-faq", intents=["works.notice"], title="Planned works",
        answer="We give you 1 day's notice of planned works.",
    )  # fmt: skip
    import_content(engine, [root], max_file_bytes=1 << 20)
    check_store(engine, today=TODAY, settings=settings)
    (before,) = _conflict_messages(engine)
    assert before.endswith(
        "notice-cited matches NOTICE#4.1 (2 calendar days): correct notice-faq."
    ), before

    write_policy_md(
        root / "policies", "NOTICE", clauses={"4.1 Notice": "We give 3 days' notice of works."}
    )
    report = import_content(engine, [root], max_file_bytes=1 << 20)
    assert report.changed_policy_ids == ["NOTICE"]
    check_store(engine, today=TODAY, settings=settings, policy_ids=report.changed_policy_ids)
    after = _conflict_messages(engine)
    assert all("notice-cited matches NOTICE#4.1" not in m for m in after), after
