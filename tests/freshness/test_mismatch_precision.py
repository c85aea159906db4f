"""policy_mismatch on correct articles that state another party's obligation, and on the
same articles changed to contradict the clause.

The cases are in ``mismatch_cases`` (see its README); each test checks a copy of one folder,
with one sentence of the article replaced.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_service.content.loader import load_content
from knowledge_service.freshness.checker import run_check
from knowledge_service.freshness.facts import FactKind, extract_facts
from knowledge_service.freshness.schemas import FindingData
from knowledge_service.settings import Settings
from tests.conftest import TODAY

CASES = Path(__file__).resolve().parent / "mismatch_cases"
SETTINGS = Settings(embedding_model="hash")

SALE = "You don't need to contact us yourself."


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def mismatches(
    tmp_path: Path, case: str, old: str, new: str, policy: tuple[str, str] | None = None
) -> list[FindingData]:
    """The policy_mismatch findings of a copy of ``case`` with ``old`` replaced by ``new`` in
    its one article (and ``policy``'s first text by its second in its one policy)."""
    root = tmp_path / case
    shutil.copytree(CASES / case, root)
    (article,) = (root / "content").glob("*.md")
    replace(article, old, new)
    if policy is not None:
        (source,) = (root / "policies").glob("*.md")
        replace(source, *policy)
    loaded = load_content([root / "content", root / "policies"], max_file_bytes=1_000_000)
    assert loaded.invalid == []
    result = run_check(loaded.articles, loaded.policies, today=TODAY, settings=SETTINGS)
    return [f for f in result.findings if f.kind == "policy_mismatch"]


@pytest.mark.parametrize(
    ("sentence", "mismatch"),
    [
        (SALE, False),  # the customer need not act; the conveyancer must lodge a notice
        ("You don't need to lodge a notice of sale.", True),  # the clause's action
        ("You don't need to lodge anything yourself.", True),
        ("Your conveyancer doesn't need to lodge a notice of sale.", True),
    ],
)
def test_an_obligation_contradicts_only_one_of_the_same_action(
    tmp_path: Path, sentence: str, mismatch: bool
) -> None:
    found = mismatches(tmp_path, "council", SALE, sentence)
    assert [f.clause for f in found] == (["7.2"] if mismatch else [])


@pytest.mark.parametrize(
    ("text", "action", "done_to"),
    [
        ("The conveyancer must lodge a notice of sale.", "lodg", {"notic", "sale"}),
        ("Your conveyancer lodges the notice. You don't need to contact us.", "contact", set()),
        (
            "A notice of sale must be lodged by the conveyancer.",
            "lodg",
            {"notic", "sale", "conveyanc"},
        ),
        ("You are not allowed to park there overnight.", "park", {"overnight"}),
        ("A first application needs a medical certificate.", "", set()),  # no verb governed
        ("Photo ID is not required.", "", set()),
        ("Full licence holders can choose it.", "", set()),  # done to what was named before
    ],
)
def test_a_rule_reads_the_action_its_cue_governs(text: str, action: str, done_to: set[str]) -> None:
    (rule,) = [f for f in extract_facts(text) if f.kind == FactKind.RULE]
    assert (rule.action, set(rule.action_object)) == (action, done_to)
