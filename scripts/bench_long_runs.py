"""Time each pattern-reading entry point on long runs, and say whether time grows linearly.

    .venv/bin/python scripts/bench_long_runs.py                       # 4,000 and 16,000 characters
    .venv/bin/python scripts/bench_long_runs.py --lengths 2000 8000 32000 --repeat 5

Each entry point (the redactor, the search's personal-data filter, the words of harm, the voice
and plain renderings, and the freshness check's facts and conditions) reads a lead-in word
followed by a run of spaces, signs or digits, or one sentence holding one figure many times
("$1 $1 $1 ..."), at each length. A row is the slowest lead-in of its entry point and run; its
time is the median of ``--repeat`` calls, each on a text of its own (a suffix tells them apart,
so no cache answers a repeat). Time grows as the length to the power shown: about 1 is
linear, 2 the square, 3 the cube. Below 20 ms the power is mostly noise (marked "fast"); on a
shared machine, run it again before reading one row's power.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge_service.answers.render import markdown_to_plain
from knowledge_service.answers.render_speech import markdown_to_speech
from knowledge_service.answers.risk import risk_kind
from knowledge_service.freshness.conditions import conditions
from knowledge_service.freshness.facts import extract_facts
from knowledge_service.privacy.redaction import redact
from knowledge_service.privacy.search import without_personal_data

ENTRY_POINTS: dict[str, Callable[[str], object]] = {
    "privacy redact": redact,
    "privacy without_personal_data": without_personal_data,
    "answers risk_kind": risk_kind,
    "answers markdown_to_speech": markdown_to_speech,
    "answers markdown_to_plain": markdown_to_plain,
    "freshness extract_facts": extract_facts,
    "freshness conditions": conditions,
}
# Words the patterns read before a run: a card's digits, a keypad code, a condition, an age
# limit, a rule word, a word of harm.
LEAD_INS = ("last 4 of my card", "enter 5", "if 5", "under 5", "able", "free", "kill myself")
RUNS: dict[str, Callable[[str, int], str]] = {
    "spaces": lambda lead, n: lead + " " * n,
    "signs": lambda lead, n: lead + (".,;:!?-*" * n)[:n],
    "digits": lambda lead, n: lead + " " + ("1234567890" * n)[:n],
}
# One sentence stating one figure (or rule word) many times.
FIGURES = ("$1 ", "$1, ", "5% ", "5 days ", "under 5 ", "once a week ", "free ")
FAST = 0.02  # seconds: below it, a ratio of two times says little


def _median_time(function: Callable[[str], object], texts: Sequence[str]) -> float:
    times = []
    for text in texts:
        started = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _cases(length: int, repeat: int) -> dict[str, dict[str, list[str]]]:
    """run -> lead-in -> the texts of its repeats, at ``length`` characters of run."""
    cases: dict[str, dict[str, list[str]]] = {}
    for run, make in RUNS.items():
        cases[run] = {
            lead: [f"{make(lead, length)} x{n}." for n in range(repeat)] for lead in LEAD_INS
        }
    cases["one figure many times"] = {
        figure.strip(): [f"{figure * (length // len(figure))}x{n}." for n in range(repeat)]
        for figure in FIGURES
    }
    return cases


def _power(times: Sequence[float], lengths: Sequence[int]) -> float:
    """The power of the length that time grows as, from the first to the last length."""
    if times[0] <= 0:
        return math.nan
    return math.log(times[-1] / times[0]) / math.log(lengths[-1] / lengths[0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[4000, 16000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="entry points whose name contains this")
    args = parser.parse_args(argv)
    lengths = sorted(args.lengths)
    if len(lengths) < 2:
        parser.error("give two lengths or more")
    by_length = {length: _cases(length, args.repeat) for length in lengths}
    header = "".join(f"{n:>10,}" for n in lengths)
    print(f"{'entry point':31} {'run':22} {'slowest lead-in':18}{header}  power  growth")
    worst = 0.0
    for name, function in ENTRY_POINTS.items():
        if args.only and args.only not in name:
            continue
        for run in by_length[lengths[0]]:
            # each lead-in timed at every length; the row is the slowest at the longest
            rows = {
                lead: [_median_time(function, by_length[n][run][lead]) for n in lengths]
                for lead in by_length[lengths[0]][run]
            }
            lead, times = max(rows.items(), key=lambda item: item[1][-1])
            power = _power(times, lengths)
            if times[-1] < FAST:
                verdict = "fast"
            else:
                verdict = "linear" if power < 1.5 else "square" if power < 2.5 else "cube"
                worst = max(worst, power)
            cells = "".join(f"{t * 1000:8.1f}ms" for t in times)
            print(f"{name:31} {run:22} {lead:18}{cells}  {power:5.2f}  {verdict}")
    ratio = lengths[-1] / lengths[0]
    print(
        f"\nlengths {' and '.join(f'{n:,}' for n in lengths)} characters (x{ratio:g}); medians of"
        f" {args.repeat}; power 1 is linear (time x{ratio:g}), 2 the square (x{ratio**2:g})"
    )
    print(f"worst power past {FAST * 1000:g} ms: {worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
