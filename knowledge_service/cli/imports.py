"""CLI command ``import``: Markdown articles and policies into the versioned store, then the
after-write pipeline (index and check), with per-file authors and import conflicts reported."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import typer
from rich.markup import escape
from rich.text import Text

from knowledge_service.cli.after_write import after_write, print_finding_counts, store_marks
from knowledge_service.cli.common import local_operator, sigterm_as_interrupt
from knowledge_service.cli.config import content_folders, require_data_dir, settings
from knowledge_service.cli.options import path_argument
from knowledge_service.cli.output import TextTable, console, err_console, fail, phase_progress
from knowledge_service.cli.store import engine
from knowledge_service.content import service
from knowledge_service.content.loader import skipped_files
from knowledge_service.content.schemas import ONE_LINE, control_character
from knowledge_service.content.service import ImportReport
from knowledge_service.errors import KnowledgeServiceError
from knowledge_service.freshness.pipeline import StoreChanges, StoreMarks, changes_since

_PHASES = {"read": "Reading files", "write": "Writing versions"}


def git_author(path: str) -> str | None:
    """The author of the last commit that touched ``path`` (``Name <email>``), if git knows and
    the file is as that commit left it: an uncommitted change (or a file git does not track)
    is not that author's, so None (the caller falls back to the OS user)."""
    where = Path(path).resolve()
    if not where.parent.is_dir():
        return None
    changed = _git(where, "status", "--porcelain", "--", where.name)
    if changed is None or changed:  # not in a repository, or changed since its last commit
        return None
    return _git(where, "log", "-1", "--format=%an <%ae>", "--", where.name) or None


def _git(where: Path, *args: str) -> str | None:
    """What ``git ARGS`` prints in ``where``'s folder, stripped; None when git fails."""
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=10, cwd=where.parent
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def os_user() -> str:
    """The local operator (:func:`~knowledge_service.cli.common.local_operator`)."""
    return local_operator()


def authors(given: str | None) -> Callable[[str], str]:
    """Who wrote each imported file: ``given``, else its git author, else the OS user."""
    if given is not None:
        return lambda _path: given
    return lambda path: git_author(path) or os_user()


def _run_import(paths: list[Path], author: str | None = None) -> ImportReport:
    with phase_progress() as update:
        return service.import_content(
            engine(), paths, max_file_bytes=settings().max_file_bytes,
            progress=lambda phase, done, total: update(_PHASES.get(phase, phase), done, total),
            actor=author or os_user(), author_of=authors(author),
        )  # fmt: skip


def _summary(report: ImportReport) -> TextTable:
    table = TextTable(title="Import summary")
    table.add_column("kind")
    for name in ("created", "updated", "unchanged", "retired", "invalid"):
        table.add_column(name, justify="right")
    kinds = (("articles", "article", report.articles), ("policies", "policy", report.policies))
    for kind, singular, part in kinds:
        invalid = sum(1 for f in report.invalid if f.kind == singular)
        counts = (part.created, part.updated, part.unchanged, part.retired)
        table.add_row(kind, *(str(len(ids)) for ids in counts), str(invalid))
    return table


def import_command(
    paths: list[Path] = typer.Argument(
        None,
        metavar="PATHS",
        help="Folders or files (default: the content and policies folders).",
        parser=path_argument,
    ),
    author: str | None = typer.Option(
        None,
        "--author",
        help="Author of the new versions (default: each file's git author, else the OS user).",
    ),
) -> None:
    """Import Markdown articles and policies into the versioned store, then sync the search
    index and re-check what changed. A document edited through the API since its file was last
    imported or exported is never overwritten: a changed file is reported as a conflict (exit
    1) and the document left as it is."""
    if author is not None and not author.strip():
        raise fail('--author is blank: give a name such as "Name <email>", or leave it out')
    if author is not None and (found := control_character(author)) is not None:
        raise fail(f"--author holds a control character ({found}): {ONE_LINE}")
    missing = [p for p in paths or [] if not p.exists()]
    if missing:  # a typo, not a file gone from the knowledge base: nothing is recorded
        raise fail(f"{missing[0]} does not exist: nothing was imported")
    if skipped := skipped_files(paths or []):  # a shell glob's README or image: not content
        typer.secho(
            f"warning: skipped {', '.join(skipped)}: import reads Markdown files (*.md) that "
            "are not README files, in a folder or named",
            err=True,
        )
    require_data_dir()  # before anything is read or written, as for every command
    # the folders before the store: an import with nothing to read makes no store
    folders = list(paths) if paths else content_folders(verb="import")
    marks = store_marks()
    earlier = changes_since(engine(), marks)  # not yet checked by an import or command
    with sigterm_as_interrupt():  # a service manager's stop is a Ctrl-C: the same clean-up
        _import_and_check(folders, author, marks, earlier)


def _import_and_check(
    folders: list[Path], author: str | None, marks: StoreMarks, earlier: StoreChanges
) -> None:
    report = _run_import(folders, author)
    try:  # committed: from here on, a stop leaves the index and the check to the next run
        _print_report(report, earlier)
        done = after_write(marks, invalid=report.scan)
    except KeyboardInterrupt:
        _unfinished()
        raise typer.Exit(130) from None
    except KnowledgeServiceError as exc:
        error = fail(exc.message)
        _unfinished()
        raise error from None
    except Exception:
        _unfinished()
        raise
    print_finding_counts(done)
    if report.has_invalid or report.has_conflicts:
        raise typer.Exit(code=1)


def _print_report(report: ImportReport, earlier: StoreChanges) -> None:
    for invalid in report.invalid:
        err_console.print(Text(f"invalid: {invalid.message}", style="red"), soft_wrap=True)
    for conflict in report.conflicts:
        err_console.print(Text(f"conflict: {conflict.message}", style="red"), soft_wrap=True)
    console.print(_summary(report))
    scan = report.scan
    if not (scan.article_ids or scan.policy_ids or scan.invalid):  # a typo's empty folder
        typer.secho(
            f"warning: no Markdown file (*.md) in {', '.join(scan.roots)}: nothing was "
            "imported (import reads the articles' and policies' *.md files in a folder)",
            err=True,
        )
    kept = report.articles.kept + report.policies.kept
    if kept:
        console.print(
            escape(
                f"Kept {len(kept)} document(s) whose store version is newer than the unchanged "
                f"file (export to refresh the files): {', '.join(kept)}"
            ),
            highlight=False,
        )
    if earlier:
        count = len(earlier.article_ids) + len(earlier.policy_ids)
        console.print(
            f"Also checking {count} document(s) changed since the last import or command that "
            "finished its index and check (one stopped before them, or a server wrote them).",
            highlight=False,
        )


def _unfinished() -> None:
    """The line an import stopped after its commit prints (before its exit)."""
    err_console.print(
        "The documents were saved, but the index and check did not finish: run "
        "`knowledge-service import` again (or `check --store`) to complete them.",
        style="red", highlight=False, soft_wrap=True, markup=False,
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("import")(import_command)
