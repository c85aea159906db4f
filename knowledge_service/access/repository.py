"""All queries of the access domain."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from knowledge_service.access.key_cache import KeyCredentials
from knowledge_service.access.models import ApiKey


def get_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()


def credentials_by_prefix(session: Session, prefix: str) -> KeyCredentials | None:
    """What authentication needs of the key with ``prefix``: a Core row, not an ORM object
    (this runs on every request)."""
    query = sa.select(
        col(ApiKey.name),
        col(ApiKey.prefix),
        col(ApiKey.key_hash),
        col(ApiKey.role),
        col(ApiKey.owner),
        col(ApiKey.revoked_at).is_not(None),
    ).where(col(ApiKey.prefix) == prefix)
    row = session.connection().execute(query).first()
    return KeyCredentials(*row) if row is not None else None


def get_key_by_name(session: Session, name: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(ApiKey.name == name)).first()


def list_keys(session: Session, *, include_revoked: bool = True) -> Sequence[ApiKey]:
    query = select(ApiKey).order_by(col(ApiKey.created_at), col(ApiKey.id))
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return session.exec(query).all()
