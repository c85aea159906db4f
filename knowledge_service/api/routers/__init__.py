"""One router module per resource; :data:`ROUTERS` is what ``create_app`` includes."""

from __future__ import annotations

from fastapi import APIRouter

from knowledge_service.api.routers import (
    analytics,
    answers,
    documents,
    findings,
    health,
    search,
    workflow,
)

ROUTERS: list[APIRouter] = [
    health.router,
    answers.router,
    search.router,
    documents.articles,
    documents.policies,
    findings.router,
    analytics.router,
    *(workflow.articles, workflow.policies),
]
