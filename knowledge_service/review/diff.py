"""A section-aware diff between two versions of a document (pure, over stored versions).

Besides the unified diff of the whole text it says which front matter fields changed and which
sections (an article's answer and its headed sections; a policy's clauses) were added, removed
or changed, each with its own small diff. The ``status`` each version was stored with is the
document's place in the workflow (an edit is stored as a draft, an approval as published), not
a change to its text: it is given apart (:class:`StatusChange`), and neither the fields nor the
unified diff show it.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from knowledge_service.content.service import WORKFLOW_FIELDS, text_diff

_NOT_FIELDS = frozenset({"answer", "body", "sections", "clauses", "source_path", *WORKFLOW_FIELDS})
ANSWER = "(answer)"


class SectionChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class FieldChange(BaseModel):
    """A front matter field whose value differs."""

    field: str
    before: Any = None
    after: Any = None


class SectionChange(BaseModel):
    """One section (or clause) that differs, with its own unified diff."""

    section: str = Field(description="`(answer)`, a heading path (`A > B`) or a clause.")
    change: SectionChangeKind
    diff: str


class StatusChange(BaseModel):
    """The status each version was stored with, where they differ: a step of the workflow."""

    before: str
    after: str


class DocumentDiff(BaseModel):
    """What changed between two versions of one document."""

    id: str
    from_version: int
    to_version: int
    status: StatusChange | None = Field(
        default=None,
        description="The status each version was stored with (`draft`, `published`, `retired`; "
        "a policy's `active`), when they differ: the document's place in the workflow, not a "
        "change to its text, so `fields` and `unified` leave it out. Null when the same.",
    )
    fields: list[FieldChange] = Field(description="The front matter fields that differ.")
    sections: list[SectionChange]
    unified: str = Field(
        description="The unified diff of the whole stored text, without its `status` line."
    )


def _lines(text: str) -> list[str]:
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(True)]


def _unified(old: str, new: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(_lines(old), _lines(new), before, after))


def sections_of(document: dict[str, Any]) -> dict[str, str]:
    """A stored document's parts by name: an article's answer and sections, a policy's
    clauses."""
    parts: dict[str, str] = {}
    if "answer" in document:
        parts[ANSWER] = str(document["answer"])
    for section in document.get("sections", []):
        parts[" > ".join(section.get("path") or [section.get("heading", "")])] = section["text"]
    for clause in document.get("clauses", []):
        parts[f"{clause['number']} {clause['heading']}".strip()] = clause["text"]
    return parts


def _section_changes(old: dict[str, str], new: dict[str, str]) -> list[SectionChange]:
    changes = []
    for name in [*old, *(n for n in new if n not in old)]:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        kind = (
            SectionChangeKind.ADDED
            if before is None
            else SectionChangeKind.REMOVED
            if after is None
            else SectionChangeKind.CHANGED
        )
        diff = _unified(before or "", after or "", f"{name} (before)", f"{name} (after)")
        changes.append(SectionChange(section=name, change=kind, diff=diff))
    return changes


def diff_versions(doc_id: str, old: Any, new: Any) -> DocumentDiff:
    """The diff from stored version ``old`` to ``new`` (``*Version`` rows of one document)."""
    before, after = old.document, new.document
    names = [k for k in [*before, *(k for k in after if k not in before)] if k not in _NOT_FIELDS]
    fields = [
        FieldChange(field=k, before=before.get(k), after=after.get(k))
        for k in names
        if before.get(k) != after.get(k)
    ]
    unified = text_diff(old.raw, new.raw, f"{doc_id} v{old.version}", f"{doc_id} v{new.version}")
    return DocumentDiff(
        id=doc_id, from_version=old.version, to_version=new.version,
        status=status_change(before.get("status"), after.get("status")), fields=fields,
        sections=_section_changes(sections_of(before), sections_of(after)), unified=unified,
    )  # fmt: skip


def status_change(before: Any, after: Any) -> StatusChange | None:
    """The change of stored status from one version to another (None when the same)."""
    if before == after or before is None or after is None:
        return None
    return StatusChange(before=str(before), after=str(after))
