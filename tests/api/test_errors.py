"""Every error is RFC 9457 problem+json: validation (400), unknown routes (404), 405 and 413."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError

from knowledge_service.api.routers.analytics import DATE_PATTERN
from knowledge_service.errors import (
    AuthenticationError,
    ConflictError,
    IndexNotReadyError,
    InvalidContentError,
    InvalidRequestError,
    KnowledgeServiceError,
    NotFoundError,
    PermissionDeniedError,
)
from knowledge_service.http import errors as api_errors
from knowledge_service.http.deps import MAX_BODY_BYTES
from tests.api.conftest import auth
from tests.factories import article_text

PROBLEM = "application/problem+json"


def _assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:knowledge-service:problem:")
    assert body["title"] and body["detail"] and body["instance"]
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "location", "parameter"),
    [
        ("/v1/articles?limit=101", "query", "limit"),
        ("/v1/articles?limit=0", "query", "limit"),
        ("/v1/articles?limit=ten", "query", "limit"),
        ("/v1/articles?offset=-1", "query", "offset"),
        ("/v1/articles?status=gone", "query", "status"),
        ("/v1/articles?intent=Not%20An%20Intent", "query", "intent"),
        ("/v1/articles?owner=" + "x" * 201, "query", "owner"),
        # a blank filter is an error, never an empty list
        ("/v1/articles?owner=", "query", "owner"),
        ("/v1/articles?owner=%20%20", "query", "owner"),
        # invisible characters only (a zero-width space, a byte order mark): blank to a reader
        ("/v1/articles?owner=%E2%80%8B", "query", "owner"),
        ("/v1/articles?owner=%EF%BB%BF%20%E2%80%8B", "query", "owner"),
        ("/v1/audit?actor=%20%20", "query", "actor"),
        ("/v1/audit?object_id=%20", "query", "object_id"),
        # the audit log's filters likewise (a zero-width space, a word joiner, a soft hyphen)
        ("/v1/audit?actor=%E2%80%8B", "query", "actor"),
        ("/v1/audit?object_type=policy&object_id=%E2%81%A0%C2%AD", "query", "object_id"),
        ("/v1/articles/Bad%20Id", "path", "article_id"),
        ("/v1/articles/" + "a" * 121, "path", "article_id"),
        ("/v1/articles/refund-timeframe/versions/0", "path", "version"),
        ("/v1/articles/refund-timeframe/versions/99999999999", "path", "version"),
        ("/v1/policies/lowercase", "path", "policy_id"),
        ("/v1/findings?severity=fatal", "query", "severity"),
    ],
)
def test_invalid_parameters_are_400_problems_naming_the_parameter(
    client: TestClient, keys: dict[str, str], path: str, location: str, parameter: str
) -> None:
    body = _assert_problem(client.get(path, headers=auth(keys["admin"])), 400)
    assert body["type"].endswith(":invalid-request")
    assert {"location": location, "parameter": parameter} == {
        k: v for k, v in body["errors"][0].items() if k != "problem"
    }
    assert parameter in body["detail"]


@pytest.mark.parametrize(
    ("path", "parameter", "refused"),
    [
        ("/v1/articles", "owner", ["  ", "\u200b", " \ufeff\u2060"]),
        ("/v1/review-queue", "owner", ["  ", "\u200b", " \ufeff\u2060"]),
        ("/v1/audit", "actor", ["  ", "\u200b", " \ufeff\u2060"]),
        ("/v1/audit", "object_id", ["  ", "\u200b", " \ufeff\u2060"]),
    ],
)
def test_a_filter_refused_when_blank_says_so_in_the_api_document(
    client: TestClient, path: str, parameter: str, refused: list[str]
) -> None:
    """A blank filter is a 400, so the document says the value holds a character other than
    white space: a client generating requests from it (schemathesis did) sent "  " as valid;
    a filter of invisible characters only ("\u200b") is a 400 too, and so refused."""
    operation = client.get("/openapi.json").json()["paths"][path]["get"]
    (schema,) = [p["schema"] for p in operation["parameters"] if p["name"] == parameter]
    for value in refused:
        assert re.search(schema["pattern"], value) is None, value
    assert re.search(schema["pattern"], "support@example.com")


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def test_every_pattern_in_the_api_document_is_one_ecma_262_reads(client: TestClient) -> None:
    """The document's patterns are ECMA-262 regular expressions (JSON Schema's): the owner
    filters' pattern wrote the tag characters as Python does (a capital U escape), which
    ECMA-262 reads as the letter U without its u flag and refuses with it, so a client
    validating with the document would refuse every owner or fail to compile it."""
    patterns = _patterns(client.get("/openapi.json").json())
    assert patterns
    python_only = re.compile(r"\\U|\\[AZz]|\(\?P|\(\?[aiLmsux]+\)|\\N\{")
    assert [p for p in patterns if python_only.search(p)] == []


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    body = _assert_problem(client.get("/v2/nothing"), 404)
    assert "/v2/nothing" in body["detail"]


def test_wrong_method_is_a_405_problem(client: TestClient, keys: dict[str, str]) -> None:
    response = client.delete("/v1/articles", headers=auth(keys["admin"]))
    _assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_declared_oversized_body_is_a_413_problem(client: TestClient) -> None:
    response = client.post("/v1/articles", content=b"x" * (MAX_BODY_BYTES + 1))
    body = _assert_problem(response, 413)
    assert body["type"].endswith(":payload-too-large")


def test_streamed_oversized_body_is_a_413_problem(app: FastAPI) -> None:
    """A chunked body without Content-Length is counted as it is read."""

    @app.post("/echo-size")
    async def echo_size(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    def chunks(total: int) -> Iterator[bytes]:
        for _ in range(total // 1024):
            yield b"x" * 1024

    with TestClient(app) as client:
        assert client.post("/echo-size", content=chunks(4096)).json() == {"size": 4096}
        _assert_problem(client.post("/echo-size", content=chunks(MAX_BODY_BYTES + 1024)), 413)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFoundError("article", "x"), 404),
        (ConflictError("stale version"), 409),
        (InvalidContentError("a.md", "bad date", line=3, field="next_review"), 422),
        (InvalidRequestError("q", "too long"), 400),
        (AuthenticationError("no key"), 401),
        (PermissionDeniedError("no"), 403),
        (IndexNotReadyError("behind"), 503),
    ],
)
def test_each_domain_error_maps_to_one_status(
    app: FastAPI, error: KnowledgeServiceError, status: int
) -> None:
    assert api_errors.status_of(error)[0] == status

    @app.get("/raise")
    def raise_it() -> None:
        raise error

    with TestClient(app) as client:
        body = _assert_problem(client.get("/raise"), status)
    # a parameter's problem says where it was sent (here a name the route does not declare)
    where = "request " if isinstance(error, InvalidRequestError) else ""
    assert body["detail"] == where + error.message


def test_unexpected_errors_are_logged_500_problems(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = _assert_problem(client.get("/boom"), 500)
    assert "secret internals" not in body["detail"]


def test_openapi_documents_problems_not_fastapi_422(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "Problem" in schemas
    for path, item in document["paths"].items():
        for operation in item.values():
            # A 422 is documented only where a document's text is written (the content contract,
            # InvalidContentError), and as a problem like every other error (checked below).
            if "422" in operation["responses"]:
                assert path.startswith(("/v1/articles", "/v1/policies")), path
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM], (path, status)
                    example = response["content"][PROBLEM]["example"]["type"]
                    assert example.rsplit(":", 1)[1] in SENT, (path, status, example)
    # the fields the contract documents for an invalid transition and a stale If-Match
    fields = set(schemas["Problem"]["properties"])
    assert {"state", "allowed_actions", "current_version", "current_etag"} <= fields


SENT = {slug for _, slug, _ in api_errors.ERROR_STATUS.values()} | {
    "method-not-allowed", "unsupported-content-encoding"
}  # fmt: skip
"""The problem types the server sends (an OpenAPI example must show one of them)."""


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("UPDATE", {}, psycopg.errors.SerializationFailure("conflict")), 503),
        (OperationalError("SELECT", {}, psycopg.errors.DeadlockDetected("deadlock")), 503),
        (OperationalError("SELECT", {}, psycopg.errors.AdminShutdown("restarting")), 503),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")), 503),
        (IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")), 500),
        (OperationalError(None, None, psycopg.OperationalError("connection failed")), 503),
        (InterfaceError(None, None, psycopg.InterfaceError("the connection is closed")), 503),
        (ProgrammingError("SELECT", {}, psycopg.ProgrammingError("bad query")), 500),
        (OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")), 500),
    ],
    ids=[
        "serialization",
        "deadlock",
        "shutdown",
        "sqlite-locked",
        "integrity",
        "connect-failed",
        "connection-closed",
        "programming",
        "sqlite-no-table",
    ],
)
def test_transient_store_errors_are_503_problems_to_retry(
    app: FastAPI, error: Exception, status: int
) -> None:
    @app.get("/store")
    def store_error() -> None:
        raise error

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/store")
        body = _assert_problem(response, status)
    assert "UPDATE" not in body["detail"] and "duplicate" not in body["detail"]
    assert (response.headers.get("Retry-After") == "1") == (status == 503)


# Every date and time query parameter, with a day at either end of the calendar: a zone
# offset or a range's arithmetic (a week before `to`, the day after it) would leave the
# calendar there, so each is refused as a 400 naming it instead of failing with a 500.
DATE_PARAMETERS = {
    ("/v1/metrics/summary", "from"): {},
    ("/v1/metrics/summary", "to"): {},
    ("/v1/metrics/gaps", "from"): {},
    ("/v1/metrics/gaps", "to"): {},
    ("/v1/audit", "since"): {},
    ("/v1/audit", "until"): {},
    ("/v1/answer", "as_of"): {"q": "refund", "channel": "chat"},
    ("/v1/export/{table}", "since"): {},
}
CONCRETE = {"/v1/export/{table}": "/v1/export/feedback"}
"""The address asked for a templated path."""
EDGE_DAYS = ["9999-12-30", "0001-01-03"]
EDGE_INSTANTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-10:00"]  # days only: refused
EDGE_CASES = [
    (path, parameter, value)
    for path, parameter in DATE_PARAMETERS
    for value in EDGE_DAYS + ([] if parameter in ("from", "to") else EDGE_INSTANTS)
]


@pytest.mark.parametrize(("path", "parameter", "value"), EDGE_CASES)
def test_dates_at_the_calendars_ends_are_400_problems_naming_the_parameter(
    client: TestClient, keys: dict[str, str], path: str, parameter: str, value: str
) -> None:
    params = {**DATE_PARAMETERS[(path, parameter)], parameter: value}
    response = client.get(CONCRETE.get(path, path), params=params, headers=auth(keys["admin"]))
    body = _assert_problem(response, 400)
    assert [(e["location"], e["parameter"]) for e in body["errors"]] == [("query", parameter)]
    assert "between 1900-01-01 and 9998-12-31" in body["errors"][0]["problem"]


@pytest.mark.parametrize(
    "params",
    [{"from": "1900-01-01", "to": "1900-01-01"}, {"to": "1900-01-01"}, {"to": "9998-12-31"}],
)
def test_ranges_at_the_first_and_last_supported_days_are_served(
    client: TestClient, keys: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/v1/metrics/summary", params=params, headers=auth(keys["admin"]))
    assert response.status_code == 200, response.text
    assert response.json()["to"] == params["to"]


def test_as_of_in_a_body_at_the_calendars_start_is_a_400_problem(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = {"q": "refund", "channel": "chat", "as_of": "0001-01-01T00:00:00+14:00"}
    response = client.post("/v1/answer", json=body, headers=auth(keys["admin"]))
    problem = _assert_problem(response, 400)
    assert [(e["location"], e["parameter"]) for e in problem["errors"]] == [("body", "as_of")]


def test_every_date_query_parameter_is_bounded(client: TestClient) -> None:
    """A new date or time parameter must join DATE_PARAMETERS (and carry ``SupportedDay``)."""
    found = set()
    for path, item in client.get("/openapi.json").json()["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                schemas = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
                if any(
                    s.get("format") in ("date", "date-time") or s.get("pattern") == DATE_PATTERN
                    for s in schemas
                ):
                    found.add((path, parameter["name"]))
    assert found == set(DATE_PARAMETERS)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b'{"receipt": "rcpt_aaaaaaaa", "rating": ',
            "is not valid JSON: Expecting value at character 39",
        ),
        (
            b'{"receipt": "rcpt_aaaaaaaa",, }',
            "is not valid JSON: Expecting property name enclosed in double quotes at character 28",
        ),
        (b'{"receipt": "\xff\xfe"}', "is not valid UTF-8 (byte 13)"),
        (
            b'{"receipt": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            "is nested too deeply (arrays or objects inside one another) to be read",
        ),
        (b'{"receipt": ' + b"9" * 5000 + b"}", "holds a number with more than 4300 digits"),
        (
            '{"receipt": "rcpt_aaaaaaaa", "rating": "helpful"}'.encode("utf-16"),
            "is not valid UTF-8 (it is UTF-16): send the JSON in UTF-8",
        ),
        (
            '{"receipt": "rcpt_aaaaaaaa", "rating": "helpful"}'.encode("utf-16-le"),
            "is not valid UTF-8 (it is UTF-16-LE): send the JSON in UTF-8",
        ),
        (
            '{"receipt": "rcpt_aaaaaaaa", "rating": "helpful"}'.encode("utf-32-be"),
            "is not valid UTF-8 (it is UTF-32-BE): send the JSON in UTF-8",
        ),
    ],
    ids=[
        "truncated",
        "double-comma",
        "not-utf-8",
        "nested-too-deep",
        "number-too-long",
        "utf-16",
        "utf-16-le",
        "utf-32-be",
    ],
)
def test_an_unreadable_body_is_a_400_naming_the_body_and_where(
    client: TestClient, keys: dict[str, str], body: bytes, problem: str
) -> None:
    headers = {**auth(keys["agent"]), "Content-Type": "application/json"}
    response = client.post("/v1/feedback", content=body, headers=headers)
    problem_body = _assert_problem(response, 400)
    assert problem_body["errors"] == [{"location": "body", "parameter": "body", "problem": problem}]
    assert problem_body["detail"] == f"body parameter 'body': {problem}"


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        ("text/plain", b'{"q": "late fee", "channel": "chat"}',
         "a JSON body is expected (Content-Type: application/json), not text/plain"),
        ("application/x-www-form-urlencoded", b"q=late+fee&channel=chat",
         "a JSON body is expected (Content-Type: application/json), not "
         "application/x-www-form-urlencoded"),
        ("application/json", b'"late fee"', "a JSON object is expected, not a string"),
        ("application/json", b'["late fee"]', "a JSON object is expected, not an array"),
    ],
    ids=["text-plain", "form", "json-string", "json-array"],
)  # fmt: skip
def test_a_body_that_is_no_json_object_says_a_json_object_is_expected(
    client: TestClient, keys: dict[str, str], content_type: str, body: bytes, problem: str
) -> None:
    headers = {**auth(keys["agent"]), "Content-Type": content_type}
    for path in ("/v1/answer", "/v1/feedback"):
        response = client.post(path, content=body, headers=headers)
        problem_body = _assert_problem(response, 400)
        assert problem_body["errors"] == [
            {"location": "body", "parameter": "body", "problem": problem}
        ]
        assert "dictionary" not in problem_body["detail"]


def test_an_audit_time_that_is_no_date_says_so(client: TestClient, keys: dict[str, str]) -> None:
    for value in ("yesterday", "now", ""):
        response = client.get(f"/v1/audit?since={value}", headers=auth(keys["admin"]))
        (error,) = _assert_problem(response, 400)["errors"]
        assert error["parameter"] == "since" and "ISO date or timestamp" in error["problem"]


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "message"),
    [
        ("owner", "GET", "/v1/metrics/summary", None, "an owner key may not do this"),
        ("agent", "GET", "/v1/metrics/summary", None, "an agent key may not do this"),
        ("owner", "POST", "/v1/articles/refund-timeframe/reassign", {"owner": "x@example.com"},
         "an owner key may not do this (needs: admin)"),
        ("agent", "POST", "/v1/articles/refund-timeframe/retire", {},
         "an agent key may not do this (needs: admin, owner)"),
    ],
)  # fmt: skip
def test_forbidden_messages_read_as_english(
    client: TestClient, keys: dict[str, str], role: str, method: str, path: str,
    body: dict[str, str] | None, message: str,
) -> None:  # fmt: skip
    headers = auth(keys[role]) | {"If-Match": '"refund-timeframe-v2"'}
    response = client.request(method, path, headers=headers, json=body)
    assert message in _assert_problem(response, 403)["detail"]


def test_an_owner_refused_another_owners_document_is_told_both_owners(
    client: TestClient, keys: dict[str, str]
) -> None:
    """docs/api.md: "a 403 naming the owner". Owners are e-mail addresses here, and the detail
    is redacted as a log line is: they are the key's and the store's, not the request's, so they
    are shown as written (not "this key acts for [EMAIL]'")."""
    headers = auth(keys["owner"]) | {"If-Match": '"escalation-process-v1"'}
    response = client.post("/v1/articles/escalation-process/retire", headers=headers, json={})
    assert _assert_problem(response, 403)["detail"] == (
        "this key acts for 'payments@example.com'; the article belongs to 'support@example.com'"
    )
    card = {"owner": "4111 1111 1111 1111"}  # what the request sends is still redacted
    response = client.post(
        "/v1/articles/refund-timeframe/reassign", headers=auth(keys["owner"]), json=card
    )
    assert "4111" not in _assert_problem(response, 403)["detail"]


def test_an_owner_changing_the_owner_line_is_told_the_owner_it_has(
    client: TestClient, keys: dict[str, str]
) -> None:
    """An owner's edit that changes ``owner:`` is a reassignment: the refusal names the field
    and the article's owner as the store has it, never what the request sent (redacted, a name
    and a phone number were echoed half: "to Jo Bloggs [PHONE]")."""
    for sent in ("someone.else@example.com", "Jo Bloggs 0412 345 678", "Margaret Thornbury"):
        text = article_text("refund-timeframe", owner=sent)
        headers = auth(keys["owner"]) | {"If-Match": '"refund-timeframe-v2"'}
        response = client.put("/v1/articles/refund-timeframe", headers=headers, json={"text": text})
        assert _assert_problem(response, 403)["detail"] == (
            "field 'owner' names another owner than payments@example.com: changing an "
            "article's owner is a reassignment, which only an admin may do (keep 'owner: "
            "payments@example.com')"
        ), sent


RECEIPT = "rcpt_14a93dcc8baf2156b0dc6db211108b29"


@pytest.mark.parametrize(
    ("path", "body", "parameter"),
    [
        ("/v1/feedback",
         b'{"receipt":"' + RECEIPT.encode() + b'","rating":"unclear","comment":"\\ud800"}',
         "comment"),
        ("/v1/feedback", b'{"receipt":"rcpt_\\udfff","rating":"unclear"}', "receipt"),
        ("/v1/answer", b'{"q":"late \\udc00 fee","channel":"chat"}', "q"),
        ("/v1/answer", b'{"q":"late fee","channel":"chat","x":{"y":["ok","\\ud83d"]}}', "x.y.1"),
        ("/v1/answer", b'{"q":"late fee","\\ud800":1}', "\\ud800"),
    ],
    ids=["feedback-comment", "pattern-field", "answer-q", "nested", "key"],
)  # fmt: skip
def test_a_lone_surrogate_in_any_json_string_is_a_400_naming_it(
    client: TestClient, keys: dict[str, str], path: str, body: bytes, parameter: str
) -> None:
    """JSON can escape a lone surrogate; UTF-8 cannot encode one (the store's insert failed
    with a 500). Every JSON body is checked once, whatever its fields' own constraints."""
    headers = {**auth(keys["agent"]), "Content-Type": "application/json"}
    response = client.post(path, content=body, headers=headers)
    problem = _assert_problem(response, 400)
    assert [(e["location"], e["parameter"]) for e in problem["errors"]] == [("body", parameter)]
    assert "lone surrogate" in problem["errors"][0]["problem"]
    assert problem["detail"].startswith(f"body parameter '{parameter}': holds a lone surrogate")
    assert problem["instance"] == path


@pytest.mark.parametrize(
    ("path", "body", "parameter"),
    [
        ("/v1/answer", b'{"q":"late fee","channel":"chat","q":"pizza"}', "q"),
        ("/v1/answer", b'{"q":"late fee","channel":"chat","channel":"agent"}', "channel"),
        ("/v1/feedback",
         b'{"receipt":"' + RECEIPT.encode() + b'","rating":"helpful","rating":"wrong"}',
         "rating"),
    ],
    ids=["answer-q", "answer-channel", "feedback-rating"],
)  # fmt: skip
def test_a_field_given_twice_in_a_json_body_is_a_400_naming_it(
    client: TestClient, keys: dict[str, str], path: str, body: bytes, parameter: str
) -> None:
    """A JSON parser keeps a repeated field's last value, a gateway may read its first: the
    service picks neither, as for a query parameter given twice, and nothing is written."""
    headers = {**auth(keys["agent"]), "Content-Type": "application/json"}
    response = client.post(path, content=body, headers=headers)
    problem = _assert_problem(response, 400)
    assert [(e["location"], e["parameter"]) for e in problem["errors"]] == [("body", parameter)]
    assert "more than once" in problem["errors"][0]["problem"]


def test_a_surrogate_pair_is_a_character_and_is_accepted(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A pair (an emoji) is one character: the body goes on to the route (an unknown receipt)."""
    headers = {**auth(keys["agent"]), "Content-Type": "application/json"}
    body = b'{"receipt":"' + RECEIPT.encode() + b'","rating":"unclear","comment":"\\ud83d\\ude00"}'
    response = client.post("/v1/feedback", content=body, headers=headers)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("value", ["%ED%A0%80", "%ED%BF%BF", "%80", "a%ED%A0%80b"])
@pytest.mark.parametrize("parameter", ["actor", "article_id", "since"])
def test_a_query_parameter_that_is_no_utf_8_is_never_a_500(
    client: TestClient, keys: dict[str, str], parameter: str, value: str
) -> None:
    """What is not UTF-8 (a surrogate's encoding included) is refused naming the parameter
    (tests/api/test_query_parameters.py), so no lone surrogate reaches a query parameter, free
    text or constrained."""
    response = client.get(f"/v1/audit?{parameter}={value}", headers=auth(keys["admin"]))
    assert response.status_code == 400, response.text
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]


def test_a_body_with_no_content_type_says_a_json_body_is_expected(
    client: TestClient, keys: dict[str, str]
) -> None:
    for path in ("/v1/answer", "/v1/feedback"):
        response = client.post(
            path, content=b'{"q": "late fee", "channel": "chat"}', headers=auth(keys["agent"])
        )
        problem = _assert_problem(response, 400)
        assert problem["errors"] == [
            {
                "location": "body",
                "parameter": "body",
                "problem": "a JSON body is expected (Content-Type: application/json), "
                "not a body with no Content-Type",
            }
        ]


def test_a_control_character_in_a_json_string_says_where_once(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = {**auth(keys["agent"]), "Content-Type": "application/json"}
    response = client.post("/v1/answer", content=b'{"q": "late\x01fee"}', headers=headers)
    problem = _assert_problem(response, 400)
    assert problem["errors"][0]["problem"] == (
        "is not valid JSON: Invalid control character at character 11"
    )


def test_a_validator_message_has_no_pydantic_prefix(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/audit?until=1800-01-01", headers=auth(keys["admin"]))
    problem = _assert_problem(response, 400)
    assert "Value error" not in problem["detail"]
    assert problem["errors"][0]["problem"].startswith("must be between")


@pytest.mark.parametrize(
    ("path", "method", "limit"),
    [
        ("/v1/articles/refund-timeframe/versions/99999999999", "GET", "2,147,483,647"),
        ("/v1/findings/99999999999", "PATCH", "2,147,483,647"),
        ("/v1/articles?offset=99999999999", "GET", "1,000,000"),
    ],
)
def test_a_bound_too_long_to_read_as_a_number_is_still_named(
    client: TestClient, keys: dict[str, str], path: str, method: str, limit: str
) -> None:
    """A bound of 8 or more digits written as one run would be redacted as a phone number
    ("less than or equal to [PHONE]"): the message says what the limit is."""
    response = client.request(
        method, path, headers=auth(keys["admin"]), json={"status": "acknowledged"}
        if method == "PATCH" else None,
    )  # fmt: skip
    problem = _assert_problem(response, 400)
    assert problem["errors"][0]["problem"] == f"Input should be less than or equal to {limit}"
    assert "[PHONE]" not in problem["detail"] and limit in problem["detail"]


@pytest.mark.parametrize(
    "path", ["/v1/answer/?channel=chat&q=late+fee", "/v1/articles/", "/healthz/"]
)
def test_a_trailing_slash_is_a_404_problem_not_a_redirect(
    client: TestClient, keys: dict[str, str], path: str
) -> None:
    """A redirect repeated the question in ``Location`` and was no problem+json."""
    response = client.get(path, headers=auth(keys["admin"]), follow_redirects=False)
    problem = _assert_problem(response, 404)
    assert "location" not in response.headers
    assert problem["detail"] == f"no route matches {path.split('?')[0]}"


def test_a_page_path_with_a_trailing_slash_is_the_404_page(client: TestClient) -> None:
    response = client.get("/ui/review/", follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/metrics/summary?from=2026-05-10&to=2026-05-01", "from"),
        ("/v1/metrics/summary?from=2024-01-01&to=2026-01-01", "from"),
        ("/v1/metrics/gaps?from=2026-05-10&to=2026-05-01", "from"),
        ("/v1/audit?since=yesterday", "since"),
        ("/v1/audit?since=2026-05-10&until=2026-05-01", "until"),
        ("/v1/audit?object_id=x", "object_id"),
        ("/v1/audit?article_id=refund-timeframe&object_type=article", "article_id"),
    ],
)
def test_a_query_parameter_refused_by_the_service_is_located_in_the_query(
    client: TestClient, keys: dict[str, str], path: str, parameter: str
) -> None:
    """A parameter a route declares in its query string is located there when the service (not
    the parameter's own validation) refuses it: it was ``request``."""
    problem = _assert_problem(client.get(path, headers=auth(keys["admin"])), 400)
    assert [(e["location"], e["parameter"]) for e in problem["errors"]] == [("query", parameter)]


def test_a_body_field_refused_by_the_service_is_located_in_the_body(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = auth(keys["admin"]) | {"If-Match": '"refund-timeframe-v2"'}
    response = client.post(
        "/v1/articles:bulk-reassign", json={"items": [], "owner": "x@example.com"},
        headers=headers,
    )  # fmt: skip
    problem = _assert_problem(response, 400)
    assert [(e["location"], e["parameter"]) for e in problem["errors"]] == [("body", "items")]


def test_a_parameter_refused_by_the_service_has_its_location_in_the_detail(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The detail says where, as for a parameter its own validation refuses ("body parameter
    'as_of': ..."): it said only "parameter 'as_of': ..." when the service refused it."""
    question = {"q": "late fee", "channel": "chat", "as_of": "2026-01-01T00:00:00"}
    posted = client.post("/v1/answer", json=question, headers=auth(keys["agent"]))
    got = client.get("/v1/answer", params=question, headers=auth(keys["agent"]))
    for response, location in ((posted, "body"), (got, "query")):
        problem = _assert_problem(response, 400)
        assert problem["detail"] == (
            f"{location} parameter 'as_of': the timestamp needs a time zone (e.g. Z)"
        )


def test_a_parameter_the_route_does_not_declare_is_located_in_the_request(app: FastAPI) -> None:
    """Only a name the route does not declare anywhere keeps the location ``request``."""

    @app.get("/v1/raise-named")
    def raise_named(q: str | None = None) -> None:
        raise InvalidRequestError("filter" if q is None else "q", "is not valid")

    with TestClient(app) as client:
        unknown = _assert_problem(client.get("/v1/raise-named"), 400)["errors"]
        declared = _assert_problem(client.get("/v1/raise-named?q=x"), 400)["errors"]
    assert [(e["location"], e["parameter"]) for e in unknown] == [("request", "filter")]
    assert [(e["location"], e["parameter"]) for e in declared] == [("query", "q")]


def test_one_title_per_problem_type_whichever_layer_answers(
    client: TestClient, keys: dict[str, str]
) -> None:
    """RFC 9457: a problem type has one title. A 404 from the router and one from a handler,
    and a 413 from the body limit and one from a field's limit, read the same."""
    headers = auth(keys["admin"])
    no_route = client.get("/v1/no-such-route", headers=headers)
    no_article = client.get("/v1/articles/no-such-article", headers=headers)
    assert _assert_problem(no_route, 404)["title"] == _assert_problem(no_article, 404)["title"]
    assert no_route.json()["title"] == "Not found"
    big = client.post(
        "/v1/answer", content=b"{" + b" " * 70_000 + b"}",
        headers={**headers, "Content-Type": "application/json"},
    )  # fmt: skip
    assert _assert_problem(big, 413)["title"] == "Payload too large"
    wrong_method = client.delete("/v1/answer", headers=headers)
    problem = _assert_problem(wrong_method, 405)
    assert problem["title"] == "Method not allowed"
    assert problem["detail"].startswith("DELETE is not allowed on /v1/answer (allowed: ")


@pytest.mark.parametrize(
    ("method", "target", "kwargs"),
    [
        ("GET", "/v1/articles/4111111111111111", {}),
        ("GET", "/v1/articles/4111111111111111/versions/2", {}),
        ("GET", "/v1/articles/4111%201111%201111%201111", {}),
        ("GET", "/v1/receipts/jo.bloggs%40example.com", {}),
        ("GET", "/v2/customers/4111111111111111", {}),
        ("DELETE", "/v1/answer/jo.bloggs@example.com", {}),
        ("POST", "/v1/answer", {"json": {"q": "refund", "channel": "chat",
                                         "4111111111111111": "x"}}),
        ("POST", "/v1/answer", {"json": {"q": "refund", "channel": "chat",
                                         "as_of": "4111-1111-1111-1111"}}),
        ("POST", "/v1/articles/jo.bloggs@example.com", {"content": b"x",
                                                        "headers": {"Content-Encoding": "gzip"}}),
        ("GET", "/ui/articles/4111111111111111", {}),
    ],
)  # fmt: skip
def test_an_error_never_echoes_personal_data_the_request_sent(
    client: TestClient, keys: dict[str, str], method: str, target: str, kwargs: dict[str, object]
) -> None:
    """A card number or an e-mail address sent in a path, a field's name or a value comes back
    redacted, as the log writes it: in the detail, the instance and each parameter's problem."""
    headers = auth(keys["admin"]) | kwargs.pop("headers", {})  # type: ignore[operator]
    response = client.request(method, target, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert response.status_code >= 400, response.text
    text = response.text.replace(" ", "").replace("%20", "").replace("-", "")
    assert "4111111111111111" not in text and "jo.bloggs" not in text, response.text
    if response.headers["content-type"] == PROBLEM:
        assert "[CARD]" in response.text or "[EMAIL]" in response.text, response.text


def test_a_parameter_named_by_personal_data_is_redacted_inside_its_quotes(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The detail quotes each parameter's name redacted: redacting the detail whole, an e-mail
    address took the opening quote with it ("body parameter [EMAIL]': ...")."""
    body = {"q": "late fee", "channel": "chat", "jo.bloggs@example.com": 1}
    response = client.post("/v1/answer", json=body, headers=auth(keys["bot"]))
    problem = _assert_problem(response, 400)
    assert problem["detail"] == "body parameter '[EMAIL]': Extra inputs are not permitted"
    response = client.get("/v1/search?q=fee&jo.bloggs@example.com=1", headers=auth(keys["agent"]))
    problem = _assert_problem(response, 400)
    assert problem["detail"].startswith("query parameter '[EMAIL]': is not a parameter")
    assert "jo.bloggs" not in response.text


@pytest.mark.parametrize(
    ("request_", "location"),
    [
        ({"method": "GET", "url": "/v1/articles?=x"}, "query"),
        ({"method": "GET", "url": "/v1/articles?limit=1&="}, "query"),
        ({"method": "POST", "url": "/v1/feedback", "json": {"": 1}}, "body"),
    ],
)
def test_a_parameter_with_an_empty_name_is_named_as_sent(
    client: TestClient, keys: dict[str, str], request_: dict[str, Any], location: str
) -> None:
    """It was named by its location ("query parameter 'query': is not a parameter of this
    route", "body parameter 'body': Extra inputs are not permitted"): a parameter the client
    never sent, or the whole body where one key of it was at fault."""
    response = client.request(**request_, headers=auth(keys["admin"]))
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(e["location"], e["parameter"]) for e in errors if e["parameter"] == ""] == [
        (location, "")
    ], errors
    assert f"{location} parameter '': " in response.json()["detail"]
