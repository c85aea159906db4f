"""baseline: the schema of the release before migrations

Revision ID: 0001
Revises:
Created: 2026-12-02 07:00:28.518171
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("intent", sa.String(), nullable=True),
        sa.Column("article_id", sa.String(length=120), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("receipt", sa.String(length=64), nullable=True),
        sa.Column("conversation_id", sa.String(length=200), nullable=True),
        sa.Column("caller", sa.String(length=200), nullable=True),
        sa.Column("handoff", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer_event", schema=None) as batch_op:
        batch_op.create_index("ix_answer_event_article", ["article_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_event_channel"), ["channel"], unique=False)
        batch_op.create_index(
            "ix_answer_event_conversation", ["conversation_id", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answer_event_intent"), ["intent"], unique=False)
        batch_op.create_index("ix_answer_event_receipt", ["receipt"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_event_status"), ["status"], unique=False)

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_name"), ["name"], unique=True)
        batch_op.create_index(batch_op.f("ix_api_key_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=True)

    op.create_table(
        "article",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("current_seq", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_status"), ["status"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("object_type", sa.String(), nullable=False),
        sa.Column("object_id", sa.String(), nullable=False),
        sa.Column("version_before", sa.Integer(), nullable=True),
        sa.Column("version_after", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_log_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "daily_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("intent", sa.String(), nullable=True),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("flag", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "source", "channel", "intent", "label", "reason", "flag"),
    )
    with op.batch_alter_table("daily_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_daily_count_day"), ["day"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("article_id", sa.String(length=120), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("used_article_id", sa.String(length=120), nullable=True),
        sa.Column("caller", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_rating"), ["rating"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_receipt"), ["receipt"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("policy_id", sa.String(), nullable=True),
        sa.Column("clause", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_fingerprint"), ["fingerprint"], unique=True)
        batch_op.create_index(batch_op.f("ix_finding_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_severity"), ["severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_status"), ["status"], unique=False)

    op.create_table(
        "policy",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("current_seq", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_mark",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("doc_id", sa.String(length=120), nullable=False),
        sa.Column("file_hash", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("relative_path", sa.String(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "doc_id"),
    )
    op.create_table(
        "workflow_state",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("doc_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("last_editor", sa.String(), nullable=False),
        sa.Column("submitted_by", sa.String(), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("rejected_by", sa.String(), nullable=True),
        sa.Column("rejection_reason", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "doc_id"),
    )
    op.create_table(
        "article_version",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("article_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("audience", sa.String(), nullable=False),
        sa.Column("locale", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("article_id", "version"),
    )
    with op.batch_alter_table("article_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_version_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_article_version_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_article_version_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_version_status"), ["status"], unique=False)

    op.create_table(
        "finding_article",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.PrimaryKeyConstraint("finding_id", "article_id"),
    )
    with op.batch_alter_table("finding_article", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_article_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "policy_version",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("policy_id", sa.String(length=120), nullable=False),
        sa.Column("policy_version", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policy.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("policy_id", "version"),
    )
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_version_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_policy_version_policy_id"), ["policy_id"], unique=False
        )

    op.create_table(
        "risk_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["finding.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_acceptance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_acceptance_finding_id"), ["finding_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_acceptance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_acceptance_finding_id"))

    op.drop_table("risk_acceptance")
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_version_policy_id"))
        batch_op.drop_index(batch_op.f("ix_policy_version_created_at"))

    op.drop_table("policy_version")
    with op.batch_alter_table("finding_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_article_article_id"))

    op.drop_table("finding_article")
    with op.batch_alter_table("article_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_version_status"))
        batch_op.drop_index(batch_op.f("ix_article_version_owner"))
        batch_op.drop_index(batch_op.f("ix_article_version_created_at"))
        batch_op.drop_index(batch_op.f("ix_article_version_article_id"))

    op.drop_table("article_version")
    op.drop_table("workflow_state")
    op.drop_table("sync_mark")
    op.drop_table("policy")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_status"))
        batch_op.drop_index(batch_op.f("ix_finding_severity"))
        batch_op.drop_index(batch_op.f("ix_finding_policy_id"))
        batch_op.drop_index(batch_op.f("ix_finding_kind"))
        batch_op.drop_index(batch_op.f("ix_finding_fingerprint"))

    op.drop_table("finding")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_receipt"))
        batch_op.drop_index(batch_op.f("ix_feedback_rating"))
        batch_op.drop_index(batch_op.f("ix_feedback_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_article_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("daily_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_count_day"))

    op.drop_table("daily_count")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_object")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_status"))

    op.drop_table("article")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_prefix"))
        batch_op.drop_index(batch_op.f("ix_api_key_owner"))
        batch_op.drop_index(batch_op.f("ix_api_key_name"))

    op.drop_table("api_key")
    with op.batch_alter_table("answer_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_event_status"))
        batch_op.drop_index("ix_answer_event_receipt")
        batch_op.drop_index(batch_op.f("ix_answer_event_intent"))
        batch_op.drop_index("ix_answer_event_conversation")
        batch_op.drop_index(batch_op.f("ix_answer_event_channel"))
        batch_op.drop_index(batch_op.f("ix_answer_event_at"))
        batch_op.drop_index("ix_answer_event_article")

    op.drop_table("answer_event")
