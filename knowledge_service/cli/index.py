"""CLI commands: ``search``, ``index rebuild|status``, ``eval`` and ``tune``."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import typer

from knowledge_service import clock
from knowledge_service.answers.sanitise import sanitise_search
from knowledge_service.cli.after_write import load_embedder, require_model_folder
from knowledge_service.cli.common import file_errors
from knowledge_service.cli.config import settings
from knowledge_service.cli.help import HelpGroup
from knowledge_service.cli.options import whole_number
from knowledge_service.cli.output import TextTable, console, fail, phase_progress, print_table
from knowledge_service.cli.store import engine, existing_engine
from knowledge_service.content.plaintext import shorten
from knowledge_service.content.schemas import (
    INTENT_PATTERN,
    LOCALE_PATTERN,
    MAX_INTENT_CHARS,
    MAX_LOCALE_CHARS,
    Audience,
    Channel,
)
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import Embedder
from knowledge_service.index.evaluation import EVAL_SET_FILES, evaluate_dataset
from knowledge_service.index.locks import index_turn
from knowledge_service.index.schemas import (
    DEFAULT_TOP_K,
    MAX_TOP_K,
    IndexStatus,
    SearchFilters,
    SearchRequest,
)
from knowledge_service.index.service import SearchService
from knowledge_service.index.tuned_models import validated_gain
from knowledge_service.index.tuning import TuneOptions, describe_validation, tune_encoder
from knowledge_service.settings import MAX_QUERY_CHARS

index_app = typer.Typer(
    cls=HelpGroup, help="Build and inspect the search index.", no_args_is_help=True
)


@lru_cache
def _embedder(threads: int | None = None) -> Embedder:
    return load_embedder(threads)


def _service() -> SearchService:
    require_model_folder()  # a model that cannot load is named first, as before the store
    store = existing_engine()
    return SearchService(settings(), store, _embedder(settings().index.index_threads))


def _print_status(status: IndexStatus, as_json: bool) -> None:
    if as_json:
        console.print_json(status.model_dump_json())
        return
    table = TextTable(title="Search index", show_header=False)
    for key, value in status.model_dump().items():
        table.add_row(key, str(value))
    console.print(table)


@index_app.command("rebuild")
def rebuild(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Index every current article version from scratch."""
    service = _service()
    with index_turn(service.path), phase_progress() as update:
        status = service.rebuild(lambda d, t: update("Embedding units", d, t))
    _print_status(status, as_json)


@index_app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Bring the index level with the store (load, catch up or rebuild) and show where it stands."""
    service = _service()
    with index_turn(service.path), phase_progress() as update:
        current = service.open(lambda d, t: update("Embedding units", d, t))
    _print_status(current, as_json)


def _as_the_api_takes(
    pattern: str, max_chars: int, what: str
) -> Callable[[str | None], str | None]:
    """An option callback: the value as the API takes it, else a usage error (not an empty
    list)."""

    def check(value: str | None) -> str | None:
        if value is not None and (len(value) > max_chars or not re.fullmatch(pattern, value)):
            raise typer.BadParameter(f"{value!r} is not {what}")
        return value

    return check


_locale_tag = _as_the_api_takes(
    LOCALE_PATTERN, MAX_LOCALE_CHARS, "a BCP 47 tag such as en or en-AU"
)
_intent_name = _as_the_api_takes(
    INTENT_PATTERN, MAX_INTENT_CHARS, "an intent such as billing.refund"
)


def search(
    query: Annotated[str, typer.Argument(help="The question or keywords.")],
    top_k: Annotated[int, typer.Option("--top-k", **whole_number(1, MAX_TOP_K))] = DEFAULT_TOP_K,
    channel: Annotated[Channel | None, typer.Option(help="Only articles served here.")] = None,
    audience: Annotated[Audience | None, typer.Option(help="Only this audience.")] = None,
    locale: Annotated[
        str | None, typer.Option(help="Locale tag or language.", callback=_locale_tag)
    ] = None,
    intent: Annotated[
        str | None, typer.Option(help="Only articles for this intent.", callback=_intent_name)
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (GET /v1/search's response).")
    ] = False,
) -> None:
    """Search published articles (hybrid dense + BM25, ranked as whole articles), each with its
    findings and badge (block, warn or current). A regional --locale with no article found
    falls back to its language's articles (en-US finds en-AU), and says so."""
    if not query.strip():
        raise fail("the query is empty: give the question or keywords to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise fail(f"the query has {len(query)} characters: at most {MAX_QUERY_CHARS}, as the API")
    require_model_folder()
    store = existing_engine()
    service = SearchService(settings(), store, _embedder(settings().index.query_threads))
    with index_turn(service.path), phase_progress() as update:
        service.open(lambda d, t: update("Embedding units", d, t))
    filters = SearchFilters(audience=audience, channel=channel, locale=locale, intent=intent)
    request = SearchRequest(query=query, top_k=top_k, filters=filters)
    with session_scope(engine()) as session:
        found = freshness.search_with_freshness(
            session,
            lambda r: service.search(r.query, top_k=r.top_k, filters=r.filters),
            request,
            today=clock.today(settings()),
        )
    response = sanitise_search(found)
    if as_json:
        console.print_json(response.model_dump_json())
        return
    table = TextTable(title=f"Search: {response.query}")  # redacted, as --json and the API
    for name in ("#", "score", "article", "version", "badge", "section", "snippet"):
        table.add_column(name, overflow="fold")
    for n, hit in enumerate(response.results, start=1):
        table.add_row(
            str(n),
            f"{hit.score:.3f}",
            hit.article_id,
            str(hit.version),
            hit.badge,
            hit.section or "",
            shorten(hit.snippet, 120),
        )
    print_table(table)
    if response.locale_fallback:
        shown = ", ".join(sorted({hit.locale for hit in response.results}))
        console.print(
            f"No {locale} article matched: these are the same language's ({shown}).",
            highlight=False,
        )


def _check_eval_set(folder: Path) -> None:
    """Exit 2 naming the files an evaluation set's folder lacks."""
    missing = [name for name in EVAL_SET_FILES if not (folder / name).is_file()]
    if len(missing) == len(EVAL_SET_FILES):  # each file named once, not as lacking and held
        raise fail(f"{folder} is not an evaluation set: it has none of {', '.join(missing)}")
    if missing:
        held = [name for name in EVAL_SET_FILES if name not in missing]
        raise fail(
            f"{folder} is not an evaluation set: it has {', '.join(held)} but no "
            f"{', '.join(missing)}"
        )


@contextmanager
def _json_errors(folder: Path) -> Iterator[None]:
    try:
        yield
    except json.JSONDecodeError as exc:
        raise fail(
            f"{folder}: corpus.jsonl or queries.jsonl has a line that is not JSON ({exc.msg})"
        ) from None


def eval_command(
    dataset_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    limit: Annotated[
        int | None, typer.Option(**whole_number(1), help="Score the first N queries.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    cache: Annotated[
        Path | None, typer.Option(help="Embedding cache file to reuse across runs.")
    ] = None,
) -> None:
    """Evaluate retrieval on a BEIR-style set through the real import and index path."""
    _check_eval_set(dataset_dir)
    embedder = _embedder(settings().index.index_threads)
    with (
        tempfile.TemporaryDirectory(prefix="ks-eval-") as tmp,
        phase_progress() as update,
        file_errors(dataset_dir, "read the evaluation set"),
        _json_errors(dataset_dir),
    ):
        result, _ = evaluate_dataset(
            dataset_dir,
            embedder,
            Path(tmp),
            limit=limit,
            base_settings=settings(),
            on_phase=update,
            cache=EmbeddingCache(cache) if cache else None,
        )
    if as_json:
        console.print_json(json.dumps(result.__dict__))
        return
    table = TextTable(
        title=f"{result.dataset}: {result.queries} queries, {result.articles} articles"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in result.metrics.items():
        table.add_row(name, f"{value:.4f}")
    for name, value in result.seconds.items():
        table.add_row(f"{name} seconds", f"{value:.1f}")
    console.print(table)


def tune(
    epochs: Annotated[int, typer.Option(**whole_number(1, 20), help="Passes over the pairs.")] = 1,
    batch_size: Annotated[int, typer.Option(**whole_number(2, 256), help="Pairs per step.")] = 32,
    max_questions: Annotated[
        int, typer.Option(**whole_number(1), help="Questions per article used (a seeded sample).")
    ] = 40,
    seed: Annotated[
        int,
        typer.Option(**whole_number(0, 2**32 - 1), help="Seed for sampling, order and weights."),
    ] = 13,
    validate: Annotated[
        bool,
        typer.Option(
            help="Hold a fifth of the questions (1 to 5) of each article with 3 or more out of "
            "the training and report how many of them the base and the tuned model match to "
            "their article."
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fine-tune the encoder on the published articles' questions; save a new tuned version.

    `index rebuild` and `serve` use it when KS_INDEX__USE_TUNED_MODEL is true, or, with the
    default `auto`, when its held-out questions (see --validate) show a gain beyond chance.
    """
    options = TuneOptions(
        epochs=epochs, batch_size=batch_size, max_questions=max_questions, seed=seed
    )
    store = existing_engine()
    with phase_progress() as update:
        tuned = tune_encoder(
            store,
            settings().data_dir,
            settings().embedding_model,
            options,
            lambda d, t: update("Tuning the encoder", d, t),
            validate=validate,
        )
    if as_json:
        console.print_json(json.dumps({"path": str(tuned.path), **tuned.manifest}))
        return
    console.print(
        f"Saved tuned model {tuned.path} ({tuned.manifest['pairs']} pairs, "
        f"{tuned.manifest['steps']} steps).",
        highlight=False,
    )
    console.print(describe_validation(tuned.manifest.get("validation"), validate), highlight=False)
    if validated_gain(tuned.manifest.get("validation")):
        console.print(
            "`knowledge-service index rebuild` (or a restart of `serve`) uses it, with "
            "KS_INDEX__USE_TUNED_MODEL=auto (the default) or true.",
            highlight=False,
        )
    else:
        console.print(
            "`knowledge-service index rebuild` and `serve` keep the base model unless "
            "KS_INDEX__USE_TUNED_MODEL=true.",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("search")(search)
    app.command("eval")(eval_command)
    app.command("tune")(tune)
    app.add_typer(index_app, name="index")
