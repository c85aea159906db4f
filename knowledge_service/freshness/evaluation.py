"""Score a check run against a labelled knowledge base: per-kind precision and recall.

The labels file (YAML) lists every expected finding: ``kind`` plus the sorted ``articles``, the
``policy`` for policy kinds, or the ``path`` for ``invalid`` files. A finding matches a label
when those keys are equal; anything reported but not listed is a false positive.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from knowledge_service.freshness.schemas import FindingData, FindingKind

_POLICY_KINDS = {
    FindingKind.POLICY_MISSING,
    FindingKind.POLICY_RETIRED,
    FindingKind.POLICY_CHANGED,
    FindingKind.POLICY_MISMATCH,
}
FindingKey = tuple[str, ...]


class KindScore(BaseModel):
    """Precision and recall of one finding kind."""

    kind: str
    expected: int
    found: int
    correct: int
    false_positives: list[FindingKey]
    missed: list[FindingKey]

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def label_key(entry: dict[str, Any]) -> FindingKey:
    """The comparison key of one labels-file entry."""
    kind = str(entry["kind"])
    if kind == FindingKind.INVALID:
        return (kind, Path(str(entry["path"])).as_posix())
    key = (kind, *sorted(str(a) for a in entry.get("articles", [])))
    return (*key, "@" + str(entry["policy"])) if kind in _POLICY_KINDS else key


def finding_key(finding: FindingData, root: Path | None = None) -> FindingKey:
    """The comparison key of one reported finding (``invalid`` paths relative to ``root``)."""
    if finding.kind == FindingKind.INVALID:
        path = Path(finding.evidence[0].path or "")
        if root is not None and path.resolve().is_relative_to(root.resolve()):
            path = path.resolve().relative_to(root.resolve())
        return (str(finding.kind), path.as_posix())
    key = (str(finding.kind), *finding.article_ids)
    return (*key, "@" + str(finding.policy_id)) if finding.kind in _POLICY_KINDS else key


def load_labels(path: Path) -> tuple[str, list[FindingKey]]:
    """``(today, expected keys)`` from a labels file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return str(data["today"]), [label_key(e) for e in data["findings"]]


def score(
    findings: Iterable[FindingData], expected: Iterable[FindingKey], root: Path | None = None
) -> list[KindScore]:
    """Per-kind scores of ``findings`` against ``expected`` keys (each key counted once)."""
    found = {finding_key(f, root) for f in findings}
    wanted = set(expected)
    scores = []
    for kind in FindingKind:
        f = {k for k in found if k[0] == kind}
        w = {k for k in wanted if k[0] == kind}
        scores.append(
            KindScore(
                kind=str(kind),
                expected=len(w),
                found=len(f),
                correct=len(f & w),
                false_positives=sorted(f - w),
                missed=sorted(w - f),
            )
        )
    return scores
