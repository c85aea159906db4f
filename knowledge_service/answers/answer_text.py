"""What agents get beside the answer: the article's "details for agents" sections.

The answer itself stays the article's lead on every channel (an agent copies it to the
customer); the details travel in their own field, so nothing written for agents is ever sent on
by copying the answer.
"""

from __future__ import annotations

from knowledge_service.answers.render import render_answer
from knowledge_service.content.schemas import ArticleDocument, Channel

AGENT_DETAILS_HEADING = "details for agents"
"""The heading (any case, any level) of the part of an article written for agents only."""


def agent_markdown(doc: ArticleDocument) -> str:
    """The article's "details for agents" sections with their sub-sections, verbatim ("" when
    it has none)."""
    parts = [
        doc.body[section.start : section.end].strip()
        for section in doc.sections
        if any(heading.strip().lower() == AGENT_DETAILS_HEADING for heading in section.path)
    ]
    return "\n\n".join(p for p in parts if p)


def agent_details(doc: ArticleDocument, channel: Channel) -> str | None:
    """The details for agents as ``channel`` gets them: rendered for the agent channel, None for
    every other channel and for an article without them."""
    if channel != Channel.AGENT:
        return None
    markdown = agent_markdown(doc)
    return render_answer(markdown, channel) if markdown else None
