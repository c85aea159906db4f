"""feedback names the rater's conversation (a pseudonym), so a conversation rates an answer once

Revision ID: 0005
Revises: 0004
Created: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Earlier ratings name no conversation: each stays a rating of its own, as it counted.
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(length=200), nullable=True))
        batch.create_index(
            "ux_feedback_conversation", ["receipt", "conversation_id", "caller"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ux_feedback_conversation")
        batch.drop_column("conversation_id")
