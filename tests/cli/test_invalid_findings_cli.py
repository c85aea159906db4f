"""``import`` stores each bad file as an ``invalid`` finding; ``check --store`` reports it (exit
1) without re-evaluating it: only an import of its folder resolves it, and the same file
imported from another checkout is the same finding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from knowledge_service.cli import common
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import FindingKind, FindingStatus
from tests.cli.conftest import invoke
from tests.factories import write_article_md, write_policy_md

BAD_DATE = {"next_review": "2026-02-30"}
CONTENT_BAD = ("content/meter-reading", "content/broken")
UNPARSEABLE = "---\nid: [unclosed\ntitle: Broken\n---\nAn answer.\n"


def _tree(root: Path) -> None:
    write_policy_md(root / "policies", "REFUNDS")
    write_article_md(root / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"])
    write_article_md(
        root / "content", "meter-reading", title="Meter", intents=["metering.read"], **BAD_DATE
    )
    (root / "content" / "broken.md").write_text(UNPARSEABLE, encoding="utf-8")
    (root / "policies" / "OLD.md").write_text(
        "---\nid: OLD\ntitle: Old\nversion: '1'\neffective_date: someday\nowner: a@b.c\n---\nx\n",
        encoding="utf-8",
    )


def _fix(root: Path) -> None:
    write_article_md(root / "content", "meter-reading", title="Meter", intents=["metering.read"])
    (root / "content" / "broken.md").unlink()


def stored_invalid(status: FindingStatus = FindingStatus.OPEN) -> dict[str, Any]:
    """The stored ``invalid`` findings in ``status``, by the file their message names."""
    with session_scope(common.engine()) as session:
        rows = freshness.list_findings(session, kind=FindingKind.INVALID, status=status)
    return {row.message.split(" ")[0]: row for row in rows}


def check_store() -> tuple[int, dict[str, Any]]:
    code, out = invoke("check", "--store", "--format", "json", stdout_only=True)
    return code, json.loads(out)


def test_import_stores_bad_files_and_only_an_import_of_their_folder_resolves_them(
    cli_store: Path,
) -> None:
    _tree(cli_store)
    code, out = invoke("import")
    assert code == 1, out
    found = stored_invalid()
    assert set(found) == {
        "content/meter-reading.md", "content/broken.md", "policies/OLD.md",
    }  # fmt: skip
    meter, broken, old = (found[f"{k}.md"] for k in (*CONTENT_BAD, "policies/OLD"))
    assert (meter.article_ids, meter.policy_id) == (["meter-reading"], None)
    assert meter.severity == "block"
    assert meter.message.startswith("content/meter-reading.md line 9, field 'next_review': ")
    assert (broken.article_ids, broken.policy_id) == ([], None)
    assert broken.message.startswith("content/broken.md line 3: malformed YAML front matter")
    assert (old.article_ids, old.policy_id) == ([], "OLD")
    assert "field 'effective_date'" in old.message
    assert "Findings in the store: 3 open and 0 acknowledged, 3 of them blocking." in out

    # a check of the store alone reports them (exit 1) and leaves them as they are
    code, report = check_store()
    assert code == 1
    reported = {f["fingerprint"]: f for f in report["findings"] if f["kind"] == "invalid"}
    assert set(reported) == {row.fingerprint for row in found.values()}
    assert reported[meter.fingerprint]["article_ids"] == ["meter-reading"]
    assert report["summary"]["invalid_files"] == 3
    assert {k: r.id for k, r in stored_invalid().items()} == {k: r.id for k, r in found.items()}

    # importing another folder leaves them too
    write_article_md(cli_store / "elsewhere", "lost-card", title="Lost card", intents=["card.lost"])
    code, out = invoke("import", str(cli_store / "elsewhere"))
    assert code == 0, out
    assert set(stored_invalid()) == set(found)

    # the bad policy deleted (nothing in the store changes), then the rest fixed
    (cli_store / "policies" / "OLD.md").unlink()
    assert invoke("import")[0] == 1
    assert set(stored_invalid()) == {"content/meter-reading.md", "content/broken.md"}
    _fix(cli_store)
    code, out = invoke("import")
    assert code == 0, out
    assert stored_invalid() == {}
    assert {r.id for r in stored_invalid(FindingStatus.RESOLVED).values()} == {
        r.id for r in found.values()
    }
    code, report = check_store()
    assert [f for f in report["findings"] if f["kind"] == "invalid"] == []


def test_a_bad_file_whose_id_is_readable_is_one_finding_wherever_the_folder_lies(
    cli_store: Path,
) -> None:
    _tree(cli_store / "one")
    assert invoke("import", str(cli_store / "one" / "content"))[0] == 1
    before = stored_invalid()
    shutil.copytree(cli_store / "one", cli_store / "two")
    assert invoke("import", str(cli_store / "two" / "content"))[0] == 1
    after = stored_invalid()
    assert set(after) == set(before) == {"content/meter-reading.md", "content/broken.md"}
    # the article's finding is the same row, now about the new checkout; a file without a
    # readable id is known by its path under the folder: the same too
    assert after["content/meter-reading.md"].id == before["content/meter-reading.md"].id
    assert after["content/broken.md"].id == before["content/broken.md"].id
    (evidence,) = after["content/meter-reading.md"].evidence
    assert evidence["path"].startswith(str((cli_store / "two").resolve()))
    # fixed in the new checkout while the old one is gone: its import resolves it
    shutil.rmtree(cli_store / "one")
    _fix(cli_store / "two")
    assert invoke("import", str(cli_store / "two" / "content"))[0] == 0
    assert stored_invalid() == {}


def test_files_a_glob_names_that_a_folder_would_skip_are_skipped_with_a_warning(
    cli_store: Path,
) -> None:
    """``import content/*`` names the folder's README and an image too: they were read as
    articles and stored as blocking ``invalid`` findings; they are skipped, as the folder's own
    walk skips them, and the warning names them."""
    write_article_md(cli_store / "content", "refund-timeframe")
    (cli_store / "content" / "README.md").write_text("# About this folder\n", encoding="utf-8")
    (cli_store / "content" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    named = sorted(str(p.relative_to(cli_store)) for p in (cli_store / "content").iterdir())
    code, output = invoke("import", *named)
    assert code == 0, output
    assert "warning: skipped content/README.md, content/logo.png: import reads Markdown" in output
    assert stored_invalid() == {}
    with session_scope(common.engine()) as session:
        assert freshness.list_findings(session, kind=FindingKind.INVALID) == []
