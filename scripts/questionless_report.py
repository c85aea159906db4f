"""Answers on knowledge bases whose articles list no ``questions``: the score profile from
held-out titles against the defaults (what such a knowledge base got before).

Two knowledge bases without questions, each with in-scope and out-of-scope questions:

* **StackFAQ** (``../shared/eval-data/stackfaq``: 125 StackExchange Web Applications threads,
  Karan & Snajder 2018, CC BY-SA content): every 5th thread (25) is withheld from the knowledge
  base, so its paraphrases are out of scope; the other 999 paraphrases are in scope. Nothing is
  tuned on it.
* **the sample** (``content/``, ``policies/``) with every article's ``questions`` removed (in a
  temporary copy), asked the customer-worded questions of ``tests/data/sample_questions.yaml``;
  and the same with every article cut to its first question (too few to hold any out, so it
  takes the titles' profile too).

For each: the shipped confidence with the settings' default profile (no profile: what a
knowledge base without questions got until 2026-12-03) and with the profile from its titles
(``index.profile``), at the shipped no-answer threshold; "balanced" weighs in-scope answered
right and out-of-scope refused alike, as the threshold was chosen.

With ``--peers DIR`` also a third, with no out-of-scope questions: the work folder of
``scripts/bench_peers.py`` (1,000 pages of the Python standard library's docstrings, titled by
their dotted names) asked its 300 hand-written questions: how many are answered right and wrong.

    .venv/bin/python scripts/questionless_report.py [--stackfaq DIR] [--peers DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from statistics import median

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval_data import DEFAULT, set_folder  # scripts/ is on the path when run as a script

from knowledge_service.answers.confidence import confidence_of
from knowledge_service.answers.evaluation import load_labelled, strip_questions
from knowledge_service.content.importer import import_content
from knowledge_service.db import create_tables, make_engine
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.evaluation import article_of_doc, load_eval_set, write_articles
from knowledge_service.index.profile import ScoreProfile
from knowledge_service.index.protocols import Embedder
from knowledge_service.index.schemas import SearchHit
from knowledge_service.index.service import SearchService
from knowledge_service.settings import AnswerSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
Labelled = Sequence[tuple[str, str | None]]


def open_index(sources: Sequence[Path], work: Path, embedder: Embedder) -> SearchService:
    settings = Settings(database_url=f"sqlite:///{work / 'store.db'}", data_dir=work / "data")
    engine = make_engine(settings.database_url)
    create_tables(engine)
    report = import_content(engine, list(sources), max_file_bytes=settings.max_file_bytes)
    if report.invalid:
        raise SystemExit(f"{report.invalid[0].path}: {report.invalid[0].message}")
    service = SearchService(settings, engine, embedder)
    service.rebuild()
    return service


def tally(
    questions: Labelled, hits: Sequence[Sequence[SearchHit]], confidences: Sequence[float],
    floor: float,
) -> Counter[str]:  # fmt: skip
    """Each question's outcome when answers need ``floor``: ``right``, ``wrong`` (in scope,
    another article), ``refused`` (in scope), ``oos`` (out of scope, answered) or
    ``oos_refused``."""
    outcomes: Counter[str] = Counter()
    for (_, article), found, confidence in zip(questions, hits, confidences, strict=True):
        if confidence < floor:
            outcomes["refused" if article is not None else "oos_refused"] += 1
        elif article is None:
            outcomes["oos"] += 1
        else:
            outcomes["right" if found[0].article_id == article else "wrong"] += 1
    return outcomes


def confidences_by_profile(
    service: SearchService, hits: Sequence[Sequence[SearchHit]], cfg: AnswerSettings
) -> dict[str, tuple[ScoreProfile | None, list[float]]]:
    """The shipped confidence of every question's best hit, with the defaults and with the
    knowledge base's own profile (from its titles here)."""
    return {
        name: (profile, [confidence_of(f, f[0] if f else None, cfg, profile) for f in hits])
        for name, profile in (("none (the defaults)", None), ("titles", service.profile))
    }


def report(label: str, service: SearchService, questions: Labelled) -> None:
    cfg = Settings().answers
    hits = service.search_many([q for q, _ in questions], top_k=10)
    in_scope = sum(1 for _, a in questions if a is not None)
    out = len(questions) - in_scope
    first = sum(
        1 for (_, a), h in zip(questions, hits, strict=True) if a and h and h[0].article_id == a
    )
    landed = [h[0] for (_, a), h in zip(questions, hits, strict=True) if a and h]
    where = (
        f"{median([h.score for h in landed]):.3f} / {median([h.dense_score for h in landed]):.3f}"
    )
    print(
        f"\n{label}: {in_scope} in scope, {out} out of scope; right article first {first}; "
        f"the in-scope questions' best hits land at {where} (score / cosine medians)"
    )
    print(
        "| profile | medians (score / cosine) | in scope answered right | out of scope refused "
        "| OOS-aware | balanced |"
    )
    print("|---|---|---|---|---|---|")
    by_profile = confidences_by_profile(service, hits, cfg)
    for name, (profile, confidences) in by_profile.items():
        counts = tally(questions, hits, confidences, cfg.no_answer_threshold)
        right, refused = counts["right"], counts["oos_refused"]
        print(
            f"| {name} | {_medians(profile, cfg)} | {right / in_scope:.3f} ({right}) | "
            f"{refused / out:.3f} ({refused}) | {(right + refused) / len(questions):.3f} | "
            f"{(right / in_scope + refused / out) / 2:.3f} |"
        )
    print("\nWhat is answered, at the no-answer threshold (chat) and at the voice minimum:")
    print("| profile | answers at | answered | right | wrong article | out of scope |")
    print("|---|---|---|---|---|---|")
    for name, (_, confidences) in by_profile.items():
        for floor in (cfg.no_answer_threshold, max(cfg.voice_minimum, cfg.no_answer_threshold)):
            counts = tally(questions, hits, confidences, floor)
            given = counts["right"] + counts["wrong"] + counts["oos"]
            share = counts["right"] / given if given else 0.0
            print(
                f"| {name} | {floor:.2f} | {given} | {counts['right']} ({share:.3f}) | "
                f"{counts['wrong']} | {counts['oos']} |"
            )


def report_peers(workdir: Path, embedder: Embedder) -> None:
    """The bench_peers.py store (its own embedding cache gains the probe's units)."""
    settings = Settings(database_url=f"sqlite:///{workdir / 'store.db'}", data_dir=workdir / "data")
    service = SearchService(settings, make_engine(settings.database_url), embedder)
    service.open()
    article = {e.doc.title: e.doc.id for e in service.index.articles.values()}
    questions: list[tuple[str, str | None]] = []
    for line in (ROOT / "tests/data/peers/questions.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            title, _, question = line.partition(" | ")
            questions.append((question.strip(), article[title.strip()]))
    hits = service.search_many([q for q, _ in questions], top_k=10)
    cfg = settings.answers
    first = sum(1 for (_, a), h in zip(questions, hits, strict=True) if h and h[0].article_id == a)
    print(f"\nPeers corpus, {len(questions)} questions, all in scope; right article first {first}")
    print("| profile | medians (score / cosine) | answered right | answered wrong | refused |")
    print("|---|---|---|---|---|")
    for name, (profile, confidences) in confidences_by_profile(service, hits, cfg).items():
        counts = tally(questions, hits, confidences, cfg.no_answer_threshold)
        print(
            f"| {name} | {_medians(profile, cfg)} | {counts['right']} | {counts['wrong']} | "
            f"{counts['refused']} |"
        )


def _medians(profile: ScoreProfile | None, cfg: AnswerSettings) -> str:
    if profile is None:
        return f"{cfg.profile_score_median:.3f} / {cfg.profile_dense_median:.3f}"
    held = f"{profile.questions} {profile.held_out}"
    return f"{profile.score_median:.3f} / {profile.dense_median:.3f} ({held})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stackfaq", type=set_folder, default=str(DEFAULT / "stackfaq"))
    parser.add_argument("--peers", type=Path, help="a scripts/bench_peers.py work folder")
    args = parser.parse_args()
    embedder = create_embedder(Settings())
    if args.peers:
        report_peers(args.peers, embedder)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        eval_set = load_eval_set(args.stackfaq)
        threads = sorted({d["thread_id"] for d in eval_set.corpus})
        withheld = set(threads[::5])
        article = {
            d["thread_id"]: a
            for d, a in zip(eval_set.corpus, article_of_doc(eval_set).values(), strict=True)
        }
        kept = dataclasses.replace(
            eval_set, corpus=[d for d in eval_set.corpus if d["thread_id"] not in withheld]
        )
        write_articles(kept, work / "stackfaq")
        questions = [
            (q["text"], None if q["thread_id"] in withheld else article[q["thread_id"]])
            for q in eval_set.queries
        ]
        service = open_index([work / "stackfaq"], work / "stackfaq-store", embedder)
        report(f"StackFAQ, {len(withheld)} of {len(threads)} threads withheld", service, questions)

        stripped = strip_questions(ROOT / "content", work / "content")
        sample = [
            (q.q, q.article) for q in load_labelled(ROOT / "tests/data/sample_questions.yaml")
        ]
        cut = strip_questions(ROOT / "content", work / "one-question", keep=1)
        service = open_index([work / "one-question", ROOT / "policies"], work / "one", embedder)
        report(f"The sample, {cut} articles cut to their first question", service, sample)
        service = open_index([work / "content", ROOT / "policies"], work / "sample-store", embedder)
        report(f"The sample, questions removed from {stripped} articles", service, sample)


if __name__ == "__main__":
    main()
