"""API keys: issue, list, revoke and authenticate; role and ownership checks.

A key reads ``ks_<prefix>_<secret>``. The prefix is public and finds the row; the store keeps
only the SHA-256 of the whole key, compared in constant time. The secret has 256 bits of
entropy, so a plain (unsalted, fast) hash is safe here, as it is for GitHub tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Sequence
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.access import repository
from knowledge_service.access.key_cache import KeyCredentials, key_cache
from knowledge_service.access.models import ApiKey
from knowledge_service.access.schemas import (
    ApiKeyPublic,
    IssuedKey,
    Principal,
    Role,
)
from knowledge_service.audit import record_event
from knowledge_service.content.models import utcnow
from knowledge_service.content.schemas import NO_TEXT_TO_SHOW, require_one_line, shows_text
from knowledge_service.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    a_or_an,
)

KEY_SCHEME = "ks"
_PREFIX_BYTES = 6
_SECRET_BYTES = 32
_MAX_KEY_CHARS = 200
PREFIX = re.compile(f"[0-9a-f]{{{2 * _PREFIX_BYTES}}}")
"""A key's prefix, as :func:`generate_key` makes it (hex): a prefix of other characters names
no key, and is never looked up (PostgreSQL refuses a NUL in a query's text, which a sign-in form
or a cookie can carry)."""
API_KEY = "api_key"
"""The audit log's object type of API keys."""
LOCAL_OPERATOR = "local-operator"
"""The audit actor of a key change whose caller names none (the CLI names the OS user,
``cli.common.local_operator``; key events of earlier releases name this)."""
MAX_EXPIRY_DAYS = 3650
"""The longest life ``expires_in_days`` may give a key (ten years); a key without it never
expires."""
# Compared against when the prefix is unknown, so a miss costs the same as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_key(raw_key: str) -> str:
    """The SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def generate_key() -> tuple[str, str]:
    """A new random key and its public prefix: ``(ks_<prefix>_<secret>, prefix)``."""
    prefix = secrets.token_hex(_PREFIX_BYTES)
    return f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}", prefix


def parse_prefix(raw_key: str) -> str | None:
    """The prefix of a well-formed key, or None when ``raw_key`` is not shaped like one."""
    if len(raw_key) > _MAX_KEY_CHARS:
        return None
    scheme, _, rest = raw_key.partition("_")
    prefix, sep, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not sep or not secret or not PREFIX.fullmatch(prefix):
        return None
    return prefix


def to_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        name=key.name,
        prefix=key.prefix,
        role=Role(key.role),
        owner=key.owner,
        person=key.person,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        expires_at=key.expires_at,
    )


def create_key(
    session: Session,
    *,
    name: str,
    role: Role,
    owner: str | None = None,
    actor: str = LOCAL_OPERATOR,
    expires_in_days: int | None = None,
    person: str | None = None,
) -> IssuedKey:
    """Issue a new key; the returned ``secret`` is the only copy of it anywhere.

    Args:
        session: An open session (the caller commits).
        name: A unique name saying who or what uses the key.
        role: What the key may do.
        owner: For ``owner`` keys (required there, refused elsewhere), the article ``owner``
            value whose articles this key may manage.
        actor: Who issues the key, for the audit log.
        expires_in_days: The key stops working this many days from now (1 to
            :data:`MAX_EXPIRY_DAYS`); None: it works until it is revoked.
        person: Who holds the key (an e-mail address, say), the same for every key one person
            holds: four eyes compare it. None: the key's name (a key of its own person, as
            every key was before keys named theirs; never the owner, which is a team).

    Raises:
        InvalidRequestError: The name or the person is empty or too long, ``owner`` is
            missing, misplaced or of invisible characters only, or ``expires_in_days`` is out
            of range.
        ConflictError: A key with this name already exists.
    """
    name = name.strip()
    owner = owner.strip() if owner else None
    if not name or len(name) > 200:
        raise InvalidRequestError("name", "must be 1 to 200 characters")
    require_one_line("name", name)
    person = name if person is None else _checked_person(person)
    require_one_line("owner", owner or "")
    if owner and not shows_text(owner):  # no article's owner can be: it would act for no one
        raise InvalidRequestError("owner", NO_TEXT_TO_SHOW)
    if role == Role.OWNER and not owner:
        raise InvalidRequestError("owner", "an owner key needs the owner it acts for")
    if role != Role.OWNER and owner:
        raise InvalidRequestError("owner", f"only owner keys act for an owner, not {role} keys")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise InvalidRequestError(
            "expires_in_days", f"must be 1 to {MAX_EXPIRY_DAYS} (got {expires_in_days})"
        )
    if repository.get_key_by_name(session, name) is not None:
        raise ConflictError(f"a key named {name!r} already exists")
    secret, prefix = generate_key()
    key = ApiKey(
        name=name, prefix=prefix, key_hash=hash_key(secret), role=role, owner=owner,
        person=person,
    )  # fmt: skip
    if expires_in_days is not None:
        key.expires_at = key.created_at + timedelta(days=expires_in_days)
    session.add(key)
    session.flush()
    detail = {"role": str(role), "owner": owner, "prefix": prefix, "person": person}
    if key.expires_at is not None:
        detail["expires_at"] = key.expires_at.isoformat()
    record_event(
        session, actor=actor, via="cli", action="key_created", object_type=API_KEY, object_id=name,
        detail=detail,
    )  # fmt: skip
    return IssuedKey(secret=secret, key=to_public(key))


def list_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKeyPublic]:
    """Every key, oldest first, without secrets; with ``include_revoked`` False, only the keys
    that work now (neither revoked nor expired)."""
    keys = repository.list_keys(session, include_revoked=include_revoked)
    now = utcnow()
    return [
        to_public(k) for k in keys if include_revoked or k.expires_at is None or k.expires_at > now
    ]


def revoke_key(
    session: Session, name_or_prefix: str, *, actor: str = LOCAL_OPERATOR
) -> ApiKeyPublic:
    """Revoke a key found by its name or its prefix; once committed, it stops working at once
    in this process and within ``KEY_CACHE_SECONDS`` in every other (see ``key_cache``).

    Raises:
        NotFoundError: No key has that name or prefix.
        ConflictError: The key is already revoked, or one key has it as its name and another
            as its prefix (which one is meant cannot be told).
    """
    key = _find_key(session, name_or_prefix, "revoke")
    if key.is_revoked:
        raise ConflictError(f"the key {key.name!r} is already revoked")
    key.revoked_at = utcnow()
    session.add(key)
    record_event(
        session, actor=actor, via="cli", action="key_revoked", object_type=API_KEY,
        object_id=key.name, detail={"prefix": key.prefix},
    )  # fmt: skip
    session.flush()
    _forget_on_commit(session, key.prefix)
    return to_public(key)


def set_person(
    session: Session, name_or_prefix: str, person: str, *, actor: str = LOCAL_OPERATOR
) -> ApiKeyPublic:
    """Say who holds a key found by its name or its prefix (revoked keys too: four eyes ask
    who made an edit with a key revoked since); audited. A key made before keys named their
    person holds its own name until this names the person.

    Raises:
        NotFoundError: No key has that name or prefix.
        ConflictError: One key has it as its name and another as its prefix.
        InvalidRequestError: The person is empty, too long or not one line.
    """
    key = _find_key(session, name_or_prefix, "name the person of")
    person, before = _checked_person(person), key.person
    key.person = person
    session.add(key)
    record_event(
        session, actor=actor, via="cli", action="key_person_set", object_type=API_KEY,
        object_id=key.name, detail={"prefix": key.prefix, "person": person, "before": before},
    )  # fmt: skip
    session.flush()
    _forget_on_commit(session, key.prefix)
    return to_public(key)


def person_of(session: Session, actor: str) -> str:
    """The person behind an author or actor the store names: the person of the key with that
    name, else the name itself (a CLI actor, ``import``)."""
    return repository.person_by_key_name(session, actor) or actor


def actors_of_owner(session: Session, owner: str) -> list[str]:
    """Every name under which the audit log records what ``owner``'s keys did: each owner
    key's name (a workflow step's actor) and ``key:<name>`` (a finding's), revoked and expired
    keys included (a key's name is never reused, nor its owner changed)."""
    names = repository.key_names_of_owner(session, owner)
    return [*names, *(f"key:{name}" for name in names)]


def _checked_person(person: str) -> str:
    person = person.strip()
    if not person or len(person) > 200:
        raise InvalidRequestError("person", "must be 1 to 200 characters")
    require_one_line("person", person)
    return person


def _find_key(session: Session, name_or_prefix: str, verb: str) -> ApiKey:
    named = repository.get_key_by_name(session, name_or_prefix)
    prefixed = repository.get_key_by_prefix(session, name_or_prefix)
    if named is not None and prefixed is not None and named.id != prefixed.id:
        raise ConflictError(
            f"{name_or_prefix!r} is the name of one key and the prefix of another: {verb} the "
            f"first by its prefix, {named.prefix}, or the second by its name, {prefixed.name!r}"
        )
    key = named or prefixed
    if key is None:
        raise NotFoundError("API key", name_or_prefix)
    return key


def _forget_on_commit(session: Session, prefix: str) -> None:
    """Drop the key's cached credentials once the change commits (it applies here at once)."""
    cache = key_cache(_engine_of(session))
    event.listen(session, "after_commit", lambda _session: cache.forget(prefix), once=True)


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _credentials(session: Session, prefix: str) -> KeyCredentials | None:
    """The credentials of the key with ``prefix``: from this process's short-lived cache, or
    from the store (and then cached; unknown prefixes are not)."""
    cache = key_cache(_engine_of(session))
    found = cache.get(prefix)
    if found is None:
        found = repository.credentials_by_prefix(session, prefix)
        if found is not None:
            cache.put(found)
    return found


def authenticate(session: Session, raw_key: str | None) -> Principal:
    """The caller a raw bearer key belongs to (the key's credentials may come from a cache of
    the last ``KEY_CACHE_SECONDS``: see :mod:`knowledge_service.access.key_cache`).

    Raises:
        AuthenticationError: No key, a malformed or unknown key, or a revoked or expired key.
    """
    prefix = _prefix_of(raw_key)
    key = _credentials(session, prefix) if prefix else None
    return _principal(key, raw_key or "")


def authenticate_from_cache(engine: Engine, raw_key: str | None) -> Principal | None:
    """The caller, when no store read is needed to say who it is: the same checks as
    :func:`authenticate` on the credentials cached for ``engine``; None when the key's prefix
    is not in the cache (ask :func:`authenticate` then, which reads the store). Lets a request
    authenticate without a session or a thread hop.

    Raises:
        AuthenticationError: No key, a malformed key, a wrong secret, or a revoked or expired
            key.
    """
    prefix = _prefix_of(raw_key)
    if prefix is None:
        return _principal(None, raw_key or "")
    key = key_cache(engine).get(prefix)
    return None if key is None else _principal(key, raw_key or "")


def _prefix_of(raw_key: str | None) -> str | None:
    if not raw_key:
        raise AuthenticationError("an API key is required: send 'Authorization: Bearer <key>'")
    return parse_prefix(raw_key)


def _principal(key: KeyCredentials | None, raw_key: str) -> Principal:
    """The principal of ``key`` when ``raw_key`` is its secret and it is neither revoked nor
    expired (the comparison costs the same whether or not the key was found). Only the holder
    of the right secret learns that a key was revoked or has expired, and nothing more (not
    when it expired)."""
    matches = hmac.compare_digest(key.key_hash if key else _DUMMY_HASH, hash_key(raw_key))
    if key is None or not matches:
        raise AuthenticationError("the API key is not valid")
    if key.revoked:
        raise AuthenticationError("the API key has been revoked")
    if key.has_expired(utcnow()):
        raise AuthenticationError("the API key has expired: ask an administrator for a new one")
    return Principal(
        name=key.name, prefix=key.prefix, role=Role(key.role), owner=key.owner,
        person=key.person or key.name,
    )  # fmt: skip


def authorize_roles(principal: Principal, roles: Sequence[Role]) -> None:
    """Raise :class:`PermissionDeniedError` unless the caller is an admin or in ``roles``."""
    if principal.role != Role.ADMIN and principal.role not in roles:
        allowed = ", ".join(sorted({str(r) for r in roles} | {str(Role.ADMIN)}))
        role = a_or_an(str(principal.role))
        raise PermissionDeniedError(f"{role} key may not do this (needs: {allowed})")


def authorize_owner(principal: Principal, owners: Collection[str], what: str) -> None:
    """Raise :class:`PermissionDeniedError` unless the caller is an admin or one of ``owners``.

    Args:
        principal: The caller.
        owners: The ``owner`` values of the articles concerned.
        what: The action, for the message ("change this finding").
    """
    if not principal.is_admin and not any(principal.owns(owner) for owner in owners):
        raise PermissionDeniedError(f"only an owner of the article or an admin may {what}")
