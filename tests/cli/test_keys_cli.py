"""The keys CLI: create prints the key once, list never shows secrets, revoke disables."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Permission
from knowledge_service.cli import common
from knowledge_service.db import session_scope
from knowledge_service.errors import AuthenticationError, InvalidRequestError, NotFoundError
from tests.cli.conftest import invoke
from tests.factories import write_article_md


@pytest.fixture(autouse=True)
def cli_env(cli_store: Path) -> Path:
    return cli_store


def _create(*args: str) -> str:
    code, stdout = invoke("keys", "create", *args, stdout_only=True)
    assert code == 0, stdout
    return stdout.strip()


def test_create_prints_a_working_key_once() -> None:
    secret = _create("--role", "owner", "--name", "payments-team", "--owner", "pay@example.com")
    assert secret.startswith("ks_") and "\n" not in secret
    with session_scope(common.engine()) as session:
        principal = access.authenticate(session, secret)
    assert (principal.role, principal.owner) == ("owner", "pay@example.com")


def test_a_leader_key_reads_the_measures_and_administers_nothing() -> None:
    secret = _create("--role", "leader", "--name", "team-lead")
    with session_scope(common.engine()) as session:
        principal = access.authenticate(session, secret)
    assert (principal.role, principal.owner) == ("leader", None)
    assert principal.has(Permission.READ_MEASURES) and principal.has(Permission.READ_RECEIPTS)
    assert not principal.has(Permission.ADMINISTER)
    assert not principal.has(Permission.UPDATE_FINDINGS)


def test_list_shows_keys_but_never_secrets() -> None:
    secret = _create("--role", "bot", "--name", "web-chat")
    code, output = invoke("keys", "list", stdout_only=True)
    assert code == 0
    assert "web-chat" in output and "bot" in output
    assert secret.split("_")[1] in output  # the public prefix
    assert secret.split("_", 2)[2] not in output


def test_revoke_by_name_disables_the_key() -> None:
    secret = _create("--role", "agent", "--name", "desk")
    code, output = invoke("keys", "revoke", "desk", stdout_only=True)
    assert code == 0 and "Revoked" in output
    with session_scope(common.engine()) as session, pytest.raises(AuthenticationError):
        access.authenticate(session, secret)
    assert "desk" not in invoke("keys", "list", "--active", stdout_only=True)[1]


def test_revoke_unknown_key_is_an_error() -> None:
    common.engine()  # a store without that key (no store at all: tests/cli/test_no_store_cli.py)
    with pytest.raises(NotFoundError):
        invoke("keys", "revoke", "nobody", stdout_only=True)


def test_owner_key_needs_an_owner() -> None:
    with pytest.raises(InvalidRequestError):
        invoke("keys", "create", "--role", "owner", "--name", "x", stdout_only=True)


@pytest.mark.parametrize("owner", ["\u200b", " \ufeff\u2060 ", "\u00ad"])
def test_an_owner_key_for_an_owner_of_invisible_characters_only_is_refused(owner: str) -> None:
    """ "keys create --owner $'\\u200b'" made a key (with a warning) that acts for no one: no
    article's owner may be invisible characters only (the content format and reassign refuse
    them); it is refused naming '--owner', as a blank owner is, and no key is made."""
    with pytest.raises(InvalidRequestError) as refused:
        invoke("keys", "create", "--role", "owner", "--name", "x", "--owner", owner)
    assert refused.value.parameter == "--owner"
    assert "only invisible characters" in str(refused.value)
    with session_scope(common.engine()) as session:
        assert access.list_keys(session) == []


def test_unknown_role_is_refused() -> None:
    code, _ = invoke("keys", "create", "--role", "root", "--name", "x", stdout_only=True)
    assert code == 2


def test_keys_list_json_and_unwrapped_lines() -> None:
    name = "a-rather-long-key-name-for-the-contact-centre-chatbot-integration"
    assert invoke("keys", "create", "--role", "bot", "--name", name)[0] == 0
    code, listed = invoke("keys", "list", "--json", stdout_only=True)
    assert code == 0, listed
    (row,) = json.loads(listed)
    assert (row["name"], row["role"], row["revoked_at"]) == (name, "bot", None)
    _, table = invoke("keys", "list", stdout_only=True)
    assert any(name in line for line in table.splitlines())  # one line, unwrapped


def test_a_key_created_with_days_to_live_lists_its_expiry() -> None:
    code, output = invoke("keys", "create", "--role", "agent", "--name", "temp",
                          "--expires-in-days", "90")  # fmt: skip
    assert code == 0 and "expires " in output
    _create("--role", "agent", "--name", "desk")
    code, listed = invoke("keys", "list", "--json", stdout_only=True)
    assert code == 0, listed
    rows = {row["name"]: row for row in json.loads(listed)}
    created = datetime.fromisoformat(rows["temp"]["created_at"])
    expires = datetime.fromisoformat(rows["temp"]["expires_at"])
    assert expires - created == timedelta(days=90) and rows["desk"]["expires_at"] is None
    _, table = invoke("keys", "list", stdout_only=True)
    assert "expires" in table
    assert expires.strftime("%Y-%m-%d %H:%M") in next(
        line for line in table.splitlines() if "temp" in line
    )


@pytest.mark.parametrize("days", ["0", "3651", "soon"])
def test_a_key_s_days_to_live_are_refused_out_of_range(days: str) -> None:
    code, _ = invoke("keys", "create", "--role", "bot", "--name", "x", "--expires-in-days", days)
    assert code == 2


def test_piped_key_list_keeps_each_key_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")  # narrower than the table; stdout is not a terminal
    owner = "metering-and-billing-team@riverbendwater.example"
    _create("--role", "owner", "--name", "metering-[desk]", "--owner", owner)
    code, output = invoke("keys", "list", stdout_only=True)
    assert code == 0, output
    row = next(line for line in output.splitlines() if "metering-[desk]" in line)
    assert owner in row


def test_an_owner_key_for_an_owner_no_article_has_is_created_with_a_warning(
    cli_env: Path,
) -> None:
    """A typo in --owner makes a key that acts for nobody: it is created, and the operator told."""
    write_article_md(cli_env / "content")  # owner payments@example.com
    assert invoke("import")[0] == 0
    code, output = invoke("keys", "create", "--role", "owner", "--name", "a", "--owner",
                          "payments@example.com")  # fmt: skip
    assert code == 0 and "warning" not in output
    code, output = invoke("keys", "create", "--role", "owner", "--name", "b", "--owner",
                          "payment@example.com")  # fmt: skip
    assert code == 0
    assert "warning: no article has owner 'payment@example.com'" in " ".join(output.split())


def test_a_key_is_created_for_a_person_listed_with_it_and_given_another_later() -> None:
    _create("--role", "owner", "--name", "ann-owner", "--owner", "pay@example.com",
            "--person", "ann@example.com")  # fmt: skip
    _create("--role", "admin", "--name", "desk-admin")
    code, listed = invoke("keys", "list", "--json", stdout_only=True)
    assert code == 0, listed
    persons = {row["name"]: row["person"] for row in json.loads(listed)}
    assert persons == {"ann-owner": "ann@example.com", "desk-admin": "desk-admin"}
    _, table = invoke("keys", "list", stdout_only=True)
    assert any("person" in line for line in table.splitlines()[:3])  # the heading
    assert "ann@example.com" in next(line for line in table.splitlines() if "ann-owner" in line)
    code, output = invoke("keys", "set-person", "desk-admin", "--person", "ann@example.com",
                          stdout_only=True)  # fmt: skip
    assert code == 0 and "Key desk-admin" in output and "held by ann@example.com" in output
    _, listed = invoke("keys", "list", "--json", stdout_only=True)
    assert {row["person"] for row in json.loads(listed)} == {"ann@example.com"}
    with pytest.raises(NotFoundError):
        invoke("keys", "set-person", "nobody", "--person", "x@example.com", stdout_only=True)


def test_key_changes_import_and_steps_record_one_local_operator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CLI's key changes, an import and a workflow step without --actor all name the OS
    user, so ``audit --actor USER`` finds every one (keys once said local-operator)."""
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    monkeypatch.setenv("GIT_DIR", "/nonexistent")  # no repository: the OS user imports
    write_article_md(Path("content"), "refund-timeframe", audience="internal")
    _create("--role", "owner", "--name", "payments-team", "--owner", "pay@example.com")
    assert invoke("keys", "set-person", "payments-team", "--person", "p@example.com")[0] == 0
    assert invoke("keys", "revoke", "payments-team")[0] == 0
    assert invoke("import")[0] == 0
    assert invoke("articles", "retire", "refund-timeframe")[0] == 0
    code, output = invoke("audit", "--actor", "operator", "--json", stdout_only=True)
    assert code == 0, output
    events = json.loads(output)["items"]
    assert {e["actor"] for e in events} == {"operator"}
    actions = {e["action"] for e in events}
    assert actions == {"key_created", "key_person_set", "key_revoked", "created", "retired"}


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["create", "--role", "owner", "--name", "pay"], "--owner"),
        (["create", "--role", "agent", "--name", "desk", "--owner", "pay@example.com"], "--owner"),
        (["create", "--role", "agent", "--name", " "], "--name"),
        (["create", "--role", "agent", "--name", "desk", "--person", " "], "--person"),
    ],
)
def test_a_refused_option_is_named_as_given_on_the_command_line(
    args: list[str], option: str
) -> None:
    """Not as the API's field ('owner'): the CLI's own errors name options ('--status')."""
    with pytest.raises(InvalidRequestError, match=rf"^parameter '{option}': "):
        invoke("keys", *args)


def test_set_person_names_the_option_it_refuses() -> None:
    _create("--role", "agent", "--name", "desk")
    with pytest.raises(InvalidRequestError, match=r"^parameter '--person': "):
        invoke("keys", "set-person", "desk", "--person", " ")
