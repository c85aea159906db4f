"""Builders for test content: Markdown files and parsed documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge_service.content.parser import parse_article, parse_policy
from knowledge_service.content.schemas import ArticleDocument, PolicyDocument

ARTICLE_DEFAULTS: dict[str, Any] = {
    "title": "How long does a refund take?",
    "intents": ["billing.refund.timeframe"],
    "owner": "payments@example.com",
    "policy_sources": [],
    "last_reviewed": "2026-06-01",
    "next_review": "2027-06-01",
    "status": "published",
    "audience": "public",
    "locale": "en-AU",
}


def article_text(
    article_id: str = "refund-timeframe",
    answer: str = "Refunds reach your account within 10 business days.",
    body: str = "## Details\nAgents can check the refund status in the billing system.\n",
    **fields: Any,
) -> str:
    meta = {"id": article_id, **ARTICLE_DEFAULTS, **fields}
    meta = {k: v for k, v in meta.items() if v is not None}
    return f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{answer}\n\n{body}"


def policy_text(
    policy_id: str = "REFUNDS",
    clauses: dict[str, str] | None = None,
    **fields: Any,
) -> str:
    meta = {
        "id": policy_id,
        "title": f"{policy_id.title()} policy",
        "version": "1",
        "effective_date": "2026-01-01",
        "owner": "legal@example.com",
        "status": "active",
        **fields,
    }
    clauses = clauses or {
        "2.1 Refund timeframe": "Approved refunds are paid within 10 business days."
    }
    body = "".join(f"## {heading}\n{text}\n\n" for heading, text in clauses.items())
    return f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{body}"


def write_article_md(root: Path, article_id: str = "refund-timeframe", **kwargs: Any) -> Path:
    path = root / f"{article_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(article_id, **kwargs), encoding="utf-8")
    return path


def write_policy_md(root: Path, policy_id: str = "REFUNDS", **kwargs: Any) -> Path:
    path = root / f"{policy_id.lower()}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(policy_text(policy_id, **kwargs), encoding="utf-8")
    return path


def write_small_kb(root: Path) -> Path:
    """Two articles (one in a subfolder) under ``root/content`` and a policy under
    ``root/policies``; ``root``."""
    write_article_md(root / "content" / "billing", "refund-timeframe")
    write_article_md(root / "content", "lost-card", title="Lost card", intents=["card.lost"])
    write_policy_md(root / "policies", "REFUNDS")
    return root


def make_article(article_id: str = "refund-timeframe", **kwargs: Any) -> ArticleDocument:
    return parse_article(article_text(article_id, **kwargs), f"{article_id}.md")


def make_policy(policy_id: str = "REFUNDS", **kwargs: Any) -> PolicyDocument:
    return parse_policy(policy_text(policy_id, **kwargs), f"{policy_id.lower()}.md")


def make_caller(role: str = "admin", name: str = "tester") -> Any:
    """A caller of the content verbs with ``role`` (an ``access.schemas.Principal``)."""
    from knowledge_service.access.schemas import Principal, Role

    return Principal(name=name, prefix="test", role=Role(role))


def etag_of(doc_id: str, version: int) -> str:
    """The ``If-Match`` value naming version ``version`` of ``doc_id``."""
    return f'"{doc_id}-v{version}"'
