"""Parse article and policy files: YAML front matter (safe loading only) and a Markdown body.

Pure functions: text in, validated documents out. Every problem raises
:class:`~knowledge_service.errors.InvalidContentError` naming the file, the line and the field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, ValidationError

from knowledge_service.content.markup import check_answer, check_markup
from knowledge_service.content.schemas import (
    AUTHORED,
    NO_TEXT_TO_SHOW,
    ONE_LINE,
    PATTERN_WORDS,
    ArticleDocument,
    ArticleMeta,
    Clause,
    PolicyDocument,
    PolicyMeta,
    Section,
    control_character,
    shows_text,
)
from knowledge_service.errors import InvalidContentError
from knowledge_service.privacy import INVISIBLE_FORMAT

_MD = MarkdownIt("commonmark")
# "2.1 Refund timeframe", "2.1. Refund timeframe", "2.1) ...", or the number alone ("## 2.1")
_CLAUSE_HEADING_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)*)[.)]?(?:\s+(?P<title>.*))?$")
# emphasis around the number ("**2.1** Refund timeframe") is no part of it
_NUMBER_EMPHASIS = re.compile(r"^[*_]+|(?<=\d)[*_]+|(?<=\d[.)])[*_]+")


# libyaml's C parser when available (several times faster); the same safe constructor.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that keeps dates as text, so pydantic reports impossible dates per field."""


_ContentLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FrontMatter(BaseModel):
    """Front matter split from a file: the mapping, its key lines and where the body starts."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # 1-based line in the file where the body starts


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``---`` delimited YAML front matter from the Markdown body."""
    nul = text.find("\x00")
    if nul >= 0:  # no text holds one, and PostgreSQL cannot store it (file or API alike)
        raise InvalidContentError(
            path, "holds a NUL character (U+0000): a text file has none",
            line=text.count("\n", 0, nul) + 1,
        )  # fmt: skip
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise InvalidContentError(path, "the file must start with '---' front matter", line=1)
    # Trailing white space is invisible in an editor: "--- " closes as the first line opens.
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise InvalidContentError(path, "the front matter has no closing '---' line", line=1)
    yaml_text = "".join(lines[1:end])
    try:
        loader = _ContentLoader(yaml_text)
        try:  # one parse: the node gives the key lines, the constructor the data
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc)
        # YAML notices an unclosed list or quote where it gives up, lines later: name the line
        # where what it was reading began, the one to correct ("intents: [a.b" on line 4).
        began, context = getattr(exc, "context_mark", None), getattr(exc, "context", None)
        if began is not None and context and began.line + 2 != line:
            problem = f"{problem} ({context} begun on line {began.line + 2})"
        raise InvalidContentError(
            path, f"malformed YAML front matter: {problem}", line=line
        ) from exc
    if not isinstance(data, dict):
        raise InvalidContentError(path, "the front matter must be a YAML mapping", line=2)
    key_lines = _key_lines(node, path)
    data = {str(k): v for k, v in data.items()}
    for key, value in data.items():
        if _holds_nul(value):  # a YAML escape ("Late\0 fee"): the raw byte is refused above
            raise InvalidContentError(
                path, "holds a NUL character (U+0000): no text may",
                line=key_lines.get(key), field=key,
            )  # fmt: skip
    data.update(_as_written(node))
    return FrontMatter(
        data=data,
        key_lines=key_lines,
        body="".join(lines[end + 1 :]),
        body_line=end + 2,
    )


def _holds_nul(value: Any) -> bool:
    """Whether a front matter value, or any text in it (a list's, a mapping's), holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


_TEXT_FIELDS = frozenset({"id", "title", "owner", "version"})
_NOT_TEXT_TAGS = frozenset(
    {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}
)


def _as_written(node: yaml.Node | None) -> dict[str, str]:
    """The text fields written as bare numbers or yes/no, as written: YAML reads
    ``version: 4.10`` as the number 4.1 and ``id: 2024`` as a number, but the contract's text
    is what the file says."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): value.value
        for key, value in node.value
        if str(key.value) in _TEXT_FIELDS
        and isinstance(value, yaml.ScalarNode)
        and not value.style  # plain (libyaml says '', the Python parser None), not quoted
        and value.tag in _NOT_TEXT_TAGS
    }


def _key_lines(node: yaml.Node | None, path: str) -> dict[str, int]:
    """The file line of each top-level key; a key set twice is an error (YAML would keep the
    last value silently), naming the key and both lines."""
    key_lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return key_lines
    for key_node, _ in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 2
        if key in key_lines:
            raise InvalidContentError(
                path, f"is set twice (first on line {key_lines[key]})", line=line, field=key
            )
        key_lines[key] = line
    return key_lines


def _validate(model: type[BaseModel], fm: FrontMatter, path: str) -> Any:
    try:
        return model.model_validate(fm.data, context=AUTHORED)
    except ValidationError as exc:
        found = [_described(model, fm, error) for error in exc.errors()]
        where, line, problem = found[0]
        others = [
            f"line {at}, field '{name}': {said}" if at is not None else f"field '{name}': {said}"
            for name, at, said in dict.fromkeys(found[1:])
            if name != where
        ]  # every mistake at once: an owner fixing a file should not need a round for each
        if others:
            problem += "; also " + "; ".join(others)
        raise InvalidContentError(path, problem, line=line, field=where) from exc


def _described(
    model: type[BaseModel], fm: FrontMatter, error: Any
) -> tuple[str | None, int | None, str]:
    """One validation error as (dotted location of its field, line, problem in words)."""
    loc = [str(part) for part in error["loc"]]
    field = loc[0] if loc else None
    where = ".".join(loc) if loc else None
    if error["type"] == "missing":
        problem = "is required but missing"
    elif error.get("input") is None and len(loc) == 1:  # "status:" with nothing after it
        info = model.model_fields.get(loc[0])
        optional = info is not None and not info.is_required()
        problem = "is empty: give a value" + (
            ", or leave the line out for the default" if optional else ""
        )
    else:
        given = error.get("input")
        given = given.isoformat() if isinstance(given, date) else given
        shown = f" (got {given!r})" if not isinstance(given, dict | list) else ""
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        said = str(error["msg"]).removeprefix("Value error, ")  # a validator's own words
        problem = PATTERN_WORDS.get(pattern, said) + shown
    line = fm.key_lines.get(field) if field else None
    if line is None and field is not None:
        line = 2
    return where, line, problem


def _heading_text(tokens: list[Token], index: int) -> str:
    inline = tokens[index + 1]
    return inline.content.strip()


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for match in re.finditer("\n", text):
        offsets.append(match.end())
    return offsets


def _headings(body: str) -> list[tuple[int, int, str]]:
    """(level, 0-based body line, heading text) of every heading in document order."""
    tokens = _MD.parse(body)
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            found.append((int(token.tag[1:]), token.map[0], _heading_text(tokens, i)))
    return found


def parse_sections(body: str, body_line: int = 1) -> tuple[str, list[Section]]:
    """Split a Markdown body into the answer lead and heading-delimited sections.

    Each section runs from its heading to the next heading of any level; ``path`` holds the
    texts of its enclosing headings and its own.
    """
    offsets = _line_offsets(body)
    headings = _headings(body)
    first = offsets[headings[0][1]] if headings else len(body)
    answer = body[:first].strip()
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    for n, (level, line0, text) in enumerate(headings):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        start = offsets[line0]
        end = offsets[headings[n + 1][1]] if n + 1 < len(headings) else len(body)
        content_start = offsets[line0 + 1] if line0 + 1 < len(offsets) else end
        sections.append(
            Section(
                heading=text,
                path=[t for _, t in stack],
                level=level,
                text=body[min(content_start, end) : end].strip(),
                start=start,
                end=end,
                line=body_line + line0,
            )
        )
    return answer, sections


def parse_clauses(body: str, body_line: int = 1) -> list[Clause]:
    """Numbered clauses: a heading starting ``2.1`` runs to the next heading of the same or a
    higher level (so clause ``2`` includes the text of ``2.1``)."""
    offsets = _line_offsets(body)
    headings = _headings(body)
    clauses: list[Clause] = []
    for n, (level, line0, text) in enumerate(headings):
        match = _CLAUSE_HEADING_RE.match(_NUMBER_EMPHASIS.sub("", text))
        if not match:
            continue
        end_line = next((h[1] for h in headings[n + 1 :] if h[0] <= level), None)
        end = offsets[end_line] if end_line is not None else len(body)
        content_start = offsets[line0 + 1] if line0 + 1 < len(offsets) else end
        clauses.append(
            Clause(
                number=match["number"],
                heading=(match["title"] or "").strip(),
                text=body[min(content_start, end) : end].strip(),
                level=level,
                line=body_line + line0,
            )
        )
    return clauses


_NOT_SHOWN = re.compile(rf"[\s{INVISIBLE_FORMAT}]+")
_HTML_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>", re.S)


def _visible_text(markdown: str) -> str:
    """What a reader sees of ``markdown``: its text, code and images' alt text, without markup,
    HTML tags and comments, link definitions, rules or invisible characters."""
    parts: list[str] = []
    for token in _MD.parse(markdown):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline", "image"):
                    parts.append(child.content)
                elif child.type == "html_inline":
                    parts.append(_HTML_MARKUP.sub("", child.content))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
        elif token.type == "html_block":
            parts.append(_HTML_MARKUP.sub("", token.content))
    return _NOT_SHOWN.sub("", "".join(parts))


_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")


def _underlined(body: str) -> str:
    """A hint when the body's first text is underlined with ``---`` or ``===``: Markdown reads
    a line underlined so as a heading, which leaves no answer before it."""
    lines = body.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    if first + 1 >= len(lines) or not _UNDERLINE.match(lines[first + 1]):
        return ""
    if _UNDERLINE.match(lines[first]) or lines[first].lstrip().startswith("#"):
        return ""  # a rule, or a heading already
    return (
        f": its first line, {lines[first].strip()[:60]!r}, is underlined with "
        f"{lines[first + 1].strip()[:3]!r}, which makes it a heading in Markdown (remove the "
        "underline)"
    )


_NAMES = ("title", "owner")
"""The one-line texts of both kinds' front matter: listed one per line by the CLI, matched
against an owner key's owner (which never holds a line break or another control character)."""


def _check_names(meta: ArticleMeta | PolicyMeta, fm: FrontMatter, path: str) -> None:
    """A title or owner that is no line of visible text is refused, naming the field: a line
    break splits the CLI's one-line rows, an escape reaches the terminal as a command, and an
    owner with either matches no owner key (nor a reassignment, which refuses them)."""
    found: list[tuple[str, str]] = []
    for field in _NAMES:
        value = str(getattr(meta, field))
        if (char := control_character(value)) is not None:
            found.append((field, f"holds a control character ({char}): {ONE_LINE}"))
        elif not shows_text(value):
            found.append((field, NO_TEXT_TO_SHOW))
    if found:
        (field, problem), *others = found
        for name, said in others:  # every mistake at once, as _validate says them
            problem += f"; also line {fm.key_lines.get(name)}, field '{name}': {said}"
        raise InvalidContentError(path, problem, line=fm.key_lines.get(field), field=field)


def parse_article(text: str, path: str = "<article>") -> ArticleDocument:
    """Parse and validate one article file."""
    fm = split_front_matter(text, path)
    meta: ArticleMeta = _validate(ArticleMeta, fm, path)
    _check_names(meta, fm, path)
    check_markup(fm.body, path, fm.body_line)
    answer, sections = parse_sections(fm.body, fm.body_line)
    check_answer(answer, path, fm.body_line)
    if not answer:
        raise InvalidContentError(
            path,
            "the answer (the text before the first heading) is empty" + _underlined(fm.body),
            line=fm.body_line,
            field="answer",
        )
    if not _visible_text(answer):
        raise InvalidContentError(
            path,
            "the answer (the text before the first heading) has no text to show: only "
            "markup, a comment or invisible characters",
            line=fm.body_line,
            field="answer",
        )
    return ArticleDocument(
        **meta.model_dump(), answer=answer, body=fm.body, sections=sections, source_path=path
    )


def parse_policy(text: str, path: str = "<policy>") -> PolicyDocument:
    """Parse and validate one policy source file."""
    fm = split_front_matter(text, path)
    meta: PolicyMeta = _validate(PolicyMeta, fm, path)
    _check_names(meta, fm, path)
    check_markup(fm.body, path, fm.body_line)
    clauses = parse_clauses(fm.body, fm.body_line)
    seen: set[str] = set()
    for clause in clauses:
        if clause.number in seen:
            raise InvalidContentError(
                path, f"clause {clause.number} is numbered twice", line=clause.line, field="clause"
            )
        seen.add(clause.number)
    return PolicyDocument(**meta.model_dump(), body=fm.body, clauses=clauses, source_path=path)
