"""Telling a message that says someone may be at risk of harm from a question."""

from __future__ import annotations

import pytest

from knowledge_service.answers.risk import (
    _VIOLENCE_RE,
    RiskKind,
    risk_kind,
    signals_risk,
    without_risk,
)

AT_RISK = [
    "my roommate is saying some really scary stuff about hurting herself and I don't know what "
    "to do, who do I call right now",
    "i want to kill myself",
    "I've been having suicidal thoughts since the bills came",
    "i just want to end my life",
    "i dont want to be alive anymore",
    "i want to die",
    "i cant go on like this anymore, the debt is too much",
    "there's nothing left to live for",
    "my son self-harms, can you stop the disconnection",
    "my friend took an overdose",
    "my husband hits me and he controls the account",
    "my partner keeps hitting me",
    "he threatened to kill me if i leave",
    "she's going to hurt us",
    "im not safe at home",
    "is there help with bills for family violence victims",
    "I left because of domestic abuse and the account is in his name",
    # indirect wording, written after the first list (2026-12-05, fourth session)
    "honestly everyone would be better off without me",
    "im thinking about ending it all",
    "there's no point in living anymore",
    "i want to unalive myself",
    "i'm scared for my life, he said he'd come back",
    "i fear for my safety if he finds my new address",
    "my ex is stalking me and i need my address hidden from the account",
    "he choked me last night and i had to leave the house",
    "my partner is abusive and controls all the money",
    "i'm in an abusive relationship and need the bill in my own name",
    "i'm afraid to go home because of my partner",
    "he said he will hurt the kids if i leave",
    # an agent's note of what the customer says (2026-12-06)
    "customer says her partner is violent",
    "caller says her husband hits her",
    "her ex is stalking her",
    "he hit me with a belt",
    # found by a QA pass (2026-12-06, fourteenth session)
    "he said he would hurt me if I call you",
    "my neighbour threatened me over the water meter",
    "my husband controls all the money and won't let me pay",
    # found by a voice and chat integration pass (2026-12-06): these were answered as questions
    "my partner punched me, can I get a payment plan for my rates",
    "he pushed me down the stairs",
    "she kicked me and I had to leave",
    "my boyfriend slapped me",
    "my husband raped me",
    "I was assaulted by my partner last night",
    "I'm being abused at home",
    "I'm scared of my partner",
    "im afraid of my husband",
    "im scared hes going to hurt me",
    "I wish I was dead",
    "life is not worth living",
    "I'm going to jump off a bridge",
    "I want to hang myself",
    # what a person says of a violent partner, or that they cannot go on (2026-12-07)
    "he is abusive",
    "my husband is abusive",
    "my husband's violent and I need the account in my name",
    "she can be really violent",
    "he gets violent when he drinks",
    "I can't go on",
    "i cant go on anymore",
    "I can't go on. How do I pay this?",
    "I cannot carry on any longer",
    "i can't keep going like this",
    # typed with a phone's smart apostrophe (U+2019)
    "i can\u2019t go on like this anymore",
    "i don\u2019t want to live anymore",
    "i\u2019m not safe at home",
]
NOT_AT_RISK = [
    "kill the power at the meter",
    "my phone is dying",
    "im dying to know when the refund comes",
    "the battery died",
    "this bill is killing me",
    "the deadline is killing me",
    "my mum is going to kill me if i miss the deadline",
    "did i hurt my credit score",
    "my dad hit the wrong button",
    "he hit the pay button twice",
    "it beats me why the bill went up",
    "can i end my contract early",
    "take my name off the account",
    "cut off my power",
    "self service portal login",
    "overdue bill",
    "i cant go on the website, it keeps crashing",
    "life support outage",
    "they kicked me off the plan without warning",
    "the agent was rude and abusive on the phone",
    "they slapped me with a late fee",
    "the app keeps choking on my upload",
    "is there any point in living here if the water is off",
    "i'm afraid to open my bill",
    "im scared the power will go out during the storm",
    "no point in paying now",
    "my kids are better off without a phone",
    "how do I stop my ex from using my account",
    "i'm not safe to drive to the store, can you deliver",
    # a charge, not a blow (2026-12-06: these had escalated as at_risk)
    "they hit me with a late fee",
    "you hit us with a huge bill this quarter",
    "he hit her with a massive price increase",
    # a company's threat, or what it will do, is no threat of harm
    "they threatened me with disconnection",
    "my landlord threatened me with eviction",
    "the debt collector threatened us with court action",
    "you threatened to cut off my water",
    "would it hurt my credit score",
    "my husband controls the account",
    # what the violence words of 2026-12-06 must not take in
    "I was attacked by my neighbour's dog, who do I report it to",
    "I was abused by the call centre agent",
    "my landlord kicked us out",
    "the salesman pushed me into a contract",
    "he pushed me to sign up for the plan",
    "the hacker attacked my account",
    "im afraid of the bill",
    "I'm scared of my dad's reaction if I miss it",
    "im afraid of her reaction",
    # what the words of 2026-12-07 must not take in
    "he was abusive on the phone",
    "she was abusive to our staff",
    "i can't go on holiday until the refund comes",
    "I can't carry on paying this much",
    "the caller was abusive",
]


@pytest.mark.parametrize("text", AT_RISK)
def test_a_message_that_someone_may_be_harmed_is_recognised(text: str) -> None:
    assert signals_risk(text)


@pytest.mark.parametrize("text", NOT_AT_RISK)
def test_a_figure_of_speech_or_a_question_is_not(text: str) -> None:
    assert not signals_risk(text)


def test_each_message_says_what_kind_of_harm() -> None:
    assert risk_kind("i want to end my life") == RiskKind.SELF_HARM
    assert risk_kind("my partner keeps hitting me") == RiskKind.VIOLENCE
    assert risk_kind("this bill is killing me") is None


def test_case_punctuation_and_spacing_do_not_matter() -> None:
    assert signals_risk("  I WANT TO END MY LIFE!!!\n")
    assert signals_risk("Self-harm")
    assert not signals_risk("")


@pytest.mark.parametrize(
    ("message", "rest"),
    [
        (
            "my partner hits me and I'm scared. How long does a refund take?",
            "I'm scared. How long does a refund take?",
        ),
        ("I want to kill myself, I can't pay this bill", "I can't pay this bill"),
        ("customer says she wants to end her life", ""),
        ("he threatened to kill me if I leave", ""),
        ("how do I pay my bill", "how do I pay my bill"),
        ("I can't go on. How do I pay?", "How do I pay?"),
    ],
)
def test_what_else_a_message_at_risk_asks(message: str, rest: str) -> None:
    """An agent with no procedure for the risk is answered what the rest of the message asks:
    its words of risk ("end her life") would match articles only by a shared word ("Life
    support customers and power outages")."""
    assert without_risk(message) == rest


# An optional word between two runs of spaces ("he\\s*(?:is|was)?\\s*(?:going to)?\\s*hits"): each
# space could go to any run, so "he" before 2,000 spaces took 35 s. risk_kind spaces the words
# once before it reads them, so no message reached it; the pattern is safe alone too now.
@pytest.mark.timeout(60)  # a guard against minutes, not a speed assertion: milliseconds now
def test_the_words_of_harm_before_a_long_run_of_spaces_end() -> None:
    assert _VIOLENCE_RE.search("he" + " " * 20_000) is None
    assert _VIOLENCE_RE.search("he   is  going to   hit  me") is not None
    assert _VIOLENCE_RE.search("he'shitting me") is not None  # as before: the spaces may go
