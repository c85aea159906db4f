"""An article's table on the pages, in Debian's Chromium: each column aligned as written."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from knowledge_service.answers.render import markdown_to_safe_html
from knowledge_service.web.templating import STATIC_DIR

pytestmark = pytest.mark.slow

FEES = "| Fee | When | Amount | Note |\n|:--|:-:|--:|---|\n| Late | 14 days | $12.00 | per bill |\n"


def test_an_article_table_s_columns_are_aligned_as_written(chromium: Browser) -> None:
    """A right-aligned column of amounts (``--:``) was shown as every other column: the
    sanitiser dropped the ``style`` that said so. Its cells now carry ``align``, and the
    pages' stylesheet keeps it; a column with no alignment is to the left."""
    css = (STATIC_DIR / "app.css").read_text(encoding="utf-8")
    page = chromium.new_page()
    try:
        page.set_content(
            f"<style>{css}</style><div class='answer'>{markdown_to_safe_html(FEES)}</div>"
        )
        aligned = page.evaluate(
            "[...document.querySelectorAll('.answer th, .answer td')]"
            ".map(cell => getComputedStyle(cell).textAlign)"
        )
    finally:
        page.close()
    assert aligned == ["left", "center", "right", "left"] * 2
