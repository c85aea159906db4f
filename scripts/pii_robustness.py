"""Personal data inside questions: is it redacted, and does the question keep its answer?

Customers write their name, address, e-mail, phone, account number, card or date of birth
into a question. Each labelled in-scope question of a knowledge base is asked once clean and
once per template below, with values made up by Faker (Australian, US and British locales,
seeded), so neither the values nor the wording around them were chosen to suit the rules
(two templates, "for address" and "sign-off", carry no lead-in such as "I live at" or "my
name is").
For every variant the script reports:

- **kept**: none of the made-up value's parts (each word of a name or an address, the digits
  of a number) is left in what the service stores (``privacy.redact``);
- **same answer**: on chat, the variant gets the clean question's status and article;
- **right**: the variant is answered with the labelled article (against the clean question's
  rate in the same run).

Two knowledge bases: the sample (``content/``, ``policies/``; the in-scope questions of
``tests/data/sample_questions.yaml``) and HWU64-OOS (``../shared/eval-data/hwu64_oos``: its
articles and a seeded sample of its in-scope test queries; Xingkun Liu et al., "Benchmarking
Natural Language Understanding Services for Building Conversational Agents", 2019).

    .venv/bin/python scripts/pii_robustness.py [--hwu64 DIR] [--queries N] [--phrasings P] [-v]

Without HWU64-OOS's folder (a checkout with no ``../shared`` beside it) the script stops at once
and names the folder it looked for: give another with ``--hwu64 DIR``.

``-v`` lists every variant whose value survived redaction. Faker is a development dependency
(``pip install -e '.[dev]'``); the service itself never uses it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when a test loads this file
from eval_data import DEFAULT, hwu64_folder

from knowledge_service.answers.evaluation import load_labelled, open_answer_service
from knowledge_service.answers.service import AnswerQuery, AnswerResult, AnswerService
from knowledge_service.content.schemas import Channel
from knowledge_service.index.embedder import create_embedder
from knowledge_service.privacy import redact
from knowledge_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("en_AU", "en_US", "en_GB")


@dataclass(frozen=True)
class Variant:
    """A question with made-up personal data written into it."""

    template: str
    text: str
    parts: tuple[str, ...]  # what must not survive redaction


def _digits(value: str) -> tuple[str, ...]:
    return (re.sub(r"\D", "", value),)


def _words(value: str) -> tuple[str, ...]:
    """The parts of a name or an address that identify: words of 3+ letters, and numbers."""
    return tuple(w for w in re.findall(r"[A-Za-z']{3,}|\d+", value) if w.lower() not in _COMMON)


# Address and title words that identify nobody on their own.
_COMMON = {"street", "road", "flat", "unit", "apt", "suite", "level", "studio", "mr", "mrs", "ms",
           "dr", "miss", "the", "and"}  # fmt: skip


def _value(f: Faker, kind: str, seed: int) -> tuple[str, tuple[str, ...]]:
    """A made-up value of ``kind`` and the parts of it that must not survive."""
    if kind == "name":
        name = f"{f.first_name()} {f.last_name()}"
        return name, _words(name)
    if kind == "address":
        address = f.street_address().replace("\n", " ")
        return address, _words(address)
    if kind == "phone":
        phone = f.phone_number()
        return phone, _digits(phone)
    if kind == "email":
        email = f.email()
        return email, (email,)
    if kind == "number":
        number = f.numerify("#" * (6 + seed % 4))
        return number, (number,)
    if kind == "card":
        card = f.credit_card_number()
        return card, (card,)
    born = f.date_of_birth(minimum_age=18, maximum_age=90)
    if kind == "date":
        return born.strftime("%d/%m/%Y"), _digits(born.strftime("%d%m%Y"))
    return f"{born.day} {born.strftime('%B %Y')}", (str(born.year),)


# Each phrasing: the question's form around the value, and the kind of value made up.
TEMPLATES: dict[str, tuple[str, str]] = {
    "name": ("hi my name is {value}, {q}", "name"),
    "greeting": ("Hi, this is {value} speaking. {q}", "name"),
    "email": ("my email is {value} and {q}", "email"),
    "phone": ("{q} - you can call me on {value}", "phone"),
    "account": ("{q}, my account number is {value}", "number"),
    "address": ("I live at {value}. {q}", "address"),
    "for address": ("{q} for {value}", "address"),
    "sign-off": ("{q} thanks, {value}", "name"),
    "card": ("{q} my card number is {value}", "card"),
    "dob": ("my date of birth is {value}. {q}", "date"),
}


# Phrasings written after the rules, and measured once as they are (``--phrasings held-out``):
# the templates above were in view while the rules were written.
HELD_OUT: dict[str, tuple[str, str]] = {
    "name: at the end": ("{q}. Name: {value}", "name"),
    "name here": ("{value} here, {q}", "name"),
    "I'm name": ("I'm {value}. {q}", "name"),
    "account holder": ("my husband {value} is the account holder, {q}", "name"),
    "regards": ("{q}. regards {value}", "name"),
    "mobile is": ("{q} my mobile is {value}", "phone"),
    "reach me at": ("{q}. You can reach me at {value}", "email"),
    "(acct N)": ("{q} (acct {value})", "number"),
    "customer number": ("{q} customer number {value}", "number"),
    "we're at": ("{q} - we're at {value}", "address"),
    "address:": ("{q}. My address: {value}", "address"),
    "born": ("{q}, born {value}", "dob"),
}


def variants(question: str, seed: int, phrasings: str = "templates") -> list[Variant]:
    """One variant of ``question`` per phrasing, values from a locale chosen by the seed."""
    out = []
    forms = HELD_OUT if phrasings == "held-out" else TEMPLATES
    for i, (name, (form, kind)) in enumerate(forms.items()):
        faker = Faker(LOCALES[(seed + i) % len(LOCALES)])
        faker.seed_instance(seed * 31 + i)
        value, parts = _value(faker, kind, seed)
        out.append(Variant(name, form.format(q=question, value=value), parts))
    return out


def survived(variant: Variant, question: str) -> list[str]:
    """The parts of the variant's value still in its redacted text (a word the question itself
    holds, "drive" in a street named Drive, is not counted)."""
    stored = redact(variant.text).replace(question, " ")
    flat = re.sub(r"\D", "", stored)
    left = []
    for part in variant.parts:
        if part.isdigit():
            if part in flat:
                left.append(part)
        elif re.search(rf"(?<![A-Za-z]){re.escape(part)}(?![A-Za-z])", stored, re.IGNORECASE):
            left.append(part)
    return left


def _outcome(result: AnswerResult) -> tuple[str, str | None]:
    return result.status.value, result.article_id


def measure(
    name: str,
    service: AnswerService,
    questions: Sequence[tuple[str, str]],
    verbose: bool,
    phrasings: str,
) -> None:
    texts = [q for q, _ in questions]
    clean = service.answer_many([AnswerQuery(q, Channel.CHAT) for q in texts])
    all_variants = [variants(q, seed, phrasings) for seed, q in enumerate(texts)]
    flat = [v for vs in all_variants for v in vs]
    asked = service.answer_many([AnswerQuery(v.text, Channel.CHAT) for v in flat])
    by_template: dict[str, Counter[str]] = defaultdict(Counter)
    leaks = []
    i = 0
    for (question, gold), base, vs in zip(questions, clean, all_variants, strict=True):
        for variant in vs:
            result = asked[i]
            i += 1
            row = by_template[variant.template]
            row["n"] += 1
            left = survived(variant, question)
            row["kept"] += not left
            row["same"] += _outcome(result) == _outcome(base)
            row["right"] += result.status.value == "answered" and result.article_id == gold
            if left:
                leaks.append((variant, left))
    right_clean = sum(
        r.status.value == "answered" and r.article_id == g
        for r, (_, g) in zip(clean, questions, strict=True)
    )
    print(f"\n{name}: {len(questions)} in-scope questions; clean, right on chat {right_clean}")
    print(f"{'template':18} {'redacted':>9} {'same answer':>12} {'right':>7}")
    total: Counter[str] = Counter()
    for template, row in by_template.items():
        total.update(row)
        n = row["n"]
        print(f"{template:18} {row['kept'] / n:9.3f} {row['same'] / n:12.3f} {row['right']:7d}")
    n = total["n"]
    print(f"{'all':18} {total['kept'] / n:9.3f} {total['same'] / n:12.3f} {total['right']:7d}")
    if verbose:
        for variant, left in leaks:
            print(f"  left {left}: {redact(variant.text)!r}")


def hwu64_questions(folder: Path, count: int) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (folder / "queries.jsonl").read_text().splitlines()]
    in_scope = [(r["text"], r["article_id"]) for r in rows if r["article_id"]]
    return random.Random(64).sample(in_scope, min(count, len(in_scope)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--hwu64",
        type=hwu64_folder,
        default=str(DEFAULT / "hwu64_oos"),
        help="HWU64-OOS's folder (default: ../shared/eval-data/hwu64_oos beside the checkout)",
    )
    parser.add_argument("--queries", type=int, default=300, help="HWU64-OOS test queries")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--phrasings",
        choices=["templates", "held-out"],
        default="templates",
        help="the ten templates, or twelve phrasings written after the rules (HELD_OUT)",
    )
    args = parser.parse_args()
    settings = Settings()
    embedder = create_embedder(settings)
    sample = [
        (q.q, q.article)
        for q in load_labelled(ROOT / "tests/data/sample_questions.yaml")
        if q.article
    ]
    sets: list[tuple[str, list[Path], list[tuple[str, str]]]] = [
        ("sample", [ROOT / "content", ROOT / "policies"], sample),
        ("HWU64-OOS", [args.hwu64 / "content"], hwu64_questions(args.hwu64, args.queries)),
    ]
    for name, sources, questions in sets:
        with tempfile.TemporaryDirectory() as tmp:
            service = open_answer_service(Path(tmp), sources, embedder, settings)
            measure(name, service, questions, args.verbose, args.phrasings)


if __name__ == "__main__":
    main()
