"""The versioned store: idempotent import, versions, retirement, history, diff and audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge_service.audit import AuditEvent, list_events
from knowledge_service.content import repository, service
from knowledge_service.content.models import Article, ArticleVersion, PolicyVersion
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidContentError, NotFoundError
from tests.factories import article_text, write_article_md, write_policy_md

MAX = 64 * 1024


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "content", tmp_path / "policies"


def _import(engine: Engine, *paths: Path) -> service.ImportReport:
    return service.import_content(engine, list(paths), max_file_bytes=MAX)


def _versions(engine: Engine, article_id: str) -> list[tuple[int, str]]:
    with Session(engine) as session:
        return [(v.version, v.status) for v in service.article_history(session, article_id)]


def _audit(engine: Engine) -> list[tuple[str, str, str, int | None]]:
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(e.action, e.object_type, e.object_id, e.version_after) for e in events]


def test_first_import_creates_version_one_of_everything(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    content, policies = roots
    write_article_md(content, "a")
    write_article_md(content / "sub", "b")
    write_policy_md(policies, "REFUNDS")
    report = _import(engine, content, policies)
    assert report.articles.created == ["a", "b"]
    assert report.policies.created == ["REFUNDS"]
    assert report.changed_article_ids == ["a", "b"]
    assert report.changed_policy_ids == ["REFUNDS"]
    with Session(engine) as session:
        version = service.get_article(session, "b")
        assert (version.version, version.status, version.source) == (
            1,
            "published",
            (content / "sub" / "b.md").resolve().as_posix(),
        )
        assert version.author == "import"
        assert version.raw == (content / "sub" / "b.md").read_text(encoding="utf-8")
        assert version.to_document().id == "b"
        policy = service.get_policy(session, "REFUNDS")
        assert (policy.version, policy.policy_version) == (1, "1")
        assert repository.article_watermark(session) == max(
            v.seq or 0 for v in service.list_articles(session)
        )


def test_a_review_date_before_the_last_review_is_imported(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    content, _ = roots
    write_article_md(content, "a", last_reviewed="2026-06-01", next_review="2026-05-01")
    report = _import(engine, content)
    assert report.articles.created == ["a"] and not report.invalid
    with Session(engine) as session:
        assert service.get_article(session, "a").to_document().next_review.isoformat() == (
            "2026-05-01"
        )


def test_unchanged_file_creates_no_new_version(engine: Engine, roots: tuple[Path, Path]) -> None:
    content, _ = roots
    write_article_md(content, "a")
    _import(engine, content)
    report = _import(engine, content)
    assert report.articles.unchanged == ["a"]
    assert report.changed_article_ids == []
    assert _versions(engine, "a") == [(1, "published")]
    assert len(_audit(engine)) == 1


def test_line_ending_change_alone_is_unchanged(engine: Engine, roots: tuple[Path, Path]) -> None:
    content, _ = roots
    path = write_article_md(content, "a")
    _import(engine, content)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert _import(engine, content).articles.unchanged == ["a"]


def test_edit_makes_version_two_and_keeps_version_one(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    content, _ = roots
    write_article_md(content, "a")
    _import(engine, content)
    write_article_md(content, "a", answer="Refunds now take 5 business days.")
    report = _import(engine, content)
    assert report.articles.updated == ["a"]
    assert report.changed_article_ids == ["a"]
    with Session(engine) as session:
        v1, v2 = service.get_article(session, "a", 1), service.get_article(session, "a")
        assert v2.version == 2
        assert v1.content_hash != v2.content_hash
        assert "10 business days" in v1.to_document().answer
        assert "5 business days" in v2.to_document().answer
        assert v2.seq is not None and v1.seq is not None and v2.seq > v1.seq
        assert session.get(Article, "a").current_seq == v2.seq  # type: ignore[union-attr]


def test_removed_file_retires_as_new_version_keeping_history(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    content, _ = roots
    write_article_md(content, "keep")
    gone = write_article_md(content, "gone")
    _import(engine, content)
    gone.unlink()
    report = _import(engine, content)
    assert report.articles.retired == ["gone"]
    assert report.articles.unchanged == ["keep"]
    assert report.changed_article_ids == ["gone"]
    assert _versions(engine, "gone") == [(1, "published"), (2, "retired")]
    with Session(engine) as session:
        v1, v2 = service.get_article(session, "gone", 1), service.get_article(session, "gone", 2)
        assert v2.raw == v1.raw
        assert v2.to_document().status == "retired"
        assert v2.to_document().answer == v1.to_document().answer
    # Retiring again is idempotent.
    assert _import(engine, content).articles.retired == []
    assert _versions(engine, "gone") == [(1, "published"), (2, "retired")]


def test_readding_a_retired_file_makes_a_new_published_version(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    content, _ = roots
    path = write_article_md(content, "a")
    text = path.read_text(encoding="utf-8")
    _import(engine, content)
    path.unlink()
    _import(engine, content)
    path.write_text(text, encoding="utf-8")
    report = _import(engine, content)
    assert report.articles.updated == ["a"]
    assert _versions(engine, "a") == [(1, "published"), (2, "retired"), (3, "published")]
    assert [a for a, *_ in _audit(engine)] == ["created", "retired", "restored"]


def test_invalid_file_never_retires_what_it_held(engine: Engine, roots: tuple[Path, Path]) -> None:
    content, _ = roots
    path = write_article_md(content, "a")
    _import(engine, content)
    path.write_text(article_text("a", status="archived"), encoding="utf-8")
    report = _import(engine, content)
    assert [f.path for f in report.invalid] == ["content/a.md"]
    assert report.articles.retired == []
    assert _versions(engine, "a") == [(1, "published")]


def test_only_imported_roots_retire(engine: Engine, roots: tuple[Path, Path]) -> None:
    content, _ = roots
    write_article_md(content / "billing", "bill")
    write_article_md(content / "refunds", "refund")
    _import(engine, content)
    report = _import(engine, content / "billing")
    assert report.articles.retired == []
    (content / "billing" / "bill.md").unlink()
    report = _import(engine, content / "billing")
    assert report.articles.retired == ["bill"]
    assert _versions(engine, "refund") == [(1, "published")]


def test_renamed_id_retires_the_old_id(engine: Engine, roots: tuple[Path, Path]) -> None:
    content, _ = roots
    path = write_article_md(content, "old-id")
    _import(engine, content)
    path.write_text(article_text("new-id"), encoding="utf-8")
    report = _import(engine, content)
    assert (report.articles.created, report.articles.retired) == (["new-id"], ["old-id"])


def test_moved_file_with_same_text_is_unchanged_and_path_follows(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    content, _ = roots
    path = write_article_md(content, "a")
    _import(engine, content)
    (content / "moved").mkdir()
    path.rename(content / "moved" / "a.md")
    report = _import(engine, content)
    assert report.articles.unchanged == ["a"]
    assert report.articles.retired == []
    with Session(engine) as session:
        row = session.get(Article, "a")
        assert row is not None and row.source_path == (content / "moved/a.md").resolve().as_posix()


def test_import_from_two_working_folders_sees_the_same_files(
    engine: Engine, roots: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, _ = roots
    write_article_md(content, "kept")
    gone = write_article_md(content, "gone")
    _import(engine, Path("content"))  # run from tmp_path
    gone.unlink()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    report = _import(engine, Path("../content"))
    assert (report.articles.unchanged, report.articles.retired) == (["kept"], ["gone"])
    monkeypatch.chdir(tmp_path)
    report = _import(engine, Path("content"))
    assert (report.articles.unchanged, report.articles.retired) == (["kept"], [])


def test_a_file_elsewhere_with_a_stored_name_is_not_in_scope(
    engine: Engine, roots: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, _ = roots
    write_article_md(content, "a")
    _import(engine, content)
    other = tmp_path / "other"
    write_article_md(other / "content", "b")
    monkeypatch.chdir(other)  # content/a.md is no file of this tree: a stays published
    report = _import(engine, Path("content"))
    assert (report.articles.created, report.articles.retired) == (["b"], [])
    assert _versions(engine, "a") == [(1, "published")]


def test_paths_stored_relative_by_release_0_1_0_resolve_against_the_root(
    engine: Engine, roots: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, _ = roots
    write_article_md(content, "kept")
    gone = write_article_md(content / "sub", "gone")
    _import(engine, content)
    with session_scope(engine) as session:  # as release 0.1.0 stored them: relative to the cwd
        for row in session.exec(select(Article)).all():
            row.source_path = Path(row.source_path or "").relative_to(tmp_path.resolve()).as_posix()
            session.add(row)
    gone.unlink()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    report = _import(engine, content)
    assert (report.articles.unchanged, report.articles.retired) == (["kept"], ["gone"])
    with Session(engine) as session:
        kept = session.get(Article, "kept")
        assert kept is not None and kept.source_path == (content / "kept.md").resolve().as_posix()


def test_policy_versions_and_retirement(engine: Engine, roots: tuple[Path, Path]) -> None:
    _, policies = roots
    path = write_policy_md(policies, "REFUNDS")
    write_policy_md(policies, "FEES")
    _import(engine, policies)
    write_policy_md(policies, "REFUNDS", version="2", effective_date="2026-10-01")
    path_fees = policies / "fees.md"
    path_fees.unlink()
    report = _import(engine, policies)
    assert (report.policies.updated, report.policies.retired) == (["REFUNDS"], ["FEES"])
    assert report.changed_policy_ids == ["FEES", "REFUNDS"]
    with Session(engine) as session:
        assert [
            (v.version, v.policy_version) for v in service.policy_history(session, "REFUNDS")
        ] == [
            (1, "1"),
            (2, "2"),
        ]
        fees = service.get_policy(session, "FEES")
        assert (fees.version, fees.status) == (2, "retired")
        assert [v.policy_id for v in service.list_policies(session)] == ["FEES", "REFUNDS"]
    assert path.exists()


def test_every_change_writes_an_audit_event(engine: Engine, roots: tuple[Path, Path]) -> None:
    content, policies = roots
    write_article_md(content, "a")
    gone = write_article_md(content, "b")
    write_policy_md(policies, "REFUNDS")
    _import(engine, content, policies)
    write_article_md(content, "a", title="New title")
    gone.unlink()
    _import(engine, content, policies)
    assert _audit(engine) == [
        ("created", "article", "a", 1),
        ("created", "article", "b", 1),
        ("created", "policy", "REFUNDS", 1),
        ("updated", "article", "a", 2),
        ("retired", "article", "b", 2),
    ]
    with Session(engine) as session:
        event = list_events(session, object_id="a", newest_first=True)[0]
        assert event.actor == "import"
        assert event.detail["content_hash"] == service.get_article(session, "a").content_hash


def test_save_article_text_versions_only_on_change(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = service.save_article_text(session, article_text("a"), author="ann", source="api")
        assert first is not None and first.version == 1
        same = service.save_article_text(session, article_text("a"), author="ann", source="api")
        assert same is None
        text = article_text("a", title="Changed")
        second = service.save_article_text(session, text, author="bob", source="api")
        assert second is not None
        assert (second.version, second.author, second.source) == (2, "bob", "api")
        assert session.get(Article, "a").current_seq == second.seq  # type: ignore[union-attr]
    assert [(a, v) for a, _, _, v in _audit(engine)] == [("created", 1), ("updated", 2)]


def test_save_article_text_rejects_invalid_text_naming_the_source(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(InvalidContentError) as info:
        service.save_article_text(session, article_text("a", answer=""), author="x", source="api")
    assert info.value.field == "answer"
    assert info.value.message.startswith("api:")


def test_retire_article(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.save_article_text(session, article_text("a"), author="ann", source="api")
        retired = service.retire_article(session, "a", actor="lead")
        assert retired is not None and (retired.version, retired.status) == (2, "retired")
        assert service.retire_article(session, "a", actor="lead") is None
        with pytest.raises(NotFoundError):
            service.retire_article(session, "nope", actor="lead")
    assert _audit(engine)[-1] == ("retired", "article", "a", 2)


def test_diff_shows_changed_lines(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.save_article_text(session, article_text("a"), author="x", source="api")
        service.save_article_text(session, article_text("a", title="New"), author="x", source="api")
        diff = service.diff_article(session, "a", 1, 2)
        assert diff.startswith("--- a v1\n+++ a v2\n")
        assert "-title: How long does a refund take?\n" in diff
        assert "+title: New\n" in diff
        assert service.diff_article(session, "a", 2, 2) == ""


def test_unknown_ids_and_versions_raise_not_found(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.save_article_text(session, article_text("a"), author="x", source="api")
        cases = [
            (lambda: service.get_article(session, "nope"), "article 'nope' does not exist"),
            (lambda: service.get_article(session, "a", 9), "article 'a' version 9 does not exist"),
            (lambda: service.article_history(session, "nope"), "article 'nope' does not exist"),
            (lambda: service.diff_article(session, "a", 1, 3), "article 'a' version 3"),
            (lambda: service.get_policy(session, "NOPE"), "policy 'NOPE' does not exist"),
        ]
        for call, message in cases:
            with pytest.raises(NotFoundError) as info:
                call()
            assert message in info.value.message


def test_list_articles_filters_and_pages(engine: Engine) -> None:
    with session_scope(engine) as session:
        for n, (status, owner) in enumerate(
            [("published", "x@e"), ("draft", "x@e"), ("published", "y@e"), ("published", "x@e")]
        ):
            text = article_text(f"a{n}", status=status, owner=owner)
            service.save_article_text(session, text, author="t", source="api")
        ids = lambda rows: [r.article_id for r in rows]  # noqa: E731
        assert ids(service.list_articles(session)) == ["a0", "a1", "a2", "a3"]
        assert ids(service.list_articles(session, status="published", owner="x@e")) == ["a0", "a3"]
        assert ids(service.list_articles(session, limit=2, offset=1)) == ["a1", "a2"]


def test_list_policies_filters_by_the_current_versions_owner(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    _, policies = roots
    write_policy_md(policies, "FEES", owner="x@e")
    write_policy_md(policies, "REFUNDS", owner="zoë@e")
    write_policy_md(policies, "TRAVEL", owner="x@e", status="draft")
    write_policy_md(policies, "MOVED", owner="x@e")
    _import(engine, policies)
    write_policy_md(policies, "MOVED", owner="y@e", version="2")  # reassigned: y's now
    _import(engine, policies)
    ids = lambda rows: [r.policy_id for r in rows]  # noqa: E731
    with Session(engine) as session:
        assert ids(service.list_policies(session, owner="x@e")) == ["FEES", "TRAVEL"]
        assert ids(service.list_policies(session, owner="y@e")) == ["MOVED"]
        assert ids(service.list_policies(session, owner="zoë@e")) == ["REFUNDS"]
        assert ids(service.list_policies(session, owner="x@e", status="draft")) == ["TRAVEL"]
        assert ids(service.list_policies(session, owner="nobody@e")) == []
        assert len(service.list_policies(session, owner=None)) == 4


def test_import_is_one_transaction(
    engine: Engine, roots: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    content, _ = roots
    for n in range(5):
        write_article_md(content, f"a{n}")
    from knowledge_service.content import importer, versions

    monkeypatch.setattr(importer, "_FLUSH_EVERY", 2)  # rows reach the database before the failure
    original = versions.VersionWriter.write
    calls = {"n": 0}

    def failing(self: versions.VersionWriter, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk on fire")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(versions.VersionWriter, "write", failing)
    with pytest.raises(RuntimeError):
        _import(engine, content)
    with Session(engine) as session:
        assert session.exec(select(ArticleVersion)).all() == []
        assert session.exec(select(PolicyVersion)).all() == []
        assert session.exec(select(AuditEvent)).all() == []


def test_two_files_with_one_id_are_refused_and_the_article_kept(
    engine: Engine, roots: tuple[Path, Path]
) -> None:
    """A stray copy that sorts first ("-" before ".") must not replace the real article: both
    files are invalid, each naming the other, and the store keeps what it had."""
    content, _ = roots
    write_article_md(content / "animals", "pet-registration", title="Registering your pet")
    _import(engine, content)
    copy = article_text("pet-registration", title="Copy - Registering your pet")
    (content / "animals" / "pet-registration-copy.md").write_text(copy, encoding="utf-8")
    report = _import(engine, content)
    assert sorted(f.path for f in report.invalid) == [
        "content/animals/pet-registration-copy.md", "content/animals/pet-registration.md",
    ]  # fmt: skip
    for invalid in report.invalid:
        assert "content/animals/pet-registration-copy.md" in invalid.message
        rest = invalid.message.replace("content/animals/pet-registration-copy.md", "")
        assert "content/animals/pet-registration.md" in rest
        assert invalid.doc_id == "pet-registration" and invalid.field == "id"
    assert report.articles.updated == [] and report.articles.retired == []
    assert _versions(engine, "pet-registration") == [(1, "published")]
    with Session(engine) as session:
        article = repository.get_article_version(session, "pet-registration")
    assert article is not None and article.title == "Registering your pet"
