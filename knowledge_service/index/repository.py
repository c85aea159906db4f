"""The store queries the index needs beyond the current versions: the knowledge as of a moment."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from knowledge_service.content import repository as content_repository
from knowledge_service.content.schemas import ArticleDocument


def published_documents_as_of(
    session: Session, as_of: datetime
) -> tuple[list[tuple[ArticleDocument, int]], int]:
    """(document, version) of every article served at ``as_of`` (its latest approved version
    then, even while a newer draft was in review), and the store's
    watermark then (the largest version ``seq`` written by ``as_of``, whatever its status).

    The watermark identifies the whole store state at ``as_of``; the largest ``seq`` among the
    published versions alone does not (retiring an article leaves it unchanged).
    """
    rows = content_repository.article_versions_as_of(session, as_of)
    watermark = max((row.seq or 0 for row in rows), default=0)
    served = content_repository.served_article_versions(session, as_of)
    return [(row.to_document(), row.version) for row in served], watermark
