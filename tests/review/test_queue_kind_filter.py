"""The review queue's kind filter takes every item kind and every finding kind, and nothing else.

``QueueKindFilter`` lists both enums by hand (an enum cannot extend two others); a kind added to
either must be added there too, or ``?kind=`` and ``review --kind`` would refuse it.
"""

from __future__ import annotations

from knowledge_service.freshness.schemas import FindingKind
from knowledge_service.review.queue_schemas import QueueItemKind, QueueKindFilter


def test_the_kind_filter_is_every_item_kind_and_every_finding_kind() -> None:
    assert {k.value for k in QueueKindFilter} == (
        {k.value for k in QueueItemKind} | {k.value for k in FindingKind}
    )
