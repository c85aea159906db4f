"""ETags of document versions and the ``If-Match`` precondition every write checks.

A version's ETag is ``"<doc_id>-v<version>"``. A write names the version it edits; a stale one
fails (412 through the API) with the current version, a missing one (or ``*``, which names
none) is refused (428). A weak ETag (``W/"..."``, as some proxies rewrite them) names the same
version as the strong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_service.errors import PreconditionFailedError, PreconditionRequiredError

_ETAG_RE = re.compile(r'^(?:W/)?"(?P<id>.+)-v(?P<version>[0-9]{1,10})"$')
_ENTITY_TAG = re.compile(r'(?:W/)?"[^"\x00-\x20\x7f]*"')
"""One entity tag as RFC 9110 writes it: quoted, no quote, space or control character inside."""
ONE_ETAG = 'must be one ETag, quoted as GET gives it ("<id>-v<version>"), not a list, * or unquoted'
"""What a field that carries one ETag (a bulk item's ``etag``) says of a value that is not one."""


def etag(doc_id: str, version: int) -> str:
    """The ETag of version ``version`` of document ``doc_id`` (quotes included)."""
    return f'"{doc_id}-v{version}"'


def etag_version(tag: str, doc_id: str) -> int | None:
    """The version an ETag names for ``doc_id``; None when it names another document or is not
    one of ours."""
    match = _ETAG_RE.match(tag.strip())
    if match is None or match["id"] != doc_id:
        return None
    return int(match["version"])


@dataclass(frozen=True, slots=True)
class Precondition:
    """What a write expects of the document it changes.

    Attributes:
        etags: The ETags of ``If-Match`` (None: the header was not sent).
        local: The local CLI acting on whatever version is current (no header to send).
    """

    etags: tuple[str, ...] | None
    local: bool = False

    @classmethod
    def from_header(cls, header: str | None) -> Precondition:
        if header is None or not header.strip():
            return cls(None)
        return cls(tuple(part.strip() for part in header.split(",") if part.strip()))

    @classmethod
    def of_etag(cls, tag: str) -> Precondition:
        """The precondition of a field that holds one ETag (a bulk item's): taken whole, never
        split on commas as an ``If-Match`` list is (see :func:`check_one_etag`)."""
        return cls((tag,))

    @classmethod
    def of_version(cls, doc_id: str, version: int) -> Precondition:
        return cls((etag(doc_id, version),))

    def check(self, kind: str, doc_id: str, current: int) -> None:
        """Raise unless this precondition names version ``current`` of ``doc_id``.

        Raises:
            PreconditionRequiredError: no ``If-Match`` was sent.
            PreconditionFailedError: it names another version (or nothing of this document).
        """
        if self.local:
            return
        if not self.etags or "*" in self.etags:
            # "*" matches whatever version is current: it would let a write overwrite an edit
            # it never saw, which is what the precondition is there to stop.
            said = "If-Match: * names no version: " if self.etags else ""
            raise PreconditionRequiredError(
                f"{said}send If-Match with the ETag of the {kind} version you change "
                f"(now {etag(doc_id, current)})"
            )
        named = [etag_version(tag, doc_id) for tag in self.etags]
        if current not in named:
            expected = max((v for v in named if v is not None), default=0)
            # `If-Match: faq-v2` (the quotes lost on the way, typed by hand) names no version:
            # the 412 says so, or it reads as "send the current ETag" to one who sent it.
            unquoted = next(
                (tag for tag in self.etags if etag_version(f'"{tag}"', doc_id) is not None), None
            )
            raise PreconditionFailedError(
                kind, doc_id, expected=expected, current=current, unquoted=unquoted
            )


def check_one_etag(value: str) -> str:
    """``value`` when it is one entity tag; ValueError otherwise (a list, ``*``, no quotes)."""
    if _ENTITY_TAG.fullmatch(value) is None:
        raise ValueError(ONE_ETAG)
    return value


LOCAL = Precondition(None, local=True)
"""The local CLI's precondition: it acts on the current version it has just read."""
