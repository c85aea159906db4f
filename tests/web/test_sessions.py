"""Session tokens: signed, expiring, and ended for good by a logout, in the store."""

from __future__ import annotations

import hashlib

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from knowledge_service.access.models import EndedSession
from knowledge_service.db import session_scope
from knowledge_service.web.sessions import SessionSigner, SessionToken

SECRET = b"k" * 32


def claims_of(token: str) -> SessionToken:
    claims = SessionSigner.peek(token)
    assert claims is not None
    return claims


def stored_rows(engine: Engine) -> dict[str, int]:
    """The store's ended sessions: hash -> expiry (epoch seconds)."""
    with Session(engine) as session:
        rows = session.exec(select(EndedSession)).all()
    return {row.session_hash: int(row.expires_at.timestamp()) for row in rows}


def test_signed_tokens_reject_tampering_and_expiry(engine: Engine) -> None:
    signer = SessionSigner(SECRET, lifetime=60)
    token = signer.issue("abc123abc123", "hash-1", now=1000)
    with Session(engine) as session:
        assert signer.verify(session, token, "hash-1", now=1001) is not None
        assert signer.verify(session, token, "hash-2", now=1001) is None  # another key's hash
        assert signer.verify(session, token, "hash-1", now=1060) is None  # expired
        tampered = token.replace(".abc123abc123.", ".abc123abc124.")
        assert signer.verify(session, tampered, "hash-1", now=1001) is None
    claims = claims_of(token)
    assert signer.check_csrf(claims.session_id, signer.csrf_token(claims.session_id))
    assert not signer.check_csrf(claims.session_id, None)


def test_a_logged_out_session_is_refused_by_every_signer_on_the_store(engine: Engine) -> None:
    signer = SessionSigner(SECRET, lifetime=60)
    ended = signer.issue("abc123abc123", "hash-1", now=1000)
    kept = signer.issue("abc123abc123", "hash-1", now=1000)
    with session_scope(engine) as session:
        signer.end(session, claims_of(ended), now=1010)

    another_process = SessionSigner(SECRET, lifetime=60)
    for each in (signer, another_process):
        with Session(engine) as session:
            assert each.verify(session, ended, "hash-1", now=1020) is None
            assert each.verify(session, kept, "hash-1", now=1020) == claims_of(kept)

    session_id = claims_of(ended).session_id
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    assert stored_rows(engine) == {digest: 1060}  # the id's hash, never the id


def test_ending_a_session_twice_is_no_error(engine: Engine) -> None:
    """Two tabs signing out of one session at once."""
    signer = SessionSigner(SECRET, lifetime=60)
    claims = claims_of(signer.issue("abc123abc123", "hash-1", now=1000))
    for _ in range(2):
        with session_scope(engine) as session:
            signer.end(session, claims, now=1010)
    assert list(stored_rows(engine).values()) == [1060]


def test_ended_sessions_past_their_expiry_are_deleted_at_the_next_logout(engine: Engine) -> None:
    signer = SessionSigner(SECRET, lifetime=60)
    first = claims_of(signer.issue("abc123abc123", "hash-1", now=1000))  # expires at 1060
    second = claims_of(signer.issue("abc123abc123", "hash-1", now=1030))  # expires at 1090
    with session_scope(engine) as session:
        signer.end(session, first, now=1001)
        signer.end(session, second, now=1031)
    assert sorted(stored_rows(engine).values()) == [1060, 1090]

    third = claims_of(signer.issue("abc123abc123", "hash-1", now=1060))  # expires at 1120
    with session_scope(engine) as session:
        signer.end(session, third, now=1060)
    assert sorted(stored_rows(engine).values()) == [1090, 1120]


def test_a_token_whose_expiry_is_digits_int_refuses_is_no_session() -> None:
    """A cookie is read as Latin-1: '\u00b2' is a digit to str.isdigit() but not to int(), and
    such a cookie (``ks_session=a.b.\\xb2.c``) once made every page a 500."""
    assert SessionSigner.peek("abc.abc123abc123.\u00b2.sig") is None
    assert SessionSigner.peek("abc.abc123abc123.\u0661\u0662.sig") is None  # Arabic-Indic
    assert SessionSigner.peek("abc.abc123abc123.1000.sig") == SessionToken(
        session_id="abc", prefix="abc123abc123", expires_at=1000
    )


def test_a_token_or_csrf_token_outside_ascii_is_refused_not_an_error(engine: Engine) -> None:
    """``hmac.compare_digest`` raises a TypeError on a string with a character outside ASCII,
    which a cookie, a form field or a header may carry: a forged signature or CSRF token of
    such characters made the page a 500."""
    signer = SessionSigner(SECRET, lifetime=60)
    token = signer.issue("abc123abc123", "hash-1", now=1000)
    forged = token[:-1] + "\u00e9"
    with Session(engine) as session:
        assert signer.verify(session, forged, "hash-1", now=1001) is None
    claims = claims_of(token)
    for sent in ("\u00e9", "\u00e9" * 43, "\ud800"):
        assert not signer.check_csrf(claims.session_id, sent)
