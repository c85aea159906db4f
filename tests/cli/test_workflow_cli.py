"""The workflow CLI: draft to published to verified to retired and back, as a named local admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from knowledge_service.audit import AuditEvent
from knowledge_service.cli import common
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from tests.cli.conftest import invoke
from tests.factories import article_text, policy_text, write_policy_md


@pytest.fixture(autouse=True)
def cli_env(cli_store: Path) -> Path:
    return cli_store


def test_cli_walks_an_article_through_the_lifecycle(cli_env: Path) -> None:
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees", owner="payments@example.com"), encoding="utf-8")
    steps = [
        (["draft", str(path), "--actor", "ann"], "draft (version 1"),
        (["submit", "card-fees", "--actor", "ann"], "in_review (version 1"),
        (["approve", "card-fees", "--actor", "bob"], "published (version 2"),
        (["verify", "card-fees", "--actor", "ann"], "published (version 3"),
        (["retire", "card-fees", "--actor", "ann", "--if-version", "3"], "retired (version 4"),
        (["restore", "card-fees", "2", "--actor", "ann"], "draft (version 5"),
        (["reassign", "card-fees", "--owner", "billing@example.com"], "owner billing@example.com"),
    ]
    for args, expected in steps:
        code, output = invoke("articles", *args)
        assert code == 0 and expected in output, (args, output)
    with session_scope(common.engine()) as session:
        actors = [(e.actor, e.action) for e in session.exec(select(AuditEvent)).all()]
    assert actors[:4] == [("ann", "created"), ("ann", "submitted"), ("bob", "approved"),
                          ("ann", "verified")]  # fmt: skip


def test_cli_refusals_are_one_line_and_exit_1(cli_env: Path) -> None:
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees"), encoding="utf-8")
    invoke("articles", "draft", str(path), "--actor", "ann")
    invoke("articles", "submit", "card-fees", "--actor", "ann")
    code, output = invoke("articles", "approve", "card-fees", "--actor", "ann")
    assert code == 1 and "four eyes" in output and len(output.strip().splitlines()) == 1
    code, output = invoke("articles", "retire", "card-fees", "--if-version", "7")
    assert code == 1 and "version 1" in output
    code, output = invoke("articles", "verify", *[f"a{i}" for i in range(101)])
    assert code == 1 and "at most 100" in output


def test_publishing_a_policy_version_raises_findings_on_citing_articles(cli_env: Path) -> None:
    write_policy_md(cli_env / "policies", "REFUNDS")
    (cli_env / "content").mkdir()
    (cli_env / "content" / "refund.md").write_text(
        article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"]), encoding="utf-8"
    )
    assert invoke("import")[0] in (0, 1)
    new = cli_env / "refunds-v2.md"
    new.write_text(policy_text(version="2", effective_date="2026-11-01", clauses={
        "2.1 Refund timeframe": "Approved refunds are paid within 5 business days."}),
        encoding="utf-8")  # fmt: skip
    invoke("policies", "edit", "REFUNDS", str(new), "--actor", "ann")
    invoke("policies", "submit", "REFUNDS", "--actor", "ann")
    with session_scope(common.engine()) as session:
        assert not freshness.findings_for_article(session, "refund-timeframe")
    code, output = invoke("review", "--kind", "awaiting_approval")
    assert code == 0 and "policy REFUNDS" in output and "1 of 1 item(s)" in output, output
    code, output = invoke("policies", "approve", "REFUNDS", "--actor", "bob")
    assert code == 0, output
    assert "policy REFUNDS: active (version" in output and "published" not in output
    with session_scope(common.engine()) as session:
        kinds = {f.kind for f in freshness.findings_for_article(session, "refund-timeframe")}
    assert {"policy_changed", "policy_mismatch"} <= kinds


def test_piped_messages_are_never_wrapped(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # stdout is not a terminal
    owner = "metering-and-billing-team@riverbendwater.example"
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees", owner=owner), encoding="utf-8")
    code, output = invoke("articles", "draft", str(path), "--actor", "ann", stdout_only=True)
    assert code == 0, output
    assert f"article card-fees: draft (version 1, owner {owner})" in output.splitlines()


def test_messages_show_content_text_as_written(cli_env: Path) -> None:
    owner = "[bold]billing[/x]@example.com"
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees", owner=owner), encoding="utf-8")
    code, output = invoke("articles", "draft", str(path), "--actor", "ann", stdout_only=True)
    assert code == 0, output
    assert f"owner {owner})" in output


def test_content_text_reaches_the_terminal_as_characters_never_as_its_commands(
    cli_env: Path,
) -> None:
    """An owner's answer holding a terminal's escapes (set the clipboard, clear the screen, an
    8-bit CSI) is shown with them written out: the show command once sent them to the admin's
    terminal as they were. (A title holding one is an invalid file since 1820a2e.)"""
    answer = "Cards cost \x1b]52;c;cm0gLXJmIH4K\x1b\\ \x1b[2J\x1b[8mnothing\x9b0m to use."
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees", answer=answer), encoding="utf-8")
    assert invoke("articles", "draft", str(path), "--actor", "ann")[0] == 0
    code, output = invoke("articles", "show", "card-fees", stdout_only=True)
    assert code == 0, output
    assert "\x1b" not in output and "\x9b" not in output, output
    assert "Cards cost \\x1b]52;c;cm0gLXJmIH4K\\x1b\\ \\x1b[2J\\x1b[8mnothing\\x9b0m" in output


def test_draft_reads_a_file_as_import_does_bom_and_crlf(cli_env: Path) -> None:
    path = cli_env / "card-fees.md"
    text = article_text("card-fees").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # as Windows editors save it
    code, output = invoke("articles", "draft", str(path), "--actor", "ann")
    assert code == 0 and "article card-fees: draft (version 1" in output, output
    code, output = invoke("articles", "edit", "card-fees", str(path), "--actor", "ann")
    assert code == 0 and "unchanged, nothing written" in output, output


def test_a_bad_file_given_to_draft_or_edit_is_named_with_its_line(cli_env: Path) -> None:
    good = cli_env / "card-fees.md"
    good.write_text(article_text("card-fees"), encoding="utf-8")
    invoke("articles", "draft", str(good), "--actor", "ann")
    bad = cli_env / "broken.md"
    bad.write_text(article_text("card-fees").replace("title: ", "title: [", 1), encoding="utf-8")
    for args in (["draft", str(bad)], ["edit", "card-fees", str(bad)]):
        code, output = invoke("articles", *args)
        assert code == 1 and f"error: {bad}:" in output, (args, output)
        assert "articles/" not in output and "malformed YAML" in output, output
    bad.write_bytes(b"---\nid: card-fees\ntitle: Caf\xe9\n")
    code, output = invoke("articles", "draft", str(bad))
    assert code == 1 and f"error: {bad} is not valid UTF-8 (byte 0xe9" in output, output


def test_cli_discards_a_draft_and_the_published_text_is_current_again(cli_env: Path) -> None:
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees", owner="payments@example.com"), encoding="utf-8")
    invoke("articles", "draft", str(path), "--actor", "ann")
    code, output = invoke("articles", "discard", "card-fees", "--actor", "ann")
    assert code == 1 and "retire it instead" in output and len(output.strip().splitlines()) == 1
    invoke("articles", "submit", "card-fees", "--actor", "ann")
    invoke("articles", "approve", "card-fees", "--actor", "bob")
    edited = cli_env / "card-fees-2.md"
    text = article_text("card-fees", owner="payments@example.com", answer="Refunds take a year.")
    edited.write_text(text, encoding="utf-8")
    assert invoke("articles", "edit", "card-fees", str(edited), "--actor", "ann")[0] == 0
    code, output = invoke("articles", "verify", "card-fees", "--actor", "ann")
    assert code == 1 and "or discard it, then verify" in output, output
    code, output = invoke(
        "articles", "discard", "card-fees", "--actor", "ann", "--reason", "not needed"
    )
    assert code == 0 and "published (version 4" in output, output
    with session_scope(common.engine()) as session:
        last = session.exec(select(AuditEvent)).all()[-1]
    assert (last.actor, last.action, last.reason) == ("ann", "discarded", "not needed")
    code, output = invoke("articles", "discard", "card-fees", "--actor", "ann")
    assert code == 1 and "cannot discard" in output and "state published" in output, output
    code, output = invoke("articles", "verify", "card-fees", "--actor", "ann")
    assert code == 0 and "published (version 5" in output, output


@pytest.mark.parametrize(
    ("actor", "said"),
    [("", "--actor is blank"), ("   ", "--actor is blank"), ("ann\nbob", "control character"),
     ("a" * 201, "at most 200 characters")],
)  # fmt: skip
def test_an_actor_that_names_no_one_is_refused_before_anything_is_written(
    cli_env: Path, actor: str, said: str
) -> None:
    """A version's author and its audit event's actor name someone, on one line: a blank
    ``--actor`` (an unset shell variable) once wrote a version authored by no one."""
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees"), encoding="utf-8")
    code, output = invoke("articles", "draft", str(path), "--actor", actor)
    assert code == 2 and said in output, output
    assert invoke("articles", "show", "card-fees")[0] == 2  # nothing was written
    code, output = invoke("articles", "draft", str(path), "--actor", "  ann  ")
    assert code == 0, output
    with session_scope(common.engine()) as session:
        assert [e.actor for e in session.exec(select(AuditEvent)).all()] == ["ann"]


def test_editing_with_another_articles_file_names_the_file_and_its_id_line(cli_env: Path) -> None:
    """The CLI has no parameter 'text' (the API's body field): the error names the file given,
    and the line of its id, as any other problem of the file is named."""
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees"), encoding="utf-8")
    assert invoke("articles", "draft", str(path), "--actor", "ann")[0] == 0
    other = cli_env / "late-fee.md"
    other.write_text(article_text("late-fee"), encoding="utf-8")
    code, output = invoke("articles", "edit", "card-fees", str(other), "--actor", "ann")
    line = article_text("late-fee").splitlines().index("id: late-fee") + 1
    assert code == 1, output
    assert output.strip() == (
        f"error: {other}:{line}: field 'id': its id is 'late-fee', not 'card-fees'"
    ), output


def test_refusals_name_the_cli_options_not_the_apis_fields_and_headers(cli_env: Path) -> None:
    """A stale --if-version names the option and how to look (no If-Match, no ETag), and a
    refused --reason, --owner or list of ids is named as the command line gives it."""
    path = cli_env / "card-fees.md"
    path.write_text(article_text("card-fees"), encoding="utf-8")
    invoke("articles", "draft", str(path), "--actor", "ann")
    invoke("articles", "submit", "card-fees", "--actor", "ann")
    invoke("articles", "approve", "card-fees", "--actor", "bob")
    code, output = invoke("articles", "retire", "card-fees", "--if-version", "1")
    assert code == 1 and "If-Match" not in output and "ETag" not in output, output
    assert (
        "article 'card-fees' is at version 2, not version 1 (--if-version 1): see what changed "
        "(`knowledge-service articles diff card-fees 1 2`), then run the command again with "
        "--if-version 2"
    ) in output
    code, output = invoke("articles", "retire", "card-fees", "--if-version", "7")
    assert code == 1 and "(--if-version 7): run the command again with --if-version 2" in output
    refusals = [
        (["reject", "card-fees", "--reason", " "], "error: parameter '--reason': "),
        (["reassign", "card-fees", "--owner", " "], "error: parameter '--owner': "),
        (["verify", *[f"a{i}" for i in range(101)]], "error: parameter 'ID...': at most 100"),
    ]
    for args, said in refusals:
        code, output = invoke("articles", *args)
        assert code == 1 and said in output, (args, output)


def test_a_refused_step_on_a_policy_in_force_says_active_as_the_cli_prints_it(
    cli_env: Path,
) -> None:
    """The CLI prints a policy in force as 'active'; its refusals say so too, not 'published'
    (the workflow's state, which the API gives)."""
    write_policy_md(cli_env / "policies", "REFUNDS")
    assert invoke("import", str(cli_env / "policies"))[0] == 0
    code, output = invoke("policies", "reject", "REFUNDS", "--reason", "why", "--actor", "bob")
    assert code == 1 and "error: cannot reject policy 'REFUNDS' in state active;" in output, output
    assert "published" not in output
