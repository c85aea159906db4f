"""One router module per resource; :data:`ROUTERS` is what ``create_app`` includes."""

from __future__ import annotations

from fastapi import APIRouter

from knowledge_service.api.routers import answers, documents, findings, health, search
from knowledge_service.api.routers import audit as audit_routes
from knowledge_service.api.routers import review as review_routes

ROUTERS: list[APIRouter] = [
    health.router,
    answers.router,
    search.router,
    documents.articles,
    documents.policies,
    findings.router,
    review_routes.router,
    audit_routes.router,
]
