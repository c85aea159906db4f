"""What the agent-assist sidebar shows: the one answer card, further results, the hand-off.

Adapter logic only: it calls the answer, search, content, freshness and analytics verbs and
shapes their results for the templates.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.log import AnswerLog, to_row, write_rows
from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.analytics.recording import answer_event
from knowledge_service.answers.render import render_answer
from knowledge_service.answers.sanitise import clean_title, sanitise_search
from knowledge_service.answers.schemas import AnswerResult, AnswerStatus
from knowledge_service.content import service as content
from knowledge_service.content.schemas import ArticleDocument, Caller, Channel, Section
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.notes import badge_of, notes_for_articles
from knowledge_service.freshness.schemas import Badge, FreshnessNote, SearchResult
from knowledge_service.index.schemas import SearchHit, SearchRequest

FURTHER_RESULTS = 5
AGENT_SECTION_WORDS = ("agent",)


_OWNERS_STEPS = re.compile(
    r"(?::|,? then) verify it on its review page \(Verify\) or with "
    r"`knowledge-service articles verify [^`]*`(?: or edit `next_review`| once .+? has checked it)?"
    r"(?=\.)"
)
"""The steps a finding's message gives the article's owner (``freshness.rules``: verify it on
its review page or on the command line, or edit ``next_review``), up to the full stop after
them."""


def for_agents(message: str) -> str:
    """A finding's message as the assist card shows it to an agent: what is wrong, without the
    owner's steps to fix it (an agent cannot verify an article; the review pages, the API and
    the CLI keep the whole message)."""
    return _OWNERS_STEPS.sub("", message)


@dataclass
class AgentSection:
    """A section written for agents, shown in the agents' box with its sub-sections (which
    ``agent_details`` in the API carries too)."""

    section: Section
    subsections: list[Section] = field(default_factory=list)


@dataclass
class AnswerCard:
    """The answer card: the answer, the agents' details, citations, version and freshness."""

    result: AnswerResult
    badge: Badge
    agent_sections: list[AgentSection] = field(default_factory=list)
    other_sections: list[Section] = field(default_factory=list)


@dataclass
class OpenedArticle:
    """One of the other articles, opened from the list as the answer card shows an answer."""

    article_id: str
    version: int
    title: str
    answer: str
    badge: Badge
    notes: list[FreshnessNote]
    agent_sections: list[AgentSection]
    other_sections: list[Section]


@dataclass
class AssistView:
    question: str
    result: AnswerResult
    card: AnswerCard | None
    further: list[SearchResult]


def _names_agents(heading: str) -> bool:
    return any(word in heading.lower() for word in AGENT_SECTION_WORDS)


def group_sections(document: ArticleDocument) -> tuple[list[AgentSection], list[Section]]:
    """The article's sections written for agents ("Details for agents" and the like), each
    with its sub-sections (a ``### Escalation`` under ``## Details for agents`` is for agents
    too), and the rest of its sections."""
    for_agents: list[AgentSection] = []
    others: list[Section] = []
    for section in document.sections:
        if not any(_names_agents(heading) for heading in section.path):
            others.append(section)
            continue
        top = for_agents[-1].section.path if for_agents else None
        if top is not None and len(section.path) > len(top) and section.path[: len(top)] == top:
            for_agents[-1].subsections.append(section)
        else:
            for_agents.append(AgentSection(section))
    return for_agents, others


def split_sections(
    session: Session, article_id: str, version: int
) -> tuple[list[AgentSection], list[Section]]:
    """:func:`group_sections` of the stored article version."""
    return group_sections(content.get_article(session, article_id, version).to_document())


def build_view(
    session: Session,
    question: str,
    result: AnswerResult,
    search: Callable[[SearchRequest], list[SearchHit]],
    *,
    today: date,
) -> AssistView:
    """The card for ``result`` and the other articles the search found, one line each, their
    titles, snippets and notes cleaned as ``GET /v1/search`` gives them (the card's title is
    the answer's, cleaned the same way: a title's Markdown or HTML is no part of it)."""
    card = None
    if result.status == AnswerStatus.ANSWERED and result.article_id and result.version:
        for_agents, others = split_sections(session, result.article_id, result.version)
        card = AnswerCard(result, badge_of(result.freshness), for_agents, others)
    request = SearchRequest(query=question, top_k=FURTHER_RESULTS + 1)
    found = sanitise_search(
        freshness.search_with_freshness(session, search, request, today=today)
    ).results
    further = [hit for hit in found if hit.article_id != result.article_id][:FURTHER_RESULTS]
    return AssistView(question, result, card, further)


def open_article(
    session: Session, caller: Caller, article_id: str, version: int | None, *, today: date
) -> OpenedArticle:
    """The article version ``caller`` may read (an agent: published only; NotFoundError
    otherwise), its answer rendered for agents, its findings and its sections."""
    row = content.articles.read(session, caller, article_id, version).version
    document = row.to_document()
    for_agents, others = group_sections(document)
    notes = notes_for_articles(session, [article_id], today=today).get(article_id, [])
    answer = render_answer(document.answer, Channel.AGENT, content_hash=row.content_hash)
    return OpenedArticle(
        article_id,
        row.version,
        clean_title(document.title),
        answer,
        badge_of(notes),
        notes,
        for_agents,
        others,
    )


def log_answer(
    session: Session, question: str, result: AnswerResult, *, caller: str, started: float,
    call: str | None = None, log: AnswerLog | None = None,
) -> None:  # fmt: skip
    """Record the answer the page served, in the request's transaction, so that feedback on
    its receipt finds it at once. The entry is the one ``POST /v1/answer`` logs
    (:func:`~knowledge_service.analytics.recording.answer_event`); the agent's ``call``
    reference is its conversation id, kept as the pseudonym ``log``'s key gives it."""
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    event = answer_event(
        result, question, latency_ms=latency_ms, caller=caller, conversation_id=call
    )
    key = log.pseudonym_key if log is not None else None
    write_rows(session, [to_row(event, key)])


@dataclass
class Handoff:
    """What a bot had when it handed a conversation over, found by its receipt."""

    receipt: str
    event: AnswerEvent | None
    answered: bool = False


def find_handoff(session: Session, receipt: str, log: AnswerLog | None = None) -> Handoff:
    """The hand-off (an escalation or a no-answer) with ``receipt``, its question as stored
    (redacted). An answered receipt names an article version, which every customer given that
    answer shares: it is no hand-off, and its latest question may be another customer's, so it
    is not shown (``event`` None, ``answered`` True). A hand-off opened the moment a bot made it
    (a screen pop) is found through ``log`` (see :func:`~knowledge_service.analytics.service.
    served_event`)."""
    event = analytics.served_event(session, receipt, log)
    if event is not None and event.status == "answered":
        return Handoff(receipt, None, answered=True)
    return Handoff(receipt, event)
