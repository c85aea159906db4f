"""Read a content tree from disk: find the Markdown files, classify, parse and validate them.

Pure apart from reading files: the result is data (:class:`LoadedContent`) that the store
service turns into versions. One bad file never stops the others; it becomes an
:class:`InvalidFile` naming the file, the line (where known) and the field.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge_service.content.parser import parse_article, parse_policy, split_front_matter
from knowledge_service.content.schemas import (
    ARTICLE_ID_PATTERN,
    POLICY_ID_PATTERN,
    ArticleDocument,
    PolicyDocument,
)
from knowledge_service.errors import ContentFolderError, InvalidContentError

POLICY_FOLDER = "policies"
CONTENT_FOLDER = "content"
_SKIPPED_NAMES = frozenset({"readme.md"})

Progress = Callable[[int, int], None]

# Classification only needs the top-level keys; full YAML parsing happens once, in the parser.
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)^(?:---|\.\.\.)[ \t]*$", re.S | re.M)
_TOP_LEVEL_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.M)


_ID_PATTERNS = {"article": re.compile(ARTICLE_ID_PATTERN), "policy": re.compile(POLICY_ID_PATTERN)}
_MAX_ID_CHARS = 120


class InvalidFile(BaseModel):
    """A file that breaks the content contract; ``message`` is the full one-line text.

    ``path`` is the file as shown to users (see :func:`display_path`); a file found by
    :func:`load_content` also records its absolute ``source_path``, the resolved ``root`` it
    was found under, and ``doc_id``: the article or policy id its front matter gives when that
    id can be read (the front matter splits and ``id`` is a valid id of its kind) although
    something else in the file is wrong.
    """

    path: str
    line: int | None = None
    field: str | None = None
    message: str
    kind: str = "article"  # "article" or "policy": what the file was taken for
    doc_id: str | None = None
    source_path: str | None = None
    root: str | None = None

    @classmethod
    def from_error(cls, error: InvalidContentError, kind: str = "article") -> InvalidFile:
        return cls(
            path=error.path, line=error.line, field=error.field, message=error.message, kind=kind
        )

    @property
    def relative_path(self) -> str | None:
        """The file's path under its root (``billing/late-fee.md``), when both are known."""
        if self.source_path is None or self.root is None:
            return None
        where, root = Path(self.source_path), Path(self.root)
        return where.relative_to(root).as_posix() if where.is_relative_to(root) else None

    @property
    def folder_path(self) -> str:
        """The file as a finding names it: under the name of the folder it was found in
        (``content/billing/late-fee.md``) wherever that folder lies, else ``path``."""
        rel = self.relative_path
        return f"{Path(self.root or '').name}/{rel}" if rel is not None else self.path


def readable_id(text: str, kind: str) -> str | None:
    """The ``id`` a file's front matter gives, if it splits and the id is valid for ``kind``
    (``article`` or ``policy``), whatever else is wrong with the file; else None."""
    try:
        doc_id = split_front_matter(text, "<id>").data.get("id")
    except InvalidContentError:
        return None
    pattern = _ID_PATTERNS.get(kind)
    if not isinstance(doc_id, str) or pattern is None or len(doc_id) > _MAX_ID_CHARS:
        return None
    return doc_id if pattern.match(doc_id) else None


class LoadedContent(BaseModel):
    """Everything read from a set of content paths.

    ``raw`` and ``hashes`` are keyed by ``source_path``: the file's absolute path (under its
    resolved root), which is what the store records, so that an import run from any folder
    finds the same files. Messages (``invalid``) show :func:`display_path` instead.
    """

    articles: list[ArticleDocument] = Field(default_factory=list)
    policies: list[PolicyDocument] = Field(default_factory=list)
    raw: dict[str, str] = Field(default_factory=dict)
    hashes: dict[str, str] = Field(default_factory=dict)
    invalid: list[InvalidFile] = Field(default_factory=list)


class FileScan(BaseModel):
    """What an import read under its folders (``roots``: resolved absolute paths, a folder or
    a single file each): the bad files, and the ids of the articles and policies read from a
    valid file. The governance check keeps the ``invalid`` findings of those folders in step
    with it (see :func:`~knowledge_service.freshness.store.check_store`)."""

    roots: list[str] = Field(default_factory=list)
    invalid: list[InvalidFile] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)
    policy_ids: list[str] = Field(default_factory=list)

    def holds(self, path: str | None) -> bool:
        """Whether ``path`` (absolute) lies under (or is) one of the roots."""
        return path is not None and any(Path(path).is_relative_to(root) for root in self.roots)


class _Candidate(BaseModel):
    """A Markdown file found under a root: its absolute path (stored), the path shown in
    messages, where it was found and the resolved root."""

    path: str
    display: str
    found: Path
    root: Path

    @classmethod
    def under(cls, root: Path, rel: Path, found: Path) -> _Candidate:
        absolute = root / rel
        return cls(path=absolute.as_posix(), display=display_path(absolute), found=found, root=root)


def normalise_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and ``\\r`` into ``\\n`` so that line endings never make a new version."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def as_read(text: str) -> str:
    """A document's text as a file's is read: a leading byte order mark dropped and line
    endings ``\\n`` (a text sent through the API or a page, as an imported file's)."""
    return normalise_newlines(text.removeprefix("\ufeff"))


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the text with its newlines normalised."""
    return hashlib.sha256(normalise_newlines(text).encode("utf-8")).hexdigest()


def display_path(path: Path) -> str:
    """The path as shown to users: relative to the working directory when possible (the store
    records the absolute path)."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _walk_markdown(root: Path) -> Iterator[Path]:
    """Every ``*.md`` file under ``root`` (following symlinked folders once, skipping hidden
    entries and README files), as found, not resolved."""
    visited: set[str] = set()

    def unreadable(error: OSError) -> None:
        # a folder that cannot be listed would look empty, and its articles be retired
        raise ContentFolderError(
            f"cannot read the folder {display_path(Path(error.filename or root))} "
            f"({error.strerror or error}): nothing was imported; fix its permissions or leave "
            "it out"
        ) from error

    for folder, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:
            dirnames.clear()
            continue
        visited.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if is_content_name(name):
                yield Path(folder) / name


def is_content_name(name: str) -> bool:
    """Whether a file of this name is read as content: Markdown (``*.md``), not hidden and no
    README (documentation); a file named on the command line as a folder's file would be."""
    return name.endswith(".md") and not name.startswith(".") and name.lower() not in _SKIPPED_NAMES


def find_files(paths: Sequence[Path]) -> list[_Candidate]:
    """The Markdown files under ``paths`` (folders or single files), sorted by display path.

    A file reached twice (overlapping roots) is kept once, with the first root it was found
    under; a file reached through a symlink inside the root as well, under its own path.
    """
    found: dict[str, _Candidate] = {}
    for given in paths:
        absolute = Path(os.path.abspath(given))
        if absolute.is_dir():
            root = absolute.resolve()
            for file in _walk_markdown(absolute):
                rel = Path(os.path.relpath(file, absolute))
                candidate = _Candidate.under(root, rel, file)
                found.setdefault(candidate.display, candidate)
        elif is_content_name(absolute.name):  # else skipped (skipped_files names it)
            candidate = _Candidate.under(absolute.parent.resolve(), Path(absolute.name), absolute)
            found.setdefault(candidate.display, candidate)
    return _one_path_per_file([found[key] for key in sorted(found)])


def _one_path_per_file(candidates: list[_Candidate]) -> list[_Candidate]:
    """``candidates`` with each file reached by more than one path (a symlink inside the root
    to another file there) kept once: under its own path, not the symlink's (else the first).
    It is one file, one document: nothing to report."""
    by_file: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        by_file.setdefault(os.path.realpath(candidate.found), []).append(candidate)
    kept = set()
    for real, paths in by_file.items():
        own = next((c for c in paths if c.path == Path(real).as_posix()), paths[0])
        kept.add(id(own))
    return [c for c in candidates if id(c) in kept]


def _read_text(candidate: _Candidate, max_file_bytes: int) -> str:
    """Read one file, enforcing the root, the size limit and UTF-8."""
    path = candidate.display
    if not candidate.found.exists():
        raise InvalidContentError(path, "does not exist")
    real = candidate.found.resolve()
    if not real.is_relative_to(candidate.root):
        raise InvalidContentError(
            path, f"resolves to {real.as_posix()}, outside the content root {candidate.root}"
        )
    size = real.stat().st_size
    if size > max_file_bytes:
        raise InvalidContentError(
            path,
            f"is {size} bytes, over the limit of {max_file_bytes} bytes (the setting "
            "KS_MAX_FILE_BYTES)",
        )
    try:
        data = real.read_bytes()
    except OSError as exc:
        raise InvalidContentError(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidContentError(
            path,
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line=line,
        ) from exc
    return as_read(text)


def _in_policy_folder(candidate_root: Path, found: Path) -> bool:
    """The outermost folder named ``policies`` or ``content`` on the way to ``found`` (the root
    given included) is ``policies``: ``kb/policies/fees.md`` is in one, but not
    ``content/policies/late-fee.md`` (every ``content/**/*.md`` is an article, unless its front
    matter is a policy's)."""
    rel_parts = Path(os.path.relpath(found.parent, candidate_root)).parts
    for name in (candidate_root.name, *rel_parts):
        if name in (POLICY_FOLDER, CONTENT_FOLDER):
            return name == POLICY_FOLDER
    return False


def is_policy_file(candidate_root: Path, found: Path, text: str) -> bool:
    """A policy lies under a folder named ``policies`` (the root or below it, not inside a
    ``content`` folder), or its front matter has ``effective_date`` and no ``intents``."""
    if _in_policy_folder(candidate_root, found):
        return True
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return False
    keys = set(_TOP_LEVEL_KEY_RE.findall(match["yaml"]))
    return "effective_date" in keys and "intents" not in keys


# Why a file that reads as a policy's front matter was checked as an article: said after its
# errors, which are about an article's fields ('intents' missing, an upper-case id) and would
# leave its author looking for what an article needs.
_READ_AS_ARTICLE = (
    "read as an article, since it lies under no folder named 'policies' and its front matter "
    "has no 'effective_date': a policy needs 'effective_date' (or a place under a folder "
    "named 'policies')"
)


def _policy_read_as_article(text: str) -> bool:
    """The front matter has a policy's ``version`` and no article's ``intents``: a policy
    whose ``effective_date`` is missing, in a folder not named ``policies``."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return False
    keys = set(_TOP_LEVEL_KEY_RE.findall(match["yaml"]))
    return "version" in keys and "intents" not in keys


def _id_line(text: str) -> int | None:
    try:
        return split_front_matter(text, "<id>").key_lines.get("id")
    except InvalidContentError:
        return None


@dataclass
class _Defined:
    """A file that gave a ``kind:id``: its candidate and text."""

    candidate: _Candidate
    text: str


def _load_one(
    candidate: _Candidate,
    text: str,
    kind: str,
    result: LoadedContent,
    seen: dict[str, list[_Defined]],
) -> None:
    """Parse one file into ``result``; ``seen`` maps ``kind:id`` to the files that gave it
    (the first is loaded; :func:`_refuse_duplicates` sorts the rest out at the end).

    Errors name the shown path; the document records the absolute one."""
    path, stored = candidate.display, {"source_path": candidate.path}
    if kind == "policy":
        policy = parse_policy(text, path).model_copy(update=stored)
        key = f"policy:{policy.id}"
        if _first(seen, key, candidate, text):
            result.policies.append(policy)
    else:
        article = parse_article(text, path).model_copy(update=stored)
        key = f"article:{article.id}"
        if _first(seen, key, candidate, text):
            result.articles.append(article)
    if len(seen[key]) > 1:
        return
    result.raw[candidate.path] = text
    result.hashes[candidate.path] = content_hash(text)


def _first(seen: dict[str, list[_Defined]], key: str, candidate: _Candidate, text: str) -> bool:
    """Record that ``candidate`` gives ``key``; whether it is the first file to."""
    files = seen.setdefault(key, [])
    files.append(_Defined(candidate, text))
    return len(files) == 1


def _refuse_duplicates(result: LoadedContent, seen: dict[str, list[_Defined]]) -> None:
    """An id given by two or more files loads none of them: each is invalid, naming the
    others, so the store keeps what it holds until the owner says which is the article (a
    stray copy must not replace it because its path sorts first). The same file reached
    twice (a symlink inside the root) is one file, read once (:func:`find_files`)."""
    for key, files in seen.items():
        if len(files) < 2:
            continue
        entity, doc_id = key.split(":", 1)
        first = files[0]
        gone = first.candidate.path
        if entity == "policy":
            result.policies = [d for d in result.policies if d.source_path != gone]
        else:
            result.articles = [d for d in result.articles if d.source_path != gone]
        result.raw.pop(first.candidate.path, None)
        result.hashes.pop(first.candidate.path, None)
        names = [f.candidate.display for f in files]  # as each file's own error names it
        for defined, name in zip(files, names, strict=True):
            others = ", ".join(n for n in names if n != name)
            problem = (
                f"duplicate {entity} id '{doc_id}': also given by {others}; neither is "
                f"imported (the store keeps its {entity} as it is) until one file has it: "
                "change the id of the others or delete them"
            )
            result.invalid.append(_duplicate(defined, entity, doc_id, problem))


def _duplicate(defined: _Defined, entity: str, doc_id: str, problem: str) -> InvalidFile:
    candidate = defined.candidate
    error = InvalidContentError(candidate.display, problem, line=_id_line(defined.text), field="id")
    bad = InvalidFile.from_error(error, entity)
    _locate(bad, candidate, defined.text)
    return bad


def _locate(bad: InvalidFile, candidate: _Candidate, text: str | None) -> None:
    """Record where a bad file lies and the id it gives, if readable (see :class:`InvalidFile`)."""
    bad.source_path, bad.root = candidate.path, candidate.root.as_posix()
    bad.doc_id = readable_id(text, bad.kind) if text is not None else None


def skipped_files(paths: Sequence[Path]) -> list[str]:
    """The files named in ``paths`` that are not read, as a folder's files of those names would
    not be (a README, an image, a hidden file: ``import content/*``), as shown to users."""
    return [display_path(p) for p in paths if not p.is_dir() and not is_content_name(p.name)]


def load_content(
    paths: Sequence[Path], *, max_file_bytes: int, progress: Progress | None = None
) -> LoadedContent:
    """Read, classify, parse and validate every Markdown file under ``paths``.

    Args:
        paths: folders (searched recursively for ``*.md``; README files skipped) or single files.
        max_file_bytes: files larger than this are invalid.
        progress: called as ``progress(done, total)`` after each file.

    Returns:
        The valid articles and policies (an id given by two files loads neither), their raw text and
        content hashes keyed by source path, and one :class:`InvalidFile` per bad file.
    """
    candidates = find_files(paths)
    result = LoadedContent()
    bad_before = 0
    seen: dict[str, list[_Defined]] = {}
    for done, candidate in enumerate(candidates, start=1):
        kind = "policy" if _in_policy_folder(candidate.root, candidate.found) else "article"
        text: str | None = None
        try:
            text = _read_text(candidate, max_file_bytes)
            kind = "policy" if is_policy_file(candidate.root, candidate.found, text) else "article"
            _load_one(candidate, text, kind, result, seen)
        except InvalidContentError as error:
            if kind == "article" and text is not None and _policy_read_as_article(text):
                error = InvalidContentError(
                    error.path,
                    f"{error.problem}; {_READ_AS_ARTICLE}",
                    line=error.line,
                    field=error.field,
                )
            result.invalid.append(InvalidFile.from_error(error, kind))
        if len(result.invalid) > bad_before:
            _locate(result.invalid[-1], candidate, text)
        bad_before = len(result.invalid)
        if progress is not None:
            progress(done, len(candidates))
    _refuse_duplicates(result, seen)
    return result
