"""answers keep the text each channel received, so a receipt shows it whatever a later release
renders

Revision ID: 0006
Revises: 0005
Created: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rendered_text",
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("text_hash"),
    )
    # Answers logged before keep no text (None): their receipts render the version again.
    with op.batch_alter_table("answer_event") as batch:
        batch.add_column(sa.Column("text_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answer_event") as batch:
        batch.drop_column("text_hash")
    op.drop_table("rendered_text")
