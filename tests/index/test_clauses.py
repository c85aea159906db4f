"""Splitting a question into the clauses (aspects) it asks about."""

from __future__ import annotations

from knowledge_service.index.clauses import MAX_CLAUSES, split_clauses
from knowledge_service.index.lexical import Tokenizer

TERMS = Tokenizer()


def test_a_wh_word_starts_a_new_clause() -> None:
    question = "My dad is on a home oxygen machine what happens if the power goes out"
    assert split_clauses(question, TERMS) == [
        "my dad is on a home oxygen machine",
        "what happens if the power goes out",
    ]


def test_punctuation_ends_a_clause() -> None:
    assert split_clauses("my payment bounced; fees apply now? refund please.", TERMS) == [
        "my payment bounced",
        "fees apply now",
        "refund please",
    ]


def test_a_fragment_without_two_content_terms_joins_its_neighbour() -> None:
    # "how much" holds no content term: it joins the clause after it
    assert split_clauses("how much does it cost to connect power", TERMS) == [
        "how much does it cost to connect power"
    ]
    # a short last fragment joins the clause before it
    assert split_clauses("the smart meter reads wrong, why", TERMS) == [
        "the smart meter reads wrong why"
    ]


def test_a_one_clause_question_is_not_split() -> None:
    assert split_clauses("card payment declined abroad", TERMS) == ["card payment declined abroad"]
    assert split_clauses("?!", TERMS) == []


def test_at_most_max_clauses_are_kept_and_no_word_is_lost() -> None:
    question = ", ".join(f"red apple{n} green pear{n}" for n in range(MAX_CLAUSES + 3))
    clauses = split_clauses(question, TERMS)
    assert len(clauses) == MAX_CLAUSES
    assert " ".join(clauses).split() == question.replace(",", "").split()
