"""Fast checks of the page rules with TestClient: session cookie, CSRF, roles, conflicts."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.access import service as access
from knowledge_service.access.models import ApiKey
from knowledge_service.analytics.models import AnswerEvent, Feedback, RenderedText
from knowledge_service.app import create_app
from knowledge_service.content import service as content
from knowledge_service.content.models import utcnow
from knowledge_service.db import make_engine, session_scope
from knowledge_service.errors import PermissionDeniedError, VersionConflictError
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.acceptance import acceptances_of
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.pipeline import StoreChanges
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind, FindingStatus
from knowledge_service.http.deps import MAX_BODY_BYTES, get_after_write
from knowledge_service.review.etags import etag
from knowledge_service.review.workflow_schemas import MAX_REASON_CHARS
from knowledge_service.settings import Settings
from knowledge_service.web import workflow
from knowledge_service.web.routes.auth import safe_next
from knowledge_service.web.sessions import SESSION_COOKIE
from knowledge_service.web.templating import environment
from knowledge_service.web.workflow_handlers import MAX_TEXT_CHARS
from tests.api.conftest import SUPPORT, FakeSearchService, issue_keys, seed_store
from tests.conftest import TODAY
from tests.factories import policy_text

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class _Search(FakeSearchService):
    """The unit app's stand-in for the search service, with no encoder (the review page's check
    of a draft then compares articles sharing an intent or a clause, not vector neighbours)."""

    embedder = None
    cache = None


@pytest.fixture
def web_app(settings: Settings, engine: Engine, tmp_path: Path) -> FastAPI:
    seed_store(engine, tmp_path)
    return create_app(settings, engine=engine, search_service=_Search())  # type: ignore[arg-type]


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return issue_keys(engine)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, key: str, next_path: str = "/ui") -> TestClient:
    form = client.get("/ui/login")
    response = client.post(
        "/ui/login", data={"api_key": key, "csrf_token": csrf_of(form.text), "next": next_path}
    )
    assert response.status_code == 303, response.text
    return client


def test_session_cookie_is_httponly_strict_and_holds_no_key(
    client: TestClient, keys: dict[str, str]
) -> None:
    form = client.get("/ui/login")
    response = client.post(
        "/ui/login", data={"api_key": keys["agent"], "csrf_token": csrf_of(form.text)}
    )
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http (tests); https below
    secret = keys["agent"].split("_", 2)[2]  # ks_<prefix>_<secret>; the secret may hold "_"
    assert secret not in cookie and keys["agent"] not in cookie


def test_session_cookie_is_secure_over_https(web_app: FastAPI, keys: dict[str, str]) -> None:
    """Set, cleared on sign-in (the sign-in form's nonce) and cleared on sign-out: every cookie
    the pages send over https says Secure (the cookies that cleared them did not)."""
    with TestClient(web_app, base_url="https://testserver", follow_redirects=False) as client:
        form = client.get("/ui/login")
        response = client.post(
            "/ui/login", data={"api_key": keys["owner"], "csrf_token": csrf_of(form.text)}
        )
        page = client.get("/ui/review")
        out = client.post("/ui/logout", data={"csrf_token": csrf_of(page.text)})
    cookie = next(c for c in response.headers.get_list("set-cookie") if "ks_session" in c)
    assert "Secure" in cookie
    sent = response.headers.get_list("set-cookie") + out.headers.get_list("set-cookie")
    assert len(sent) == 3 and all("Secure" in c for c in sent), sent


def test_login_without_its_csrf_token_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    client.get("/ui/login")
    response = client.post("/ui/login", data={"api_key": keys["agent"]})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("role", ["bot"])
def test_bot_key_cannot_sign_in(client: TestClient, keys: dict[str, str], role: str) -> None:
    form = client.get("/ui/login")
    response = client.post(
        "/ui/login", data={"api_key": keys[role], "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 403
    assert "bot key cannot sign in" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("key", ["revoked", "nonsense"])
def test_bad_keys_cannot_sign_in(client: TestClient, keys: dict[str, str], key: str) -> None:
    form = client.get("/ui/login")
    raw = keys.get(key, "ks_nothing_here")
    response = client.post("/ui/login", data={"api_key": raw, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 401


@pytest.mark.parametrize("prefix", ["abc\x00defabcde", "abcdefabcdeg", "ABCDEFABCDEF"])
def test_a_key_whose_prefix_no_key_has_cannot_sign_in_and_is_no_500(
    web_app: FastAPI, prefix: str
) -> None:
    """A key typed with a NUL in its prefix was a 500 on PostgreSQL (which refuses a NUL in a
    query's text): a prefix of other characters than a key's hex names no key."""
    with TestClient(web_app, follow_redirects=False, raise_server_exceptions=False) as client:
        form = client.get("/ui/login")
        raw = f"ks_{prefix}_" + "x" * 43
        response = client.post("/ui/login", data={"api_key": raw, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 401, response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "cookie",
    ['"abc.abc\\000123abc12.9999999999.sig"', '"a\\000c.abc123abc123.9999999999.sig"'],
    ids=["nul-in-prefix", "nul-in-session-id"],
)
def test_a_session_cookie_holding_a_nul_is_no_session_and_no_500(
    web_app: FastAPI, cookie: str
) -> None:
    """A quoted cookie's octal escape (``\\000``) reads as a NUL, which PostgreSQL refuses in a
    query's text: every page, the sign-in form included, was a 500 until the cookie was
    cleared. A token not shaped as the server issues them is no session."""
    with TestClient(web_app, follow_redirects=False, raise_server_exceptions=False) as client:
        headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
        page = client.get("/ui/assist", headers=headers)
        form = client.get("/ui/login", headers=headers)
    assert (page.status_code, page.headers.get("location")) == (303, "/ui/login?next=/ui/assist")
    assert form.status_code == 200 and 'name="api_key"' in form.text


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("agent", ["/ui/assist"], ["/ui/review", "/ui/insights"]),
        ("owner", ["/ui/assist", "/ui/review"], ["/ui/insights"]),
        ("leader", ["/ui/assist", "/ui/insights"], ["/ui/review"]),
        ("admin", ["/ui/assist", "/ui/review"], []),
    ],
)
def test_each_role_sees_only_its_pages(
    client: TestClient, keys: dict[str, str], role: str, allowed: list[str], refused: list[str]
) -> None:
    sign_in(client, keys[role])
    home = client.get("/ui")
    for path in allowed:
        assert f'href="{path}"' in home.text
        assert client.get(path).status_code == 200, path
    for path in refused:
        assert f'href="{path}"' not in home.text
        assert client.get(path).status_code == 403, path


def test_the_charts_list_their_series_in_the_order_of_the_tables_beside_them(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The feedback chart's legend read "Overrides, Risk incidents, Wrong or outdated" (the
    page's JSON sorted its keys) while the table beside it reads "Overrides, Wrong or outdated,
    Risk incidents"; the rates' legend was alphabetical too."""
    sign_in(client, keys["leader"])
    page = client.get("/ui/insights?days=7").text
    start = page.index('id="insights-data">') + len('id="insights-data">')
    data = json.loads(page[start : page.index("</script>", start)])
    assert list(data["feedback"]) == ["Overrides", "Wrong or outdated", "Risk incidents"]
    assert list(data["rates"]) == ["Answered", "Escalated", "No answer", "Stale answers"]
    assert list(data) == ["labels", "rates", "escalations", "feedback", "demand"]


def test_a_leader_downloads_the_measures_but_may_not_act_on_findings(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["leader"])
    csv = client.get("/ui/insights/measures.csv?days=7")
    assert csv.status_code == 200 and csv.text.startswith("day,")
    form = client.get("/ui/assist")
    refused = client.post(
        "/ui/review/findings/1/status",
        data={"status": "acknowledged", "csrf_token": csrf_of(form.text)},
    )
    assert refused.status_code == 403


def test_pages_need_a_session(client: TestClient) -> None:
    response = client.get("/ui/review")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/review"
    assert client.get("/").headers["location"] == "/ui"


@pytest.mark.parametrize(
    "fields",
    [{"expected_version": "\u00b2"}, {"expected_version": "2", "finding_id": "\u00b2"}],
    ids=["expected_version", "finding_id"],
)
def test_a_form_number_in_digits_int_refuses_is_a_400_not_a_500(
    web_app: FastAPI, keys: dict[str, str], written: list[StoreChanges], fields: dict[str, str]
) -> None:
    with TestClient(web_app, follow_redirects=False, raise_server_exceptions=False) as client:
        sign_in(client, keys["owner"])
        page = client.get("/ui/review/findings/1")
        # an empty text is refused before the workflow is asked, so the form is shown again
        # (400) from the page ``finding_id`` names: the path that once parsed it with int()
        data = {**fields, "text": "", "csrf_token": csrf_of(page.text)}
        response = client.post("/ui/review/articles/refund-timeframe/edit", data=data)
    assert response.status_code == 400, response.text
    assert written == []


def test_post_without_the_session_csrf_token_is_refused(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["owner"])
    assert (
        client.post("/ui/review/findings/1/status", data={"status": "acknowledged"}).status_code
        == 403
    )
    forged = {"status": "acknowledged", "csrf_token": "x" * 43}
    assert client.post("/ui/review/findings/1/status", data=forged).status_code == 403


def test_a_csrf_token_or_cookie_outside_ascii_is_refused_not_a_500(
    web_app: FastAPI, keys: dict[str, str]
) -> None:
    """A CSRF token (form field or header) or a session cookie's signature with a character
    outside ASCII was a 500 on every form and page: the comparison raised."""
    with TestClient(web_app, follow_redirects=False, raise_server_exceptions=False) as client:
        client.get("/ui/login")
        login = client.post("/ui/login", data={"api_key": keys["agent"], "csrf_token": "\u00e9"})
        sign_in(client, keys["owner"])
        field = client.post("/ui/logout", data={"csrf_token": "\u00e9"})
        header = client.post("/ui/logout", headers={"X-CSRF-Token": "\u00e9".encode("latin-1")})
        cookie = client.cookies[SESSION_COOKIE][:-1] + "\u00e9"
        client.cookies.clear()
        page = client.get("/ui", headers={"Cookie": f"{SESSION_COOKIE}={cookie}".encode()})
    assert [login.status_code, field.status_code, header.status_code] == [403, 403, 403]
    assert (page.status_code, page.headers["location"]) == (303, "/ui/login?next=/ui")


def test_owner_acknowledges_a_finding_with_the_token(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    assert "Acknowledge" in page.text and "within 5 business days" in page.text
    data = {"status": "acknowledged", "note": "on it", "csrf_token": csrf_of(page.text)}
    response = client.post("/ui/review/findings/1/status", data=data)
    assert response.status_code == 303
    assert "Finding acknowledged" in client.get(response.headers["location"]).text


def test_a_note_too_long_is_refused_naming_it_not_cut(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """The API refuses a note over 2,000 characters; the page once stored its first 2,000."""
    sign_in(client, keys["owner"])
    data = {"status": "acknowledged", "note": "n" * 2001,
            "csrf_token": csrf_of(client.get("/ui/review/findings/1").text)}  # fmt: skip
    response = client.post("/ui/review/findings/1/status", data=data)
    assert response.status_code == 400 and "the note is longer than 2000" in response.text
    with session_scope(engine) as session:
        (finding,) = [f for f in freshness.list_findings(session) if f.id == 1]
        assert finding.status == FindingStatus.OPEN


def test_a_note_the_box_allowed_is_taken_whatever_its_line_breaks(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """The box's maxlength (2,000) counts a line break as one character; the browser sends it
    as two ("\\r\\n"). A note of 2,000 characters in 20 lines was refused as too long."""
    sign_in(client, keys["owner"])
    note = ("n" * 99 + "\r\n") * 20  # what the browser sends for 2,000 characters typed
    data = {"status": "acknowledged", "note": note,
            "csrf_token": csrf_of(client.get("/ui/review/findings/1").text)}  # fmt: skip
    response = client.post("/ui/review/findings/1/status", data=data)
    assert response.status_code == 303, response.text
    with session_scope(engine) as session:
        (finding,) = [f for f in freshness.list_findings(session) if f.id == 1]
        assert finding.status == FindingStatus.ACKNOWLEDGED


@pytest.mark.parametrize("path", ["/ui/login", "/ui/assist/answer", "/ui/assist/feedback",
                                  "/ui/review/findings/1/status"])  # fmt: skip
def test_a_form_with_more_fields_than_any_page_has_is_refused_not_a_500(
    client: TestClient, keys: dict[str, str], path: str
) -> None:
    sign_in(client, keys["owner"])
    fields = {f"f{n}": "1" for n in range(51)}
    fields["csrf_token"] = csrf_of(client.get("/ui/assist").text)
    response = client.post(path, data=fields)
    assert response.status_code == 400 and "more than 50 fields" in response.text


@pytest.mark.parametrize(("finding_id", "blocks"), [(1, True), (2, False)])
def test_only_acknowledging_a_block_says_it_still_blocks(
    client: TestClient, keys: dict[str, str], finding_id: int, blocks: bool
) -> None:
    """Finding 1 is a block (a policy mismatch); finding 2 an info (a review due soon)."""
    sign_in(client, keys["admin"])
    page = client.get(f"/ui/review/findings/{finding_id}")
    assert ("still blocks customer channels" in page.text) is blocks
    data = {"status": "acknowledged", "csrf_token": csrf_of(page.text)}
    response = client.post(f"/ui/review/findings/{finding_id}/status", data=data)
    done = client.get(response.headers["location"]).text
    assert "Finding acknowledged." in done
    assert ("It still blocks customer channels" in done) is blocks


def test_a_policy_draft_in_review_is_on_the_review_page_with_its_changes(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {keys['admin']}", "If-Match": '"REFUNDS-v1"'}
    text = policy_text(version="2", clauses={"2.1 Refund timeframe": "Paid within 9 days."})
    assert client.put("/v1/policies/REFUNDS", headers=headers, json={"text": text}).is_success
    headers["If-Match"] = '"REFUNDS-v2"'
    assert client.post("/v1/policies/REFUNDS/submit", headers=headers).is_success
    sign_in(client, keys["admin"])
    queue = client.get("/ui/review").text
    assert 'href="/ui/review/policies/REFUNDS"' in queue and "waits for approval" in queue
    page = client.get("/ui/review/policies/REFUNDS")
    assert page.status_code == 200, page.text
    assert "in review and waits for approval" in page.text and "Paid within 9 days." in page.text
    assert "knowledge-service policies approve REFUNDS" in page.text
    assert client.get("/ui/review/policies/NOPE").status_code == 404


def test_a_policy_drafts_page_offers_discard_as_the_api_and_cli_do(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The policy page's hint named submit and approve only, though a draft on top of an
    approved version can be thrown away; it now names discard (and sending back), and the
    discard it names works."""
    headers = {"Authorization": f"Bearer {keys['admin']}", "If-Match": '"REFUNDS-v1"'}
    text = policy_text(version="2", clauses={"2.1 Refund timeframe": "Paid within 9 days."})
    assert client.put("/v1/policies/REFUNDS", headers=headers, json={"text": text}).is_success
    sign_in(client, keys["admin"])
    draft = client.get("/ui/review/policies/REFUNDS").text
    assert "knowledge-service policies submit REFUNDS" in draft
    assert "knowledge-service policies discard REFUNDS" in draft
    assert "POST /v1/policies/REFUNDS/discard" in draft
    headers["If-Match"] = '"REFUNDS-v2"'
    assert client.post("/v1/policies/REFUNDS/submit", headers=headers).is_success
    in_review = client.get("/ui/review/policies/REFUNDS").text
    assert "knowledge-service policies approve REFUNDS" in in_review
    assert "knowledge-service policies reject REFUNDS --reason" in in_review
    assert "knowledge-service policies discard REFUNDS" in in_review
    assert "knowledge-service policies submit REFUNDS" not in in_review
    assert client.post("/v1/policies/REFUNDS/discard", headers=headers).is_success
    assert client.get("/ui/review/policies/REFUNDS").status_code == 404  # nothing left to review


def test_a_never_approved_policy_drafts_page_says_to_retire_it_not_discard(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {keys['admin']}"}
    text = policy_text(policy_id="NEWPOL", version="1")
    created = client.post("/v1/policies", headers=headers, json={"text": text})
    assert created.status_code == 201, created.text
    sign_in(client, keys["admin"])
    page = client.get("/ui/review/policies/NEWPOL").text
    assert "knowledge-service policies discard NEWPOL" not in page
    assert "knowledge-service policies retire NEWPOL" in page
    headers["If-Match"] = created.headers["etag"]
    refused = client.post("/v1/policies/NEWPOL/discard", headers=headers)
    assert refused.status_code == 409 and "retire it instead" in refused.text


def test_revoking_the_key_ends_its_sessions(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    sign_in(client, keys["agent"])
    assert client.get("/ui/assist").status_code == 200
    from knowledge_service.db import session_scope

    with session_scope(engine) as session:
        access.revoke_key(session, "test-agent")
    assert client.get("/ui/assist").status_code == 303


def test_a_key_s_expiry_ends_its_sessions(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    sign_in(client, keys["agent"])
    assert client.get("/ui/assist").status_code == 200
    with session_scope(engine) as session:
        key = session.exec(select(ApiKey).where(ApiKey.name == "test-agent")).one()
        key.expires_at = utcnow() - timedelta(seconds=1)
        session.add(key)
    assert client.get("/ui/assist").status_code == 303


def test_logout_ends_the_session(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["agent"])
    token = client.cookies.get(SESSION_COOKIE)
    page = client.get("/ui/assist")
    assert client.post("/ui/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    client.cookies.set(SESSION_COOKIE, token or "")
    assert client.get("/ui/assist").status_code == 303


def test_a_logged_out_cookie_is_refused_by_a_new_app_on_the_store(
    client: TestClient, settings: Settings, keys: dict[str, str]
) -> None:
    """A restarted server, another worker or a replica: a new app with its own engine."""
    sign_in(client, keys["agent"])
    ended = client.cookies.get(SESSION_COOKIE) or ""
    page = client.get("/ui/assist")
    assert client.post("/ui/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    sign_in(client, keys["agent"])
    kept = client.cookies.get(SESSION_COOKIE) or ""
    engine = make_engine(settings.database_url)
    restarted = create_app(settings, engine=engine, search_service=FakeSearchService())  # type: ignore[arg-type]
    try:
        with TestClient(restarted, follow_redirects=False) as other:
            other.cookies.set(SESSION_COOKIE, kept)
            assert other.get("/ui/assist").status_code == 200  # the same secret: cookies work
            other.cookies.set(SESSION_COOKIE, ended)
            response = other.get("/ui/assist")
    finally:
        engine.dispose()
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/assist"


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/ui/review", "/ui/review"), ("//evil.example", "/ui"), ("https://evil.example", "/ui"),
     ("/ui//evil", "/ui"), (None, "/ui")],
)  # fmt: skip
def test_sign_in_redirects_only_to_pages_of_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("role", "target", "lands"),
    [
        ("agent", "/ui/insights", "/ui"),  # it was the insights page's refusal
        ("agent", "/ui/review?owner=x", "/ui"),
        ("agent", "/ui/assist", "/ui/assist"),
        ("leader", "/ui/insights", "/ui/insights"),
        ("admin", "/ui/review", "/ui/review"),
    ],
)
def test_sign_in_lands_on_the_page_asked_for_only_if_the_role_may_use_it(
    client: TestClient, keys: dict[str, str], role: str, target: str, lands: str
) -> None:
    form = client.get("/ui/login")
    response = client.post(
        "/ui/login", data={"api_key": keys[role], "csrf_token": csrf_of(form.text), "next": target}
    )
    assert (response.status_code, response.headers["location"]) == (303, lands)


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/ui/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"
    docs = client.get("/docs")
    assert "/ui/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in docs.text
    assert "<script>" not in docs.text  # its start-up is /ui/static/api-docs.js
    assert (
        "cdn.jsdelivr.net" not in docs.text
        and "http" not in docs.headers["content-security-policy"]
    )
    assert "/ui/static/vendor/redoc/redoc.standalone.js" in client.get("/redoc").text
    bundle = client.get("/ui/static/vendor/redoc/redoc.standalone.js").text
    for asked in re.findall(r'src:"(/ui/static/vendor/[^"]+)"', bundle):  # its patched logo
        assert client.get(asked).status_code == 200, asked


def test_stale_version_shows_someone_else_changed_the_article(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def verify(*_args: object) -> None:
        raise VersionConflictError("article", "refund-timeframe", expected=1, current=2)

    monkeypatch.setitem(workflow.HANDLERS, "verify", verify)
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    assert "Confirm: verify version 2" in page.text
    data = {"expected_version": "1", "finding_id": "1", "csrf_token": csrf_of(page.text)}
    response = client.post("/ui/review/articles/refund-timeframe/verify", data=data)
    assert response.status_code == 409
    assert "Someone else changed this article" in response.text
    assert title_of(response.text).startswith("Not saved: someone else changed refund-timeframe")
    assert "<ins>+" in response.text or "<del>-" in response.text
    assert '<a href="/ui/review/findings/1">Back to the finding</a>' in response.text


def test_a_version_the_page_never_showed_is_refused_naming_it(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    data = {"expected_version": "999", "finding_id": "1", "csrf_token": csrf_of(page.text)}
    response = client.post("/ui/review/articles/refund-timeframe/verify", data=data)
    assert response.status_code == 400 and "expected_version" in html.unescape(response.text)
    assert "no version 999" in response.text and written == []


def test_an_unknown_action_is_not_found(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    data = {"expected_version": "2", "csrf_token": csrf_of(page.text)}
    response = client.post("/ui/review/articles/refund-timeframe/publish-now", data=data)
    assert response.status_code == 404


@pytest.fixture
def written(web_app: FastAPI) -> list[StoreChanges]:
    """What the page handed to the after-write pipeline."""
    calls: list[StoreChanges] = []
    web_app.dependency_overrides[get_after_write] = lambda: calls.append
    return calls


def _edit_form(client: TestClient, key: str) -> tuple[str, dict[str, str]]:
    """The finding page's edit form: the article's Markdown and the form's hidden fields."""
    sign_in(client, key)
    page = client.get("/ui/review/findings/1")
    assert "Confirm: edit version 2" in page.text
    found = re.search(r'name="text"[^>]*>([^<]*)</textarea>', page.text)
    assert found, page.text
    text = html.unescape(found.group(1))
    return text, {"expected_version": "2", "finding_id": "1", "csrf_token": csrf_of(page.text)}


def test_an_owner_edits_an_article_into_a_draft_from_the_review_page(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    fixed = text.replace("5 business days", "10 business days")
    assert fixed != text
    response = client.post(
        "/ui/review/articles/refund-timeframe/edit", data={**form, "text": fixed}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ui/review/findings/1?done=edit"
    with session_scope(engine) as session:
        current = content.get_article(session, "refund-timeframe")
    assert (current.version, current.status, current.author) == (3, "draft", "test-owner")
    assert "10 business days" in current.raw
    assert [c.article_ids for c in written] == [frozenset({"refund-timeframe"})]
    shown = client.get("/ui/review/findings/1?done=edit").text
    assert "Saved as a new draft" in shown and "last approved version" in shown
    assert "Confirm: submit for approval version 3" in shown


def test_an_edit_with_a_review_date_before_the_last_review_is_saved(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    fixed = re.sub(r"next_review: \S+", "next_review: 2000-01-01", text)
    assert fixed != text
    response = client.post(
        "/ui/review/articles/refund-timeframe/edit", data={**form, "text": fixed}
    )
    assert response.status_code == 303, response.text
    with session_scope(engine) as session:
        current = content.get_article(session, "refund-timeframe")
    assert current.version == 3 and current.to_document().next_review.isoformat() == "2000-01-01"


def test_a_drafts_changes_show_its_status_apart_from_the_text(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    fixed = text.replace("5 business days", "10 business days")
    client.post("/ui/review/articles/refund-timeframe/edit", data={**form, "text": fixed})
    shown = client.get("/ui/review/findings/1?done=edit").text
    diff = re.search(r'<pre class="diff"[^>]*>(.*?)</pre>', shown, re.S)
    assert diff and "10 business days" in diff.group(1), shown
    assert "status:" not in diff.group(1)  # the workflow's step is no change to the text
    status = re.search(r'id="status-change-refund-timeframe">([^<]*)<', shown)
    assert status and "Status: published → draft" in status.group(1), shown


def test_a_second_drafts_changes_are_shown_from_the_version_readers_have(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    """Approving draft v4 changes what readers get from v2 (in force), not from draft v3: the
    approver sees both edits."""
    text, form = _edit_form(client, keys["owner"])
    first = text.replace("5 business days", "10 business days")
    client.post("/ui/review/articles/refund-timeframe/edit", data={**form, "text": first})
    second = first.replace("10 business days", "10 business days (weekends excluded)")
    page = client.get("/ui/review/findings/1")
    form = {**form, "expected_version": "3", "csrf_token": csrf_of(page.text)}
    client.post("/ui/review/articles/refund-timeframe/edit", data={**form, "text": second})
    shown = client.get("/ui/review/findings/1?done=edit").text
    assert "version 2 → 4" in shown, shown
    diff = re.search(r'<pre class="diff"[^>]*>(.*?)</pre>', shown, re.S)
    assert diff and "5 business days" in diff.group(1) and "weekends excluded" in diff.group(1)


def test_an_edit_with_raw_html_says_which_html_is_not_shown_and_where(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    typed = text.replace("5 business days", '<span style="color:red">10 business days</span>')
    line = next(n for n, t in enumerate(typed.splitlines(), 1) if "<span" in t)
    edit = {**form, "text": typed}
    response = client.post("/ui/review/articles/refund-timeframe/edit", data=edit)
    assert response.status_code == 303, response.text
    shown = client.get(response.headers["location"]).text
    assert "Saved as a new draft" in shown
    note = re.search(r'id="raw-html-refund-timeframe">([^<]*)<', shown)
    assert note, shown
    said = html.unescape(note.group(1))
    assert f'line {line}: <span style="color:red">, </span>' in said
    assert "Everything else is saved" in said
    with session_scope(engine) as session:
        assert content.get_article(session, "refund-timeframe").raw.count("10 business days") == 1
    plain = client.get("/ui/review/findings/1?done=submit").text
    assert 'id="raw-html-' not in plain  # said after an edit only


def test_an_edit_that_changes_nothing_writes_nothing_and_says_so(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    response = client.post("/ui/review/articles/refund-timeframe/edit", data={**form, "text": text})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ui/review/findings/1?done=unchanged"
    with session_scope(engine) as session:
        current = content.get_article(session, "refund-timeframe")
    assert (current.version, current.status) == (2, "published")
    assert not any(c.article_ids for c in written)
    shown = client.get(response.headers["location"]).text
    assert "Nothing to save" in shown and "Saved as a new draft" not in shown


def test_a_stale_edit_shows_the_conflict_and_the_unsaved_text_and_overwrites_nothing(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    mine = text.replace("5 business days", "7 business days")
    stale = {**form, "expected_version": "1", "text": mine}
    response = client.post("/ui/review/articles/refund-timeframe/edit", data=stale)
    assert response.status_code == 409
    assert "Someone else changed this article" in response.text
    assert "Your text (not saved)" in response.text and "7 business days" in response.text
    with session_scope(engine) as session:
        assert content.get_article(session, "refund-timeframe").version == 2
    assert written == []


@pytest.mark.parametrize(
    ("text", "field"), [("", "text"), ("---\nid: refund-timeframe\n---\nno front matter", "")]
)
def test_an_edit_with_bad_text_is_refused_and_changes_nothing(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges],
    text: str, field: str,
) -> None:  # fmt: skip
    _, form = _edit_form(client, keys["owner"])
    response = client.post("/ui/review/articles/refund-timeframe/edit", data={**form, "text": text})
    assert response.status_code in (400, 422), response.text
    assert field in response.text
    with session_scope(engine) as session:
        assert content.get_article(session, "refund-timeframe").version == 2


CONTENT_MISTAKES = {
    "impossible date": (("2027-06-01", "2027-02-30"), "line 10, field &#39;next_review&#39;"),
    "empty answer": (
        ("Refunds reach your account within 5 business days.\n", ""),
        "field &#39;answer&#39;",
    ),
    "bad YAML": (("title: ", "title: [unclosed "), "line 4: malformed YAML"),
}


@pytest.mark.parametrize("back", ["finding", "article"])
@pytest.mark.parametrize("mistake", list(CONTENT_MISTAKES))
def test_an_edit_breaking_the_content_format_comes_back_open_with_the_problem_and_the_text(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges],
    back: str, mistake: str,
) -> None:  # fmt: skip
    (old, new), named = CONTENT_MISTAKES[mistake]
    text, form = _edit_form(client, keys["owner"])
    typed = text.replace(old, new, 1).replace("refund status", "refund state")
    assert old in text and "refund state" in typed
    if back == "article":
        _act(client, "edit", 2, text=text.replace("billing system", "billing screen"))
        _act(client, "submit", 3)  # the article page lists the draft waiting for approval
        page = client.get("/ui/review/articles/refund-timeframe")
        form = {"expected_version": "3", "back": "article", "csrf_token": csrf_of(page.text)}
    edit = {**form, "text": typed}
    response = client.post("/ui/review/articles/refund-timeframe/edit", data=edit)
    assert response.status_code == 400 and _is_page(response), response.text
    assert '<details class="confirm" id="edit-refund-timeframe" open>' in response.text
    error = re.search(r'role="alert" id="edit-refund-timeframe-error">([^<]*)<', response.text)
    assert error and named in error.group(1), response.text
    assert 'aria-invalid="true" aria-describedby="edit-refund-timeframe-error"' in response.text
    shown = re.search(r'name="text"[^>]*>([^<]*)</textarea>', response.text)
    assert shown and html.unescape(shown.group(1)) == typed  # what was typed, not the stored text
    page = "/ui/review/articles/refund-timeframe" if back == "article" else "/ui/review/findings/1"
    assert f'data-page-url="{page}"' in response.text  # the address the browser shows for it
    with session_scope(engine) as session:
        assert content.get_article(session, "refund-timeframe").version == (
            3 if back == "article" else 2
        )


def _risk_form(client: TestClient, key: str) -> dict[str, str]:
    sign_in(client, key)
    page = client.get("/ui/review/findings/1")
    assert "Confirm: accept the risk" in page.text
    return {"csrf_token": csrf_of(page.text), "reason": "Legal agreed: the fix ships Friday.",
            "expires_on": (TODAY + timedelta(days=10)).isoformat(), "confirm": "yes"}  # fmt: skip


def test_an_admin_accepts_a_blocking_findings_risk_from_the_review_page(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    form = _risk_form(client, keys["admin"])
    response = client.post("/ui/review/findings/1/accept-risk", data=form)
    assert response.status_code == 303, response.text
    with session_scope(engine) as session:
        (row,) = acceptances_of(session, [1])
    assert (row.reason, row.expires_on, row.accepted_by) == (
        form["reason"], TODAY + timedelta(days=10), "key:test-admin",
    )  # fmt: skip
    shown = client.get(response.headers["location"]).text
    assert f"Risk accepted until {TODAY + timedelta(days=10)}" in shown


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"confirm": ""}, 400, "confirm"),
        ({"expires_on": "next friday"}, 400, "expires_on"),
        ({"expires_on": TODAY.isoformat()}, 400, "after today"),
        ({"reason": "  "}, 400, "reason"),
    ],
)
def test_accepting_a_risk_needs_a_confirmation_a_reason_and_a_future_date(
    client: TestClient, keys: dict[str, str], engine: Engine,
    change: dict[str, str], status: int, words: str,
) -> None:  # fmt: skip
    form = _risk_form(client, keys["admin"])
    response = client.post("/ui/review/findings/1/accept-risk", data={**form, **change})
    assert response.status_code == status and words in response.text, response.text
    with session_scope(engine) as session:
        assert list(acceptances_of(session, [1])) == []


def test_an_owner_may_not_accept_a_risk(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    assert "Only an admin may accept the risk" in page.text
    form = {"csrf_token": csrf_of(page.text), "reason": "r", "confirm": "yes",
            "expires_on": (TODAY + timedelta(days=3)).isoformat()}  # fmt: skip
    assert client.post("/ui/review/findings/1/accept-risk", data=form).status_code == 403
    unticked = {k: v for k, v in form.items() if k != "confirm"}
    refused = client.post("/ui/review/findings/1/accept-risk", data=unticked)
    assert refused.status_code == 403 and "only an admin may accept the risk" in refused.text
    assert "tick the box" not in refused.text


def test_an_owner_verifies_an_article_from_the_review_page(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    assert "Confirm: verify version 2" in page.text
    data = {"expected_version": "2", "finding_id": "1", "csrf_token": csrf_of(page.text)}
    response = client.post(
        "/ui/review/articles/refund-timeframe/verify", data=data, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    with session_scope(engine) as session:
        current = content.get_article(session, "refund-timeframe")
        doc = current.to_document()
    assert current.version == 3 and current.author == "test-owner"
    assert (doc.last_reviewed, doc.next_review) == (TODAY, TODAY + timedelta(days=180))
    stale = client.post("/ui/review/articles/refund-timeframe/verify", data=data)
    assert stale.status_code == 409 and "Someone else changed this article" in stale.text


def _blocked_box_in(shown: str) -> tuple[str, str]:
    """What a page says of refund-timeframe's blocks: its words, and the box's HTML."""
    blocked = re.search(r'id="still-blocked-refund-timeframe">(.*?)</div>', shown, re.S)
    assert blocked, shown
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocked.group(1))).split()), blocked[1]


def _still_blocked_box(client: TestClient, done: str) -> tuple[str, str]:
    """What finding 1's page says of refund-timeframe's blocks after ``done``."""
    return _blocked_box_in(client.get(f"/ui/review/findings/1?done={done}").text)


def test_verifying_a_blocked_article_on_the_page_says_it_stays_blocked_and_by_what(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    sign_in(client, keys["owner"])
    _act(client, "verify", 2)
    said, box = _still_blocked_box(client, "verify")
    assert "refund-timeframe is verified but still blocked for customers" in said
    assert "Disagrees with the policy (finding 1)" in said
    assert 'href="/ui/review/findings/1"' in box
    assert 'id="still-blocked-' not in client.get("/ui/review/findings/1").text


def test_after_an_approval_the_page_says_what_still_blocks_the_published_article(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["owner"])
    said, _ = _still_blocked_box(client, "approve")
    assert "refund-timeframe is published but blocked for customers" in said
    assert "(approving lifts no block; an admin may accept the risk)" in said
    assert "Disagrees with the policy (finding 1)" in said


def test_every_answer_reason_has_words_on_the_pages() -> None:
    from knowledge_service.answers.schemas import AnswerReason
    from knowledge_service.web.templating import REASON_WORDS, environment

    assert set(REASON_WORDS) == {reason.value for reason in AnswerReason}
    macro = '{% from "_macros.html" import reason_words %}{{ reason_words(r) }}'
    template = environment().from_string(macro)  # the pages' own filters and autoescape
    assert template.render(r=AnswerReason.HUMAN_REQUESTED) == "the customer asked for a person"
    assert template.render(r="low_confidence") == REASON_WORDS[AnswerReason.LOW_CONFIDENCE]
    assert template.render(r="<b>legacy</b>") == "&lt;b&gt;legacy&lt;/b&gt;"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"receipt": "rcpt_<script>"}, "receipt"), ({"receipt": ""}, "receipt"),
     ({"used_article_id": "Not An Id!"}, "used_article_id"),
     ({"used_article_id": "a" * 121}, "used_article_id")],
)  # fmt: skip
def test_feedback_with_a_malformed_field_is_refused_naming_the_field(
    client: TestClient, keys: dict[str, str], change: dict[str, str], field: str
) -> None:
    sign_in(client, keys["agent"])
    page = client.get("/ui/assist")
    form = {"csrf_token": csrf_of(page.text), "rating": "wrong", "receipt": "rcpt_0123abcd"}
    response = client.post("/ui/assist/feedback", data={**form, **change})
    assert response.status_code == 400, response.text
    assert f"parameter &#39;{field}&#39;" in response.text
    assert "<script>" not in response.text


def _refunds_answered(engine: Engine) -> None:
    """An agent was answered "refunds" with refund-timeframe v2 (receipt rcpt_0123abcd)."""
    with session_scope(engine) as session:
        session.add(AnswerEvent(kind="answer", question="refunds", latency_ms=5.0, channel="agent",
                                status="answered", article_id="refund-timeframe", version=2,
                                receipt="rcpt_0123abcd"))  # fmt: skip


def test_a_feedback_comment_too_long_is_refused_not_cut(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    _refunds_answered(engine)
    sign_in(client, keys["agent"])
    form = {"csrf_token": csrf_of(client.get("/ui/assist").text), "rating": "wrong",
            "receipt": "rcpt_0123abcd", "comment": "c" * 2001}  # fmt: skip
    response = client.post("/ui/assist/feedback", data=form)
    assert response.status_code == 400 and "parameter &#39;comment&#39;" in response.text
    with session_scope(engine) as session:
        assert session.exec(select(Feedback)).all() == []


@pytest.mark.parametrize(("role", "stored"), [("agent", False), ("owner", True)])
def test_to_an_agent_a_draft_is_no_article_to_name_as_used_instead(
    client: TestClient, keys: dict[str, str], engine: Engine, role: str, stored: bool
) -> None:
    """As in the API: an agent sees published articles only, so naming a draft ("new-fees")
    would tell it the draft exists; staff who read drafts may name one."""
    _refunds_answered(engine)
    sign_in(client, keys[role])
    form = {"csrf_token": csrf_of(client.get("/ui/assist").text), "rating": "wrong", "q": "refunds",
            "receipt": "rcpt_0123abcd", "used_article_id": "new-fees"}  # fmt: skip
    response = client.post("/ui/assist/feedback", data=form)
    assert response.status_code == (200 if stored else 400), response.text
    with session_scope(engine) as session:
        assert len(session.exec(select(Feedback)).all()) == int(stored)


def test_feedback_naming_an_unknown_article_as_used_instead_is_refused_naming_the_field(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    _refunds_answered(engine)
    sign_in(client, keys["agent"])
    form = {"csrf_token": csrf_of(client.get("/ui/assist").text), "rating": "wrong", "q": "refunds",
            "receipt": "rcpt_0123abcd", "used_article_id": "no-such-article"}  # fmt: skip
    response = client.post("/ui/assist/feedback", data=form)
    assert response.status_code == 400, response.text
    assert "parameter &#39;used_article_id&#39;" in response.text
    assert "no-such-article" in response.text and "has changed" not in response.text
    with session_scope(engine) as session:
        assert session.exec(select(Feedback)).all() == []


def _is_page(response: httpx.Response) -> bool:
    return response.headers["content-type"].startswith("text/html") and "<html" in response.text


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [("GET", "/ui/no-such-page", 404, "no route matches /ui/no-such-page"),
     ("GET", "/ui/review/findings/not-a-number", 400, "finding_id"),
     ("GET", "/ui/review/findings/99999", 404, "99999"),
     ("GET", "/ui/logout", 405, "GET is not allowed on /ui/logout (allowed: POST")],
)  # fmt: skip
def test_page_errors_are_pages_with_the_navigation_for_a_signed_in_person(
    client: TestClient, keys: dict[str, str], method: str, path: str, status: int, words: str
) -> None:
    sign_in(client, keys["owner"])
    response = client.request(method, path)
    assert response.status_code == status and _is_page(response), response.text
    assert words in response.text
    assert "Sign out" in response.text and 'href="/ui/review"' in response.text
    assert "content-security-policy" in response.headers
    if status == 405:
        assert "POST" in response.headers["allow"]


def test_an_unexpected_error_on_a_page_is_a_page_and_on_the_api_problem_json(
    web_app: FastAPI, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault in the service")

    with TestClient(web_app, follow_redirects=False, raise_server_exceptions=False) as client:
        sign_in(client, keys["agent"])
        monkeypatch.setattr("knowledge_service.web.routes.assist.render", broken)
        page = client.get("/ui/assist")
        assert page.status_code == 500 and _is_page(page)
        assert "has been logged" in page.text and "a fault in the service" not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        monkeypatch.setattr("knowledge_service.api.routers.analytics.analytics.summarize", broken)
        api = client.get(
            "/v1/metrics/summary", headers={"Authorization": f"Bearer {keys['admin']}"}
        )
        assert api.status_code == 500
        assert api.headers["content-type"] == "application/problem+json"
        assert api.headers["x-content-type-options"] == "nosniff"  # sent outside the middleware


def test_a_page_error_without_a_session_offers_sign_in_and_the_api_keeps_problem_json(
    client: TestClient,
) -> None:
    response = client.get("/ui/no-such-page")
    assert response.status_code == 404 and _is_page(response)
    assert "Sign out" not in response.text and 'href="/ui/login"' in response.text
    api = client.get("/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_a_forbidden_page_keeps_the_navigation_of_the_signed_in_person(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["agent"])
    response = client.get("/ui/insights")
    assert response.status_code == 403 and "Not for your role" in response.text
    assert "Sign out" in response.text and 'href="/ui/assist"' in response.text


def test_insights_with_no_answers_to_compare_say_there_is_no_trend_yet(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The trend is null when a half of the period has no answers (here: none at all)."""
    sign_in(client, keys["admin"])
    response = client.get("/ui/insights")
    assert response.status_code == 200, response.text
    assert response.text.count('<span class="trend">no trend yet</span>') == 2


def test_insights_measures_download_as_csv_for_leaders_only(
    client: TestClient, keys: dict[str, str], engine: Engine, settings: Settings
) -> None:
    """One row per day of the period: counts, rates (empty when nothing to measure) and the
    escalations by reason; the page links it for the period shown."""
    today = TODAY if settings.today is None else settings.today
    with session_scope(engine) as session:
        for status, reason in [("answered", None), ("escalate", "low_confidence")]:
            session.add(AnswerEvent(kind="answer", question="q", latency_ms=1.0, channel="chat",
                                    status=status, reason=reason,
                                    at=datetime.combine(today, time(9), UTC)))  # fmt: skip
    sign_in(client, keys["admin"])
    assert 'href="/ui/insights/measures.csv?days=28"' in client.get("/ui/insights?days=28").text
    response = client.get("/ui/insights/measures.csv?days=3")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["day"] for r in rows] == [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    last = rows[-1]
    assert (last["answers"], last["answered"], last["answer_rate"]) == ("2", "1", "0.5")
    assert last["escalated_low_confidence"] == "1" and last["helpful_rate"] == ""
    assert rows[0]["answers"] == "0" and rows[0]["answer_rate"] == ""
    client.cookies.clear()
    sign_in(client, keys["agent"])
    assert client.get("/ui/insights/measures.csv").status_code == 403


def test_insights_download_the_period_s_answer_log_and_feedback(
    client: TestClient, keys: dict[str, str], engine: Engine, settings: Settings
) -> None:
    """The rows behind the measures, for BI: the period's answer log and ratings, redacted,
    from the period's first day; linked for the period shown."""
    today = TODAY if settings.today is None else settings.today
    with session_scope(engine) as session:
        for days_ago in (5, 0):  # written in time order, as the log writes them
            at = datetime.combine(today - timedelta(days=days_ago), time(9), UTC)
            session.add(AnswerEvent(kind="answer", question=f"q{days_ago} jo@example.com",
                                    latency_ms=1.0, channel="chat", status="answered",
                                    receipt=f"rcpt_{days_ago:032d}", at=at))  # fmt: skip
            session.add(Feedback(receipt=f"rcpt_{days_ago:032d}", rating="wrong", at=at,
                                 comment="=call me on 0412 345 678"))  # fmt: skip
    sign_in(client, keys["leader"])
    page = client.get("/ui/insights?days=28").text
    for table in ("answers", "feedback"):
        assert f'href="/ui/insights/{table}.csv?days=28"' in page
    answers = client.get("/ui/insights/answers.csv?days=3")
    assert answers.status_code == 200, answers.text
    assert answers.headers["content-type"] == "text/csv; charset=utf-8"
    start = (today - timedelta(days=2)).isoformat()
    disposition = f'attachment; filename="answers-{start}-to-{today.isoformat()}.csv"'
    assert answers.headers["content-disposition"] == disposition
    assert [r["question"] for r in csv.DictReader(io.StringIO(answers.text))] == ["q0 [EMAIL]"]
    feedback = client.get("/ui/insights/feedback.csv?days=7")
    rows = list(csv.DictReader(io.StringIO(feedback.text)))
    assert [(r["receipt"], r["comment"]) for r in rows] == [
        (f"rcpt_{5:032d}", "'=call me on [PHONE]"), (f"rcpt_{0:032d}", "'=call me on [PHONE]"),
    ]  # fmt: skip
    assert client.get("/ui/insights/ratings.csv").status_code in (400, 404)
    client.cookies.clear()
    sign_in(client, keys["agent"])
    assert client.get("/ui/insights/feedback.csv").status_code == 403


def test_the_insights_downloads_are_never_kept_by_a_cache(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The answer log, the ratings and the measures: a proxy or the browser's disk kept them
    (no Cache-Control), though the pages and the API's own exports say no-store."""
    sign_in(client, keys["leader"])
    for path in ("measures", "answers", "feedback"):
        response = client.get(f"/ui/insights/{path}.csv?days=7")
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store", path


def test_htmx_errors_are_fragments_for_the_swap_target(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["agent"])
    page = client.get("/ui/assist")
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf_of(page.text)}
    bad = {"rating": "wrong", "receipt": "nonsense"}
    response = client.post("/ui/assist/feedback", data=bad, headers=htmx)
    assert response.status_code == 400
    assert "<html" not in response.text and "<nav" not in response.text
    assert 'role="alert"' in response.text and "receipt" in response.text
    no_token = {"HX-Request": "true"}
    refused = client.post("/ui/assist/answer", data={"q": "refunds"}, headers=no_token)
    assert refused.status_code == 403 and "<html" not in refused.text
    assert "security token" in refused.text


def test_a_question_longer_than_answers_take_is_refused_not_cut_on_the_assist_page(
    client: TestClient, keys: dict[str, str]
) -> None:
    """As /v1/answer refuses it (README, KS_ANSWERS__MAX_QUESTION_CHARS): the page answered
    its first 500 characters as if they were the question."""
    sign_in(client, keys["agent"])
    page = client.get("/ui/assist")
    data = {"csrf_token": csrf_of(page.text), "q": "how long does a refund take " * 20}
    response = client.post("/ui/assist/answer", data=data)
    assert response.status_code == 400 and _is_page(response), response.text
    assert "longer than 500 characters" in response.text


def test_a_page_body_over_the_limit_is_an_html_error(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["agent"])
    page = client.get("/ui/assist")
    data = {"csrf_token": csrf_of(page.text), "q": "x" * (MAX_BODY_BYTES + 1)}
    response = client.post("/ui/assist/answer", data=data)
    assert response.status_code == 413 and _is_page(response), response.text
    assert "larger than the server accepts" in response.text and "Sign out" in response.text
    fragment = client.post("/ui/assist/answer", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 413 and "<html" not in fragment.text
    assert "larger than" in fragment.text


def test_the_longest_edit_the_form_allows_fits_the_body_limit_when_url_encoded(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, form = _edit_form(client, keys["owner"])
    page = client.get("/ui/review/findings/1").text
    assert f'maxlength="{MAX_TEXT_CHARS}"' in page
    # Line breaks and punctuation take three bytes each once URL-encoded (the worst ASCII).
    longest = text + "\n" * (MAX_TEXT_CHARS - len(text))
    data = {**form, "text": longest, "note": "#" * 2000}
    assert len(urlencode(data)) > MAX_BODY_BYTES * 0.95
    response = client.post("/ui/review/articles/refund-timeframe/edit", data=data)
    assert response.status_code == 303, response.text
    too_long = {**data, "text": longest + "x"}
    refused = client.post("/ui/review/articles/refund-timeframe/edit", data=too_long)
    assert refused.status_code == 400 and f"longer than {MAX_TEXT_CHARS}" in refused.text


def test_an_article_too_long_for_the_edit_form_says_where_to_edit_it(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    with session_scope(engine) as session:
        raw = content.get_article(session, "refund-timeframe").raw
    longer = raw + "\nMore detail for agents. " * (MAX_TEXT_CHARS // 20)
    api = client.put("/v1/articles/refund-timeframe", json={"text": longer},
                     headers={"Authorization": f"Bearer {keys['owner']}",
                              "If-Match": etag("refund-timeframe", 2)})  # fmt: skip
    assert api.status_code == 200, api.text
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1").text
    with session_scope(engine) as session:
        stored = content.get_article(session, "refund-timeframe").raw
    assert len(stored) > MAX_TEXT_CHARS
    assert f"is {len(stored):,} characters long, more than this page can send" in page
    assert 'id="edit-refund-timeframe"' not in page and 'name="text"' not in page


def switch_to(client: TestClient, key: str) -> None:
    client.cookies.clear()
    sign_in(client, key)


def _act(client: TestClient, action: str, version: int, **fields: str) -> None:
    page = client.get("/ui/review/findings/1")
    data = {"expected_version": str(version), "finding_id": "1", "csrf_token": csrf_of(page.text)}
    response = client.post(f"/ui/review/articles/refund-timeframe/{action}", data=data | fields)
    assert response.status_code == 303, response.text


def _submit_an_edit(client: TestClient, key: str) -> None:
    """As the owner with ``key``: edit version 2 into a draft (version 3) and submit it."""
    text, _ = _edit_form(client, key)
    _act(client, "edit", 2, text=text.replace("5 business days", "10 business days"))
    _act(client, "submit", 3)


def test_a_note_past_the_reasons_limit_is_refused_naming_it_and_nothing_is_written(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    data = {"expected_version": "2", "finding_id": "1", "csrf_token": csrf_of(page.text),
            "note": "n" * (MAX_REASON_CHARS + 1)}  # fmt: skip
    response = client.post("/ui/review/articles/refund-timeframe/verify", data=data)
    assert response.status_code == 400 and "parameter &#39;note&#39;" in response.text
    assert written == []
    data["note"] = "n" * MAX_REASON_CHARS
    assert client.post("/ui/review/articles/refund-timeframe/verify", data=data).status_code == 303


def test_approve_is_offered_to_another_than_the_last_editor_and_a_rejection_says_why(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    _submit_an_edit(client, keys["owner"])
    mine = client.get("/ui/review/findings/1").text
    assert 'id="approve-refund-timeframe"' not in mine
    assert "You made the last edit, so another owner must approve it (four eyes)." in mine
    assert 'id="reject-refund-timeframe"' in mine
    switch_to(client, keys["admin"])
    assert 'id="approve-refund-timeframe"' in client.get("/ui/review/findings/1").text
    _act(client, "reject", 3, note="Say <b>which</b> days count.")
    switch_to(client, keys["owner"])
    shown = client.get("/ui/review/findings/1").text
    assert "Sent back by test-admin: Say &lt;b&gt;which&lt;/b&gt; days count." in shown


def test_an_owner_discards_a_draft_from_the_review_page_and_the_published_text_is_back(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    text, _ = _edit_form(client, keys["owner"])
    _act(client, "edit", 2, text=text.replace("5 business days", "10 business days"))
    page = client.get("/ui/review/articles/refund-timeframe")
    assert 'id="discard-refund-timeframe"' in page.text, page.text
    assert "Confirm: discard draft version 3" in page.text
    refused = client.post(  # a verify under the draft says what to do instead
        "/ui/review/articles/refund-timeframe/verify",
        data={"expected_version": "3", "back": "article", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 409 and "or discard it, then verify" in refused.text
    data = {"expected_version": "3", "back": "article", "csrf_token": csrf_of(page.text),
            "note": "keeping five days"}  # fmt: skip
    done = client.post("/ui/review/articles/refund-timeframe/discard", data=data)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/ui/review/articles/refund-timeframe?done=discard"
    with session_scope(engine) as session:
        current = content.get_article(session, "refund-timeframe")
        served = content.get_article(session, "refund-timeframe", 2)
    assert (current.version, str(current.status), current.raw) == (4, "published", served.raw)
    after = client.get(done.headers["location"], follow_redirects=True)  # no draft: the queue
    assert after.url.path == "/ui/review" and "Draft discarded: the version before it" in after.text
    assert "Drafts not yet submitted" not in after.text


def test_a_never_approved_draft_is_not_said_to_have_an_approved_version_served(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["admin"])
    page = client.get("/ui/review/articles/new-fees").text
    state = re.search(r'id="state-new-fees">(.*?)</p>', page, re.S)
    assert state, page
    said = " ".join(re.sub(r"<[^>]+>", "", state.group(1)).split())
    assert said == (
        "new-fees is at version 1, draft: no version of it was ever approved, so no channel "
        "serves it until this one is approved."
    )
    assert 'id="submit-new-fees"' in page and 'id="discard-new-fees"' not in page


def test_the_review_page_offers_no_actions_on_another_owners_article(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    both = ["refund-timeframe", "escalation-process"]
    conflict = FindingData.create(
        FindingKind.CONFLICT, both, "The two articles disagree on refund times.",
        [Evidence(article_id=a, text="refund") for a in both],
    )  # fmt: skip
    with session_scope(engine) as session:
        freshness.sync_findings(session, [conflict], covered=lambda _row: False)
        (found,) = freshness.list_findings(session, kind=FindingKind.CONFLICT)
        finding_id = found.id
    sign_in(client, keys["owner"])
    page = client.get(f"/ui/review/findings/{finding_id}").text
    assert 'id="verify-refund-timeframe"' in page and 'id="edit-refund-timeframe"' in page
    for action in ("verify", "edit", "retire"):
        assert f'id="{action}-escalation-process"' not in page
    assert f"Only an owner of {SUPPORT} or an admin may change it." in page
    switch_to(client, keys["admin"])
    assert 'id="verify-escalation-process"' in client.get(f"/ui/review/findings/{finding_id}").text


def test_a_draft_not_yet_submitted_is_listed_with_submit_not_approve(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    text, _ = _edit_form(client, keys["owner"])
    _act(client, "edit", 2, text=text.replace("5 business days", "10 business days"))
    switch_to(client, keys["admin"])
    queue = client.get("/ui/review").text
    assert "Drafts not yet submitted" in queue and "Waiting for approval" not in queue
    page = client.get("/ui/review/articles/refund-timeframe").text
    assert "is a draft, not yet submitted for review." in page
    assert 'id="submit-refund-timeframe"' in page and 'id="approve-refund-timeframe"' not in page


def test_the_queue_shows_drafts_to_approve_and_approve_works_from_the_article_page(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    _submit_an_edit(client, keys["owner"])
    queue = client.get("/ui/review").text
    assert (
        "Waiting for approval" in queue and 'href="/ui/review/articles/refund-timeframe"' in queue
    )
    mine = client.get("/ui/review/articles/refund-timeframe").text
    assert "Version 3 by test-owner is in review and waits for approval." in mine
    assert 'id="approve-refund-timeframe"' not in mine and "four eyes" in mine
    switch_to(client, keys["admin"])
    page = client.get("/ui/review/articles/refund-timeframe")
    assert (
        'id="approve-refund-timeframe"' in page.text and 'name="back" value="article"' in page.text
    )
    data = {"expected_version": "3", "back": "article", "csrf_token": csrf_of(page.text)}
    approved = client.post("/ui/review/articles/refund-timeframe/approve", data=data)
    assert approved.headers["location"] == "/ui/review/articles/refund-timeframe?done=approve"
    back = client.get(approved.headers["location"])
    assert back.status_code == 303
    assert back.headers["location"] == "/ui/review?done=approve&article=refund-timeframe"
    landed = client.get(back.headers["location"]).text
    assert 'href="/ui/review/articles/refund-timeframe"' not in landed  # out of the queue
    # "unless a finding blocks it: named below" named nothing on the queue it landed on
    assert "Approved: the new version is published" in landed
    said, _ = _blocked_box_in(landed)
    assert "refund-timeframe is published but blocked for customers" in said
    assert "Disagrees with the policy (finding 1)" in said
    assert 'id="still-blocked-' not in client.get("/ui/review").text


def test_a_verify_that_resolves_its_finding_lands_on_the_queue_naming_what_still_blocks(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A finding's page the step resolved sends the owner to the queue: it names the article's
    remaining blocks there, as the finding's page would have (a wrong article id is a 400)."""
    sign_in(client, keys["owner"])
    back = client.get("/ui/review/findings/999?done=verify&article=refund-timeframe")
    assert back.status_code == 303
    assert back.headers["location"] == "/ui/review?done=verify&article=refund-timeframe"
    landed = client.get(back.headers["location"]).text
    assert 'id="still-blocked-refund-timeframe"' in landed
    assert "refund-timeframe</span> is verified but still blocked for customers" in landed
    assert client.get("/ui/review?done=verify&article=..%2Fx").status_code == 400


def test_the_queue_shows_agents_feedback_on_the_current_version(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as session:
        rating = Feedback(receipt="rcpt_0123abcd", rating="outdated", version=2, channel="agent",
                          article_id="refund-timeframe", comment="Now <i>10</i> days")  # fmt: skip
        session.add(rating)
        session.add(Feedback(receipt="rcpt_0123abce", rating="wrong", version=2, channel="chat",
                             article_id="refund-timeframe"))  # fmt: skip
    sign_in(client, keys["owner"])
    assert "Feedback from agents and customers" in client.get("/ui/review").text
    page = client.get("/ui/review/articles/refund-timeframe").text
    assert (
        "Version 2 was rated 2 times (1 by agents, 1 by customers): outdated once, wrong once."
    ) in page
    assert "outdated: Now &lt;i&gt;10&lt;/i&gt; days" in page
    assert 'id="verify-refund-timeframe"' in page
    other = client.get("/ui/review/articles/escalation-process")  # support's article
    assert other.status_code == 404
    assert "not in your review queue" in other.text and "another owner" in other.text
    assert "does not exist" not in other.text  # it does exist


def test_a_findings_due_date_is_the_queues_not_always_the_next_review(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as session:
        (mismatch,) = freshness.list_findings(session, kind=FindingKind.POLICY_MISMATCH)
        next_review = content.get_article(session, "refund-timeframe").to_document().next_review
        due_review = content.get_article(session, "escalation-process").to_document().next_review
    sign_in(client, keys["admin"])

    def detail(finding_id: int) -> str:
        page = client.get(f"/ui/review/findings/{finding_id}").text
        return page.split('<div class="detail">', 1)[1]

    assert mismatch.first_seen_at.date() != next_review
    shown = detail(1)
    assert f"due {mismatch.first_seen_at.date()}" in shown and f"due {next_review}" not in shown
    assert f"due {due_review}" in detail(2)


def test_the_hand_off_page_shows_hand_offs_never_an_answered_receipt_s_question(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """An answered receipt names an article version that every customer given it shares: its
    latest question may be another customer's, and it is no hand-off."""
    with session_scope(engine) as session:
        for status, receipt, question in [
            ("answered", "rcpt_0123abcd", "another customer's refund question"),
            ("escalate", "rcpt_4567cdef", "this customer's late fee question"),
        ]:
            session.add(AnswerEvent(kind="answer", question=question, latency_ms=5.0,
                                    channel="chat", status=status, article_id="refund-timeframe",
                                    version=2, receipt=receipt))  # fmt: skip
    sign_in(client, keys["agent"])
    answered = client.get("/ui/assist/handoff/rcpt_0123abcd")
    assert answered.status_code == 404
    assert "not a hand-off" in answered.text and "refund question" not in answered.text
    assert "<title>Error: Bot hand-off" in answered.text  # the tab and history say so too
    handoff = client.get("/ui/assist/handoff/rcpt_4567cdef")
    assert handoff.status_code == 200 and "late fee question" in handoff.text
    assert "<title>Bot hand-off" in handoff.text


def test_the_hand_off_form_takes_a_receipt_in_capitals_and_says_what_a_receipt_is(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """A receipt typed in capitals ("RCPT_4567CDEF", as a phone system or a customer read it
    out) was refused with "A receipt looks like rcpt_ followed by letters and digits", which
    it is; and "rcpt_xyz12345" got the same sentence, though it too is letters and digits, in
    an empty field: the agent typed the whole receipt again to correct one character."""
    with session_scope(engine) as session:
        session.add(AnswerEvent(kind="answer", question="this customer's late fee question",
                                latency_ms=5.0, channel="chat", status="escalate",
                                receipt="rcpt_4567cdef"))  # fmt: skip
    sign_in(client, keys["agent"])
    opened = client.get("/ui/assist/handoff", params={"receipt": " RCPT_4567CDEF "})
    assert opened.status_code == 303
    assert opened.headers["location"] == "/ui/assist/handoff/rcpt_4567cdef"
    refused = client.get("/ui/assist/handoff", params={"receipt": "rcpt_xyz12345"})
    assert refused.status_code == 400
    assert "<title>Error: Bot hand-off" in refused.text
    assert "8 to 64 digits and the letters a to f" in refused.text
    field = re.search(r'<input id="receipt"[^>]*>', refused.text)
    assert field is not None
    assert 'value="rcpt_xyz12345"' in field.group() and "autofocus" in field.group()


def _policy_changed_finding(
    engine: Engine, tmp_path: Path, *, changed: bool,
    message: str = "Policy HARDSHIP changed: version 2 ...",
) -> int:  # fmt: skip
    """HARDSHIP#3.1, cited by payment-plans (reviewed 2026-06-01), in a version 2 that took
    effect after that review; the finding as the governance check makes it."""
    from knowledge_service.freshness.rules import policy_evidence
    from tests.api.conftest import PAYMENTS
    from tests.factories import make_policy, write_article_md, write_policy_md

    old = {"3.1 Payment plans": "We offer a payment plan of up to 12 months.",
           "3.2 Fees": "No fee applies while a plan runs."}  # fmt: skip
    new = {**old, "3.1 Payment plans": "We offer a payment plan of up to 6 months."} if changed \
        else old  # fmt: skip
    roots = [tmp_path / "hardship" / "content", tmp_path / "hardship" / "policies"]
    write_article_md(roots[0], "payment-plans", owner=PAYMENTS, title="Payment plans",
                     intents=["billing.plans"], policy_sources=["HARDSHIP#3.1"])  # fmt: skip
    write_policy_md(roots[1], "HARDSHIP", clauses=old)
    content.import_content(engine, roots, max_file_bytes=1 << 20)
    v2 = {"version": "2", "effective_date": "2026-07-01", "clauses": new}
    write_policy_md(roots[1], "HARDSHIP", **v2)
    content.import_content(engine, roots, max_file_bytes=1 << 20)
    policy = make_policy("HARDSHIP", **v2)
    finding = FindingData.create(
        FindingKind.POLICY_CHANGED, ["payment-plans"], message,
        [Evidence(article_id="payment-plans", version=1, section="front matter",
                  text="last_reviewed: 2026-06-01"),
         policy_evidence(policy, "effective_date: 2026-07-01")],
        policy_id="HARDSHIP", clause="3.1", fact_key="2",
    )  # fmt: skip
    with session_scope(engine) as session:
        freshness.sync_findings(session, [finding], covered=lambda _row: False)
        (found,) = freshness.list_findings(session, kind=FindingKind.POLICY_CHANGED)
        return found.id


def test_a_policy_changed_finding_shows_the_cited_clause_and_what_changed_in_it(
    client: TestClient, keys: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    finding_id = _policy_changed_finding(engine, tmp_path, changed=True)
    sign_in(client, keys["owner"])
    page = client.get(f"/ui/review/findings/{finding_id}").text
    policy = page.split('class="source policy"', 1)[1].split("</figure>", 1)[0]
    assert "The article cites HARDSHIP#3.1</strong> (Payment plans)." in policy
    assert ("Changed since version 1 (in force when the article was last reviewed, "
            "2026-06-01):") in policy  # fmt: skip
    assert 'aria-label="Changes to HARDSHIP#3.1 from version 1 to 2"' in policy
    assert "<del>-We offer a payment plan of up to 12 months.</del>" in policy
    assert "<ins>+We offer a payment plan of up to 6 months.</ins>" in policy
    assert "No fee applies" not in policy  # a clause the article does not cite


def test_a_findings_command_is_shown_as_code_not_in_backticks(
    client: TestClient, keys: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    """The review page showed the owner's step as Markdown: "... or with `knowledge-service
    articles verify ...`", backticks and all; the command is now code, the rest escaped."""
    steps = "verify it on its review page (Verify) or with `knowledge-service articles verify "
    said = f"Policy HARDSHIP changed: check it still matches HARDSHIP#3.1, then {steps}x`."
    finding_id = _policy_changed_finding(engine, tmp_path, changed=True, message=said)
    sign_in(client, keys["owner"])
    page = client.get(f"/ui/review/findings/{finding_id}").text
    message = page.split('<p class="message">', 1)[1].split("</p>", 1)[0]
    assert '<code class="mono">knowledge-service articles verify ' in message
    assert "`" not in message
    shown = environment().from_string("{{ m|code_spans }}").render(m="Run `<b>x</b>` & <i>y</i>")
    assert shown == 'Run <code class="mono">&lt;b&gt;x&lt;/b&gt;</code> &amp; &lt;i&gt;y&lt;/i&gt;'


def test_a_policy_changed_finding_says_when_the_cited_clause_did_not_change(
    client: TestClient, keys: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    finding_id = _policy_changed_finding(engine, tmp_path, changed=False)
    sign_in(client, keys["owner"])
    page = client.get(f"/ui/review/findings/{finding_id}").text
    policy = page.split('class="source policy"', 1)[1].split("</figure>", 1)[0]
    assert "Unchanged since version 1 (in force when the article was last reviewed" in policy
    assert "<blockquote>We offer a payment plan of up to 12 months.</blockquote>" in policy
    assert "<del>" not in policy


def test_the_assist_page_announces_a_status_line_not_the_whole_results(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["agent"])
    page = client.get("/ui/assist").text
    assert '<p id="results-status" class="visually-hidden" role="status">' in page
    assert '<section id="results" aria-label="Answer and results">' in page
    assert "aria-live" not in page
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf_of(page)}
    swapped = client.post("/ui/assist/answer", data={"q": " "}, headers=htmx).text
    assert '<p id="results-status" hx-swap-oob="innerHTML"></p>' in swapped


def test_htmx_is_configured_to_apply_no_inline_style_the_csp_would_refuse(
    client: TestClient,
) -> None:
    """htmx 2 settles a swapped element's style attribute with setAttribute (refused by
    default-src 'self' when the browser gave the old one a style, e.g. a resized comment box)
    and by default injects a <style> for its indicators."""
    import json

    page = client.get("/ui/login").text
    found = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert found, page
    config = json.loads(found.group(1))
    assert config["attributesToSettle"] == ["class", "width", "height"]
    assert config["includeIndicatorStyles"] is False


@pytest.mark.parametrize("blank", ["", "   "])
def test_sign_in_with_a_blank_key_says_enter_your_key(client: TestClient, blank: str) -> None:
    form = client.get("/ui/login")
    response = client.post("/ui/login", data={"api_key": blank, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 401 and "Enter your key." in response.text
    assert "Bearer" not in response.text and SESSION_COOKIE not in response.headers.get(
        "set-cookie", ""
    )


def test_a_hand_off_opens_assist_by_its_receipt_with_the_stored_question_never_in_a_url(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge_service.web.routes import assist as assist_routes
    from tests.web.test_views_unit import _answered

    receipt = "rcpt_0123abcd"
    with session_scope(engine) as session:
        session.add(AnswerEvent(kind="answer", question="refund for card [CARD]?", latency_ms=5.0,
                                channel="chat", status="escalate", receipt=receipt))  # fmt: skip
    asked: list[str] = []
    monkeypatch.setattr(
        assist_routes, "_answer", lambda _s, _b, q: asked.append(q) or _answered([])
    )
    monkeypatch.setattr(assist_routes, "build_view", _view_without_search(assist_routes.build_view))
    sign_in(client, keys["agent"])
    handoff = client.get(f"/ui/assist/handoff/{receipt}").text
    assert (
        f'<a href="/ui/assist?handoff={receipt}">Look up the answer for this question</a>'
        in handoff
    )
    assert (
        'action="/ui/assist/answer"' not in handoff and "[CARD]" not in handoff.split("<a href")[-1]
    )
    with session_scope(engine) as session:
        logged = len(session.exec(select(AnswerEvent)).all())
    page = client.get(f"/ui/assist?handoff={receipt}")
    assert page.status_code == 200, page.text
    assert 'value="refund for card [CARD]?"' in page.text and 'id="answer-card"' in page.text
    assert asked == ["refund for card [CARD]?"]
    with session_scope(engine) as session:  # a reload asks again but records nothing
        assert len(session.exec(select(AnswerEvent)).all()) == logged
    assert client.get("/ui/assist?handoff=rcpt_ffff0000").status_code == 404
    assert client.get("/ui/assist?handoff=not-a-receipt").status_code in (400, 422)


def _view_without_search(build_view: Any) -> Any:
    """build_view without the search index (the unit app's is a stand-in)."""

    def build(session: Any, question: str, result: Any, _search: Any, **kwargs: Any) -> Any:
        return build_view(session, question, result, lambda _q: [], **kwargs)

    return build


def test_a_rejection_says_it_went_back_to_the_author(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    _submit_an_edit(client, keys["owner"])
    switch_to(client, keys["admin"])
    page = client.get("/ui/review/findings/1")
    data = {"expected_version": "3", "finding_id": "1", "csrf_token": csrf_of(page.text),
            "note": "Say which days count."}  # fmt: skip
    response = client.post("/ui/review/articles/refund-timeframe/reject", data=data)
    assert response.headers["location"] == "/ui/review/findings/1?done=reject"
    shown = client.get(response.headers["location"]).text
    assert "Sent back to the author with your reason." in shown and "Reject: done." not in shown


@pytest.mark.parametrize("back", ["finding", "article"])
def test_a_rejection_without_a_reason_shows_the_form_again_with_the_error(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges],
    back: str,
) -> None:  # fmt: skip
    _submit_an_edit(client, keys["owner"])
    switch_to(client, keys["admin"])
    source = (
        "/ui/review/findings/1" if back == "finding" else "/ui/review/articles/refund-timeframe"
    )
    page = client.get(source)
    where = {"finding_id": "1"} if back == "finding" else {"back": "article"}
    data = {"expected_version": "3", "csrf_token": csrf_of(page.text), "note": "  ", **where}
    response = client.post("/ui/review/articles/refund-timeframe/reject", data=data)
    assert response.status_code == 400 and _is_page(response), response.text
    assert '<details class="confirm" id="reject-refund-timeframe" open>' in response.text
    assert 'role="alert" id="reject-refund-timeframe-error">Say what must change' in response.text
    assert 'aria-invalid="true" aria-describedby="reject-refund-timeframe-error"' in response.text
    assert 'id="approve-refund-timeframe"' in response.text  # the rest of the page is there
    assert "is at version 3, in review" in response.text  # nothing was sent back
    assert len(written) == 1  # the edit only


def _step_by_the_editor(client: TestClient, keys: dict[str, str], step: str) -> Any:
    """The owner submits an edit, then posts ``step`` on it from the finding's page: a 409."""
    _submit_an_edit(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    data = {"expected_version": "3", "finding_id": "1", "csrf_token": csrf_of(page.text)}
    response = client.post(f"/ui/review/articles/refund-timeframe/{step}", data=data)
    assert response.status_code == 409 and _is_page(response), response.text
    return response


def test_an_action_the_state_does_not_allow_names_only_the_actions_the_page_offers(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    response = _step_by_the_editor(client, keys, "submit")
    assert "Invalid transition" in response.text
    assert "refund-timeframe is in review: you cannot submit it now" in response.text
    offered = response.text.split("this page offers: ", 1)[1].split(".", 1)[0]
    assert "Reject" in offered and "Approve" not in offered  # four eyes: not to the editor
    assert "restore" not in response.text and "reassign" not in response.text
    assert len(written) == 1  # the edit only


def test_the_editor_who_posts_approve_is_told_it_is_four_eyes(
    client: TestClient, keys: dict[str, str], written: list[StoreChanges]
) -> None:
    response = _step_by_the_editor(client, keys, "approve")
    assert "You cannot approve refund-timeframe: four eyes:" in response.text
    assert "you cannot approve it now" not in response.text
    assert len(written) == 1  # the edit only


@pytest.mark.parametrize(
    ("days", "found"),
    [("7", "The check finds 1 block in this version"),
     ("10", "The check finds nothing in this version")],
)  # fmt: skip
def test_the_approver_sees_what_the_check_finds_in_the_submitted_version(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges],
    days: str, found: str,
) -> None:  # fmt: skip
    """REFUNDS#2.1 says 10 business days: a "fix" to 7 still contradicts it, one to 10 does not.
    The check runs on the draft, stores nothing, and approving stays possible."""
    text, _ = _edit_form(client, keys["owner"])
    _act(client, "edit", 2, text=text.replace("5 business days", f"{days} business days"))
    with session_scope(engine) as session:
        stored = [(f.id, f.status, f.message) for f in freshness.list_findings(session)]
    submit = client.get("/ui/review/articles/refund-timeframe").text
    assert found in submit and 'id="check-refund-timeframe"' in submit
    _act(client, "submit", 3)
    switch_to(client, keys["admin"])
    for page in ("/ui/review/articles/refund-timeframe", "/ui/review/findings/1"):
        shown = client.get(page).text
        start = shown.index('id="check-refund-timeframe"')
        check = shown[start : shown.index("</div>", start)]
        assert found in check and "version 3" in check, check
        if days == "7":
            assert "Disagrees with the policy" in check and "REFUNDS#2.1" in check
            assert "7 business days" in check
        assert 'id="approve-refund-timeframe"' in shown
    with session_scope(engine) as session:
        assert [(f.id, f.status, f.message) for f in freshness.list_findings(session)] == stored


def _no_answer(_service: Any, _batcher: Any, _question: str) -> Any:
    """A no-answer as the answer service gives one: a new hand-off receipt each time."""
    from knowledge_service.answers.receipts import make_handoff_receipt
    from knowledge_service.answers.schemas import AnswerReason, AnswerResult, AnswerStatus
    from knowledge_service.content.schemas import Channel

    return AnswerResult(
        status=AnswerStatus.NO_ANSWER, channel=Channel.AGENT, confidence=0.2,
        reason=AnswerReason.NO_ARTICLE, receipt=make_handoff_receipt(), as_of=datetime.now(UTC),
    )  # fmt: skip


def _view_finding(build_view: Any, article_id: str, version: int) -> Any:
    """build_view whose search finds one article (the unit app has no search index)."""
    from knowledge_service.index.schemas import SearchHit

    hit = SearchHit(
        article_id=article_id, version=version, title="Refund timeframe", snippet="Refunds...",
        score=0.5, dense_score=0.5, lexical_score=0.5, unit_kind="answer", intents=["refunds"],
        audience="public", channels=["agent"], locale="en-AU",
    )  # fmt: skip

    def build(session: Any, question: str, result: Any, _search: Any, **kwargs: Any) -> Any:
        return build_view(session, question, result, lambda _q: [hit], **kwargs)

    return build


def _agent_with_no_single_answer(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """An agent signed in whose every question gets no single answer, with refund-timeframe
    among the other articles; the htmx headers its page sends."""
    from knowledge_service.web.routes import assist as assist_routes

    monkeypatch.setattr(assist_routes, "_answer", _no_answer)
    monkeypatch.setattr(
        assist_routes, "build_view", _view_finding(assist_routes.build_view, "refund-timeframe", 2)
    )
    sign_in(client, keys["agent"])
    page = client.get("/ui/assist")
    return {"HX-Request": "true", "X-CSRF-Token": csrf_of(page.text)}


@pytest.mark.parametrize("typed", [True, False])
def test_an_agent_rates_no_single_answer_naming_the_article_used_instead(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch,
    typed: bool,
) -> None:  # fmt: skip
    """The content-gap signal: "no single answer", and the agent used refund-timeframe. A card
    shown while typing was never logged, and asking again gives a new hand-off receipt: the
    rating goes to the hand-off logged then."""
    htmx = _agent_with_no_single_answer(client, keys, monkeypatch)
    if typed:
        htmx["HX-Trigger"] = "q"
    shown = client.post("/ui/assist/answer", data={"q": "pay with bitcoin"}, headers=htmx).text
    card = shown[shown.index('id="answer-card"') : shown.index("Other articles")]
    assert "No single answer" in card and 'action="/ui/assist/feedback"' in card
    assert '<option value="refund-timeframe">Refund timeframe</option>' in card
    assert 'name="shown" value="no_answer"' in card
    receipt = re.search(r'name="receipt" value="(rcpt_[0-9a-f]+)"', card)
    assert receipt, card
    form = {"receipt": receipt.group(1), "rating": "wrong", "q": "pay with bitcoin",
            "shown": "no_answer", "used_article_id": "refund-timeframe"}  # fmt: skip
    done = client.post("/ui/assist/feedback", data=form, headers=htmx)
    assert done.status_code == 200 and "recorded as <strong>wrong</strong>" in done.text
    with session_scope(engine) as session:
        (rating,) = session.exec(select(Feedback)).all()
        (logged,) = session.exec(select(AnswerEvent).where(AnswerEvent.status == "no_answer")).all()
    assert (rating.used_article_id, rating.article_id, rating.receipt) == (
        "refund-timeframe", None, logged.receipt,
    )  # fmt: skip


def test_the_other_articles_open_as_the_answer_card_shows_one_with_a_copy_button(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of the other articles is a disclosure (keyboard-reachable) that loads the article;
    without htmx its link opens the same as a page. A draft is no article to an agent."""
    htmx = _agent_with_no_single_answer(client, keys, monkeypatch)
    shown = client.post("/ui/assist/answer", data={"q": "refunds"}, headers=htmx).text
    listed = shown[shown.index('class="further"') :]
    opened = "/ui/assist/articles/refund-timeframe?version=2"
    assert f'<details class="other" hx-get="{opened}" hx-trigger="toggle once"' in listed
    assert '<summary><span class="title">Refund timeframe</span>' in listed
    assert f'<a href="{opened}">Open Refund timeframe</a>' in listed
    fragment = client.get(opened, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Refunds reach your account within 5 business days." in fragment.text
    assert "Blocked for customers" in fragment.text and "REFUNDS#2.1 says 10" in fragment.text
    assert 'data-copy-from="other-refund-timeframe-plain"' in fragment.text
    assert '<template id="other-refund-timeframe-plain">Refunds reach' in fragment.text
    full = client.get(opened)
    assert full.status_code == 200 and "<h1>" in full.text and "Sign out" in full.text
    assert client.get("/ui/assist/articles/new-fees").status_code == 404


def test_the_review_page_says_which_article_agents_used_instead(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as session:
        session.add(Feedback(receipt="rcpt_0123abcd", rating="wrong", version=2, channel="agent",
                             article_id="refund-timeframe",
                             used_article_id="escalation-process"))  # fmt: skip
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/articles/refund-timeframe").text
    assert "<li>wrong — agent used How agents escalate (escalation-process)</li>" in page
    assert (
        'Agents used instead: How agents escalate (<span class="mono">escalation-process</span>).'
        in page
    )


@pytest.mark.parametrize(
    ("headers", "back"),
    [({"HX-Request": "true", "HX-Target": "results",
       "HX-Current-URL": "http://testserver/ui/assist?handoff=rcpt_0123abcd"},
      "/ui/assist%3Fhandoff%3Drcpt_0123abcd"),
     ({"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example//ui/x"}, "/ui"),
     ({"Referer": "http://testserver/ui/assist"}, "/ui/assist")],
)  # fmt: skip
def test_a_session_ended_mid_call_links_to_sign_in_and_back_and_silences_the_old_answer(
    client: TestClient, keys: dict[str, str], headers: dict[str, str], back: str
) -> None:
    sign_in(client, keys["agent"])
    token = csrf_of(client.get("/ui/assist").text)
    client.cookies.clear()  # the session has ended (expired, or signed out in another tab)
    response = client.post(
        "/ui/assist/answer", data={"q": "refunds", "csrf_token": token}, headers=headers
    )
    assert response.status_code == 401, response.text
    assert f'Your session has ended. <a href="/ui/login?next={back}">Sign in again</a>.' in (
        response.text
    )
    silenced = '<p id="results-status" hx-swap-oob="innerHTML"></p>' in response.text
    assert silenced == (headers.get("HX-Target") == "results")


@pytest.mark.sqlite_only("the sign-in link: the store plays no part")
@pytest.mark.parametrize("header", ["Referer", "HX-Current-URL"])
def test_a_session_ended_with_a_page_address_that_is_no_url_signs_in_to_the_home_page(
    web_app: FastAPI, header: str
) -> None:
    """The sign-in link returns to the page named by the header; an address Python cannot split
    ('http://[x', an IPv6 host not closed) raised a ValueError, a 500 in place of the link."""
    with TestClient(web_app, follow_redirects=False, raise_server_exceptions=False) as client:
        form = client.post("/ui/logout", headers={header: "http://[x/ui/review"})
        fragment = client.get("/ui/assist", headers={header: "http://[x", "HX-Request": "true"})
    for response in (form, fragment):
        assert response.status_code == 401, response.text
        assert '<a href="/ui/login?next=/ui">Sign in again</a>' in response.text


@pytest.mark.parametrize("days", ["abc", "0", "367"])
def test_a_bad_period_for_the_measures_export_is_problem_json_not_a_page(
    client: TestClient, keys: dict[str, str], days: str
) -> None:
    """A BI tool reads the CSV export: its errors are the API's problem+json."""
    sign_in(client, keys["admin"])
    response = client.get(f"/ui/insights/measures.csv?days={days}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "<html" not in response.text and "days" in response.json()["detail"]
    page = client.get(f"/ui/insights?days={days}")  # the page itself keeps its error page
    assert page.status_code == 400 and _is_page(page)


def test_a_draft_that_makes_an_internal_article_public_says_its_whole_text_is_new_to_customers(
    client: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    """Made public, an internal article's diff shows only its audience line, yet every word of it
    reaches customers for the first time: the approver is told to read all of it."""
    with session_scope(engine) as session:
        raw = content.get_article(session, "escalation-process").raw
    assert "audience: internal" in raw
    api = client.put("/v1/articles/escalation-process",
                     json={"text": raw.replace("audience: internal", "audience: public")},
                     headers={"Authorization": f"Bearer {keys['admin']}",
                              "If-Match": etag("escalation-process", 1)})  # fmt: skip
    assert api.status_code == 200, api.text
    sign_in(client, keys["admin"])
    shown = client.get("/ui/review/articles/escalation-process").text
    note = re.search(r'id="new-to-customers-escalation-process">(.*?)</p>', shown, re.S)
    assert note and "for the first time" in note.group(1), shown
    diff = re.search(r'<pre class="diff"[^>]*>(.*?)</pre>', shown, re.S)
    assert diff and "audience: public" in diff.group(1)  # all the diff itself shows
    # a public article's draft changes what customers already read: no such note
    client.cookies.clear()
    _submit_an_edit(client, keys["owner"])
    switch_to(client, keys["admin"])
    page = client.get("/ui/review/articles/refund-timeframe").text
    assert "version 2 → 3" in page and "new-to-customers-" not in page


def _answered(_service: Any, _batcher: Any, _question: str) -> Any:
    """refund-timeframe v2 as the answer service gives it to an agent."""
    from knowledge_service.answers.receipts import make_receipt
    from knowledge_service.answers.schemas import AnswerReason, AnswerResult, AnswerStatus
    from knowledge_service.content.schemas import Channel

    return AnswerResult(
        status=AnswerStatus.ANSWERED, channel=Channel.AGENT, article_id="refund-timeframe",
        version=2, title="Refund timeframe", answer="Refunds reach your account **soon**.",
        confidence=0.9, reason=AnswerReason.CONFIDENT, as_of=datetime.now(UTC),
        receipt=make_receipt("refund-timeframe", 2, "0" * 64),
    )  # fmt: skip


def test_an_answer_the_sidebar_served_keeps_the_text_it_showed(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidebar logs its answers as ``POST /v1/answer`` does: the receipt proves the text
    the agent was shown, kept when it was shown."""
    from knowledge_service.web.routes import assist as assist_routes

    monkeypatch.setattr(assist_routes, "_answer", _answered)
    monkeypatch.setattr(
        assist_routes, "build_view", _view_finding(assist_routes.build_view, "refund-timeframe", 2)
    )
    sign_in(client, keys["agent"])
    token = csrf_of(client.get("/ui/assist").text)
    shown = client.post("/ui/assist/answer", data={"q": "refunds", "csrf_token": token})
    assert shown.status_code == 200 and "<strong>soon</strong>" in shown.text, shown.text
    with session_scope(engine) as session:
        (logged,) = session.exec(select(AnswerEvent)).all()
        assert logged.status == "answered" and logged.text_hash is not None
        kept = session.get(RenderedText, logged.text_hash)
        assert kept is not None and kept.text == "Refunds reach your account **soon**."


TITLE = re.compile(r"<title>([^<]*)</title>")


def title_of(page: str) -> str:
    found = TITLE.search(page)
    assert found, page
    return html.unescape(found.group(1))


def test_each_review_page_and_state_has_its_own_title(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """WCAG 2.4.2: every review page was titled "Review", whatever it showed: a screen reader
    or a row of tabs could not tell the queue, a finding, an article or a refused form apart."""
    with session_scope(engine) as session:
        session.add(Feedback(receipt="rcpt_0123abcd", rating="wrong", version=2,
                             channel="agent", article_id="refund-timeframe"))  # fmt: skip
    sign_in(client, keys["admin"])
    titles = {
        "queue": title_of(client.get("/ui/review").text),
        "finding": title_of(client.get("/ui/review/findings/1").text),
        "other finding": title_of(client.get("/ui/review/findings/2").text),
        "article": title_of(client.get("/ui/review/articles/refund-timeframe").text),
    }
    data = {"status": "acknowledged", "csrf_token": csrf_of(client.get("/ui/review").text)}
    client.post("/ui/review/findings/1/status", data=data)
    titles["acknowledged"] = title_of(client.get("/ui/review/findings/1").text)
    form = {"csrf_token": data["csrf_token"], "reason": "r", "expires_on": "next friday",
            "confirm": "yes"}  # fmt: skip
    refused = client.post("/ui/review/findings/1/accept-risk", data=form)
    titles["refused"] = title_of(refused.text)
    assert len(set(titles.values())) == len(titles), titles
    assert re.fullmatch(r"Review queue \(\d+ items\) – Review · knowledge-service",
                        titles["queue"])  # fmt: skip
    assert titles["finding"].startswith("Finding 1 (open): Disagrees with the policy")
    assert "refund-timeframe" in titles["finding"]
    assert titles["acknowledged"].startswith("Finding 1 (acknowledged): ")
    assert titles["refused"].startswith("Error: Finding 1 (acknowledged): ")
    assert (
        titles["article"].startswith("Agents' feedback: ")
        and "(refund-timeframe)" in (titles["article"])
    )


def test_a_drafts_and_a_policy_drafts_pages_say_so_in_their_titles(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {keys['admin']}", "If-Match": '"REFUNDS-v1"'}
    text = policy_text(version="2", clauses={"2.1 Refund timeframe": "Paid within 9 days."})
    assert client.put("/v1/policies/REFUNDS", headers=headers, json={"text": text}).is_success
    _submit_an_edit(client, keys["owner"])
    article = title_of(client.get("/ui/review/articles/refund-timeframe").text)
    assert article.startswith("Draft waiting for approval: ") and "(refund-timeframe)" in article
    switch_to(client, keys["admin"])
    policy = title_of(client.get("/ui/review/policies/REFUNDS").text)
    assert policy.startswith("Policy draft not yet submitted: ") and "(REFUNDS)" in policy


def _ack(client: TestClient, key: str, **fields: str) -> httpx.Response:
    """Post finding 1's acknowledge form as ``key``'s person, with ``fields`` changed."""
    sign_in(client, key)
    page = client.get("/ui/review/findings/1")
    data = {"status": "acknowledged", "note": "", "csrf_token": csrf_of(page.text), **fields}
    return client.post("/ui/review/findings/1/status", data=data)


@pytest.mark.parametrize(
    ("fields", "words"),
    [({"status": "closed"}, "Not acknowledged: choose acknowledged or open."),
     ({"status": "resolved"}, "a finding is resolved by fixing the article")],
    ids=["bad-status", "resolved-asked"],
)  # fmt: skip
def test_a_refused_acknowledgement_shows_the_finding_again_with_the_form_and_the_error(
    client: TestClient, keys: dict[str, str], engine: Engine, fields: dict[str, str], words: str
) -> None:
    """It ended on a bare error page; now the finding's page, its form open, the error in it
    and focused (as the accept-risk form does)."""
    response = _ack(client, keys["owner"], note="seen it", **fields)
    assert response.status_code == 400 and _is_page(response), response.text
    assert '<details class="confirm" id="ack" open>' in response.text
    assert 'role="alert" id="status-error" tabindex="-1" autofocus>' in response.text
    assert words in response.text
    assert ">seen it</textarea>" in response.text  # what was typed is kept
    assert 'id="evidence' in response.text or "<h3>Evidence</h3>" in response.text
    with session_scope(engine) as session:
        (finding,) = [f for f in freshness.list_findings(session) if f.id == 1]
        assert finding.status == FindingStatus.OPEN


def test_a_note_too_long_comes_back_on_the_note_with_what_was_typed(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = _ack(client, keys["owner"], note="n" * 2001)
    assert response.status_code == 400 and _is_page(response), response.text
    assert '<details class="confirm" id="ack" open>' in response.text
    assert 'aria-invalid="true" aria-describedby="status-error" autofocus>' + "n" * 2001 in (
        response.text
    )
    assert 'id="status-error">Not acknowledged: the note is longer than 2000' in response.text


def test_an_acknowledgement_the_caller_may_not_make_keeps_the_page_and_says_why(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionDeniedError(
            "only an owner of the article or an admin may change this finding"
        )

    monkeypatch.setattr(freshness, "change_finding_status", refuse)
    response = _ack(client, keys["owner"])
    assert response.status_code == 403 and _is_page(response), response.text
    assert '<details class="confirm" id="ack" open>' in response.text
    assert "Not acknowledged: only an owner of the article or an admin may" in response.text


def test_acknowledging_a_finding_resolved_meanwhile_says_so_on_the_queue(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    sign_in(client, keys["owner"])
    page = client.get("/ui/review/findings/1")
    with session_scope(engine) as session:
        row = session.get(Finding, 1)
        assert row is not None
        row.status = FindingStatus.RESOLVED
        session.add(row)
    data = {"status": "acknowledged", "csrf_token": csrf_of(page.text)}
    response = client.post("/ui/review/findings/1/status", data=data)
    assert response.status_code == 409 and _is_page(response), response.text
    assert 'id="refused" tabindex="-1" autofocus>Finding 1 was not acknowledged: it is ' in (
        response.text
    )
    assert 'id="queue-title"' in response.text
    assert title_of(response.text).startswith("Error: Review queue")


def _answers_refunds(_service: Any, _batcher: Any, _question: str) -> Any:
    """refund-timeframe v2 as the answer service gives it: the same receipt every time."""
    from knowledge_service.answers.schemas import AnswerReason, AnswerResult, AnswerStatus
    from knowledge_service.content.schemas import Channel

    return AnswerResult(
        status=AnswerStatus.ANSWERED, channel=Channel.AGENT, confidence=0.9,
        reason=AnswerReason.CONFIDENT, receipt="rcpt_0123abcd", as_of=datetime.now(UTC),
        article_id="refund-timeframe", version=2, title="Refund timeframe",
        answer="Refunds reach your account within 5 business days.",
    )  # fmt: skip


def _agent_answered_refunds(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    from knowledge_service.web.routes import assist as assist_routes

    monkeypatch.setattr(assist_routes, "_answer", _answers_refunds)
    monkeypatch.setattr(
        assist_routes, "build_view", _view_finding(assist_routes.build_view, "refund-timeframe", 2)
    )
    sign_in(client, keys["agent"])
    return {"HX-Request": "true", "X-CSRF-Token": csrf_of(client.get("/ui/assist").text)}


def _rate_in_call(client: TestClient, htmx: dict[str, str], call: str) -> httpx.Response:
    """Search "refunds" in call ``call`` and rate the card it shows wrong."""
    shown = client.post("/ui/assist/answer", data={"q": "refunds", "call": call}, headers=htmx)
    assert f'name="call" value="{call}"' in shown.text, shown.text
    form = {"receipt": "rcpt_0123abcd", "rating": "wrong", "q": "refunds", "shown": "answered",
            "call": call}  # fmt: skip
    return client.post("/ui/assist/feedback", data=form, headers=htmx)


def test_an_agents_ratings_count_once_per_call_named_by_its_call_reference(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidebar's answers and ratings named no conversation: every press of a rating in one
    call counted again, and calls could not be told apart. The call reference the agent gives
    is their conversation id, stored as a pseudonym only."""
    htmx = _agent_answered_refunds(client, keys, monkeypatch)
    page = client.get("/ui/assist").text
    assert '<label for="call">Call reference (optional)</label>' in page
    first = _rate_in_call(client, htmx, "call-0412 345 678")
    assert first.status_code == 200 and "replacing" not in first.text
    again = _rate_in_call(client, htmx, "call-0412 345 678")
    assert "replacing your earlier rating of this answer in this call" in again.text
    _rate_in_call(client, htmx, "call-0499 888 777")
    with session_scope(engine) as session:
        ratings = session.exec(select(Feedback)).all()
        events = session.exec(select(AnswerEvent)).all()
    assert len(ratings) == 2  # one per call
    calls = {r.conversation_id for r in ratings}
    assert len(calls) == 2 and all(c and c.startswith("anon-") for c in calls)
    assert {e.conversation_id for e in events} == calls  # the answers' pseudonyms, as logged
    stored = repr([r.model_dump() for r in ratings]) + repr([e.model_dump() for e in events])
    assert "0412" not in stored and "0499" not in stored


def test_without_a_call_reference_each_rating_counts_as_before(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    htmx = _agent_answered_refunds(client, keys, monkeypatch)
    _rate_in_call(client, htmx, "")
    _rate_in_call(client, htmx, "")
    with session_scope(engine) as session:
        assert [r.conversation_id for r in session.exec(select(Feedback)).all()] == [None, None]


def test_a_full_page_search_keeps_the_call_reference_and_a_long_one_is_refused_unechoed(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    htmx = _agent_answered_refunds(client, keys, monkeypatch)
    data = {"q": "refunds", "call": "c-17", "csrf_token": htmx["X-CSRF-Token"]}
    page = client.post("/ui/assist/answer", data=data).text
    assert 'id="call" name="call"' in page and 'value="c-17" aria-describedby="call-hint"' in page
    long = client.post("/ui/assist/answer", data={**data, "call": "9" * 201})
    assert long.status_code == 400 and "a call reference is at most 200 characters" in long.text
    assert "9" * 201 not in long.text


def test_the_api_documentation_page_names_its_language_and_itself(client: TestClient) -> None:
    """/docs was FastAPI's page: no lang (axe: html-has-lang), titled "knowledge-service – API"."""
    docs = client.get("/docs")
    assert docs.status_code == 200 and '<html lang="en">' in docs.text
    assert title_of(docs.text) == "API documentation (Swagger UI) · knowledge-service"
    for asset in re.findall(r'(?:src|href)="(/ui/static/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset


def test_the_api_reference_page_names_its_language_and_itself(client: TestClient) -> None:
    """/redoc was FastAPI's page: no lang (axe: html-has-lang), no main landmark."""
    reference = client.get("/redoc")
    assert reference.status_code == 200 and '<html lang="en">' in reference.text
    assert '<main><redoc spec-url="/openapi.json"></redoc></main>' in reference.text
    assert title_of(reference.text) == "API reference (ReDoc) · knowledge-service"


def test_an_admin_who_last_wrote_the_article_is_refused_on_the_finding_with_the_form(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """The accept-risk form kept its page for a bad field only: the article's last author
    (four eyes) got a bare error page, the reason typed lost."""
    from knowledge_service.content.models import ArticleVersion

    with session_scope(engine) as session:
        for row in session.exec(
            select(ArticleVersion).where(ArticleVersion.article_id == "refund-timeframe")
        ):
            row.author = "test-admin"
            session.add(row)
    form = _risk_form(client, keys["admin"])
    response = client.post("/ui/review/findings/1/accept-risk", data=form)
    assert response.status_code == 403 and _is_page(response), response.text
    assert '<details class="confirm" id="accept-risk" open>' in response.text
    assert ('role="alert" id="accept-risk-error" tabindex="-1" autofocus>Not accepted: the '
            "last author of refund-timeframe may not accept its risk") in response.text  # fmt: skip
    assert f">{form['reason']}</textarea>" in response.text
    with session_scope(engine) as session:
        assert list(acceptances_of(session, [1])) == []


def test_accepting_the_risk_of_a_finding_resolved_meanwhile_says_so_on_the_queue(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    form = _risk_form(client, keys["admin"])
    with session_scope(engine) as session:
        row = session.get(Finding, 1)
        assert row is not None
        row.status = FindingStatus.RESOLVED
        session.add(row)
    response = client.post("/ui/review/findings/1/accept-risk", data=form)
    assert response.status_code == 409 and _is_page(response), response.text
    assert ">Finding 1 was not accepted: it is resolved now" in response.text
    assert title_of(response.text).startswith("Error: Review queue")


def test_the_demand_chart_says_when_it_shows_only_the_busiest_intents(
    client: TestClient, keys: dict[str, str], engine: Engine, settings: Settings
) -> None:
    """The chart and its table showed the 10 busiest intents under "Demand by intent and
    channel", and nothing said the period had more: the sample's fortnight has 70."""
    today = TODAY if settings.today is None else settings.today
    with session_scope(engine) as session:
        for n in range(12):
            for _ in range(n + 1):  # intent.00 asked once ... intent.11 twelve times
                session.add(AnswerEvent(kind="answer", question="q", latency_ms=1.0,
                                        channel="chat", status="answered", intent=f"intent.{n:02}",
                                        at=datetime.combine(today, time(9), UTC)))  # fmt: skip
    sign_in(client, keys["leader"])
    page = client.get("/ui/insights?days=7").text
    start = page.index('id="insights-data">') + len('id="insights-data">')
    demand = json.loads(page[start : page.index("</script>", start)])["demand"]
    assert demand["intents"] == [f"intent.{n:02}" for n in range(11, 1, -1)]
    assert "The 10 busiest of the period's 12 intents" in page
    only = client.get("/ui/insights?days=7&intent=intent.05").text
    assert "demand-busiest" not in only  # one intent: all of it is shown


def test_the_intent_filter_s_example_is_an_intent_of_the_bundled_sample(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The hint read "e.g. billing.due-date", an intent no article of the sample has (its bill
    due date article says billing.duedate, as the README's example does): a leader trying it on
    the demo got an empty page."""
    sign_in(client, keys["leader"])
    page = client.get("/ui/insights").text
    hint = re.search(r'id="filter-intent-hint">As articles write it, e\.g\. ([a-z.\-]+);', page)
    assert hint is not None
    sample = (Path(__file__).parents[2] / "content").rglob("*.md")
    written = {m for p in sample for m in re.findall(r"^intents: \[(.*)\]$", p.read_text(), re.M)}
    assert any(hint.group(1) in [i.strip() for i in line.split(",")] for line in written)
