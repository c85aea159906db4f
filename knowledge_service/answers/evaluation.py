"""Answer accuracy on labelled questions: each question names the article that should answer it,
or none (out of scope: it must not be answered).

The resolution is read on the agent channel, where a blocking finding does not hide the article
(the article a question resolves to is the same on every channel that may see it), and on chat,
where the customer's outcome is counted as answered right, handed to a human, or wrong.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from knowledge_service.answers.schemas import AnswerResult, AnswerStatus
from knowledge_service.answers.service import AnswerQuery, AnswerService
from knowledge_service.clock import today
from knowledge_service.content.importer import import_content
from knowledge_service.content.schemas import Channel
from knowledge_service.db import create_tables, make_engine
from knowledge_service.errors import InvalidContentError
from knowledge_service.freshness.store import check_store
from knowledge_service.index.protocols import Embedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings


def open_answer_service(
    root: Path, sources: Sequence[Path], embedder: Embedder, settings: Settings | None = None
) -> AnswerService:
    """A fresh store under ``root`` holding ``sources`` (articles and policies), checked by the
    governance check and indexed with ``embedder``, and the answer engine over it."""
    settings = (settings or Settings()).model_copy(
        update={"database_url": f"sqlite:///{root / 'store.db'}", "data_dir": root / "data"}
    )
    engine = make_engine(settings.database_url)
    create_tables(engine)
    report = import_content(engine, list(sources), max_file_bytes=settings.max_file_bytes)
    if report.invalid:
        raise InvalidContentError(report.invalid[0].path, report.invalid[0].message)
    # as `import` checks: with the encoder, so duplicates and the like are found too
    check_store(engine, today=today(settings), embedder=embedder, settings=settings)
    search = SearchService(settings, engine, embedder)
    search.rebuild()
    return AnswerService(settings, engine, search)


class LabelledQuestion(BaseModel):
    """A question and the article that should answer it (None: out of scope)."""

    q: str = Field(min_length=1)
    article: str | None


class LabelledSet(BaseModel):
    questions: list[LabelledQuestion] = Field(min_length=1)


def load_labelled(path: Path) -> list[LabelledQuestion]:
    """Read a YAML file of ``questions: [{q, article}]``."""
    try:
        return LabelledSet.model_validate(yaml.safe_load(path.read_text("utf-8"))).questions
    except (yaml.YAMLError, ValueError) as exc:
        raise InvalidContentError(str(path), f"not a labelled question set: {exc}") from exc


@dataclass
class AnswerScore:
    """How the engine did on a labelled set.

    Attributes:
        misses: ``(question, expected article, what the agent channel got)`` of every miss.
        chat: Chat outcomes: ``right``, ``handed_off`` (escalate or no_answer), ``wrong``.
        total: Questions scored; ``in_scope`` of them name an article.
        right: In scope and answered (agent channel) with the expected article.
        refused: Out of scope and not answered.
    """

    misses: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    chat: Counter[str] = field(default_factory=Counter)
    total: int = 0
    in_scope: int = 0
    right: int = 0
    refused: int = 0

    @property
    def accuracy(self) -> float:
        """Right answers plus refused out-of-scope questions, over all questions."""
        return (self.right + self.refused) / self.total if self.total else 0.0

    @property
    def in_scope_accuracy(self) -> float:
        return self.right / self.in_scope if self.in_scope else 0.0

    @property
    def oos_rejection(self) -> float:
        out = self.total - self.in_scope
        return self.refused / out if out else 0.0


def _chat_outcome(result: AnswerResult, expected: str | None) -> str:
    if result.status != AnswerStatus.ANSWERED:
        return "right" if expected is None else "handed_off"
    return "right" if result.article_id == expected else "wrong"


def score_answers(service: AnswerService, questions: Sequence[LabelledQuestion]) -> AnswerScore:
    """Answer every question on the agent and chat channels and count the outcomes."""
    agent = service.answer_many([AnswerQuery(q.q, Channel.AGENT) for q in questions])
    chat = service.answer_many([AnswerQuery(q.q, Channel.CHAT) for q in questions])
    score = AnswerScore()
    for question, by_agent, by_chat in zip(questions, agent, chat, strict=True):
        score.total += 1
        got = by_agent.article_id if by_agent.status == AnswerStatus.ANSWERED else None
        if question.article is not None:
            score.in_scope += 1
            score.right += got == question.article
        else:
            score.refused += got is None
        if got != question.article:
            score.misses.append((question.q, question.article, got))
        score.chat[_chat_outcome(by_chat, question.article)] += 1
    return score


_QUESTIONS_FIELD = re.compile(r"^questions:[^\n]*\n((?:[ \t]+-[^\n]*\n)*)", re.MULTILINE)


def strip_questions(source: Path, target: Path, keep: int = 0) -> int:
    """Copy the folder ``source`` to ``target`` with every article's ``questions`` cut to its
    first ``keep`` (none by default: a knowledge base as many are written, for evaluating
    answers without questions); returns how many articles lost some."""
    shutil.copytree(source, target)
    changed = 0

    def cut(match: re.Match[str]) -> str:
        items = match.group(1).splitlines(keepends=True)[:keep]
        return "questions:\n" + "".join(items) if items else ""

    for path in target.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        end = text.index("\n---", 3)
        head = _QUESTIONS_FIELD.sub(cut, text[: end + 1])
        changed += head != text[: end + 1]
        path.write_text(head + text[end + 1 :], encoding="utf-8")
    return changed
