"""Finding the raw HTML a document holds, which every rendering leaves out."""

from __future__ import annotations

import pytest

from knowledge_service.content.raw_html import describe_raw_html, find_raw_html

HEAD = "---\nid: x\ntitle: X\n---\n"  # the body starts on line 5


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Pay <b>now</b>.\n", [(5, ["<b>", "</b>"], False)]),
        ("One line.\nPay <i>now</i>.\n", [(6, ["<i>", "</i>"], False)]),
        ("<div>\nFees apply.\n</div>\n", [(5, ["<div>", "</div>"], True)]),
        ("Text.\n\n<script>alert(1)</script>\n", [(7, ["<script>", "</script>"], True)]),
        ("Pay `<b>` in code.\n\n```\n<div>\n```\n", []),
        ("Text.\n\n<!-- a note for authors -->\n", []),
        ("Text <!-- a note --> more.\n", []),
    ],
    ids=["inline", "second line", "block", "script", "code", "comment block", "comment inline"],
)
def test_raw_html_is_found_with_its_line(
    body: str, expected: list[tuple[int, list[str], bool]]
) -> None:
    found = find_raw_html(HEAD + body)
    assert [(h.line, h.tags, h.hides_text) for h in found] == expected


def test_a_long_tag_is_cut_and_the_description_names_each_place() -> None:
    found = find_raw_html(HEAD + f'Pay <a title="{"x" * 200}">now</a>.\n\n<div>\nHidden.\n</div>\n')
    assert len(found[0].tags[0]) == 80 and found[0].tags[0].endswith("…")
    said = describe_raw_html(found)
    assert "line 5: <a title=" in said and "line 7: <div>, </div> (with the text inside it)" in said
