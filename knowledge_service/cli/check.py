"""CLI command ``check``: the governance check on content folders (no server or import needed),
or with ``--store`` on the imported store in place (its findings updated, as a server would).

Exit codes: 0 when no finding blocks (or warns, with ``--fail-on warn``), 1 when one does, 2 when
the check could not run. With ``--store``, a block whose risk an admin accepted (active on the
day checked) is shown as accepted and counts as a warning, as serving treats it: it fails
``--fail-on warn`` only.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from knowledge_service import __version__, clock
from knowledge_service.cli.after_write import after_write, load_embedder, open_search_service
from knowledge_service.cli.config import content_folders, settings
from knowledge_service.cli.options import day_option, path_argument
from knowledge_service.cli.output import CliConsole, err_console, fail, phase_progress
from knowledge_service.cli.store import engine, existing_engine
from knowledge_service.content.loader import display_path, load_content
from knowledge_service.content.plaintext import shorten
from knowledge_service.db import session_scope
from knowledge_service.freshness.acceptance import active_by_fingerprint
from knowledge_service.freshness.report import (
    Accepted,
    accepted_risk,
    effective_severity,
    locate_evidence,
    to_json,
    to_sarif,
)
from knowledge_service.freshness.rules import count
from knowledge_service.freshness.schemas import SEVERITY_RANK, CheckResult, FindingData, Severity
from knowledge_service.freshness.service import check_store, clear_unfiled_paths, run_check
from knowledge_service.index.embedder import Embedder


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


class FailOn(StrEnum):
    BLOCK = "block"
    WARN = "warn"


_STYLE = {Severity.BLOCK: "bold red", Severity.WARN: "yellow", Severity.INFO: "cyan"}


def _parse_today(value: str | None) -> date:
    if value is None:
        return clock.today(settings())
    return day_option("--today", value)


def _embedder(no_embeddings: bool) -> Embedder | None:
    if no_embeddings:
        return None
    # a missing or broken model must not look like findings
    return load_embedder(settings().index.index_threads, hint="; try --no-embeddings")


def print_text(result: CheckResult, console: Console, accepted: Accepted | None = None) -> None:
    """Findings grouped by article (files that failed to load first), then the summary; a block
    whose risk is accepted says so, until when and by whom."""
    accepted = accepted or {}
    groups: dict[str, list[FindingData]] = defaultdict(list)
    for finding in result.findings:
        key = ", ".join(finding.article_ids) or (finding.evidence[0].path or "?")
        groups[key].append(finding)
    for key, findings in groups.items():
        console.print(f"[bold]{escape(key)}[/bold]", highlight=False, soft_wrap=True)
        for f in findings:
            where = (
                f" [{f.policy_id}#{f.clause}]"
                if f.clause
                else (f" [{f.policy_id}]" if f.policy_id else "")
            )
            console.print(
                f"  [{_STYLE[f.severity]}]{f.severity:<5}[/]{_acceptance(f, accepted)} "
                f"{f.kind}{escape(where)}: {escape(f.message)}",
                highlight=False,
                soft_wrap=True,
            )
            _print_evidence(f, console)
    s = result.summary
    counts = ", ".join(f"{n} {k}" for k, n in sorted(s.by_severity.items())) or "no findings"
    lifted = sum(1 for f in result.findings if _is_accepted(f, accepted))
    if lifted:
        counts += f" ({lifted} of the blocks with an accepted risk)"
    console.print(
        f"{count(s.articles_checked, 'article')}, "
        f"{count(s.policies_checked, 'policy', 'policies')}, "
        f"{count(s.invalid_files, 'invalid file')}: {counts}.",
        highlight=False,
    )


def _is_accepted(finding: FindingData, accepted: Accepted) -> bool:
    return accepted_risk(finding, accepted) is not None


def _acceptance(finding: FindingData, accepted: Accepted) -> str:
    risk = accepted_risk(finding, accepted)
    if risk is None:
        return ""
    until, by = risk
    return escape(f" (risk accepted until {until.isoformat()} by {by}: served)")


def fails(result: CheckResult, fail_on: Severity, accepted: Accepted) -> bool:
    """Whether a finding is at least as severe as ``fail_on``, a block whose risk is accepted
    counting as a warning (customer channels serve it, as they serve a warned article)."""
    floor = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[effective_severity(f, accepted)] >= floor for f in result.findings)


def _print_evidence(finding: FindingData, console: Console) -> None:
    """Each evidence span as ``path:line: text``, so an owner can open it; a span about an
    article version in no file (edited in the service) as ``id vN``."""
    for e in finding.evidence:
        if e.path:
            at = f"{e.path}:{e.line}" if e.line else e.path
        elif e.article_id is not None and e.version is not None:
            at = f"{e.article_id} v{e.version} (edited in the service, in no file)"
        else:
            continue
        quote = shorten(e.text, 120)
        console.print(f"        at {escape(at)}: {escape(quote)}", highlight=False, soft_wrap=True)


def _read_file(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


Update = Callable[[str, int, int], None]


def _on_terminal() -> bool:
    """Whether both the output and the messages go to a terminal (not a pipe, file or CI log)."""
    return sys.stdout.isatty() and err_console.is_terminal


@contextmanager
def _progress(show: bool) -> Iterator[Update]:
    """A bar per phase (:func:`phase_progress`) when ``show``, else nothing at all."""
    if not show:
        yield lambda _phase, _done, _total: None
        return
    with phase_progress() as update:
        yield update


def _check_folders(
    content: Path | None,
    policies: Path | None,
    day: date,
    no_embeddings: bool,
    *,
    show_progress: bool = False,
) -> CheckResult:
    """Check the folders; ``show_progress``: a bar per phase on the terminal (the first run
    loads the embedding model and embeds every article: half a minute of silence otherwise)."""
    folders = content_folders(content, policies, verb="check")
    with _progress(show_progress) as update:
        loaded = load_content(
            folders,
            max_file_bytes=settings().max_file_bytes,
            progress=lambda done, total: update("Reading files", done, total),
        )
        embedder = None
        if not no_embeddings:
            update("Loading the embedding model", 0, 1)
            embedder = _embedder(no_embeddings)
            update("Loading the embedding model", 1, 1)
        update("Checking", 0, 1)
        result = run_check(
            loaded.articles,
            loaded.policies,
            today=day,
            settings=settings(),
            embedder=embedder,
            invalid=loaded.invalid,
        )
        update("Checking", 1, 1)
    return result


def _show_paths(result: CheckResult) -> None:
    """Evidence paths as users see them: relative to the working folder when under it (the
    store and the loader keep absolute ones)."""
    for finding in result.findings:
        for evidence in finding.evidence:
            if evidence.path:
                evidence.path = display_path(Path(evidence.path))


def _check_store(day: date) -> CheckResult:
    """A full check of the store through the after-write pipeline (index synced first), its
    findings synced; for another day than today, a what-if that only reports: findings as of
    another day written to the store would change what customers are served now (a review
    overdue in 2038 blocks today) and stay in the leaders' measures."""
    existing_engine()  # no store is there yet: say so, creating none
    if day != clock.today(settings()):
        err_console.print(
            f"Checking the store as of {day.isoformat()}, not today: findings are reported, "
            "the store's are left as they are."
        )
        search = open_search_service()
        with err_console.status("Checking the store..."):
            return check_store(
                engine(), today=day, embedder=search.embedder, cache=search.cache,
                settings=settings(), sync=False,
            )  # fmt: skip
    done = after_write(None, today=day)
    if done is None or done.check is None:  # never: a full check always runs
        raise fail("the store check did not run")
    return done.check


def _print(result: CheckResult, output: OutputFormat, accepted: Accepted) -> None:
    if output == OutputFormat.JSON:
        typer.echo(json.dumps(to_json(result, accepted), indent=2))
    elif output == OutputFormat.SARIF:
        sarif = to_sarif(result, tool_version=__version__, accepted=accepted)
        typer.echo(json.dumps(sarif, indent=2))
    else:
        console = CliConsole(force_terminal=None if sys.stdout.isatty() else False)
        print_text(result, console, accepted)


def check(
    content: Path | None = typer.Option(
        None, "--content", help="Articles folder.", parser=path_argument
    ),
    policies: Path | None = typer.Option(
        None, "--policies", help="Policy sources folder.", parser=path_argument
    ),
    store: bool = typer.Option(
        False,
        "--store",
        help="Check the imported store in place (full check; its findings are updated, unless "
        "--today names another day: then they are only reported). A block whose risk is "
        "accepted is shown so and counts as a warning (exit 0 unless --fail-on warn).",
    ),
    today: str | None = typer.Option(None, "--today", help="Check as of this date (ISO)."),
    output: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", help="Output format."),
    fail_on: FailOn = typer.Option(
        FailOn.BLOCK,
        "--fail-on",
        help="Lowest failing severity (exit 1); with --store an accepted risk's block is a warn.",
    ),
    no_embeddings: bool = typer.Option(
        False,
        "--no-embeddings",
        help="Compare only articles that share an intent, restate one clause or give opening "
        "hours in one topic (no model).",
    ),
) -> None:
    """Run the governance check on content folders (or the store) and report the findings."""
    if store and (content is not None or policies is not None or no_embeddings):
        raise fail("--store checks the imported store: no --content, --policies or --no-embeddings")
    day = _parse_today(today)
    accepted: Accepted = {}
    if store:
        result = _check_store(day)
        with session_scope(engine()) as session:  # a version edited in the service is in no file
            clear_unfiled_paths(session, result.findings)
            blocks = [f.fingerprint for f in result.findings if f.severity == Severity.BLOCK]
            accepted = active_by_fingerprint(session, blocks, today=day)
        result.summary.blocking = any(
            f.severity == Severity.BLOCK and not _is_accepted(f, accepted) for f in result.findings
        )
    else:
        show = output == OutputFormat.TEXT and _on_terminal()
        result = _check_folders(content, policies, day, no_embeddings, show_progress=show)
    locate_evidence(result.findings, lru_cache(maxsize=None)(_read_file))
    _show_paths(result)
    _print(result, output, accepted)
    if fails(result, Severity(fail_on.value), accepted):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("check")(check)
