"""an API key names the person holding it (``keys create --person``), and the workflow records
the person who last edited a draft: four eyes compare persons, not keys

Revision ID: 0008
Revises: 0007
Created: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Earlier keys are each their own person (their name), so four eyes judge them as before;
    # `keys set-person` names the person of each once it is known.
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("person", sa.String(length=200), nullable=True))
    op.execute("UPDATE api_key SET person = name")
    with op.batch_alter_table("api_key") as batch:
        batch.alter_column("person", existing_type=sa.String(length=200), nullable=False)
    # Earlier records name no person (None): four eyes ask the key named `last_editor` who
    # holds it now (review.workflow_state), so a person named later counts for them too.
    with op.batch_alter_table("workflow_state") as batch:
        batch.add_column(sa.Column("last_editor_person", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflow_state") as batch:
        batch.drop_column("last_editor_person")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("person")
