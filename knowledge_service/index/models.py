"""The index's one table: embeddings cached in the store, shared by every replica."""

from __future__ import annotations

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel


class StoredEmbedding(SQLModel, table=True):
    """A unit's vector by model and text hash (sha256 hex): float32 bytes."""

    __tablename__ = "embedding"

    model: str = Field(primary_key=True, max_length=200)
    text_hash: str = Field(primary_key=True, max_length=64)
    vector: bytes = Field(sa_type=LargeBinary, nullable=False)
