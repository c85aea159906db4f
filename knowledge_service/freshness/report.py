"""Findings for owners and their tools: evidence located on file lines, and SARIF 2.1.0, so CI
systems and code hosts can show findings inline on the files."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from knowledge_service.freshness.schemas import (
    SEVERITY,
    CheckResult,
    FindingData,
    FindingKind,
    Severity,
)

Accepted = Mapping[str, tuple[date, str]]
"""Blocks whose risk is accepted on the day checked: ``fingerprint -> (until, by whom)``."""

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


# Where each kind is explained, with how to fix it (relative to the repository root).
HELP_URI = "docs/content-format.md#{anchor}"
_HELP_TEXT = {
    FindingKind.INVALID: "Fix the file at the line and field the message names.",
    FindingKind.REVIEW_OVERDUE: "Check the article with its owner, then verify it "
    "(knowledge-service articles verify ID) or edit next_review.",
    FindingKind.REVIEW_DUE_SOON: "Plan the review: check the article, then verify it.",
    FindingKind.POLICY_MISSING: "Correct policy_sources: the message lists the policy's clauses.",
    FindingKind.POLICY_RETIRED: "Cite the clause that replaced the retired policy (the message "
    "names it when the policy does) and check the article against it.",
    FindingKind.POLICY_CHANGED: "Read the new policy version, correct the article if needed, then "
    "verify it.",
    FindingKind.POLICY_MISMATCH: "Correct the article to what the clause says, or ask the policy "
    "owner whether the policy should change.",
    FindingKind.CONFLICT: "Correct the article that is wrong (the message says which one a cited "
    "clause supports), or state the condition that tells the two apart.",
    FindingKind.DUPLICATE: "Merge the two articles, or make their scopes distinct.",
    FindingKind.AMBIGUOUS_INTENT: "Keep one canonical article for the intent, or split the intent.",
}


def line_of(content: str, text: str) -> int | None:
    """The 1-based line of ``content`` (a Markdown file) where ``text`` (a sentence as the
    check quotes it: Markdown marks removed, lines joined) starts; None when not found."""
    key = re.match(r"^([a-z_]+): ", text)
    if key:
        for n, line in enumerate(content.splitlines(), start=1):
            if line.startswith(f"{key.group(1)}:"):
                return n
    flat: list[str] = []
    lines: list[int] = []
    for n, line in enumerate(content.splitlines(), start=1):
        for ch in re.sub(r"[*_`>]+|^\s*(?:[-*+]|\d+[.)])\s+|^#+\s*", "", line) + " ":
            if ch.isspace() and flat and flat[-1] == " ":
                continue
            flat.append(" " if ch.isspace() else ch.lower())
            lines.append(n)
    needle = re.sub(r"\s+", " ", text.strip().lower())[:60]
    at = "".join(flat).find(needle) if needle else -1
    return lines[at] if at >= 0 else None


def locate_evidence(findings: list[FindingData], read: Callable[[str], str | None]) -> None:
    """Fill in the line of every evidence span that names a file but no line.

    ``read``: the text of a file by its path (None when it cannot be read).
    """
    for finding in findings:
        for evidence in finding.evidence:
            if evidence.path and evidence.line is None:
                content = read(evidence.path)
                if content is not None:
                    evidence.line = line_of(content, evidence.text)


def accepted_risk(finding: FindingData, accepted: Accepted) -> tuple[date, str] | None:
    """Until when and by whom the risk of ``finding`` is accepted: a block only (None else)."""
    if finding.severity != Severity.BLOCK:
        return None
    return accepted.get(finding.fingerprint)


def effective_severity(finding: FindingData, accepted: Accepted) -> Severity:
    """What serving makes of ``finding``: a block whose risk is accepted is served, a warning."""
    return Severity.WARN if accepted_risk(finding, accepted) else finding.severity


def to_json(result: CheckResult, accepted: Accepted | None = None) -> dict[str, Any]:
    """``check --format json``: each finding with ``risk_accepted_until`` and
    ``risk_accepted_by`` (a block whose risk is accepted on the day checked; else null), and the
    summary with ``risk_accepted``, how many blocks have one (``blocking`` leaves them out)."""
    accepted = accepted or {}
    data = result.as_json()
    for finding, item in zip(result.findings, data["findings"], strict=True):
        until, by = accepted_risk(finding, accepted) or (None, None)
        item["risk_accepted_until"] = until.isoformat() if until else None
        item["risk_accepted_by"] = by
    data["summary"]["risk_accepted"] = sum(1 for f in result.findings if accepted_risk(f, accepted))
    return data


def _location(path: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": path}}
    if line is not None and line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(finding: FindingData, rule_index: int, accepted: Accepted) -> dict[str, Any]:
    """One SARIF result. A block whose risk is accepted has the level of a warning, as the exit
    code counts it (customer channels serve it), its message says until when and by whom, and its
    properties keep the block's severity; it is no suppression: it is still to fix."""
    risk = accepted_risk(finding, accepted)
    message = finding.message
    properties: dict[str, Any] = {
        "severity": str(finding.severity),
        "article_ids": finding.article_ids,
        "policy_id": finding.policy_id,
        "clause": finding.clause,
    }
    if risk is not None:
        until, by = risk
        message += f" (Risk accepted until {until.isoformat()} by {by}: served.)"
        properties |= {"risk_accepted_until": until.isoformat(), "risk_accepted_by": by}
    seen: set[tuple[str, int | None]] = set()
    locations = []
    for evidence in finding.evidence:
        if evidence.path and (evidence.path, evidence.line) not in seen:
            seen.add((evidence.path, evidence.line))
            locations.append(_location(evidence.path, evidence.line))
    return {
        "ruleId": str(finding.kind),
        "ruleIndex": rule_index,
        "level": _LEVEL[effective_severity(finding, accepted)],
        "message": {"text": message},
        "locations": locations,
        "partialFingerprints": {"knowledgeServiceFinding/v1": finding.fingerprint},
        "properties": properties,
    }


def to_sarif(
    result: CheckResult, *, tool_version: str, accepted: Accepted | None = None
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: one rule per finding kind, one result per finding (a
    block whose risk is accepted, in ``accepted``, at the level of a warning)."""
    accepted = accepted or {}
    kinds = list(FindingKind)
    rules = [
        {
            "id": str(kind),
            "name": "".join(part.title() for part in str(kind).split("_")),
            "shortDescription": {"text": _RULE_TEXT[kind]},
            "fullDescription": {"text": f"{_RULE_TEXT[kind]} {_HELP_TEXT[kind]}"},
            "help": {"text": _HELP_TEXT[kind], "markdown": _HELP_TEXT[kind]},
            "helpUri": HELP_URI.format(anchor=str(kind)),
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
                        "informationUri": "docs/content-format.md#findings-of-the-governance-check",
                        "rules": rules,
                    }
                },
                "results": [_result(f, kinds.index(f.kind), accepted) for f in result.findings],
            }
        ],
    }
