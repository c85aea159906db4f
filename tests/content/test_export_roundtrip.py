"""Files and the API together: export writes the store back as files, importing an export
changes nothing, and an import never overwrites an edit made through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content import repository
from knowledge_service.content import service as content
from knowledge_service.content.importer import ImportReport
from knowledge_service.content.service import Transition
from knowledge_service.db import make_engine, session_scope
from knowledge_service.models_registry import create_all_tables
from knowledge_service.review.export import export_knowledge, file_text
from tests.conftest import REPO_ROOT
from tests.factories import article_text, write_article_md, write_small_kb


def _import(engine: Engine, *roots: Path, **kwargs: object) -> ImportReport:
    return content.import_content(engine, list(roots), max_file_bytes=1 << 20, **kwargs)  # type: ignore[arg-type]


def _marks(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        return repository.article_watermark(session), repository.policy_watermark(session)


def _api_edit(engine: Engine, article_id: str, answer: str) -> None:
    with session_scope(engine) as session:
        text = article_text(article_id, answer=answer)
        content.save_article_text(session, text, author="key:editor", source="api")


@pytest.fixture
def tree(tmp_path: Path, engine: Engine) -> Path:
    root = write_small_kb(tmp_path / "kb")
    _import(engine, root / "content", root / "policies")
    return root


def test_the_sample_knowledge_exports_byte_for_byte_and_reimports_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, REPO_ROOT / "content", REPO_ROOT / "policies")
    before = _marks(engine)
    report = export_knowledge(engine, tmp_path / "out")
    assert (len(report.articles), len(report.policies)) == (81, 8)
    for rel in report.articles:
        exported = (tmp_path / "out" / "content" / rel).read_text(encoding="utf-8")
        assert exported == (REPO_ROOT / "content" / rel).read_text(encoding="utf-8"), rel
    again = _import(engine, tmp_path / "out" / "content", tmp_path / "out" / "policies")
    assert _marks(engine) == before  # no new versions
    assert again.changed_article_ids == [] and again.conflicts == []
    assert len(again.articles.unchanged) == 81


def test_export_keeps_relative_paths_and_status_changes(
    engine: Engine, tree: Path, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        content.articles.change_status(session, "lost-card", Transition.RETIRE, actor="key:ops")
    before = _marks(engine)
    export_knowledge(engine, tmp_path / "out")
    retired = (tmp_path / "out" / "content" / "lost-card.md").read_text(encoding="utf-8")
    assert "status: retired" in retired
    assert (tmp_path / "out" / "content" / "billing" / "refund-timeframe.md").is_file()
    assert (tmp_path / "out" / "policies" / "refunds.md").is_file()
    report = _import(engine, tmp_path / "out" / "content", tmp_path / "out" / "policies")
    assert _marks(engine) == before and report.changed_article_ids == []
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    create_all_tables(fresh)
    _import(fresh, tmp_path / "out" / "content", tmp_path / "out" / "policies")
    with session_scope(fresh) as session:
        assert content.get_article(session, "lost-card").status == "retired"
    fresh.dispose()


def test_import_reports_a_conflict_and_keeps_an_api_edit_when_the_file_changed_too(
    engine: Engine, tree: Path
) -> None:
    _api_edit(engine, "lost-card", "Freeze the card in the app.")
    write_article_md(tree / "content", "lost-card", title="Lost card", answer="Call us.")
    before = _marks(engine)
    report = _import(engine, tree / "content", tree / "policies")
    assert report.has_conflicts and report.articles.conflicted == ["lost-card"]
    (conflict,) = report.conflicts
    assert conflict.id == "lost-card" and "key:editor" in conflict.message
    assert conflict.path is not None and conflict.path.endswith("lost-card.md")
    assert _marks(engine) == before
    with session_scope(engine) as session:
        assert content.get_article(session, "lost-card").to_document().answer == (
            "Freeze the card in the app."
        )


def test_an_unchanged_file_never_reverts_an_api_edit(engine: Engine, tree: Path) -> None:
    _api_edit(engine, "lost-card", "Freeze the card in the app.")
    before = _marks(engine)
    report = _import(engine, tree / "content", tree / "policies")
    assert report.articles.kept == ["lost-card"] and not report.has_conflicts
    assert _marks(engine) == before


def test_a_changed_file_updates_what_only_imports_changed(engine: Engine, tree: Path) -> None:
    write_article_md(tree / "content", "lost-card", title="Lost card", answer="Call us.")
    report = _import(engine, tree / "content", tree / "policies")
    assert report.articles.updated == ["lost-card"] and not report.has_conflicts


def test_after_export_the_file_may_change_again(engine: Engine, tree: Path, tmp_path: Path) -> None:
    _api_edit(engine, "lost-card", "Freeze the card in the app.")
    export_knowledge(engine, tree)  # the API edit is now in the files
    write_article_md(tree / "content", "lost-card", title="Lost card", answer="Call us today.")
    report = _import(engine, tree / "content", tree / "policies")
    assert report.articles.updated == ["lost-card"] and not report.has_conflicts


def test_an_export_elsewhere_never_lets_the_checkout_revert_an_api_edit(
    engine: Engine, tree: Path, tmp_path: Path
) -> None:
    """An export into another folder (to review the knowledge, to keep a copy) moved the
    document's sync record to the exported file; the next import of the untouched checkout
    then wrote its old text back over the API edit (a verify's review dates included)."""
    _api_edit(engine, "lost-card", "Freeze the card in the app.")
    export_knowledge(engine, tmp_path / "review-copy")
    before = _marks(engine)
    report = _import(engine, tree / "content", tree / "policies")
    assert report.articles.kept == ["lost-card"] and report.articles.updated == []
    assert _marks(engine) == before
    with session_scope(engine) as session:
        answer = content.get_article(session, "lost-card").to_document().answer
    assert answer == "Freeze the card in the app."


def test_a_file_put_back_to_its_older_text_is_imported(engine: Engine, tree: Path) -> None:
    """A revert in the checkout (``git revert``) is a change like any other."""
    path = tree / "content" / "lost-card.md"
    first = path.read_text(encoding="utf-8")
    write_article_md(tree / "content", "lost-card", title="Lost card", answer="Call us.")
    _import(engine, tree / "content", tree / "policies")
    path.write_text(first, encoding="utf-8")
    report = _import(engine, tree / "content", tree / "policies")
    assert report.articles.updated == ["lost-card"] and not report.has_conflicts


def test_a_deleted_file_never_retires_an_api_edit(engine: Engine, tree: Path) -> None:
    _api_edit(engine, "lost-card", "Freeze the card in the app.")
    (tree / "content" / "lost-card.md").unlink()
    report = _import(engine, tree / "content", tree / "policies")
    assert report.articles.retired == [] and report.articles.conflicted == ["lost-card"]


def test_each_new_version_names_its_author(engine: Engine, tree: Path) -> None:
    write_article_md(tree / "content", "lost-card", title="Lost card", answer="Call us.")
    _import(engine, tree / "content", tree / "policies", author_of=lambda p: f"git:{Path(p).name}")
    with session_scope(engine) as session:
        assert content.get_article(session, "lost-card").author == "git:lost-card.md"
        assert content.get_article(session, "refund-timeframe").author == "import"  # unchanged


@pytest.mark.parametrize(
    ("raw", "status", "expected"),
    [
        (
            "---\nid: a\nstatus: published\n---\nx\n",
            "retired",
            "---\nid: a\nstatus: retired\n---\nx\n",
        ),
        ("---\nid: a\n---\nx\n", "retired", "---\nid: a\nstatus: retired\n---\nx\n"),
        ("---\nid: a\n---\nx\n", "published", "---\nid: a\n---\nx\n"),
        ("---\nid: a\nstatus: 'draft'\n---\nx\n", "draft", "---\nid: a\nstatus: 'draft'\n---\nx\n"),
    ],
)
def test_file_text_writes_the_versions_status(raw: str, status: str, expected: str) -> None:
    assert file_text(raw, status, "published") == expected


def test_an_import_of_a_subfolder_keeps_the_files_place_for_the_export(
    engine: Engine, tree: Path
) -> None:
    """Importing ``content/billing`` alone, then exporting into the checkout, puts each file
    back where it lies (it once wrote ``content/refund-timeframe.md`` beside the real file: a
    duplicate id, and the article blocked at the next import of ``content``)."""
    _import(engine, tree / "content" / "billing")
    _api_edit(engine, "refund-timeframe", "Refunds take up to 7 business days.")
    export_knowledge(engine, tree)
    assert not (tree / "content" / "refund-timeframe.md").exists()
    exported = (tree / "content" / "billing" / "refund-timeframe.md").read_text(encoding="utf-8")
    assert "up to 7 business days" in exported
    again = _import(engine, tree / "content", tree / "policies")
    assert again.invalid == [] and again.conflicts == []


def test_a_conflict_from_another_folder_s_file_says_it_is_not_the_imported_file(
    engine: Engine, tree: Path, tmp_path: Path
) -> None:
    """Another folder's file with the same id was never imported: the conflict says the
    article changed since its import from its own file, and that this file is not that one."""
    _api_edit(engine, "lost-card", "Freeze the card in the app.")
    other = tmp_path / "other" / "content"
    write_article_md(other, "lost-card", title="Lost card", answer="Call us.")
    report = _import(engine, other)
    (conflict,) = report.conflicts
    imported_from = (tree / "content" / "lost-card.md").as_posix()
    assert conflict.path is not None and conflict.path.endswith("other/content/lost-card.md")
    assert "since the file was last imported" not in conflict.message
    assert f"last imported from {imported_from}" in conflict.message
    assert "this file is not that file" in conflict.message and "key:editor" in conflict.message
