"""Roles, permissions and the authenticated caller (pure data)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from knowledge_service.content.service import NARROW_ROLES


class Role(StrEnum):
    """What a key may do (``ROLE_PERMISSIONS``). Not a ladder: an owner and a leader each add
    to what an agent may do, but neither includes the other (a leader reads the measures and
    edits nothing; an owner edits their articles and reads no measures). Admins may do
    everything. Code asks :meth:`Principal.has` or compares with one role, never by order."""

    BOT = "bot"
    AGENT = "agent"
    OWNER = "owner"
    LEADER = "leader"
    ADMIN = "admin"


class Permission(StrEnum):
    """One capability a route requires."""

    ANSWER = "answer"
    SEARCH = "search"
    READ_ARTICLES = "read_articles"
    READ_POLICIES = "read_policies"
    READ_FINDINGS = "read_findings"
    UPDATE_FINDINGS = "update_findings"
    EDIT_DOCUMENTS = "edit_documents"
    """Create, edit and move documents through the workflow (an owner: only its own, and never
    reassign; ``review.permissions`` decides per document once the body is read)."""
    GIVE_FEEDBACK = "give_feedback"
    READ_RECEIPTS = "read_receipts"
    READ_MEASURES = "read_measures"
    ADMINISTER = "administer"


_AGENT = frozenset(
    {
        Permission.ANSWER,
        Permission.SEARCH,
        Permission.READ_ARTICLES,
        Permission.READ_POLICIES,
        Permission.READ_FINDINGS,
        Permission.GIVE_FEEDBACK,
        Permission.READ_RECEIPTS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.BOT: frozenset({Permission.ANSWER, Permission.GIVE_FEEDBACK}),
    Role.AGENT: _AGENT,
    # An owner's UPDATE_FINDINGS is further limited to findings on the articles they own.
    Role.OWNER: _AGENT | {Permission.UPDATE_FINDINGS, Permission.EDIT_DOCUMENTS},
    # A team lead: the measures, gaps, events and operational metrics, and an agent's reading;
    # never an edit, a finding's status or a risk acceptance.
    Role.LEADER: _AGENT | {Permission.READ_MEASURES},
    Role.ADMIN: frozenset(Permission),
}


def roles_for(permission: Permission) -> tuple[Role, ...]:
    """Every role that grants ``permission``, in the enum's order (a listing, not a rank)."""
    return tuple(role for role in Role if permission in ROLE_PERMISSIONS[role])


LOCAL_PREFIX = "local"
"""The prefix of the command line's principal (a key's prefix is 12 hex digits, never this)."""


class Principal(BaseModel):
    """The caller a request was authenticated as.

    Attributes:
        name: The key's name (who it was issued to).
        prefix: The key's public lookup prefix.
        role: The key's role.
        owner: For ``owner`` keys, the article ``owner`` value this key acts for.
        person: Who holds the key (four eyes compare persons: :func:`same_person`); when not
            given, the name (a key created without ``--person``, a CLI actor).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    prefix: str
    role: Role
    owner: str | None = None
    person: str = ""

    @model_validator(mode="before")
    @classmethod
    def _person_defaults_to_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("person") and data.get("name"):
            data = {**data, "person": data["name"]}
        return data

    def has(self, permission: Permission) -> bool:
        """Whether the role grants ``permission`` (ownership limits are checked separately)."""
        return permission in ROLE_PERMISSIONS[self.role]

    def owns(self, article_owner: str | None) -> bool:
        """Whether this caller is the owner of an article whose ``owner`` is ``article_owner``."""
        return self.owner is not None and article_owner is not None and self.owner == article_owner

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_local(self) -> bool:
        """Whether this is the command line's operator, not the holder of an API key."""
        return self.prefix == LOCAL_PREFIX

    @property
    def reads_served_only(self) -> bool:
        """Whether this caller reads only what is served (published articles, policies in
        force): bots, agents and leaders, as the content domain's ``NARROW_ROLES`` says."""
        return str(self.role) in NARROW_ROLES


def same_person(one: str | None, other: str | None) -> bool:
    """Whether two persons (as keys name them: e-mail addresses, or key names) are one, whatever
    the case of their letters or the blanks around them."""
    if not one or not other:
        return False
    return one.strip().casefold() == other.strip().casefold()


class ApiKeyPublic(BaseModel):
    """What may be shown about a key: never its secret or its hash."""

    name: str
    prefix: str
    role: Role
    owner: str | None
    person: str
    """Who holds the key (by default its name)."""
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None
    """When the key stops working (None: never)."""


class IssuedKey(BaseModel):
    """A newly created key: ``secret`` is shown once and never stored."""

    secret: str
    key: ApiKeyPublic
