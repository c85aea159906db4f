"""Fact extraction and normalisation: units, number words, business days, non-facts."""

from __future__ import annotations

import pytest

from knowledge_service.freshness.facts import (
    ANSWER_SECTION,
    Fact,
    FactKind,
    calendar_days,
    charge_kind,
    extract_facts,
    read_sentence,
    same_scale,
    same_value,
)
from knowledge_service.freshness.matching import (
    ARTICLE_THRESHOLDS,
    CLAUSE_THRESHOLDS,
    find_contradictions,
    subject_similarity,
)
from knowledge_service.freshness.text import (
    content_terms,
    named_number_words,
    split_sentences,
    words_with_positions,
)


def _numeric_keys(text: str) -> list[str]:
    """The keys of every fact but the yes/no rules that ``text`` states, sorted."""
    return sorted(f.key for f in extract_facts(text) if f.kind != FactKind.RULE)


def only(text: str) -> Fact:
    facts = [f for f in extract_facts(text) if f.kind != FactKind.RULE]
    assert len(facts) == 1, [f.key for f in facts]
    return facts[0]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("The fee is $25.", "money:AUD:25.00"),
        ("The fee is $30.00 per bill.", "money:AUD:30.00"),
        ("A charge of AUD 25 applies.", "money:AUD:25.00"),
        ("It costs $1,250.50 in total.", "money:AUD:1250.50"),
        ("It costs 25 dollars.", "money:AUD:25.00"),
        ("Each SMS costs 50c.", "money:AUD:0.50"),
        ("A surcharge of 5% applies.", "percent:percent:5.00"),
        ("A surcharge of 7.5 per cent applies.", "percent:percent:7.50"),
        ("You get five percent off.", "percent:percent:5.00"),
        ("Refunds take 10 business days.", "duration:business_day:10.00"),
        ("Refunds take ten working days.", "duration:business_day:10.00"),
        ("Refunds take 14 days.", "duration:day:14.00"),
        ("Refunds take two weeks.", "duration:day:14.00"),
        ("Refunds take a fortnight.", "duration:day:14.00"),
        ("Refunds arrive within a week.", "duration:day:7.00"),
        ("We reply within 48 hours.", "duration:day:2.00"),
        ("Plans run for twenty-one days.", "duration:day:21.00"),
        ("You can have up to 3 extensions.", "count:count:3.00"),
        ("You can have at most two extensions.", "count:count:2.00"),
        ("No more than one fee is charged.", "count:count:1.00"),
        ("If 2 instalments are missed, the plan ends.", "count:count:2.00"),
        ("You can ask twice a year.", "duration:day:182.62"),  # every 6 months
        ("Bring three identity documents.", "count:count:3.00"),
        ("Reaching 13 or more demerit points leads to a suspension.", "count:count:13.00"),
        ("A concession applies to one vehicle only.", "count:count:1.00"),
        ("It is capped at two hundred and fifty dollars a year.", "money:AUD:250.00"),
        ("The bond is one thousand five hundred dollars.", "money:AUD:1500.00"),
        ("The cap is a thousand dollars.", "money:AUD:1000.00"),
        ("Plans run for one hundred and twenty days.", "duration:day:120.00"),
        ("We cover two check-ups and cleans a year.", "count:count:2.00"),
    ],
)
def test_extracts_and_normalises_each_unit(text: str, key: str) -> None:
    assert only(text).key == key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Pay within two weeks.", "Pay within 14 days."),
        ("The fee is $30.", "The fee is $30.00."),
        ("The fee is AUD 30.", "The fee is 30 dollars."),
        ("Refunds take a fortnight.", "Refunds take 14 days."),
        ("Refunds take one month.", "Refunds take 30 days."),
        ("Plans run for 12 months.", "Plans run for one year."),
        ("A discount of 3%.", "A discount of three per cent."),
        ("Within ten business days.", "Within 10 working days."),
    ],
)
def test_same_fact_in_other_words_is_the_same_value(first: str, second: str) -> None:
    assert same_value(only(first), only(second))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Refunds take 10 business days.", "Refunds take 10 days."),
        ("Refunds take 10 business days.", "Refunds take 14 days."),
        ("The fee is $30.", "The fee is $30.50."),
        ("Plans run for one month.", "Plans run for four weeks."),
    ],
)
def test_different_values_and_business_days_stay_apart(first: str, second: str) -> None:
    assert not same_value(only(first), only(second))


@pytest.mark.parametrize(
    ("business", "calendar", "bounds"),
    [
        ("Refunds take 2 business days.", "Refunds take 24 hours.", (2.0, 7.0)),
        ("Refunds take 5 working days.", "Refunds take a week.", (5.0, 10.0)),
        ("Refunds take 10 business days.", "Refunds take 14 days.", (12.0, 17.0)),
    ],
)
def test_business_days_are_a_range_of_calendar_days(
    business: str, calendar: str, bounds: tuple[float, float]
) -> None:
    """n business days are n calendar days plus the weekends inside them, up to every
    weekend they can cross and a few holidays: never equal to a calendar figure, and only
    clearly different from one outside that range."""
    b, c = only(business), only(calendar)
    assert calendar_days(b) == bounds
    assert not same_value(b, c)
    outside = c.value < bounds[0] or c.value > bounds[1]
    assert same_scale(b, c) is outside
    assert same_scale(c, b) is outside


def test_notice_is_a_lead_time_before_and_compared_across_units() -> None:
    """ "2 business days' notice" is how long before: a clause's notice period contradicts an
    article's "up to 24 hours before" (it cannot be two business days), though the words
    around the two numbers differ."""
    clause = extract_facts(
        "A test may be moved or cancelled without losing the fee when at least 2 business "
        "days' notice is given."
    )
    notice = next(f for f in clause if f.kind == FactKind.DURATION)
    assert "<before>" in notice.subject
    late = extract_facts("You can move your test for free up to 24 hours before it.")
    found = find_contradictions(late, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.text, c.other.text) for c in found] == [("24 hours", "2 business days'")]


@pytest.mark.parametrize(
    "text",
    [
        "Call us on 13 22 55 any time.",
        "Call 1300 555 010 for help.",
        "This applies to bills issued from 1 October 2026.",
        "This applies from 2026-10-01.",
        "It was introduced in 2019.",
        "See section 3.2 of the policy.",
        "See clause 2.1 and FEES#2.4.",
        "Use biller code 221144.",  # (times of day are facts of their own: test_times.py)
        "Change reference FC-2026-07 applies.",
        "Press option 3 to speak to us.",
    ],
)
def test_numbers_that_are_not_facts_are_ignored(text: str) -> None:
    assert [f for f in extract_facts(text) if f.kind != FactKind.RULE] == []


@pytest.mark.parametrize(
    ("text", "unit", "yes"),
    [
        ("You can pay in cash at our stores.", "permission", True),
        ("Cash cannot be accepted at our stores.", "permission", False),
        ("Refunds must not be paid to a third party.", "permission", False),
        ("The new holder must provide photo ID.", "obligation", True),
        ("The new holder doesn't need to provide photo ID.", "obligation", False),
        ("Extensions are free of charge.", "charge", False),
        ("The reconnection fee is waived for hardship customers.", "charge", False),
        ("Late payers are charged a reminder fee.", "charge", True),
        ("Pensioners don't pay a registration fee.", "charge", False),
        ("Renewing a permit does not need a new certificate.", "obligation", False),
        ("A first application needs a medical certificate.", "obligation", True),
        ("For 15 days after expiry you may keep driving.", "permission", True),
        ("Drivers have to pass an eyesight test.", "obligation", True),
        ("Another person cannot renew a licence for you.", "permission", False),
        ("Flag the account so no supply restriction can be raised.", "permission", False),
        ("No matter how you pay, you can ask for a receipt.", "permission", True),
        ("Transfers between your own accounts are fee-free.", "charge", False),
    ],
)
def test_yes_no_rules(text: str, unit: str, yes: bool) -> None:
    rules = [f for f in extract_facts(text) if f.kind == FactKind.RULE and f.unit == unit]
    assert [bool(f.value) for f in rules] == [yes]


def test_minutes_are_durations_and_stay_apart() -> None:
    sixty, ninety = only("Transfers are free within 60 minutes."), only("within ninety minutes")
    assert (sixty.kind, ninety.kind) == (FactKind.DURATION, FactKind.DURATION)
    assert not same_value(sixty, ninety) and sixty.key != ninety.key
    assert same_value(sixty, only("Transfers are free within one hour."))
    assert (sixty.describe(), ninety.describe()) == ("1 hour", "1.5 hours")
    assert only("Wait at least 15 minutes.").describe() == "15 minutes"


@pytest.mark.parametrize(
    "text",
    ["A card may not hold a balance of more than $250.", "A card can hold up to $250."],
)
def test_a_permission_that_bounds_a_number_is_the_number_not_a_rule(text: str) -> None:
    assert [f.key for f in extract_facts(text)] == ["money:AUD:250.00"]


def test_subject_tells_two_amounts_in_one_sentence_apart() -> None:
    clause = extract_facts("Reconnection costs $45.00 in business hours and $90.00 after hours.")
    article = extract_facts("Reconnection is $45 during business hours and $95 after hours.")
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [("money:AUD:95.00", "money:AUD:90.00")]


def test_facts_about_residential_and_business_customers_are_different_facts() -> None:
    residential = extract_facts("Residential customers pay a late fee of $12.50.")
    business = extract_facts("Business customers pay a late fee of $25.00.")
    assert find_contradictions(residential, business, CLAUSE_THRESHOLDS) == []


@pytest.mark.parametrize(
    ("general", "narrower"),
    [
        (
            "Registering a car for twelve months costs $325.",
            "Pensioner Concession Card holders pay no registration fee.",
        ),
        (
            "A five-year licence costs $68.50 to renew.",
            "If you hold a Seniors Card, a five-year renewal costs $34.25.",
        ),
        ("The driving test costs $59.", "From 1 January 2027 the driving test will cost $62."),
        (
            "The late payment fee is $15.",
            "No. While you're in our hardship program we don't charge late payment fees.",
        ),
        (
            "Learners must hold the licence for at least 12 months before the test.",
            "If you're 25 or older, learners must hold it for at least six months before the test.",
        ),
    ],
)
def test_a_condition_that_narrows_a_rule_does_not_contradict_it(
    general: str, narrower: str
) -> None:
    a, b = extract_facts(general), extract_facts(narrower)
    assert find_contradictions(a, b, ARTICLE_THRESHOLDS) == []
    assert find_contradictions(b, a, ARTICLE_THRESHOLDS) == []
    assert find_contradictions(b, a, CLAUSE_THRESHOLDS) == []  # an exception to the clause


def test_a_clause_for_one_group_binds_an_article_that_leaves_the_group_out() -> None:
    clause = extract_facts("A full licence holder may elect a good behaviour period of 12 months.")
    article = extract_facts("The good behaviour period lasts six months.")
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [
        ("duration:day:182.62", "duration:day:365.25")
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "If you hold a full licence, 13 or more demerit points lead to a suspension.",
            "Full licence holders are suspended once they reach twelve demerit points.",
        ),
        ("There is no fee to request a review.", "An internal review costs $30."),
        (
            "Refunds must not be paid to a third party's account.",
            "Refunds can be paid to a third party's account if you ask in writing.",
        ),
        (
            "Payment plans need fines of $200 or more.",
            "Payment plans need fines of at least $500.",
        ),
    ],
)
def test_the_same_condition_or_none_still_contradicts(first: str, second: str) -> None:
    found = find_contradictions(extract_facts(second), extract_facts(first), CLAUSE_THRESHOLDS)
    assert len(found) == 1, found


def test_the_value_stated_about_another_subject_does_not_confirm_a_contradiction() -> None:
    clause = extract_facts("Approved refunds are paid within 10 business days.")
    article = extract_facts(
        "We pay your refund within 30 business days. You can change your bank details within "
        "10 business days.",
        section=ANSWER_SECTION,
    )
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.text, c.other.text) for c in found] == [
        ("30 business days", "10 business days")
    ]


def test_an_amount_does_not_contradict_a_free_rule_the_text_also_states() -> None:
    clause = extract_facts(
        "No fee is charged for a permit. A lost permit costs $15; a stolen one is replaced free."
    )
    article = extract_facts("Permits are free. If you lose your permit, a replacement costs $15.")
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Drivers over 80 have to have their eyes checked.", "age:over:80.00"),
        ("From age seventy-five, you need to pass an eyesight test.", "age:over:75.00"),
        ("Drivers aged 75 years or older must pass a test.", "age:over:75.00"),
        ("If you are under 25, you log at least 20 night hours.", "age:under:25.00"),
    ],
)
def test_age_limits_are_facts(text: str, key: str) -> None:
    assert key in [f.key for f in extract_facts(text)]


@pytest.mark.parametrize(
    "text", ["Heavy vehicles over 4.5 tonnes pay more.", "Fines over 200 dollars can be split."]
)
def test_weights_and_amounts_are_not_ages(text: str) -> None:
    assert not [f for f in extract_facts(text) if f.kind == FactKind.AGE]


def test_a_different_age_limit_contradicts_and_the_other_side_does_not() -> None:
    clause = extract_facts("Drivers aged 75 years or older must pass an eyesight test.")
    article = extract_facts("Drivers over 80 must pass an eyesight test.")
    found = find_contradictions(article, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [("age:over:80.00", "age:over:75.00")]
    younger = extract_facts("Drivers under 75 need no eyesight test.")
    assert not [
        c for c in find_contradictions(younger, clause, CLAUSE_THRESHOLDS) if c.fact.kind == "age"
    ]


ONLY_HOLDER = "Only the licence holder can renew a licence; nobody else can do it for you."


def test_only_one_person_may_is_a_prohibition_for_anyone_else() -> None:
    holder = extract_facts(ONLY_HOLDER)
    assert [(f.key, f.text) for f in holder] == [
        ("rule:permission:no", "nobody else can do it for you.")
    ]
    proxy = extract_facts(
        "A family member can renew your licence for you if they bring a letter of authority."
    )
    assert len(find_contradictions(holder, proxy, ARTICLE_THRESHOLDS)) == 1
    yourself = extract_facts("You can renew your licence online.")
    assert find_contradictions(holder, yourself, ARTICLE_THRESHOLDS) == []
    assert find_contradictions(yourself, holder, ARTICLE_THRESHOLDS) == []


def test_a_named_charge_is_not_an_amount_the_other_text_never_names() -> None:
    prices = extract_facts("Registering a car for twelve months costs $325.", context="Car rego")
    transfer = extract_facts("The transfer fee is $35.", context="Car rego")
    assert find_contradictions(prices, transfer, ARTICLE_THRESHOLDS) == []
    assert find_contradictions(transfer, prices, ARTICLE_THRESHOLDS) == []
    other_name = extract_facts("The transfer charge is $40.", context="Car rego")
    assert len(find_contradictions(other_name, transfer, ARTICLE_THRESHOLDS)) == 1


def test_a_price_list_length_is_not_a_lone_deadline() -> None:
    prices = extract_facts(
        "Registering a car for twelve months costs $325. Six months is $170.", context="Car rego"
    )
    deadline = extract_facts("Transfer the car registration within 14 days.", context="Car rego")
    assert find_contradictions(prices, deadline, ARTICLE_THRESHOLDS) == []


def test_a_compound_shares_its_first_word_and_a_longer_word_does_not() -> None:
    eyes = {"eye": 0.8, "renew": 0.5}
    assert subject_similarity(eyes, {"eyesight": 0.8, "renew": 0.5}) > subject_similarity(
        eyes, {"test": 0.8, "renew": 0.5}
    )
    car = {"car": 0.8, "regist": 0.5}
    assert subject_similarity(car, {"card": 0.8, "regist": 0.5}) == subject_similarity(
        car, {"plate": 0.8, "regist": 0.5}
    )


def test_a_lone_limit_beside_a_period_of_another_role_is_still_matched() -> None:
    extension = extract_facts(
        "You can get an extension of up to 14 days after your pay-by date. You can have at "
        "most 2 extensions in any 12-month period.",
        context="Payment extensions",
    )
    other = extract_facts(
        "You can push your bill's due date back by up to 21 days in the app.",
        context="More time to pay",
    )
    found = find_contradictions(extension, other, ARTICLE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [
        ("duration:day:14.00", "duration:day:21.00")
    ]


def test_sentence_readings_are_cached_by_text_so_an_edit_is_read_afresh() -> None:
    before = "The late fee is $12.00 and it is waived within 3 business days."
    after = before.replace("$12.00", "$15.00")
    first = [(f.key, f.value) for f in extract_facts(before)]
    again = [(f.key, f.value) for f in extract_facts(before)]
    assert again == first  # read again from the cache: the same facts
    assert read_sentence.cache_info().hits > 0
    edited = extract_facts(after)
    assert [f.value for f in edited if f.kind == FactKind.MONEY] == [15.0]
    assert [f.value for f in extract_facts(before) if f.kind == FactKind.MONEY] == [12.0]
    assert content_terms("late fee waived") != content_terms("late fee charged")
    assert isinstance(content_terms("late fee"), tuple)  # shared: immutable
    assert isinstance(words_with_positions("late fee"), tuple)


@pytest.mark.parametrize(
    "text",
    [
        "Cash advances have no interest-free period.",
        "Purchases are interest-free for up to 55 days.",
        "Savings in this account are tax-free.",
    ],
)
def test_another_thing_free_is_no_charge_rule(text: str) -> None:
    """ "interest-free" says nothing of whether a fee is charged (and "no interest-free
    period" even means interest is)."""
    assert [f for f in extract_facts(text) if f.unit == "charge"] == []
    fee = extract_facts("A cash advance costs $3.", context="Cash advances")
    assert find_contradictions(fee, extract_facts(text, context="Cash advances"),
                               CLAUSE_THRESHOLDS) == []  # fmt: skip


def test_amounts_per_another_period_or_a_limit_per_period_and_a_price_stay_apart() -> None:
    daily = extract_facts("Online you can send up to $20,000 a day overseas.")
    weekly = extract_facts("Online you can send up to $50,000 a week overseas.")
    assert find_contradictions(daily, weekly, ARTICLE_THRESHOLDS) == []
    same_period = extract_facts("Online you can send up to $30,000 per day overseas.")
    assert len(find_contradictions(daily, same_period, ARTICLE_THRESHOLDS)) == 1
    # a limit per period is not a price with none
    price = extract_facts("It's $20 to send money overseas online.")
    assert find_contradictions(price, weekly, ARTICLE_THRESHOLDS) == []
    # the period named before the amount counts too; an amount with neither is compared
    monthly = extract_facts("The monthly account fee is $5.")
    assert len(find_contradictions(monthly, extract_facts("The account fee is $4 a month."),
                                   CLAUSE_THRESHOLDS)) == 1  # fmt: skip
    per_month = extract_facts("The account fee is $5 a month.")
    assert len(find_contradictions(per_month, extract_facts("The account fee is $4."),
                                   CLAUSE_THRESHOLDS)) == 1  # fmt: skip
    assert find_contradictions(monthly, extract_facts("The account fee is $40 a year."),
                               CLAUSE_THRESHOLDS) == []  # fmt: skip


def test_a_percentage_fee_is_charged() -> None:
    fee = extract_facts("We add a foreign transaction fee of three per cent.")
    free = extract_facts("You won't pay a foreign transaction fee.")
    assert len(find_contradictions(fee, free, ARTICLE_THRESHOLDS)) == 1


def test_a_period_adverb_is_compared_with_a_frequency_and_with_a_length() -> None:
    """ "paid monthly" is how often as well as "a month at a time": it contradicts "once every
    three months", and "every 3 months" still never meets a plain length."""
    monthly = extract_facts("Savings interest is paid into the account monthly.")
    quarterly = extract_facts("Savings interest is paid into the account once every three months.")
    assert len(find_contradictions(monthly, quarterly, ARTICLE_THRESHOLDS)) == 1
    every_month = extract_facts("Savings interest is paid into the account every month.")
    assert find_contradictions(monthly, every_month, ARTICLE_THRESHOLDS) == []
    length = extract_facts("Savings interest is paid into the account for 3 months.")
    assert find_contradictions(quarterly, length, ARTICLE_THRESHOLDS) == []


@pytest.mark.parametrize(
    ("text", "key", "described"),
    [
        ("An extra bag costs £35 per flight.", "money:GBP:35.00", "£35.00"),
        ("The fee is €12.50.", "money:EUR:12.50", "€12.50"),
        ("The fee is 12 euros.", "money:EUR:12.00", "€12.00"),
        ("The fee is GBP 20.", "money:GBP:20.00", "£20.00"),
        ("The fee is C$15.", "money:CAD:15.00", "CAD 15.00"),
        ("The fee is $15.", "money:AUD:15.00", "$15.00"),
    ],
)
def test_amounts_keep_their_currency(text: str, key: str, described: str) -> None:
    fact = only(text)
    assert (fact.key, fact.describe()) == (key, described)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("A checked bag may weigh up to 23kg.", "measure:kg:23.00"),
        ("A checked bag may weigh up to 23 kg.", "measure:kg:23.00"),
        ("A checked bag may weigh up to twenty-three kilograms.", "measure:kg:23.00"),
        ("A checked bag may weigh up to 50 lb.", "measure:kg:22.68"),
        ("Skis up to 190 cm long fly free.", "measure:m:1.90"),
        ("Liquids must be in containers of 100ml or less.", "measure:l:0.10"),
        ("Trucks over 4.5 tonnes need a permit.", "measure:kg:4500.00"),
    ],
)
def test_weights_lengths_and_volumes_are_measures_in_one_unit(text: str, key: str) -> None:
    assert only(text).key == key


def test_a_measure_said_again_in_another_unit_is_one_fact_and_dimensions_none() -> None:
    """ "23kg (50 lb)" states one weight; a box's "55 x 40 x 20 cm" is not three lengths, and
    "5G" is a network, not a weight or a length."""
    both = [f.key for f in extract_facts("Flex includes one bag of up to 23kg (50 lb).")]
    assert both == ["measure:kg:23.00"]
    for text in (
        "It must fit in 55 x 40 x 20 cm.",
        "Bags of 40cm x 30cm x 15cm go under the seat.",
        "We have 5G in every city.",
    ):
        assert [f.key for f in extract_facts(text) if f.kind != FactKind.RULE] == []
    # a converted figure restates the weight: 50 lb is 23 kg, 60 lb is not
    policy = extract_facts("Flex includes one checked bag of up to 23 kg.")
    said_in_pounds = extract_facts("Flex includes one checked bag of up to 50 lb.")
    assert find_contradictions(said_in_pounds, policy, CLAUSE_THRESHOLDS) == []
    heavier = extract_facts("Flex includes one checked bag of up to 60 lb.")
    assert len(find_contradictions(heavier, policy, CLAUSE_THRESHOLDS)) == 1
    # a weight is never a length
    assert (
        find_contradictions(
            extract_facts("Flex includes one checked bag of up to 30 cm."),
            policy,
            CLAUSE_THRESHOLDS,
        )
        == []
    )


def test_free_in_one_clause_and_a_price_in_the_next_are_two_facts() -> None:
    """ "standard seats are free and a legroom seat costs £30": the amount is about the other
    clause, so "free" is still read; "free, but express delivery costs $25" keeps it too, and
    "free ... $25" in one clause says the amount instead."""
    both = extract_facts("Standard seats are free and an extra legroom seat costs £30.")
    assert sorted(f.key for f in both) == ["money:GBP:30.00", "rule:charge:no"]
    one_clause = extract_facts("Seats are free for a fee of £30.")
    assert [f.key for f in one_clause] == ["money:GBP:30.00"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Seat fees apply on Saver fares.", {"saver"}),
        ("On Flex, standard seats are free.", {"flex"}),
        ("Bags cost £60 on international flights only.", {"internat"}),
        ("Call us on 13 22 65 for help.", set()),
        ("Seats are free for all flights.", set()),
        ("We charge a fee for this service.", set()),
    ],
)
def test_the_product_a_fact_is_about_is_its_qualifier(text: str, terms: set[str]) -> None:
    qualified = {t for f in extract_facts(text) for t in f.qualifier}
    assert qualified == terms


def test_a_case_inside_the_subject_does_not_hide_the_rule_after_it() -> None:
    """ "The final meter read when a customer moves out is free": the when-clause says which
    read, and the sentence still states that it is free; "if the read is free, ..." states
    nothing, and neither does a trailing "if the fee is charged"."""
    assert [
        f.key for f in extract_facts("The final meter read when a customer moves out is free.")
    ] == ["rule:charge:no"]
    assert [f.key for f in extract_facts("If the read is free we tell you.")] == []
    said = extract_facts("You can pay later if the fee is charged.")
    assert [f.key for f in said if f.unit == "charge"] == []


def test_free_beside_a_figure_of_another_clause_is_read() -> None:
    """A notice period in one clause does not make "a free final read" in the next say less;
    the clause that restates it agrees."""
    article = extract_facts(
        "Give us at least 3 business days' notice of your move-out date and we'll arrange a "
        "free final meter read for that day.",
        context="Closing your account when you move out",
    )
    assert sorted(f.key for f in article) == ["duration:business_day:3.00", "rule:charge:no"]
    clause = extract_facts(
        "A special meter read costs $12.00. The final meter read when a customer moves out is "
        "free.",
        context="Special meter read fee",
    )
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


def test_a_waived_fee_is_not_said_to_be_charged() -> None:
    """ "Waive the $6.95 return fee when the item arrived damaged" names the fee to waive: it
    does not contradict "return shipping is free when the item arrived damaged"."""
    waived = extract_facts(
        "Waive the $6.95 return shipping fee when the item arrived damaged or wrong."
    )
    assert [f.key for f in waived] == ["money:AUD:6.95"]
    free = extract_facts("Return shipping is free when the item arrived damaged or wrong.")
    assert find_contradictions(waived, free, CLAUSE_THRESHOLDS) == []
    charged = extract_facts("The return shipping fee is $6.95.")
    assert len(find_contradictions(charged, extract_facts("Return shipping is free."),
                                   CLAUSE_THRESHOLDS)) == 1  # fmt: skip


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('Items longer than 72" ship by freight.', "measure:m:1.83"),
        ("Items longer than 72 in. ship by freight.", "measure:m:1.83"),
        ('Reply "2" to confirm.', None),
        ("Log in. Then wait.", None),
    ],
)
def test_inches_written_with_a_mark_or_in_dot(text: str, key: str | None) -> None:
    measures = [f.key for f in extract_facts(text) if f.kind == FactKind.MEASURE]
    assert measures == ([key] if key else [])


def test_members_of_a_programme_are_a_condition() -> None:
    """ "Juniper Plus members get free 2-day shipping" says who, as "card holders" does."""
    member = extract_facts("Juniper Plus members get free 2-day shipping on every order.")
    assert {t for f in member for t in f.qualifier} == {"junip", "plus"}
    everyone = extract_facts("Standard shipping takes 3 to 5 business days.")
    assert find_contradictions(member, everyone, CLAUSE_THRESHOLDS) == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("No interest is charged on overpayments.", ["rule:charge:no"]),
        ("$120 a month is paid for each child 6 to 17 years of age.", ["money:AUD:120.00"]),
        ("A 3 year old travels free.", ["rule:charge:no"]),
        ("Monthly amount", []),
        ("Your benefit is paid monthly.", ["duration:day:30.44"]),
    ],
)
def test_what_a_government_table_or_a_negated_subject_says(text: str, keys: list[str]) -> None:
    """ "No interest is charged" is not charged; "6 to 17 years of age" is an age range, not
    17 years; a table's "Monthly amount" column names no period, "paid monthly" does."""
    assert sorted(f.key for f in extract_facts(text)) == keys


def test_how_often_is_not_how_many() -> None:
    """Statements "twice a year" are not four payments a year: a frequency is compared with
    frequencies only."""
    twice = extract_facts("We mail you a payment statement twice a year.", context="Payments")
    four = extract_facts("The supplement is paid in four equal payments.", context="Payments")
    assert find_contradictions(twice, four, CLAUSE_THRESHOLDS) == []
    three = extract_facts("The supplement is paid in three equal payments.", context="Payments")
    assert len(find_contradictions(three, four, CLAUSE_THRESHOLDS)) == 1


def test_one_verb_done_to_other_things_is_two_rules() -> None:
    """ "You do not need to report each biweekly paycheque" is not "you must report any change":
    one verb, done to other things; "you do not need to report a change" is."""
    must = extract_facts(
        "Recipients must report any change in address or income within 30 days of the change."
    )
    paycheque = extract_facts("You do not need to report each biweekly paycheque.")
    assert [c for c in find_contradictions(paycheque, must, CLAUSE_THRESHOLDS)
            if c.fact.kind == FactKind.RULE] == []  # fmt: skip
    change = extract_facts("You do not need to report a change in your address.")
    assert [c.fact.key for c in find_contradictions(change, must, CLAUSE_THRESHOLDS)
            if c.fact.kind == FactKind.RULE] == ["rule:obligation:no"]  # fmt: skip


def test_a_look_back_is_not_a_length() -> None:
    """ "Bank statements from the last three months" is a window back from now, not the "up to
    36 months" a repayment plan may last; two look-backs are compared."""
    plan = extract_facts("A repayment plan can last up to 36 months.", context="Repayment")
    proof = extract_facts(
        "We may ask for bank statements from the last three months.", context="Repayment"
    )
    assert find_contradictions(proof, plan, ARTICLE_THRESHOLDS) == []
    other = extract_facts(
        "We may ask for bank statements from the last six months.", context="Repayment"
    )
    assert len(find_contradictions(proof, other, ARTICLE_THRESHOLDS)) == 1


def test_a_bare_dollar_is_the_dollar_a_currency_code_names() -> None:
    """In a Canadian knowledge base "$330" and "CAD 330" are one amount, and "CAD 360" another;
    "USD 5" and "AUD 5" stay two currencies."""
    bare = only("The supplement is up to $330 each quarter.")
    coded = only("The supplement is up to CAD 330 each quarter.")
    assert same_value(bare, coded)
    other = extract_facts("The supplement is up to CAD 360 each quarter.")
    assert len(find_contradictions(other, [bare], CLAUSE_THRESHOLDS)) == 1
    assert not same_value(only("The fee is USD 5."), only("The fee is AUD 5."))


def test_a_minimum_age_in_words_is_an_age_limit() -> None:
    """ "At least 21 years old" and "the minimum age is 25" are ages from which, as "21 or
    over" is: an article's "21 or over" restates the first, not "aged 75 or over"."""
    clause = extract_facts(
        "Every driver must be at least 21 years old. A driver aged 75 or over brings a "
        "doctor's letter.",
        context="Driver age",
    )
    assert sorted(f.key for f in clause if f.kind == FactKind.AGE) == [
        "age:over:21.00", "age:over:75.00"
    ]  # fmt: skip
    assert [f.key for f in extract_facts("For vans the minimum age is 25.")] == ["age:over:25.00"]
    article = extract_facts("Check that every driver is 21 or over.", context="Driver age")
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []
    assert [f.key for f in extract_facts("The minimum age is 6 months.")] == ["duration:day:182.62"]


@pytest.mark.parametrize(
    "text",
    [
        "Customers on the Saver 30 plan can pause their service once a year.",
        "Bins are collected weekly in Zone 3 and fortnightly elsewhere.",
        "We can't ship Express 12 or fragile items abroad. Express 12 parcels need a signature.",
    ],
)
def test_a_capitalised_name_that_holds_a_number_is_no_count(text: str) -> None:
    numbers = [f for f in extract_facts(text) if f.kind != FactKind.RULE]
    assert [f.text for f in numbers if any(c.isdigit() for c in f.text)] == []


def test_a_name_opening_a_sentence_is_a_name_when_its_text_uses_it_inside_one() -> None:
    """ "Priority 10 orders" opens the second sentence; the first uses "Priority 10" as a name
    inside a sentence, so the second is that name too: an article and its clause that both name
    the service are not two counts of orders (10 against 5)."""
    article = extract_facts(
        "You can choose Priority 10 at checkout. Priority 10 orders and bulky items ship from "
        "the central warehouse."
    )
    clause = extract_facts("Priority 5 orders ship from any warehouse.")
    assert [f.key for f in article if f.kind == FactKind.COUNT] == []
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


@pytest.mark.parametrize(
    "text",
    [
        "Allow 3 business days for the refund.",  # an imperative: not a name
        "Bring 2 forms of identification to the counter.",
        "Pay with Visa 2% surcharge applies to credit cards.",  # a unit follows
        "Students can buy the Flex plan for 40 rides a term.",
    ],
)
def test_a_number_after_a_capitalised_word_is_still_a_fact_when_nothing_names_it(
    text: str,
) -> None:
    assert extract_facts(text) != []


def test_limits_of_two_size_classes_are_different_facts() -> None:
    small = extract_facts("A small suitcase can weigh up to 7kg in the cabin.")
    large = extract_facts("Large suitcases can weigh up to 32kg in the hold.")
    also_small = extract_facts("Small suitcases may weigh no more than 10kg.")
    assert find_contradictions(small, large, ARTICLE_THRESHOLDS) == []
    assert find_contradictions(large, small, ARTICLE_THRESHOLDS) == []
    assert len(find_contradictions(small, also_small, ARTICLE_THRESHOLDS)) == 1


def test_a_heading_is_not_the_sentence_a_number_opens() -> None:
    """ "If 2 payments" opens a paragraph under a heading: the heading's last word is not a word
    of its sentence, so "If" is not a name and the count is kept."""
    text = "## Missed payments\nIf 2 payments in a row are missed, the plan ends."
    assert named_number_words(split_sentences(text)) == frozenset()
    assert [f.key for f in extract_facts(text) if f.kind == FactKind.COUNT] == ["count:count:2.00"]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Every item is covered up to twenty pounds at no extra cost.", ["money:GBP:20.00"]),
        ("Redirecting it in the app costs one pound fifty.", ["money:GBP:1.50"]),
        ("You can change the address for 3 pounds 20.", ["money:GBP:3.20"]),
        ("Checked bags can weigh up to 50 pounds.", ["measure:kg:22.68"]),
        (
            "Cats up to 15 pounds fly in the cabin for a fee of $95.",
            ["measure:kg:6.80", "money:AUD:95.00"],
        ),
        ("Pets up to 20 pounds travel in the cabin.", []),  # money or weight: not said
        ("A bag up to 23kg (50 pounds) is included.", ["measure:kg:23.00"]),
    ],
)
def test_pounds_are_money_or_a_weight_by_what_the_sentence_is_about(
    text: str, keys: list[str]
) -> None:
    assert _numeric_keys(text) == sorted(keys)


def test_twenty_pounds_of_cover_contradicts_twenty_five() -> None:
    words = extract_facts("Every tracked item is covered up to twenty pounds at no extra cost.")
    clause = extract_facts("Tracked items are covered up to £25 at no extra cost.")
    found = find_contradictions(words, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [("money:GBP:20.00", "money:GBP:25.00")]


@pytest.mark.parametrize(
    "text",
    [
        "You can move from weekly to monthly payments in the app.",
        "Choose weekly or fortnightly payments when you sign up.",
        "Switch from annual to monthly any time.",
    ],
)
def test_paired_period_words_that_name_a_kind_of_payment_are_no_period(text: str) -> None:
    assert [f.key for f in extract_facts(text) if f.kind == FactKind.DURATION] == []


def test_a_period_word_alone_is_still_a_period() -> None:
    keys = [f.key for f in extract_facts("Statements are sent quarterly.")]
    assert keys == ["duration:day:91.31"]


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Swimming lessons are open to children 6 years and up.", 6.0),
        ("Ages 3 and up can join the reading club.", 3.0),
        ("Kids 10 and up may ride alone.", 10.0),
    ],
)
def test_and_up_after_an_age_is_an_age_limit(text: str, age: float) -> None:
    ages = [(f.unit, f.value) for f in extract_facts(text) if f.kind == FactKind.AGE]
    assert ages == [("over", age)]


@pytest.mark.parametrize(
    "text", ["Contracts of 12 months and up get a discount.", "Orders of $50 and up ship free."]
)
def test_and_up_after_a_length_or_an_amount_is_no_age(text: str) -> None:
    assert [f for f in extract_facts(text) if f.kind == FactKind.AGE] == []


def test_kids_and_children_are_one_subject() -> None:
    """An age stated for "children" and one stated for "kids" are about the same people,
    though the text holds another age beside each (a senior's, a guardian's)."""
    children = extract_facts(
        "The library lends tablets to children 8 years and up. If you're aged 65+, ask about "
        "large-print books."
    )
    kids = extract_facts(
        "Kids aged 12 and older can borrow a library tablet. A parent must sign for children "
        "under 16."
    )
    found = find_contradictions(children, kids, ARTICLE_THRESHOLDS)
    assert [(c.fact.value, c.other.value) for c in found] == [(8.0, 12.0)]


@pytest.mark.parametrize(
    "text",
    [
        "Most items can be renewed online.",
        "Some fees can be waived.",
        "You can usually renew a loan twice.",
    ],
)
def test_a_rule_hedged_to_most_cases_states_no_rule(text: str) -> None:
    assert [f for f in extract_facts(text) if f.kind == FactKind.RULE] == []


def test_an_exception_does_not_contradict_a_hedged_rule() -> None:
    most = extract_facts("Need longer? Most items can be renewed.")
    ebooks = extract_facts("eBooks can't be renewed, but you can borrow them again.")
    assert find_contradictions(ebooks, most, ARTICLE_THRESHOLDS) == []


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Each loan can be renewed three times.", 3.0),
        ("You can renew it twice, online or at a desk.", 2.0),
        ("We'll try delivery 3 times before returning it.", 3.0),
    ],
)
def test_how_many_times_something_may_be_done_is_a_count(text: str, count: float) -> None:
    assert [f.value for f in extract_facts(text) if f.kind == FactKind.COUNT] == [count]


@pytest.mark.parametrize(
    "text", ["A replacement card costs three times as much.", "Twice the usual fee applies."]
)
def test_times_as_a_multiplier_is_no_count(text: str) -> None:
    assert [f for f in extract_facts(text) if f.kind == FactKind.COUNT] == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("The Basic plan includes 15GB of high-speed data.", ["measure:GB:15.00"]),
        ("After 50 GB, speeds slow to 600 kbps.", ["measure:GB:50.00", "measure:Mbps:0.60"]),
        ("Add 2 gigs of hotspot data for $10.", ["measure:GB:2.00", "money:AUD:10.00"]),
        ("Our 5G network covers 90% of the country.", ["percent:percent:90.00"]),
    ],
)
def test_data_amounts_and_speeds_are_measures(text: str, keys: list[str]) -> None:
    assert _numeric_keys(text) == sorted(keys)


def test_a_data_allowance_that_differs_is_a_mismatch_and_a_terabyte_restates_1024_gb() -> None:
    clause = extract_facts("The Basic plan includes 15 GB of high-speed data each month.")
    wrong = extract_facts("On Basic you get 20GB of high-speed data a month.")
    found = find_contradictions(wrong, clause, CLAUSE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [("20 GB", "15 GB")]
    terabyte = extract_facts("Each account has 1 TB of cloud storage.")
    gigabytes = extract_facts("Each account has 1,024 GB of cloud storage.")
    assert find_contradictions(terabyte, gigabytes, CLAUSE_THRESHOLDS) == []


def test_the_case_a_clause_excepts_is_no_contradiction() -> None:
    """ "A $30 fee applies unless the order is unopened" excepts unopened orders: an article
    saying unopened orders have no fee states the exception, not another rule."""
    clause = extract_facts(
        "A restocking fee of $30 applies to each returned order unless it is unopened."
    )
    article = extract_facts("Unopened orders have no restocking fee; opened ones are $30 each.")
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []
    other = extract_facts("Returned orders have no restocking fee.")  # no exception named
    assert len(find_contradictions(other, clause, CLAUSE_THRESHOLDS)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "We can't guarantee a courtesy car on your new date.",
        "We cannot promise a delivery time.",
        "We can't ensure the same technician next visit.",
    ],
)
def test_a_disclaimer_is_no_prohibition(text: str) -> None:
    rules = [f for f in extract_facts(text) if f.kind == FactKind.RULE and f.unit == "permission"]
    assert rules == []


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        # "may need" is a possibility, not a permission: it once contradicted "A vehicle must
        # not be driven on a road once its registration has expired" (a policy_mismatch).
        ("If it expired over a year ago, the vehicle may need a safety inspection first.", []),
        ("You may require a medical report.", []),
        ("You may need to lodge a security deposit.", ["rule:obligation:yes"]),
        ("You may have to wait for a break.", ["rule:obligation:yes"]),
        ("You may drive it to the inspection station.", ["rule:permission:yes"]),
    ],
)
def test_what_may_be_needed_is_no_permission(text: str, keys: list[str]) -> None:
    assert [f.key for f in extract_facts(text) if f.kind == FactKind.RULE] == keys


def test_a_prohibition_is_still_read() -> None:
    keys = [f.key for f in extract_facts("You can't return opened items.")]
    assert keys == ["rule:permission:no"]


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("Repairs are guaranteed for up to 40,000 km.", "40,000 km"),
        ("The shuttle goes anywhere within 20 km.", "20 km"),
        ("Bags up to 1.5 metres long are fine.", "1.5 m"),
        ("Screens up to 65 inches wall-mounted.", "1.651 m"),
        ("Parcels up to 500 grams go as a large letter.", "500 g"),
        ("After that, data slows to 600 kbps.", "600 kbps"),
        ("Top up 500 MB for the weekend.", "500 MB"),
        ("Bring no more than 250 ml of liquid.", "250 ml"),
        ("Each event holds up to 1,500 people.", "1,500"),
    ],
)
def test_a_figure_is_told_as_people_write_it_never_in_scientific_notation(
    text: str, described: str
) -> None:
    """A finding's message says what each side states: "40,000 km", not "4e+07 m"."""
    facts = [f for f in extract_facts(text) if f.kind != FactKind.RULE]
    assert [f.describe() for f in facts] == [described]


@pytest.mark.parametrize(
    ("counted_after", "before"),
    [
        (  # time since the last dose against a lead time before a stay
            "If it's been more than 15 months since the last booster, your dog must restart.",
            "Book the booster a fortnight or more before your dog's boarding stay.",
        ),
        (
            "Book the booster 10 days after your dog's boarding stay.",
            "Book the booster 14 days or more before your dog's boarding stay.",
        ),
    ],
)
def test_time_since_an_event_is_not_a_lead_time_before_another(
    counted_after: str, before: str
) -> None:
    """ "Since" counts from an event as "after" does; "a fortnight or more before" is still
    before, its bound between the figure and the word."""
    a, b = extract_facts(counted_after), extract_facts(before)
    found = find_contradictions(a, b, ARTICLE_THRESHOLDS)
    assert [c for c in found if c.fact.kind == FactKind.DURATION] == []
    sooner = extract_facts("Book the booster 7 days or more before your dog's boarding stay.")
    found = find_contradictions(b, sooner, ARTICLE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [
        ("14 calendar days", "7 calendar days")
    ]


@pytest.mark.parametrize(
    ("text", "charged"),
    [
        ("We'll cancel the order and you won't be charged for it.", False),
        ("If you miss the slot, you will not be charged.", False),
        ("A missed pickup can never be charged to your card.", False),
        ("You shouldn't get charged for a cancelled order.", False),
        ("You will be charged for a late return.", True),
        ("Late returns will be charged at the daily rate.", True),
    ],
)
def test_a_charge_ruled_out_with_a_modal_is_no_charge(text: str, charged: bool) -> None:
    """ "You won't be charged" says no charge: the negation sits before "be", where "is not
    charged" has it after."""
    rules = [f for f in extract_facts(text) if f.kind == FactKind.RULE and f.unit == "charge"]
    assert [bool(f.value) for f in rules] == [charged]


def test_once_opens_a_condition_but_not_a_frequency() -> None:
    """ "Once it's paid, you can't contest it" forbids contesting a paid ticket only: it does
    not contradict "you can contest a ticket within 30 days". "Once a year" and "at once" are
    no condition."""
    paid = extract_facts("Pay online or by mail; once it's paid, you can't contest the ticket.")
    contest = extract_facts("You can contest the ticket within 30 days.")
    found = find_contradictions(paid, contest, ARTICLE_THRESHOLDS)
    assert [c for c in found if c.fact.kind == FactKind.RULE] == []
    unpaid = extract_facts("Pay online or by mail; you can't contest the ticket.")
    found = find_contradictions(unpaid, contest, ARTICLE_THRESHOLDS)
    assert [c.fact.kind for c in found] == [FactKind.RULE]
    for text in ("Renew once a year.", "You can have up to 5 devices on payment at once."):
        assert all(not f.qualifier for f in extract_facts(text)), text


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # the condition ends before the main clause's subject and verb, with no comma to mark it
        ("If the parcel is lost we'll refund you within ten working days.", {"parcel", "lose"}),
        ("If your order is late you can get a refund within 5 business days.", {"order", "late"}),
        # "if that happens" is the case of the sentence before: no case of its own
        (
            "If that happens we'll call and text you, and your refund arrives within 10 days.",
            set(),
        ),
        ("If so, your refund arrives within 10 days.", set()),
        ("When this happens, your refund arrives within 10 days.", set()),
        # the condition's own subject is its first word
        ("If we can't reach you, we close the request within 3 days.", {"reach"}),
        # a "we" inside the condition (a relative clause) does not end it
        ("If the amount we charged is wrong we'll refund it within 10 days.", {"wrong"}),
    ],
)
def test_a_condition_ends_before_the_main_clause(text: str, terms: set[str]) -> None:
    """ "If that happens we'll text you, and a refund arrives within 10 days": the condition
    is "if that happens", not everything up to the comma, so the refund's 10 days is not read
    as a narrower case ("text", "email") and still contradicts "refunds take 5 days"."""
    (duration,) = [f for f in extract_facts(text) if f.kind == FactKind.DURATION]
    assert {t for t in duration.qualifier if not t.startswith("<")} == terms


def test_a_refund_after_if_that_happens_contradicts_the_plain_rule() -> None:
    refund = extract_facts(
        "Sometimes a crossing is cancelled. If that happens we'll text and email you, and any"
        " refund reaches your account within ten working days."
    )
    plain = extract_facts("Refunds reach your account within five working days.")
    found = find_contradictions(refund, plain, ARTICLE_THRESHOLDS)
    assert [c.fact.key for c in found] == ["duration:business_day:10.00"]


@pytest.mark.parametrize(
    "text",
    [
        "A Standard fare may be changed once free of charge.",
        "You can change your booking once for free.",
        "You may visit the deck once during the crossing, free of charge.",
    ],
)
def test_once_that_counts_one_time_opens_no_condition(text: str) -> None:
    """ "Changed once free of charge" is one free change: "once" opens no case there, so the
    rule "free of charge" is stated, without a condition."""
    rules = [f for f in extract_facts(text) if f.kind == FactKind.RULE]
    assert ("charge", 0.0) in [(f.unit, f.value) for f in rules]
    assert all(not f.qualifier for f in rules)


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("You won't be able to change the date online.", "permission", False),
        ("You wouldn't be eligible for a refund after 30 days.", "permission", False),
        ("Dogs won't be permitted inside the clinic.", "permission", False),
        ("Members will never be allowed to share a pass.", "permission", False),
        ("You won't need to bring your card.", "obligation", False),
        ("You no longer have to print your ticket.", "obligation", False),
        ("You shouldn't need to call us first.", "obligation", False),
        ("A doctor's letter will not be required.", "obligation", False),
        ("You will need to bring photo ID.", "obligation", True),
        ("You will be able to change the date online.", "permission", True),
        ("No payment is required on Sundays.", "obligation", False),
        ("No appointment is needed for a flu shot.", "obligation", False),
        ("No ID will be required for children under 12.", "obligation", False),
        ("Delivery doesn't cost you anything.", "charge", False),
        ("There is a charge for paper bills.", "charge", True),
        ("We'll charge you for a missed appointment.", "charge", True),
        ("We don't allow smoking on site.", "permission", False),
        ("We do not accept cash at the kiosk.", "permission", False),
        ("Refunds are unavailable after 30 days.", "permission", False),
        ("Day passes are non-transferable.", "permission", False),
        ("There's no way to change the date online.", "permission", False),
        ("Children are welcome in the lounge.", "permission", True),
        ("You're welcome to bring a friend.", "permission", True),
        ("We accept cash and cards.", "permission", True),
        ("Booking is essential for classes.", "obligation", True),
        ("Booking isn't required for swims.", "obligation", False),
        ("No appointment necessary for flu shots.", "obligation", False),
    ],
)
def test_common_ways_of_stating_a_yes_or_no_rule_are_read(
    text: str, unit: str, value: bool
) -> None:
    """Phrasings of customer copy that were read the wrong way round: a negation before the
    verb ("won't be able to", "no longer have to", "shouldn't need to"), "no payment is
    required"; or not at all: "we don't allow", "children are welcome", "isn't required",
    "there is a charge for"."""
    rules = [f for f in extract_facts(text) if f.kind == FactKind.RULE]
    assert [(f.unit, bool(f.value)) for f in rules] == [(unit, value)]


def test_a_rule_after_but_is_about_what_the_sentence_began_with() -> None:
    """ "A photo helps but isn't required": the rule is about the photo, not the sentence
    before it (which was about reporting missing items, a required step)."""
    text = "Tell us which items were missing or damaged. A photo helps but isn't required."
    (rule,) = [f for f in extract_facts(text) if f.kind == FactKind.RULE]
    assert (rule.unit, bool(rule.value)) == ("obligation", False)
    assert "photo" in rule.subject and "miss" not in rule.subject


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Plus is $12.99/month.", "<per:month>"),
        ("Plus is $99/yr.", "<per:year>"),
        ("Parking is $3 per hour.", "<per:hour>"),
        ("Street parking costs $2.50 an hour.", "<per:hour>"),
        ("The hourly rate is $40.", "<per:hour>"),
    ],
)
def test_an_amount_per_hour_or_per_slash_period_states_its_period(text: str, period: str) -> None:
    """ "$12.99/month" is $12.99 a month, never a one-off price to compare with "$99 a year";
    an hourly rate is per hour."""
    (money,) = [f for f in extract_facts(text) if f.kind == FactKind.MONEY]
    assert period in money.subject
    monthly, yearly = extract_facts("Plus is $12.99/month."), extract_facts("Plus is $99 a year.")
    assert find_contradictions(monthly, yearly, ARTICLE_THRESHOLDS) == []


def test_a_price_for_a_named_group_is_qualified_by_it() -> None:
    """ "$3 for members" is the members' price: it narrows, so it does not contradict a
    price of $5 for everyone else."""
    facts = extract_facts("A day pass costs $5, or $3 for members.")
    assert [(f.value, sorted(f.qualifier)) for f in facts if f.kind == FactKind.MONEY] == [
        (5.0, []),
        (3.0, ["member"]),
    ]
    everyone = extract_facts("A day pass costs $5.")
    members = extract_facts("A day pass is $3 for members.")
    assert find_contradictions(members, everyone, ARTICLE_THRESHOLDS) == []
    assert find_contradictions(extract_facts("A day pass is $3."), everyone, ARTICLE_THRESHOLDS)


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("The injection is given once a year.", "once a year"),
        ("Streets are swept twice a month.", "twice a month"),
        ("Classes run 3 times a week.", "3 times a week"),
        ("Give the tablet every 6 months.", "every 6 months"),
    ],
)
def test_how_often_per_period_is_an_interval(text: str, described: str) -> None:
    """ "Once a year" is every 12 months and "twice a year" every 6: how often something
    happens, compared with "every N months" as one kind of fact."""
    (fact,) = [f for f in extract_facts(text) if f.kind != FactKind.RULE]
    assert (fact.kind, fact.describe()) == (FactKind.DURATION, described)


def test_once_a_year_contradicts_every_six_months_and_twice_a_year_agrees() -> None:
    every_six = extract_facts("The heartworm injection is given every 6 months.")
    yearly = extract_facts("The heartworm injection is given once a year.")
    twice = extract_facts("The heartworm injection is given twice a year.")
    found = find_contradictions(yearly, every_six, ARTICLE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [
        ("once a year", "every 6 months")
    ]
    assert find_contradictions(twice, every_six, ARTICLE_THRESHOLDS) == []
    # a frequency and a length in one article are two roles: each is its article's only one
    review = extract_facts("Reviews are free once a year. A review takes about 20 minutes.")
    other = extract_facts("Reviews are free twice a year.")
    lone = find_contradictions(review, other, ARTICLE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.text) for c in lone] == [("once a year", "twice")]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("The kiosk logs you out after half an hour.", 30),
        ("Card entry locks for a quarter of an hour.", 15),
        ("The hearing takes three-quarters of an hour.", 45),
        ("The tour takes an hour and a half.", 90),
        ("Allow two and a half hours for the course.", 150),
    ],
)
def test_a_fraction_of_an_hour_is_that_many_minutes(text: str, minutes: int) -> None:
    """ "A quarter of an hour" is 15 minutes, not the hour after "of"; "half an hour" is a
    duration at all."""
    fact = only(text)
    assert fact.kind == FactKind.DURATION
    assert round(fact.value * 1440) == minutes
    fifteen = extract_facts("Card entry locks for 15 minutes.")
    if minutes == 15:
        assert find_contradictions(extract_facts(text), fifteen, CLAUSE_THRESHOLDS) == []


def test_a_case_described_in_the_subject_is_no_prohibition() -> None:
    """ "A tenant who ... cannot pay may apply": the "cannot" describes who, in a relative clause
    before the sentence's own verb; the rule is that they may."""
    text = (
        "A tenant who has lost their job and cannot cover the rent may ask for a payment plan "
        "of up to 12 weeks."
    )
    rules = [f for f in extract_facts(text) if f.kind == FactKind.RULE]
    assert [f.key for f in rules] == ["rule:permission:yes"]
    stated = [f for f in extract_facts("A tenant who has moved out can't renew.")]
    assert [f.key for f in stated if f.kind == FactKind.RULE] == ["rule:permission:no"]


def test_what_is_included_in_a_fee_is_not_charged_again() -> None:
    """ "The first two lessons are included in the course fee" states no charge for them, so an
    article's "Lessons 1 and 2: free" agrees with the clause; later ones still cost."""
    clause = extract_facts(
        "The first two lessons are included in the course fee; each extra lesson costs $35."
    )
    keys = [f.key for f in clause]
    assert "rule:charge:no" in keys and "money:AUD:35.00" in keys
    article = extract_facts("Lessons 1 and 2: free.")
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


@pytest.mark.parametrize(
    "clause",
    [
        "Offline viewing is available on the Family and Premium tiers only.",
        "Priority boarding is only available to Gold members.",
    ],
)
def test_what_is_available_only_to_some_states_no_plain_permission(clause: str) -> None:
    """A feature available "only" on some tiers restricts it: an article saying it is not
    available on another tier agrees with it."""
    assert [f for f in extract_facts(clause) if f.kind == FactKind.RULE] == []
    article = extract_facts("Offline viewing isn't available on the Lite tier.")
    assert find_contradictions(article, extract_facts(clause), CLAUSE_THRESHOLDS) == []


@pytest.mark.parametrize(
    "text", ["You can split the fee over 10 monthly payments.", "Pay it off over 6 equal parts."]
)
def test_a_number_of_payments_after_over_is_no_age(text: str) -> None:
    """ "Over 10 monthly payments" says how many, not "aged over 10"; "members over 70" is an
    age."""
    assert [f for f in extract_facts(text) if f.kind == FactKind.AGE] == []
    (age,) = [f for f in extract_facts("Members over 70 pay half.") if f.kind == FactKind.AGE]
    assert age.describe() == "age 70 and over"


def test_a_one_letter_prefix_makes_another_word() -> None:
    """ "E-bikes: free" is about e-bikes, not bikes; "x-ray" is no "ray"."""
    assert content_terms("E-bikes and x-rays") == ("ebik", "xray")
    clause = extract_facts("Hiring a standard bike costs $12.")
    article = extract_facts(
        "| Hire | Charge |\n|---|---|\n| Standard bike | $12 |\n| E-bike | Free |"
    )
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


def test_the_last_months_of_something_look_back() -> None:
    """ "The last 6 months of bank statements" is a window back from now, as "statements from
    the last 6 months" is: never a deadline such as "apply within 60 days"."""
    (window,) = [f for f in extract_facts("Upload the last 6 months of bank statements.")]
    assert "<lookback>" in window.subject
    deadline = extract_facts("Upload your bank statements within 60 days of applying.")
    assert find_contradictions(extract_facts(window.sentence), deadline, ARTICLE_THRESHOLDS) == []


@pytest.mark.parametrize(
    "change",
    [
        "Starting with renewals on March 1, 2027, a parking permit costs $50.",
        "Beginning April 5, 2027, a parking permit costs $50.",
        "From 5 April 2027, a parking permit costs $50.",
    ],
)
def test_a_price_from_a_later_date_written_the_us_way_is_no_mismatch(change: str) -> None:
    """ "Starting with renewals on March 1, 2027, ..." dates the new price, as "from 5 April
    2027" does: a later change, not another price today."""
    clause = extract_facts("A parking permit costs $45.")
    assert find_contradictions(extract_facts(change), clause, CLAUSE_THRESHOLDS) == []
    today = extract_facts("A parking permit costs $50.")
    assert len(find_contradictions(today, clause, CLAUSE_THRESHOLDS)) == 1


def test_a_sentence_that_refers_back_is_about_the_product_the_sentence_before_names() -> None:
    """ "Every reschedule after that costs $25." follows a sentence naming the Premier plan: the
    $25 is Premier's, as the clause says, not the Essential plan's free reschedules. Only the
    names carry over: the case "after that" sets itself apart from ("the first one is free")
    does not."""
    clause = extract_facts(
        "A lesson on the Premier plan may be rescheduled once free of charge. Each further "
        "reschedule of a Premier lesson costs $25. A lesson on the Essential plan may be "
        "rescheduled any number of times free of charge."
    )
    article = extract_facts(
        "Your first reschedule of a Premier lesson is on us. Every reschedule after that costs $25."
    )
    (price,) = [f for f in article if f.kind == FactKind.MONEY]
    assert "premier" in price.subject and "first" not in price.subject
    assert find_contradictions(article, clause, CLAUSE_THRESHOLDS) == []


def test_a_duration_counted_from_an_event_does_not_refer_back() -> None:
    """ "We keep your files for 30 days after that" counts from the event; the words the
    sentence before writes as names are not carried into it."""
    (kept,) = extract_facts(
        "Close your account in Settings under Billing. We keep your files for 30 days after that."
    )
    assert "billing" not in kept.subject and "set" not in kept.subject


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Bus travel is free once you turn sixty-five.", ("over", 65.0)),
        ("When your child turns 5, they need their own ticket.", ("over", 5.0)),
        ("We cover your kids until they turn 21.", ("under", 21.0)),
        ("You can join the junior club before you turn eighteen.", ("under", 18.0)),
    ],
)
def test_the_age_someone_turns_is_an_age_limit(text: str, age: tuple[str, float]) -> None:
    """ "Once you turn 65": from that age; "until they turn 21": under it."""
    ages = [(f.unit, f.value, f.text) for f in extract_facts(text) if f.kind == FactKind.AGE]
    assert [(unit, value) for unit, value, _ in ages] == [age]
    assert ages[0][2].lower().startswith("turn")  # "once" and "until" are no part of it


@pytest.mark.parametrize(
    "text", ["Turn left at the lights.", "Before you turn the water off, call us."]
)
def test_turning_something_is_no_age(text: str) -> None:
    assert [f for f in extract_facts(text) if f.kind == FactKind.AGE] == []


def test_an_age_turned_contradicts_an_age_limit_in_digits() -> None:
    older = extract_facts("Residents aged 62 and older get half off weeknight camping.")
    turned = extract_facts("You get half off weeknight camping once you turn sixty-five.")
    found = find_contradictions(turned, older, ARTICLE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [("age:over:65.00", "age:over:62.00")]


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Under-10s need an adult in the pool with them.", ("under", 10.0)),
        ("Under-12s can watch with someone aged sixteen or older.", ("under", 12.0)),
        ("The over-65s travel free on weekdays.", ("over", 65.0)),
    ],
)
def test_the_under_or_over_an_age_group_is_an_age_limit(text: str, age: tuple[str, float]) -> None:
    """ "Under-12s" names the children under 12: no code such as "SR-12" to blank out."""
    ages = [(f.unit, f.value) for f in extract_facts(text) if f.kind == FactKind.AGE]
    assert ages[0] == age


def test_a_code_with_a_number_is_still_no_fact() -> None:
    assert [f.key for f in extract_facts("Quote the code SR-12 when you call.")] == []


def test_how_many_times_without_a_period_is_a_count_not_a_frequency() -> None:
    """ "Renewed three times" says how many times, as "up to 2 times" does; "three times a
    year" says how often."""
    three = extract_facts("Each loan can be renewed three times.")
    two = extract_facts("You can renew a loan up to 2 times.")
    found = find_contradictions(three, two, ARTICLE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [("count:count:3.00", "count:count:2.00")]
    yearly = [f for f in extract_facts("A loan can be renewed three times a year.")]
    assert [f.key for f in yearly if f.kind == FactKind.DURATION] == ["duration:day:121.75"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Public liability cover is $1.2 million.", "money:AUD:1200000.00"),
        ("Grants of up to $5k are available.", "money:AUD:5000.00"),
        ("We hold $2m of cover.", "money:AUD:2000000.00"),
        ("Up to $1.5bn is set aside.", "money:AUD:1500000000.00"),
        ("A $10 thousand limit applies.", "money:AUD:10000.00"),
        ("The fund pays 1.5 million dollars.", "money:AUD:1500000.00"),
        ("It costs $5 more to post it.", "money:AUD:5.00"),  # "more" is no scale
    ],
)
def test_an_amount_with_a_scale_is_the_whole_amount(text: str, key: str) -> None:
    assert _numeric_keys(text) == [key]


def test_five_k_restates_five_thousand_and_a_million_is_not_one_dollar() -> None:
    grant = extract_facts("Community grants of up to $5k are available each year.")
    clause = extract_facts("Community grants of up to $5,000 are available each year.")
    assert find_contradictions(grant, clause, CLAUSE_THRESHOLDS) == []
    cover = extract_facts("Contractors must hold public liability cover of $20 million.")
    small = extract_facts("Contractors must hold public liability cover of $20.")
    found = find_contradictions(cover, small, CLAUSE_THRESHOLDS)
    assert [(c.fact.key, c.other.key) for c in found] == [
        ("money:AUD:20000000.00", "money:AUD:20.00")
    ]


def test_once_before_a_texts_only_duration_is_where_it_counts_from() -> None:
    """The clause says when the 4 weeks start, not for whom they hold."""
    (weeks,) = extract_facts("Once your form reaches us, your permit is issued within 4 weeks.")
    assert weeks.key == "duration:day:28.00" and not weeks.qualifier


def test_once_beside_another_duration_tells_the_two_apart() -> None:
    """Rented films are kept 14 days; 2 days once started: the start is the narrower case."""
    found = extract_facts("A rented film is kept for 14 days. Once you start it, you have 2 days.")
    two = next(f for f in found if f.key == "duration:day:2.00")
    assert two.qualifier


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("A second-class stamp costs 68p.", "money:GBP:0.68"),
        ("Each extra page is sixty pence.", "money:GBP:0.60"),
        ("Fuel is discounted by twelve cents a litre.", "money:AUD:0.12"),
    ],
)
def test_an_amount_in_pence_or_cents_alone_is_read(text: str, key: str) -> None:
    assert key in _numeric_keys(text)


def test_the_words_of_an_amount_before_fee_name_no_kind_of_fee() -> None:
    """ "A ninety pence fee" is a fee of 90p, not a "ninety pence" fee."""
    assert charge_kind("We add a ninety pence fee to each order.") == frozenset()
    assert charge_kind("We add a £1 handling fee to each order.") == {"handl"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("We add a fee of $12.00 after 14 days.", set()),  # "add" is done to the fee
        ("We add fees of $3 to phone bookings.", set()),  # a verb after its subject
        ("We also add fees of $3.", set()),
        ("They add admin fees of $3.", {"admin"}),
        ("We will add late fees after 14 days.", {"late"}),  # a verb after a modal
        ("If you incur late fees, call us.", {"late"}),
        ("Late fees apply after 14 days.", {"late"}),
        ("Subject to booking fees of $2.", {"book"}),
        ("You pay the fee when you apply.", set()),
        ("We charge late fees after 14 days.", {"late"}),
        ("The transfer fee is $35.", {"transfer"}),
        ("Pay the number plate fee.", {"number", "plate"}),
    ],
)
def test_only_the_words_of_a_fees_own_phrase_name_it(text: str, kind: set[str]) -> None:
    """A charge's name is the words just before "fee" after an article or another word that
    names nothing: "we add a fee" names no fee."""
    assert charge_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Each flat may keep one bicycle per household in the store.", ["count:count:1.00"]),
        ("Guests may borrow one umbrella each stay.", ["count:count:1.00"]),
        ("Pick the one you like best.", []),
    ],
)
def test_one_thing_per_or_each_something_is_a_count(text: str, count: list[str]) -> None:
    """ "One bicycle per household" says how many; "the one you like" counts nothing."""
    assert [k for k in _numeric_keys(text) if k.startswith("count")] == count
