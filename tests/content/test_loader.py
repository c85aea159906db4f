"""Loading a content tree: classification, hashing, and one clear error per bad file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from knowledge_service.content.loader import (
    content_hash,
    display_path,
    find_files,
    load_content,
)
from knowledge_service.errors import ContentFolderError
from tests.factories import article_text, policy_text, write_article_md, write_policy_md

MAX = 64 * 1024


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the tmp folder so that paths show as ``content/...``, as users see them."""
    monkeypatch.chdir(tmp_path)


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


# Each case writes one bad file under `root` and returns (file, line or None, field or None, words).
BadCase = Callable[[Path], tuple[Path, int | None, str | None, str]]


def _malformed_yaml(root: Path) -> tuple[Path, int | None, str | None, str]:
    text = article_text("bad").replace("owner: payments@example.com", "owner: [unclosed")
    return _write(root / "bad.md", text), _line_of(text, "owner:") + 1, None, "malformed YAML"


def _missing_field(root: Path) -> tuple[Path, int | None, str | None, str]:
    return _write(root / "bad.md", article_text("bad", title=None)), 2, "title", "required"


def _mistyped_field(root: Path) -> tuple[Path, int | None, str | None, str]:
    text = article_text("bad", intents={"not": "a list"})
    return _write(root / "bad.md", text), _line_of(text, "intents:"), "intents", "list"


def _impossible_date(root: Path) -> tuple[Path, int | None, str | None, str]:
    text = article_text("bad", next_review="2026-02-30")
    return _write(root / "bad.md", text), _line_of(text, "next_review:"), "next_review", "date"


def _unknown_status(root: Path) -> tuple[Path, int | None, str | None, str]:
    text = article_text("bad", status="archived")
    return _write(root / "bad.md", text), _line_of(text, "status:"), "status", "archived"


def _empty_answer(root: Path) -> tuple[Path, int | None, str | None, str]:
    text = article_text("bad", answer="")
    body_line = text.splitlines().index("---", 1) + 2  # the line after the closing ---
    return _write(root / "bad.md", text), body_line, "answer", "empty"


def _not_utf8(root: Path) -> tuple[Path, int | None, str | None, str]:
    data = article_text("bad").encode("utf-8").replace(b"within", b"w\xffthin")
    line = data[: data.index(b"\xff")].count(b"\n") + 1
    return _write(root / "bad.md", data), line, None, "not valid UTF-8"


def _nul(root: Path) -> tuple[Path, int | None, str | None, str]:
    """A NUL is valid UTF-8 but no text (and PostgreSQL cannot store it)."""
    data = article_text("bad").encode("utf-8").replace(b"within", b"with\x00in")
    line = data[: data.index(b"\x00")].count(b"\n") + 1
    return _write(root / "bad.md", data), line, None, "NUL character"


def _oversized(root: Path) -> tuple[Path, int | None, str | None, str]:
    text = article_text("bad", answer="x" * (MAX + 1))
    return _write(root / "bad.md", text), None, None, "bytes (the setting KS_MAX_FILE_BYTES)"


def _symlink_outside(root: Path) -> tuple[Path, int | None, str | None, str]:
    target = _write(root.parent / "outside" / "secret.md", article_text("secret"))
    link = root / "secret.md"
    link.symlink_to(target)
    return link, None, None, "outside the content root"


def _symlinked_folder_outside(root: Path) -> tuple[Path, int | None, str | None, str]:
    _write(root.parent / "elsewhere" / "leak.md", article_text("leak"))
    (root / "linked").symlink_to(root.parent / "elsewhere", target_is_directory=True)
    return root / "linked" / "leak.md", None, None, "outside the content root"


BAD_INPUTS: dict[str, BadCase] = {
    "malformed-yaml": _malformed_yaml,
    "missing-field": _missing_field,
    "mistyped-field": _mistyped_field,
    "impossible-date": _impossible_date,
    "unknown-status": _unknown_status,
    "empty-answer": _empty_answer,
    "non-utf8": _not_utf8,
    "nul": _nul,
    "oversized": _oversized,
    "symlink-outside-root": _symlink_outside,
    "symlinked-folder-outside-root": _symlinked_folder_outside,
}


@pytest.mark.parametrize("case", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_file_gets_one_clear_error_and_the_others_still_load(
    tmp_path: Path, case: BadCase
) -> None:
    root = tmp_path / "content"
    write_article_md(root, "good")
    bad, line, field, words = case(root)

    loaded = load_content([root], max_file_bytes=MAX)

    assert [a.id for a in loaded.articles] == ["good"]
    assert len(loaded.invalid) == 1
    invalid = loaded.invalid[0]
    shown = display_path(bad)
    assert invalid.path == shown
    assert (invalid.line, invalid.field) == (line, field)
    where = f"{shown}:{line}: " if line is not None else f"{shown}: "
    assert invalid.message.startswith(where)
    if field is not None:
        assert f"field '{field}'" in invalid.message
    assert words in invalid.message
    assert "\n" not in invalid.message


def test_policies_folder_and_front_matter_classify_policies(tmp_path: Path) -> None:
    write_policy_md(tmp_path / "policies", "REFUNDS")
    write_article_md(tmp_path / "content", "refund-timeframe")
    # A policy outside a `policies` folder is recognised by effective_date without intents.
    _write(tmp_path / "content" / "fees.md", policy_text("FEES"))
    loaded = load_content([tmp_path / "content", tmp_path / "policies"], max_file_bytes=MAX)
    assert [a.id for a in loaded.articles] == ["refund-timeframe"]
    assert [p.id for p in loaded.policies] == ["FEES", "REFUNDS"]
    assert loaded.invalid == []


def test_invalid_policy_is_reported_as_a_policy(tmp_path: Path) -> None:
    _write(tmp_path / "policies" / "bad.md", policy_text("BAD", effective_date="soon"))
    loaded = load_content([tmp_path / "policies"], max_file_bytes=MAX)
    assert [(f.kind, f.field) for f in loaded.invalid] == [("policy", "effective_date")]


def test_a_policy_without_effective_date_outside_policies_says_why_it_reads_as_an_article(
    tmp_path: Path,
) -> None:
    """KS_POLICIES_DIR=policy-sources: a policy whose effective_date is missing is checked as an
    article; its errors (an upper-case id, no intents) once gave no clue why."""
    text = policy_text("REGO").replace("effective_date: '2026-01-01'\n", "")
    _write(tmp_path / "policy-sources" / "rego.md", text)
    _write(tmp_path / "policies" / "fees.md", text.replace("REGO", "FEES"))
    loaded = load_content([tmp_path / "policy-sources", tmp_path / "policies"], max_file_bytes=MAX)
    (article, policy) = sorted(loaded.invalid, key=lambda f: f.kind)
    assert (article.kind, article.field) == ("article", "id")
    assert "a policy needs 'effective_date'" in article.message
    assert (policy.kind, policy.field) == ("policy", "effective_date")
    assert "read as an article" not in policy.message
    _write(tmp_path / "content" / "a.md", article_text("a", intents="Bad.Intent"))
    (bad,) = load_content([tmp_path / "content"], max_file_bytes=MAX).invalid
    assert "read as an article" not in bad.message  # an article's own error needs no excuse


def test_readme_hidden_and_non_markdown_files_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "content"
    write_article_md(root, "kept")
    _write(root / "README.md", "# About this folder\n")
    _write(root / ".drafts" / "hidden.md", article_text("hidden"))
    _write(root / "notes.txt", "not markdown")
    assert [c.display for c in find_files([root])] == ["content/kept.md"]


def test_raw_hash_and_source_path_are_keyed_by_absolute_path(tmp_path: Path) -> None:
    path = write_article_md(tmp_path / "content" / "billing", "a")
    loaded = load_content([Path("content")], max_file_bytes=MAX)
    key = path.resolve().as_posix()
    assert loaded.articles[0].source_path == key
    assert loaded.raw[key] == path.read_text(encoding="utf-8")
    assert loaded.hashes[key] == content_hash(path.read_text(encoding="utf-8"))


def test_line_endings_and_bom_do_not_change_the_hash(tmp_path: Path) -> None:
    text = article_text("a")
    _write(tmp_path / "lf" / "a.md", text.encode("utf-8"))
    _write(tmp_path / "crlf" / "a.md", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    lf = load_content([tmp_path / "lf"], max_file_bytes=MAX)
    crlf = load_content([tmp_path / "crlf"], max_file_bytes=MAX)
    assert crlf.invalid == []
    assert list(lf.hashes.values()) == list(crlf.hashes.values())
    assert crlf.raw[(tmp_path.resolve() / "crlf/a.md").as_posix()] == text


def test_a_file_and_a_symlink_to_it_inside_the_root_are_one_article(tmp_path: Path) -> None:
    target = write_article_md(tmp_path / "content" / "shared", "shared")
    (tmp_path / "content" / "alias.md").symlink_to(target)
    loaded = load_content([tmp_path / "content"], max_file_bytes=MAX)
    # The same article reached twice is one file: read once, under its own path (though the
    # symlink's sorts first), and nothing reported: an invalid finding would block it.
    own = (tmp_path.resolve() / "content/shared/shared.md").as_posix()
    assert [a.source_path for a in loaded.articles] == [own]
    assert loaded.invalid == [] and list(loaded.raw) == [own]


def test_single_files_and_overlapping_roots_are_read_once(tmp_path: Path) -> None:
    a = write_article_md(tmp_path / "content", "a")
    write_article_md(tmp_path / "content", "b")
    loaded = load_content([a, tmp_path / "content", a], max_file_bytes=MAX)
    assert sorted(x.id for x in loaded.articles) == ["a", "b"]
    assert loaded.invalid == []


def test_missing_path_is_invalid(tmp_path: Path) -> None:
    loaded = load_content([tmp_path / "nowhere.md"], max_file_bytes=MAX)
    assert [f.message for f in loaded.invalid] == ["nowhere.md: does not exist"]


def test_progress_reports_every_file(tmp_path: Path) -> None:
    for n in range(3):
        write_article_md(tmp_path / "content", f"a{n}")
    calls: list[tuple[int, int]] = []
    load_content(
        [tmp_path / "content"], max_file_bytes=MAX, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_path_outside_cwd_is_shown_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    path = write_article_md(tmp_path / "content", "a")
    (tmp_path / "content" / "bad.md").write_text("no front matter\n", encoding="utf-8")
    loaded = load_content([Path("../content")], max_file_bytes=MAX)
    assert loaded.articles[0].source_path == path.resolve().as_posix()
    assert [f.path for f in loaded.invalid] == [(tmp_path.resolve() / "content/bad.md").as_posix()]


@pytest.mark.parametrize(
    ("text", "doc_id"),
    [
        (article_text("late-fee", next_review="2026-02-30"), "late-fee"),  # another field bad
        (article_text("late-fee", answer=""), "late-fee"),  # no answer
        ("---\nid: late-fee\ntitle: [unclosed\n---\nx\n", None),  # not YAML
        ("---\nid: Late Fee!\ntitle: x\n---\nx\n", None),  # not an article id
        ("---\nid: late-fee\nid: other\n---\nx\n", None),  # a key set twice
        ("no front matter\n", None),
    ],
)
def test_a_bad_file_records_where_it_lies_and_its_id_when_readable(
    tmp_path: Path, text: str, doc_id: str | None
) -> None:
    _write(tmp_path / "content" / "billing" / "late-fee.md", text)
    (bad,) = load_content([tmp_path / "content"], max_file_bytes=MAX).invalid
    assert (bad.kind, bad.doc_id) == ("article", doc_id)
    root = (tmp_path / "content").resolve()
    assert (bad.root, bad.source_path) == (root.as_posix(), f"{root}/billing/late-fee.md")
    assert (bad.relative_path, bad.folder_path) == (
        "billing/late-fee.md",
        "content/billing/late-fee.md",
    )


def test_a_duplicate_id_and_a_bad_policy_give_their_ids(tmp_path: Path) -> None:
    write_article_md(tmp_path / "content", "a-first", id="same")
    write_article_md(tmp_path / "content", "b-second", id="same")
    _write(tmp_path / "policies" / "bad.md", policy_text("BAD", effective_date="soon"))
    loaded = load_content([tmp_path / "content", tmp_path / "policies"], max_file_bytes=MAX)
    assert sorted((f.kind, f.doc_id, f.field) for f in loaded.invalid) == [
        ("article", "same", "id"), ("article", "same", "id"), ("policy", "BAD", "effective_date"),
    ]  # fmt: skip


def test_the_same_id_in_two_files_loads_neither_and_names_both(tmp_path: Path) -> None:
    """Which file is the real article is the owner's call, not the path order's: neither is
    loaded, and each file's error names the other."""
    root = tmp_path / "content"
    write_article_md(root, "good")
    first = write_article_md(root, "a-first", id="same")
    second = write_article_md(root, "b-second", id="same", title="A copy")
    loaded = load_content([root], max_file_bytes=MAX)
    assert [a.id for a in loaded.articles] == ["good"]
    assert sorted(loaded.raw) == [(root.resolve() / "good.md").as_posix()]
    assert sorted(f.path for f in loaded.invalid) == sorted(map(display_path, (first, second)))
    for invalid in loaded.invalid:
        assert (invalid.line, invalid.field, invalid.doc_id) == (2, "id", "same")
        assert invalid.message.startswith(f"{invalid.path}:2: field 'id': ")
        assert "content/a-first.md" in invalid.message and "content/b-second.md" in invalid.message
        assert "neither is imported" in invalid.message


def test_a_duplicate_id_s_files_are_named_alike_when_a_subfolder_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``import content/qa`` named the file in error by its path and the other by the folder's
    name alone ("content/qa/a.md: ... also given by qa/b.md")."""
    monkeypatch.chdir(tmp_path)
    write_article_md(tmp_path / "content" / "qa", "a-first", id="same")
    write_article_md(tmp_path / "content" / "qa", "b-second", id="same")
    loaded = load_content([Path("content/qa")], max_file_bytes=MAX)
    messages = sorted(f.message for f in loaded.invalid)
    assert messages[0].startswith("content/qa/a-first.md:2: ")
    assert "also given by content/qa/b-second.md;" in messages[0]
    assert "also given by content/qa/a-first.md;" in messages[1]


def test_an_article_in_a_content_subfolder_named_policies_is_an_article(tmp_path: Path) -> None:
    """Every content/**/*.md is an article, a folder named "policies" inside it included; a
    "policies" folder beside it (kb/policies) holds policies."""
    kb = tmp_path / "kb"
    _write(kb / "content" / "policies" / "late-fee.md", article_text("late-fee-explained"))
    _write(kb / "policies" / "refunds.md", policy_text("REFUNDS"))
    for roots in ([kb], [kb / "content", kb / "policies"]):
        loaded = load_content(roots, max_file_bytes=MAX)
        assert [a.id for a in loaded.articles] == ["late-fee-explained"], loaded.invalid
        assert [p.id for p in loaded.policies] == ["REFUNDS"]


def test_a_folder_that_cannot_be_listed_stops_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as empty, an unreadable folder would have its articles retired by the import:
    nothing is loaded, and the error names the folder."""
    root = tmp_path / "content"
    write_article_md(root / "open", "kept")
    write_article_md(root / "locked", "hidden")
    listing = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(ContentFolderError, match=r"cannot read the folder .*locked.*Permission"):
        load_content([root], max_file_bytes=MAX)


def test_a_file_that_cannot_be_read_is_an_invalid_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "content"
    write_article_md(root, "kept")
    locked = write_article_md(root, "locked")
    reading = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied", str(self))
        return reading(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    loaded = load_content([root], max_file_bytes=MAX)
    assert [a.id for a in loaded.articles] == ["kept"]
    (invalid,) = loaded.invalid
    assert "cannot be read (Permission denied)" in invalid.message


def test_a_bad_byte_after_a_byte_order_mark_is_named_at_its_offset_in_the_file(
    tmp_path: Path,
) -> None:
    """The byte named is the bad one, counted from the file's first byte (the mark included)."""
    data = b"\xef\xbb\xbf" + article_text("bad").encode("utf-8").replace(b"within", b"with\xffin")
    _write(tmp_path / "content" / "bad.md", data)
    (bad,) = load_content([tmp_path / "content"], max_file_bytes=MAX).invalid
    offset = data.index(b"\xff")
    assert f"byte 0xff at offset {offset}" in bad.message
