"""Small generated knowledge bases for the answer engine, in a real SQLite store.

The articles are written as Markdown with :func:`tests.factories.write_article_md`, imported with
the content service, checked by the freshness service (so findings come from the real check) and
indexed by a :class:`SearchService` over the deterministic :class:`HashEmbedder`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.answers.service import AnswerService
from knowledge_service.app import create_app
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine
from knowledge_service.freshness.service import check_store
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.api.conftest import issue_keys
from tests.conftest import TODAY  # the date the check runs as of: review dates are relative to it
from tests.factories import write_article_md, write_policy_md

ALL_CHANNELS = ("chat", "agent", "voice", "email", "web")
BOT_CHANNELS = ("chat", "voice", "web", "email")

REFUND_ANSWER = (
    "Refunds reach your account within **10 business days**.\n\n"
    "- Track it in the [refund tracker](https://example.com/refunds).\n"
    "- Call us if it is late."
)

# One article per serving rule; topics far apart so the hash embedder keeps them apart.
STANDARD_ARTICLES: dict[str, dict[str, Any]] = {
    "refund-timeframe": {
        "title": "How long does a refund take?",
        "intents": ["billing.refund.timeframe"],
        "policy_sources": ["REFUNDS#2.1"],
        "questions": ["when will I get my money back", "refund still missing"],
        "answer": REFUND_ANSWER,
    },
    "lost-card": {
        "title": "Report a lost or stolen card",
        "intents": ["card.lost"],
        "channels": ["chat", "agent", "email", "web"],
        "questions": ["my card was stolen", "I lost my card"],
        "answer": "Freeze the card in the app and order a replacement card.",
    },
    "meter-reading": {
        "title": "How do I read my electricity meter?",
        "intents": ["metering.read"],
        "next_review": "2026-10-15",  # overdue on TODAY: a blocking finding
        "questions": ["how to read my meter", "send a meter reading"],
        "answer": "Read the digits on the meter display from left to right and send them to us.",
    },
    "fraud-procedure": {
        "title": "Escalating suspected identity fraud",
        "intents": ["agent.fraud.escalate"],
        "audience": "internal",
        "channels": ["agent"],
        "questions": ["customer reports identity fraud on the account"],
        "answer": "Lock the account and escalate to the fraud team queue.",
    },
    "battery-rebate-2027": {
        "title": "Home battery rebate 2027",
        "intents": ["plans.battery.rebate"],
        "status": "draft",
        "questions": ["is there a rebate for a home battery"],
        "answer": "From 2027 we pay a rebate of $300 for a new home battery.",
    },
    "paper-bill-fee": {
        "title": "Why do I pay for paper bills?",
        "intents": ["billing.paper.fee"],
        "status": "retired",
        "questions": ["why do I pay for paper bills"],
        "answer": "We charge $1.75 for every bill we post to you.",
    },
}

# A question per rule: the exact phrasing of the article it targets.
QUESTIONS = {
    "refund": "when will I get my money back",
    "lost_card": "I lost my card",
    "blocked": "how to read my meter",
    "internal": "customer reports identity fraud on the account",
    "draft": "is there a rebate for a home battery",
    "retired": "why do I pay for paper bills",
    "off_topic": "what is the capital of France",
}


@dataclass
class AnswerKB:
    """A store, its search index and an answer engine over it."""

    root: Path
    settings: Settings
    engine: Engine
    search: SearchService
    service: AnswerService

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    def write(self, article_id: str, **fields: Any) -> None:
        """Write (or overwrite) an article file; call :meth:`reimport` to store it."""
        write_article_md(self.content_dir, article_id, **fields)

    def reimport(self, *, check: bool = True) -> None:
        """Import the files again, re-run the freshness check and bring the index level."""
        import_content(
            self.engine, [self.content_dir, self.root / "policies"], max_file_bytes=1 << 20
        )
        if check:
            check_store(self.engine, today=TODAY, settings=self.settings)
        self.search.sync()

    def close(self) -> None:
        self.engine.dispose()


def kb_settings(root: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=f"sqlite:///{root / 'store.db'}",
        data_dir=root / "data",
        content_dir=root / "content",
        policies_dir=root / "policies",
        embedding_model="hash",
        **overrides,
    )


def build_kb(
    root: Path,
    articles: Mapping[str, Mapping[str, Any]] = STANDARD_ARTICLES,
    *,
    check: bool = True,
    settings: Settings | None = None,
) -> AnswerKB:
    """Write ``articles`` and the REFUNDS policy under ``root``, import, check and index them."""
    settings = settings or kb_settings(root)
    engine = make_engine(settings.database_url)
    create_all_tables(engine)
    for article_id, fields in articles.items():
        write_article_md(root / "content", article_id, **fields)
    write_policy_md(root / "policies", "REFUNDS", version="3")
    import_content(engine, [root / "content", root / "policies"], max_file_bytes=1 << 20)
    if check:
        check_store(engine, today=TODAY, settings=settings)
    search = SearchService(settings, engine, HashEmbedder())
    search.open()
    return AnswerKB(root, settings, engine, search, AnswerService(settings, engine, search))


@contextmanager
def open_client(kb: AnswerKB) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A TestClient over the real app on ``kb``'s store and index, and one key per role."""
    keys = issue_keys(kb.engine)
    app = create_app(kb.settings, engine=kb.engine, search_service=kb.search)
    with TestClient(app) as client:
        yield client, keys


# -- canaries: unique tokens in articles a bot must never see ------------------------------------

CANARY_ARTICLES: dict[str, dict[str, Any]] = {
    "reconnection-fee-waiver": {
        "title": "Waiving the reconnection fee",
        "intents": ["agent.fee.waiver"],
        "audience": "internal",
        "channels": ["agent"],
        "questions": ["can you waive my reconnection fee", "reconnection fee waiver"],
        "answer": "Agents may waive the reconnection fee once a year. CANARY-INTERNAL-7f3a",
        "body": "## Steps CANARY-INTERNAL-7f3a\nApply code WAIVE-RC in the billing system.\n",
    },
    "goodwill-credit-limits": {
        # internal, yet listing every channel: the audience alone must keep it from bots
        "title": "Goodwill credit limits",
        "intents": ["agent.goodwill.credit"],
        "audience": "internal",
        "questions": ["can I get a goodwill credit", "compensation credit for bad service"],
        "answer": "Agents may give a goodwill credit of up to $50. CANARY-INTERNAL-ALL-2b9d",
    },
    "ev-charging-plan": {
        "title": "Electric vehicle charging plan",
        "intents": ["plans.ev.charging"],
        "status": "draft",
        "questions": ["do you have an electric vehicle plan", "EV charging tariff"],
        "answer": "Our EV plan gives cheap overnight charging. CANARY-DRAFT-91c2",
    },
    "cheque-payment-fee": {
        "title": "Fee for paying by cheque",
        "intents": ["payments.cheque.fee"],
        "status": "retired",
        "questions": ["is there a fee for paying by cheque", "cheque payment fee"],
        "answer": "Paying by cheque costs $2.50 per payment. CANARY-RETIRED-44d0",
    },
    "gas-meter-reading": {
        "title": "How do I read my gas meter?",
        "intents": ["metering.gas.read"],
        "next_review": "2026-10-15",  # overdue: blocks every customer channel
        "questions": ["how do I read my gas meter", "gas meter reading"],
        "answer": "Read the black digits on the gas meter dial. CANARY-BLOCKED-5e8b",
    },
    "chat-opening-hours": {
        "title": "When is online chat open?",
        "intents": ["contact.chat.hours"],
        "channels": ["chat", "web"],
        "questions": ["when is online chat open", "chat opening hours"],
        "answer": "Online chat is open from 8 am to 8 pm. CANARY-NOVOICE-c07e",
    },
}
CANARY_PUBLIC = {
    "refund-timeframe": STANDARD_ARTICLES["refund-timeframe"],
    "lost-card": STANDARD_ARTICLES["lost-card"],
}
NEVER_TO_BOTS = {
    "CANARY-INTERNAL-7f3a": "reconnection-fee-waiver",
    "CANARY-INTERNAL-ALL-2b9d": "goodwill-credit-limits",
    "CANARY-DRAFT-91c2": "ev-charging-plan",
    "CANARY-RETIRED-44d0": "cheque-payment-fee",
    "CANARY-BLOCKED-5e8b": "gas-meter-reading",
}
ONLY_ON = {"CANARY-NOVOICE-c07e": ("chat", "web")}


def canary_questions() -> list[str]:
    """Every way a bot might ask for a canary article: its questions, title, answer and token."""
    questions: list[str] = []
    for article in CANARY_ARTICLES.values():
        questions += article["questions"]
        questions.append(article["title"])
        questions.append(article["answer"])
        questions.append(article["answer"].split(". ")[0])
    tokens = [*NEVER_TO_BOTS, *ONLY_ON]
    questions += tokens + [t.replace("-", " ").lower() for t in tokens]
    questions += ["what does an agent do about fees", "internal procedure", "draft", "fee"]
    return questions
