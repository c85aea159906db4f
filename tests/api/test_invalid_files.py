"""A bad file seen by an import is a stored ``invalid`` finding: listed by ``GET /v1/findings``,
in the review queue and pages, and a block on the article whose id it gives (customer channels
escalate, an agent is answered with the finding shown), until an import finds it valid again.

Runs on both stores; the import and its check run as ``knowledge-service import`` runs them
(:func:`import_content`, then the after-write pipeline given the import's scan).
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge_service.content.importer import ImportReport, import_content
from knowledge_service.freshness.pipeline import apply_changes, changes_since, read_marks
from knowledge_service.freshness.store import check_store
from knowledge_service.settings import Settings
from tests.answers.kb import QUESTIONS, STANDARD_ARTICLES, AnswerKB, build_kb, open_client
from tests.api.conftest import auth
from tests.conftest import TODAY
from tests.web.test_pages_unit import csrf_of

REFUND = "refund-timeframe"
BAD_DATE = "2026-02-30"
UNPARSEABLE = "---\nid: [unclosed\ntitle: Broken\n---\nAn answer.\n"


@pytest.fixture
def kb(tmp_path: Path, database_url: str) -> Iterator[AnswerKB]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        content_dir=tmp_path / "content",
        policies_dir=tmp_path / "policies",
        embedding_model="hash",
        today=TODAY,
    )
    built = build_kb(tmp_path, settings=settings)
    yield built
    built.close()


def import_and_check(kb: AnswerKB, *folders: Path) -> ImportReport:
    """What ``knowledge-service import`` does: import, then the after-write pipeline."""
    marks = read_marks(kb.engine)
    paths = list(folders) or [kb.content_dir, kb.root / "policies"]
    report = import_content(kb.engine, paths, max_file_bytes=1 << 20)
    apply_changes(
        kb.engine, kb.search, changes_since(kb.engine, marks), settings=kb.settings,
        today=TODAY, invalid=report.scan,
    )  # fmt: skip
    return report


def invalid_findings(client: TestClient, key: str, status: str = "open") -> list[Any]:
    response = client.get(f"/v1/findings?kind=invalid&status={status}", headers=auth(key))
    assert response.status_code == 200, response.text
    return sorted(response.json()["items"], key=lambda f: f["article_ids"])


def review_page(client: TestClient, key: str) -> str:
    """The review page (``/ui/review``) as the key's holder sees it once signed in."""
    form = client.get("/ui/login")
    data = {"api_key": key, "csrf_token": csrf_of(form.text), "next": "/ui/review"}
    response = client.post("/ui/login", data=data)  # followed to the page
    assert response.status_code == 200 and response.url.path == "/ui/review", response.text
    return response.text


def break_files(kb: AnswerKB) -> None:
    """refund-timeframe gets an impossible review date (its id stays readable); a new file's
    front matter is not YAML at all."""
    kb.write(REFUND, **{**STANDARD_ARTICLES[REFUND], "next_review": BAD_DATE})
    (kb.content_dir / "broken.md").write_text(UNPARSEABLE, encoding="utf-8")


def test_bad_files_are_stored_findings_that_block_until_fixed(kb: AnswerKB) -> None:
    break_files(kb)
    report = import_and_check(kb)
    assert len(report.invalid) == 2
    with open_client(kb) as (client, keys):
        broken, refund = invalid_findings(client, keys["admin"])
        assert (broken["article_ids"], broken["severity"]) == ([], "block")
        assert broken["message"].startswith("content/broken.md line 3: malformed YAML")
        assert (refund["article_ids"], refund["severity"]) == ([REFUND], "block")
        assert (
            refund["message"].startswith(f"content/{REFUND}.md line 10, field 'next_review': ")
            and f"(got '{BAD_DATE}')" in refund["message"]
        )

        # the store keeps serving the version last imported, but the finding blocks it
        chat = client.get(
            "/v1/answer", params={"q": QUESTIONS["refund"], "channel": "chat"},
            headers=auth(keys["bot"]),
        ).json()  # fmt: skip
        assert (chat["status"], chat["reason"]) == ("escalate", "blocked_by_finding")
        agent = client.get(
            "/v1/answer", params={"q": QUESTIONS["refund"], "channel": "agent"},
            headers=auth(keys["agent"]),
        ).json()  # fmt: skip
        assert (agent["status"], agent["article_id"]) == ("answered", REFUND)
        assert ("invalid", "block") in [(f["kind"], f["severity"]) for f in agent["freshness"]]

        # the review queue (and its page): an admin's has both
        queue = client.get("/v1/review-queue", headers=auth(keys["admin"])).json()["items"]
        reasons = {item["reason"]: item["article_id"] for item in queue}
        assert reasons[broken["message"]] is None and reasons[refund["message"]] == REFUND
        page = review_page(client, keys["admin"])
        for finding in (broken, refund):
            assert f'href="/ui/review/findings/{finding["id"]}"' in page
            detail = client.get(f"/ui/review/findings/{finding['id']}")
            assert detail.status_code == 200
            shown = finding["message"].split("'")[0]  # "content/broken.md line 3: ..."
            assert escape(shown) in detail.text and "Invalid file" in detail.text

        # a check of the store alone (the follower's, after an edit of the article; or a full
        # one) reads no file: it leaves them open
        check_store(kb.engine, today=TODAY, settings=kb.settings, article_ids=[REFUND])
        check_store(kb.engine, today=TODAY, settings=kb.settings)
        assert [f["id"] for f in invalid_findings(client, keys["admin"])] == [
            broken["id"], refund["id"],
        ]  # fmt: skip

        # fixed: the next import resolves both (one file corrected, the other deleted)
        kb.write(REFUND, **STANDARD_ARTICLES[REFUND])
        (kb.content_dir / "broken.md").unlink()
        assert not import_and_check(kb).invalid
        assert invalid_findings(client, keys["admin"]) == []
        resolved = invalid_findings(client, keys["admin"], "resolved")
        assert [f["id"] for f in resolved] == [broken["id"], refund["id"]]
        chat = client.get(
            "/v1/answer", params={"q": QUESTIONS["refund"], "channel": "chat"},
            headers=auth(keys["bot"]),
        ).json()  # fmt: skip
        assert (chat["status"], chat["article_id"]) == ("answered", REFUND)


def test_a_bad_file_fixed_without_a_new_version_or_deleted_resolves(kb: AnswerKB) -> None:
    """Nothing in the store changes, yet the import's check brings its findings level."""
    (kb.content_dir / "broken.md").write_text(UNPARSEABLE, encoding="utf-8")
    import_and_check(kb)
    with open_client(kb) as (client, keys):
        (found,) = invalid_findings(client, keys["admin"])
        (kb.content_dir / "broken.md").unlink()
        import_and_check(kb)
        assert invalid_findings(client, keys["admin"]) == []
        assert [f["id"] for f in invalid_findings(client, keys["admin"], "resolved")] == [
            found["id"]
        ]


def test_importing_another_folder_leaves_the_findings_of_the_first(
    kb: AnswerKB, tmp_path: Path
) -> None:
    break_files(kb)
    import_and_check(kb)
    other = tmp_path / "more-content"
    other.mkdir()
    kb.write("unrelated", title="Unrelated", intents=["misc.unrelated"])  # in content/
    (kb.content_dir / "unrelated.md").rename(other / "unrelated.md")
    report = import_and_check(kb, other)
    assert report.articles.created == ["unrelated"] and not report.invalid
    with open_client(kb) as (client, keys):
        assert [f["article_ids"] for f in invalid_findings(client, keys["admin"])] == [[], [REFUND]]


def test_the_finding_of_a_bad_new_article_opens_on_the_review_page(kb: AnswerKB) -> None:
    """Its id is readable but nothing of it was ever imported: the page shows the finding (and
    acknowledge), with no article to act on."""
    kb.write("brand-new", title="Brand new", intents=["misc.new"], next_review=BAD_DATE)
    import_and_check(kb)
    with open_client(kb) as (client, keys):
        (found,) = invalid_findings(client, keys["admin"])
        assert found["article_ids"] == ["brand-new"]
        review_page(client, keys["admin"])
        detail = client.get(f"/ui/review/findings/{found['id']}")
        assert detail.status_code == 200, detail.text
        assert "content/brand-new.md" in detail.text and "Acknowledge" in detail.text


def test_an_invalid_finding_offers_only_what_clears_it_an_import(kb: AnswerKB) -> None:
    """Editing the article clears nothing: the queue and the page say to fix the file and
    import it; a file about no stored article blocks nothing, so has no risk to accept."""
    break_files(kb)
    import_and_check(kb)
    with open_client(kb) as (client, keys):
        broken, refund = invalid_findings(client, keys["admin"])
        assert broken["message"].endswith(": correct the file (see the content format) and "
                                          "import the file again.")  # fmt: skip
        assert refund["message"].endswith("(see the content format) and import the file again.")
        queue = client.get("/v1/review-queue?kind=invalid", headers=auth(keys["admin"])).json()
        actions = {i["finding_id"]: i["actions"] for i in queue["items"]}
        assert actions == {
            broken["id"]: ["import", "acknowledge"],
            refund["id"]: ["import", "acknowledge", "accept_risk"],
        }
        body = {"reason": "known", "expires_on": "2026-12-31"}
        refused = client.post(
            f"/v1/findings/{broken['id']}/risk-acceptances", headers=auth(keys["admin"]), json=body
        )
        assert refused.status_code == 409, refused.text
        assert "no article the store serves" in refused.json()["detail"]
        review_page(client, keys["admin"])
        for finding, risk in ((broken, False), (refund, True)):
            page = client.get(f"/ui/review/findings/{finding['id']}").text
            assert 'id="fix-by-import"' in page and "Confirm: edit" not in page
            assert ("Accept risk" in page) is risk
        accepted = client.post(
            f"/v1/findings/{refund['id']}/risk-acceptances", headers=auth(keys["admin"]), json=body
        )
        assert accepted.status_code == 201, accepted.text
