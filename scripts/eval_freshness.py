"""Per-kind precision and recall of the governance check on the labelled knowledge bases.

    .venv/bin/python scripts/eval_freshness.py                 # every set, shipped settings
    .venv/bin/python scripts/eval_freshness.py --kb tests/data/freshness_kb_agency -v
    .venv/bin/python scripts/eval_freshness.py --tune-on freshness_kb \
        --report-on freshness_kb_agency                        # fit on one, hold out the other
    .venv/bin/python scripts/eval_freshness.py --embedder hash # the deterministic fake
    .venv/bin/python scripts/eval_freshness.py --no-embeddings # shared intents only

Forty-one sets, each with its answer key (expected.yaml): tests/data/freshness_kb (a telco,
the set the thresholds were first tuned on), tests/data/freshness_kb_agency (a public licensing
agency written from scratch in another voice; its README lists the decoys) and
tests/data/freshness_kb_water, tests/data/freshness_kb_insurer, tests/data/freshness_kb_transit,
tests/data/freshness_kb_bank, tests/data/freshness_kb_airline, tests/data/freshness_kb_retail,
tests/data/freshness_kb_benefits, tests/data/freshness_kb_hospital, tests/data/freshness_kb_rental,
tests/data/freshness_kb_postal, tests/data/freshness_kb_saas, tests/data/freshness_kb_pharmacy,
tests/data/freshness_kb_hotel, tests/data/freshness_kb_leisure, tests/data/freshness_kb_tickets,
tests/data/freshness_kb_revenue, tests/data/freshness_kb_mobile,
tests/data/freshness_kb_autoservice, tests/data/freshness_kb_gym, tests/data/freshness_kb_vet,
tests/data/freshness_kb_grocery, tests/data/freshness_kb_childcare,
tests/data/freshness_kb_parking, tests/data/freshness_kb_dental,
tests/data/freshness_kb_tenancy, tests/data/freshness_kb_super, tests/data/freshness_kb_dmv,
tests/data/freshness_kb_streaming, tests/data/freshness_kb_homeins,
tests/data/freshness_kb_parks, tests/data/freshness_kb_gp, tests/data/freshness_kb_waste,
tests/data/freshness_kb_ferry, tests/data/freshness_kb_creditunion,
tests/data/freshness_kb_cinema, tests/data/freshness_kb_petins, tests/data/freshness_kb_evcharge,
tests/data/freshness_kb_housing and tests/data/freshness_kb_studentloans (a water utility, a health
insurer, a transport operator, a retail bank, an airline, an online retailer, a provincial
benefits agency, a public hospital, a car rental company, a parcel carrier, a business-software
company, a pharmacy, a hotel group, a council's libraries and pools, an events ticket seller, a
state revenue office, a mobile carrier, a car dealer's service departments, a gym chain,
veterinary practices, a grocery delivery service, early-childhood centres, a city's parking
department, dental practices, a property manager, a superannuation fund, a US motor vehicles
department, a video streaming service, a home insurer, a state parks department, a GP surgery,
a council's waste services, a ferry operator, a credit union, a cinema chain, a pet insurer, an
electric-vehicle charging network, a social housing authority and a student loan servicer, each
written blind: its author never read the check's code nor ran it; the hospital, the ticket
seller, the revenue office, the childcare centres, the dental practices, the property manager,
the parks department and the GP surgery are held out, scored once; so are the ferry operator
and the credit union, scored once after every fix, with nothing changed for them; none of
them is held out since 2026-12-06, when every set's missed conflicts were read for that day's
fixes; the last three, written on 2026-12-06, are held out: scored before and after that
afternoon's fixes, and nothing was changed for them, but the student loan servicer's and the
EV network's missed phone hours were read for the opening-hours fixes of 2026-12-07).

``--tune-on A --report-on B`` fits the tuned settings (``conflict_threshold``, the joint
similarity from which two articles answer the same need, and ``duplicate_threshold``) on set A
alone, over a grid, and scores both sets with the fitted values: B's table is held out from the
fit. The fit maximises the worst precision or recall of any kind on A, then the mean F1; ties go
to the value nearest the shipped setting. The fact-level constants (freshness/matching.py) are
not fitted here. Exits 1 when any kind of any reported set scores below 0.9.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_service.content.loader import load_content
from knowledge_service.freshness.checker import ArticleEmbedding, embed_articles
from knowledge_service.freshness.evaluation import KindScore, load_labels, score
from knowledge_service.freshness.rules import CheckedArticle
from knowledge_service.freshness.service import run_check
from knowledge_service.index.embedder import Embedder, HashEmbedder, create_embedder
from knowledge_service.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = tuple(
    DATA / name
    for name in (
        "freshness_kb", "freshness_kb_agency", "freshness_kb_water", "freshness_kb_insurer",
        "freshness_kb_transit", "freshness_kb_bank", "freshness_kb_airline",
        "freshness_kb_retail", "freshness_kb_benefits", "freshness_kb_hospital",
        "freshness_kb_rental", "freshness_kb_postal", "freshness_kb_saas",
        "freshness_kb_pharmacy", "freshness_kb_hotel", "freshness_kb_leisure",
        "freshness_kb_tickets", "freshness_kb_revenue", "freshness_kb_mobile",
        "freshness_kb_autoservice", "freshness_kb_gym", "freshness_kb_vet",
        "freshness_kb_grocery", "freshness_kb_childcare", "freshness_kb_parking",
        "freshness_kb_dental", "freshness_kb_tenancy", "freshness_kb_super",
        "freshness_kb_dmv", "freshness_kb_streaming", "freshness_kb_homeins",
        "freshness_kb_parks", "freshness_kb_gp", "freshness_kb_waste", "freshness_kb_ferry",
        "freshness_kb_creditunion", "freshness_kb_cinema", "freshness_kb_petins",
        "freshness_kb_evcharge", "freshness_kb_housing", "freshness_kb_studentloans",
    )
)  # fmt: skip
# How each set was used to choose the shipped settings and the fact-level constants; keep this
# honest when re-tuning. --tune-on/--report-on name the fit of their own run instead.
SHIPPED = {
    "freshness_kb": "shipped settings first tuned on it (issue 4); watched while tuning issue 14",
    "freshness_kb_agency": "held out for its first score, then watched while tuning (issue 14)",
    "freshness_kb_water": "written blind 2026-12-05; its first score led to three fact-reading "
    "fixes (number words, 'no ... can be', 'while you're in'); no setting tuned on it",
    "freshness_kb_insurer": "written blind 2026-12-05; its first score led to fixes (near-need "
    "facts at 0.7, hyphenated counted nouns, minutes, limits read as numbers): not held out",
    "freshness_kb_transit": "written blind 2026-12-05; its first score led to the same fixes "
    "and to hyphens in intent ids: not held out",
    "freshness_kb_bank": "written blind 2026-12-05 (later); its first score's 3 false findings "
    "led to fixes (interest-free, amounts per period, rates, monthly vs every 3 months): not "
    "held out",
    "freshness_kb_airline": "written blind 2026-12-05 (third session); its first score's 3 false "
    "findings and 5 missed mismatches led to fixes (pounds and euros, weights and sizes, 'on "
    "Saver fares' as a condition, 'free' beside a price in another clause): not held out",
    "freshness_kb_retail": "written blind 2026-12-05 (third session); its first score's 3 false "
    "findings led to fixes (a waived fee, 'Plus members' as a condition, inches, each article "
    "about its own clause): not held out",
    "freshness_kb_benefits": "written blind 2026-12-05 (third session); its first score's 6 false "
    "findings led to fixes ('no interest is charged', ages in years, a table's 'Monthly amount', "
    "frequencies, one verb done to other things, look-backs, '$' beside 'CAD'); 1 false conflict "
    "left: not held out",
    "freshness_kb_hospital": "written blind 2026-12-05 (third session) after the fixes of the "
    "airline, retail and benefits sets; held out: scored once, nothing changed for it",
    "freshness_kb_rental": "written blind 2026-12-05 (third session), after the hospital; its "
    "first score's 2 false findings led to one fix (a minimum age in words); 1 false conflict "
    "left: not held out",
    "freshness_kb_postal": "written blind 2026-12-05 (third session), last; held out until "
    "its first score, whose 2 false findings led to two fixes in the fourth session (a name "
    "that holds a number such as 'Tracked 24'; size classes): not held out since",
    "freshness_kb_saas": "written blind 2026-12-05 (fourth session); its first score's 1 false "
    "mismatch led to a fix (paired period words: 'from monthly to annual billing'): not held "
    "out",
    "freshness_kb_pharmacy": "written blind 2026-12-05 (fourth session), beside the business "
    "software set; its first score's 1 false mismatch led to a fix ('5 years and up' is an "
    "age): not held out",
    "freshness_kb_hotel": "written blind 2026-12-05 (fourth session), the first set with times "
    "of day read as facts; its first score's 1 false mismatch led to a fix (a single time's "
    "role from the words before it; check-in and check-out as two words): not held out",
    "freshness_kb_leisure": "written blind 2026-12-05 (fourth session), beside the hotel set; "
    "its first score's 2 false conflicts led to fixes (rules hedged with 'most', a lone lead "
    "time between articles alike only through their titles): not held out",
    "freshness_kb_tickets": "written blind 2026-12-05 (fourth session), after every fix of the "
    "session; held out: scored once, nothing changed for it (it was also in the near-need "
    "grid of docs/benchmarks.md, which changed no setting)",
    "freshness_kb_revenue": "written blind 2026-12-05 (fourth session), beside the tickets set; "
    "held out: scored once, nothing changed for it",
    "freshness_kb_mobile": "written blind 2026-12-05 (fourth session); its first score's false "
    "mismatch led to a fix (an excepted case, 'unless it is returned unopened'); its 3 false "
    "conflicts (plan tables) are left: not held out",
    "freshness_kb_autoservice": "written blind 2026-12-05 (fourth session), beside the mobile "
    "set; held out until its first score (after the mobile set's fix), whose 1 false mismatch "
    "led to a fix (a disclaimer, 'we can't guarantee', is no prohibition): not held out since",
    "freshness_kb_gym": "written blind 2026-12-05 (fifth session); its first score had no false "
    "finding: not held out",
    "freshness_kb_vet": "written blind 2026-12-05 (fifth session), beside the gym set; its first "
    "score's 3 false conflicts led to three fixes (hours that run past midnight; 'since' counts "
    "from an event; a table's cell read with its row and column): not held out",
    "freshness_kb_grocery": "written blind 2026-12-05 (fifth session), beside the gym and vet "
    "sets; held out until its first score (1 false mismatch; 3 of 6 mismatches found); the vet "
    "set's table fix found a 4th mismatch, and its false mismatch led to a fix ('you won't be "
    "charged' is no charge): not held out since",
    "freshness_kb_childcare": "written blind 2026-12-05 (fifth session), after the fixes of the "
    "gym, vet and grocery sets; held out: scored once (no false finding), nothing changed for it",
    "freshness_kb_parking": "written blind 2026-12-05 (fifth session), beside the childcare set; "
    "held out until its first score, whose 2 false findings led to fixes ('no payment is "
    "required' is no obligation; 'once it's paid' opens a condition): not held out since",
    "freshness_kb_dental": "written blind 2026-12-05 (fifth session), after every fix of the "
    "session; held out: scored once (1 false conflict), nothing changed for it",
    "freshness_kb_tenancy": "written blind 2026-12-05 (fifth session), beside the dental set; "
    "held out: scored once (no false finding), nothing changed for it",
    "freshness_kb_super": "written blind 2026-12-05 (sixth session); its first score's 1 false "
    "mismatch led to a fix (a 'cannot' in the case a subject's relative clause describes)",
    "freshness_kb_dmv": "written blind 2026-12-05 (sixth session); its first score's 1 false "
    "mismatch led to a fix ('included in the permit fee' is no charge)",
    "freshness_kb_streaming": "written blind 2026-12-05 (sixth session); its first score's 2 "
    "false mismatches led to fixes ('a quarter of an hour'; 'available on A and B only')",
    "freshness_kb_homeins": "written blind 2026-12-05 (sixth session), beside the three above; "
    "held out until its first score, whose 1 false mismatch led to a fix ('over 12 monthly "
    "direct debits' is no age)",
    "freshness_kb_parks": "written blind 2026-12-05 (sixth session), after the fixes of the four "
    "above; held out: scored once (no false finding), nothing changed for it",
    "freshness_kb_gp": "written blind 2026-12-05 (sixth session), beside the parks set; held "
    "out: scored once (no false finding), nothing changed for it",
    "freshness_kb_waste": "written blind 2026-12-05 (sixth session), beside the parks set; held "
    "out until its first score, whose 1 false mismatch led to a fix ('E-waste' is no 'waste')",
    "freshness_kb_ferry": "written blind 2026-12-05 (sixth session), third round; scored once "
    "(2 false mismatches: fare classes named without 'fare'); one led to a fix in the seventh "
    "session ('after that' is about the fare the sentence before names), the other to fixes on "
    "2026-12-07 (each rule read in its own part of a sentence; a free allowance and what is "
    "charged beyond it)",
    "freshness_kb_creditunion": "written blind 2026-12-05 (sixth session), third round; scored "
    "once (no false finding), nothing changed for it",
    "freshness_kb_cinema": "written blind 2026-12-05 (sixth session), third round; its first "
    "score's 1 false conflict led to a fix (two named memberships, each in its own article)",
    "freshness_kb_petins": "written blind 2026-12-05 (sixth session), third round; its first "
    "score's 1 false conflict led to a fix ('the last 12 months of history' looks back)",
    "freshness_kb_evcharge": "written blind 2026-12-06 (first session); held out: scored before "
    "and after that afternoon's fixes, nothing changed for it; its missed phone hours were read "
    "for the fix of 2026-12-07 (opening hours in other words): not strictly held out since",
    "freshness_kb_housing": "written blind 2026-12-06 (first session); held out: scored before "
    "and after that afternoon's fixes, nothing changed for it",
    "freshness_kb_studentloans": "written blind 2026-12-06 (first session); held out: scored "
    "before and after that afternoon's fixes, nothing changed for it; its missed phone hours "
    "were read for the opening-hours pairing of 2026-12-07: not strictly held out since",
}
# 2026-12-06: the conflict fixes of that day were chosen on every set's missed conflicts, the
# ten sets held out until then included (docs/benchmarks.md): no set is held out since.
for _name in (
    "freshness_kb_hospital", "freshness_kb_tickets", "freshness_kb_revenue",
    "freshness_kb_childcare", "freshness_kb_dental", "freshness_kb_tenancy", "freshness_kb_parks",
    "freshness_kb_gp", "freshness_kb_ferry", "freshness_kb_creditunion",
):  # fmt: skip
    SHIPPED[_name] += "; its missed conflicts were read for the fixes of 2026-12-06"
CONFLICT_GRID = np.round(np.arange(0.50, 0.701, 0.02), 2)
DUPLICATE_GRID = np.round(np.arange(0.70, 0.901, 0.02), 2)


@dataclass
class LabelledSet:
    """One labelled knowledge base, loaded and embedded once."""

    path: Path
    loaded: object
    today: date
    expected: list[tuple[str, ...]]
    vectors: dict[str, ArticleEmbedding] | None
    embedder: Embedder | None

    @classmethod
    def load(cls, path: Path, embedder: Embedder | None) -> LabelledSet:
        today, expected = load_labels(path / "expected.yaml")
        loaded = load_content([path / "content", path / "policies"], max_file_bytes=1 << 20)
        vectors = None
        if embedder is not None:
            published = [CheckedArticle.of(a) for a in loaded.articles if a.is_published]
            vectors = embed_articles(published, embedder)
        return cls(path, loaded, date.fromisoformat(today), expected, vectors, embedder)

    def score(self, settings: Settings) -> list[KindScore]:
        """Check the set with ``settings`` and score it against its answer key."""
        loaded = self.loaded
        result = run_check(
            loaded.articles,  # type: ignore[attr-defined]
            loaded.policies,  # type: ignore[attr-defined]
            today=self.today,
            settings=settings,
            vectors=self.vectors,
            embedder=self.embedder,
            invalid=loaded.invalid,  # type: ignore[attr-defined]
        )
        return score(result.findings, self.expected, root=self.path)


def with_thresholds(settings: Settings, conflict: float, duplicate: float) -> Settings:
    freshness = settings.freshness.model_copy(
        update={"conflict_threshold": float(conflict), "duplicate_threshold": float(duplicate)}
    )
    return settings.model_copy(update={"freshness": freshness})


def objective(scores: list[KindScore]) -> tuple[float, float]:
    """(worst precision or recall of any kind, mean F1 of the kinds the set has)."""
    worst = min(min(s.precision, s.recall) for s in scores)
    f1s = [
        2 * s.precision * s.recall / (s.precision + s.recall) if s.precision + s.recall else 0.0
        for s in scores
        if s.expected or s.found
    ]
    return worst, sum(f1s) / len(f1s)


@dataclass
class Fit:
    """The fitted settings, their score on the tuning set, and every grid point scoring as
    well (the plateau the choice was made on)."""

    settings: Settings
    worst: float
    f1: float
    ties: list[tuple[float, float]]


def fit(labelled: LabelledSet, settings: Settings) -> Fit:
    """The grid point that scores best on ``labelled`` alone."""
    shipped = settings.freshness
    scored = []
    for conflict in CONFLICT_GRID:
        for duplicate in DUPLICATE_GRID:
            worst, f1 = objective(labelled.score(with_thresholds(settings, conflict, duplicate)))
            distance = abs(conflict - shipped.conflict_threshold) + abs(
                duplicate - shipped.duplicate_threshold
            )
            scored.append(((round(worst, 9), round(f1, 9), -distance), conflict, duplicate))
    key, conflict, duplicate = max(scored)
    ties = [(float(c), float(d)) for k, c, d in scored if k[:2] == key[:2]]
    return Fit(with_thresholds(settings, conflict, duplicate), key[0], key[1], ties)


def span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}" if low == high else f"{low:.2f}-{high:.2f}"


def print_scores(name: str, how: str, scores: list[KindScore], verbose: bool) -> float:
    """One table per set; returns its worst precision or recall."""
    print(f"\n{name} ({how})")
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
        if verbose:
            for key in s.false_positives:
                print(f"    extra:  {' '.join(key[1:])}")
            for key in s.missed:
                print(f"    missed: {' '.join(key[1:])}")
    return worst


def find_set(name: str) -> Path:
    path = Path(name)
    return path if path.is_dir() else DATA / name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, action="append", help="a set (default: every set)")
    parser.add_argument("--tune-on", help="fit the thresholds on this set (name or path)")
    parser.add_argument("--report-on", help="the held-out set to report on (with --tune-on)")
    parser.add_argument("--embedder", choices=["model", "hash"], default="model")
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses and extras")
    args = parser.parse_args()
    if bool(args.tune_on) != bool(args.report_on):
        parser.error("--tune-on and --report-on go together")
    settings = Settings()
    embedder: Embedder | None = None
    if not args.no_embeddings:
        embedder = HashEmbedder() if args.embedder == "hash" else create_embedder(settings)
    worst = 1.0
    if args.tune_on:
        tune = LabelledSet.load(find_set(args.tune_on), embedder)
        held_out = LabelledSet.load(find_set(args.report_on), embedder)
        fitted = fit(tune, settings)
        settings = fitted.settings
        chosen = settings.freshness
        print(
            f"fitted on {tune.path.name}: conflict_threshold={chosen.conflict_threshold:.2f} "
            f"duplicate_threshold={chosen.duplicate_threshold:.2f} (worst {fitted.worst:.3f}, "
            f"mean F1 {fitted.f1:.3f} on {tune.path.name}; {len(fitted.ties)} of "
            f"{len(CONFLICT_GRID) * len(DUPLICATE_GRID)} grid points score as well: conflict "
            f"{span([c for c, _ in fitted.ties])}, duplicate {span([d for _, d in fitted.ties])})"
        )
        print_scores(tune.path.name, "tuned on it", tune.score(settings), args.verbose)
        worst = print_scores(
            held_out.path.name,
            f"held out: thresholds fitted on {tune.path.name}",
            held_out.score(settings),
            args.verbose,
        )
    else:
        for kb in args.kb or SETS:
            labelled = LabelledSet.load(find_set(str(kb)), embedder)
            how = SHIPPED.get(labelled.path.name, "not used for tuning")
            scores = labelled.score(settings)
            worst = min(worst, print_scores(labelled.path.name, how, scores, args.verbose))
    print(
        f"\nsettings.freshness: {settings.freshness.model_dump()}; embedder: "
        f"{embedder.model_name if embedder else 'none'}"
    )
    return 0 if worst >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
