"""Bulk verify and bulk reassign: one action over many documents, all or nothing.

A batch names at most ``settings.workflow.bulk_limit`` documents, each with the precondition of
the version it acts on; the first that fails fails the whole batch (the caller's transaction
rolls back), so a batch never half-applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from knowledge_service.errors import InvalidRequestError
from knowledge_service.review.etags import Precondition
from knowledge_service.review.workflow_state import Step

BulkItems = Sequence[tuple[str, Precondition]]


def check_batch(items: BulkItems, limit: int) -> None:
    """Raise :class:`InvalidRequestError` for an empty, oversized or repetitive batch."""
    if not items:
        raise InvalidRequestError("items", "name at least one document")
    if len(items) > limit:
        raise InvalidRequestError(
            "items", f"at most {limit} documents per batch (got {len(items)}): split it"
        )
    ids = [doc_id for doc_id, _ in items]
    repeated = sorted({doc_id for doc_id in ids if ids.count(doc_id) > 1})
    if repeated:
        raise InvalidRequestError("items", f"each document once (repeated: {', '.join(repeated)})")


def run_batch(
    items: BulkItems, limit: int, action: Callable[[str, Precondition], Step]
) -> list[Step]:
    """``action`` on every item in order, once the batch passed :func:`check_batch`."""
    check_batch(items, limit)
    return [action(doc_id, precondition) for doc_id, precondition in items]
