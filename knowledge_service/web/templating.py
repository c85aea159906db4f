"""Jinja2 templates (autoescaped) and the page response every route returns."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from knowledge_service import __version__
from knowledge_service.analytics.schemas import Rates
from knowledge_service.analytics.service import exact_rate
from knowledge_service.answers.render import markdown_to_plain, markdown_to_safe_html
from knowledge_service.answers.sanitise import clean_title
from knowledge_service.answers.schemas import AnswerReason
from knowledge_service.content.plaintext import plain_title
from knowledge_service.web.assist_view import for_agents
from knowledge_service.web.auth import CSRF_FIELD, WebUser
from knowledge_service.web.pages import pages_for

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
NO_STORE = {"Cache-Control": "no-store"}


def _markdown(text: str | None) -> Markup:
    """Markdown as sanitised HTML (nh3 allow-list): the only way article text reaches a page."""
    return Markup(markdown_to_safe_html(text or ""))


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _code_spans(text: str | None) -> Markup:
    """A finding's message with its `command` spans (the steps it gives the owner) as code: the
    review page showed their backticks as they are; the rest of the text is escaped."""
    escaped = str(escape(text or ""))
    return Markup(_CODE_SPAN.sub(r'<code class="mono">\1</code>', escaped))


REASON_WORDS: dict[str, str] = {
    AnswerReason.AT_RISK: "the message says someone may be at risk of harm",
    AnswerReason.HUMAN_REQUESTED: "the customer asked for a person",
    AnswerReason.CONFIDENT: "the answer was confident enough for this channel",
    AnswerReason.LOW_CONFIDENCE: "the match was not confident enough for this channel",
    AnswerReason.BLOCKED: "the best article has a blocking finding, so a person must check it",
    AnswerReason.NOT_ON_CHANNEL: "the best article is not served on this channel",
    AnswerReason.NO_ARTICLE: "no article answers this question confidently",
    AnswerReason.LOCALE_UNAVAILABLE: "no article is written for the asked locale",
}
"""An answer's ``reason`` in words, for the pages (every reason has its words)."""


def _reason_words(reason: object) -> str:
    return REASON_WORDS.get(str(reason), str(reason))


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _rate(rates: Rates, name: str) -> str:
    """The rate ``name`` of ``rates`` as a percentage, from its counts: the 4-place rate would
    be rounded twice (0.0345, from 1 of 29, showed 3.5% for 3.4%)."""
    return _percent(exact_rate(rates, name))


def _trend(change: float | None) -> str:
    """A rate's change between the period's halves, in percentage points; None (a half with no
    answers, so nothing to compare) says so instead of a number."""
    return "no trend yet" if change is None else f"{change * 100:+.1f} pts"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = _markdown
    env.filters["percent"] = _percent
    env.filters["rate"] = _rate
    env.filters["trend"] = _trend
    env.filters["plain"] = markdown_to_plain
    env.filters["words"] = plain_title  # a heading's words, without its Markdown
    env.filters["doc_title"] = clean_title  # a title as search and the queue give it, no Markdown
    env.filters["reason_words"] = _reason_words
    env.filters["for_agents"] = for_agents
    env.filters["code_spans"] = _code_spans
    # tojson keeps a mapping's order (the charts' series in the order of the tables beside
    # them); Jinja sorts the keys by default
    env.policies["json.dumps_kwargs"] = {"sort_keys": False}
    env.globals["version"] = __version__
    env.globals["csrf_field"] = CSRF_FIELD
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render(
    request: Request,
    template: str,
    *,
    user: WebUser | None = None,
    status_code: int = 200,
    active: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page (or an htmx fragment) for ``user``; never cached, since pages show private data."""
    html = render_text(
        template,
        request=request,
        user=user,
        csrf=user.csrf if user else context.pop("csrf", ""),
        nav=pages_for(user.principal.role) if user else [],
        active=active,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)
