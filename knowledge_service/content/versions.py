"""Appending immutable versions to the store, each with its audit event, in the caller's session.

A version is written only when something changed: the content hash or the status differs from
the current version. ``Article``/``Policy`` rows are pointers; after a flush
:meth:`VersionWriter.link_pending` points them at the ``seq`` of their new version.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from sqlmodel import Session, select

from knowledge_service.content.models import (
    Article,
    ArticleVersion,
    AuditEvent,
    Policy,
    PolicyVersion,
    utcnow,
)
from knowledge_service.content.schemas import (
    ArticleDocument,
    ArticleStatus,
    PolicyDocument,
    PolicyStatus,
)


class Outcome(StrEnum):
    """What writing one document did to the store."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RETIRED = "retired"


_RETIRED = "retired"  # the same word in ArticleStatus and PolicyStatus


class _Step(NamedTuple):
    """The next version of a document: what it does, its number, the status it replaces."""

    outcome: Outcome
    number: int
    previous_status: str | None


def _next_step(
    row: Article | Policy | None,
    state: tuple[str, str] | None,
    digest: str,
    status: str,
    source_path: str | None,
) -> _Step | None:
    """None when the current version has the same hash and status (a moved file only updates
    the row's ``source_path``)."""
    if row is not None and state == (digest, status):
        if source_path is not None and row.source_path != source_path:
            row.source_path = source_path
        return None
    if row is None:
        return _Step(Outcome.CREATED, 1, None)
    return _Step(Outcome.UPDATED, row.current_version + 1, row.status)


def _action(outcome: Outcome, previous: str | None, new: str) -> str:
    """The audit action: ``created``, ``updated``, ``retired`` or ``restored``."""
    if outcome is Outcome.UPDATED and previous != new and _RETIRED in (previous, new):
        return "retired" if new == _RETIRED else "restored"
    return outcome.value


class VersionWriter:
    """Writes article and policy versions plus audit events into one session.

    Args:
        session: the transaction every write joins.
        article_states: ``id -> (content_hash, status)`` of current article versions.
        policy_states: the same for policies.
    """

    def __init__(
        self,
        session: Session,
        article_states: dict[str, tuple[str, str]],
        policy_states: dict[str, tuple[str, str]],
    ) -> None:
        self.session = session
        self.article_states = article_states
        self.policy_states = policy_states
        self._pending: list[tuple[Article | Policy, ArticleVersion | PolicyVersion]] = []
        self._articles: dict[str, Article | None] = {}
        self._policies: dict[str, Policy | None] = {}
        self._preloaded = False

    def preload(self) -> None:
        """Load every article and policy row once (an import touches most of them)."""
        self._articles = {row.id: row for row in self.session.exec(select(Article)).all()}
        self._policies = {row.id: row for row in self.session.exec(select(Policy)).all()}
        self._preloaded = True

    def _article_row(self, article_id: str) -> Article | None:
        if article_id not in self._articles and not self._preloaded:
            with self.session.no_autoflush:
                self._articles[article_id] = self.session.get(Article, article_id)
        return self._articles.get(article_id)

    def _policy_row(self, policy_id: str) -> Policy | None:
        if policy_id not in self._policies and not self._preloaded:
            with self.session.no_autoflush:
                self._policies[policy_id] = self.session.get(Policy, policy_id)
        return self._policies.get(policy_id)

    def audit(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        version: int,
        detail: dict[str, Any],
    ) -> None:
        self.session.add(
            AuditEvent(
                actor=actor,
                action=action,
                entity_type=entity,
                entity_id=entity_id,
                version=version,
                detail=detail,
            )
        )

    def link_pending(self) -> None:
        """Flush, then point each changed row at the ``seq`` of its new version."""
        self.session.flush()
        for row, version in self._pending:
            assert version.seq is not None
            row.current_seq = version.seq
        self._pending.clear()

    def write_article(
        self,
        doc: ArticleDocument,
        raw: str,
        digest: str,
        *,
        author: str,
        source: str,
        source_path: str | None,
    ) -> tuple[Outcome, ArticleVersion | None]:
        """Append a version of ``doc`` unless the current version has the same hash and status."""
        row, status = self._article_row(doc.id), doc.status.value
        step = _next_step(row, self.article_states.get(doc.id), digest, status, source_path)
        if step is None:
            return Outcome.UNCHANGED, None
        if row is None:
            row = Article(id=doc.id, current_version=1, current_seq=0, status=status)
            self._articles[doc.id] = row
        version = ArticleVersion(
            article_id=doc.id, version=step.number, content_hash=digest, status=status,
            audience=doc.audience.value, locale=doc.locale, title=doc.title, owner=doc.owner,
            source=source, author=author, document=doc.model_dump(mode="json"), raw=raw,
        )  # fmt: skip
        detail = {"content_hash": digest, "source": source, "status": status}
        self._record(row, version, step, source_path, author, "article", detail)
        self.article_states[doc.id] = (digest, status)
        return step.outcome, version

    def write_policy(
        self,
        doc: PolicyDocument,
        raw: str,
        digest: str,
        *,
        author: str,
        source: str,
        source_path: str | None,
    ) -> tuple[Outcome, PolicyVersion | None]:
        """Append a version of policy ``doc`` unless nothing changed."""
        row, status = self._policy_row(doc.id), doc.status.value
        step = _next_step(row, self.policy_states.get(doc.id), digest, status, source_path)
        if step is None:
            return Outcome.UNCHANGED, None
        if row is None:
            row = Policy(id=doc.id, current_version=1, current_seq=0, status=status)
            self._policies[doc.id] = row
        version = PolicyVersion(
            policy_id=doc.id, version=step.number, policy_version=doc.version,
            content_hash=digest, status=status, title=doc.title, source=source, author=author,
            document=doc.model_dump(mode="json"), raw=raw,
        )  # fmt: skip
        detail = {"content_hash": digest, "source": source, "status": status}
        detail["policy_version"] = doc.version
        self._record(row, version, step, source_path, author, "policy", detail)
        self.policy_states[doc.id] = (digest, status)
        return step.outcome, version

    def _record(
        self,
        row: Article | Policy,
        version: ArticleVersion | PolicyVersion,
        step: _Step,
        source_path: str | None,
        author: str,
        entity: str,
        detail: dict[str, Any],
    ) -> None:
        """Point ``row`` at the new version, stage both and write the audit event."""
        row.current_version = step.number
        row.status = version.status
        row.updated_at = utcnow()
        if source_path is not None:
            row.source_path = source_path
        self.session.add(row)
        self.session.add(version)
        self._pending.append((row, version))
        action = _action(step.outcome, step.previous_status, version.status)
        self.audit(author, action, entity, row.id, step.number, detail)

    def retire_article(
        self, current: ArticleVersion, *, actor: str, source: str
    ) -> ArticleVersion | None:
        """Append a retired copy of ``current``; None when it is already retired."""
        if current.status == ArticleStatus.RETIRED:
            return None
        doc = current.to_document().model_copy(update={"status": ArticleStatus.RETIRED})
        row = self._article_row(current.article_id)
        _, version = self.write_article(
            doc,
            current.raw,
            current.content_hash,
            author=actor,
            source=source,
            source_path=row.source_path if row else None,
        )
        return version

    def retire_policy(
        self, current: PolicyVersion, *, actor: str, source: str
    ) -> PolicyVersion | None:
        """Append a retired copy of policy version ``current``; None when already retired."""
        if current.status == PolicyStatus.RETIRED:
            return None
        doc = current.to_document().model_copy(update={"status": PolicyStatus.RETIRED})
        row = self._policy_row(current.policy_id)
        _, version = self.write_policy(
            doc,
            current.raw,
            current.content_hash,
            author=actor,
            source=source,
            source_path=row.source_path if row else None,
        )
        return version
