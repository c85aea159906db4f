"""Shared CLI wiring: settings, engine and a console, built once per command; and the
after-write pipeline as commands that change the store run it."""

from __future__ import annotations

import getpass
import os
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console, ConsoleDimensions, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from knowledge_service import migrations
from knowledge_service.content.loader import FileScan
from knowledge_service.content.schemas import (
    ARTICLE_ID_PATTERN,
    NO_TEXT_TO_SHOW,
    PATTERN_WORDS,
    POLICY_ID_PATTERN,
    shows_text,
)
from knowledge_service.db import session_scope, store_name
from knowledge_service.errors import InvalidRequestError
from knowledge_service.freshness import pipeline
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.pipeline import AfterWrite, StoreMarks
from knowledge_service.freshness.schemas import FindingCounts
from knowledge_service.index.embedder import (
    Embedder,
    ModelFolderError,
    check_model_folder,
    create_embedder,
)
from knowledge_service.index.locks import index_turn
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings, get_settings
from knowledge_service.store import engine_for

UNWRAPPED_WIDTH = 100_000
"""Off a terminal, the width lines are laid out in: wide enough that nothing wraps."""

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters but tab, line feed and carriage return (which rich drops itself): an
escape in an article's title would be a command to the terminal showing it."""


def visible_controls(text: str) -> str:
    """``text`` with each control character written out as its escape (``\\x1b``)."""
    return _CONTROLS.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


class CliConsole(Console):
    """A console that wraps only on a terminal. Piped or written to a file, a message is one
    line however long (``articles edit ... | cat`` prints the owner's address whole) and a
    table keeps every cell whole on its row, so ``grep`` and ``cut`` see what was printed."""

    @property
    def size(self) -> ConsoleDimensions:
        dimensions = super().size
        if self.is_terminal:
            return dimensions
        return ConsoleDimensions(UNWRAPPED_WIDTH, dimensions.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        """What rich writes, with the text's control characters written out: text from the
        store or the command line (an owner's title or answer holding ``ESC [2J`` or a
        terminal's clipboard command) reaches the terminal as characters, never as commands.
        Rich's own codes (colours, the progress bar's cursor moves) are its styles and control
        segments, which pass as they are."""
        return super()._render_buffer(
            segment if segment.control else Segment(visible_controls(segment.text), segment.style)
            for segment in buffer
        )

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.is_terminal:
            for table in objects:
                if isinstance(table, Table):
                    for column in table.columns:
                        column.no_wrap, column.overflow = True, "ignore"
        super().print(*objects, **kwargs)


console = CliConsole()
err_console = CliConsole(stderr=True)


class TextTable(Table):
    """A table whose title and cells are text, never Rich markup: an article's title, a
    snippet or a query with ``[/x]`` or ``[current outages map]`` in it is shown as written
    (as markup it would raise or vanish)."""

    def __init__(self, *headers: str, title: str | None = None, **kwargs: Any) -> None:
        super().__init__(*headers, title=Text(title) if title is not None else None, **kwargs)

    def add_row(self, *cells: RenderableType | None, **kwargs: Any) -> None:
        super().add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kwargs)


def print_table(table: Table) -> None:
    """Print a table on stdout: on a terminal as rich lays it out, elsewhere every cell on one
    line, never cut (:class:`CliConsole`)."""
    console.print(table)


def progress_bar() -> Progress:
    """A transient progress bar on stderr: phase, bar, done/total, elapsed and time left (the
    ETA of a long import or index build)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )


@contextmanager
def phase_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A :func:`progress_bar` with one bar per phase: ``update(phase, done, total)``."""
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


_STORE_URLS = {
    "sqlite": "sqlite:///PATH",
    "postgresql": "postgresql+psycopg://USER:PASSWORD@HOST:5432/DB",
}


_STORE_DRIVERS = {"pysqlite", "psycopg"}
"""The database drivers installed with the service (SQLAlchemy's names)."""


def _bad_port(url: str, variable: str) -> str | None:
    """The error for a URL whose port, after the host, is no number (``HOST:54x2``), or None
    when the host has no such port (the fault is then a password's character). Only the text
    after the URL's last ``@`` is shown: no password is ever in it."""
    after = url.split("://", 1)[-1].rsplit("@", 1)[-1]
    host_port = after.split("/", 1)[0].split("?", 1)[0]
    if host_port.startswith("[") or ":" not in host_port:  # an IPv6 address, or no port
        return None
    host, port = host_port.rsplit(":", 1)
    if port.isdigit():
        return None
    return f"{variable}: the port {port!r} after the host {host!r} is not a number (such as 5432)"


def _unencoded_password(variable: str) -> str:
    """The error for a URL whose password holds a character that ends it early (never the URL:
    it holds the password)."""
    return (
        f"{variable}: cannot tell the password from the host; percent-encode the password's "
        "@ : / ? # % & characters (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, "
        "& as %26)"
    )


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr; return the exit (code 2: the command could not run)
    for the caller to raise."""
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


@contextmanager
def named_as_options(options: Mapping[str, str]) -> Iterator[None]:
    """A refused request field that the command gives as an option is named as the option
    (``parameter '--owner'``), not as the API's field (``parameter 'owner'``); ``options`` maps
    each field to its option."""
    try:
        yield
    except InvalidRequestError as exc:
        if exc.parameter not in options:
            raise
        raise type(exc)(options[exc.parameter], exc.problem) from None


@contextmanager
def file_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn a file system error of the block into one line naming the user's ``path`` and what
    could not be done (``doing``: "write"), exit 2; never a traceback naming an inner file."""
    try:
        yield
    except OSError as exc:
        raise fail(f"cannot {doing} {path}: {_inner(path, exc)}{exc.strerror or exc}") from None


def _inner(path: Path, exc: OSError) -> str:
    """``PATH: `` for the file or folder under ``path`` that the error is about (a file named
    ``content`` where an export makes ``content/billing``), else nothing: the error names the
    user's path, and an export's temporary folder beside it is no place to look."""
    if not isinstance(exc.filename, str):
        return ""
    inner, where = Path(exc.filename).absolute(), path.absolute()
    return f"{path / inner.relative_to(where)}: " if where in inner.parents else ""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM (a service manager's or ``kill``'s stop) stops the command as
    Ctrl-C does, by raising KeyboardInterrupt, so its clean-up runs; outside the main thread,
    where no signal handler can be set, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def content_folders(
    content: Path | None = None, policies: Path | None = None, *, verb: str
) -> list[Path]:
    """The content and policies folders to ``verb`` ("import", "check"): ``content`` and
    ``policies`` when given, else KS_CONTENT_DIR and KS_POLICIES_DIR. One given that is no
    folder, or a file where a default folder should be, exits 2; a default folder that is
    missing is a warning naming its variable (a knowledge base may have no policies yet), and
    both missing exit 2: nothing would be read, silently."""
    asked = (
        ("content", "KS_CONTENT_DIR", content, content or settings().content_dir),
        ("policies", "KS_POLICIES_DIR", policies, policies or settings().policies_dir),
    )
    for label, _, given, folder in asked:
        if not folder.is_dir() and (given is not None or folder.exists()):
            problem = "is not a folder" if folder.exists() else "does not exist"
            raise fail(f"{label} folder {folder} {problem}")
    missing = [(label, variable, folder) for label, variable, _, folder in asked
               if not folder.is_dir()]  # fmt: skip
    if len(missing) == len(asked):
        (_, content_variable, content_dir), (_, policies_variable, policies_dir) = missing
        raise fail(
            f"neither the content folder {content_dir} nor the policies folder {policies_dir} "
            f"exists (set {content_variable} and {policies_variable}, or give the folders to "
            f"{verb})"
        )
    for label, variable, folder in missing:
        err_console.print(
            escape(
                f"warning: the {label} folder {folder} does not exist, so nothing in it is "
                f"{verb}ed (set {variable}, or give the folders to {verb})"
            )
        )
    return [folder for *_, folder in asked if folder.is_dir()]


def settings() -> Settings:
    """The settings; a bad ``KS_*`` variable exits 2 naming it and what is wrong."""
    try:
        return get_settings()
    except ValidationError as exc:
        raise fail(describe_settings_error(exc)) from None
    except SettingsError as exc:  # a section (KS_INDEX, ...) set to text that is no JSON
        raise fail(describe_unparsed_setting(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    """Each bad setting as its variable and the reason (never its value: it may be a secret).
    A section set to JSON that is no object (``KS_ANALYTICS='[1]'``) is told as a section set
    to text that is no JSON: pydantic's "Input should be a valid dictionary or instance of
    AnalyticsSettings" names a class, not how a section is set."""
    problems = []
    for error in exc.errors():
        variable = "KS_" + "__".join(str(part) for part in error["loc"]).upper()
        if error["type"] == "model_type" and len(error["loc"]) == 1:
            problems.append(f"{variable}: {_NO_JSON_OBJECT.format(variable=variable)}")
        else:
            problems.append(f"{variable}: {error['msg']}")
    return "bad setting: " + "; ".join(problems)


_NO_JSON_OBJECT = (
    "is no JSON object (a section: set its settings one by one as {variable}__NAME, or together "
    "as a JSON object)"
)


def describe_unparsed_setting(exc: SettingsError) -> str:
    """A section's variable (``KS_ANALYTICS``) set to text that is no JSON object: named, with
    how a section is set (never its value). pydantic-settings names the field only in its
    message (``error parsing value for field "analytics" from source ...``)."""
    field = re.search(r'field "(\w+)"', str(exc))
    if field is None:
        return f"bad setting: {exc}"
    variable = f"KS_{field.group(1).upper()}"
    where = " (in .env)" if "DotEnv" in str(exc) else ""
    return f"bad setting: {variable}{where}: {_NO_JSON_OBJECT.format(variable=variable)}"


def store_engine() -> Engine:
    """An engine for ``KS_DATABASE_URL``; a URL of another kind of database, or a SQLite file
    that cannot be created, exits 2 naming the variable."""
    check_database_url(settings().database_url, "KS_DATABASE_URL")
    try:
        return engine_for(settings())
    except OSError as exc:  # the SQLite file (or its folder) cannot be made
        path = make_url(settings().database_url).database or ""
        where = f": {exc.filename}" if exc.filename and str(exc.filename) != path else ""
        raise fail(
            f"KS_DATABASE_URL: cannot create the SQLite file {path}: {exc.strerror or exc}{where}"
        ) from None


def require_data_dir() -> None:
    """Exit 2 with one ``error:`` line naming ``KS_DATA_DIR`` and its path when it is no folder
    this process can write in, or cannot be created (a file where it or a folder above it should
    be, a folder above it that is not writable): before anything is written, the store
    included, and before the model is loaded (which would fail on ``KS_DATA_DIR/models``)."""
    folder = settings().data_dir
    if folder.exists():
        if not folder.is_dir():
            raise fail(f"KS_DATA_DIR: {folder} is not a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise fail(f"KS_DATA_DIR: {folder} is not writable")
        return
    above = folder.absolute().parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise fail(f"KS_DATA_DIR: cannot create {folder}: {above} is not a folder")
    if not os.access(above, os.W_OK | os.X_OK):
        raise fail(f"KS_DATA_DIR: cannot create {folder}: {above} is not writable")


def check_database_url(url: str, variable: str) -> None:
    """Exit 2 naming ``variable`` (never the URL: it may hold a password) when ``url`` is not a
    store URL of a database the service supports, or its password is not percent-encoded."""
    try:
        parsed = make_url(url)
        backend: str | None = parsed.get_backend_name()
        driver: str | None = parsed.get_driver_name()
    except ArgumentError:
        backend = driver = None
    except ValueError:  # a port that is no number: a password's ':' or '/' left as it is
        raise fail(_bad_port(url, variable) or _unencoded_password(variable)) from None
    # psycopg2 (postgresql+psycopg2://; postgresql:// before SQLAlchemy 2.1) is not installed
    if backend not in _STORE_URLS or driver not in _STORE_DRIVERS:
        scheme = url.split(":", 1)[0] if ":" in url else url[:20]  # never the password
        raise fail(
            f"{variable}: {scheme!r} is not a supported database; use "
            + " or ".join(_STORE_URLS.values())
        )
    if "@" in (parsed.host or ""):  # the host would be the end of the password
        raise fail(_unencoded_password(variable))


@lru_cache
def engine() -> Engine:
    """The store's engine with every table created (``KS_DATA_DIR`` checked first: nothing is
    written with a data folder that cannot be used). For the commands that make a store when
    there is none (``import``, ``keys create``, ``serve``); the others use
    :func:`existing_engine`."""
    require_data_dir()
    eng = store_engine()
    create_all_tables(eng)
    return eng


NO_STORE_HINT = (
    "check KS_DATABASE_URL, or create the store first (`knowledge-service import`, or "
    "`knowledge-service db upgrade`)"
)


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite store URL names when it does not exist (opening it would make it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def existing_engine() -> Engine:
    """:func:`engine` for a command that reads the store or changes what it holds: exit 2 with
    one line naming ``KS_DATABASE_URL``, creating nothing (no SQLite file, no tables), when no
    store is there yet: a SQLite file that does not exist, or a database with no tables. Such a
    command used to create an empty store and show nothing (or fail on it), which hid a
    mistyped URL and left a stray file behind. ``KS_DATA_DIR`` is checked first, as by
    :func:`engine`."""
    require_data_dir()
    url = settings().database_url
    check_database_url(url, "KS_DATABASE_URL")
    if (path := missing_sqlite_file(url)) is not None:
        raise fail(f"KS_DATABASE_URL: no store at {path}: {NO_STORE_HINT}")
    probe = store_engine()
    try:
        with probe.connect() as connection:
            is_empty = migrations.schema_status(connection).is_empty
    finally:
        probe.dispose()
    if is_empty:
        raise fail(
            f"KS_DATABASE_URL: the store ({store_name(url)}) is empty, with no tables: "
            f"{NO_STORE_HINT}"
        )
    return engine()


def path_argument(value: str) -> Path:
    """A command-line path as typed (Typer's ``parser=``): an empty one is refused, naming the
    argument (click adds its name), since ``Path("")`` is the current folder: ``export ""``
    (an unset shell variable) wrote into whatever folder the command ran in."""
    if not value.strip():
        raise typer.BadParameter("is empty: give a path (an unset shell variable?)")
    return Path(value)


def require_model_folder(hint: str = "") -> None:
    """Exit 2 with one ``error:`` line when ``KS_EMBEDDING_MODEL`` names no model folder (a
    cheap look at the folder's top, before a command starts work that needs the model;
    ``hint`` is appended)."""
    require_data_dir()  # the model's exports and the index live there
    try:
        check_model_folder(settings().embedding_model)
    except ModelFolderError as exc:
        raise fail(f"could not load the embedding model ({exc}){hint}") from None


def load_embedder(threads: int | None = None, *, hint: str = "") -> Embedder:
    """The configured embedder (``KS_EMBEDDING_MODEL``).

    Raises:
        typer.Exit: (code 2) the embedding model could not be loaded: one ``error:`` line
            naming the setting and the path, never a traceback (``hint`` is appended).
    """
    require_data_dir()  # the model's exports and the index live there
    try:
        return create_embedder(settings(), threads=threads)
    except Exception as exc:  # a missing or broken model must not look like a check result
        raise fail(f"could not load the embedding model ({exc}){hint}") from None


def open_search_service() -> SearchService:
    """The search service over the store (the configured embedder), brought level with it.

    Raises:
        typer.Exit: (code 2) the embedding model could not be loaded.
    """
    embedder = load_embedder(settings().index.index_threads)
    service = SearchService(settings(), engine(), embedder)
    # never building it alongside a server's worker; a bar while units are embedded
    with index_turn(service.path), phase_progress() as update:
        service.open(lambda done, total: update("Embedding units", done, total))
    return service


def store_marks() -> StoreMarks:
    """Where this process's writes begin, for :func:`after_write`: the store's watermarks now,
    or those of the last finished after-write run if one stopped before its check finished (an
    interrupted ``import``: what it wrote is then checked too)."""
    return pipeline.unchecked_since(engine())


def after_write(
    since: StoreMarks | None, *, today: date | None = None, invalid: FileScan | None = None
) -> AfterWrite | None:
    """Run the after-write pipeline for this process's writes: sync the search index, then check
    what changed after ``since`` (None: the whole store). ``invalid``: what an import read, to
    keep its folders' ``invalid`` findings in step (checked even when nothing changed). None
    when nothing changed and nothing was checked. Once done, the store records that it was
    checked through the watermarks read before the changes were listed (a run stopped before
    then leaves that record behind, and the next one checks what it left)."""
    through = pipeline.read_marks(engine())
    changes = None if since is None else pipeline.changes_since(engine(), since)
    if changes is not None and not changes:
        done = None if invalid is None else pipeline.check_files(
            engine(), invalid, settings=settings(), today=today
        )  # fmt: skip
    else:
        search = open_search_service()  # with a progress bar when it embeds units
        with err_console.status("Syncing the search index and checking the findings..."):
            done = pipeline.apply_changes(
                engine(), search, changes, settings=settings(), today=today, invalid=invalid
            )
    pipeline.record_checked(engine(), through)
    return done


def print_finding_counts(done: AfterWrite | None) -> None:
    """One line: the store's open findings, how many block, how many are acknowledged."""
    counts = done.findings if done is not None else None
    if counts is None:
        with session_scope(engine()) as session:
            counts = freshness.count_findings(session)
    console.print(describe_counts(counts), highlight=False)


def describe_counts(counts: FindingCounts) -> str:
    return (
        f"Findings in the store: {counts.open} open and {counts.acknowledged} acknowledged, "
        f"{counts.blocking} of them blocking."
    )


def local_operator() -> str:
    """Who the CLI records as acting on the machine itself (the audit log's actor, an import's
    or a step's author when none is given): the OS user, the same for every command, so
    ``audit --actor USER`` finds key changes, imports and workflow steps alike; ``unknown``
    where the system names no user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def visible_filter(value: str | None) -> str | None:
    """A filter option's check (``--owner``, ``--actor``): a blank value, or one of invisible
    characters only (a zero-width space, a byte order mark: :func:`shows_text`), is an error
    (exit 2), as the API's query parameter so given is (400), never a filter that matches
    nothing."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be blank")
    if value is not None and not shows_text(value):
        raise typer.BadParameter(NO_TEXT_TO_SHOW)
    return value


MAX_ID_CHARS = 120
"""The longest document id (the API's ``article_id``, the store's id column)."""


def _id_check(pattern: str) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and len(value) > MAX_ID_CHARS:
            raise typer.BadParameter(f"must be at most {MAX_ID_CHARS} characters")
        if value is not None and not re.fullmatch(pattern, value):
            raise typer.BadParameter(PATTERN_WORDS[pattern])
        return value

    return check


article_id_filter = _id_check(ARTICLE_ID_PATTERN)
"""An article id option's check (``audit --article``): an id no article can have (spaces,
capitals, a policy's id) is an error (exit 2) naming the option and what an id is, as the
API's ``article_id`` so given is (400), never a filter that matches nothing."""
policy_id_filter = _id_check(POLICY_ID_PATTERN)
"""A policy id option's check (``audit --policy``), as :data:`article_id_filter`."""
