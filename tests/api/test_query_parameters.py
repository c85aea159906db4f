"""Query strings of keyed routes (``/v1`` and ``/metrics``), whatever the method: a parameter the
route does not declare, or a repeated one that takes one value, is a 400 naming it
(``location: query``), as a POST body's unknown field is. They were ignored: a misspelt filter
(``chanel=voice``) searched every channel, of two values the last was taken, and a POST, PUT or
PATCH took none of them while the client believed it had set one."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient

from knowledge_service.http.errors import install_error_handlers
from tests.api.conftest import auth

PROBLEM = "application/problem+json"
RECEIPT = "rcpt_14a93dcc8baf2156b0dc6db211108b29"
PATH_VALUES = {
    "article_id": "refund-timeframe",
    "policy_id": "REFUNDS",
    "version": "1",
    "receipt": RECEIPT,
    "finding_id": "1",
    "table": "feedback",
}
MUTATIONS = ("post", "put", "patch", "delete")


def _problems(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith(":invalid-request")
    return [(e["location"], e["parameter"]) for e in body["errors"]]


def _v1_get_paths(client: TestClient) -> list[str]:
    paths = client.get("/openapi.json").json()["paths"]
    return [path for path, item in paths.items() if path.startswith("/v1/") and "get" in item]


def _concrete(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, path
    return path


def test_every_v1_get_route_refuses_an_undeclared_query_parameter(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Every route the OpenAPI document lists (a new one is covered without a list here)."""
    paths = _v1_get_paths(client)
    assert len(paths) >= 15 and "/v1/events" in paths and "/v1/search" in paths
    for path in paths:
        response = client.get(_concrete(path) + "?not_a_parameter=1", headers=auth(keys["admin"]))
        assert _problems(response) == [("query", "not_a_parameter")], path
        detail = response.json()["detail"]
        assert detail.startswith("query parameter 'not_a_parameter': is not a parameter"), detail


def test_every_v1_mutation_route_refuses_an_undeclared_query_parameter(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Every POST, PUT, PATCH and DELETE the OpenAPI document lists, before its body is read
    (none takes a query parameter; a new one is covered without a list here)."""
    paths = client.get("/openapi.json").json()["paths"]
    routes = [
        (method, path)
        for path, item in paths.items()
        if path.startswith("/v1")
        for method in MUTATIONS
        if method in item
    ]
    assert len(routes) >= 20 and ("post", "/v1/answer") in routes
    assert ("put", "/v1/articles/{article_id}") in routes
    assert ("patch", "/v1/findings/{finding_id}") in routes
    for method, path in routes:
        response = client.request(
            method.upper(),
            _concrete(path) + "?not_a_parameter=1",
            json={},
            headers=auth(keys["admin"]),
        )
        assert _problems(response) == [("query", "not_a_parameter")], (method, path)
        detail = response.json()["detail"]
        assert detail == (
            "query parameter 'not_a_parameter': is not a parameter of this route (it takes none)"
        )


def test_a_misspelt_parameter_on_a_post_is_named_not_ignored(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The body's channel would have been answered while the client believed it set voice."""
    response = client.post(
        "/v1/answer?chanel=voice",
        json={"q": "how long does a refund take", "channel": "chat"},
        headers=auth(keys["bot"]),
    )
    assert _problems(response) == [("query", "chanel")]


def test_a_refused_query_string_changes_nothing(client: TestClient, keys: dict[str, str]) -> None:
    """A PATCH with a query string is refused before it writes; without one it is served."""
    blocking = client.get("/v1/findings?severity=block", headers=auth(keys["admin"]))
    finding = blocking.json()["items"][0]["id"]
    url, body = f"/v1/findings/{finding}", {"status": "acknowledged"}
    refused = client.patch(url + "?note=seen", json=body, headers=auth(keys["admin"]))
    assert _problems(refused) == [("query", "note")]
    stored = client.get("/v1/findings?article_id=refund-timeframe", headers=auth(keys["admin"]))
    assert [f["status"] for f in stored.json()["items"] if f["id"] == finding] == ["open"]
    served = client.patch(url, json=body, headers=auth(keys["admin"]))
    assert (served.status_code, served.json()["status"]) == (200, "acknowledged")


def test_no_key_on_a_post_is_still_a_401_before_the_query_is_checked(client: TestClient) -> None:
    response = client.post("/v1/answer?chanel=voice", json={"q": "refund", "channel": "chat"})
    assert response.status_code == 401
    assert response.json()["type"].endswith(":unauthenticated")


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/v1/search?q=late+fee&as_of=2026-01-01", ["as_of"]),
        ("/v1/answer?q=late+fee&channel=chat&chanel=voice", ["chanel"]),
        ("/v1/articles?limit=5&stauts=draft&ownr=x", ["stauts", "ownr"]),
        ("/v1/findings?article=refund-timeframe", ["article"]),
        ("/v1/events?since=2026-01-01", ["since"]),
        ("/v1/articles/refund-timeframe?versoin=1", ["versoin"]),
        ("/v1/metrics/summary?start=2026-01-01", ["start"]),
        ("/metrics?format=json", ["format"]),
    ],
)
def test_each_unknown_parameter_is_named_with_its_location(
    client: TestClient, keys: dict[str, str], url: str, unknown: list[str]
) -> None:
    response = client.get(url, headers=auth(keys["admin"]))
    assert _problems(response) == [("query", name) for name in unknown]


def test_the_problem_lists_the_parameters_the_route_takes(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/search?q=x&chanel=voice", headers=auth(keys["agent"]))
    (error,) = response.json()["errors"]
    assert error["problem"] == (
        "is not a parameter of this route (it takes audience, channel, intent, locale, q, top_k)"
    )
    response = client.get("/v1/events?x=1", headers=auth(keys["admin"]))
    assert response.json()["errors"][0]["problem"] == (
        "is not a parameter of this route (it takes none)"
    )


@pytest.mark.parametrize(
    ("url", "repeated"),
    [
        ("/v1/search?q=a&q=b", "q"),
        ("/v1/answer?q=late+fee&channel=chat&channel=voice", "channel"),
        ("/v1/articles?limit=1&limit=2", "limit"),
        ("/v1/articles?status=draft&status=draft", "status"),
        ("/v1/metrics/summary?from=2026-01-01&from=2026-01-02", "from"),
    ],
)
def test_a_repeated_parameter_that_takes_one_value_is_refused(
    client: TestClient, keys: dict[str, str], url: str, repeated: str
) -> None:
    """The last value was taken silently (``q=a&q=b`` searched for b)."""
    response = client.get(url, headers=auth(keys["admin"]))
    assert _problems(response) == [("query", repeated)]
    assert response.json()["errors"][0]["problem"] == "is given 2 times; it takes one value"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/articles?limit=1&offset=0&status=published&owner=payments%40example.com",
        "/v1/articles/refund-timeframe?version=1",
        "/v1/findings?severity=block&status=open&article_id=refund-timeframe",
        "/v1/metrics/summary?from=2026-01-01&to=2026-01-07&channel=chat",
        "/v1/articles/refund-timeframe/diff?from=1&to=2",
        "/v1/audit?since=2026-01-01&limit=5",
        "/v1/articles?",
    ],
)
def test_declared_parameters_and_aliases_are_served(
    client: TestClient, keys: dict[str, str], url: str
) -> None:
    response = client.get(url, headers=auth(keys["admin"]))
    assert response.status_code == 200, response.text


def test_no_key_is_still_a_401_before_the_query_is_checked(client: TestClient) -> None:
    response = client.get("/v1/articles?not_a_parameter=1")
    assert response.status_code == 401
    assert response.json()["type"].endswith(":unauthenticated")


def test_an_undeclared_parameter_and_a_bad_value_are_both_400(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The undeclared parameter is named first (before the declared ones' values are read)."""
    response = client.get("/v1/articles?limit=0&lmit=5", headers=auth(keys["admin"]))
    assert _problems(response) == [("query", "lmit")]


@pytest.mark.parametrize(
    "url", ["/healthz?probe=1", "/readyz?probe=1", "/openapi.json?v=2", "/docs?x=1"]
)
def test_routes_outside_v1_keep_their_query_strings(client: TestClient, url: str) -> None:
    assert client.get(url).status_code in (200, 503)


def test_a_page_keeps_its_own_parameters(client: TestClient) -> None:
    response = client.get("/ui/login?next=/ui/review&utm_source=mail")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_a_long_unknown_name_is_shortened_and_at_most_ten_are_named(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A request line may hold thousands of names: the problem names no more than ten."""
    many = "&".join(f"p{i}=1" for i in range(500))
    response = client.get(f"/v1/articles?{'x' * 5000}=1&{many}", headers=auth(keys["admin"]))
    problems = _problems(response)
    assert len(problems) == 10
    assert problems[0] == ("query", "x" * 100 + "...")
    assert len(response.content) < 8000


def test_a_list_parameter_may_repeat() -> None:
    """Repeats are refused only for a parameter that takes one value (FastAPI's own rule)."""
    from knowledge_service.http.parameters import check_query

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/v1/probe", dependencies=[Depends(check_query)])
    def probe(
        tag: Annotated[list[str] | None, Query()] = None, one: int | None = None
    ) -> dict[str, object]:
        return {"tag": tag, "one": one}

    with TestClient(app) as client:
        assert client.get("/v1/probe?tag=a&tag=b&one=1").json() == {"tag": ["a", "b"], "one": 1}
        assert _problems(client.get("/v1/probe?one=1&one=2")) == [("query", "one")]
        assert _problems(client.get("/v1/probe?tags=a")) == [("query", "tags")]


NOT_UTF8 = "its {} is not valid UTF-8 (byte {}, once percent-decoded)"


@pytest.mark.parametrize(
    ("url", "parameter", "problem"),
    [
        ("/v1/search?q=%FF%FE", "q", NOT_UTF8.format("value", 0)),
        ("/v1/answer?q=late+fee+%C0%AF&channel=chat", "q", NOT_UTF8.format("value", 9)),
        ("/v1/review-queue?owner=pay%E9", "owner", NOT_UTF8.format("value", 3)),
        ("/v1/articles?st%FFatus=draft", "st\ufffdatus", NOT_UTF8.format("name", 2)),
    ],
)
def test_a_parameter_that_is_not_utf8_is_refused_naming_it(
    client: TestClient, keys: dict[str, str], url: str, parameter: str, problem: str
) -> None:
    """Starlette reads bytes that are no UTF-8 as U+FFFD: 'q=%FF%FE' was searched, answered and
    logged as two U+FFFD, and 'owner=pay%E9' listed the items of an owner no one is."""
    response = client.get(url, headers=auth(keys["admin"]))
    assert _problems(response) == [("query", parameter)]
    assert response.json()["errors"][0]["problem"] == problem


def test_utf8_in_a_parameter_is_served(client: TestClient, keys: dict[str, str]) -> None:
    """Any UTF-8, U+FFFD itself included, is text."""
    for owner in ("caf%C3%A9", "%EF%BF%BD+x", "x+%F0%9F%98%80", "x%2Bpayments%40example.com"):
        response = client.get(f"/v1/articles?owner={owner}", headers=auth(keys["admin"]))
        assert response.status_code == 200, response.text
