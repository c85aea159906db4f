"""The bundled sample shows exactly the problems ``content/README.md`` lists, on any date."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from knowledge_service.content.loader import load_content
from knowledge_service.freshness.service import run_check
from knowledge_service.settings import Settings
from tests.conftest import REPO_ROOT, TODAY

pytestmark = pytest.mark.slow

ROW = re.compile(r"^\| `(?P<kind>[a-z_]+)` \| (?P<articles>[^|]+) \|", re.M)


def planted() -> set[tuple[str, tuple[str, ...]]]:
    """(kind, article ids) of every row of the README's "Planted governance problems" table."""
    text = (REPO_ROOT / "content" / "README.md").read_text(encoding="utf-8")
    table = text.split("## Planted governance problems", 1)[1].split("###", 1)[0]
    return {
        (m["kind"], tuple(sorted(re.findall(r"`([a-z0-9.-]+)`", m["articles"]))))
        for m in ROW.finditer(table)
    }


@pytest.mark.parametrize(
    "day",
    [TODAY, TODAY + timedelta(days=365), TODAY + timedelta(days=5 * 365)],
    ids=str,
)
def test_sample_shows_exactly_the_planted_problems(day: date, minilm: Any) -> None:
    settings = Settings(today=day)
    folders = [REPO_ROOT / "content", REPO_ROOT / "policies"]
    loaded = load_content(folders, max_file_bytes=settings.max_file_bytes)
    result = run_check(
        loaded.articles,
        loaded.policies,
        today=day,
        settings=settings,
        embedder=minilm,
        invalid=loaded.invalid,
    )
    found = {(str(f.kind), tuple(f.article_ids)) for f in result.findings}
    assert len(planted()) == 8
    assert found == planted()
