"""A request body sent with a ``Content-Encoding`` other than ``identity`` is a 415: no route
inflates a compressed body, and reading one as if it were plain parsed gzip bytes as JSON (or,
labelled gzip but sent plain, accepted it)."""

from __future__ import annotations

import gzip
import json

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth

PROBLEM = "application/problem+json"
ANSWER = {"q": "late fee", "channel": "chat"}
RECEIPT = "rcpt_14a93dcc8baf2156b0dc6db211108b29"


def _json(body: object) -> bytes:
    return json.dumps(body).encode()


BODY_ROUTES = [
    ("POST", "/v1/answer", ANSWER),
    ("POST", "/v1/feedback", {"receipt": RECEIPT, "rating": "unclear"}),
    ("PATCH", "/v1/findings/1", {"status": "acknowledged"}),
    ("POST", "/v1/findings/1/risk-acceptances", {"reason": "x", "expires_on": "2030-01-01"}),
    ("POST", "/v1/articles", {"text": "---\nid: x\n---\n"}),
    ("PUT", "/v1/articles/refund-timeframe", {"text": "---\nid: x\n---\n"}),
    ("POST", "/v1/articles/refund-timeframe/submit", {}),
    ("POST", "/v1/articles:bulk-verify", {"items": []}),
]


@pytest.mark.parametrize(("method", "path", "body"), BODY_ROUTES)
@pytest.mark.parametrize("compressed", [True, False], ids=["gzipped", "labelled-only"])
def test_a_gzip_body_is_a_415_problem_on_every_body_route(
    client: TestClient, keys: dict[str, str], method: str, path: str, body: object,
    compressed: bool,
) -> None:  # fmt: skip
    raw = _json(body)
    headers = {
        **auth(keys["admin"]), "Content-Type": "application/json", "Content-Encoding": "gzip",
        "If-Match": '"refund-timeframe-v2"',
    }  # fmt: skip
    response = client.request(
        method, path, content=gzip.compress(raw) if compressed else raw, headers=headers
    )
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["accept-encoding"] == "identity"
    problem = response.json()
    assert problem["type"].endswith(":unsupported-content-encoding")
    assert problem["detail"] == (
        "Content-Encoding gzip is not supported; send the body uncompressed"
    )
    assert problem["instance"] == path


@pytest.mark.parametrize("encoding", ["deflate", "br", "zstd", "GZIP", "identity, gzip"])
def test_any_encoding_but_identity_is_refused(
    client: TestClient, keys: dict[str, str], encoding: str
) -> None:
    headers = {
        **auth(keys["agent"]),
        "Content-Type": "application/json",
        "Content-Encoding": encoding,
    }
    response = client.post("/v1/answer", content=_json(ANSWER), headers=headers)
    assert response.status_code == 415, response.text
    assert encoding.split(", ")[-1] in response.json()["detail"]


@pytest.mark.parametrize("encoding", ["identity", "IDENTITY", ""])
def test_identity_is_read_as_before(
    client: TestClient, keys: dict[str, str], encoding: str
) -> None:
    """The unknown receipt's 404 shows the body was read."""
    headers = {
        **auth(keys["agent"]),
        "Content-Type": "application/json",
        "Content-Encoding": encoding,
    }
    body = {"receipt": RECEIPT, "rating": "unclear"}
    response = client.post("/v1/feedback", content=_json(body), headers=headers)
    assert response.status_code == 404, response.text


def test_a_get_with_a_content_encoding_header_is_served(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A GET reads no body: the header changes nothing."""
    headers = {**auth(keys["agent"]), "Content-Encoding": "gzip"}
    assert client.get("/v1/articles", headers=headers).status_code == 200


def test_the_415_comes_before_the_size_limit_and_the_key(client: TestClient) -> None:
    """Like a body over the limit (413), it is refused before the route runs."""
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    response = client.post("/v1/answer", content=b"x" * (70 * 1024), headers=headers)
    assert response.status_code == 415


def test_a_form_posted_gzipped_to_a_page_is_refused_as_a_page(client: TestClient) -> None:
    headers = {
        "Content-Encoding": "gzip", "Content-Type": "application/x-www-form-urlencoded",
    }  # fmt: skip
    response = client.post(
        "/ui/login", content=gzip.compress(b"name=x&key=y"), headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("text/html")
    assert "send the body uncompressed" in response.text


def test_openapi_documents_the_415_on_every_operation_with_a_body(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    with_body = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 10
    for path, method, operation in with_body:
        assert list(operation["responses"]["415"]["content"]) == [PROBLEM], (path, method)
