"""A keypad's code is read by a bounded shape: a run of keys longer than any network's code is
no code, so the rule reading one (before emphasis, on every channel, and voice's key by key)
never tries the whole of a long run of digits once per end it could have."""

from __future__ import annotations

import re

import pytest

from knowledge_service.content.plaintext import KEYPAD_CODE

_CODE = re.compile(KEYPAD_CODE)


@pytest.mark.parametrize(
    "code", ["*100#", "*#06#", "##002#", "*123*1#", "**21*0412345678#", "*" + "1" * 40 + "#"]
)
def test_a_keypad_code_up_to_the_bound_is_one(code: str) -> None:
    assert _CODE.fullmatch(code)


@pytest.mark.parametrize("keys", ["*" + "1" * 42 + "#", "*" * 9 + "1#"])
def test_a_run_of_keys_past_the_bound_is_no_code(keys: str) -> None:
    """The shape was unbounded ("[*#][\\d*#]*\\d[\\d*#]*#"): an article with a star before
    32,000 digits took minutes to render on the channels (131 s on 2026-12-07, 8 s for 8,000),
    each try of the rule quadratic in the run; bounded, the same renders in under a second."""
    assert _CODE.fullmatch(keys) is None
