"""Findings as SARIF 2.1.0, so CI systems and code hosts can show them on the files."""

from __future__ import annotations

from typing import Any

from knowledge_service.freshness.schemas import (
    SEVERITY,
    CheckResult,
    FindingData,
    FindingKind,
    Severity,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.BLOCK: "error", Severity.WARN: "warning", Severity.INFO: "note"}
_RULE_TEXT = {
    FindingKind.INVALID: "A file breaks the content contract.",
    FindingKind.REVIEW_OVERDUE: "The article's next_review date has passed.",
    FindingKind.REVIEW_DUE_SOON: "The article's review is due soon.",
    FindingKind.POLICY_MISSING: "A cited policy or clause does not exist.",
    FindingKind.POLICY_RETIRED: "A cited policy is retired.",
    FindingKind.POLICY_CHANGED: "A cited policy changed after the article was last reviewed.",
    FindingKind.POLICY_MISMATCH: "The article states a fact that differs from a clause it cites.",
    FindingKind.CONFLICT: "Two articles answering the same need state contradicting facts.",
    FindingKind.DUPLICATE: "Two articles say substantially the same thing.",
    FindingKind.AMBIGUOUS_INTENT: "More than one article claims one intent.",
}


def _location(path: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": path}}
    if line is not None and line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(finding: FindingData, rule_index: int) -> dict[str, Any]:
    seen: set[str] = set()
    locations = []
    for evidence in finding.evidence:
        if evidence.path and evidence.path not in seen:
            seen.add(evidence.path)
            locations.append(_location(evidence.path, evidence.line))
    return {
        "ruleId": str(finding.kind),
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": locations,
        "partialFingerprints": {"knowledgeServiceFinding/v1": finding.fingerprint},
        "properties": {
            "severity": str(finding.severity),
            "article_ids": finding.article_ids,
            "policy_id": finding.policy_id,
            "clause": finding.clause,
        },
    }


def to_sarif(result: CheckResult, *, tool_version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: one rule per finding kind, one result per finding."""
    kinds = list(FindingKind)
    rules = [
        {
            "id": str(kind),
            "shortDescription": {"text": _RULE_TEXT[kind]},
            "defaultConfiguration": {"level": _LEVEL[SEVERITY[kind]]},
        }
        for kind in kinds
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "knowledge-service check",
                        "version": tool_version,
                        "informationUri": "https://example.com/knowledge-service",
                        "rules": rules,
                    }
                },
                "results": [_result(f, kinds.index(f.kind)) for f in result.findings],
            }
        ],
    }
