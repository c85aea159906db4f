"""What `knowledge-service tune` buys: Accuracy@1 of the untuned and the tuned encoder on one set.

    nice -n 10 .venv/bin/python scripts/eval_tune.py banking77 [--max-questions N] [--epochs N]
        [--seed N] [--json FILE] [--keep-model DIR]
    nice -n 10 .venv/bin/python scripts/eval_tune.py hwu64_oos
    nice -n 10 .venv/bin/python scripts/eval_tune.py stackfaq

The set is written as Markdown articles and imported into a fresh store (BANKING77: one article
per intent with its training utterances as ``questions``; HWU64-OOS: its ``content`` folder;
StackFAQ: one article per thread, no questions, so tuning sees only titles and answer leads).
The store is indexed with the base model and its test queries are scored (in-scope ones only for
HWU64-OOS); then ``tune_encoder`` (the command's own service verb) tunes on the store's
published articles, the tuned version is picked through the ``use_tuned_model`` setting like
``index rebuild`` does, the store is indexed again and the same queries are scored. Test queries
are never seen by tuning. One run per set; prints one table row per model. ``--keep-model DIR``
copies the tuned version to ``DIR/models/`` (the store is temporary), for other scripts to load
with ``KS_DATA_DIR=DIR KS_INDEX__USE_TUNED_MODEL=true``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval_data import data_folder, set_folder  # scripts/ is on the path when run as a script
from sqlalchemy import Engine

from knowledge_service.content.importer import import_content
from knowledge_service.db import create_tables, make_engine
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.evaluation import (
    load_eval_set,
    relevant_articles,
    score_rankings,
    write_articles,
)
from knowledge_service.index.service import SearchService
from knowledge_service.index.tuning import TuneOptions, describe_validation, tune_encoder
from knowledge_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EVAL_DATA = ROOT.parent / "shared" / "eval-data"


def write_set(name: str, folder: Path, work: Path) -> tuple[Path, list[str], list[set[str]]]:
    """The set's articles folder and its judged test queries with their relevant articles."""
    if name == "hwu64_oos":
        rows = [json.loads(line) for line in (folder / "queries.jsonl").open(encoding="utf-8")]
        rows = [r for r in rows if r.get("article_id")]
        return folder / "content", [r["text"] for r in rows], [{r["article_id"]} for r in rows]
    eval_set = load_eval_set(folder)
    write_articles(eval_set, work / "content")
    gold = relevant_articles(eval_set)
    queries = [q for q in eval_set.queries if gold.get(q["id"])]
    return work / "content", [q["text"] for q in queries], [gold[q["id"]] for q in queries]


def score(
    settings: Settings, engine: Engine, texts: list[str], gold: list[set[str]]
) -> dict[str, Any]:
    """Index the store with the embedder ``settings`` choose and score the queries."""
    service = SearchService(settings, engine, create_embedder(settings, threads=2))
    start = time.perf_counter()
    status = service.rebuild()
    seconds = time.perf_counter() - start
    rankings: list[list[str]] = []
    for begin in range(0, len(texts), 64):
        hits = service.search_many(texts[begin : begin + 64])
        rankings += [[h.article_id for h in row] for row in hits]
    return {
        **score_rankings(rankings, gold),
        "index_seconds": seconds,
        "model": status.model_name or "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=["banking77", "hwu64_oos", "stackfaq"])
    parser.add_argument(
        "--data",
        type=data_folder(),
        default=str(EVAL_DATA),
        help="the folder holding the evaluation sets (default: ../shared/eval-data)",
    )
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-questions", type=int, default=TuneOptions.max_questions)
    parser.add_argument("--seed", type=int, default=TuneOptions.seed)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="train on every question (default: hold a fifth, 1 to 5, of the questions of each "
        "article with 3 or more out, as the command does)",
    )
    parser.add_argument("--keep-model", type=Path, help="copy the tuned version to DIR/models/")
    args = parser.parse_args()
    try:
        set_folder(str(args.data / args.set))
    except argparse.ArgumentTypeError as error:
        parser.error(f"argument --data: {error}")
    options = TuneOptions(
        epochs=args.epochs,
        batch_size=args.batch_size,
        max_questions=args.max_questions,
        seed=args.seed,
    )
    with tempfile.TemporaryDirectory(prefix="ks-tune-eval-") as tmp:
        work = Path(tmp)
        content, texts, gold = write_set(args.set, args.data / args.set, work)
        settings = Settings(database_url=f"sqlite:///{work / 'store.db'}", data_dir=work / "data")
        engine = make_engine(settings.database_url)
        create_tables(engine)
        import_content(engine, [content], max_file_bytes=settings.max_file_bytes)
        base = score(settings, engine, texts, gold)
        start = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 30 or done == total:
                last[0] = time.perf_counter()
                print(f"  tuning step {done}/{total}", flush=True)

        tuned_model = tune_encoder(
            engine, settings.data_dir, settings.embedding_model, options, progress,
            validate=args.validate,
        )  # fmt: skip
        tune_seconds = time.perf_counter() - start
        if args.keep_model:
            shutil.copytree(tuned_model.path, args.keep_model / "models" / tuned_model.path.name)
        tuned_settings = settings.model_copy(
            update={"index": settings.index.model_copy(update={"use_tuned_model": True})}
        )
        tuned = score(tuned_settings, engine, texts, gold)
    manifest = tuned_model.manifest
    print(
        f"\n{args.set}: {len(texts)} test queries; tuned on {manifest['pairs']} pairs from "
        f"{manifest['articles']} articles, {manifest['steps']} steps, {tune_seconds / 60:.1f} min "
        f"({json.dumps(manifest['settings'])})"
    )
    print(describe_validation(manifest.get("validation"), args.validate))
    print("| set | encoder | Accuracy@1 | nDCG@10 | MRR@10 |")
    print("|---|---|---|---|---|")
    for label, row in (("all-MiniLM-L6-v2", base), ("tuned", tuned)):
        print(
            f"| {args.set} | {label} | {row['accuracy@1']:.4f} | {row['ndcg@10']:.4f} "
            f"| {row['mrr@10']:.4f} |"
        )
    if args.json:
        figures = {"base": base, "tuned": tuned, "manifest": manifest, "tune_s": tune_seconds}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
