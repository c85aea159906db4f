"""The serving rules as a table: article status, audience and channels, findings, confidence."""

from __future__ import annotations

import pytest

from knowledge_service.answers.confidence import (
    candidate_confidence,
    confidence_of,
    pick_canonical,
)
from knowledge_service.answers.handoff import handoff_of
from knowledge_service.answers.rules import Thresholds, decide_status, is_blocked, is_visible
from knowledge_service.answers.schemas import AnswerReason, AnswerStatus, FreshnessNote
from knowledge_service.content.schemas import Audience, Channel
from knowledge_service.index.schemas import SearchHit
from knowledge_service.settings import AnswerSettings
from tests.factories import make_article

CUSTOMER = ["chat", "voice", "web", "email"]
ALL = ["chat", "agent", "voice", "email", "web"]
THRESHOLDS = Thresholds(no_answer=0.5, channel_minimum={Channel.VOICE: 0.6})

BLOCK = FreshnessNote(kind="review_overdue", severity="block", message="overdue")
WARN = FreshnessNote(kind="policy_changed", severity="warn", message="policy changed")
INFO = FreshnessNote(kind="review_due_soon", severity="info", message="due soon")

VISIBILITY = (
    [("published", "public", ALL, ch, True) for ch in ALL]
    + [("draft", "public", ALL, ch, False) for ch in ALL]
    + [("retired", "public", ALL, ch, False) for ch in ALL]
    + [("published", "internal", ALL, ch, ch == "agent") for ch in ALL]
    + [("published", "internal", ["agent"], ch, ch == "agent") for ch in ALL]
    + [("draft", "internal", ["agent"], "agent", False)]
    + [("published", "public", ["chat", "web"], ch, ch in ("chat", "web")) for ch in ALL]
)


@pytest.mark.parametrize(("status", "audience", "channels", "channel", "visible"), VISIBILITY)
def test_visibility_table(
    status: str, audience: str, channels: list[str], channel: str, visible: bool
) -> None:
    doc = make_article(status=status, audience=audience, channels=channels)
    assert is_visible(doc, Channel(channel)) is visible


ANSWERED = (AnswerStatus.ANSWERED, "confident")
BLOCKED = (AnswerStatus.ESCALATE, AnswerReason.BLOCKED.value)
OFF_CHANNEL = (AnswerStatus.ESCALATE, AnswerReason.NOT_ON_CHANNEL.value)
LOW = (AnswerStatus.ESCALATE, AnswerReason.LOW_CONFIDENCE.value)
NO_ANSWER = (AnswerStatus.NO_ANSWER, "no_article")

STATUS_TABLE = (
    # confident, visible, no findings: answered everywhere
    [(0.9, ch, True, [], ANSWERED) for ch in ALL]
    # a block finding: customer channels escalate, the agent still gets the answer
    + [(0.9, ch, True, [BLOCK], BLOCKED) for ch in CUSTOMER]
    + [(0.9, "agent", True, [BLOCK], ANSWERED), (0.9, "agent", True, [INFO, BLOCK], ANSWERED)]
    + [(0.9, ch, True, [WARN, INFO, BLOCK], BLOCKED) for ch in CUSTOMER]
    # warn and info findings never stop an answer
    + [(0.9, ch, True, [WARN], ANSWERED) for ch in ALL]
    + [(0.9, ch, True, [INFO], ANSWERED) for ch in ALL]
    # not visible on the channel
    + [(0.9, ch, False, [], OFF_CHANNEL) for ch in ALL]
    + [(0.9, ch, False, [BLOCK], OFF_CHANNEL) for ch in CUSTOMER]
    # below the no-answer threshold: no_answer, whatever else holds
    + [(0.49, ch, True, [], NO_ANSWER) for ch in ALL]
    + [(0.2, ch, False, [BLOCK], NO_ANSWER) for ch in ALL]
    + [(0.0, ch, True, [], NO_ANSWER) for ch in ALL]
    # voice has a stricter minimum
    + [(0.55, "voice", True, [], LOW), (0.5999, "voice", True, [], LOW)]
    + [(0.55, ch, True, [], ANSWERED) for ch in ["chat", "agent", "web", "email"]]
    + [(0.6, "voice", True, [], ANSWERED), (0.5, "chat", True, [], ANSWERED)]
)


@pytest.mark.parametrize(("confidence", "channel", "visible", "notes", "expected"), STATUS_TABLE)
def test_status_table(
    confidence: float,
    channel: str,
    visible: bool,
    notes: list[FreshnessNote],
    expected: tuple[AnswerStatus, str | None],
) -> None:
    got = decide_status(
        confidence=confidence,
        channel=Channel(channel),
        visible=visible,
        freshness=notes,
        thresholds=THRESHOLDS,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("notes", "blocked"),
    [([], False), ([INFO], False), ([WARN, INFO], False), ([BLOCK], True), ([INFO, BLOCK], True)],
)
def test_only_block_severity_blocks(notes: list[FreshnessNote], blocked: bool) -> None:
    assert is_blocked(notes) is blocked


# -- picking the canonical article (the agent's fallback to internal articles) ---------------

CFG = AnswerSettings(
    calib_score=10.0, calib_dense=0.0, calib_margin=12.0, calib_bias=-8.5, no_answer_threshold=0.78
)


def hit(article_id: str, score: float, audience: str = "public") -> SearchHit:
    return SearchHit(
        article_id=article_id,
        version=1,
        title=article_id,
        snippet="...",
        score=score,
        dense_score=score,
        lexical_score=score,
        unit_kind="question",
        intents=[f"i.{article_id}"],
        audience=Audience(audience),
        channels=list(Channel),
        locale="en-AU",
    )


PICK_CASES = [
    # a confident public article is the answer everywhere, even above an internal one
    ([hit("pub", 0.9), hit("int", 0.95, "internal")], "agent", "pub"),
    ([hit("pub", 0.9), hit("int", 0.95, "internal")], "chat", "pub"),
    # no confident public article: the agent gets a clearly better internal one...
    ([hit("int", 0.9, "internal"), hit("pub", 0.3), hit("pub2", 0.28)], "agent", "int"),
    # ...but never one that a better public article outranks (its lead among the
    # internal articles alone would inflate its confidence)
    ([hit("pub", 0.63), hit("int", 0.5, "internal"), hit("pub2", 0.45)], "agent", "pub"),
    ([hit("pub", 0.63), hit("int", 0.5, "internal"), hit("pub2", 0.45)], "chat", "pub"),
    # customer channels never fall back
    ([hit("int", 0.9, "internal"), hit("pub", 0.3), hit("pub2", 0.28)], "chat", "pub"),
    ([hit("int", 0.9, "internal")], "voice", None),
    ([], "agent", None),
]


@pytest.mark.parametrize(("hits", "channel", "expected"), PICK_CASES)
def test_pick_canonical(hits: list[SearchHit], channel: str, expected: str | None) -> None:
    best, pool = pick_canonical(hits, Channel(channel), CFG)
    assert (best.article_id if best else None) == expected
    if best is not None:
        assert best in pool


@pytest.mark.parametrize(
    ("hits", "channel"),
    [
        *((hits, channel) for hits, channel, expected in PICK_CASES if expected),
        # an internal article between public ones counts in no public article's confidence
        ([hit("pub", 0.9), hit("int", 0.88, "internal"), hit("pub2", 0.5)], "chat"),
        ([hit("pub", 0.9), hit("int", 0.88, "internal"), hit("pub2", 0.5)], "agent"),
    ],
)
def test_a_candidate_is_scored_as_the_answer_is(hits: list[SearchHit], channel: str) -> None:
    best, pool = pick_canonical(hits, Channel(channel), CFG)
    assert best is not None
    assert candidate_confidence(hits, best, CFG) == confidence_of(pool, best, CFG)


def test_hand_off_names_the_three_most_likely_candidates_first_and_none_without_support() -> None:
    confidence = {"a": 0.2, "b": 0.5, "c": 0.0, "d": 0.1, "e": 0.3, "f": 0.0}
    hits = [hit(name, 0.5 - n / 100) for n, name in enumerate(confidence)]
    handoff = handoff_of(
        hits, Channel.CHAT, AnswerReason.NO_ARTICLE, lambda h: confidence[h.article_id]
    )
    assert [(c.article_id, c.confidence) for c in handoff.candidates] == [
        ("b", 0.5),
        ("e", 0.3),
        ("a", 0.2),
    ]
    unsupported = handoff_of(hits[2:3], Channel.CHAT, AnswerReason.NO_ARTICLE, lambda h: 0.0)
    assert unsupported.candidates == [] and unsupported.intent is None  # no lead, no need


def test_internal_fallback_reports_confidence_against_every_hit() -> None:
    hits = [hit("int", 0.9, "internal"), hit("pub", 0.5), hit("pub2", 0.49)]
    hits.append(hit("int2", 0.1, "internal"))
    best, pool = pick_canonical(hits, Channel.AGENT, CFG)
    assert best is not None and best.article_id == "int"
    internal_only = [h for h in hits if h.audience == Audience.INTERNAL]
    assert confidence_of(pool, best, CFG) == confidence_of(hits, best, CFG)
    assert confidence_of(pool, best, CFG) < confidence_of(internal_only, best, CFG)


def test_a_crowd_of_near_equal_rivals_lowers_confidence() -> None:
    cfg = AnswerSettings()  # the shipped settings
    apart = [hit("best", 0.8), hit("next", 0.7), *(hit(f"far{i}", 0.2) for i in range(6))]
    crowded = [hit("best", 0.8), hit("next", 0.7), *(hit(f"near{i}", 0.69) for i in range(6))]
    assert confidence_of(crowded, crowded[0], cfg) < confidence_of(apart, apart[0], cfg) - 0.1


def test_a_lone_candidate_of_a_small_knowledge_base_is_not_taken_to_stand_apart() -> None:
    cfg = AnswerSettings()
    lone = [hit("only", 0.35)]
    short = confidence_of(lone, lone[0], cfg, complete=False)
    assert short < confidence_of(lone, lone[0], cfg)
    assert short < cfg.no_answer_threshold  # a weak match among few articles is not answered
    crowded = [hit("best", 0.8), *(hit(f"near{i}", 0.78) for i in range(3))]
    # a crowd counts in full whether or not the search ran out of articles
    assert confidence_of(crowded, crowded[0], cfg, complete=False) == confidence_of(
        crowded, crowded[0], cfg, complete=True
    )
