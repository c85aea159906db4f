"""Opening hours two answers of one topic give for the same days, written in other words."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from knowledge_service.freshness.checker import ArticleEmbedding, run_check
from knowledge_service.freshness.schemas import FindingKind
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import make_article

SETTINGS = Settings(embedding_model="hash")
PHONE_TABLE = "| Channel | Details |\n|---|---|\n| Phone, 0800 555 314 | 7am – 9pm, every day |"


def conflicts(first: str, second: str, intents: tuple[str, str]) -> list[Any]:
    a = make_article("contact-us", title="How do I get in touch?", intents=[intents[0]],
                     answer=first, body="")  # fmt: skip
    b = make_article("when-open", title="When are you open?", intents=[intents[1]],
                     answer=second, body="")  # fmt: skip
    result = run_check([a, b], [], today=TODAY, settings=SETTINGS)
    return [f for f in result.findings if f.kind == FindingKind.CONFLICT]


@pytest.mark.parametrize(
    ("first", "second", "times"),
    [
        (  # who answers and the days, each in other words
            "Our customer team is available 8am to 8pm, Monday to Friday.",
            "Our lines are open 8am to 6pm on weekdays.",
            ("8:00 p.m.", "6:00 p.m."),
        ),
        (
            "Our phone team is here from 9am until 5pm on weekdays.",
            "Our customer service lines are open from 9am to 7pm, Monday to Friday, and from "
            "9am to noon on Saturdays.",
            ("5:00 p.m.", "7:00 p.m."),
        ),
        (  # a table row naming the channel with its number
            "Our contact centre is open from 7am until 6pm, seven days a week.",
            PHONE_TABLE,
            ("6:00 p.m.", "9:00 p.m."),
        ),
    ],
)
def test_the_one_closing_time_each_answer_gives_for_the_same_days_is_compared_in_any_words(
    first: str, second: str, times: tuple[str, str]
) -> None:
    """A contact centre's hours are written with other words in each article ("our customer
    team is available", "our lines are open", "our contact centre"); when each answer gives one
    closing time for the same days, the two are one fact."""
    (finding,) = conflicts(first, second, ("contact.channels", "contact.hours"))
    assert finding.article_ids == ["contact-us", "when-open"]
    assert all(t in finding.message for t in times)
    assert "both answers give opening hours for these days, in one topic (contact)" in (
        finding.message
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # two places, one named far from the weekend hours
            "Harbour Central Library: 9am to 8pm on weekdays, 10am to 4pm on Saturdays and "
            "Sundays.",
            "Swim at the Aquatic Centre from 6am to 9pm, Monday to Friday, and 7am to 7pm at "
            "weekends.",
        ),
        (  # another line
            "Claims: call 0800 100 200, 8am to 10pm, Monday to Friday.",
            "Our customer service lines are open 8am to 6pm on weekdays.",
        ),
        (  # another channel
            "Webchat is available 8am to 10pm, Monday to Friday.",
            "Our phone lines are open 8am to 6pm on weekdays.",
        ),
    ],
)
def test_the_hours_of_two_things_of_one_topic_do_not_conflict(first: str, second: str) -> None:
    """Each answer gives one closing time for weekdays, but one names a place, a line or a
    channel the other never names: those are another thing's hours."""
    assert conflicts(first, second, ("visits.hours", "visits.times")) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "The library is open from 9am to 8pm, Monday to Friday.",
            "The aquatic centre is open from 6am to 9pm, Monday to Friday.",
        ),
        (
            "Central Library is open from 9am to 8pm, Monday to Friday, and 10am to 4pm on "
            "weekends.",
            "The Aquatic Centre is open from 6am to 9pm, Monday to Friday, and 10am to 4pm on "
            "weekends.",
        ),
        (
            "The library is open 9am to 8pm on weekdays and 10am to 4pm on Saturdays.",
            "The pool is open 9am to 6pm on weekdays and 10am to 4pm on Saturdays.",
        ),
    ],
)
def test_two_things_hours_in_alike_words_do_not_conflict(first: str, second: str) -> None:
    """Two sentences alike but for the place they name ("The library is open ..." and "The
    aquatic centre is open ...") are close enough for their times to be compared as any two
    facts of one need are; the place one names and the other never does holds them apart
    there too, not only when they are compared whatever their words."""
    assert conflicts(first, second, ("visits.hours", "visits.times")) == []


@pytest.mark.parametrize(
    ("first", "second", "times"),
    [
        (
            "The library is open from 9am to 8pm, Monday to Friday.",
            "Our library is open 9am to 6pm on weekdays.",
            ("8:00 p.m.", "6:00 p.m."),
        ),
        (  # words of one's own on one side only: not a thing the other's hours are not
            "It's open 7am to 8pm, Monday to Friday.",
            "You can pick up your car from 7am to 10pm, Monday to Friday.",
            ("8:00 p.m.", "10:00 p.m."),
        ),
        (  # words of their own on both sides, but one of them both name
            "Chat with us Monday to Friday, 9am to 5pm, from the Help menu in the app.",
            "Chat and phone support are open Monday to Friday, 9am to 6pm, except public holidays.",
            ("5:00 p.m.", "6:00 p.m."),
        ),
        (  # who answers, and a servicing center, which is the contact centre
            "Loan specialists are available 8am to 8pm, Monday to Friday.",
            "Our servicing center is open Monday through Friday, 8am to 9pm.",
            ("8:00 p.m.", "9:00 p.m."),
        ),
    ],
)
def test_one_things_hours_in_alike_words_still_conflict(
    first: str, second: str, times: tuple[str, str]
) -> None:
    """One thing's closing time on weekdays stated two ways is still a conflict: the names
    test for times whose words are alike holds apart only two sentences that each name
    something of their own and nothing in common."""
    (finding,) = conflicts(first, second, ("visits.hours", "visits.times"))
    assert all(t in finding.message for t in times)
    assert "both answers give opening hours for these days, in one topic (visits)" in (
        finding.message
    )


def _vectors(need: float) -> dict[str, ArticleEmbedding]:
    """Vectors of the two articles whose whole, answer and question similarities are
    ``need``."""
    first = np.array([1.0, 0.0], dtype=np.float32)
    second = np.array([need, math.sqrt(1 - need * need)], dtype=np.float32)
    return {
        "library-hours": ArticleEmbedding(first, first, first),
        "centre-hours": ArticleEmbedding(second, second, second),
    }


# How two articles come to be compared: a shared intent; no shared intent, but their
# questions and answers close enough to answer one need (at least the 0.60 threshold); or just
# under it, a near need. Their topics differ, so they are never compared for their hours
# (WHY: what the finding says of the route).
ROUTES = {
    "shared intent": (("visits.hours", "visits.hours"), None),
    "same need": (("library.hours", "pools.hours"), 0.7),
    "near need": (("library.hours", "pools.hours"), 0.55),
}
WHY = {
    "shared intent": "both answer visits.hours",
    "same need": "they answer the same need under different intents",
    "near need": "they answer close needs",
}


def route_conflicts(first: str, second: str, route: str) -> list[Any]:
    intents, need = ROUTES[route]
    a = make_article("library-hours", title="When is it open?", intents=[intents[0]],
                     answer=first, body="", policy_sources=[])  # fmt: skip
    b = make_article("centre-hours", title="When is it open?", intents=[intents[1]],
                     answer=second, body="", policy_sources=[])  # fmt: skip
    vectors = _vectors(need) if need is not None else None
    result = run_check([a, b], [], today=TODAY, settings=SETTINGS, vectors=vectors)
    return [f for f in result.findings if f.kind == FindingKind.CONFLICT]


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "The library is open from 9am to 8pm, Monday to Friday.",
            "The aquatic centre is open from 6am to 9pm, Monday to Friday.",
        ),
        ("The library opens at 9am.", "The aquatic centre opens at 6am."),
    ],
)
def test_two_things_hours_do_not_conflict_however_the_articles_are_paired(
    first: str, second: str, route: str
) -> None:
    """The library's hours and the aquatic centre's are two places' hours whether the two
    articles share an intent, answer one need in other intents or close needs, not only when
    they are compared for their hours."""
    assert route_conflicts(first, second, route) == []


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize(
    ("first", "second", "times"),
    [
        (
            "The library is open from 9am to 8pm, Monday to Friday.",
            "The library is open from 9am to 6pm, Monday to Friday.",
            ("8:00 p.m.", "6:00 p.m."),
        ),
        ("The library opens at 9am.", "The library opens at 10am.", ("9:00 a.m.", "10:00 a.m.")),
    ],
)
def test_one_places_hours_still_conflict_however_the_articles_are_paired(
    first: str, second: str, times: tuple[str, str], route: str
) -> None:
    """One place's two closing (or opening) times are still a conflict on each of those
    routes: the names test holds apart only two sentences that each name a place of their
    own."""
    (finding,) = route_conflicts(first, second, route)
    assert finding.article_ids == ["centre-hours", "library-hours"]
    assert all(t in finding.message for t in times)
    assert WHY[route] in finding.message


WHANAU_ROOM = "The Whānau Room is open from 7am to 9pm, Monday to Friday."


def any_route_conflicts(first: str, second: str, route: str) -> list[Any]:
    """:func:`conflicts` for the hours route (one topic), else :func:`route_conflicts`."""
    if route == "hours":
        return conflicts(first, second, ("visits.hours", "visits.times"))
    return route_conflicts(first, second, route)


@pytest.mark.parametrize("route", ["hours", *sorted(ROUTES)])
def test_names_in_letters_beyond_a_to_z_are_whole_words(route: str) -> None:
    """ "Whānau" and "Whāriki" are two words, not "wh" and "nau" beside "wh" and "riki": the
    Whānau Room's hours and the Whāriki Café's share no name, so they are two places'."""
    cafe = "Whāriki Café is open from 7am to 3pm, Monday to Friday."
    assert any_route_conflicts(WHANAU_ROOM, cafe, route) == []


def test_one_place_named_beyond_a_to_z_still_conflicts() -> None:
    """The Whānau Room's two closing times are one place's, read in letters of any script."""
    other = "The Whānau Room is open from 7am to 8pm, Monday to Friday."
    (finding,) = conflicts(WHANAU_ROOM, other, ("visits.hours", "visits.times"))
    assert all(t in finding.message for t in ("9:00 p.m.", "8:00 p.m."))


@pytest.mark.parametrize("route", ["hours", *sorted(ROUTES)])
def test_one_name_accented_or_not_is_one_places(route: str) -> None:
    """ "Whāriki Café" and "Whariki Cafe" are one café's name, written with its accents and
    without: its two closing times conflict, on the hours route and every other."""
    accented = "Whāriki Café is open from 7am to 3pm, Monday to Friday."
    plain = "Whariki Cafe is open from 7am to 4pm, Monday to Friday."
    (finding,) = any_route_conflicts(accented, plain, route)
    assert all(t in finding.message for t in ("3:00 p.m.", "4:00 p.m."))


@pytest.mark.parametrize("route", ["hours", *sorted(ROUTES)])
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "Central Library is open from 9am to 8pm, Monday to Friday.",
            "Harbour Library is open from 9am to 6pm, Monday to Friday.",
        ),
        (
            "The Northcote Library is open from 9am to 8pm, Monday to Friday.",
            "The Harbour Library is open from 9am to 6pm, Monday to Friday.",
        ),
        (
            "The indoor pool is open from 6am to 9pm, Monday to Friday.",
            "The outdoor pool is open from 6am to 7pm, Monday to Friday.",
        ),
    ],
)
def test_two_names_of_one_head_noun_are_two_places(first: str, second: str, route: str) -> None:
    """ "Central Library" and "Harbour Library" share "Library", but each names it with a word
    of its own the other never says: two libraries' hours, on the hours route and every other
    ("Central", a time zone's name, is a name's word before "Library")."""
    assert any_route_conflicts(first, second, route) == []


@pytest.mark.parametrize("route", ["hours", *sorted(ROUTES)])
@pytest.mark.parametrize(
    "second",
    [
        "The Central Library is open from 9am to 6pm, Monday to Friday.",
        "The library is open from 9am to 6pm, Monday to Friday.",
        "Library hours are 9am to 6pm, Monday to Friday.",
    ],
)
def test_a_name_and_the_name_or_its_head_noun_alone_are_one_place(second: str, route: str) -> None:
    """ "Central Library" and "the Central Library", or "the library" referring back to it, are
    one library: its two closing times conflict."""
    first = "Central Library is open from 9am to 8pm, Monday to Friday."
    (finding,) = any_route_conflicts(first, second, route)
    assert all(t in finding.message for t in ("8:00 p.m.", "6:00 p.m."))


def test_a_time_zones_name_before_time_or_standard_names_no_place() -> None:
    """ "Central Time" and "Central Standard Time" are one zone, no place's name: a contact
    centre's two closing times there conflict."""
    lines = (
        "Our lines are open 8am to 8pm Central Time, Monday to Friday.",
        "Our lines are open 8am to 6pm Central Standard Time, Monday to Friday.",
    )
    (finding,) = conflicts(*lines, ("contact.hours", "contact.times"))
    assert all(t in finding.message for t in ("8:00 p.m.", "6:00 p.m."))


@pytest.mark.parametrize("route", ["shared intent", "same need"])  # the routes that compare them
def test_words_apart_with_others_between_them_name_no_place(route: str) -> None:
    """A word of a sentence's own names a shared word apart only right before it as written:
    "Check-in starts at 2 p.m. on your arrival day" names no "start arrival" (its content
    words alone put "start" beside "arrival", and "ready" so beside it in the other), so
    check-in at 2 p.m. and a campsite ready from 3 p.m. on the arrival day still conflict (the
    parks set's planted pair, lost while the names test read content words alone)."""
    first = "Check-in starts at 2 p.m. on your arrival day."
    second = "Your campsite will be ready for you from 3 p.m. on your arrival day."
    assert len(any_route_conflicts(first, second, route)) == 1
