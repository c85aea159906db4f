"""The parser: answer lead, sections, clauses and the line numbers they report."""

from __future__ import annotations

import re
from datetime import date

import pytest

from knowledge_service.content.parser import (
    parse_article,
    parse_clauses,
    parse_policy,
    parse_sections,
)
from knowledge_service.content.schemas import (
    ArticleDocument,
    ArticleStatus,
    Audience,
    Channel,
    PolicyRef,
    PolicyStatus,
)
from knowledge_service.errors import InvalidContentError
from tests.factories import article_text, policy_text

ARTICLE = """---
id: refund-timeframe
title: How long does a refund take?
intents: [billing.refund.timeframe]
owner: payments@example.com
policy_sources: [REFUNDS#2.1, FEES]
last_reviewed: 2026-06-01
next_review: 2026-12-01
---
Refunds reach the original payment method
within 10 business days of approval.

## Details for agents
Check the refund case.

### Escalation
Escalate after 10 days.

## Exceptions
None.
"""


def test_article_front_matter_and_defaults() -> None:
    doc = parse_article(ARTICLE, "content/refund.md")
    assert doc.id == "refund-timeframe"
    assert doc.policy_sources == [
        PolicyRef(policy_id="REFUNDS", clause="2.1"),
        PolicyRef(policy_id="FEES"),
    ]
    assert doc.last_reviewed == date(2026, 6, 1)
    assert doc.status is ArticleStatus.PUBLISHED
    assert doc.audience is Audience.PUBLIC
    assert doc.channels == list(Channel)
    assert doc.locale == "en"
    assert doc.source_path == "content/refund.md"


def test_answer_is_the_text_before_the_first_heading() -> None:
    doc = parse_article(ARTICLE, "a.md")
    assert doc.answer == (
        "Refunds reach the original payment method\nwithin 10 business days of approval."
    )


def test_sections_have_paths_text_offsets_and_file_lines() -> None:
    doc = parse_article(ARTICLE, "a.md")
    assert [s.path for s in doc.sections] == [
        ["Details for agents"],
        ["Details for agents", "Escalation"],
        ["Exceptions"],
    ]
    assert [s.level for s in doc.sections] == [2, 3, 2]
    assert [s.text for s in doc.sections] == [
        "Check the refund case.",
        "Escalate after 10 days.",
        "None.",
    ]
    # Lines are 1-based lines of the file, counting the front matter.
    lines = ARTICLE.splitlines()
    for section in doc.sections:
        assert section.line is not None
        assert lines[section.line - 1].lstrip("#").strip() == section.heading
        assert doc.body[section.start : section.end].lstrip("#").strip().startswith(section.heading)


def test_body_without_headings_is_all_answer() -> None:
    answer, sections = parse_sections("Just one paragraph.\n\nAnd a second.\n")
    assert answer == "Just one paragraph.\n\nAnd a second."
    assert sections == []


def test_heading_inside_code_block_is_not_a_section() -> None:
    answer, sections = parse_sections("Lead.\n\n```\n## not a heading\n```\n\n## Real\nText\n")
    assert [s.heading for s in sections] == ["Real"]
    assert "not a heading" in answer


POLICY = """---
id: REFUNDS
title: Refunds policy
version: 3
effective_date: 2026-10-01
owner: legal@example.com
---
Preamble text.

## 1 Scope
Applies to everyone.

## 2 Refunds
General refund rules.

### 2.1 Refund timeframe
Approved refunds are paid within 10 business days.

### 2.2. Refund method
To the original payment method.

## Notes
Not a clause.
"""


def test_policy_clauses_numbers_text_and_lines() -> None:
    doc = parse_policy(POLICY, "policies/refunds.md")
    assert doc.version == "3"
    assert doc.status is PolicyStatus.ACTIVE
    assert [c.number for c in doc.clauses] == ["1", "2", "2.1", "2.2"]
    assert doc.clause("2.1") is not None
    assert doc.clause("2.1").heading == "Refund timeframe"  # type: ignore[union-attr]
    assert doc.clause("2.1").text == "Approved refunds are paid within 10 business days."  # type: ignore[union-attr]
    lines = POLICY.splitlines()
    for clause in doc.clauses:
        assert clause.line is not None
        assert clause.number in lines[clause.line - 1]


def test_clause_runs_to_next_heading_of_same_or_higher_level() -> None:
    doc = parse_policy(POLICY, "p.md")
    clause_2 = doc.clause("2")
    assert clause_2 is not None
    assert "General refund rules." in clause_2.text
    assert "10 business days" in clause_2.text  # includes its sub-clause 2.1
    assert "Not a clause." not in clause_2.text
    assert doc.clause("2.2").text == "To the original payment method."  # type: ignore[union-attr]


def test_parse_clauses_ignores_unnumbered_headings() -> None:
    clauses = parse_clauses("## Intro\nx\n## 4 Fees\ny\n")
    assert [(c.number, c.heading, c.text) for c in clauses] == [("4", "Fees", "y")]


@pytest.mark.parametrize(
    ("heading", "title"),
    [("3.1", ""), ("3.1) Late fees", "Late fees"), ("**3.1** Late fees", "Late fees"),
     ("3.1. Late fees", "Late fees"), ("_3.1_ Late fees", "Late fees")],
)  # fmt: skip
def test_a_heading_that_starts_with_a_clause_number_opens_the_clause(
    heading: str, title: str
) -> None:
    """The number alone, closed by a bracket, or in bold is still the clause's number."""
    (clause,) = parse_clauses(f"## {heading}\nA late fee of $15 applies.\n")
    assert (clause.number, clause.heading, clause.text) == (
        "3.1",
        title,
        "A late fee of $15 applies.",
    )


@pytest.mark.parametrize("heading", ["3.5% interest", "24/7 support", "Fees 3.1"])
def test_a_heading_with_a_number_that_is_no_clause_number_opens_none(heading: str) -> None:
    assert parse_clauses(f"## {heading}\ntext\n") == []


@pytest.mark.parametrize("status", list(PolicyStatus))
def test_policy_status_is_one_of_the_documented_three(status: PolicyStatus) -> None:
    assert parse_policy(policy_text(status=status.value), "p.md").status is status
    with pytest.raises(InvalidContentError) as info:
        parse_policy(policy_text(status="archived"), "p.md")
    assert info.value.field == "status"
    assert "'active', 'retired' or 'draft'" in info.value.message


def test_policy_clause_numbered_twice_is_invalid() -> None:
    text = policy_text(clauses={"2.1 A": "a", "2.1 B": "b"})
    with pytest.raises(InvalidContentError) as info:
        parse_policy(text, "policies/refunds.md")
    assert info.value.field == "clause"
    assert info.value.line is not None


def _key_line(text: str, key: str) -> int:
    """1-based line of ``key:`` in the front matter."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(f"{key}:"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"last_reviewed": "2026-02-30"}, "last_reviewed"),
        ({"intents": []}, "intents"),
        ({"audience": "everyone"}, "audience"),
        ({"channels": ["fax"]}, "channels.0"),
        ({"policy_sources": ["refunds 2.1"]}, "policy_sources"),
        ({"locale": "not a locale"}, "locale"),
        ({"id": "Has Spaces"}, "id"),
        ({"intents": ["Billing.Refund"]}, "intents.0"),
        ({"intents": ["billing..refund"]}, "intents.0"),
        ({"intents": ["billing.-refund"]}, "intents.0"),
        ({"next_review": "2026-13-01"}, "next_review"),
    ],
)
def test_front_matter_error_names_field_and_line(fields: dict[str, object], field: str) -> None:
    text = article_text(**fields)
    line = _key_line(text, field.split(".")[0])
    with pytest.raises(InvalidContentError) as info:
        parse_article(text, "content/x.md")
    error = info.value
    assert (error.field, error.line) == (field, line)
    assert error.message.startswith(f"content/x.md:{line}: field '{field}': ")


def test_next_review_before_last_reviewed_is_accepted_as_written() -> None:
    """The contract says only that ``next_review`` is the review date (after it the article is
    overdue): a review date before the last review is a valid file, due or overdue by date."""
    text = article_text(last_reviewed="2026-06-01", next_review="2026-05-01")
    doc = parse_article(text, "content/x.md")
    assert (doc.last_reviewed.isoformat(), doc.next_review.isoformat()) == (
        "2026-06-01",
        "2026-05-01",
    )


def test_an_empty_channel_list_is_a_valid_list_of_no_channel() -> None:
    """``channels: []`` is a list of where the article may be served: nowhere."""
    assert parse_article(article_text(channels=[]), "content/x.md").channels == []


def test_a_key_set_twice_is_named_with_both_lines() -> None:
    text = article_text("a").replace("\n---\n", "\nowner: someone@example.com\n---\n", 1)
    first = _key_line(text, "owner")
    second = len(text.split("\n---\n", 1)[0].splitlines())
    with pytest.raises(InvalidContentError) as info:
        parse_article(text, "content/x.md")
    assert (info.value.field, info.value.line) == ("owner", second)
    assert info.value.message == (
        f"content/x.md:{second}: field 'owner': is set twice (first on line {first})"
    )


@pytest.mark.parametrize("closing", ["--- ", "---\t", "...  "])
def test_a_closing_line_with_trailing_white_space_closes_the_front_matter(closing: str) -> None:
    """An editor's invisible trailing space after the closing `---` made the file invalid,
    told "the front matter has no closing '---' line" (the opening line allowed one)."""
    text = ARTICLE.replace(
        "next_review: 2026-12-01\n---\n", f"next_review: 2026-12-01\n{closing}\n"
    )
    doc = parse_article(text)
    assert doc.id == "refund-timeframe" and doc.answer.startswith("Refunds reach")
    assert parse_article(ARTICLE.replace("---\nid:", "---  \nid:", 1)).id == "refund-timeframe"


def test_missing_field_is_named_at_the_front_matter_start() -> None:
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(owner=None), "content/x.md")
    assert info.value.message == "content/x.md:2: field 'owner': is required but missing"


def test_section_spans_index_the_verbatim_body() -> None:
    from tests.factories import make_article

    doc = make_article(
        answer="  Refunds take 10 business days.  ",
        body=(
            "## Details\n\nAgents check the billing system.\n\n## Steps\n1. Open the account.\n\n\n"
        ),
    )
    for section in doc.sections:
        assert doc.body[section.start : section.end].lstrip().startswith(f"## {section.heading}")
        assert section.text in doc.body[section.start : section.end]


def test_an_intent_may_hold_a_hyphen_inside_a_word() -> None:
    """Content teams write "fares.tap-off.missing": dotted lower-case words, as the content
    format says, a hyphen inside a word included."""
    doc = parse_article(article_text(intents=["fares.tap-off.missing", "card_refund"]), "x.md")
    assert doc.intents == ["fares.tap-off.missing", "card_refund"]


@pytest.mark.parametrize(
    "locale",
    ["en", "en-AU", "zh-Hant-TW", "es-419", "de-DE-u-co-phonebk", "en-US-x-twain", "x-whatever",
     "i-klingon"],
)  # fmt: skip
def test_any_bcp_47_tag_is_a_locale(locale: str) -> None:
    """Extensions and private use have one-letter subtags ("-u-", "-x-"): still BCP 47."""
    assert parse_article(article_text(locale=locale), "a.md").locale == locale


@pytest.mark.parametrize(
    "locale", ["en_AU", "e", "en-", "english-australia-x", "en-AU!", "English", "french", "engl"]
)
def test_what_is_no_bcp_47_tag_is_refused_as_the_locale(locale: str) -> None:
    """A language's name is no language code: accepted, it would hide the article from every
    search naming a real tag."""
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(locale=locale), "a.md")
    assert info.value.field == "locale"
    assert "is not a BCP 47 language tag (such as en, en-AU or fr-CA)" in info.value.message


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"intents": ["Billing.Pay"]}, "intents.0", "is not an intent (dotted lower-case words"),
        ({"article_id": "Refund Time"}, "id", "is not an article id (lower-case letters"),
        ({"policy_sources": ["refunds#2.1"]}, "policy_sources", "is not a policy reference"),
    ],
)
def test_a_value_of_the_wrong_shape_is_named_in_words_not_as_a_pattern(
    fields: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(**fields), "a.md")
    assert info.value.field == field
    assert words in info.value.message and "^" not in info.value.message
    assert "Value error" not in info.value.message


@pytest.mark.parametrize("written", [0, 1780272000, "20260601", "2026_06_01", "2026-6-1", True])
def test_a_review_date_that_is_no_iso_date_is_refused(written: object) -> None:
    """A number is no date (pydantic would read 0 as 1970-01-01, 1780272000 as seconds since
    then), nor is text in another form: the contract writes 2026-06-01."""
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(last_reviewed=written), "a.md")
    assert info.value.field == "last_reviewed"
    assert "is not an ISO date (YYYY-MM-DD" in info.value.message


@pytest.mark.parametrize(
    ("line", "field", "kept"),
    [("version: 4.10", "version", "4.10"), ("version: 3", "version", "3"),
     ("id: 2024", "id", "2024"), ("title: yes", "title", "yes")],
)  # fmt: skip
def test_a_text_field_written_as_a_bare_number_is_kept_as_written(
    line: str, field: str, kept: str
) -> None:
    """YAML reads "4.10" as the number 4.1 (so 4.1 and 4.10 would be one version), "2024" as
    a number and "yes" as true; the contract's fields are text, as the file writes them."""
    text = policy_text().replace(f"{field}: ", f"{field}-was: ", 1)
    text = text.replace("---\n", f"---\n{line}\n", 1)
    assert getattr(parse_policy(text, "p.md"), field) == kept


@pytest.mark.parametrize(
    "answer",
    ["<!-- todo -->", "***", "[terms]: https://example.com/terms", "\u200b", "\u061c", "<br>"],
)
def test_an_answer_with_nothing_to_show_is_empty(answer: str) -> None:
    """A comment, a rule, a link definition or an invisible character renders as nothing on
    every channel: the article has no answer, as with an empty one."""
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(answer=answer), "a.md")
    assert info.value.field == "answer" and "no text to show" in info.value.message


@pytest.mark.parametrize("underline", ["---", "===", "   -----  "])
def test_an_answer_underlined_as_a_heading_is_told_why_it_is_empty(underline: str) -> None:
    """Markdown makes a line underlined with --- or === a heading (setext), so the text a team
    meant as the answer is a heading and the answer is empty: the error says so."""
    answer = f"We refund within 10 business days.\n{underline}\nMore detail."
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(answer=answer), "a.md")
    assert info.value.field == "answer" and "is empty" in info.value.message
    assert "'We refund within 10 business days.', is underlined" in info.value.message
    assert "heading in Markdown" in info.value.message


@pytest.mark.parametrize("body", ["## Details\n---\nx", "# Title\n===\nx", "\n## Details\nx"])
def test_an_empty_answer_without_an_underlined_line_gets_no_such_hint(body: str) -> None:
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(answer=body), "a.md")
    assert "underlined" not in info.value.message


@pytest.mark.parametrize("answer", ["Call `13 12 34`.", "![Opening hours: 9 to 5](hours.png)"])
def test_an_answer_of_code_or_an_image_with_alt_text_shows_something(answer: str) -> None:
    assert parse_article(article_text(answer=answer), "a.md").answer == answer


@pytest.mark.parametrize(("field", "optional"), [("status", True), ("channels", True),
                                                  ("owner", False)])  # fmt: skip
def test_a_field_left_empty_is_told_so(field: str, optional: bool) -> None:
    """ "status:" with nothing after it is a field left empty, said in words: to be given a
    value, or (an optional one) left out for its default."""
    text = (
        article_text()
        .replace(f"\n{field}:", f"\n{field}-was:")
        .replace("---\n", f"---\n{field}:\n", 1)
    )
    with pytest.raises(InvalidContentError) as info:
        parse_article(text, "a.md")
    assert info.value.field == field and "is empty: give a value" in info.value.message
    assert ("leave the line out for the default" in info.value.message) is optional


def test_every_mistake_of_a_file_is_named_at_once() -> None:
    """Four mistakes took a new water utility four rounds of check and fix, one per round."""
    text = article_text(article_id="Bad Id", channels=["sms"], locale="English")
    text = re.sub(r"(?m)^last_reviewed: .*$", "last_reviewed: 01/03/2026", text, count=1)
    with pytest.raises(InvalidContentError) as info:
        parse_article(text, "a.md")
    message = info.value.message
    assert info.value.field == "id"  # the first one locates the finding
    assert "is not an article id" in message
    for named in ("field 'last_reviewed': is not an ISO date", "field 'channels.0'",
                  "field 'locale': is not a BCP 47 language tag"):  # fmt: skip
        assert named in message, message
    assert message.count("; also ") == 1


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("title: How long does a refund take?", 'title: "How long\\0 does a refund take?"'),
        ("owner: payments@example.com", 'owner: "pay\\0ments@example.com"'),
        ("policy_sources: [REFUNDS#2.1, FEES]", 'policy_sources: ["REFUNDS#2.1\\0", FEES]'),
    ],
)
def test_a_nul_spelt_as_a_yaml_escape_is_invalid_naming_its_field(line: str, field: str) -> None:
    """The raw byte makes a file invalid; so does a NUL its YAML spells ("\\0"), which no
    store's text holds (PostgreSQL refuses it: the write was a 500)."""
    with pytest.raises(InvalidContentError) as caught:
        parse_article(ARTICLE.replace(line, field), "content/refund.md")
    name = field.split(":", 1)[0]
    assert (caught.value.field, caught.value.line) == (name, ARTICLE.split(line)[0].count("\n") + 1)
    assert "holds a NUL character (U+0000)" in caught.value.problem


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ("title: How long does a refund take?", 'title: "Refund\\nstatus"', "(U+000A)"),
        ("title: How long does a refund take?", 'title: "Refund \\e[31mnow"', "(U+001B)"),
        ("title: How long does a refund take?", 'title: "Refund\\tstatus"', "(U+0009)"),
        ("owner: payments@example.com", "owner: |\n  payments\n  team", "(U+000A)"),
        ("title: How long does a refund take?", 'title: "\\u200b\\u200b"', "no text to show"),
    ],
)
def test_a_title_or_owner_that_is_no_line_of_visible_text_is_invalid(
    line: str, field: str, problem: str
) -> None:
    """A line break in a title split the CLI's one-line rows (``articles list | grep`` broke),
    an escape reached the reviewer's terminal as a command, and an owner on two lines matched
    no owner key: each is now an error naming the field and its line."""
    with pytest.raises(InvalidContentError) as caught:
        parse_article(ARTICLE.replace(line, field), "content/refund.md")
    name = field.split(":", 1)[0]
    assert (caught.value.field, caught.value.line) == (name, ARTICLE.split(line)[0].count("\n") + 1)
    assert problem in caught.value.problem
    policy = policy_text().replace("title: ", 'title: "\\e[2J" # ', 1)
    with pytest.raises(InvalidContentError, match="U\\+001B") as caught:
        parse_policy(policy, "policies/refunds.md")
    assert caught.value.field == "title"


def test_a_stored_document_holding_a_nul_still_loads() -> None:
    """A version an earlier release stored with one (SQLite took it) is still read, as a store
    reads every version: the NUL is refused where a file is parsed, not where a version loads."""
    stored = parse_article(ARTICLE, "content/refund.md").model_dump(mode="json")
    stored["title"] = "How long\x00 does a refund take?"
    stored["owner"] = "pay\x00ments@example.com"
    assert type(parse_article(ARTICLE, "x.md")).model_validate(stored).title == stored["title"]


def test_a_version_stored_with_no_channel_still_loads() -> None:
    """A stored version with ``channels: []`` loads as it was written."""
    stored = parse_article(article_text(), "content/x.md").model_dump()
    stored["channels"] = []
    assert ArticleDocument.model_validate(stored).channels == []


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("FEES#2.1, BILLING#1",
         "is not a policy reference (expected POLICY-ID or POLICY-ID#CLAUSE, e.g. REFUNDS#2.1, "
         "one per item of a YAML list) (got 'FEES#2.1, BILLING#1')"),
        (["REFUNDS#2.1", "refunds 2.1"],
         "item 2, 'refunds 2.1', is not a policy reference (expected POLICY-ID or "
         "POLICY-ID#CLAUSE, e.g. REFUNDS#2.1)"),
    ],
)  # fmt: skip
def test_a_bad_policy_reference_is_quoted_once_and_a_list_item_by_its_place(
    given: object, said: str
) -> None:
    with pytest.raises(InvalidContentError) as info:
        parse_article(article_text(policy_sources=given), "content/x.md")
    assert info.value.message.endswith(f"field 'policy_sources': {said}")


@pytest.mark.parametrize(
    ("broken", "begun"),
    [
        ("intents: [billing.refund.timeframe\n", "while parsing a flow sequence begun on line 4"),
        ('title: "How long does it take?\n', "while scanning a quoted scalar begun on line 3"),
    ],
)
def test_malformed_yaml_names_the_line_where_the_unclosed_part_began(
    broken: str, begun: str
) -> None:
    """An unclosed list or quote was reported only at the line where YAML gave up (the next
    field's), so the error pointed below the line to correct."""
    field = broken.split(":", 1)[0]
    text = re.sub(rf"^{field}: .*\n", broken, ARTICLE, count=1, flags=re.M)
    with pytest.raises(InvalidContentError) as info:
        parse_article(text, "content/refund.md")
    assert "malformed YAML front matter" in info.value.message
    assert begun in info.value.message, info.value.message
