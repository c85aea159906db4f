"""``knowledge-service demo seed-traffic``: synthetic demo traffic for a fresh ``make demo``."""

from __future__ import annotations

from typing import Annotated

import typer

from knowledge_service import clock
from knowledge_service.analytics.demo_traffic import DEMO_CALLER, MAX_DAYS, seed_traffic
from knowledge_service.answers.service import AnswerService
from knowledge_service.cli.after_write import open_search_service
from knowledge_service.cli.config import settings
from knowledge_service.cli.help import HelpGroup
from knowledge_service.cli.options import whole_number
from knowledge_service.cli.output import err_console
from knowledge_service.cli.store import existing_engine

demo_app = typer.Typer(cls=HelpGroup, help="Demo helpers (synthetic data, never for a real store).")


@demo_app.command("seed-traffic")
def seed_traffic_command(
    days: Annotated[
        int,
        typer.Option(
            **whole_number(1, MAX_DAYS),
            help=f"How many days up to today (1 to {MAX_DAYS}); a KS_TODAY after the real date "
            "ends them on the real date, as an answer's time is the clock's.",
        ),
    ] = 14,
    seed: Annotated[
        int, typer.Option(**whole_number(), help="Seed of the plan (the same seed, the same plan).")
    ] = 7,
    force: Annotated[
        bool, typer.Option(help="Add synthetic traffic even where answer events already exist.")
    ] = False,
) -> None:
    """Replay SYNTHETIC customer questions through the real answer engine over the last days,
    with some feedback, so the insights page has those days to show (caller: demo-traffic)."""
    today = clock.today(settings())
    store = existing_engine()  # into a store `import` made, never a new one
    report = seed_traffic(
        store,
        lambda: AnswerService(settings(), store, open_search_service()),
        today=today,
        days=days,
        seed=seed,
        force=force,
    )
    if report.answers == 0 and report.already_seeded:
        err_console.print(
            f"the store already has {report.already_seeded} synthetic demo events: nothing added"
        )
        return
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(report.by_status.items()))
    err_console.print(
        f"seeded {report.answers} synthetic answers ({statuses}) and {report.feedback} ratings "
        f"from {report.first_day} to {report.last_day}, as caller {DEMO_CALLER!r}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command group to the root app."""
    app.add_typer(demo_app, name="demo")
