"""Bad input to any command: one line on stderr naming what is wrong and where, exit code 2,
never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import Result
from sqlmodel import select
from typer.testing import CliRunner

from knowledge_service.cli import app, common
from knowledge_service.cli import index as index_cli
from knowledge_service.db import session_scope
from knowledge_service.freshness.models import Finding
from knowledge_service.settings import get_settings
from tests.factories import write_article_md, write_policy_md

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def assert_error(result: Result, *words: str) -> None:
    """Exit 2 with one ``error:`` line on stderr holding ``words``, and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.output


@contextmanager
def setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> Iterator[None]:
    """``name=value`` in the environment for the block, with the CLI's caches reset around it."""
    with monkeypatch.context() as patch:
        patch.setenv(name, value)
        get_settings.cache_clear()
        common.engine.cache_clear()
        yield
    get_settings.cache_clear()


DAY_FORM = "give an ISO date (YYYY-MM-DD) from 1900-01-01 to 9998-12-31, such as 2026-11-24"


@pytest.mark.sqlite_only("a day is refused before any store")
@pytest.mark.parametrize(
    ("value", "what"),
    [("24/11/2026", "is not a date"), ("2026-13-01", "is not a date"),
     ("20261124", "is not a date"), ("2026-W48-2", "is not a date"),
     ("0001-01-01", "is out of range"), ("9999-12-31", "is out of range")],
)  # fmt: skip
@pytest.mark.parametrize(
    "command",
    [("check", "--no-embeddings", "--today"), ("check", "--store", "--today"),
     ("report", "--from"), ("report", "--to")],
)  # fmt: skip
def test_a_bad_day_is_refused_in_the_same_words_by_every_command(
    cli_store: Path, command: tuple[str, ...], value: str, what: str
) -> None:
    """The option, the value as given and the form a day takes, one line, exit 2: check's
    --today used to say '--today must be an ISO date ...' and took any day (year 1 and 9999
    included); report's --from and --to said 'parameter '--from': must be between ...' without
    the value or the form; all took 20261124 and 2026-W48-2, Python's other forms of a day,
    which the docs do not give."""
    (cli_store / "content").mkdir()
    result = run(*command, value)
    assert_error(result)
    assert result.stderr == f"error: {command[-1]}: {value!r} {what}: {DAY_FORM}\n"


INSTANT_FORM = (
    "give an ISO date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM[:SS], UTC unless it ends with Z or "
    "an offset such as +10:00) from 1900-01-01 to 9998-12-31, such as 2026-11-24 or "
    "2026-11-24T09:00:00Z"
)


BAD_TIMES = [
    ("last week", "is not a date or time"),
    ("20261124", "is not a date or time"),
    ("2026-11-24T25:00", "is not a date or time"),
    ("20261124T0900", "is not a date or time"),
    ("0001-01-01T00:00:00+14:00", "is out of range"),
    ("9999-01-01", "is out of range"),
]
TIME_OPTIONS = [("audit", "--since"), ("audit", "--until"), ("export-events", "out.csv", "--since")]


@pytest.mark.sqlite_only("a time is refused before any store")
@pytest.mark.parametrize(
    ("command", "value", "what"),
    [(command, *bad) for command in TIME_OPTIONS for bad in BAD_TIMES],
)
def test_a_bad_time_is_refused_in_the_words_of_a_bad_day(
    cli_store: Path, command: tuple[str, ...], value: str, what: str
) -> None:
    """audit's --since and --until said the API's 'parameter '--since': must be an ISO date or
    timestamp such as ... (got ...)' ('must be between ...' without the value for a day out of
    range), and took 20261124; export-events --since too."""
    result = run(*command, value)
    assert_error(result)
    assert result.stderr == f"error: {command[-1]}: {value!r} {what}: {INSTANT_FORM}\n"
    assert not (cli_store / "out.csv").exists()


@pytest.mark.sqlite_only("settings are read before any store")
@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("KS_MAX_FILE_BYTES", "lots", "valid integer"),
        ("KS_INDEX__USE_TUNED_MODEL", "maybe", "auto, true or false (or 1/0, yes/no, on/off)"),
    ],
)
def test_a_bad_setting_names_its_variable(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, why: str
) -> None:
    (cli_store / "content").mkdir()
    (cli_store / "policies").mkdir()
    with setting(monkeypatch, name, value):
        result = run("check", "--no-embeddings")
    assert_error(result, f"bad setting: {name}: ", why)
    assert value not in result.stderr  # a value may be a secret: never echoed


@pytest.mark.sqlite_only("settings are read before any store")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KS_ANSWERS__CALIB_BIAS", "nan"),
        ("KS_ANSWERS__CALIB_SCORE", "-inf"),
        ("KS_ANSWERS__PROFILE_SCORE_MEDIAN", "inf"),
        ("KS_ANALYTICS__FLUSH_INTERVAL", "inf"),
        ("KS_BODY_TIMEOUT", "inf"),
    ],
)
def test_a_number_that_is_not_finite_is_refused_naming_its_variable(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """nan and inf are no setting: KS_ANSWERS__CALIB_BIAS=nan (a coefficient, with no range
    to refuse it) was taken, and every answer failed with a 500 (its confidence was nan)."""
    (cli_store / "content").mkdir()
    (cli_store / "policies").mkdir()
    with setting(monkeypatch, name, value):
        result = run("check", "--no-embeddings")
    assert_error(result, f"bad setting: {name}: ", "finite number")


@pytest.mark.sqlite_only("settings are read before any store")
@pytest.mark.parametrize("value", ["x-secret", "{", "[1"])
@pytest.mark.parametrize("command", [("keys", "list"), ("serve",)])
def test_a_section_set_to_text_that_is_no_json_names_its_variable(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, value: str, command: tuple[str, ...]
) -> None:
    """``KS_ANALYTICS=...`` (a section, read as a JSON object) used to stop every command with
    pydantic-settings' SettingsError and its traceback (exit 1)."""
    args = [*command, "--port", str(_free_port())] if command == ("serve",) else list(command)
    with setting(monkeypatch, "KS_ANALYTICS", value):
        result = run(*args)
    assert_error(result, "bad setting: KS_ANALYTICS: ", "KS_ANALYTICS__NAME")
    assert value not in result.stderr


@pytest.mark.sqlite_only("settings are read before any store")
@pytest.mark.parametrize("value", ["[1]", "5", '"x-secret"', "true"])
def test_a_section_set_to_json_that_is_no_object_is_told_as_no_json_object(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """``KS_ANALYTICS='[1]'`` (JSON, but no object) said "Input should be a valid dictionary or
    instance of AnalyticsSettings", a class name, where text that is no JSON says how a section
    is set, as the README promises for both."""
    with setting(monkeypatch, "KS_ANALYTICS", value):
        result = run("keys", "list")
    assert_error(result, "bad setting: KS_ANALYTICS: is no JSON object", "KS_ANALYTICS__NAME")
    assert "AnalyticsSettings" not in result.stderr and "x-secret" not in result.stderr


@pytest.mark.sqlite_only("the URL is refused before any store")
@pytest.mark.parametrize(
    "url",
    [
        "mysql://ada:s3cret@db.example.com/kb",
        "not a url",
        "postgresql+psycopg2://ada:s3cret@db.example.com/kb",  # the driver is not installed
    ],
)
@pytest.mark.parametrize("command", [("articles", "list"), ("db", "status")])
def test_an_unsupported_database_url_names_the_variable_and_the_supported_ones(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: tuple[str, ...]
) -> None:
    with setting(monkeypatch, "KS_DATABASE_URL", url):
        result = run(*command)
    assert_error(result, "KS_DATABASE_URL: ", "is not a supported database", "sqlite:///PATH")
    assert "postgresql+psycopg://" in result.stderr
    assert "s3cret" not in result.stderr


@pytest.mark.sqlite_only("the URL is refused before any store")
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://ada:s3cr@t@db.example.com/kb",
        "postgresql+psycopg://ada:s3cr@t:/?#%&@db.example.com:5432/kb",
    ],
)
def test_a_password_left_unencoded_is_refused_without_showing_it(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Left as it is, an @ would make the end of the password the host, which a connection
    error then prints; a : or / would make it a port."""
    with setting(monkeypatch, "KS_DATABASE_URL", url):
        result = run("db", "status")
    assert_error(result, "KS_DATABASE_URL: ", "percent-encode", "@ as %40")
    assert "s3cr" not in result.stderr and "t@db" not in result.stderr


@pytest.mark.sqlite_only("the URL is refused before any store")
@pytest.mark.parametrize(
    ("url", "port", "host"),
    [
        ("postgresql+psycopg://ada:s3cret@db.example.com:54x2/kb", "54x2", "db.example.com"),
        (
            "postgresql+psycopg://ada:s3cr%40t@db.example.com:/kb?sslmode=require",
            "",
            "db.example.com",
        ),
    ],
)
def test_a_port_that_is_no_number_is_named_not_blamed_on_the_password(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, url: str, port: str, host: str
) -> None:
    """A typo in the port was reported as a password to percent-encode, one the URL had
    encoded already."""
    with setting(monkeypatch, "KS_DATABASE_URL", url):
        result = run("db", "status")
    assert_error(result, f"KS_DATABASE_URL: the port {port!r} after the host {host!r}")
    assert "percent-encode" not in result.stderr and "s3cr" not in result.stderr


def _db_status_of(url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``db status`` by the installed script (its top level turns a store fault into one
    line) on a store that cannot be reached: exit 2."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("knowledge-service")), "db", "status"],
        capture_output=True, text=True, timeout=120, cwd=cwd,
        env={**os.environ, "KS_DATABASE_URL": url},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    return done


@pytest.mark.sqlite_only("no store answers there")
def test_a_store_that_cannot_be_reached_is_named_without_the_password(tmp_path: Path) -> None:
    """The installed script, as its top level turns a store fault into one line."""
    url = f"postgresql+psycopg://ada:s3cr%40t%3A%2F@/kb?host={tmp_path / 'nothing-here'}"
    done = _db_status_of(url, tmp_path)
    assert done.stderr.startswith("error: the store (postgresql+psycopg://ada:***@/kb"), done.stderr
    assert "refused the operation: " in done.stderr and "nothing-here" in done.stderr
    assert "s3cr" not in done.stderr


@pytest.mark.sqlite_only("no store answers there")
def test_a_password_given_as_a_query_parameter_is_hidden_too(tmp_path: Path) -> None:
    url = f"postgresql+psycopg:///kb?user=ada&password=QuerySecret9&host={tmp_path / 'none'}"
    done = _db_status_of(url, tmp_path)
    assert "password=***" in done.stderr and "user=ada" in done.stderr, done.stderr
    assert "QuerySecret9" not in done.stderr


def test_export_events_into_a_missing_folder_names_the_file_asked_for(cli_store: Path) -> None:
    common.engine()  # a store to export from
    result = run("export-events", "nodir/events.csv")
    assert_error(result, "cannot write nodir/events.csv: No such file or directory")
    assert ".partial" not in result.stderr


def test_export_to_a_folder_that_cannot_be_made_names_it(cli_store: Path) -> None:
    write_article_md(cli_store / "content", "a")
    write_policy_md(cli_store / "policies")
    assert run("import").exit_code == 0
    (cli_store / "afile").write_text("not a folder", encoding="utf-8")
    assert_error(run("export", "afile/out"), "cannot export to afile/out: Not a directory")


@pytest.mark.sqlite_only("the set is refused before any store")
def test_eval_of_a_folder_without_a_set_names_what_is_missing(cli_store: Path) -> None:
    folder = cli_store / "emptyset"
    folder.mkdir()
    (folder / "queries.jsonl").write_text("", encoding="utf-8")
    assert_error(
        run("eval", str(folder)),
        f"{folder} is not an evaluation set: it has queries.jsonl but no corpus.jsonl, qrels.tsv",
    )


@pytest.mark.sqlite_only("the set is refused before any store")
def test_eval_of_a_folder_with_none_of_a_set_s_files_names_each_once(cli_store: Path) -> None:
    folder = cli_store / "notaset"
    folder.mkdir()
    result = run("eval", str(folder))
    assert_error(
        result,
        f"{folder} is not an evaluation set: it has none of corpus.jsonl, queries.jsonl, qrels.tsv",
    )
    for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        assert result.stderr.count(name) == 1, result.stderr


@pytest.mark.sqlite_only("the set is refused before any store")
def test_eval_of_a_set_with_a_line_that_is_not_json_names_the_set(cli_store: Path) -> None:
    folder = cli_store / "badset"
    folder.mkdir()
    for name, text in (("corpus.jsonl", "{bad\n"), ("queries.jsonl", ""), ("qrels.tsv", "")):
        (folder / name).write_text(text, encoding="utf-8")
    assert_error(run("eval", str(folder)), f"{folder}: corpus.jsonl or queries.jsonl has a line")


@pytest.mark.sqlite_only("the query is refused before the index opens")
@pytest.mark.parametrize("query", ["", "   "])
def test_search_refuses_an_empty_query(cli_store: Path, query: str) -> None:
    assert_error(run("search", query), "the query is empty")


def test_import_without_the_default_folders_names_the_missing_ones(cli_store: Path) -> None:
    neither = run("import")
    assert_error(neither, f"the content folder {cli_store / 'content'}", "KS_CONTENT_DIR")
    assert f"the policies folder {cli_store / 'policies'}" in neither.stderr
    write_article_md(cli_store / "content", "a")
    content_only = run("import")  # a knowledge base may have no policies yet: a warning
    assert content_only.exit_code == 0, content_only.output
    assert f"warning: the policies folder {cli_store / 'policies'} does not exist" in (
        content_only.stderr
    )
    assert "KS_POLICIES_DIR" in content_only.stderr
    assert run("articles", "show", "a").exit_code == 0  # the content was imported
    write_policy_md(cli_store / "policies")
    both = run("import")
    assert both.exit_code == 0 and "warning" not in both.stderr


@pytest.mark.parametrize("author", ["", "  "])
def test_import_refuses_a_blank_author(cli_store: Path, author: str) -> None:
    write_article_md(cli_store / "content", "a")
    assert_error(run("import", "content", "--author", author), "--author is blank")
    assert_error(run("articles", "list", "--json"), "KS_DATABASE_URL")  # nothing, not even a store


def test_import_refuses_an_author_on_more_than_one_line(cli_store: Path) -> None:
    """The author is printed in one-line rows and quoted in the audit log."""
    write_article_md(cli_store / "content", "a")
    result = run("import", "content", "--author", "Ann <ann@example.com>\nBob")
    assert_error(result, "--author holds a control character (U+000A)")
    assert_error(run("articles", "list", "--json"), "KS_DATABASE_URL")  # nothing, not even a store


@pytest.mark.sqlite_only("the folders are checked before any store")
def test_check_content_given_a_file_says_it_is_not_a_folder(cli_store: Path) -> None:
    article = write_article_md(cli_store / "content", "a")
    (cli_store / "policies").mkdir()
    result = run("check", "--content", str(article), "--no-embeddings")
    assert_error(result, f"content folder {article} is not a folder")
    missing = cli_store / "nowhere"
    assert_error(run("check", "--content", str(missing)), f"{missing} does not exist")


@pytest.mark.sqlite_only("the folders are checked before any store")
def test_check_of_content_without_a_policies_folder_warns_and_checks(cli_store: Path) -> None:
    assert_error(
        run("check", "--no-embeddings"),
        f"neither the content folder {cli_store / 'content'} nor the policies folder "
        f"{cli_store / 'policies'} exists (set KS_CONTENT_DIR and KS_POLICIES_DIR",
    )
    write_article_md(cli_store / "content", "a", policy_sources=["REFUNDS#2.1"])
    result = run("check", "--content", str(cli_store / "content"), "--no-embeddings")
    assert f"warning: the policies folder {cli_store / 'policies'} does not exist" in result.stderr
    assert result.exit_code == 1 and "policy_missing" in result.stdout  # checked, and it blocks


def test_serve_on_a_port_in_use_names_it_before_loading_anything(cli_store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert_error(result, f"cannot listen on 127.0.0.1:{port}")
    assert "Serving on" not in result.output
    assert_error(run("serve", "--host", "256.1.1.1"), "--host 256.1.1.1")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.sqlite_only("the model is refused before the store matters")
@pytest.mark.parametrize("backend", ["onnx", "torch"])
@pytest.mark.parametrize(
    ("model", "problem"),
    [
        ("nonexistent/model", "does not exist"),
        ("sentence-transformers/all-mpnet-base-v2", "does not exist"),  # a name: no folder
        ("empty", "is not a model folder"),
        ("big", "is not a model folder"),  # e.g. /tmp: refused, never walked
        ("file.txt", "is not a folder"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [("serve",), ("index", "rebuild"), ("index", "status"), ("search", "late fee"), ("check",)],
)
def test_a_path_that_is_no_model_folder_is_refused_naming_the_setting(
    cli_store: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    model: str,
    problem: str,
    command: tuple[str, ...],
) -> None:
    (cli_store / "empty").mkdir()
    (cli_store / "big" / "deep").mkdir(parents=True)
    (cli_store / "big" / "deep" / "x.bin").write_bytes(b"x")
    (cli_store / "file.txt").write_text("x")
    (cli_store / "content").mkdir()
    (cli_store / "policies").mkdir()
    write_article_md(cli_store / "content", "a")

    def no_walk(*_: object, **__: object) -> None:
        raise AssertionError("the model folder was walked")

    monkeypatch.setattr(Path, "rglob", no_walk)
    monkeypatch.setenv("KS_INDEX__BACKEND", backend)
    index_cli._embedder.cache_clear()  # an embedder an earlier command loaded
    args = [*command, "--port", str(_free_port())] if command == ("serve",) else list(command)
    with setting(monkeypatch, "KS_EMBEDDING_MODEL", model):
        result = run(*args)
    assert_error(
        result, "could not load the embedding model", f"KS_EMBEDDING_MODEL={model} {problem}",
        "modules.json or config.json",
    )  # fmt: skip
    assert "Serving on" not in result.output


@pytest.mark.sqlite_only("settings are read before any store")
@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("KS_ANSWERS__NO_ANSWER_THRESHOLD", "2", "less than or equal to 1"),
        ("KS_ANSWERS__VOICE_MINIMUM", "-1", "greater than or equal to 0"),
        ("KS_FRESHNESS__DUPLICATE_THRESHOLD", "5", "less than or equal to 1"),
        ("KS_FRESHNESS__CONFLICT_THRESHOLD", "1.01", "less than or equal to 1"),
        ("KS_INDEX__DENSE_WEIGHT", "1.5", "less than or equal to 1"),
        ("KS_INDEX__BATCH_SIZE", "0", "greater than or equal to 1"),
        ("KS_ANSWERS__CANDIDATES", "0", "greater than or equal to 1"),
        ("KS_ANSWERS__MAX_QUESTION_CHARS", "1000", "less than or equal to 500"),
        ("KS_MAX_FILE_BYTES", "-1", "greater than or equal to 1"),
    ],
)
@pytest.mark.parametrize("command", [("check", "--no-embeddings"), ("serve",)])
def test_an_out_of_range_setting_is_refused_naming_its_variable(
    cli_store: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    why: str,
    command: tuple[str, ...],
) -> None:
    (cli_store / "content").mkdir()
    (cli_store / "policies").mkdir()
    args = [*command, "--port", str(_free_port())] if command == ("serve",) else list(command)
    with setting(monkeypatch, name, value):
        result = run(*args)
    assert_error(result, f"bad setting: {name}: ", why)
    assert "Serving on" not in result.output


@pytest.mark.sqlite_only("settings are read before any store")
@pytest.mark.parametrize(
    ("name", "value", "limit"),
    [
        ("KS_ANALYTICS__FLUSH_INTERVAL", "1e300", "86400"),
        ("KS_INDEX__SYNC_INTERVAL", "1e300", "86400"),
        ("KS_ANALYTICS__PURGE_INTERVAL_HOURS", "8761", "8760"),
        ("KS_HEADER_TIMEOUT", "86401", "86400"),
        ("KS_BODY_TIMEOUT", "1e9", "86400"),
        ("KS_INDEX__INDEX_THREADS", "100000", "256"),  # hung every command that encodes
        ("KS_INDEX__QUERY_THREADS", "100000", "256"),
    ],
)
def test_a_wait_longer_than_its_limit_is_refused_naming_its_variable(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, limit: str
) -> None:
    """Seconds at most a day, hours at most a year: a wait of 1e300 (or inf) seconds was taken,
    and the answer log's, the follower's or the purge's thread ended at once (OverflowError)
    while the server went on answering (every answer event lost, the index never synced)."""
    (cli_store / "content").mkdir()
    (cli_store / "policies").mkdir()
    with setting(monkeypatch, name, value):
        result = run("check", "--no-embeddings")
    assert_error(result, f"bad setting: {name}: ", f"less than or equal to {limit}")


def test_the_default_settings_are_within_their_bounds() -> None:
    from knowledge_service.settings import Settings

    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.answers.no_answer_threshold == 0.41 and defaults.index.dense_weight == 0.7
    assert defaults.max_file_bytes == 512 * 1024


@pytest.mark.sqlite_only("the URL is refused before any store")
def test_serve_refusing_its_store_never_says_it_is_serving(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with setting(monkeypatch, "KS_DATABASE_URL", "mysql://ada@db.example.com/kb"):
        result = run("serve", "--port", str(_free_port()))
    assert_error(result, "KS_DATABASE_URL: ")
    assert "Serving on" not in result.output


HUGE = "9" * 25


@pytest.mark.parametrize(
    "args",
    [
        ("articles", "show", "late-fee", "--version", HUGE),
        ("articles", "diff", "late-fee", "1", HUGE),
        ("articles", "restore", "late-fee", HUGE),
        ("audit", "--offset", HUGE),
        ("tune", "--seed", "-1"),
    ],
)
def test_a_number_out_of_range_is_a_usage_error_not_a_traceback(
    cli_store: Path, args: tuple[str, ...]
) -> None:
    """A version past what the store's integers hold, an offset past a million, a negative
    seed: refused with the option's range (exit 2) before anything is read."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Invalid value" in result.stderr and "Traceback" not in result.stderr


def test_a_draft_from_a_file_that_is_not_utf_8_is_one_error_line(cli_store: Path) -> None:
    bad = cli_store / "latin1.md"
    bad.write_bytes("---\nid: caf\u00e9\n---\nCaf\u00e9 hours.\n".encode("latin-1"))
    result = run("articles", "draft", str(bad))  # refused as a missing file is: exit 1
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.strip().splitlines() == [
        f"error: {bad} is not valid UTF-8 (byte 0xe9 at offset 11)"
    ]


def test_a_workflow_step_without_its_model_writes_nothing(
    cli_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index and the check after a write need the model: a missing one refuses the step
    before it is written (it used to commit, then fail, so the user retried it)."""
    write_article_md(cli_store / "content", "late-fee", status="draft")
    (cli_store / "policies").mkdir()
    assert run("import").exit_code == 0
    before = run("articles", "show", "late-fee", "--json").stdout
    with setting(monkeypatch, "KS_EMBEDDING_MODEL", str(cli_store / "no-model")):
        result = run("articles", "submit", "late-fee")
    assert_error(result, "could not load the embedding model", "nothing was written")
    assert run("articles", "show", "late-fee", "--json").stdout == before


def test_importing_a_path_that_does_not_exist_writes_nothing(cli_store: Path) -> None:
    """A typo on the command line is a usage error, not a blocking 'invalid' finding kept in
    the store."""
    assert_error(run("import", str(cli_store / "contnet")), "contnet does not exist")
    with session_scope(common.engine()) as session:  # the store as the CLI makes it
        assert session.exec(select(Finding)).all() == []


def test_importing_a_folder_without_markdown_warns_and_changes_nothing(cli_store: Path) -> None:
    """A folder that exists but holds no article or policy (a typo's neighbour, the wrong
    checkout) says so on stderr instead of a silent table of zeros, and the store keeps what
    it had; a folder with Markdown in it gives no such warning."""
    folder = cli_store / "one-article"
    write_article_md(folder, "lonely-article")
    result = run("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "no Markdown file" not in result.stderr, result.stderr
    before = run("articles", "list", "--json").stdout
    assert "lonely-article" in before
    empty = cli_store / "empty-folder"
    (empty / "images").mkdir(parents=True)
    (empty / "images" / "logo.png").write_bytes(b"\x89PNG")
    result = run("import", str(empty))
    assert result.exit_code == 0, result.output
    assert "warning: no Markdown file (*.md) in" in result.stderr, result.stderr
    assert "empty-folder" in result.stderr and "nothing was imported" in result.stderr
    assert run("articles", "list", "--json").stdout == before
