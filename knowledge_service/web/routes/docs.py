"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served with vendored assets: no CDN.

``/docs`` is the project's own page around the vendored Swagger UI (``api_docs.html``): a
language, a title that names it, colours dark enough to read (``static/api-docs.css``) and its
start-up in ``static/api-docs.js``; ``/redoc`` likewise (``api_reference.html``: a language
and a main landmark). Both pages share their head in ``_api_page.html``. The vendored files are
left as shipped.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from knowledge_service.web.templating import render_text

VENDOR = "/ui/static/vendor"
TITLE = "knowledge-service"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    page = render_text("api_docs.html", title=f"API documentation (Swagger UI) · {TITLE}",
                       vendor=VENDOR)  # fmt: skip
    return HTMLResponse(page)


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    page = render_text("api_reference.html", title=f"API reference (ReDoc) · {TITLE}",
                       vendor=VENDOR)  # fmt: skip
    return HTMLResponse(page)
