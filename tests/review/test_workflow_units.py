"""Pure parts of the workflow: ETags and preconditions, the state machine, front matter rewrites,
the section-aware diff."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from knowledge_service.content.frontmatter import set_fields
from knowledge_service.content.parser import parse_article
from knowledge_service.errors import PreconditionFailedError, PreconditionRequiredError
from knowledge_service.review.diff import diff_versions
from knowledge_service.review.etags import LOCAL, Precondition, etag, etag_version
from knowledge_service.review.transitions import allowed_actions, state_of
from knowledge_service.review.workflow_schemas import WorkflowAction as A
from knowledge_service.review.workflow_schemas import WorkflowState as S
from tests.factories import article_text


@pytest.mark.parametrize(
    ("tag", "version"),
    [('"faq-v3"', 3), ('W/"faq-v3"', 3), ('"other-v3"', None), ("faq-v3", None), ('"faq"', None)],
)
def test_etag_names_a_version_of_one_document(tag: str, version: int | None) -> None:
    assert etag("faq", 3) == '"faq-v3"'
    assert etag_version(tag, "faq") == version


def test_precondition_missing_stale_and_current() -> None:
    with pytest.raises(PreconditionRequiredError):
        Precondition.from_header(None).check("article", "faq", 2)
    with pytest.raises(PreconditionFailedError) as stale:
        Precondition.from_header('"faq-v1"').check("article", "faq", 2)
    assert (stale.value.expected, stale.value.current) == (1, 2)
    Precondition.from_header('"faq-v1", "faq-v2"').check("article", "faq", 2)
    LOCAL.check("article", "faq", 9)


def test_an_etag_without_its_quotes_is_refused_saying_so() -> None:
    """``If-Match: faq-v2`` (the quotes lost in a shell) was refused as "at version 2: send
    If-Match with its current ETag", which is what the caller thought it had sent."""
    with pytest.raises(PreconditionFailedError) as unquoted:
        Precondition.from_header("faq-v2").check("article", "faq", 2)
    assert 'If-Match faq-v2 is no ETag: an ETag is in double quotes, "faq-v2"' in str(
        unquoted.value
    )
    assert (unquoted.value.expected, unquoted.value.current) == (0, 2)
    with pytest.raises(PreconditionFailedError) as other:
        Precondition.from_header('"other-v2"').check("article", "faq", 2)
    assert "double quotes" not in str(other.value)


def test_if_match_star_names_no_version_and_is_refused_as_missing() -> None:
    """``*`` would match any current version: a write with it could overwrite an unseen edit."""
    with pytest.raises(PreconditionRequiredError, match=r"If-Match: \* names no version"):
        Precondition.from_header("*").check("article", "faq", 2)
    with pytest.raises(PreconditionRequiredError, match=r'now "faq-v2"'):
        Precondition.from_header('"faq-v2", *').check("article", "faq", 2)
    Precondition.from_header('W/"faq-v2"').check("article", "faq", 2)  # a proxy's weak copy


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (S.DRAFT, A.APPROVE, False),  # never submitted
        (S.IN_REVIEW, A.APPROVE, True),
        (S.RETIRED, A.VERIFY, False),
        (S.RETIRED, A.EDIT, False),
        (S.RETIRED, A.RESTORE, True),
        (S.PUBLISHED, A.VERIFY, True),
        (S.PUBLISHED, A.SUBMIT, False),
    ],
)
def test_state_machine(state: S, action: A, allowed: bool) -> None:
    assert (action in allowed_actions("article", state)) is allowed


def test_policies_are_never_verified() -> None:
    assert A.VERIFY not in allowed_actions("policy", S.PUBLISHED)


def test_state_follows_the_record_only_while_it_describes_the_current_version() -> None:
    record = SimpleNamespace(version=3, state=S.IN_REVIEW)
    assert state_of("draft", 3, record) is S.IN_REVIEW  # type: ignore[arg-type]
    assert state_of("published", 4, record) is S.PUBLISHED  # type: ignore[arg-type]
    assert state_of("active", 1, None) is S.PUBLISHED


def test_set_fields_replaces_lines_in_place_and_keeps_the_rest() -> None:
    text = article_text(questions=["one", "two"])
    changed = set_fields(text, {"status": "draft", "next_review": date(2027, 1, 2)})
    doc = parse_article(changed)
    assert (doc.status, doc.next_review, doc.questions) == (
        "draft",
        date(2027, 1, 2),
        ["one", "two"],
    )
    assert changed.splitlines()[1:3] == text.splitlines()[1:3]


def test_diff_names_the_changed_fields_and_sections() -> None:
    def version(n: int, text: str) -> SimpleNamespace:
        doc = parse_article(text)
        return SimpleNamespace(version=n, raw=text, document=doc.model_dump(mode="json"))

    old = version(1, article_text(body="## Details\nOld detail.\n"))
    new = version(2, article_text(answer="Refunds take 5 days.", body="## Details\nNew detail.\n",
                                  owner="billing@example.com"))  # fmt: skip
    diff = diff_versions("refund-timeframe", old, new)
    assert [f.field for f in diff.fields] == ["owner"]
    assert {(s.section, s.change) for s in diff.sections} == {
        ("(answer)", "changed"),
        ("Details", "changed"),
    }
    assert "-Old detail." in diff.unified and "+New detail." in diff.unified
