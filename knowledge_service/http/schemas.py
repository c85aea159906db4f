"""Response shapes shared by every router: problems, pages, health."""

from __future__ import annotations

from typing import Generic, TypeVar

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


def json_response(model: BaseModel, status_code: int = 200, *, by_alias: bool = False) -> Response:
    """``model`` as ``application/json``, serialised once.

    Hot routes return this instead of the model: FastAPI would first dump the model and
    validate it again against the route's ``response_model`` (which stays declared for the
    OpenAPI document) before serialising it, tripling the work for a model that is already
    valid.
    """
    return Response(
        content=model.model_dump_json(by_alias=by_alias),
        media_type="application/json",
        status_code=status_code,
    )


class ParameterProblem(BaseModel):
    """One invalid request parameter."""

    location: str = Field(
        description="Where it was sent: query, path, header, body (or request when unknown)."
    )
    parameter: str = Field(description="The parameter's name (a dotted path inside a body).")
    problem: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """An RFC 9457 problem: the body of every error (``application/problem+json``)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:knowledge-service:problem:not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "article 'refund-timeframe' does not exist",
                    "instance": "/v1/articles/refund-timeframe",
                }
            ]
        },
    )

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, for a human.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[ParameterProblem] | None = Field(
        default=None, description="For invalid requests: each parameter that was wrong."
    )
    state: str | None = Field(
        default=None, description="For an invalid transition (409): the document's state."
    )
    allowed_actions: list[str] | None = Field(
        default=None,
        description="For an invalid transition (409): what the caller may do in that state.",
    )
    current_version: int | None = Field(
        default=None, description="For a stale If-Match (412): the current version."
    )
    current_etag: str | None = Field(
        default=None, description="For a stale If-Match (412): the current version's ETag."
    )


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="How many items match, on all pages.")
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[T], *, limit: int, offset: int) -> Page[T]:
        """The page of ``items`` (every match, in order) that ``limit`` and ``offset`` select."""
        return cls(
            items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset
        )


class Health(BaseModel):
    """Liveness."""

    status: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])


class Readiness(BaseModel):
    """Readiness: the search index reflects every article version in the store."""

    status: str = Field(examples=["ready"])
    index_watermark: int = Field(description="The last store version the index holds.")
    store_watermark: int = Field(description="The last article version in the store.")
