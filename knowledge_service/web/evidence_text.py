"""Evidence as the review page shows it: the Markdown of a section or clause with its sentences
whole, and the cited span found in it however the source wrapped its lines."""

from __future__ import annotations

import re

_BLOCK_START = re.compile(r" {0,3}(?:[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|#{1,6}(?:\s|$)|>|\|)")
"""A line that starts a block of its own (a list item, a heading, a quote, a table row): the
line before it ends where it ends."""
_ONE_LINE_BLOCK = re.compile(r" {0,3}(?:#{1,6}(?:\s|$)|\|)")
"""A block that is one line (a heading, a table row): the next line never continues it."""
_FENCE = re.compile(r" {0,3}(?:```|~~~)")


def as_read(text: str) -> str:
    """``text`` (Markdown) with each soft line break inside a paragraph or a list item read as
    the space it is: a sentence the source wrapped ("... a late payment fee of\\n$15.00.")
    reads whole. Blank lines, list items, headings, quotes, table rows, code fences and hard
    breaks (two spaces or a backslash at the end of a line) keep their lines."""
    out: list[str] = []
    continues = False  # the last line is paragraph text the next line may continue
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced, continues = not fenced, False
            out.append(line)
            continue
        if fenced or not line.strip():
            out.append(line)
            continues = False
            continue
        if continues and not _BLOCK_START.match(line):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
        hard_break = line.endswith(("  ", "\\"))
        continues = not hard_break and not _ONE_LINE_BLOCK.match(line)
    return "\n".join(out)


def _locate(context: str, span: str) -> tuple[int, int] | None:
    """Where ``span`` is in ``context``, any run of white space standing for any other (a line
    break for a space): a sentence the source wrapped is still found."""
    words = span.split()
    if not words:
        return None
    at = context.find(span)
    if at >= 0:
        return at, at + len(span)
    found = re.search(r"\s+".join(re.escape(word) for word in words), context)
    return None if found is None else found.span()


def contains(context: str, span: str) -> bool:
    return _locate(context, span) is not None


def find_span(context: str, span: str) -> tuple[str, str, str]:
    """``context`` split around ``span`` (before, the span as the context writes it, after),
    however the lines are wrapped; ("", span, "") when it is not there."""
    found = _locate(context, span)
    if found is None:
        return "", span, ""
    start, end = found
    return context[:start], context[start:end], context[end:]


def field_line(front_matter: str, span: str) -> str:
    """The line of ``front_matter`` (YAML) that ``span`` ("policy_sources: HARDSHIP#9.9", as a
    finding quotes a field and the value at fault) stands for, when the file writes it
    otherwise ("policy_sources: [HARDSHIP#9.9]", or the value as an item of a list under the
    field): the item's line holding the value, else the field's line; ``span`` itself when it
    is there as it is or names no field of it."""
    name, _, value = span.partition(":")
    value = value.strip()
    if contains(front_matter, span) or not name.strip() or not value:
        return span
    lines = front_matter.split("\n")
    at = next((n for n, line in enumerate(lines) if line.startswith(f"{name.strip()}:")), None)
    if at is None:
        return span
    if value in lines[at]:
        return lines[at]
    for line in lines[at + 1 :]:
        if not line.startswith((" ", "-")):  # the next field: the list under this one ended
            break
        if value in line:
            return line.strip()
    return lines[at]
