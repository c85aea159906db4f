"""an audit event says how its actor acted (``via``: with an API key, on the command line, or
the check), so an owner key's own events are those done with its keys, never a command line's
``--actor`` or an import's author that happens to bear a key's name

Revision ID: 0010
Revises: 0009
Created: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT = sa.table(
    "audit_log",
    sa.column("via", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("detail", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("via", sa.String(), nullable=True))
    # Earlier events say how they were made where their rows tell: a finding's decision with a
    # key names it `key:<name>` and the check's is `check`'s; keys are made on the command line
    # only; a version names its source (`api` for a key's, `cli` or a file's path otherwise).
    # A workflow step that wrote no version (submit, approve...) does not tell: it stays None,
    # read as before (a key's event when its actor is the key's name).
    audit, source = _AUDIT.c, _AUDIT.c.detail["source"].as_string()
    for via, condition in (
        ("key", audit.actor.like("key:%")),
        ("system", sa.and_(audit.actor == "check", audit.object_type == "finding")),
        ("cli", audit.object_type == "api_key"),
        ("key", source == "api"),
        ("cli", source.is_not(None)),
    ):
        op.execute(_AUDIT.update().where(audit.via.is_(None), condition).values(via=via))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("via")
