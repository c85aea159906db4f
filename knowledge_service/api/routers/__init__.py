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
from knowledge_service.api.routers import audit as audit_routes
from knowledge_service.api.routers import review as review_routes

ROUTERS: list[APIRouter] = [
    health.router,
    answers.router,
    search.router,
    documents.articles,
    documents.policies,
    findings.router,
    analytics.router,
    *(workflow.articles, workflow.policies),
    review_routes.router,
    audit_routes.router,
]
