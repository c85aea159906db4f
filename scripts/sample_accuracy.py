"""Answer accuracy on the sample knowledge base's customer-worded questions.

``tests/data/sample_questions.yaml`` holds questions written without looking at the articles'
own ``questions`` lists, each labelled with the article that should answer it or with none
(out of scope). The sample (``content/``, ``policies/``) is imported into a temporary store,
checked and indexed with the shipped model and settings; every question is then answered on the
agent channel (which article it resolves to) and on chat (what a customer gets).

    .venv/bin/python scripts/sample_accuracy.py [--questions FILE] [--content DIR ...] [-v]

``--content`` (repeatable) imports other folders instead, e.g. another labelled knowledge base.
The encoder is the one the settings choose: ``KS_DATA_DIR=DIR KS_INDEX__USE_TUNED_MODEL=true``
loads the newest tuned version in ``DIR/models`` (the store itself is always temporary).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_service.answers.evaluation import load_labelled, open_answer_service, score_answers
from knowledge_service.index.embedder import create_embedder
from knowledge_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/data/sample_questions.yaml")
    parser.add_argument(
        "--content",
        type=Path,
        action="append",
        help="a folder of articles or policies to import (repeatable; default content/, policies/)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args()
    questions = load_labelled(args.questions)
    sources = args.content or [ROOT / "content", ROOT / "policies"]
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        service = open_answer_service(Path(tmp), sources, create_embedder(settings), settings)
        score = score_answers(service, questions)
    print(
        f"{score.total} questions ({score.in_scope} in scope): accuracy {score.accuracy:.3f}, "
        f"in scope answered right {score.in_scope_accuracy:.3f} ({score.right}), "
        f"out of scope refused {score.oos_rejection:.3f}; "
        f"chat: {dict(sorted(score.chat.items()))}"
    )
    if args.verbose:
        for question, expected, got in score.misses:
            print(f"  {question!r}: expected {expected}, got {got}")


if __name__ == "__main__":
    main()
