"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served with vendored assets: no CDN.

``/docs`` is the project's own page around the vendored Swagger UI (``api_docs.html``): a
language, a title that names it, colours dark enough to read (``static/api-docs.css``) and its
start-up in ``static/api-docs.js``; the vendored files are left as shipped.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html
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
    return get_redoc_html(
        openapi_url="/openapi.json",
        title=f"{TITLE} – API reference",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{VENDOR}/swagger-ui-dist/favicon-32x32.png",
        with_google_fonts=False,
    )
