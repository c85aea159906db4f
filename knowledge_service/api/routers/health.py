"""Liveness and readiness probes (no API key); each answers HEAD too (load balancers probe with
it): the same status and headers, no body (the server sends none for HEAD). HEAD is left out of
the OpenAPI document, like every route's implicit HEAD elsewhere."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from knowledge_service import __version__
from knowledge_service.http.deps import SearchServiceDep
from knowledge_service.http.errors import problem_response, problem_responses
from knowledge_service.http.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process is up")
async def healthz() -> Health:
    """Always 200 while the process serves requests. Answered on the event loop (``async``,
    nothing blocking): a sync route waits for a worker thread, and under load (200 concurrent
    clients on one worker) liveness took 1.5 to 2 s queueing behind the store and the model,
    long enough for a load balancer to restart a busy but healthy replica."""
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    summary="Readiness: the index reflects the store",
    response_model=Readiness,
    responses=problem_responses(503),
)
def readyz(request: Request, search_service: SearchServiceDep) -> JSONResponse | Readiness:
    """200 when the search index holds every article version in the store, 503 otherwise. It
    reads the store's watermark in a worker thread like every other store read, so a replica
    whose threads are all busy answers it late: routing waits, liveness does not."""
    status = search_service.status()
    if not status.is_current:
        detail = (
            f"the index holds store version {status.index_watermark} and is still opening "
            "(loading and warming up)"
            if status.index_watermark == status.store_watermark
            else f"the index is at store version {status.index_watermark}, "
            f"the store at {status.store_watermark}"
        )
        return problem_response(
            request,
            503,
            detail,
            slug="index-not-ready",
            title="Index not ready",
            index_watermark=status.index_watermark,
            store_watermark=status.store_watermark,
        )
    return Readiness(
        status="ready",
        index_watermark=status.index_watermark,
        store_watermark=status.store_watermark,
    )


router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)
router.add_api_route(
    "/readyz", readyz, methods=["HEAD"], response_model=Readiness, include_in_schema=False
)
