"""``knowledge-service demo seed-traffic`` as ``make demo`` runs it: the sample knowledge base,
the real model, separate processes; then the insights page of a real server shows the weeks."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.analytics.demo_traffic import UNCOVERED
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.db import make_engine, session_scope
from knowledge_service.settings import default_model_path
from tests.conftest import REPO_ROOT
from tests.server import run_cli, serving

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DATA = re.compile(r'<script type="application/json" id="insights-data">(.*?)</script>', re.S)


Demo = tuple[Path, dict[str, str], "subprocess.CompletedProcess[str]"]
"""The demo's folder, its environment, and its first ``demo seed-traffic``."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The sample imported and seeded once per worker: pytest-xdist may run this module's tests
    on different workers, so no test may rely on another having seeded the store."""
    root = tmp_path_factory.mktemp("demo")
    env = {
        "KS_DATABASE_URL": f"sqlite:///{root / 'store.db'}", "KS_DATA_DIR": str(root / "data"),
        "KS_CONTENT_DIR": str(REPO_ROOT / "content"),
        "KS_POLICIES_DIR": str(REPO_ROOT / "policies"),
        "KS_EMBEDDING_MODEL": default_model_path(),
    }  # fmt: skip
    imported = run_cli(root, env, "import")
    assert imported.returncode == 0, imported.stderr
    yield root, env, run_cli(root, env, "demo", "seed-traffic")


def test_seed_traffic_replays_a_fortnight_once(demo: Demo) -> None:
    root, env, seeded = demo
    assert seeded.returncode == 0, seeded.stderr
    said = " ".join(seeded.stderr.split())
    found = re.search(r"seeded (\d+) synthetic answers \((.*?)\) and (\d+) ratings", said)
    assert found, said
    assert int(found.group(1)) > 14 * 12 and int(found.group(3)) > 0
    assert "answered" in found.group(2) and "no_answer" in found.group(2)
    again = run_cli(root, env, "demo", "seed-traffic")
    assert again.returncode == 0 and "nothing added" in again.stderr


def test_insights_show_the_seeded_weeks(demo: Demo) -> None:
    root, env, seeded = demo
    assert seeded.returncode == 0, seeded.stderr
    engine = make_engine(env["KS_DATABASE_URL"])
    with session_scope(engine) as session:
        key = access.create_key(session, name="demo-leader", role=Role.ADMIN).secret
    engine.dispose()
    with serving(root, env) as server, httpx.Client(base_url=server.base, timeout=120) as client:
        form = client.get("/ui/login")
        token = CSRF.search(form.text)
        assert token, form.text
        login = {"api_key": key, "csrf_token": token.group(1), "next": "/ui/insights"}
        assert client.post("/ui/login", data=login).status_code == 303
        page = client.get("/ui/insights")
    assert page.status_code == 200, page.text
    charts = json.loads(DATA.search(page.text).group(1))  # type: ignore[union-attr]
    assert len(charts["labels"]) == 7 and all(v > 0 for v in charts["rates"]["Answered"])
    assert sum(sum(v) for v in charts["escalations"].values()) > 0
    assert sum(charts["feedback"]["Wrong or outdated"]) > 0
    assert any(question in page.text for question in UNCOVERED)  # the content gaps


def test_seed_traffic_refuses_a_store_with_real_traffic(demo: Demo, tmp_path: Path) -> None:
    """A store with real answer events and no synthetic ones is a real store: refused."""
    _, demo_env, _ = demo
    root = tmp_path
    env = {**demo_env, "KS_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
           "KS_DATA_DIR": str(root / "data")}  # fmt: skip
    imported = run_cli(root, env, "import")
    assert imported.returncode == 0, imported.stderr
    engine = make_engine(env["KS_DATABASE_URL"])
    log = AnswerLog(engine)
    log.record(LoggedAnswer(kind="answer", question="when is my bill due", latency_ms=9.0,
                            caller="web-chat"))  # fmt: skip
    log.flush()
    engine.dispose()
    refused = run_cli(root, env, "demo", "seed-traffic", "--force", "--days", "0")
    assert refused.returncode == 2 and "--days" in refused.stderr
    refused = run_cli(root, env, "demo", "seed-traffic")
    assert refused.returncode == 2
    assert "real answer events" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
