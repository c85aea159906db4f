"""One router module per resource; :data:`ROUTERS` is what ``create_app`` includes."""

from __future__ import annotations

from fastapi import APIRouter

from knowledge_service.api.routers import answers, articles, findings, health, policies, search

ROUTERS: list[APIRouter] = [
    health.router,
    answers.router,
    search.router,
    articles.router,
    policies.router,
    findings.router,
]
