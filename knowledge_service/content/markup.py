"""Limits on a Markdown body's markup, checked in one linear pass before it is parsed.

A CommonMark parser's time grows with the markup it must match (every ``[`` may open a link,
every ``*`` an emphasis, every ``<`` a tag), and some runs make it far slower than the text's
size suggests: a 512 KiB body of 100,000 ``[`` or 20,000 inline tags took seconds per render.
Real articles use a few dozen of each, so a body over these limits is refused at import, with
the file and the line where the limit was passed; everything that passes renders in
milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_service.errors import InvalidContentError

MAX_ANSWER_CHARS = 4000
"""The answer (the text before the first heading) is what every channel renders."""


@dataclass(frozen=True)
class MarkupLimit:
    """At most ``limit`` matches of ``pattern`` in one body."""

    what: str
    pattern: re.Pattern[str]
    limit: int


LIMITS = (
    MarkupLimit("raw HTML tags", re.compile(r"<[A-Za-z/!?]"), 200),
    MarkupLimit("'[' (link brackets)", re.compile(r"\["), 500),
    MarkupLimit("emphasis and code marks ('*', '_', '`')", re.compile(r"[*_`]"), 2000),
)
MAX_NESTING = 16
# A line's container markers: quotes ('>') and list items ('-', '+', '*', '1.' or '1)').
_CONTAINERS = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))+", re.M)
_MARKER = re.compile(r">|[-+*]|\d{1,9}[.)]")
# A list item indented as deep as MAX_NESTING levels of lists (up to four columns a level).
_DEEP_INDENT = 4 * MAX_NESTING
_DEEP_ITEM = re.compile(rf"^[ \t]{{{_DEEP_INDENT},}}(?:[-+*]|\d{{1,9}}[.)])[ \t]", re.M)


def _line_of(body: str, offset: int, body_line: int) -> int:
    return body_line + body.count("\n", 0, offset)


def check_markup(body: str, path: str, body_line: int = 1) -> None:
    """Raise :class:`InvalidContentError` (file and line) for a body over a markup limit."""
    for rule in LIMITS:
        for n, match in enumerate(rule.pattern.finditer(body), start=1):
            if n > rule.limit:
                raise InvalidContentError(
                    path,
                    f"the body has more than {rule.limit} {rule.what}, the limit is passed "
                    "here (split the article or drop the markup)",
                    line=_line_of(body, match.start(), body_line),
                    field="body",
                )
    deep = _DEEP_ITEM.search(body)
    if deep is not None:
        raise InvalidContentError(
            path,
            f"a list item is indented {_DEEP_INDENT} columns or more; lists may nest at "
            f"most {MAX_NESTING} deep",
            line=_line_of(body, deep.start(), body_line),
            field="body",
        )
    for match in _CONTAINERS.finditer(body):
        depth = len(_MARKER.findall(match.group(0)))
        if depth > MAX_NESTING:
            raise InvalidContentError(
                path,
                f"quotes and lists are nested {depth} deep here; at most {MAX_NESTING}",
                line=_line_of(body, match.start(), body_line),
                field="body",
            )


def check_answer(answer: str, path: str, body_line: int) -> None:
    """Raise :class:`InvalidContentError` for an answer longer than :data:`MAX_ANSWER_CHARS`."""
    if len(answer) > MAX_ANSWER_CHARS:
        raise InvalidContentError(
            path,
            f"the answer (the text before the first heading) has {len(answer)} characters; "
            f"at most {MAX_ANSWER_CHARS} (move the detail under a heading)",
            line=body_line,
            field="answer",
        )
