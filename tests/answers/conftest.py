"""Answer-engine fixtures: the standard knowledge base, built once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.answers.kb import AnswerKB, build_kb


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerKB]:
    """The standard KB (see :data:`tests.answers.kb.STANDARD_ARTICLES`); tests must not edit it."""
    built = build_kb(tmp_path_factory.mktemp("answers-kb"))
    yield built
    built.close()
