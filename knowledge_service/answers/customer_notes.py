"""What a customer channel says about a finding on the answer it gives.

A finding's own message names other articles, owners and policy clauses: it is for staff, and
the agent channel gets it. Customer channels (chat, voice, email, web) get one fixed sentence
per kind and severity instead, which says how far to rely on the answer and nothing about why.
A blocking finding reaches a customer only when an admin accepted its risk.
"""

from __future__ import annotations

from knowledge_service.freshness.schemas import FindingKind, Severity

_UNDER_REVIEW = "This answer is being reviewed; contact us if you need to confirm it before acting."
_BY_SEVERITY = {
    Severity.BLOCK: _UNDER_REVIEW,
    Severity.WARN: "This answer is being checked; it was correct when last reviewed.",
    Severity.INFO: "This answer is checked regularly and is correct as far as we know.",
}
_BY_KIND: dict[tuple[FindingKind, Severity], str] = {
    (FindingKind.REVIEW_OVERDUE, Severity.WARN):
        "This answer is due for review; it was correct when last checked.",
    (FindingKind.REVIEW_OVERDUE, Severity.BLOCK):
        "This answer is overdue for review; contact us if you need to confirm it before acting.",
    (FindingKind.REVIEW_DUE_SOON, Severity.INFO):
        "This answer is due for its regular review soon; it was correct when last checked.",
    (FindingKind.POLICY_CHANGED, Severity.WARN):
        "A policy this answer is based on was updated recently; the answer is being checked "
        "against it.",
    (FindingKind.POLICY_RETIRED, Severity.WARN):
        "A policy this answer is based on was replaced recently; the answer is being checked "
        "against the new one.",
}  # fmt: skip


def customer_message(kind: FindingKind | str, severity: Severity | str) -> str:
    """The fixed, customer-safe sentence a customer channel gives for a ``kind`` finding of
    ``severity``: never the finding's own text."""
    try:
        key = (FindingKind(kind), Severity(severity))
    except ValueError:
        return _UNDER_REVIEW
    return _BY_KIND.get(key) or _BY_SEVERITY[key[1]]
