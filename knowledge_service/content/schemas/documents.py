"""Parsed, validated forms of articles and policy sources (the content contract).

These are pure data: the parser builds them from files, the store keeps them as versions,
and every other domain (index, freshness, answers) reads them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from knowledge_service.errors import InvalidRequestError
from knowledge_service.privacy import INVISIBLE_FORMAT, INVISIBLE_IN_BMP

ARTICLE_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
POLICY_ID_PATTERN = r"^[A-Z0-9][A-Z0-9_-]*$"
INTENT_PATTERN = r"^[a-z0-9_][a-z0-9_-]*(\.[a-z0-9_][a-z0-9_-]*)*$"
"""Dotted lower-case words (letters, digits, ``_`` and ``-`` within a word):
``billing.refund.timeframe``, ``fares.tap-off.missing``."""
MAX_INTENT_CHARS = 200
CLAUSE_PATTERN = r"^\d+(\.\d+)*$"
LOCALE_PATTERN = r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*|[xXiI](?:-[A-Za-z0-9]{1,8})+)$"
"""A BCP 47 tag: a language and subtags (``en``, ``en-AU``, ``zh-Hant-TW``, ``es-419``), with
extensions and private use (``de-DE-u-co-phonebk``, ``en-US-x-twain``), or a private-use or
grandfathered tag (``x-whatever``, ``i-klingon``). The language is an ISO 639 code of 2 or 3
letters: BCP 47 reserves 4 letters and registers no language of 5 to 8, so ``English`` or
``french`` is a mistake that would hide the article from every search naming a real tag."""
PATTERN_WORDS = {
    LOCALE_PATTERN: "is not a BCP 47 language tag (such as en, en-AU or fr-CA)",
    ARTICLE_ID_PATTERN: "is not an article id (lower-case letters, digits, '.', '_' and '-', "
    "starting with a letter or digit)",
    POLICY_ID_PATTERN: "is not a policy id (capital letters, digits, '_' and '-')",
    INTENT_PATTERN: "is not an intent (dotted lower-case words, such as billing.refund)",
    CLAUSE_PATTERN: "is not a clause number (such as 4, 2.1 or 3.2.1)",
}
"""What a value that does not match one of these patterns is, in words (for a file's error
and an API problem alike): pydantic's own message quotes the regular expression."""
MAX_LOCALE_CHARS = 35
"""The longest locale tag a request may name (BCP 47 tags of practical use are far shorter)."""

_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def _iso_date(value: Any) -> Any:
    """A date as the contract writes it (``2026-06-01``): not a number, which pydantic would
    read as seconds since 1970, nor another form of text (``20260601``)."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and not _ISO_DATE.match(value)
    ):
        raise PydanticCustomError("iso_date", "is not an ISO date (YYYY-MM-DD, such as 2026-06-01)")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
ArticleId = Annotated[str, StringConstraints(pattern=ARTICLE_ID_PATTERN, max_length=120)]
PolicyId = Annotated[str, StringConstraints(pattern=POLICY_ID_PATTERN, max_length=120)]
IntentId = Annotated[str, StringConstraints(pattern=INTENT_PATTERN, max_length=200)]


def _no_nul(value: Any) -> Any:
    """Text without a NUL: PostgreSQL stores none (a text column refuses it, and a filter
    naming one fails the query), so an owner or a filter sent with one is refused where it is
    read, on either store (a front matter's text is checked as the file is split)."""
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("no_nul", "holds a NUL character (U+0000): no text may")
    return value


ONE_LINE = "give it on one line of printable text"
"""What an error about :func:`control_character` asks for."""


def control_character(text: str) -> str | None:
    """The first control character of ``text`` (a line break, a tab, an escape), as
    ``U+000A``, or None: a name that is one line of printable text holds none."""
    for char in text:
        if unicodedata.category(char) == "Cc":
            return f"U+{ord(char):04X}"
    return None


def require_one_line(parameter: str, text: str) -> None:
    """Raise InvalidRequestError naming ``parameter`` when ``text`` holds a control character
    (a name, an owner: quoted on one line in lists, logs and front matter)."""
    if (found := control_character(text)) is not None:
        raise InvalidRequestError(parameter, f"holds a control character ({found}): {ONE_LINE}")


_NOT_SHOWN = re.compile(rf"[\s{INVISIBLE_FORMAT}]+")
NO_TEXT_TO_SHOW = "has no text to show: only invisible characters"
"""What an error about a name of white space and invisible characters only says."""


def shows_text(text: str) -> bool:
    """Whether ``text`` has a character a reader sees: not only white space and format
    characters no reader sees (zero-width spaces, a byte order mark, a soft hyphen:
    :data:`~knowledge_service.privacy.INVISIBLE_FORMAT`)."""
    return _NOT_SHOWN.sub("", text) != ""


NoNul = AfterValidator(_no_nul)
"""Refuses a text holding a NUL (a request's field, or a query parameter read as free text).
Not on the documents' own fields: a version an earlier release stored with one must still
load."""


def _not_blank(value: Any) -> Any:
    """A filter of spaces only matches nothing anyone could have meant: refused, never an empty
    page (an owner given as "  ")."""
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


NotBlank = AfterValidator(_not_blank)
"""Refuses a text of white space only (a query parameter naming an owner)."""


def _shows_filter(value: Any) -> Any:
    """A filter of invisible characters only (a zero-width space: an owner, an audit event's
    actor or object) matches nothing anyone could have meant, as a blank one: refused as a new
    owner of them is (:func:`shows_text`), never an empty page."""
    if isinstance(value, str) and value.strip() and not shows_text(value):
        raise PydanticCustomError("no_text", NO_TEXT_TO_SHOW)
    return value


ShowsText = AfterValidator(_shows_filter)
"""Refuses a text of white space and invisible characters only (a query parameter naming an
owner, an actor or an object), after :data:`NotBlank`."""
SHOWS_TEXT_SCHEMA: dict[str, Any] = {"pattern": rf"[^\s{INVISIBLE_IN_BMP}]"}
"""What :data:`NotBlank` and :data:`ShowsText` refuse, said in a parameter's schema
(``Query(json_schema_extra=...)``), so a client generating requests from the API document sends
no such filter: a character that is neither white space nor invisible (the tag characters,
outside the Basic Multilingual Plane, left out: ECMA-262, which the API document's patterns
follow, writes them only with its ``u`` flag, as ``\\u{E0000}``, which Python cannot read; the
server refuses them all the same)."""
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class PolicyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    DRAFT = "draft"  # a new version being written or reviewed: never in force


class Audience(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Channel(StrEnum):
    CHAT = "chat"
    AGENT = "agent"
    VOICE = "voice"
    EMAIL = "email"
    WEB = "web"


CUSTOMER_CHANNELS = frozenset({Channel.CHAT, Channel.VOICE, Channel.EMAIL, Channel.WEB})

_POLICY_REF_RE = re.compile(r"^(?P<policy>[A-Z0-9][A-Z0-9_-]*)(#(?P<clause>\d+(\.\d+)*))?$")


class PolicyRef(BaseModel):
    """A citation of a policy (``REFUNDS``) or one of its clauses (``REFUNDS#2.1``)."""

    model_config = ConfigDict(frozen=True)

    policy_id: str
    clause: str | None = None

    @classmethod
    def parse(cls, text: str) -> PolicyRef:
        match = _POLICY_REF_RE.match(text.strip())
        if not match:  # the file's error adds what was given: "(got 'REFUNDS 2.1')"
            several = ", one per item of a YAML list" if "," in text else ""
            raise ValueError(
                "is not a policy reference (expected POLICY-ID or POLICY-ID#CLAUSE, e.g. "
                f"REFUNDS#2.1{several})"
            )
        return cls(policy_id=match["policy"], clause=match["clause"])

    def __str__(self) -> str:
        return self.policy_id + (f"#{self.clause}" if self.clause else "")


def _ref_item(n: int, text: str) -> PolicyRef:
    """Item ``n`` of a list of references, an error naming it and what it says."""
    try:
        return PolicyRef.parse(text)
    except ValueError as exc:
        raise ValueError(f"item {n + 1}, {text!r}, {exc}") from None


class Section(BaseModel):
    """A heading-delimited part of an article body.

    ``start``/``end`` are character offsets into the article's ``body``; ``line`` is the
    1-based line in the source file of the heading.
    """

    heading: str
    path: list[str]
    level: int
    text: str
    start: int
    end: int
    line: int | None = None


class Clause(BaseModel):
    """A numbered clause of a policy: heading ``## 2.1 Refund timeframe`` opens clause ``2.1``."""

    number: str
    heading: str
    text: str
    level: int
    line: int | None = None


AUTHORED = {"authored": True}
"""The validation context of front matter as written (the checks that a stored version, valid
when it was written, is not held to again)."""


class ArticleMeta(BaseModel):
    """The front matter of an article, validated against the contract."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: ArticleId
    title: NonEmptyText
    intents: Annotated[list[IntentId], Field(min_length=1)]
    owner: NonEmptyText
    policy_sources: list[PolicyRef] = Field(default_factory=list)
    last_reviewed: IsoDate
    next_review: IsoDate
    status: ArticleStatus = ArticleStatus.PUBLISHED
    audience: Audience = Audience.PUBLIC
    channels: list[Channel] = Field(default_factory=lambda: list(Channel))
    locale: Annotated[str, StringConstraints(pattern=LOCALE_PATTERN)] = "en"
    questions: list[NonEmptyText] = Field(default_factory=list)

    @field_validator("policy_sources", mode="before")
    @classmethod
    def _parse_refs(cls, value: Any) -> Any:
        if isinstance(value, str):  # one reference: the error adds "(got '...')" itself
            return [PolicyRef.parse(value)]
        if isinstance(value, list):
            return [_ref_item(n, v) if isinstance(v, str) else v for n, v in enumerate(value)]
        return value

    @field_validator("intents", "channels", "questions", mode="before")
    @classmethod
    def _scalar_to_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class ArticleDocument(ArticleMeta):
    """A whole article: front matter, the answer lead, the body and its sections.

    The body is kept verbatim (no whitespace stripping): section spans are offsets into it.
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    answer: str
    body: str
    sections: list[Section] = Field(default_factory=list)
    source_path: str | None = None

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class PolicyMeta(BaseModel):
    """The front matter of a policy source."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: PolicyId
    title: NonEmptyText
    version: NonEmptyText
    effective_date: IsoDate
    owner: NonEmptyText
    status: PolicyStatus = PolicyStatus.ACTIVE

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 3` in YAML is an int; the contract says text, and "3" is what was meant.
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )


class PolicyDocument(PolicyMeta):
    """A whole policy source with its numbered clauses (the body kept verbatim)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    body: str
    clauses: list[Clause] = Field(default_factory=list)
    source_path: str | None = None

    def clause(self, number: str) -> Clause | None:
        return next((c for c in self.clauses if c.number == number), None)
