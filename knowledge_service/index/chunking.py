"""Split an article into retrieval units: its title, answer lead, questions and sections.

Pure: a parsed :class:`ArticleDocument` in, a list of :class:`Unit` out. The title, the answer
lead and every ``questions`` entry are units of their own, so a customer's phrasing can match an
article through one of its questions; body sections are split by heading (already parsed into
``ArticleDocument.sections``), and a long section into paragraph windows.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from knowledge_service.content.parser import parse_sections
from knowledge_service.content.schemas import ArticleDocument


class UnitKind(StrEnum):
    """What part of an article a unit is."""

    TITLE = "title"
    ANSWER = "answer"
    QUESTION = "question"
    SECTION = "section"


BODY_KINDS = frozenset({UnitKind.ANSWER, UnitKind.SECTION})
"""Units of the article's body (the rest are in its front matter)."""
CUSTOMER_KINDS = frozenset({UnitKind.TITLE, UnitKind.QUESTION})
"""Units that say what a customer asks (rather than what the article answers)."""

MAX_UNIT_CHARS = 1200
"""Sections longer than this are split at paragraph breaks (MiniLM reads ~256 word pieces)."""

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Unit:
    """One indexed piece of an article version.

    ``start``/``end`` are character offsets into the article's ``body`` for ``answer`` and
    ``section`` units; title and question units live in the front matter, so their span is
    ``0..len(text)`` of that field.
    """

    unit_id: int
    article_id: str
    version: int
    kind: UnitKind
    section_path: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    text: str = ""
    context: str = ""

    @property
    def index_text(self) -> str:
        """The text that is embedded and matched: the unit, headed by its context."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    @property
    def section(self) -> str | None:
        """The section path as one line (``Details > Fees``), None outside sections."""
        return " > ".join(self.section_path) if self.section_path else None


def unit_id_for(article_id: str, version: int, kind: str, ordinal: int) -> int:
    """A stable positive int64 id for a unit (the key in the vector index)."""
    key = f"{article_id}\x00{version}\x00{kind}\x00{ordinal}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1


def _strip_span(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _hard_split(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one over-long paragraph at whitespace into pieces of at most MAX_UNIT_CHARS."""
    spans = []
    while end - start > MAX_UNIT_CHARS:
        cut = body.rfind(" ", start + MAX_UNIT_CHARS // 2, start + MAX_UNIT_CHARS)
        cut = cut if cut > start else start + MAX_UNIT_CHARS
        spans.append((start, cut))
        start = cut
    return [*spans, (start, end)]


def _windows(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pack the paragraphs of ``body[start:end]`` greedily into spans of ~MAX_UNIT_CHARS."""
    if end - start <= MAX_UNIT_CHARS:
        return [(start, end)]
    cuts = [start, *(m.end() for m in _PARAGRAPH_BREAK.finditer(body, start, end)), end]
    pieces: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(cuts):
        pieces.extend(_hard_split(body, a, b))
    spans: list[tuple[int, int]] = []
    for a, b in pieces:
        if spans and b - spans[-1][0] <= MAX_UNIT_CHARS:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return [s for s in (_strip_span(body, a, b) for a, b in spans) if s[1] > s[0]]


def chunk_article(doc: ArticleDocument, version: int) -> list[Unit]:
    """Cut one article version into units (title, answer, questions, sections).

    Args:
        doc: The parsed article.
        version: Its store version (recorded on every unit).

    Returns:
        The units in document order, each with a stable ``unit_id``.
    """
    units: list[Unit] = []

    def add(kind: UnitKind, text: str, start: int, end: int, path: list[str], ctx: str) -> None:
        ordinal = len(units)
        units.append(
            Unit(
                unit_id_for(doc.id, version, kind, ordinal),
                doc.id,
                version,
                kind,
                path,
                start,
                end,
                text,
                ctx,
            )
        )

    add(UnitKind.TITLE, doc.title, 0, len(doc.title), [], "")
    lead_start = doc.body.find(doc.answer) if doc.answer else -1
    lead_start = max(lead_start, 0)
    add(UnitKind.ANSWER, doc.answer, lead_start, lead_start + len(doc.answer), [], doc.title)
    for question in doc.questions:
        add(UnitKind.QUESTION, question, 0, len(question), [], "")
    for start, end, path, context in _section_spans(doc):
        add(UnitKind.SECTION, doc.body[start:end], start, end, path, context)
    return units


def _section_spans(doc: ArticleDocument) -> list[tuple[int, int, list[str], str]]:
    """``(start, end, section path, context)`` of every section unit, in body order."""
    # Sections are derived from the body here, so unit spans always index exactly this body
    # (also for documents built in code, whose ``sections`` may not match a changed body).
    spans = []
    _, sections = parse_sections(doc.body)
    for section in sections:
        heading_end = doc.body.find("\n", section.start, section.end)
        content_start = section.end if heading_end < 0 else heading_end + 1
        context = f"{doc.title} > {' > '.join(section.path)}"
        for start, end in _windows(doc.body, *_strip_span(doc.body, content_start, section.end)):
            spans.append((start, end, list(section.path), context))
    return spans
