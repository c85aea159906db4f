"""Which pages each role may use (pure data).

Agents get the assist sidebar; owners also the review page; leaders (team leads) the assist
sidebar and the insights page, which shows measures across every owner's articles, feedback
comments and demand, without the key management, edits and risk acceptances of an admin key.
Admins get every page. Bot keys never sign in to pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge_service.access.schemas import Role


class Page(StrEnum):
    ASSIST = "assist"
    REVIEW = "review"
    INSIGHTS = "insights"


@dataclass(frozen=True)
class PageInfo:
    page: Page
    path: str
    title: str
    purpose: str


PAGE_INFO: dict[Page, PageInfo] = {
    Page.ASSIST: PageInfo(
        Page.ASSIST, "/ui/assist", "Agent assist", "Answer a customer: search, copy, flag."
    ),
    Page.REVIEW: PageInfo(
        Page.REVIEW, "/ui/review", "Review", "Clear the findings on your articles."
    ),
    Page.INSIGHTS: PageInfo(
        Page.INSIGHTS, "/ui/insights", "Insights", "Answer rate, escalations, demand and gaps."
    ),
}

ROLE_PAGES: dict[Role, tuple[Page, ...]] = {
    Role.BOT: (),
    Role.AGENT: (Page.ASSIST,),
    Role.OWNER: (Page.ASSIST, Page.REVIEW),
    Role.LEADER: (Page.ASSIST, Page.INSIGHTS),
    Role.ADMIN: (Page.ASSIST, Page.REVIEW, Page.INSIGHTS),
}


def pages_for(role: Role) -> list[PageInfo]:
    """The pages ``role`` may use, in menu order."""
    return [PAGE_INFO[page] for page in ROLE_PAGES[role]]


def may_use(role: Role, page: Page) -> bool:
    return page in ROLE_PAGES[role]


def may_sign_in(role: Role) -> bool:
    """Bots call the API; only people sign in to pages."""
    return bool(ROLE_PAGES[role])
