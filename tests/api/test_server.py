"""End to end over real HTTP: ``knowledge-service serve`` in a subprocess on a free port.

The server builds everything itself from ``KS_*`` settings (a real SQLite file, the
``hash`` embedder so it starts in seconds), makes the index current and serves.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from knowledge_service.settings import Settings
from tests.api.conftest import auth, issue_keys, seed_store

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[tuple[str, dict]]:  # type: ignore[type-arg]
    seed_store(engine, tmp_path)
    keys = issue_keys(engine)
    port = _free_port()
    env = {
        **os.environ,
        "KS_DATABASE_URL": settings.database_url,
        "KS_DATA_DIR": str(settings.data_dir),
        "KS_EMBEDDING_MODEL": "hash",
        "HF_HUB_OFFLINE": "1",
    }
    cli = "from knowledge_service.cli import main; main()"
    command = [sys.executable, "-c", cli, "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert process.poll() is None, process.communicate()[0]
        yield base, keys
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
        print(output)


def test_served_api_answers_over_http(server: tuple[str, dict]) -> None:  # type: ignore[type-arg]
    base, keys = server
    with httpx.Client(base_url=base, timeout=120) as client:  # a loaded machine is slow, not wrong
        assert client.get("/readyz").json()["status"] == "ready"
        article = client.get("/v1/articles/refund-timeframe", headers=auth(keys["agent"]))
        assert article.status_code == 200 and article.json()["version"] == 2
        assert client.get("/v1/articles", headers=auth(keys["bot"])).status_code == 403
        missing = client.get("/v1/articles/nope", headers=auth(keys["agent"]))
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert client.get("/v1/policies").status_code == 401
        too_big = client.post("/v1/articles", content=b"x" * (70 * 1024))
        assert too_big.status_code == 413
        assert client.get("/openapi.json").json()["info"]["title"] == "knowledge-service"
