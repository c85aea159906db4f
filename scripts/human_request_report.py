"""Which messages of the public sets the answer engine takes for a request for a person.

Every query of BANKING77, StackFAQ and HWU64-OOS (test and dev) and every BANKING77 training
utterance is a question about a bank, a website or a home assistant, none a request for a
person: each one `asks_for_a_person` matches would be escalated on a customer channel instead of
answered. Prints the count per file and each match.

    .venv/bin/python scripts/human_request_report.py [--data ../shared/eval-data]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from knowledge_service.answers.human_request import asks_for_a_person

ROOT = Path(__file__).resolve().parents[1]
FILES = (
    "banking77/queries.jsonl",
    "banking77/corpus.jsonl",
    "stackfaq/queries.jsonl",
    "hwu64_oos/queries.jsonl",
    "hwu64_oos/dev_queries.jsonl",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval-data")
    args = parser.parse_args()
    for name in FILES:
        path = args.data / name
        if not path.exists():
            print(f"{name}: not found under {args.data}")
            continue
        texts = [json.loads(line)["text"] for line in path.open() if line.strip()]
        matched = [text for text in texts if asks_for_a_person(text)]
        print(f"{name}: {len(matched)} of {len(texts)} taken for a request for a person")
        for text in matched:
            print(f"  {text!r}")


if __name__ == "__main__":
    main()
