"""Conflicts and duplicates between two articles: which side a cited clause backs, and when a
conflicting pair is also a duplicate (only as a copy)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from knowledge_service.freshness.checker import ArticleEmbedding, run_check
from knowledge_service.freshness.pairs import COPY_FLOOR, copy_ratio
from knowledge_service.freshness.rules import CheckedArticle
from knowledge_service.freshness.schemas import CheckResult, FindingData
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import make_article, make_policy

SETTINGS = Settings(embedding_model="hash")

# Two policies, each about its own subject: how long before a late fee, how long an extension.
CHARGES = make_policy(
    "CHARGES",
    clauses={
        "2.1 Late payment fee": "A late payment fee of $10.00 applies when a bill remains "
        "unpaid 14 days after its due date."
    },
)
HARDSHIP = make_policy(
    "HARDSHIP",
    clauses={
        "2.1 Payment extension": "A customer may ask for one payment extension of up to 21 "
        "days past the due date."
    },
)
LATE_FEE = (
    "If your bill is still unpaid 14 days after the due date, a late payment fee of $10 is "
    "added to your next bill."
)
AVOID_IT = "## How to avoid it\nPay by the due date, or ask for more time before it.\n"
EXTENSION = (
    "If you can't pay by the due date, you can ask for one extension of up to 21 days. Ask "
    "before the due date and no late payment fee applies while the extension runs."
)


def _unit(axis: int, wobble: float = 0.0) -> ArticleEmbedding:
    vector = np.zeros(8, dtype=np.float32)
    vector[axis] = 1.0
    vector[(axis + 1) % 8] = wobble
    vector /= np.linalg.norm(vector)
    return ArticleEmbedding(vector, vector, vector)


def article(article_id: str, answer: str, **fields: Any) -> Any:
    defaults = {
        "intents": [f"billing.{article_id.replace('-', '_')}"],
        "title": article_id,
        "body": "",
    }
    return make_article(article_id, answer=answer, **{**defaults, **fields})


def check(*articles: Any, policies: Any, vectors: Any = None) -> CheckResult:
    return run_check(
        list(articles), list(policies), today=TODAY, settings=SETTINGS, vectors=vectors
    )


def close(*ids: str) -> dict[str, ArticleEmbedding]:
    """Vectors that make the articles answer one need (joint similarity near 1)."""
    return {article_id: _unit(0, 0.05 * n) for n, article_id in enumerate(ids)}


def of_kind(result: CheckResult, kind: str) -> list[FindingData]:
    return [f for f in result.findings if f.kind == kind]


def test_two_articles_each_restating_the_clause_it_cites_do_not_conflict() -> None:
    """Days before a late fee and the longest extension: two facts of two clauses, each
    article true to the clause it cites, however close their wording."""
    late = article(
        "late-fee",
        LATE_FEE,
        policy_sources=["CHARGES#2.1"],
        title="Late payment fee",
        body=AVOID_IT,
    )
    extension = article(
        "more-time",
        EXTENSION,
        policy_sources=["HARDSHIP#2.1"],
        intents=["billing.payment_extension"],
        title="Asking for more time to pay",
    )
    result = check(
        late, extension, policies=(CHARGES, HARDSHIP), vectors=close("late-fee", "more-time")
    )
    assert of_kind(result, "conflict") == []
    assert of_kind(result, "policy_mismatch") == []


def test_articles_true_to_policies_that_disagree_are_not_an_article_conflict() -> None:
    """Both answer one need, each as the clause it cites says: the policies disagree, which
    is for their owners; neither article is wrong, so neither is blocked."""
    refunds = make_policy("REFUNDS", clauses={"2.1 Refunds": "Refunds are paid within 10 days."})
    cards = make_policy("CARDS", clauses={"1 Card refunds": "Refunds are paid within 5 days."})
    same = {"intents": ["billing.refund"], "title": "Refunds"}
    a = article(
        "refund-a", "Refunds are paid within 10 days.", policy_sources=["REFUNDS#2.1"], **same
    )
    b = article("refund-b", "Refunds are paid within 5 days.", policy_sources=["CARDS#1"], **same)
    result = check(a, b, policies=(refunds, cards))
    assert of_kind(result, "conflict") == []
    assert of_kind(result, "policy_mismatch") == []
    assert len(of_kind(result, "ambiguous_intent")) == 1  # still two answers to one intent


@pytest.mark.parametrize("cites", [[], ["CHARGES#2.1"]])
def test_one_side_backed_by_its_clause_and_the_other_not_is_still_a_conflict(
    cites: list[str],
) -> None:
    """The same need, the same subject, contradicting values, one side unbacked (citing
    nothing, or misstating the clause it cites): a conflict naming the side to correct."""
    right = article("late-fee", LATE_FEE, policy_sources=["CHARGES#2.1"])
    wrong = article("overdue-bill", LATE_FEE.replace("14 days", "7 days"), policy_sources=cites)
    result = check(right, wrong, policies=(CHARGES,), vectors=close("late-fee", "overdue-bill"))
    (conflict,) = of_kind(result, "conflict")
    assert conflict.message.endswith(
        "late-fee matches CHARGES#2.1 (14 calendar days): correct overdue-bill."
    )
    assert len(of_kind(result, "policy_mismatch")) == len(cites)


# One topic written twice, apart: most words shared (final bill, business days, cancellation
# date, credit), but not one text with a figure changed.
WRITTEN_APART = (
    "Give us at least 5 business days' notice before you cancel. We send the final bill "
    "within 2 business days of your cancellation date and refund any credit to your card.",
    "When you cancel we send the final bill within 10 business days of your cancellation "
    "date, then refund any credit.",
)
COPIED = (
    "When you cancel we send the final bill within 2 business days of your cancellation "
    "date, then refund any credit to your card.",
    "When you cancel we send the final bill within 10 business days of your cancellation "
    "date, then refund any credit to your card.",
)


def _cancel_pair(answers: tuple[str, str]) -> list[Any]:
    return [
        article(article_id, answer, intents=["account.cancel"], title="Cancelling")
        for article_id, answer in zip(("cancel-a", "cancel-b"), answers, strict=True)
    ]


@pytest.mark.parametrize("vectors", [True, False], ids=["embeddings", "no-embeddings"])
def test_conflicting_articles_written_apart_are_not_also_duplicates(vectors: bool) -> None:
    a, b = _cancel_pair(WRITTEN_APART)
    result = check(a, b, policies=(), vectors=close("cancel-a", "cancel-b") if vectors else None)
    assert sorted(f.kind for f in result.findings) == ["ambiguous_intent", "conflict"]


@pytest.mark.parametrize("vectors", [True, False], ids=["embeddings", "no-embeddings"])
def test_a_copy_with_a_figure_changed_is_a_conflict_and_a_duplicate(vectors: bool) -> None:
    a, b = _cancel_pair(COPIED)
    result = check(a, b, policies=(), vectors=close("cancel-a", "cancel-b") if vectors else None)
    assert sorted(f.kind for f in result.findings) == [
        "ambiguous_intent",
        "conflict",
        "duplicate",
    ]


def test_copy_ratio_measures_wording_in_order_not_shared_words() -> None:
    apart = [CheckedArticle.of(d) for d in _cancel_pair(WRITTEN_APART)]
    copied = [CheckedArticle.of(d) for d in _cancel_pair(COPIED)]
    assert copy_ratio(*copied) == 1.0  # only the figure differs
    assert copy_ratio(*apart) < COPY_FLOOR
    shuffled = [
        CheckedArticle.of(d)
        for d in _cancel_pair((COPIED[0], " ".join(reversed(COPIED[0].split()))))
    ]
    assert copy_ratio(*shuffled) < COPY_FLOOR  # the same words in another order: no copy


def test_two_articles_each_about_its_own_clause_do_not_conflict() -> None:
    """A price adjustment "within 30 days" (misstating its own clause, 14 days) and a price
    match "within 7 days" (stating its own clause), though as close as one need: two things,
    and the first is a policy mismatch, not a conflict with the second. Had the first cited
    the price-match clause, the two would be one fact."""
    payments = make_policy(
        "PAYMENTS",
        clauses={
            "3.2 Price adjustments": "If we lower the price of an item within 14 days of the "
            "customer's purchase, we refund the difference.",
            "3.3 Price matching": "We match a lower advertised price when the customer asks "
            "within 7 days of purchase.",
        },
    )
    adjustment = article(
        "price-adjustment",
        "Spotted a lower price within 30 days of your purchase? Ask and we refund the difference.",
        policy_sources=["PAYMENTS#3.2"],
    )
    match = article(
        "price-match",
        "Spotted a lower price elsewhere? Ask within 7 days of your purchase and we refund "
        "the difference.",
        policy_sources=["PAYMENTS#3.3"],
    )
    vectors = close("price-adjustment", "price-match")
    found = check(adjustment, match, policies=[payments], vectors=vectors)
    assert of_kind(found, "conflict") == []
    assert [f.article_ids for f in of_kind(found, "policy_mismatch")] == [["price-adjustment"]]
    cites_both = article(
        "price-adjustment",
        "Spotted a lower price within 30 days of your purchase? Ask and we refund the difference.",
        policy_sources=["PAYMENTS#3.2", "PAYMENTS#3.3"],
    )
    found = check(cites_both, match, policies=[payments], vectors=vectors)
    assert [f.article_ids for f in of_kind(found, "conflict")] == [
        ["price-adjustment", "price-match"]
    ]


@pytest.mark.parametrize(
    ("one", "other", "unaccented"),
    [("Lite", "Max", "Lite"), ("Kōwhai", "Ōtaki", "Kowhai")],
)
def test_two_named_plans_each_with_its_own_price_do_not_conflict(
    one: str, other: str, unaccented: str
) -> None:
    """ "Membership costs $12 a month with Lite" and "... $30 a month with Max", each in the
    article its title names ("Lite plan", "Max plan"), are two plans' prices; a page that names
    the Lite plan with another price still conflicts with the Lite article. A capitalised word
    is read in letters of any script, accents folded: "Kōwhai", not "K" and "whai"; "Ōtaki",
    not "taki"; "Kowhai" on the page is the Kōwhai plan."""
    first = article(
        "one-plan", f"Membership costs $12 a month with {one}.", title=f"The {one} plan"
    )
    second = article(
        "other-plan", f"Membership costs $30 a month with {other}.", title=f"The {other} plan"
    )
    result = check(first, second, policies=(), vectors=close("one-plan", "other-plan"))
    assert of_kind(result, "conflict") == []
    prices = article(
        "plan-prices",
        f"Membership costs $15 a month with {unaccented}.",
        title="What our plans cost",
    )
    result = check(first, prices, policies=(), vectors=close("one-plan", "plan-prices"))
    assert [f.article_ids for f in of_kind(result, "conflict")] == [["one-plan", "plan-prices"]]
