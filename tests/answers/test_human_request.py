"""A customer who asks for a person gets a hand-off, and questions that name someone do not."""

from __future__ import annotations

import pytest

from knowledge_service.answers.human_request import asks_for_a_person, normalised

REQUESTS = [
    "agent",
    "Agent!!",
    "human please",
    "a real person",
    "customer service now",
    "REPRESENTATIVE",
    "live agent",
    "operator",
    "i want to talk to a human",
    "can I speak to someone about my bill",
    "I'd like to speak to someone",
    "I need to speak to someone",
    "let me speak with a manager",
    "speak to human",
    "talk to a real person please",
    "can I chat with one of your agents",
    "transfer me to an agent",
    "transfer to an agent",
    "put me through to a person",
    "connect me with customer service",
    "I need a human",
    "need a human",
    "I just want a real person",
    "can i have a representative",
    "get me an agent",
    "this bot is useless, give me a human",
    "is there anyone i can talk to",
    # found by a voice and chat integration pass (2026-12-06): these were asked as questions
    "I need to speak with a council officer",
    "can I speak to an officer about my rates",
    "transfer me to a council officer",
    "get me a manager",
    "I want a supervisor please",
    "I\u2019d like a human",  # a phone's smart apostrophe (U+2019)
    # a call from a person (2026-12-07: these were answered with an article)
    "can someone call me back",
    "could somebody ring me",
    "I want a callback",
    "I'd like a call-back please",
    "callback please",
    "please call me back",
    "can someone contact me about my complaint",
    "could somebody please give me a call",
    "get a manager to call me",
    "I need someone to call me back",
    "i'd like to request a callback",
    "Could i please get a callback",
    "would someone be able to call me",
    "can anyone call me back",
]
QUESTIONS = [
    "my agent said I could pay later",
    "the agent was rude to me",
    "I spoke to someone yesterday and they said my bill was wrong",
    "i talked to someone last week",
    "how do I become an agent",
    "who can I speak to about solar",
    "can my son talk to you for me",
    "I need someone to read my meter",
    "send someone to check the meter",
    "can someone come and fix the power",
    "how do I give someone else access to my account",
    "transfer money to someone",
    "I made a transfer to someone, why is it late",
    "how do I transfer my account to the new owner",
    "do i need an agent to sell my house",
    "will i need a representative at the hearing",
    "does my mum need an advisor",
    "do i have to talk to someone to close an account or can i in the app",
    "Do I need to speak to a representative to change my pin?",
    "human rights complaint",
    "person on life support",
    "i need a refund",
    "I need an officer to inspect my fence",
    "the officer said I could pay later",
    "a council officer came to my house",
    "do I need a council officer to inspect it",
    "I want a property manager",
    "what are your opening hours",
    "will someone call me before the inspection",
    "you said you'd call me back",
    "what is the callback number",
    "do i need to request a callback",
    "why did nobody call me back",
    "i was promised a callback",
    "can anyone contact me through the app if my number is listed",
    "",
    "???",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_a_request_for_a_person_is_recognised(text: str) -> None:
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_that_names_someone_is_not_a_request(text: str) -> None:
    assert not asks_for_a_person(text)


def test_text_is_compared_in_lower_case_words_only() -> None:
    assert normalised("  Talk to a HUMAN!!! now\n") == "talk to a human now"
    assert normalised("I'd like… 🙂 an agent") == "i'd like an agent"
    assert normalised("I\u2019d like, I\u2018d like") == "i'd like i'd like"
