"""Per-kind precision and recall of the governance check on the labelled knowledge base.

    .venv/bin/python scripts/eval_freshness.py                 # real MiniLM embeddings
    .venv/bin/python scripts/eval_freshness.py --embedder hash # the deterministic fake
    .venv/bin/python scripts/eval_freshness.py --no-embeddings # shared intents only

The knowledge base and its labels live in tests/data/freshness_kb (expected.yaml).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_service.content.loader import load_content
from knowledge_service.freshness.evaluation import load_labels, score
from knowledge_service.freshness.service import run_check
from knowledge_service.index.embedder import Embedder, HashEmbedder, create_embedder
from knowledge_service.settings import Settings

KB = Path(__file__).resolve().parent.parent / "tests" / "data" / "freshness_kb"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=KB)
    parser.add_argument("--embedder", choices=["model", "hash"], default="model")
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses and extras")
    args = parser.parse_args()
    settings = Settings()
    embedder: Embedder | None = None
    if not args.no_embeddings:
        embedder = HashEmbedder() if args.embedder == "hash" else create_embedder(settings)
    today, expected = load_labels(args.kb / "expected.yaml")
    loaded = load_content([args.kb / "content", args.kb / "policies"], max_file_bytes=1 << 20)
    result = run_check(
        loaded.articles,
        loaded.policies,
        today=date.fromisoformat(today),
        settings=settings,
        embedder=embedder,
        invalid=loaded.invalid,
    )
    scores = score(result.findings, expected, root=args.kb)
    print(
        f"{'kind':<18} {'expected':>8} {'found':>6} {'correct':>8} {'precision':>10} {'recall':>7}"
    )
    worst = 1.0
    for s in scores:
        print(
            f"{s.kind:<18} {s.expected:>8} {s.found:>6} {s.correct:>8} "
            f"{s.precision:>10.3f} {s.recall:>7.3f}"
        )
        worst = min(worst, s.precision, s.recall)
        if args.verbose:
            for key in s.false_positives:
                print(f"    extra:  {' '.join(key[1:])}")
            for key in s.missed:
                print(f"    missed: {' '.join(key[1:])}")
    print(
        f"settings.freshness: {settings.freshness.model_dump()}; embedder: "
        f"{embedder.model_name if embedder else 'none'}"
    )
    return 0 if worst >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
