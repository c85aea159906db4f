"""One heavy article never stalls other answers (real server, generous bounds): the
pathological one is refused at import, and one at the markup limits is rendered once per
version, off the event loop, while an unrelated answer comes back as usual."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from knowledge_service.db import make_engine
from tests.api.conftest import auth, issue_keys
from tests.content.test_markup_limits import _at_the_limits
from tests.factories import article_text, write_article_md
from tests.server import run_cli, serving

pytestmark = pytest.mark.slow

ANSWER_BOUND = 5.0  # seconds for the unrelated answer while the heavy ones run: generous
HEAVY_IN_FLIGHT = 6


def test_a_heavy_article_does_not_stall_other_answers(tmp_path: Path) -> None:
    content = tmp_path / "content"
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
    }
    write_article_md(content, "refund-timeframe")
    (content / "heavy.md").write_text(
        _at_the_limits().replace("How long does a refund take?", "Heavy zebra article")
        .replace("billing.refund.timeframe", "zebra.heavy"),
        encoding="utf-8",
    )  # fmt: skip
    pathological = content / "pathological.md"
    pathological.write_text(
        article_text("pathological", body="## Detail\n" + "<b>x</b> " * 20_000), encoding="utf-8"
    )
    refused = run_cli(tmp_path, env, "import", str(content))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "pathological.md:" in refused.stderr and "raw HTML tags" in refused.stderr
    pathological.unlink()
    assert run_cli(tmp_path, env, "import", str(content)).returncode == 0
    engine = make_engine(env["KS_DATABASE_URL"])
    keys = issue_keys(engine)
    engine.dispose()
    with serving(tmp_path, env) as server, ThreadPoolExecutor(HEAVY_IN_FLIGHT + 1) as pool:

        def ask(question: str, channel: str) -> tuple[float, dict[str, object]]:
            started = time.perf_counter()
            response = httpx.post(
                f"{server.base}/v1/answer",
                json={"q": question, "channel": channel},
                headers=auth(keys["agent"]),
                timeout=60,
            )
            assert response.status_code == 200, response.text
            return time.perf_counter() - started, response.json()

        heavy = [
            pool.submit(ask, "Heavy zebra article", channel)
            for channel in ["agent", "web", "chat", "email", "agent", "web"][:HEAVY_IN_FLIGHT]
        ]
        took, normal = ask("How long does a refund take?", "chat")
        assert normal["article_id"] == "refund-timeframe"
        assert took < ANSWER_BOUND
        for future in heavy:
            seconds, body = future.result()
            assert body["article_id"] == "heavy" and seconds < ANSWER_BOUND
