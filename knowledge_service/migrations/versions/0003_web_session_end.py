"""signed-out page sessions in the store, refused by every worker and replica

Revision ID: 0003
Revises: 0002
Created: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session_end",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_hash"),
    )
    with op.batch_alter_table("web_session_end", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_session_end_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("web_session_end", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_end_expires_at"))
    op.drop_table("web_session_end")
