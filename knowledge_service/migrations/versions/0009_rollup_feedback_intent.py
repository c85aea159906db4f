"""a rating keeps its serving's intent, so the measures of an intent keep it after its answer's
log entry is purged

Revision ID: 0009
Revises: 0008
Created: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("intent", sa.String(), nullable=True))
    # Earlier ratings take their answer's intent while its log entry is still kept (as the
    # measures read it until now); one whose answer was purged already has none to take.
    op.execute(
        "UPDATE feedback SET intent = (SELECT MAX(answer_event.intent) FROM answer_event"
        " WHERE answer_event.receipt = feedback.receipt) WHERE intent IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("intent")
