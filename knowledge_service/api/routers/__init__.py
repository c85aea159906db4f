"""One router module per resource; ``create_app`` includes :data:`PROBES` as they are and every
router of :data:`KEYED_ROUTERS` (whose routes all need an API key) with the checks they share."""

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

PROBES: list[APIRouter] = [health.router]
"""Liveness and readiness: no key, and whatever query string a load balancer sends."""
KEYED_ROUTERS: list[APIRouter] = [
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
ROUTERS: list[APIRouter] = [*PROBES, *KEYED_ROUTERS]
