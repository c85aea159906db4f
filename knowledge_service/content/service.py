"""The content domain's verbs: import a content tree, save, retire, read, list and diff versions.

Every change makes a new immutable version and an audit event in the same transaction; nothing
is ever deleted. An import writes all its valid files in one transaction, so a crash leaves the
previous state intact.
"""

from __future__ import annotations

import difflib

from sqlmodel import Session

from knowledge_service.content import repository
from knowledge_service.content.importer import (
    ImportProgress,
    ImportReport,
    KindReport,
    import_content,
)
from knowledge_service.content.loader import content_hash
from knowledge_service.content.models import Article, ArticleVersion, PolicyVersion
from knowledge_service.content.parser import parse_article
from knowledge_service.content.versions import VersionWriter
from knowledge_service.errors import NotFoundError

__all__ = [
    "ImportProgress",
    "ImportReport",
    "KindReport",
    "article_history",
    "diff_article",
    "get_article",
    "get_policy",
    "import_content",
    "list_articles",
    "list_policies",
    "policy_history",
    "retire_article",
    "save_article_text",
]


def save_article_text(
    session: Session, text: str, *, author: str, source: str, source_path: str | None = None
) -> ArticleVersion | None:
    """Parse ``text`` as an article and store it as a new version if it changed.

    Args:
        session: the caller's transaction.
        text: the whole Markdown file (front matter and body).
        author: who made the change (version author and audit actor).
        source: where the text came from (``"api"``, a file path); names it in error messages.
        source_path: the article's file, if any; by default the stored one is kept.

    Returns:
        The new version, or None when the text (and status) equal the current version.

    Raises:
        InvalidContentError: the text breaks the content contract.
    """
    doc = parse_article(text, source)
    row = session.get(Article, doc.id)
    path = source_path or (row.source_path if row is not None else None)
    doc = doc.model_copy(update={"source_path": path})
    writer = VersionWriter(session, repository.current_article_states(session), {})
    _, version = writer.write_article(
        doc, text, content_hash(text), author=author, source=source, source_path=path
    )
    writer.link_pending()
    return version


def retire_article(session: Session, article_id: str, *, actor: str) -> ArticleVersion | None:
    """Retire an article as a new version (a copy of the current one with status retired).

    Returns:
        The retired version, or None when the article is already retired.

    Raises:
        NotFoundError: no such article.
    """
    current = get_article(session, article_id)
    writer = VersionWriter(session, {article_id: (current.content_hash, current.status)}, {})
    version = writer.retire_article(current, actor=actor, source=current.source)
    writer.link_pending()
    return version


def get_article(session: Session, article_id: str, version: int | None = None) -> ArticleVersion:
    """One version of an article (the current one by default).

    Raises:
        NotFoundError: unknown article or version.
    """
    found = repository.get_article_version(session, article_id, version)
    if found is None:
        if version is not None and repository.get_article(session, article_id) is not None:
            raise NotFoundError("article", article_id, version)
        raise NotFoundError("article", article_id)
    return found


def article_history(session: Session, article_id: str) -> list[ArticleVersion]:
    """Every version of an article, oldest first.

    Raises:
        NotFoundError: unknown article.
    """
    versions = list(repository.list_article_versions(session, article_id))
    if not versions:
        raise NotFoundError("article", article_id)
    return versions


def diff_article(session: Session, article_id: str, v1: int, v2: int) -> str:
    """A unified diff of the stored raw text of two versions (empty when identical).

    Raises:
        NotFoundError: unknown article or version.
    """
    old, new = get_article(session, article_id, v1), get_article(session, article_id, v2)
    return "".join(
        difflib.unified_diff(
            _lines(old.raw),
            _lines(new.raw),
            fromfile=f"{article_id} v{v1}",
            tofile=f"{article_id} v{v2}",
        )
    )


def _lines(text: str) -> list[str]:
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(True)]


def list_articles(
    session: Session,
    *,
    status: str | None = None,
    owner: str | None = None,
    audience: str | None = None,
    locale: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ArticleVersion]:
    """The current version of every article matching the filters, ordered by id, one page."""
    return list(
        repository.query_current_article_versions(
            session,
            status=status,
            owner=owner,
            audience=audience,
            locale=locale,
            limit=limit,
            offset=offset,
        )
    )


def get_policy(session: Session, policy_id: str, version: int | None = None) -> PolicyVersion:
    """One version of a policy source (the current one by default).

    Raises:
        NotFoundError: unknown policy or version.
    """
    found = repository.get_policy_version(session, policy_id, version)
    if found is None:
        if version is not None and repository.get_policy(session, policy_id) is not None:
            raise NotFoundError("policy", policy_id, version)
        raise NotFoundError("policy", policy_id)
    return found


def policy_history(session: Session, policy_id: str) -> list[PolicyVersion]:
    """Every stored version of a policy source, oldest first.

    Raises:
        NotFoundError: unknown policy.
    """
    versions = list(repository.list_policy_versions(session, policy_id))
    if not versions:
        raise NotFoundError("policy", policy_id)
    return versions


def list_policies(session: Session) -> list[PolicyVersion]:
    """The current version of every policy source, ordered by id."""
    return list(repository.current_policy_versions(session))
