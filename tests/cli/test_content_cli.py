"""The content CLI: import with a summary, and reading articles and policies."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_service.cli import common
from knowledge_service.errors import InvalidRequestError, NotFoundError
from tests.cli.conftest import invoke
from tests.factories import article_text, write_article_md, write_policy_md

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cli_env(cli_store: Path) -> Path:
    """A tmp store and content tree (see ``cli_store``)."""
    tmp_path = cli_store
    write_article_md(tmp_path / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"])
    write_article_md(tmp_path / "content" / "billing", "paper-bills", status="draft")
    write_policy_md(tmp_path / "policies", "REFUNDS")
    return tmp_path


def _summary_row(output: str, kind: str) -> list[int]:
    row = next(line for line in output.splitlines() if f" {kind} " in line)
    return [int(cell) for cell in row.replace("│", " ").split()[1:]]


def test_import_defaults_to_content_and_policies_and_is_idempotent() -> None:
    code, output = invoke("import")
    assert code == 0, output
    assert "Import summary" in output
    # created, updated, unchanged, retired, invalid
    assert _summary_row(output, "articles") == [2, 0, 0, 0, 0]
    assert _summary_row(output, "policies") == [1, 0, 0, 0, 0]
    code, output = invoke("import")
    assert code == 0
    assert _summary_row(output, "articles") == [0, 0, 2, 0, 0]
    assert _summary_row(output, "policies") == [0, 0, 1, 0, 0]


def test_invalid_file_exits_1_naming_it_and_the_rest_imports(cli_env: Path) -> None:
    bad = cli_env / "content" / "bad.md"
    bad.write_text(article_text("bad", next_review="2026-02-30"), encoding="utf-8")
    code, output = invoke("import", "content")
    assert code == 1
    line = next(n for n, t in enumerate(bad.read_text().splitlines(), 1) if "next_review" in t)
    assert f"content/bad.md:{line}: field 'next_review'" in output
    assert _summary_row(output, "articles") == [2, 0, 0, 0, 1]


def test_removed_file_is_counted_as_retired(cli_env: Path) -> None:
    invoke("import")
    (cli_env / "content" / "billing" / "paper-bills.md").unlink()
    code, output = invoke("import")
    assert code == 0
    assert _summary_row(output, "articles") == [0, 0, 1, 1, 0]


def test_articles_list_json_and_filters() -> None:
    invoke("import")
    code, output = invoke("articles", "list", "--json")
    assert code == 0
    rows = json.loads(output)
    assert [(r["id"], r["version"], r["status"]) for r in rows] == [
        ("paper-bills", 1, "draft"),
        ("refund-timeframe", 1, "published"),
    ]
    _, output = invoke("articles", "list", "--status", "draft", "--json")
    assert [r["id"] for r in json.loads(output)] == ["paper-bills"]
    _, output = invoke("articles", "list", "--owner", "nobody@example.com", "--json")
    assert json.loads(output) == []
    _, output = invoke("articles", "list")
    assert "refund-timeframe" in output and "paper-bills" in output


def test_articles_show_history_and_diff(cli_env: Path) -> None:
    invoke("import")
    write_article_md(cli_env / "content", "refund-timeframe", answer="Refunds take 5 days.")
    invoke("import")
    code, output = invoke("articles", "show", "refund-timeframe", "--json")
    assert code == 0
    shown = json.loads(output)
    assert shown["version"] == 2
    assert shown["document"]["answer"] == "Refunds take 5 days."
    _, output = invoke("articles", "show", "refund-timeframe", "--version", "1")
    assert "10 business days" in output and "REFUNDS#2.1" in output
    _, output = invoke("articles", "history", "refund-timeframe")
    assert "content/refund-timeframe.md" in output
    versions = [line.split("│")[1].strip() for line in output.splitlines() if "│" in line]
    assert versions == ["1", "2"]
    code, output = invoke("articles", "diff", "refund-timeframe", "1", "2")
    assert code == 0
    assert output.startswith("--- refund-timeframe v1\n+++ refund-timeframe v2\n")
    assert "-Refunds reach your account within 10 business days.\n" in output
    assert "+Refunds take 5 days.\n" in output


def test_policies_list_and_show() -> None:
    invoke("import")
    _, output = invoke("policies", "list", "--json")
    assert [(r["id"], r["policy_version"]) for r in json.loads(output)] == [("REFUNDS", "1")]
    code, output = invoke("policies", "show", "REFUNDS")
    assert code == 0
    assert "2.1 Refund timeframe" in output


def test_policies_list_and_show_name_the_owner_and_the_author() -> None:
    """Whose policy it is (who approves its drafts) and who wrote the version: the API gives
    both, and ``policies list|show`` once gave neither, unlike ``articles``."""
    assert invoke("import", "--author", "Pat Policy <pat@example.com>")[0] == 0
    _, output = invoke("policies", "list", "--json")
    (row,) = json.loads(output)
    assert (row["owner"], row["author"]) == ("legal@example.com", "Pat Policy <pat@example.com>")
    _, output = invoke("policies", "list")
    assert "owner" in output.splitlines()[1] and "legal@example.com" in output
    _, output = invoke("policies", "show", "REFUNDS")
    fields = dict(line.split(None, 1) for line in output.splitlines()[:12] if line.strip())
    assert fields["owner"].strip() == "legal@example.com"
    assert fields["author"].strip() == "Pat Policy <pat@example.com>"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("articles", "show", "nope"), "article 'nope' does not exist"),
        (("articles", "show", "refund-timeframe", "--version", "7"), "version 7 does not exist"),
        (("articles", "history", "nope"), "article 'nope' does not exist"),
        (("articles", "diff", "refund-timeframe", "1", "9"), "version 9 does not exist"),
        (("policies", "show", "NOPE"), "policy 'NOPE' does not exist"),
    ],
)
def test_unknown_id_or_version_raises_not_found(args: tuple[str, ...], message: str) -> None:
    invoke("import")
    with pytest.raises(NotFoundError, match=message):
        invoke(*args)


@pytest.mark.sqlite_only("the installed script on a SQLite file of its own")
def test_real_process_import_and_error_line(tmp_path: Path) -> None:
    """The installed console script, as a user runs it: exit codes and one-line errors."""
    exe = Path(sys.executable).with_name("knowledge-service")
    env = {**os.environ, "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'real.db'}"}
    run = lambda *a: subprocess.run(  # noqa: E731
        [str(exe), *a], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    done = run("import", "content", "policies")
    assert done.returncode == 0, done.stderr
    assert "Import summary" in done.stdout
    assert (tmp_path / "real.db").exists()
    missing = run("articles", "show", "nope")
    assert missing.returncode != 0
    assert missing.stderr.strip() == "error: article 'nope' does not exist"
    (tmp_path / "content" / "broken.md").write_text("---\nid: [\n---\nx\n", encoding="utf-8")
    invalid = run("import", "content")
    assert invalid.returncode == 1
    assert "content/broken.md:" in invalid.stderr
    assert "malformed YAML" in invalid.stderr


def test_diff_is_coloured_on_a_terminal(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("import")
    write_article_md(cli_env / "content", "refund-timeframe", answer="Refunds take 5 days.")
    invoke("import")
    monkeypatch.setattr(common.console, "_force_terminal", True)
    monkeypatch.setattr(common.console, "_color_system", common.console._detect_color_system())
    _, output = invoke("articles", "diff", "refund-timeframe", "1", "2")
    assert "\x1b[32m+Refunds take 5 days.\x1b[0m" in output


def test_list_off_a_terminal_keeps_every_article_on_one_line(cli_env: Path) -> None:
    long_id = "a-very-long-article-identifier-that-would-wrap-in-a-narrow-column-" + "x" * 40
    title = "A title far longer than any terminal column would hold " * 4
    write_article_md(cli_env / "content", long_id, title=title.strip())
    invoke("import")
    _, output = invoke("articles", "list")
    (line,) = [line for line in output.splitlines() if long_id in line]
    assert title.strip() in line
    assert sum("refund-timeframe" in line for line in output.splitlines()) == 1


def test_every_list_command_has_json(cli_env: Path) -> None:
    invoke("import")
    write_article_md(cli_env / "content", "refund-timeframe", answer="Refunds take 5 days.")
    write_policy_md(cli_env / "policies", "REFUNDS", version="2")
    invoke("import")
    _, output = invoke("policies", "list", "--status", "active", "--json")
    assert [(r["id"], r["version"], r["status"]) for r in json.loads(output)] == [
        ("REFUNDS", 2, "active")
    ]
    _, output = invoke("articles", "history", "refund-timeframe", "--json")
    author = getpass.getuser()  # no --author and no git repository: the OS user
    assert [(r["version"], r["author"]) for r in json.loads(output)] == [(1, author), (2, author)]
    _, output = invoke("policies", "history", "REFUNDS", "--json")
    assert [r["policy_version"] for r in json.loads(output)] == ["1", "2"]
    code, output = invoke("policies", "diff", "REFUNDS", "1", "2")
    assert (code == 0 and '+version: "2"' in output) or "+version: '2'" in output


def test_text_from_the_store_never_reaches_the_terminal_as_a_command(cli_env: Path) -> None:
    """An escape in an article's body (``\\x1b[2J`` clears the screen) reached the terminal of
    whoever ran ``articles show`` or ``diff``: control characters are now shown as escapes."""
    invoke("import")
    answer = "Refunds take 5 days.\x1b[2J\x1b]0;pwned\x07 Call us."
    write_article_md(cli_env / "content", "refund-timeframe", answer=answer)
    invoke("import")
    for args in (
        ("articles", "show", "refund-timeframe"),
        ("articles", "diff", "refund-timeframe", "1", "2"),
    ):
        code, output = invoke(*args)
        assert code == 0, output
        assert "\x1b" not in output and "\x07" not in output
        assert "Refunds take 5 days.\\x1b[2J\\x1b]0;pwned" in output


@pytest.mark.parametrize("kind", ["articles", "policies"])
def test_list_with_an_unknown_status_names_the_option(kind: str) -> None:
    """The error names the option typed (``--status``), not the API's query parameter."""
    invoke("import")
    with pytest.raises(InvalidRequestError, match=r"^parameter '--status': must be one of "):
        invoke(kind, "list", "--status", "live")  # main() prints it, exits 2
