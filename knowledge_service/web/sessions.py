"""Page sessions: an API key signs in once and becomes a signed, expiring session token.

The cookie never holds the key. It holds ``<session id>.<key prefix>.<expiry>.<signature>``,
signed with HMAC-SHA256 under a secret kept in the data folder (shared by every worker of one
machine). The signature also covers the key's stored hash, so a revoked or replaced key ends
its sessions at once; every request looks the key up again by its public prefix. The CSRF token
is derived from the session id (HMAC under the same secret): nothing to store, nothing a
cross-site page can read. Logging out records the session as ended in the store (the SHA-256
of its id, until its expiry), so every worker and replica, and the server after a restart,
refuse its cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from knowledge_service.access import repository as keys
from knowledge_service.access.service import PREFIX
from knowledge_service.keyfile import load_key

SESSION_COOKIE = "ks_session"
LOGIN_CSRF_COOKIE = "ks_login_csrf"
SESSION_SECONDS = 8 * 3600
"""A session lasts one working shift, then the key must be entered again."""
SESSION_KEY_FILE = "web-session.key"
"""The pages' cookie-signing secret in the data folder."""

_ASCII_DIGITS = re.compile(r"[0-9]{1,12}")
"""An expiry's digits (epoch seconds), as :meth:`SessionSigner.issue` writes them."""
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A session id, as :meth:`SessionSigner.issue` makes it (URL-safe base64). A cookie may carry
any character (a quoted value's octal escape gives a NUL, which PostgreSQL refuses in a query:
the key's prefix is checked as a key's is, :data:`~knowledge_service.access.service.PREFIX`)."""


def load_secret(data_dir: Path) -> bytes:
    """The signing secret from ``data_dir`` (created, readable by this user only, if missing)."""
    return load_key(data_dir, SESSION_KEY_FILE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _stored_id(session_id: str) -> str:
    """What the store keeps of an ended session's id: its SHA-256 (hex)."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _same(sent: str, expected: str) -> bool:
    """``sent`` is ``expected``, compared in constant time as UTF-8 bytes: a cookie, a form
    field or a header may carry any character, and ``hmac.compare_digest`` raises a TypeError
    on a string with one outside ASCII (a 500 where a forged token is refused)."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("ascii"))


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class SessionToken:
    """What a valid session cookie says."""

    session_id: str
    prefix: str
    expires_at: int


class SessionSigner:
    """Issues and checks session tokens and their CSRF tokens."""

    def __init__(self, secret: bytes, *, lifetime: int = SESSION_SECONDS) -> None:
        self._secret = secret
        self._lifetime = lifetime

    def _mac(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def issue(self, prefix: str, key_hash: str, *, now: float | None = None) -> str:
        """A new session token for the key with ``prefix`` and stored hash ``key_hash``."""
        session_id = secrets.token_urlsafe(24)
        expires = int(now if now is not None else time.time()) + self._lifetime
        body = f"{session_id}.{prefix}.{expires}"
        return f"{body}.{self._mac('session', body, key_hash)}"

    @staticmethod
    def peek(token: str) -> SessionToken | None:
        """The token's claims, unchecked (the prefix says which key to load for :meth:`verify`)."""
        parts = token.split(".")
        # ASCII digits only: str.isdigit() also takes '²', which int() refuses
        if len(parts) != 4 or not _ASCII_DIGITS.fullmatch(parts[2]) or len(token) > 300:
            return None
        if not _URL_SAFE.fullmatch(parts[0]) or not PREFIX.fullmatch(parts[1]):
            return None  # no session and no key: the prefix is never looked up
        return SessionToken(session_id=parts[0], prefix=parts[1], expires_at=int(parts[2]))

    def verify(
        self, session: Session, token: str, key_hash: str, *, now: float | None = None
    ) -> SessionToken | None:
        """The token's claims if it is signed for ``key_hash``, unexpired and not logged out
        (a logout in any process on the store, :meth:`end`)."""
        claims = self.peek(token)
        if claims is None:
            return None
        body, _, signature = token.rpartition(".")
        if not _same(signature, self._mac("session", body, key_hash)):
            return None
        moment = now if now is not None else time.time()
        if claims.expires_at <= moment:
            return None
        if keys.session_ended(session, _stored_id(claims.session_id)):
            return None
        return claims

    @staticmethod
    def end(session: Session, claims: SessionToken, *, now: float | None = None) -> None:
        """End a session (logout) in the caller's transaction; ended sessions past their expiry
        are deleted as new ones arrive."""
        moment = now if now is not None else time.time()
        expires = _utc(claims.expires_at)
        keys.end_session(session, _stored_id(claims.session_id), expires, now=_utc(moment))

    def csrf_token(self, session_id: str) -> str:
        """The CSRF token of a session (or of a login form's nonce)."""
        return self._mac("csrf", session_id)

    def check_csrf(self, session_id: str, sent: str | None) -> bool:
        return bool(sent) and _same(str(sent), self.csrf_token(session_id))
