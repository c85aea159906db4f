"""The error tree of the service. Domain errors carry data, never HTTP status codes.

::

    KnowledgeServiceError
    ├── NotFoundError            an article, version, policy or finding does not exist
    ├── ConflictError            a version conflict or an invalid workflow transition
    │   ├── VersionConflictError the document moved on since the version the caller expected
    │   │   └── PreconditionFailedError  a write's ``If-Match`` names a version no longer current
    │   ├── InvalidTransitionError  a workflow action the document's state does not allow
    │   └── InvalidStateError    an action its object's current state does not allow (findings)
    ├── PreconditionRequiredError  a write sent no ``If-Match`` naming the version it edits
    ├── InvalidContentError      a file or payload breaks the content contract
    ├── InvalidRequestError      a parameter is out of range or malformed
    │   └── PayloadTooLargeError a field or body over its size limit
    ├── AuthenticationError      no key, or an unknown, revoked or expired key
    ├── PermissionDeniedError    a known caller whose role or ownership does not allow it
    ├── IndexNotReadyError       the search index does not (yet) reflect the store
    ├── RetryLaterError          a refusal to try again after ``retry_after`` seconds
    │   ├── ServiceBusyError     a bounded resource is full (e.g. live-feed subscribers)
    │   └── TooManyAttemptsError too many failed sign-ins from one address
    ├── StoreSchemaError         the store's schema revision is not this release's (migrate)
    └── StoreCopyError           ``db copy`` cannot copy into the target (it holds data) or its
                                 copy does not match the source (nothing is kept)

``api/errors.py`` maps each class to one HTTP status; the CLI catches the root once.
"""

from __future__ import annotations

from collections.abc import Sequence


def a_or_an(noun: str) -> str:
    """``noun`` with its indefinite article, for messages: "an agent key", "a policy"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class KnowledgeServiceError(Exception):
    """Root of every error the service raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(KnowledgeServiceError):
    def __init__(
        self, entity: str, identifier: str, version: int | None = None, *, where: str = ""
    ) -> None:
        """``where`` narrows what is missing: "on channel 'email'" (it exists elsewhere)."""
        what = f"{entity} {identifier!r}" + (f" version {version}" if version is not None else "")
        super().__init__(f"{what} was never served {where}" if where else f"{what} does not exist")
        self.entity = entity
        self.identifier = identifier
        self.version = version


class ConflictError(KnowledgeServiceError):
    pass


class VersionConflictError(ConflictError):
    """A write expected to replace version ``expected`` of a document, but ``current`` is
    current (0 when the document does not exist yet)."""

    def __init__(self, kind: str, doc_id: str, *, expected: int, current: int) -> None:
        super().__init__(
            f"{kind} {doc_id!r} is at version {current}, not the expected version {expected}"
        )
        self.kind = kind
        self.doc_id = doc_id
        self.expected = expected
        self.current = current


class PreconditionFailedError(VersionConflictError):
    """A write named (``If-Match``) version ``expected`` of a document, but ``current`` is current
    (``expected`` is 0 when the precondition named no version of this document at all)."""

    def __init__(
        self, kind: str, doc_id: str, *, expected: int, current: int, unquoted: str | None = None
    ) -> None:
        super().__init__(kind, doc_id, expected=expected, current=current)
        named = f" (the request named version {expected})" if expected else ""
        if unquoted is not None:  # an ETag of ours without its quotes: no ETag, say why
            named = f' (If-Match {unquoted} is no ETag: an ETag is in double quotes, "{unquoted}")'
        self.message = (
            f"{kind} {doc_id!r} is at version {current}: re-read it and send If-Match with "
            f"its current ETag{named}"
        )
        self.args = (self.message,)


class InvalidTransitionError(ConflictError):
    """A workflow ``action`` that a document in ``state`` does not allow (or, for approve, that
    four eyes bar); ``allowed`` are the actions the caller may take there."""

    def __init__(
        self,
        kind: str,
        doc_id: str,
        *,
        action: str,
        state: str,
        allowed: Sequence[str],
        why: str | None = None,
    ) -> None:
        because = f": {why}" if why else ""
        super().__init__(
            f"cannot {action} {kind} {doc_id!r} in state {state}{because}; "
            f"allowed: {', '.join(allowed) or 'nothing'}"
        )
        self.kind = kind
        self.doc_id = doc_id
        self.action = action
        self.state = state
        self.allowed = [str(a) for a in allowed]
        self.why = why


class PreconditionRequiredError(KnowledgeServiceError):
    """A write sent no ``If-Match`` precondition naming the version it edits."""


class InvalidStateError(ConflictError):
    """``action`` is not allowed on ``entity`` ``identifier`` in its current ``state``; names
    the actions that are (``allowed``) and, in ``message``, why."""

    def __init__(
        self,
        entity: str,
        identifier: str,
        *,
        state: str,
        action: str,
        allowed: tuple[str, ...] | list[str],
        why: str,
    ) -> None:
        choices = ", ".join(allowed) or "none"
        super().__init__(
            f"{entity} {identifier!r} is {state}: cannot {action} ({why}); allowed: {choices}"
        )
        self.entity = entity
        self.identifier = identifier
        self.state = state
        self.action = action
        self.allowed = list(allowed)


class InvalidContentError(KnowledgeServiceError):
    """A file breaks the content contract: names the file, the line (where known) and the field."""

    def __init__(
        self, path: str, problem: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        where = path + (f":{line}" if line is not None else "")
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{problem}")
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem


class InvalidRequestError(KnowledgeServiceError):
    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"parameter '{parameter}': {problem}")
        self.parameter = parameter
        self.problem = problem


class AuthenticationError(KnowledgeServiceError):
    pass


class PermissionDeniedError(KnowledgeServiceError):
    """``names``: what the message quotes of the key and the store, never of the request (the
    owner a key acts for, a document's owner). An error body redacts what it may echo of the
    request, and an owner is often an e-mail address: these are shown as written, so the refusal
    says whose document it is."""

    def __init__(self, message: str, *, names: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.names = tuple(names)


class IndexNotReadyError(KnowledgeServiceError):
    pass


class PayloadTooLargeError(InvalidRequestError):
    """A field or body over its size limit."""


class RetryLaterError(KnowledgeServiceError):
    """A refusal the client may try again after ``retry_after`` seconds (``Retry-After``)."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceBusyError(RetryLaterError):
    """A bounded resource is full; the client may try again after ``retry_after`` seconds."""


class TooManyAttemptsError(RetryLaterError):
    """Too many failed sign-in attempts from the caller's address; it may try again after
    ``retry_after`` seconds."""


class StoreSchemaError(KnowledgeServiceError):
    """The store's schema is not the one this release uses: ``current`` (None: a store made
    before migrations, or one with tables but no revision) against ``head``."""

    def __init__(self, current: str | None, head: str, *, is_behind: bool = True) -> None:
        if current is None:
            at = "the store was made before schema migrations (it records no revision)"
        else:
            at = f"the store's schema is at revision {current}"
        if is_behind:
            advice = "run `knowledge-service db upgrade` (with the same KS_DATABASE_URL) first"
        else:
            advice = "a newer release upgraded it: run that release instead"
        super().__init__(f"{at}; this release needs revision {head}: {advice}")
        self.current = current
        self.head = head
        self.is_behind = is_behind


class StoreCopyError(KnowledgeServiceError):
    """``db copy``: the target database cannot take the copy (it holds data, or tables of
    another schema), or the copy's row counts differ from the source's (rolled back)."""


class ContentFolderError(KnowledgeServiceError):
    """A content folder could not be read as a whole (its listing was refused): importing
    what could be read would retire the rest, so nothing is imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
