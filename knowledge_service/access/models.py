"""Tables of the access domain: API keys, stored as hashes only, and signed-out page sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from knowledge_service.content.models import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """One API key. The secret is never stored: only its SHA-256 and a public lookup prefix."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=200)
    prefix: str = Field(unique=True, index=True, max_length=32)
    key_hash: str = Field(max_length=64)
    role: str
    owner: str | None = Field(default=None, index=True)
    person: str = Field(max_length=200)
    """Who holds the key (``keys create --person``; by default the key's name): four eyes
    compare persons, so one person's two keys (an owner key and an admin key, or a key and
    its successor) count as one."""
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    expires_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    """When the key stops working (None: never; ``keys create --expires-in-days``)."""

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class EndedSession(SQLModel, table=True):
    """A page session signed out before its expiry, by the SHA-256 of its id (never the id).

    Kept in the store, so every worker and replica, and the server after a restart, refuse its
    cookie; the row is useless once ``expires_at`` has passed (the cookie has expired too)."""

    __tablename__ = "web_session_end"

    session_hash: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
