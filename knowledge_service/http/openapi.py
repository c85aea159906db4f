"""Post-processing of the generated OpenAPI document.

FastAPI documents request validation errors as ``422 HTTPValidationError``; this service
answers them with ``400`` problem+json instead, refuses a compressed request body with ``415``,
and every error body is ``application/problem+json``. These functions make the document say so.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from knowledge_service.http.errors import PROBLEM_MEDIA_TYPE, problem_responses

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _fix_operation(operation: dict[str, Any], problem_ref: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    auto_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
    if "HTTPValidationError" in str(auto_422.get("schema", "")):
        del responses["422"]
    if operation.get("parameters") or operation.get("requestBody"):
        responses.setdefault("400", _resolved(400))
    if operation.get("requestBody"):  # a compressed body is refused by middleware, on every one
        responses.setdefault("415", _resolved(415))
    for status, response in responses.items():
        if not status.isdigit() or int(status) < 400:
            continue
        content = response.setdefault("content", {})
        plain = content.pop("application/json", None)
        target = content.setdefault(PROBLEM_MEDIA_TYPE, {})
        target["schema"] = problem_ref
        if plain and "example" in plain:
            target.setdefault("example", plain["example"])


def _resolved(status: int) -> dict[str, Any]:
    entry = problem_responses(status)[status]
    return {"description": entry["description"], "content": entry["content"]}


def finalize_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite error responses as problem+json, replace FastAPI's 422 with 400 (in place)."""
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in document.get("paths", {}).values():
        for method in _METHODS:
            if method in path_item:
                _fix_operation(path_item[method], problem_ref)
    schemas = document.get("components", {}).get("schemas", {})
    text = str(document.get("paths", {}))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        if name in schemas and f"#/components/schemas/{name}'" not in text:
            del schemas[name]
    return document


def install_openapi(app: FastAPI) -> None:
    """Make ``app`` serve its OpenAPI document finished by :func:`finalize_openapi` (built once)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finalize_openapi(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
