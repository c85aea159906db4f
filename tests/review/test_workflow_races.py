"""Workflow steps that race a write: the interleavings two replicas produced.

A second writer commits between a step's reading of its target (and the If-Match check) and the
step's own write; the step must end as if the two had taken turns, never with half of each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.access.schemas import Principal, Role
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.errors import PreconditionFailedError
from knowledge_service.review.etags import Precondition
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_schemas import WorkflowState as S
from knowledge_service.settings import WorkflowSettings
from tests.api.conftest import SUPPORT, seed_store
from tests.factories import article_text

ANN = Principal(name="ann", prefix="ann0", role=Role.ADMIN)
BOB = Principal(name="bob", prefix="bob0", role=Role.ADMIN)
DOC = "new-fees"  # a draft of the seeded store


class Interleaved(Workflow):
    """Runs ``between`` once, right after a step read its target: a second writer committing
    at that moment."""

    def __init__(self, between: Callable[[], object]) -> None:
        super().__init__(content.articles, WorkflowSettings())
        self.between: Callable[[], object] | None = between

    def _check_ready(self, *args: Any) -> None:
        super()._check_ready(*args)
        between, self.between = self.between, None
        if between is not None:
            between()


@pytest.fixture(autouse=True)
def _the_second_writer_ran(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's second writer did commit: a renamed seam cannot leave a race untested."""
    made: list[Interleaved] = []
    real_init = Interleaved.__init__

    def init(self: Interleaved, between: Callable[[], object]) -> None:
        real_init(self, between)
        made.append(self)

    monkeypatch.setattr(Interleaved, "__init__", init)
    yield
    assert made and all(flow.between is None for flow in made)


def _text(answer: str) -> str:
    return article_text(
        DOC, owner=SUPPORT, status="draft", title="New fees", intents=["billing.fees"],
        answer=answer,
    )  # fmt: skip


def _at(version: int) -> Precondition:
    return Precondition.of_version(DOC, version)


def _where(engine: Engine) -> tuple[int, S]:
    with session_scope(engine) as session:
        status = Workflow(content.articles, WorkflowSettings()).status(session, ANN, DOC)
        return status.version, status.state


def _edit(engine: Engine, who: Principal, version: int, answer: str) -> None:
    with session_scope(engine) as session:
        Workflow(content.articles, WorkflowSettings()).edit(
            session, who, DOC, _text(answer), _at(version)
        )


@pytest.fixture
def drafted(engine: Engine, tmp_path: Path) -> int:
    """The draft edited once through the workflow (so it has a workflow record): its version."""
    seed_store(engine, tmp_path)
    version, _ = _where(engine)
    _edit(engine, ANN, version, "A first draft of the new fees.")
    version, state = _where(engine)
    assert state == S.DRAFT
    return version


def test_a_submission_raced_by_an_edit_is_refused_not_applied_to_the_new_text(
    engine: Engine, drafted: int
) -> None:
    flow = Interleaved(lambda: _edit(engine, BOB, drafted, "Bob's unsubmitted wording."))
    with session_scope(engine) as session, pytest.raises(PreconditionFailedError) as raised:
        flow.submit(session, ANN, DOC, _at(drafted))
    assert (raised.value.expected, raised.value.current) == (drafted, drafted + 1)
    # Bob's text is a draft nobody submitted: it is not waiting for approval
    assert _where(engine) == (drafted + 1, S.DRAFT)


def test_a_rejection_raced_by_an_edit_is_refused(engine: Engine, drafted: int) -> None:
    with session_scope(engine) as session:
        Workflow(content.articles, WorkflowSettings()).submit(session, ANN, DOC, _at(drafted))
    flow = Interleaved(lambda: _edit(engine, BOB, drafted, "Bob's wording, edited in review."))
    with session_scope(engine) as session, pytest.raises(PreconditionFailedError):
        flow.reject(session, ANN, DOC, _at(drafted), reason="say more")
    assert _where(engine) == (drafted + 1, S.DRAFT)


def test_an_edit_raced_by_a_submission_leaves_a_draft_not_half_of_each(
    engine: Engine, drafted: int
) -> None:
    def submit() -> None:
        with session_scope(engine) as session:
            Workflow(content.articles, WorkflowSettings()).submit(session, BOB, DOC, _at(drafted))

    flow = Interleaved(submit)
    with session_scope(engine) as session:
        flow.edit(session, ANN, DOC, _text("Ann's new wording."), _at(drafted))
    # in turn: Bob submitted version N, then Ann's edit made N+1, a draft again
    assert _where(engine) == (drafted + 1, S.DRAFT)
