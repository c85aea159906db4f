"""Chunking: units for the title, the answer lead, every question and every section."""

from __future__ import annotations

from knowledge_service.index.chunking import MAX_UNIT_CHARS, chunk_article
from tests.factories import make_article

BODY = (
    "## Details\nAgents check the billing system.\n\n"
    "### Fees\nNo fee applies.\n\n## Contact\nCall us.\n"
)


def test_title_answer_and_each_question_are_units_of_their_own() -> None:
    doc = make_article(questions=["when do I get my money back", "refund not arrived"], body=BODY)
    units = chunk_article(doc, version=3)
    kinds = [u.kind for u in units]
    assert kinds[:4] == ["title", "answer", "question", "question"]
    assert [u.text for u in units if u.kind == "question"] == [
        "when do I get my money back",
        "refund not arrived",
    ]
    assert units[0].text == doc.title
    assert all(u.article_id == doc.id and u.version == 3 for u in units)


def test_sections_carry_heading_paths_and_exact_body_spans() -> None:
    doc = make_article(body=BODY)
    sections = [u for u in chunk_article(doc, 1) if u.kind == "section"]
    assert [u.section_path for u in sections] == [["Details"], ["Details", "Fees"], ["Contact"]]
    assert [u.text for u in sections] == [
        "Agents check the billing system.",
        "No fee applies.",
        "Call us.",
    ]
    for unit in sections:
        assert doc.body[unit.start : unit.end] == unit.text


def test_answer_span_points_at_the_lead_in_the_body() -> None:
    doc = make_article(answer="Refunds take 10 business days.", body=BODY)
    answer = next(u for u in chunk_article(doc, 1) if u.kind == "answer")
    assert doc.body[answer.start : answer.end] == "Refunds take 10 business days."


def test_section_units_are_matched_with_title_and_heading_context() -> None:
    doc = make_article(body=BODY)
    fees = next(u for u in chunk_article(doc, 1) if u.section_path == ["Details", "Fees"])
    assert fees.index_text.startswith(f"{doc.title} > Details > Fees\n")
    assert fees.section == "Details > Fees"


def test_long_section_is_split_at_paragraphs_within_the_limit() -> None:
    paragraph = "word " * 150
    doc = make_article(body="## Long\n" + "\n\n".join([paragraph] * 5) + "\n")
    parts = [u for u in chunk_article(doc, 1) if u.kind == "section"]
    assert len(parts) >= 3
    assert all(len(u.text) <= MAX_UNIT_CHARS for u in parts)
    assert all(doc.body[u.start : u.end] == u.text for u in parts)


def test_unit_ids_are_stable_and_differ_between_versions() -> None:
    doc = make_article(questions=["a question"], body=BODY)
    first, again, next_version = chunk_article(doc, 1), chunk_article(doc, 1), chunk_article(doc, 2)
    assert [u.unit_id for u in first] == [u.unit_id for u in again]
    assert not {u.unit_id for u in first} & {u.unit_id for u in next_version}
    assert len({u.unit_id for u in first}) == len(first)
    assert all(0 < u.unit_id < 2**63 for u in first)
