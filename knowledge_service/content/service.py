"""The content domain's verbs, written once for every kind of versioned document.

:class:`DocumentService` saves, retires, restores, reads, lists and diffs the documents of one
kind; :data:`articles` and :data:`policies` are its two instances, and the module-level names
below them (``get_article``, ``list_policies``...) are the verbs the other domains call. Every
change makes a new immutable version and an audit event in the caller's transaction; nothing is
ever deleted. The verbs that take a ``caller`` apply the visibility rules: a narrow reader (an
agent key) sees only the documents in the kind's narrow statuses (published articles; active and
retired policies), never a draft.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from functools import partial
from typing import Any, Generic

from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from knowledge_service.content.frontmatter import without_fields
from knowledge_service.content.importer import (
    ImportProgress,
    ImportReport,
    KindReport,
    import_content,
)
from knowledge_service.content.kinds import (
    ARTICLE,
    POLICY,
    DocT,
    DocumentFilter,
    DocumentKind,
    RowT,
    VersionT,
)
from knowledge_service.content.loader import content_hash
from knowledge_service.content.repository import DocumentRepository
from knowledge_service.content.schemas import Caller, DocumentPage, VersionRead
from knowledge_service.content.versions import VersionWriter
from knowledge_service.errors import (
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    a_or_an,
)

__all__ = [
    "Caller",
    "DocumentFilter",
    "DocumentPage",
    "DocumentService",
    "ImportProgress",
    "ImportReport",
    "KindReport",
    "Transition",
    "VersionRead",
    "article_history",
    "articles",
    "diff_article",
    "get_article",
    "get_policy",
    "import_content",
    "list_articles",
    "list_policies",
    "policies",
    "policy_history",
    "retire_article",
    "save_article_text",
    "text_diff",
]


class Transition(StrEnum):
    """A change of a document's status that makes a new version of the same text."""

    RETIRE = "retire"
    RESTORE = "restore"


NARROW_ROLES = frozenset({"bot", "agent", "leader"})
"""The roles (``access.schemas.Role`` values; content sits below access) that read only the
documents in their kind's narrow statuses."""


class DocumentService(Generic[RowT, VersionT, DocT]):
    """The verbs of one kind of document. Every verb works in the caller's session."""

    def __init__(self, kind: DocumentKind[RowT, VersionT, DocT]) -> None:
        self.kind = kind

    def _repository(self, session: Session) -> DocumentRepository[RowT, VersionT]:
        return DocumentRepository(session, self.kind)

    def save_text(
        self,
        session: Session,
        text: str,
        *,
        author: str,
        source: str,
        source_path: str | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> VersionT | None:
        """Parse ``text`` and store it as a new version if it changed.

        Args:
            session: the caller's transaction.
            text: the whole Markdown file (front matter and body).
            author: who made the change (version author and audit actor).
            source: where the text came from (``"api"``, a file path); names it in errors.
            source_path: the document's file, if any; by default the stored one is kept.
            expected_version: the version the caller read before changing it (0: none yet);
                None checks nothing.
            reason: why, for the audit log.

        Returns:
            The new version, or None when the text (and status) equal the current version.

        Raises:
            InvalidContentError: the text breaks the content contract.
            VersionConflictError: the document is not at ``expected_version``.
        """
        doc = self.kind.parse(text, source)
        writer = VersionWriter(session, self.kind)
        row = writer.row(getattr(doc, "id"))  # noqa: B009
        path = source_path or (row.source_path if row is not None else None)
        doc = doc.model_copy(update={"source_path": path})
        _, version = writer.write(
            doc, text, content_hash(text), author=author, source=source, source_path=path,
            expected_version=expected_version, reason=reason,
        )  # fmt: skip
        writer.link_pending()
        return version

    def change_status(
        self,
        session: Session,
        doc_id: str,
        transition: Transition,
        *,
        actor: str,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> VersionT | None:
        """Retire a document, or restore a retired one, as a new version: a copy of the current
        version with status retired, or with the status it had before it was retired.

        Returns:
            The new version, or None when there is nothing to do (already retired; not retired).

        Raises:
            NotFoundError: no such document.
            VersionConflictError: the document is not at ``expected_version``.
        """
        history = self.history(session, doc_id)
        status = self._status_after(history, transition)
        if status is None:
            return None
        writer = VersionWriter(session, self.kind)
        version = writer.set_status(
            history[-1], status, actor=actor, source=history[-1].source,
            expected_version=expected_version, reason=reason,
        )  # fmt: skip
        writer.link_pending()
        return version

    def _status_after(self, history: list[VersionT], transition: Transition) -> Any:
        statuses = [getattr(v, "status") for v in history]  # noqa: B009
        is_retired = statuses[-1] == self.kind.retired
        if transition is Transition.RETIRE:
            return None if is_retired else self.kind.retired
        earlier = [status for status in statuses if status != self.kind.retired]
        return earlier[-1] if is_retired and earlier else None

    def get(self, session: Session, doc_id: str, version: int | None = None) -> VersionT:
        """One version of a document (the current one by default); NotFoundError if none."""
        repository = self._repository(session)
        found = repository.get_version(doc_id, version)
        if found is None:
            if version is not None and repository.get(doc_id) is not None:
                raise NotFoundError(self.kind.name, doc_id, version)
            raise NotFoundError(self.kind.name, doc_id)
        return found

    def history(self, session: Session, doc_id: str) -> list[VersionT]:
        """Every version of a document, oldest first; NotFoundError for an unknown id."""
        versions = list(self._repository(session).history(doc_id))
        if not versions:
            raise NotFoundError(self.kind.name, doc_id)
        return versions

    def diff(self, session: Session, doc_id: str, v1: int, v2: int) -> str:
        """A unified diff of the stored text of two versions (empty when identical) without
        their ``status`` line (:func:`text_diff`); NotFoundError for an unknown id or
        version."""
        old, new = self.get(session, doc_id, v1), self.get(session, doc_id, v2)
        return text_diff(old.raw, new.raw, f"{doc_id} v{v1}", f"{doc_id} v{v2}")

    def current(
        self,
        session: Session,
        *,
        limit: int | None = None,
        offset: int = 0,
        **filters: str | None,
    ) -> list[VersionT]:
        """The current version of every document matching ``filters`` (see
        :class:`DocumentFilter`), ordered by id, one page; no visibility rules applied."""
        where = self.kind.where(_filter(filters))
        return list(self._repository(session).current(*where, limit=limit, offset=offset))

    def list_page(
        self,
        session: Session,
        caller: Caller,
        filters: DocumentFilter,
        *,
        limit: int | None,
        offset: int = 0,
    ) -> DocumentPage[VersionT]:
        """One page (``limit`` None: all) of the current versions ``caller`` may see, with the
        total count.

        Raises:
            PermissionDeniedError: a narrow reader asked for a status it may not see.
            InvalidRequestError: a filter this kind does not have, or a bad value.
        """
        narrow = self._narrow_statuses(caller)
        if narrow and filters.status is not None and filters.status not in narrow:
            seen = " or ".join(narrow)
            raise PermissionDeniedError(
                f"{a_or_an(str(caller.role))} key sees {seen} {self.kind.plural} only"
            )
        if (limit is not None and limit < 1) or offset < 0:
            raise InvalidRequestError("offset" if offset < 0 else "limit", "out of range")
        repository, where = self._repository(session), self.kind.where(filters)
        if narrow:  # what is served: a draft in review never hides its approved version
            where.append(col(getattr(self.kind.version_model, "status")).in_(narrow))  # noqa: B009
            items = list(repository.in_force(None, *where, limit=limit, offset=offset))
            return DocumentPage(items=items, total=repository.count_in_force(*where))
        items = list(repository.current(*where, limit=limit, offset=offset))
        return DocumentPage(items=items, total=repository.count_current(*where))

    def read(
        self, session: Session, caller: Caller, doc_id: str, version: int | None = None
    ) -> VersionRead[VersionT]:
        """A version if ``caller`` may see the document: by default the current one, for a
        narrow reader the one served (a draft in review never hides its approved version);
        NotFoundError for an unknown id or version, or one the caller may not see (a narrow
        reader sees only the versions in its narrow statuses: never a draft's unpublished text)."""
        current = self.get(session, doc_id)
        shown = self._visible(session, caller, current)
        found = shown if version is None else self.get(session, doc_id, version)
        if not self._may_read(caller, found):
            raise NotFoundError(self.kind.name, doc_id, version)
        return VersionRead(
            version=found,
            is_current=found.version == current.version,
            is_shown=found.version == shown.version,
        )

    def read_history(self, session: Session, caller: Caller, doc_id: str) -> list[VersionT]:
        """Every version of a document ``caller`` may see, oldest first (else NotFoundError);
        a narrow reader's omits the versions outside its narrow statuses (drafts; retired
        articles)."""
        history = self.history(session, doc_id)
        self._visible(session, caller, history[-1])
        return [version for version in history if self._may_read(caller, version)]

    def readable_ids(self, session: Session, caller: Caller) -> SelectOfScalar[str] | None:
        """A subquery of the ids of the documents ``caller`` may read, for a narrow reader (the
        ones :meth:`read` does not deny); None for a reader who may read every document."""
        narrow = self._narrow_statuses(caller)
        if not narrow:
            return None
        status = col(getattr(self.kind.version_model, "status"))  # noqa: B009
        return self._repository(session).in_force_ids(status.in_(narrow))

    def _narrow_statuses(self, caller: Caller) -> tuple[Any, ...]:
        return self.kind.narrow_statuses if caller.role in NARROW_ROLES else ()

    def _may_read(self, caller: Caller, version: VersionT) -> bool:
        """Whether ``caller`` may read this version's text (a narrow reader: in its statuses)."""
        narrow = self._narrow_statuses(caller)
        return not narrow or getattr(version, "status") in narrow  # noqa: B009

    def _visible(self, session: Session, caller: Caller, current: VersionT) -> VersionT:
        """The version ``caller`` is shown by default. A narrow reader sees a document only
        while the version in force (its latest that is not a draft) is in its narrow statuses;
        it is told the document does not exist, as for any unknown id."""
        narrow = self._narrow_statuses(caller)
        if not narrow:
            return current
        served = self._repository(session).in_force_version(current.doc_id)
        if served is None or getattr(served, "status") not in narrow:  # noqa: B009
            raise NotFoundError(self.kind.name, current.doc_id)
        return served


def _filter(filters: dict[str, str | None]) -> DocumentFilter:
    try:
        return DocumentFilter(**filters)
    except TypeError as exc:
        raise InvalidRequestError("filter", str(exc)) from None


def _lines(text: str) -> list[str]:
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(True)]


WORKFLOW_FIELDS = ("status",)
"""Front matter that records where a version stands in the workflow (the workflow writes a
draft's ``status: draft``, an approval's ``status: published``), not what its text says."""


def text_diff(old: str, new: str, before: str, after: str) -> str:
    """The unified diff of two stored texts without their :data:`WORKFLOW_FIELDS` lines: a
    draft's ``status: draft`` is a step of the workflow, shown apart from the changes to the
    text (empty when the texts differ in nothing else)."""
    return "".join(
        difflib.unified_diff(
            _lines(without_fields(old, WORKFLOW_FIELDS)),
            _lines(without_fields(new, WORKFLOW_FIELDS)),
            fromfile=before, tofile=after,
        )
    )  # fmt: skip


articles = DocumentService(ARTICLE)
policies = DocumentService(POLICY)

save_article_text = articles.save_text
retire_article = partial(articles.change_status, transition=Transition.RETIRE)
get_article = articles.get
article_history = articles.history
diff_article = articles.diff
list_articles = articles.current

get_policy = policies.get
policy_history = policies.history
list_policies = policies.current
