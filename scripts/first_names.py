"""Write ``knowledge_service/first_names.py``: given names redaction finds in lower case.

Redaction takes a lower-case word after "I'm", "I am", "this is" or "it's" as the start of a
name only when it is a given name and no ordinary English word ("i'm john smith calling about
my bill", but "i'm frank with you", "this is june's bill", "i'm moving"). The names are the
given-name lists of Faker's English locales (en_US, en_GB, en_NZ, en_IE; the US lists come from
the Social Security Administration's and the Census Bureau's counts), less:

- names that are common English words: more than :data:`MAX_WORD_COUNT` occurrences in
  pyspellchecker's English word counts ("will", "hope", "grace", "mark", "bill", "guy"; but
  :data:`NAMES_OVER_THE_COUNT`, "emily" and "billy", which are no word);
- :data:`ORDINARY_WORDS`, less frequent names that are words too, chosen by hand: months and
  seasons, flowers, colours and gems, adjectives, birds, occupations, places, brands, Maori
  words used in New Zealand English;
- names of more than one word (the rule reads one word at a time).

Faker is a development dependency: the service imports the written module, never Faker.
``scripts/pii_robustness.py`` makes up its names with Faker too, but capitalised (as its
templates write them), which the other rules find: this list adds nothing to its figures.

    .venv/bin/python scripts/first_names.py [--check]

``--check`` exits 1 if the file differs from what would be written.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "knowledge_service" / "first_names.py"
LOCALES = ("en_US", "en_GB", "en_NZ", "en_IE")
MAX_WORD_COUNT = 10_000
"""A given name's count in pyspellchecker's word counts (subtitles) is under this ("john"
6,920, "sarah" 3,890); an ordinary word's that is a name too is far over ("will" 5.9 million,
"grace" 24,102), but for a few words below it, listed by hand."""
_ORDINARY_WORDS = """
    april june jan autumn eve noel carol
    amber ebony ruby jade jasmine violet daisy poppy willow heather holly hazel ivy rosemary
    olive carmel
    frank earnest randy sandy misty bonnie beau brandy sherry melody harmony aria luna
    robin raven jay kay cal che una tai tory indie indi roman christian
    dean earl rex max lance pierce cole dale glen gene jean ray chad angus shea zion
    archer carter cooper fletcher harper mason piper tanner
    paris sydney victoria georgia virginia brooklyn austin dakota devon kent kingston warwick
    lincoln clinton jackson madison chelsea savannah cheyenne sierra phoenix aurora trinity
    hudson regina arran iona tyrone kerry cruz eden india skye
    mercedes harley kirby
    aroha mahi kauri awhina manaaki ataahua huia tui tama tane kahu manaia kiri
"""
ORDINARY_WORDS = frozenset(_ORDINARY_WORDS.split())
NAMES_OVER_THE_COUNT = frozenset({"emily", "billy"})
"""Given names counted over :data:`MAX_WORD_COUNT` times that are no English word: kept."""


def english_counts() -> dict[str, int]:
    data = resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return counts


def given_names() -> list[str]:
    names: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in ("first_names_female", "first_names_male", "first_names"):
            names.update(n.lower() for n in getattr(provider, attr, None) or ())
    counts = english_counts()
    return sorted(
        n
        for n in names
        if " " not in n
        and (counts.get(n, 0) <= MAX_WORD_COUNT or n in NAMES_OVER_THE_COUNT)
        and n not in ORDINARY_WORDS
    )


def module(names: list[str]) -> str:
    """The module's text: the names, lines of at most 96 characters."""
    lines, line = [], ""
    for name in names:
        if line and len(line) + 1 + len(name) > 96:
            lines.append(line)
            line = ""
        line = f"{line} {name}" if line else name
    lines.append(line)
    body = "\n".join(f"    {line}" for line in lines)
    return (
        '"""Given names found in lower case (see :func:`privacy.names._lower_case_names`).\n\n'
        "Written by ``scripts/first_names.py`` from Faker's English given names, less ordinary\n"
        'English words; do not edit by hand."""\n\n'
        f'_NAMES = """\n{body}\n"""\nFIRST_NAMES = frozenset(_NAMES.split())\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    text = module(given_names())
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.relative_to(ROOT)}: {'up to date' if same else 'differs'}")
        sys.exit(0 if same else 1)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(given_names())} names")


if __name__ == "__main__":
    main()
