"""The workflow's states, actions and what it shows of a document (pydantic, no I/O)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from knowledge_service.content.raw_html import RawHtml
from knowledge_service.content.schemas import NoNul
from knowledge_service.review.etags import check_one_etag

MAX_REASON_CHARS = 2000
"""The longest reason a workflow step takes (API and pages alike)."""


class WorkflowState(StrEnum):
    """Where a document stands in the editorial workflow (only ``published`` is served)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


class WorkflowAction(StrEnum):
    """What a caller may do to a document."""

    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    VERIFY = "verify"
    RETIRE = "retire"
    RESTORE = "restore"
    REASSIGN = "reassign"
    DISCARD = "discard"


class BlockingFinding(BaseModel):
    """A finding that blocks an article on customer channels (no risk acceptance lifts it)."""

    id: int = Field(description="The finding's id (`GET /v1/findings`, the review page).")
    kind: str = Field(description="`policy_mismatch`, `conflict`, `invalid`, ...")
    message: str


class WorkflowStatus(BaseModel):
    """A document's current version and its place in the workflow."""

    kind: str = Field(description="`article` or `policy`.")
    id: str
    version: int = Field(description="The current store version.")
    etag: str = Field(description="Send it as `If-Match` to change this version.")
    state: WorkflowState
    owner: str
    author: str = Field(description="Who made the current version.")
    last_editor: str = Field(description="The key (or CLI actor) that last changed the text.")
    last_editor_person: str = Field(
        description="The person holding that key (`keys create --person`; by default the key's "
        "name): four eyes bar this person, whichever key they hold, from approving."
    )
    submitted_by: str | None = None
    approved_by: str | None = None
    rejected_by: str | None = None
    rejection_reason: str | None = None
    allowed_actions: list[WorkflowAction] = Field(
        description="The actions the caller may take now: those the state allows that the "
        "caller's role and ownership permit, without `approve` where four eyes bar the caller."
    )
    raw_html: list[RawHtml] = Field(
        default_factory=list,
        description="For a create or an edit: the raw HTML its text holds, which every channel "
        "leaves out (the text is stored as sent, HTML included; only the rendering drops it): "
        "each place's line, the tags, and whether the text inside is left out too. Empty "
        "otherwise.",
    )
    still_blocked_by: list[BlockingFinding] = Field(
        default_factory=list,
        description="For a verify: the findings that still block the article on customer "
        "channels once the step's check has run. Verifying records that the owner confirmed "
        "it; like acknowledging, it lifts no block (a `review_overdue` resolves with the new "
        "dates): fix the article, or an admin accepts the risk. Empty otherwise, and when "
        "nothing blocks.",
    )
    new_to_customers: bool = Field(
        default=False,
        description="The current version is a public draft of an article and no published "
        "public version is in force (none, internal or retired): approving it gives customers "
        "its whole text for the first time, whatever its diff from the version in force shows "
        "(an internal article made public differs only in its audience line). Read all of it.",
    )
    unchanged: bool = Field(
        default=False,
        description="A step that would write the current version's own text (an edit to the "
        "same text, a second verify on one day): true, and nothing was written (no new "
        "version, the same state and ETag).",
    )


class Withheld(StrEnum):
    """Why steps the state allows are not the caller's to take."""

    NOT_PERMITTED = "not_permitted"
    """the caller's role or ownership permits none of them"""
    FOUR_EYES = "four_eyes"
    """the caller made the last edit, so someone else must approve it"""


class WorkflowText(BaseModel):
    """A whole document as Markdown: YAML front matter and body (the content format)."""

    text: str = Field(min_length=1, max_length=60_000, description="Front matter and body.")
    reason: str | None = Field(
        default=None, max_length=MAX_REASON_CHARS, description="Why, for the audit."
    )


class WorkflowReason(BaseModel):
    """An optional reason, recorded in the audit log."""

    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)


class WorkflowRejection(BaseModel):
    """Why a draft goes back to its author."""

    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS, description="What must change.")


class WorkflowRestore(BaseModel):
    """Which stored version comes back (as a new draft)."""

    version: int = Field(
        ge=1, le=2**31 - 1, strict=True, description="The version to restore (a JSON integer)."
    )  # strict: true and "2" are refused, not read as versions 1 and 2
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)


class WorkflowReassign(BaseModel):
    """The new owner (a team or an e-mail address)."""

    owner: Annotated[
        str, Field(min_length=1, max_length=200, pattern=r"\S", description="The new owner."), NoNul
    ]
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)


class WorkflowBulkItem(BaseModel):
    """One document of a bulk action and the ETag of the version it acts on."""

    id: Annotated[str, Field(min_length=1, max_length=120), NoNul]
    etag: Annotated[
        str,
        Field(
            min_length=1, max_length=300,
            description='One ETag, quoted, as GET gives it (`"<id>-v<version>"`, or `W/"..."`): '
            "never a list or `*`, which If-Match may carry.",
        ),
        NoNul, AfterValidator(check_one_etag),
    ]  # fmt: skip


class WorkflowBulk(BaseModel):
    """A bulk verify: the documents, each with its ETag."""

    items: list[WorkflowBulkItem] = Field(description="At most the configured bulk limit (100).")
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)


class WorkflowBulkReassign(WorkflowBulk):
    """A bulk reassign: the documents and their new owner."""

    owner: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S"), NoNul]
