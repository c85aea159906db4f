"""``GET /v1/receipts/{receipt}``: prove what a customer was told, months later.

An answer's receipt names an article version (versions never change). Each text a channel
received under it is shown as it was kept when it was served (once per distinct text: see
:class:`~knowledge_service.analytics.models.RenderedText`), so a later release that renders the
version differently (how voice says an address) does not change what the record says was told.
Servings logged before texts were kept show the version rendered again by this release, marked
``recorded: false``. Citations and findings are those in force at the moment it was served,
read from the store's history. A hand-off's
receipt names one escalation or no_answer: what the bot had (the candidates) and why it stopped.
"""

from __future__ import annotations

from sqlmodel import Session

from knowledge_service.analytics import repository
from knowledge_service.analytics.log import AnswerLog
from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.analytics.schemas import ReceiptRecord, Rendering, Serving
from knowledge_service.analytics.service import served_event
from knowledge_service.answers import repository as answers_repository
from knowledge_service.answers.render import format_for, render_answer
from knowledge_service.answers.sanitise import clean_text, sanitise_notes
from knowledge_service.content.schemas import CUSTOMER_CHANNELS, Channel
from knowledge_service.errors import NotFoundError


def _serving(session: Session, event: AnswerEvent, *, with_question: bool = True) -> Serving:
    notes = []
    if event.article_id is not None:
        found = answers_repository.freshness_notes(
            session, event.article_id, event.at, today=event.at.date()
        )
        told = sanitise_notes(found, with_text=event.channel not in CUSTOMER_CHANNELS)
        notes = [
            {"kind": str(n.kind), "severity": str(n.severity), "message": n.message or ""}
            for n in told
        ]
    return Serving(
        at=event.at, channel=event.channel, status=event.status, reason=event.reason,
        confidence=event.confidence, question=event.question if with_question else None,
        findings=notes, text_hash=event.text_hash,
    )  # fmt: skip


def lookup_receipt(
    session: Session,
    receipt: str,
    *,
    limit: int,
    offset: int,
    log: AnswerLog | None = None,
    with_questions: bool = True,
) -> ReceiptRecord:
    """The record behind ``receipt``: its resolution and its servings, newest first (one
    served a moment ago is found through ``log``: see :func:`served_event`). Without
    ``with_questions`` (an agent's lookup) the servings leave out what was asked: a receipt
    names one resolution, shared by every customer told it, and an agent proving an answer
    needs when and where it was given, not every other customer's question. What this process
    still holds is written first: an answer's receipt is found in the store from its earlier
    servings, and the one given a moment ago must be among them."""
    if log is not None:
        log.flush()
    latest = served_event(session, receipt, log)
    if latest is None:
        raise NotFoundError("receipt", receipt)
    events, total = repository.events_for_receipt(session, receipt, limit, offset)
    servings = [_serving(session, e, with_question=with_questions) for e in events]
    is_answer = latest.status == "answered"
    record = ReceiptRecord(
        receipt=receipt, kind="answer" if is_answer else "handoff", article_id=None,
        version=None, title=None, content_hash=None, renderings=[], citations=[],
        handoff=latest.handoff, servings=servings,
        total_servings=total,
    )  # fmt: skip
    if is_answer and latest.article_id is not None and latest.version is not None:
        _add_article(session, record, latest)
    return record


def _add_article(session: Session, record: ReceiptRecord, event: AnswerEvent) -> None:
    assert event.article_id is not None and event.version is not None
    row = answers_repository.article_version(session, event.article_id, event.version)
    doc = row.to_document()
    record.article_id, record.version = doc.id, row.version
    record.title = clean_text(doc.title)
    record.content_hash = row.content_hash
    for name, key, kept, first, last, servings in repository.texts_for_receipt(
        session, record.receipt
    ):
        channel = Channel(name)
        recorded = kept is not None
        text = kept if kept is not None else render_answer(
            doc.answer, channel, content_hash=row.content_hash
        )  # fmt: skip
        rendering = Rendering(
            channel=name, format=format_for(channel), text=text, recorded=recorded,
            text_hash=key if recorded else None, first_served=first, last_served=last,
            servings=servings,
        )  # fmt: skip
        record.renderings.append(rendering)
    record.citations = [
        c.model_dump(mode="json") for c in answers_repository.citations(session, doc, event.at)
    ]
