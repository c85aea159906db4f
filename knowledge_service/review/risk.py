"""Risk acceptance: an admin's explicit, audited decision to let customers be served an article
despite a blocking finding, until a date.

The rules (:func:`accept_risk`): only an admin; only an active ``block`` finding about an article
the store serves (one about no stored article, an ``invalid`` file whose id could not be read,
blocks nothing to lift); a reason; an
expiry after today and at most :data:`MAX_DAYS` ahead; never by the last author of an article the
finding touches, the person who wrote the text it serves, with whichever of their keys (four
eyes on the decision to serve it). The acceptance is written to the audit log and lapses on its
expiry date (``clock.today``) or when the finding resolves or quotes another text
(``freshness.findings``); serving reads it in ``freshness.notes`` (the one blocking check).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.access.schemas import same_person
from knowledge_service.content import repository as content_repository
from knowledge_service.errors import (
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)
from knowledge_service.freshness import acceptance
from knowledge_service.freshness import repository as findings
from knowledge_service.freshness.models import Finding, RiskAcceptance
from knowledge_service.freshness.schemas import ACTIVE_STATUSES, Caller, Severity
from knowledge_service.review.queue_schemas import RiskAcceptanceCreate, RiskAcceptancePublic
from knowledge_service.review.workflow_models import WorkflowRecord

MAX_DAYS = 365
"""The furthest ahead an acceptance may expire: a risk is re-decided at least once a year."""


def actor_of(caller: Caller) -> str:
    """How the audit log names an API caller (as finding status changes do)."""
    return f"key:{caller.name}"


Author = tuple[str, tuple[str | None, str]]
"""Who wrote a text: the name a version or a workflow record gives, and the persons behind it
(the one the record names, if any, and the one holding the key of that name now)."""


def _is_author(caller: Caller, author: Author) -> bool:
    """Whether ``caller`` wrote a text whose author is ``author``: the same key, or the same
    person with another of their keys."""
    name, persons = author
    is_person = any(same_person(caller.person, person) for person in persons)
    return name in {caller.name, actor_of(caller)} or is_person


def _last_authors(session: Session, article_ids: Iterable[str]) -> dict[str, Author]:
    """Who wrote the text each article serves: the editor its workflow record names for the
    version in force (an approval writes that version under the approver's name, but the text
    is the editor's), else that version's author (an import, a direct save)."""
    repository = content_repository.articles(session)
    authors = {}
    for article_id in article_ids:
        served = repository.in_force_version(article_id)
        if served is None:
            continue
        record = session.get(WorkflowRecord, ("article", article_id))
        if record is not None and record.version == served.version:
            name, person = record.last_editor, record.last_editor_person
        else:
            name, person = str(served.author), None
        key_name = name.removeprefix("key:")  # a direct save by a key names it "key:<name>"
        authors[article_id] = (name, (person, access.person_of(session, key_name)))
    return authors


def _active_block(session: Session, finding_id: int) -> Finding:
    row = findings.get_finding(session, finding_id)
    if row is None or row.id != finding_id:
        raise NotFoundError("finding", str(finding_id))
    if row.status not in ACTIVE_STATUSES or row.severity != Severity.BLOCK:
        raise InvalidStateError(
            "finding", str(finding_id), state=str(row.status), action="accept its risk",
            allowed=[], why=f"its severity is {row.severity}; only an open or acknowledged "
            "blocking finding has a risk to accept",
        )  # fmt: skip
    return row


def check_may_accept(caller: Caller) -> None:
    """PermissionDeniedError unless ``caller`` may accept a risk at all (an admin)."""
    if not caller.is_admin:
        raise PermissionDeniedError("only an admin may accept the risk of a blocking finding")


def _check_expiry(expires_on: date, today: date) -> None:
    if expires_on <= today:
        raise InvalidRequestError("expires_on", f"must be after today ({today.isoformat()})")
    if expires_on > today + timedelta(days=MAX_DAYS):
        latest = (today + timedelta(days=MAX_DAYS)).isoformat()
        raise InvalidRequestError("expires_on", f"must be at most {MAX_DAYS} days ahead ({latest})")


def public(row: RiskAcceptance, today: date) -> RiskAcceptancePublic:
    assert row.id is not None
    return RiskAcceptancePublic.model_validate(
        {**row.model_dump(), "is_active": row.is_active(today)}
    )


def accept_risk(
    session: Session,
    caller: Caller,
    finding_id: int,
    request: RiskAcceptanceCreate,
    *,
    today: date,
) -> RiskAcceptancePublic:
    """Accept the risk of serving the articles of a blocking finding until ``expires_on``.

    Raises:
        PermissionDeniedError: the caller is not an admin, or last wrote one of the articles.
        NotFoundError: no finding has that id.
        InvalidStateError: the finding is resolved, does not block, or is about no article
            the store serves.
        InvalidRequestError: the expiry is not after today, or too far ahead.
    """
    check_may_accept(caller)
    _check_expiry(request.expires_on, today)
    row = _active_block(session, finding_id)
    authors = _last_authors(session, row.article_ids)
    if not authors:
        raise InvalidStateError(
            "finding", str(finding_id), state=str(row.status), action="accept its risk",
            allowed=[], why="it is about no article the store serves (a file whose id could not "
            "be read, or an article never imported), so its block lifts nothing; fix the file "
            "and import it again",
        )  # fmt: skip
    mine = sorted(a for a, who in authors.items() if _is_author(caller, who))
    if mine:
        raise PermissionDeniedError(
            f"the last author of {', '.join(mine)} may not accept its risk: another admin must"
        )
    added = acceptance.add_acceptance(
        session, row, actor=actor_of(caller), reason=request.reason, expires_on=request.expires_on
    )
    return public(added, today)
