"""All queries of the access domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from knowledge_service.access.key_cache import KeyCredentials
from knowledge_service.access.models import ApiKey, EndedSession
from knowledge_service.db import insert_ignoring_duplicates


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
        col(ApiKey.expires_at),
        col(ApiKey.person),
    ).where(col(ApiKey.prefix) == prefix)
    row = session.connection().execute(query).first()
    return KeyCredentials(*row) if row is not None else None


def get_key_by_name(session: Session, name: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(ApiKey.name == name)).first()


def person_by_key_name(session: Session, name: str) -> str | None:
    """The person holding the key named ``name`` (revoked and expired keys included: a name is
    never reused), or None when no key has that name."""
    query = sa.select(col(ApiKey.person)).where(col(ApiKey.name) == name)
    return session.connection().execute(query).scalar()


def key_names_of_owner(session: Session, owner: str) -> list[str]:
    """The names of the owner keys acting for ``owner``, revoked and expired ones included."""
    query = sa.select(col(ApiKey.name)).where(
        col(ApiKey.owner) == owner, col(ApiKey.role) == "owner"
    )
    return list(session.connection().execute(query).scalars())


def list_keys(session: Session, *, include_revoked: bool = True) -> Sequence[ApiKey]:
    query = select(ApiKey).order_by(col(ApiKey.created_at), col(ApiKey.id))
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return session.exec(query).all()


def end_session(
    session: Session, session_hash: str, expires_at: datetime, *, now: datetime
) -> None:
    """Record a signed-out page session in the caller's transaction (a second sign-out of the
    same session, from another tab at the same moment, is no error), and delete the ended
    sessions whose expiry has passed."""
    session.execute(sa.delete(EndedSession).where(col(EndedSession.expires_at) <= now))
    insert = insert_ignoring_duplicates(EndedSession, session.connection().dialect)
    session.execute(insert, [{"session_hash": session_hash, "expires_at": expires_at}])


def session_ended(session: Session, session_hash: str) -> bool:
    """Whether the page session with this hash was signed out (one primary-key lookup; this
    runs on every page request)."""
    query = sa.select(col(EndedSession.session_hash)).where(
        col(EndedSession.session_hash) == session_hash
    )
    return session.connection().execute(query).first() is not None
