"""The answer text a channel gets from an article: the lead for everyone, and for agents the
article's "details for agents" sections too (the customer's version leaves agents short)."""

from __future__ import annotations

from knowledge_service.answers.render import render_answer
from knowledge_service.content.schemas import ArticleDocument, Channel

AGENT_DETAILS_HEADING = "details for agents"
"""The heading (any case, any level) of the part of an article written for agents only."""


def agent_markdown(doc: ArticleDocument) -> str:
    """The answer an agent gets: the lead, then the article's "details for agents" sections
    (with their sub-sections, verbatim), so the agent is not left with the customer's version."""
    parts = [doc.answer.strip()]
    for section in doc.sections:
        if any(heading.strip().lower() == AGENT_DETAILS_HEADING for heading in section.path):
            parts.append(doc.body[section.start : section.end].strip())
    return "\n\n".join(p for p in parts if p)


def answer_text(doc: ArticleDocument, channel: Channel) -> str:
    """The article's answer as ``channel`` receives it (rendered and sanitised)."""
    markdown = agent_markdown(doc) if channel == Channel.AGENT else doc.answer
    return render_answer(markdown, channel)
