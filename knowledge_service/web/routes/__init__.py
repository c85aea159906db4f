"""One router module per page; :data:`ROUTERS` is what :func:`~knowledge_service.web.install_web`
includes."""

from __future__ import annotations

from fastapi import APIRouter

from knowledge_service.web.routes import assist, auth, docs, insights, review

ROUTERS: list[APIRouter] = [
    auth.router,
    assist.router,
    review.router,
    insights.router,
    docs.router,
]
