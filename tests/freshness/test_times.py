"""Times of day: read with their role, time zone and days, and compared only like with like."""

from __future__ import annotations

import pytest

from knowledge_service.freshness.facts import FactKind, extract_facts
from knowledge_service.freshness.matching import (
    ARTICLE_THRESHOLDS,
    CLAUSE_THRESHOLDS,
    find_contradictions,
)
from knowledge_service.freshness.times import describe_time, time_spans


def _times(text: str) -> list[tuple[str, str]]:
    return [(unit, describe_time(value)) for _, unit, value, _, _ in time_spans(text)[0]]


WEEKDAYS = "mon,tue,wed,thu,fri"


@pytest.mark.parametrize(
    ("text", "times"),
    [
        (
            "The library is open Monday to Friday, 9am to 5pm.",
            [(f"from:local:{WEEKDAYS}", "9:00 a.m."), (f"until:local:{WEEKDAYS}", "5:00 p.m.")],
        ),
        (
            "Visitors are welcome from 08:00 to 21:00.",
            [("from:local:any", "8:00 a.m."), ("until:local:any", "9:00 p.m.")],
        ),
        (  # the start takes the end's half of the day unless that puts it after the end
            "The counter opens 9–5pm on weekdays and 10am–2pm on Saturdays.",
            [
                (f"from:local:{WEEKDAYS}", "9:00 a.m."),
                (f"until:local:{WEEKDAYS}", "5:00 p.m."),
                ("from:local:sat", "10:00 a.m."),
                ("until:local:sat", "2:00 p.m."),
            ],
        ),
        (  # the same hours in another zone, in parentheses, are one fact
            "Phone lines are open 8am–8pm ET (5am–5pm PT).",
            [("from:et:any", "8:00 a.m."), ("until:et:any", "8:00 p.m.")],
        ),
        (
            "Check-in starts at 4 p.m. and check-out is by 10:30 a.m.",
            [("from:local:any", "4:00 p.m."), ("until:local:any", "10:30 a.m.")],
        ),
        ("Orders placed before 1 p.m. leave the same day.", [("until:local:any", "1:00 p.m.")]),
        (
            "Call us between 7am and 7pm.",
            [("from:local:any", "7:00 a.m."), ("until:local:any", "7:00 p.m.")],
        ),
        (  # a dot between hour and minutes, as British and Australian styles write them
            "Call us between 8.30am and 6pm AEST, Monday to Friday.",
            [(f"from:aet:{WEEKDAYS}", "8:30 a.m."), (f"until:aet:{WEEKDAYS}", "6:00 p.m.")],
        ),
        (
            "We're open from 8.30am to 5.15 p.m.",
            [("from:local:any", "8:30 a.m."), ("until:local:any", "5:15 p.m.")],
        ),
        (  # hours said in words, with the part of the day ("half seven": 7:30, British)
            "We're open from 8am until half seven in the evening.",
            [("from:local:any", "8:00 a.m."), ("until:local:any", "7:30 p.m.")],
        ),
        (
            "Quiet hours start at ten at night and end at six in the morning.",
            [("from:local:any", "10:00 p.m."), ("until:local:any", "6:00 a.m.")],
        ),
        ("The gates lock at twelve at night.", [("at:local:any", "midnight")]),
        (
            "The gym stays open until midnight on public holidays.",
            [("until:local:hol", "midnight")],
        ),
        (
            "Bins are collected at 6am and 6pm.",
            [("at:local:any", "6:00 a.m."), ("at:local:any", "6:00 p.m.")],
        ),
        ("Doors close at 9:30 on Fridays.", []),  # which half of the day: not said
        (  # days named one after another are one list
            "On Saturday and Sunday we close at 6pm.",
            [("until:local:sat,sun", "6:00 p.m.")],
        ),
        (
            "Open Monday, Wednesday and Friday 9am to 5pm.",
            [("from:local:mon,wed,fri", "9:00 a.m."), ("until:local:mon,wed,fri", "5:00 p.m.")],
        ),
    ],
)
def test_times_of_day_are_read_with_role_zone_and_days(
    text: str, times: list[tuple[str, str]]
) -> None:
    assert _times(text) == times


@pytest.mark.parametrize(
    "days",
    ["Monday to Sunday", "Mon–Sun", "every day", "daily", "seven days a week", "7 days a week"],
)
def test_the_whole_week_is_any_day_however_it_is_written(days: str) -> None:
    """ "Monday to Sunday" named seven days where "every day" names none, so the two closing
    times of one phone line (8pm and 6pm) were never compared."""
    article = extract_facts(f"Our phone lines are open 8am to 8pm, {days}.")
    clause = extract_facts("Our phone lines are open 8am to 6pm, every day.")
    assert [f.unit for f in article if f.kind == FactKind.TIME] == [
        "from:local:any",
        "until:local:any",
    ]
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [("8:00 p.m.", "6:00 p.m.")]


def test_a_clock_time_is_never_read_as_another_number() -> None:
    facts = extract_facts("Doors close at 9:30 on Fridays and the kiosk at 5pm.")
    assert [f.kind for f in facts if f.kind != FactKind.RULE] == [FactKind.TIME]


def test_a_dotted_time_is_compared_as_a_time_and_an_amount_stays_money() -> None:
    """ "8.30am" was read as nothing, so a phone line's hours written so never met another's."""
    article = extract_facts("Call us between 8.30am and 6pm, Monday to Friday.")
    clause = extract_facts("Phone lines are open 8.30am to 8pm, Monday to Friday.")
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [("6:00 p.m.", "8:00 p.m.")]
    assert [f.key for f in extract_facts("Printing costs $8.30 a page.")] == ["money:AUD:8.30"]


def test_a_closing_time_that_differs_is_a_contradiction() -> None:
    article = extract_facts("Our customer centre is open Monday to Friday, 8am to 5pm.")
    clause = extract_facts("The customer centre opens 8am–6pm Monday to Friday.")
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [("5:00 p.m.", "6:00 p.m.")]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (  # Saturday's hours against the weekdays'
            "The customer centre is open Saturday 9am to 1pm.",
            "The customer centre is open Monday to Friday, 9am to 5pm.",
        ),
        (  # an opening time against a closing time
            "Check-in at the front desk starts at 3 p.m.",
            "Check-out at the front desk is by 11 a.m.",
        ),
        (  # Eastern against Pacific
            "Live chat runs 9am–6pm ET.",
            "Live chat runs 9am–5pm PT.",
        ),
    ],
)
def test_times_of_other_days_roles_or_zones_are_not_compared(one: str, other: str) -> None:
    a, b = extract_facts(one), extract_facts(other)
    times = [c for c in find_contradictions(a, b, ARTICLE_THRESHOLDS) if c.fact.kind == "time"]
    assert times == []


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Standard check-out is 11 a.m.", "until"),
        ("Check-in time is 4 p.m. on the day you arrive.", "from"),
        ("You may stay as late as 1 p.m. for a fee.", "until"),
        ("The pool opens at 6am.", "from"),
        ("The last entry is 8:30 p.m.", "until"),
        ("Collections are at 7am.", "at"),
    ],
)
def test_a_single_time_takes_its_role_from_the_words_before_it(text: str, role: str) -> None:
    assert [unit.split(":")[0] for unit, _ in _times(text)] == [role]


def test_an_article_stating_the_clause_time_beside_a_later_exception_agrees() -> None:
    """Standard check-out at 11 and a late check-out until 1 p.m., against a clause's
    "check out by 11:00 a.m.": the article states the clause's time."""
    article = extract_facts(
        "Standard check-out is 11 a.m. You can approve a late check-out until 1 p.m. for a fee."
    )
    clause = extract_facts("Guests check out by 11:00 a.m. on the day of departure.")
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


def test_check_in_and_check_out_are_two_subjects() -> None:
    """Their particle tells them apart ("in" and "out" are stop words on their own)."""
    check_in = extract_facts("Check-in is from 3 p.m.")
    check_out = extract_facts("You can check out until noon.")
    assert "checkin" in check_in[0].subject
    assert "checkout" in check_out[0].subject


def test_hours_that_run_past_midnight_are_not_compared_with_daytime_hours() -> None:
    """An emergency hospital open "6 pm to 8 am" keeps the hours the clinics ("8 am to 6
    pm") do not: its 8 am is when it closes, the clinics' 6 pm when they close, and neither
    contradicts the other. Two overnight ranges are still compared."""
    nights = extract_facts("The emergency hospital is open from 6 pm to 8 am Monday to Friday.")
    days = extract_facts("The emergency hospital is open 8 am to 6 pm Monday to Friday.")
    assert find_contradictions(nights, days, ARTICLE_THRESHOLDS) == []
    later = extract_facts("The emergency hospital is open from 6 pm to 9 am Monday to Friday.")
    found = find_contradictions(nights, later, ARTICLE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [("8:00 a.m.", "9:00 a.m.")]
    assert [u.split(":")[0] for u, _ in _times("Open 9pm to midnight.")] == ["from", "until"]


def test_a_time_zone_after_pm_goes_on_the_sentence() -> None:
    """ "8 p.m. Eastern, Monday to Friday, and 9 a.m. to 1 p.m. Eastern on Saturday" is one
    sentence: the weekday closing time is Eastern and on weekdays, and it contradicts another
    text's weekday closing at 9 p.m. ET (the sentence was cut after "p.m.", so the hours lost
    their zone and their days). "5 p.m. UK customers ..." still ends one."""
    phone = extract_facts(
        "Loan specialists are available 8 a.m. to 8 p.m. Eastern, Monday to Friday, and 9 a.m. "
        "to 1 p.m. Eastern on Saturday."
    )
    centre = extract_facts(
        "Our servicing center is open Monday through Friday, 8 a.m. to 9 p.m. ET."
    )
    assert {(f.unit, f.value) for f in phone if f.kind == FactKind.TIME} >= {
        ("until:et:mon,tue,wed,thu,fri", 1200.0),
        ("until:et:sat", 780.0),
    }
    found = find_contradictions(phone, centre, ARTICLE_THRESHOLDS)
    assert [(c.fact.value, c.other.value) for c in found] == [(1200.0, 1260.0)]
    assert [f.sentence for f in extract_facts("We close at 5 p.m. UK customers pay £3.")] == [
        "We close at 5 p.m.",
        "UK customers pay £3.",
    ]


def test_a_tables_times_take_the_zone_its_header_names() -> None:
    """Under a column "Hours (ET)", "7 a.m. – 7 p.m." in the row "Monday–Friday" closes at 7
    p.m. Eastern on weekdays, so it contradicts "7 a.m. to 9 p.m. ET, Monday through Friday"
    (it was read as local time, which no zone is compared with)."""
    table = extract_facts(
        "| Day | Hours (ET) |\n|---|---|\n| Monday–Friday | 7 a.m. – 7 p.m. |\n"
        "| Saturday | 9 a.m. – 12 p.m. |\n"
    )
    assert {(f.unit, f.value) for f in table if f.kind == FactKind.TIME} == {
        ("from:et:mon,tue,wed,thu,fri", 420.0),
        ("until:et:mon,tue,wed,thu,fri", 1140.0),
        ("from:et:sat", 540.0),
        ("until:et:sat", 720.0),
    }
    prose = extract_facts("Call us 7 a.m. to 9 p.m. ET, Monday through Friday.")
    found = find_contradictions(prose, table, ARTICLE_THRESHOLDS)
    assert [(c.fact.value, c.other.value) for c in found] == [(1260.0, 1140.0)]
    local = extract_facts("| Day | Hours |\n|---|---|\n| Saturday | 9 a.m. – 12 p.m. |\n")
    assert {f.unit for f in local if f.kind == FactKind.TIME} == {
        "from:local:sat",
        "until:local:sat",
    }
