"""Changing a few top-level front matter fields of a document's text, leaving the rest as written.

The workflow changes a document's ``status``, review dates or ``owner`` without touching what
its author wrote: each given key's line (and any indented lines continuing its value) is
replaced in place, and a key the front matter lacks is added before the closing ``---``.
:func:`without_fields` leaves keys out the same way (a diff of the text without the
workflow's ``status``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from knowledge_service.errors import InvalidContentError

_KEY_RE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:")


def _render(key: str, value: Any) -> str:
    line: str = yaml.safe_dump({key: value}, default_flow_style=True, sort_keys=False, width=10**6)
    return line.strip().removeprefix("{").removesuffix("}") + "\n"


def _closing_line(lines: list[str], source: str) -> int:
    if not lines or lines[0].strip() != "---":
        raise InvalidContentError(source, "the file must start with '---' front matter", line=1)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n") in ("---", "..."):
            return index
    raise InvalidContentError(source, "the front matter has no closing '---' line", line=1)


_DROP = object()
"""A value :func:`set_fields` leaves out with its key."""


def without_fields(text: str, names: Iterable[str]) -> str:
    """``text`` without the front matter lines of ``names`` (and their continuation lines);
    a text with no front matter is returned as it is."""
    try:
        return set_fields(text, dict.fromkeys(names, _DROP))
    except InvalidContentError:
        return text


def set_fields(text: str, fields: dict[str, Any], source: str = "<document>") -> str:
    """``text`` with each of ``fields`` set to its value in the front matter.

    Raises:
        InvalidContentError: ``text`` has no front matter.
    """
    lines = text.splitlines(keepends=True)
    end = _closing_line(lines, source)
    head, rest = lines[1:end], lines[end:]
    kept: list[str] = []
    pending = dict(fields)
    skipping = False
    for line in head:
        match = _KEY_RE.match(line)
        if match is None and skipping and line[:1] in (" ", "\t", "-", "\n"):
            continue  # the replaced key's value went on over this line
        skipping = False
        if match is not None and match["key"] in pending:
            value = pending.pop(match["key"])
            if value is not _DROP:
                kept.append(_render(match["key"], value))
            skipping = True
            continue
        kept.append(line)
    kept.extend(_render(key, value) for key, value in pending.items() if value is not _DROP)
    return "".join([lines[0], *kept, *rest])
