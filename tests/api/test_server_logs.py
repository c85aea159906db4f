"""The server's logs can be used in operations: every line starts with its time (ISO 8601, UTC),
an access line gives the request's duration, personal data in the target is redacted, and the
level is a setting (``KS_LOG_LEVEL``, ``serve --log-level``)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from knowledge_service.cli.serve import Level
from knowledge_service.http.logging import (
    ACCESS_LOGGER,
    AccessLogMiddleware,
    UtcFormatter,
    log_config,
)
from knowledge_service.privacy import RedactingFilter
from knowledge_service.settings import LogLevel, Settings
from tests.server import serving

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
ACCESS_LINE = re.compile(
    rf'^{TIME} INFO 127\.0\.0\.1:\d+ - "(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.1" '
    r"(?P<status>\d{3}) [A-Za-z ]+ (?P<ms>\d+\.\d)ms$"
)


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
        **more,
    }


@pytest.mark.slow
def test_every_line_has_a_utc_timestamp_and_access_lines_a_duration(tmp_path: Path) -> None:
    with serving(tmp_path, _env(tmp_path)) as server:
        assert httpx.get(f"{server.base}/readyz").status_code == 200
        httpx.get(f"{server.base}/v1/answer", params={"q": "mail me at jo@example.com"})
    stdout = server.stdout.read_text().splitlines()
    access = [line for line in stdout if '"GET ' in line]
    assert len(access) >= 3, stdout  # the helper's own /readyz polls, then the two above
    for line in access:
        assert ACCESS_LINE.match(line), line
    targets = [ACCESS_LINE.match(line).group("target") for line in access]  # type: ignore[union-attr]
    assert "/readyz" in targets and "/v1/answer?q=mail+me+at+[EMAIL]" in targets, targets
    assert "jo@example.com" not in server.logs() and "jo%40example.com" not in server.logs()
    application = server.stderr.read_text().splitlines()
    assert any("Application startup complete" in line for line in application), application
    for line in application:
        assert re.match(rf"^{TIME} (INFO|WARNING|ERROR) [\w.]+: ", line), line


@pytest.mark.slow
def test_the_level_is_a_setting_and_serve_option(tmp_path: Path) -> None:
    env = _env(tmp_path, KS_LOG_LEVEL="DEBUG")  # the option wins over the setting
    with serving(tmp_path, env, args=("--log-level", "warning")) as server:
        assert httpx.get(f"{server.base}/readyz").status_code == 200
    assert '"GET /readyz' not in server.logs()
    assert " INFO " not in server.stderr.read_text() and " DEBUG " not in server.logs()


def test_ks_log_level_is_read_in_any_case_and_a_bad_level_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KS_LOG_LEVEL", "WARNING")
    assert Settings().log_level == "warning"
    assert Settings.model_fields["log_level"].default == "info"
    monkeypatch.setenv("KS_LOG_LEVEL", "loud")
    with pytest.raises(ValueError, match="log_level"):
        Settings()


def test_serve_offers_the_levels_of_the_setting() -> None:
    from typing import get_args

    assert {level.value for level in Level} == set(get_args(LogLevel))


def test_the_log_configuration_sets_the_services_and_uvicorns_level() -> None:
    config = log_config("warning")
    levels = {logger.get("level") for logger in config["loggers"].values()}
    assert levels == {"WARNING"}
    assert log_config("debug")["root"]["level"] == "WARNING"  # libraries stay quiet
    assert log_config("error")["root"]["level"] == "ERROR"


def test_the_timestamp_is_iso_8601_in_utc_with_milliseconds() -> None:
    record = logging.LogRecord("knowledge_service", logging.INFO, __file__, 1, "hi", None, None)
    record.created, record.msecs = 86_400.25, 250.0  # 1970-01-02, 00:00:00.250 UTC
    line = UtcFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s").format(record)
    assert line == "1970-01-02T00:00:00.250Z INFO knowledge_service: hi"


def test_the_servers_life_is_not_logged_under_an_error_name() -> None:
    """uvicorn logs "Started server process" under "uvicorn.error"; grepping the log for
    errors must not find it."""
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started", None, None)
    line = UtcFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line == "INFO uvicorn: Started"


def _app() -> AccessLogMiddleware:
    async def ok(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def boom(request: Request) -> PlainTextResponse:
        raise RuntimeError("boom")

    return AccessLogMiddleware(Starlette(routes=[Route("/ok", ok), Route("/boom", boom)]))


def test_one_access_line_per_request_with_status_duration_and_a_redacted_target(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger=ACCESS_LOGGER),
        TestClient(_app(), client=("127.0.0.1", 50000)) as client,
    ):
        client.get("/ok", params={"q": "card 4111 1111 1111 1111"})
        with pytest.raises(RuntimeError):
            client.get("/boom")
    records = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(records) == 2
    ok, boom = records
    assert re.fullmatch(r'127.0.0.1:50000 - "GET /ok\?q=card\+\[CARD\] HTTP/1.1" 200 OK \d+\.\dms',
                        ok.getMessage()), ok.getMessage()  # fmt: skip
    assert "4111" not in caplog.text
    assert ok.status_code == 200 and ok.duration_ms >= 0  # type: ignore[attr-defined]
    assert re.fullmatch(r'127\.0\.0\.1:50000 - "GET /boom HTTP/1.1" 500 Internal Server Error '
                        r"\d+\.\dms", boom.getMessage()), boom.getMessage()  # fmt: skip
    assert boom.status_code == 500  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("forwarded", "shown"),
    [
        ("4111 1111 1111 1111", "- - "),
        ("Jane Citizen", "- - "),
        ("jo@example.com", "- - "),
        ("203.0.113.7", "203.0.113.7:0 - "),
        ("2001:db8::1", "2001:db8::1:0 - "),
    ],
)
def test_the_access_line_shows_the_client_only_as_an_ip_address(
    caplog: pytest.LogCaptureFixture, forwarded: str, shown: str
) -> None:
    """Behind a proxy the client comes from X-Forwarded-For, which the caller writes."""
    app = ProxyHeadersMiddleware(_app(), trusted_hosts="*")
    with (
        caplog.at_level(logging.INFO, logger=ACCESS_LOGGER),
        TestClient(app, client=("127.0.0.1", 50000)) as client,
    ):
        client.get("/ok", headers={"X-Forwarded-For": forwarded})
    (record,) = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert record.getMessage().startswith(shown + '"GET /ok'), record.getMessage()
    assert "4111" not in caplog.text and "Jane" not in caplog.text and "jo@" not in caplog.text


@pytest.mark.parametrize(
    ("client", "shown"),
    [("4111 1111 1111 1111:0", "-"), ("127.0.0.1:5000", "127.0.0.1:5000"), ("::1:80", "::1:80"),
     ("Jane:0", "-"), ("-", "-")],
)  # fmt: skip
def test_uvicorns_access_records_keep_only_an_ip_address(client: str, shown: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        (client, "GET", "/ok", "1.1", 200), None,
    )  # fmt: skip
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f'{shown} - "GET /ok HTTP/1.1" 200'


def test_an_access_line_is_off_below_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=ACCESS_LOGGER), TestClient(_app()) as client:
        assert client.get("/ok").status_code == 200
    assert not [r for r in caplog.records if r.name == ACCESS_LOGGER]
