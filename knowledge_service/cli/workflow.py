"""CLI commands of the editorial workflow, beside the read commands of ``articles``/``policies``:
``draft``, ``edit``, ``submit``, ``approve``, ``reject``, ``verify`` (articles), ``retire``,
``discard``, ``restore`` and ``reassign``.

The CLI acts as a local admin named by ``--actor`` (default: the OS user) on the current version
(``--if-version N`` makes a step fail unless N is still current). Every step runs the
after-write pipeline, so the index and the findings follow; a refused step prints one line and
exits 1.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.access.schemas import LOCAL_PREFIX, Principal, Role
from knowledge_service.cli.after_write import after_write, require_model_folder, store_marks
from knowledge_service.cli.common import local_operator
from knowledge_service.cli.config import settings
from knowledge_service.cli.content import articles_app, policies_app
from knowledge_service.cli.options import named_as_options, path_argument, whole_number
from knowledge_service.cli.output import console, fail
from knowledge_service.cli.store import engine, existing_engine
from knowledge_service.content.raw_html import describe_raw_html
from knowledge_service.content.schemas import ONE_LINE, control_character
from knowledge_service.content.service import DocumentService, articles, policies
from knowledge_service.db import MAX_VERSION, session_scope
from knowledge_service.errors import (
    InvalidContentError,
    InvalidRequestError,
    InvalidTransitionError,
    KnowledgeServiceError,
    PreconditionFailedError,
    a_or_an,
)
from knowledge_service.review.blocks import with_blocks
from knowledge_service.review.bulk import run_batch
from knowledge_service.review.etags import LOCAL, Precondition
from knowledge_service.review.transitions import STATUS_AFTER
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_schemas import WorkflowStatus
from knowledge_service.review.workflow_state import Step

MAX_ACTOR_CHARS = 200
"""The longest ``--actor``: an API key's name, the other way a step names who acts, is as long."""


def _checked_actor(actor: str | None) -> str | None:
    """``--actor`` as given, stripped; refused (exit 2) when blank, longer than a key's name or
    holding a control character: the author of a version and the actor of its audit event must
    name someone, on one line (``--actor ""`` from an unset variable once recorded no one)."""
    if actor is None:
        return None
    name = actor.strip()
    if not name:
        raise fail('--actor is blank: give a name such as "Name <email>", or leave it out')
    if len(name) > MAX_ACTOR_CHARS:
        raise fail(f"--actor must be at most {MAX_ACTOR_CHARS} characters (got {len(name)})")
    if (found := control_character(name)) is not None:
        raise fail(f"--actor holds a control character ({found}): {ONE_LINE}")
    return name


_ACTOR = typer.Option(
    None,
    "--actor",
    help="Who acts (recorded as the author and in the audit log); default: you.",
    callback=_checked_actor,
)
_REASON = typer.Option(None, "--reason", help="Why, for the audit log.")
_IF_VERSION = typer.Option(
    None,
    "--if-version",
    **whole_number(1, MAX_VERSION),
    help="Fail unless this is still the current version.",
)
_ID = typer.Argument(..., metavar="ID")
_IDS = typer.Argument(..., metavar="ID...")


def _actor(name: str | None) -> Principal:
    return Principal(name=name or local_operator(), prefix=LOCAL_PREFIX, role=Role.ADMIN)


def _pre(doc_id: str, version: int | None) -> Precondition:
    return LOCAL if version is None else Precondition.of_version(doc_id, version)


_OPTIONS = {"owner": "--owner", "reason": "--reason", "items": "ID..."}
"""The command line's name of each request field a workflow step may refuse."""


def _said(exc: KnowledgeServiceError) -> str:
    """What the command line says of a refusal: the service names the API's header
    (``If-Match``), here the option given, and the workflow's state of a policy in force
    (``published``), here its status as the CLI prints it (``active``)."""
    if isinstance(exc, PreconditionFailedError) and exc.expected:
        group = {d.kind.name: d.kind.plural for d in (articles, policies)}[exc.kind]
        changes = f"`knowledge-service {group} diff {exc.doc_id} {exc.expected} {exc.current}`"
        seen = f"see what changed ({changes}), then " if exc.expected < exc.current else ""
        return (
            f"{exc.kind} {exc.doc_id!r} is at version {exc.current}, not version "
            f"{exc.expected} (--if-version {exc.expected}): {seen}run the command again with "
            f"--if-version {exc.current}"
        )
    if isinstance(exc, InvalidTransitionError):  # a published policy is 'active' here
        state = {str(k): v for k, v in STATUS_AFTER[exc.kind].items()}.get(exc.state, exc.state)
        return InvalidTransitionError(
            exc.kind, exc.doc_id, action=exc.action, state=state, allowed=exc.allowed,
            why=exc.why,
        ).message  # fmt: skip
    return exc.message


@contextmanager
def _refused() -> Iterator[None]:
    """A refused step: one clear line on stderr, exit code 1."""
    try:
        with named_as_options(_OPTIONS):
            yield
    except KnowledgeServiceError as exc:
        typer.secho(f"error: {_said(exc)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None


BLOCKED_AFTER = {
    "verify": "verified but still blocked for customers (verifying lifts no block)",
    "approve": "published but blocked for customers (approving lifts no block; customer "
    "channels hand it to a person until the cause is fixed or an admin accepts the risk)",
}
"""What a step's warning says of an article its check still finds blocking."""


def run_steps(
    documents: DocumentService[Any, Any, Any],
    act: Callable[[Workflow, Session], list[Step]],
    then: Callable[[Session, WorkflowStatus], WorkflowStatus] | None = None,
    *,
    creates: bool = False,
    blocked_said: str = BLOCKED_AFTER["verify"],
) -> None:
    """Run ``act`` in one transaction, then the after-write pipeline; print each outcome
    (``then`` adds to each status once the check has run; a status still blocked is warned of
    with ``blocked_said``: what the step did, and that it lifts no block). Only a step that
    ``creates`` a document may make the store; the others need one (a step on a document in a
    store that is not there fails, and must leave no empty store behind)."""
    require_model_folder(": nothing was written")  # the index and check after the write need it
    if not creates:
        existing_engine()
    marks = store_marks()
    with _refused(), session_scope(engine()) as session:
        steps = act(Workflow(documents, settings().workflow), session)
    if any(step.wrote for step in steps):
        try:
            after_write(marks)
        except (KnowledgeServiceError, OSError) as exc:
            message = exc.message if isinstance(exc, KnowledgeServiceError) else str(exc)
            raise fail(
                f"{message}. The change was saved, but the index and check did not finish: "
                "run `knowledge-service check --store` to complete them"
            ) from None
    if then is not None:
        with session_scope(engine()) as session:
            steps = [Step(then(session, step.status), step.wrote) for step in steps]
    for step in steps:
        s = step.status
        same = ": unchanged, nothing written" if s.unchanged else ""
        state = STATUS_AFTER[s.kind].get(s.state, s.state)  # a policy is active, not published
        console.print(
            escape(f"{s.kind} {s.id}: {state} (version {s.version}, owner {s.owner}){same}")
        )
        if s.raw_html:
            typer.secho(f"warning: {s.id}: {describe_raw_html(s.raw_html)}", err=True)
        if s.still_blocked_by:
            blocks = "; ".join(
                f"{b.kind} (finding {b.id}): {b.message}" for b in s.still_blocked_by
            )
            typer.secho(f"warning: {s.id} is {blocked_said} by: {blocks}", err=True)


def _read(path: Path) -> str:
    """The file's text (the workflow reads it as import reads a file: a byte order mark
    dropped, line endings ``\\n``)."""
    with _refused():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KnowledgeServiceError(f"cannot read {path}: {exc.strerror}") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise KnowledgeServiceError(
                f"{path} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """A file's problem names the file given (and its line and field), not the store's name
    for a text sent without one (``articles/new``)."""
    try:
        yield
    except InvalidContentError as exc:
        raise InvalidContentError(str(path), exc.problem, line=exc.line, field=exc.field) from None
    except InvalidRequestError as exc:
        if exc.parameter != "text":  # the API's name for the text: on the CLI, the file's
            raise
        raise InvalidContentError(str(path), exc.problem, line=_id_line(path), field="id") from None


def _id_line(path: Path) -> int | None:
    """The line of the front matter's ``id:`` in ``path`` (the file was read: it is there)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, 1) if line.startswith("id:")), None)


def add_commands(app: typer.Typer, documents: DocumentService[Any, Any, Any]) -> None:
    """The workflow commands of one kind of document."""
    kind = documents.kind.name
    _add_text_commands(app, documents)

    def one(name: str, help_text: str) -> Callable[..., None]:
        def command(
            doc_id: str = _ID,
            actor: str | None = _ACTOR,
            reason: str | None = _REASON,
            if_version: int | None = _IF_VERSION,
        ) -> None:
            verb = getattr(Workflow, name)
            today = clock.today(settings())
            warns = kind == "article" and name in BLOCKED_AFTER
            run_steps(
                documents,
                lambda w, s: [
                    verb(w, s, _actor(actor), doc_id, _pre(doc_id, if_version), reason=reason)
                ],
                then=(lambda s, status: with_blocks(s, status, today=today)) if warns else None,
                blocked_said=BLOCKED_AFTER.get(name, ""),
            )

        command.__doc__ = help_text
        return app.command(name)(command)

    one("submit", f"Submit a draft {kind} for review.")
    one("approve", f"Approve and publish {a_or_an(kind)} in review (not by its last editor).")
    one("retire", f"Retire {a_or_an(kind)}.")
    one(
        "discard",
        f"Discard the draft of {a_or_an(kind)}: the version in force becomes current again "
        "(the draft stays in the history).",
    )

    @app.command("reject")
    def reject(
        doc_id: str = _ID,
        reason: str = typer.Option(..., "--reason", help="What must change."),
        actor: str | None = _ACTOR,
        if_version: int | None = _IF_VERSION,
    ) -> None:
        """Send a draft in review back to its author."""
        run_steps(
            documents,
            lambda w, s: [
                w.reject(s, _actor(actor), doc_id, _pre(doc_id, if_version), reason=reason)
            ],
        )

    @app.command("restore")
    def restore(
        doc_id: str = _ID,
        version: int = typer.Argument(..., metavar="VERSION", **whole_number(1, MAX_VERSION)),
        actor: str | None = _ACTOR,
        reason: str | None = _REASON,
        if_version: int | None = _IF_VERSION,
    ) -> None:
        """Bring back an old version's text as a new draft version."""
        run_steps(
            documents,
            lambda w, s: [
                w.restore(
                    s,
                    _actor(actor),
                    doc_id,
                    _pre(doc_id, if_version),
                    version=version,
                    reason=reason,
                )
            ],
        )

    _add_bulk_commands(app, documents)


def _add_text_commands(app: typer.Typer, documents: DocumentService[Any, Any, Any]) -> None:
    kind = documents.kind.name

    @app.command("draft")
    def draft(
        file: Path = typer.Argument(
            ...,
            metavar="FILE",
            help="A Markdown file (front matter and body).",
            parser=path_argument,
        ),
        actor: str | None = _ACTOR,
        reason: str | None = _REASON,
    ) -> None:
        """Create a new draft from a file."""
        text = _read(file)

        def create(w: Workflow, s: Session) -> list[Step]:
            with _naming(file):
                return [w.create(s, _actor(actor), text, reason=reason)]

        run_steps(documents, create, creates=True)

    @app.command("edit")
    def edit(
        doc_id: str = _ID,
        file: Path = typer.Argument(
            ..., metavar="FILE", help="The whole new text.", parser=path_argument
        ),
        actor: str | None = _ACTOR,
        reason: str | None = _REASON,
        if_version: int | None = _IF_VERSION,
    ) -> None:
        """Save a new draft version of a document from a file."""
        text = _read(file)

        def edit_one(w: Workflow, s: Session) -> list[Step]:
            with _naming(file):
                pre = _pre(doc_id, if_version)
                return [w.edit(s, _actor(actor), doc_id, text, pre, reason=reason)]

        run_steps(documents, edit_one)

    draft.__doc__ = (
        f"Create a new draft {kind} from a file (stored as a draft, whatever its status)."
    )
    edit.__doc__ = f"Save a new draft version of {a_or_an(kind)} from a file."


def _add_bulk_commands(app: typer.Typer, documents: DocumentService[Any, Any, Any]) -> None:
    def limit() -> int:
        return settings().workflow.bulk_limit

    if documents.kind.name == "article":

        @app.command("verify")
        def verify(
            doc_ids: list[str] = _IDS, actor: str | None = _ACTOR, reason: str | None = _REASON
        ) -> None:
            """Verify published articles: reviewed today, next review one interval on."""
            today = clock.today(settings())
            run_steps(
                documents,
                lambda w, s: run_batch(
                    [(i, LOCAL) for i in doc_ids],
                    limit(),
                    lambda i, pre: w.verify(s, _actor(actor), i, pre, today=today, reason=reason),
                ),
                then=lambda s, status: with_blocks(s, status, today=today),
            )

    @app.command("reassign")
    def reassign(
        doc_ids: list[str] = _IDS,
        owner: str = typer.Option(..., "--owner", help="The new owner."),
        actor: str | None = _ACTOR,
        reason: str | None = _REASON,
    ) -> None:
        """Give documents to another owner."""
        run_steps(
            documents,
            lambda w, s: run_batch(
                [(i, LOCAL) for i in doc_ids],
                limit(),
                lambda i, pre: w.reassign(s, _actor(actor), i, pre, owner=owner, reason=reason),
            ),
        )


def register(app: typer.Typer) -> None:
    """Add the workflow commands to the ``articles`` and ``policies`` groups."""
    add_commands(articles_app, articles)
    add_commands(policies_app, policies)
