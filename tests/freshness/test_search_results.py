"""A search hit becomes a search result with its findings and badge: the fields as validating
the hit's dump again would give them."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge_service.content.schemas import Audience, Channel
from knowledge_service.freshness.notes import _with_freshness, badge_of
from knowledge_service.freshness.schemas import (
    Badge,
    FindingKind,
    FreshnessNote,
    SearchResult,
    Severity,
)
from knowledge_service.index.schemas import SearchHit

HIT = SearchHit(
    article_id="refund-timeframe",
    version=3,
    title="Refund timeframe",
    section="When",
    snippet="Refunds take 5 days.",
    score=0.75,
    dense_score=0.5,
    lexical_score=0.25,
    unit_kind="section",
    intents=["refund.when"],
    audience=Audience.PUBLIC,
    channels=[Channel.CHAT, Channel.WEB],
    locale="en",
)
KIND = next(iter(FindingKind))
BLOCK = FreshnessNote(kind=KIND, severity=Severity.BLOCK, message="stale")
LIFTED = BLOCK.model_copy(update={"risk_accepted_until": date(2030, 1, 1)})
WARN = FreshnessNote(kind=KIND, severity=Severity.WARN, message="check")


@pytest.mark.parametrize(
    ("notes", "badge"),
    [
        ([], Badge.CURRENT),
        ([WARN], Badge.WARN),
        ([LIFTED], Badge.WARN),
        ([WARN, BLOCK], Badge.BLOCK),
    ],
)
def test_result_is_the_hit_revalidated_with_its_findings(
    notes: list[FreshnessNote], badge: Badge
) -> None:
    result = _with_freshness(HIT, notes)
    expected = SearchResult(**HIT.model_dump(), freshness=notes, badge=badge_of(notes))
    assert result.badge == badge
    assert result == expected
    assert result.model_dump_json() == expected.model_dump_json()
    assert result.model_fields_set == expected.model_fields_set
    assert result.freshness == notes


def test_result_does_not_share_the_hits_lists() -> None:
    result = _with_freshness(HIT, [])
    result.intents.append("other")
    result.channels.append(Channel.VOICE)
    assert HIT.intents == ["refund.when"]
    assert HIT.channels == [Channel.CHAT, Channel.WEB]
