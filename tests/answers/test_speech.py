"""Numbers on the voice channel: a phone number read digit by digit in its groups, and what
is no phone number (an amount, a date, a count) left as written."""

from __future__ import annotations

import time

import pytest

from knowledge_service.answers.render import markdown_to_speech, render_answer
from knowledge_service.content.schemas import Channel


def _spoken(markdown: str) -> str:
    return render_answer(markdown, Channel.VOICE)


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call 1800 123 456 today.", "Call 1 8 0 0, 1 2 3, 4 5 6 today."),
        ("Call 13 11 22.", "Call 1 3, 1 1, 2 2."),
        ("Call (02) 9876 5432.", "Call 0 2, 9 8 7 6, 5 4 3 2."),
        ("From overseas: +61 2 9876 5432.", "From overseas: plus 6 1, 2, 9 8 7 6, 5 4 3 2."),
        ("Or +61 (0)3 9000 1234.", "Or plus 6 1, 3, 9 0 0 0, 1 2 3 4."),
        ("Text 0412 345 678 or 0412345678.", "Text 0 4 1 2, 3 4 5, 6 7 8 or 0 4 1 2 3 4 5 6 7 8."),
        ("Ring 1300 36 36 36 or 1800-555-010.",
         "Ring 1 3 0 0, 3 6, 3 6, 3 6 or 1 8 0 0, 5 5 5, 0 1 0."),
        ("The interpreter line is 131 450.", "The interpreter line is 1 3 1, 4 5 0."),
        ("If your life is at risk, call 000.", "If your life is at risk, call 0 0 0."),
        ("Locally on 9876 5432.", "Locally on 9 8 7 6, 5 4 3 2."),
        ("In London, +44 20 7946 0958.", "In London, plus 4 4, 2 0, 7 9 4 6, 0 9 5 8."),
        ("Call 07700 900123 or 01632 960001.",
         "Call 0 7 7 0 0, 9 0 0 1 2 3 or 0 1 6 3 2, 9 6 0 0 0 1."),
        ("Call 03-9000-1234 or 0412-345-678, due 01-07-2026.",
         "Call 0 3, 9 0 0 0, 1 2 3 4 or 0 4 1 2, 3 4 5, 6 7 8, due 01-07-2026."),
        ("From overseas, 0011 61 2 9876 5432.",
         "From overseas, 0 0 1 1, 6 1, 2, 9 8 7 6, 5 4 3 2."),
        ("Abroad, +44 7700 900123 or +44 (0)7700 900123.",
         "Abroad, plus 4 4, 7 7 0 0, 9 0 0 1 2 3 or plus 4 4, 7 7 0 0, 9 0 0 1 2 3."),
        ("From the US, +1.800.555.0134 or +1-800-555-0134.",
         "From the US, plus 1, 8 0 0, 5 5 5, 0 1 3 4 or plus 1, 8 0 0, 5 5 5, 0 1 3 4."),
        ("US office (555) 123-4567.", "US office 5 5 5, 1 2 3, 4 5 6 7."),
        ("Call 1 (800) 555-0199 or 1(800)555-0199.",
         "Call 1, 8 0 0, 5 5 5, 0 1 9 9 or 1, 8 0 0, 5 5 5, 0 1 9 9."),
        ("TTY 1-800-555-0199 or 555.123.4567.",
         "TTY 1 8 0 0, 5 5 5, 0 1 9 9 or 5 5 5, 1 2 3, 4 5 6 7."),
        ("Call 1800RESPECT (1800 737 732).", "Call 1 8 0 0 RESPECT (1 8 0 0, 7 3 7, 7 3 2)."),
        ("Call 1800-ENERGY or 1-800-FLOWERS.", "Call 1 8 0 0 ENERGY or 1 8 0 0 FLOWERS."),
        ("| Team | Phone |\n|---|---|\n| Hardship | `1800 274 368` |",
         "Team: Hardship, Phone: 1 8 0 0, 2 7 4, 3 6 8."),
    ],
)  # fmt: skip
def test_voice_reads_a_phone_number_digit_by_digit_in_its_groups(
    markdown: str, spoken: str
) -> None:
    """A speech engine read "1800 123 456" as "one thousand eight hundred, one hundred and
    twenty-three, ..." and "13 11 22" as "thirteen, eleven, twenty-two"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call 1800 123 456 8am–8pm.", "Call 1 8 0 0, 1 2 3, 4 5 6, 8am to 8pm."),
        ("Call 13 22 55 24 hours a day.", "Call 1 3, 2 2, 5 5, 24 hours a day."),
        ("Ring 0412 345 678 7 days a week.", "Ring 0 4 1 2, 3 4 5, 6 7 8, 7 days a week."),
        ("Call (02) 9876 5432 8:30 am to 5 pm.", "Call 0 2, 9 8 7 6, 5 4 3 2, 8:30 am to 5 pm."),
    ],
)  # fmt: skip
def test_a_phone_number_before_its_hours_is_read_and_kept_apart_from_them(
    markdown: str, spoken: str
) -> None:
    """ "Call 1800 123 456 8am-8pm" was left as written (the hours read as one more group
    kept it from being a phone number), and "13 22 55 24 hours a day" was read with "2 4" as
    its last group."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    "text",
    [
        "The fee is $12.50, or $1,000.00 for a business.",
        "We refund it within 10 business days, and 14 days at most.",
        "From 1 July 2026 the rate is 0.6% on 1,000 kWh.",
        "In 2026 we sent 12 000 letters and 10 000 000 kWh was fed in.",
        "Due 01/07/2026 at 07:30, or 2026-07-01.",
        "Keep it at 18 to 25°C for 2 10-minute checks.",
        "Version 3.5 of form 2026 has 150 pages.",
        "Pay $1 800 123 or 1 000 000 points.",
        "In 2026 1500 customers joined.",
    ],
)
def test_voice_leaves_numbers_that_are_not_phone_numbers_as_written(text: str) -> None:
    assert _spoken(text) == text


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL, Channel.AGENT, Channel.WEB])
def test_other_channels_show_a_phone_number_as_written(channel: Channel) -> None:
    text = "Call 1800 123 456 or (02) 9876 5432."
    assert render_answer(text, channel) == text


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Use biller code 221144 and your account number as the reference.",
         "Use biller code 2 2 1 1 4 4 and your account number as the reference."),
        ("| Method | How |\n|---|---|\n| BPAY | Biller code 4455 |",
         "Method: BPAY, How: Biller code 4 4 5 5."),
        ("Quote customer ref AB12345 or invoice INV-00123.",
         "Quote customer ref A B 1 2 3 4 5 or invoice I N V, 0 0 1 2 3."),
        ("Pay to BSB 062-000, account 12345678.",
         "Pay to BSB 0 6 2, 0 0 0, account 1 2 3 4 5 6 7 8."),
        ("Our ABN is 12 345 678 901.", "Our ABN is 1 2, 3 4 5, 6 7 8, 9 0 1."),
        ("Your PIN: 1234.", "Your PIN: 1 2 3 4."),
        ("Your Customer Reference Number (CRN) is 123 456 789A, or quote CRN 987654321B.",
         "Your Customer Reference Number (CRN) is 1 2 3, 4 5 6, 7 8 9 A, or quote CRN"
         " 9 8 7 6 5 4 3 2 1 B."),
        ("Direct debit: BSB 123-456, Acc 12345678 or a/c 87654321.",
         "Direct debit: BSB 1 2 3, 4 5 6, Acc 1 2 3 4 5 6 7 8 or a/c 8 7 6 5 4 3 2 1."),
        ("Ticket #12345 is closed and order # A1B2C3 has shipped.",
         "Ticket number 1 2 3 4 5 is closed and order number A 1 B 2 C 3 has shipped."),
        ("Quote customer ID 12345678, member ID: 4455667 or account PIN 1234.",
         "Quote customer ID 1 2 3 4 5 6 7 8, member ID: 4 4 5 5 6 6 7 or account PIN 1 2 3 4."),
        ("Pay to IBAN GB82 WEST 1234 5698 7654 32 today.",
         "Pay to IBAN G B 8 2, W E S T, 1 2 3 4, 5 6 9 8, 7 6 5 4, 3 2 today."),
        ("Case no. 2024/1234 is about your invoice (INV-2026-001).",
         "Case no. 2 0 2 4, 1 2 3 4 is about your invoice (I N V, 2 0 2 6, 0 0 1)."),
        ("Under the policy (2024) we pay claim (AB-1234).",
         "Under the policy (2024) we pay claim (A B, 1 2 3 4)."),
        ("Quote claim 1234-A or case no. 2024/1234-B.",
         "Quote claim 1 2 3 4, A or case no. 2 0 2 4, 1 2 3 4, B."),
        ("Order 12/05/2026 arrived; see the Fuel policy 2024/25, code GB82 West or ref AB12345"
         " NOW 12.",
         "Order 12/05/2026 arrived; see the Fuel policy 2024 to 25, code G B 8 2 West or ref A B"
         " 1 2 3 4 5 NOW 12."),
        ("Reason code EXEMPT, a code of 12 digits, claim 25, No. 4 and number 1,000.",
         "Reason code EXEMPT, a code of 12 digits, claim 25, No. 4 and number 1,000."),
    ],
)  # fmt: skip
def test_voice_reads_a_reference_code_character_by_character(markdown: str, spoken: str) -> None:
    """ "biller code 221144" was read "two hundred and twenty-one thousand, one hundred and
    forty-four"; a caller keys it in digit by digit."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Use reason code GW-1 (quality), GW-2 (late).",
         "Use reason code G W, 1 (quality), G W, 2 (late)."),
        ("Reason codes GW-1, GW-2 and GW-3 apply.",
         "Reason codes G W, 1, G W, 2 and G W, 3 apply."),
        ("Quote invoice 12345678 or 87654321.",
         "Quote invoice 1 2 3 4 5 6 7 8 or 8 7 6 5 4 3 2 1."),
        # not of the code's shape: a count, or a code of another shape
        ("Quote ticket 12345 and 200 more, or code AB12, 3 times.",
         "Quote ticket 1 2 3 4 5 and 200 more, or code A B 1 2, 3 times."),
    ],
)  # fmt: skip
def test_voice_reads_each_code_listed_after_a_code_character_by_character(
    markdown: str, spoken: str
) -> None:
    """ "reason code GW-1 (quality), GW-2 (late)" read the first code character by character
    and the second "G W minus two"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("In the app: **Account > Billing preferences > Delivery > Post**.",
         "In the app: Account, then Billing preferences, then Delivery, then Post."),
        ("Submit it (Usage > Submit a reading).", "Submit it (Usage, then Submit a reading)."),
        ("Go to ‘Account’ › ‘People’ or Settings -> Users.",
         "Go to ‘Account’, then ‘People’ or Settings, then Users."),
        ("If the balance is < $20 or > $5, or 2 > 1.",
         "If the balance is < $20 or > $5, or 2 > 1."),
    ],
)  # fmt: skip
def test_voice_reads_a_path_through_menus_with_then(markdown: str, spoken: str) -> None:
    """ "Account > People" was read "Account greater than People"."""
    assert _spoken(markdown) == spoken


def test_voice_reads_a_phone_link_s_number_not_the_website() -> None:
    """An autolink ``<tel:...>`` is an address to CommonMark: voice said "call the website"."""
    spoken = _spoken("Call <tel:+61298765432>, [tel:1800 123 456](tel:1800123456) or [us](tel:1).")
    assert spoken == "Call plus 6 1 2 9 8 7 6 5 4 3 2, 1 8 0 0, 1 2 3, 4 5 6 or us."


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("It takes 3–5 business days.", "It takes 3 to 5 business days."),
        ("Open 0900–1700 or 0900-1700.", "Open 0900 to 1700 or 0900 to 1700."),
        ("Use 100–2000 kWh.", "Use 100 to 2000 kWh."),
        ("Open 9am–noon, noon-2pm or 6pm–midnight.",
         "Open 9am to noon, noon to 2pm or 6pm to midnight."),
        ("Open 12noon-2pm, 9am–12noon or 12 midnight-6am; we close at 12noon.",
         "Open 12 noon to 2pm, 9am to 12 noon or 12 midnight to 6am; we close at 12 noon."),
        ("Open 8:30am–5pm, or 8 am – 2 pm on Saturday.",
         "Open 8:30am to 5pm, or 8 am to 2 pm on Saturday."),
        ("Due 1 Jan–14 Jan, or 1 July 2026 – 30 June 2027, on the 2nd–4th.",
         "Due 1 Jan to 14 Jan, or 1 July 2026 to 30 June 2027, on the 2nd to 4th."),
        ("Pay 1 Jan-2026, 2nd March – 2027 or 1 Jan–14 Jan 2026.",
         "Pay 1 Jan 2026, 2nd March 2027 or 1 Jan to 14 Jan 2026."),
        ("Pay by 01-Jan-2026, for Jan-2026–Mar-2026, not RTA-Jan-2026.",
         "Pay by 01 Jan 2026, for Jan 2026 to Mar 2026, not RTA-Jan-2026."),
        ("Closed Dec 24-Jan 2, from July 1 – July 3, or Mar 2026-Apr 2026.",
         "Closed Dec 24 to Jan 2, from July 1 to July 3, or Mar 2026 to Apr 2026."),
        ("Valid 1/7/2026-30/6/2027, or 01/07/26 – 30/06/27, at 1/2 price.",
         "Valid 1/7/2026 to 30/6/2027, or 01/07/26 to 30/06/27, at 1/2 price."),
        ("Heaters at 18-20 degrees save 10-20% on $100–$200 bills.",
         "Heaters at 18 to 20 degrees save 10 to 20% on $100 to $200 bills."),
        ("Fees of $1,200-$1,500, or 1,000–2,500 kWh.",
         "Fees of $1,200 to $1,500, or 1,000 to 2,500 kWh."),
        ("Set it to 18°C–22°C or 65°F-70°F.", "Set it to 18°C to 22°C or 65°F to 70°F."),
        ("Use 15kWh-20kWh, drive 5km–10km, lift 20 kg-25 kg, pay 10c-12c or $10k–$20k.",
         "Use 15kWh to 20kWh, drive 5km to 10km, lift 20 kg to 25 kg, pay 10c to 12c or $10k to"
         " $20k."),
        ("Due 2026-07-01 or 01-07-2026, for RTA-2019-44, a 2-for-1 deal, COVID-19.",
         "Due 2026-07-01 or 01-07-2026, for R T A, 2 0 1 9, 4 4, a 2-for-1 deal, COVID-19."),
    ],
)  # fmt: skip
def test_voice_reads_a_range_with_to(markdown: str, spoken: str) -> None:
    """ "3–5 business days" was read "three five business days" or "three minus five"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Open 8.30am–5pm, 8.30 am - 12.30 pm or 8.30–5.30pm.",
         "Open 8:30am to 5pm, 8:30 am to 12:30 pm or 8:30 to 5:30pm."),
        ("Call 1800 123 456 8.30am-8pm.", "Call 1 8 0 0, 1 2 3, 4 5 6, 8:30am to 8pm."),
        ("Drop off between 7.30 and 8.30 am, or 2.30 until 4pm.",
         "Drop off between 7:30 and 8:30 am, or 2:30 until 4pm."),
        ("Pay $8.30 am, version 2.5 or 1.25-2.5 kg, type `8.30am`.",
         "Pay $8.30 am, version 2.5 or 1.25 to 2.5 kg, type 8.30am."),
    ],
)  # fmt: skip
def test_voice_reads_a_time_written_with_a_dot_as_a_time(markdown: str, spoken: str) -> None:
    """ "8.30am" was left for the speech engine to read as a decimal, "eight point three zero
    am"; with a colon it is read "eight thirty am"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Team 25 is $27/user/month.", "Team 25 is $27 per user per month."),
        ("Export pays 5c/kWh, idling £0.75/min.", "Export pays 5c per kWh, idling £0.75 per min."),
        ("Plans use 10 kWh/day or 2 GB/month, up to 3 times/day.",
         "Plans use 10 kWh per day or 2 GB per month, up to 3 times per day."),
        ("Drive at 60 km/h, 5 and/or 6.", "Drive at 60 km/h, 5 and/or 6."),
        ("Open 1/2 price on 01/07/2026 and/or at 60km/h.",
         "Open 1/2 price on 01/07/2026 and/or at 60km/h."),
    ],
)  # fmt: skip
def test_voice_reads_a_rate_with_per(markdown: str, spoken: str) -> None:
    """ "$12/user/month" was read "twelve dollars slash user slash month"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("We're open 24/7.", "We're open 24 hours a day, 7 days a week."),
        ("Call 13 22 55 24/7, or 1800 123 456 (24x7).",
         "Call 1 3, 2 2, 5 5, 24 hours a day, 7 days a week, or 1 8 0 0, 1 2 3, 4 5 6 "
         "(24 hours a day, 7 days a week)."),
        ("Online 24/7/365.", "Online 24 hours a day, 7 days a week, 365 days a year."),
        ("Pay 1/2 of 24/70 or 124/7.", "Pay 1/2 of 24/70 or 124/7."),
        ("VetLine 24/7 lets you chat, as our Healthline 24/7 does. Open 24/7.",
         "VetLine 24 7 lets you chat, as our Healthline 24 7 does. "
         "Open 24 hours a day, 7 days a week."),
    ],
)  # fmt: skip
def test_voice_reads_24_7_as_what_it_means(markdown: str, spoken: str) -> None:
    """ "24/7" was read "twenty-four slash seven", and "call 13 22 55 24/7" left the phone
    number as written (the "24" was taken for one more of its groups)."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("If x > Y then restart.", "If x > Y then restart."),
        ("If the total > Limit then call us.", "If the total > Limit then call us."),
        ("If Usage > Limit then we email you.", "If Usage > Limit then we email you."),
        ("When you're in Settings > Privacy, tap Delete.",
         "When you're in Settings, then Privacy, tap Delete."),
        ("If you use the app, go to Account > Billing then tap Pay.",
         "If you use the app, go to Account, then Billing then tap Pay."),
    ],
)  # fmt: skip
def test_voice_reads_a_condition_s_comparison_as_written(markdown: str, spoken: str) -> None:
    """ "If x > Y then restart" was read as a path through menus: "If x, then Y then
    restart"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call 555-0134 for 100–2000 kWh.", "Call 5 5 5, 0 1 3 4 for 100 to 2000 kWh."),
        ("Call us on 555-1234, or Tel: 555-2000.",
         "Call us on 5 5 5, 1 2 3 4, or Tel: 5 5 5, 2 0 0 0."),
        ("Call 555 0134 or 555.1234; buy 555 0134 items.",
         "Call 5 5 5, 0 1 3 4 or 5 5 5, 1 2 3 4; buy 555 0134 items."),
        ("Ph: 555-1234, Mobile: 555-3456, or contact us on 555-2345.",
         "Ph: 5 5 5, 1 2 3 4, Mobile: 5 5 5, 3 4 5 6, or contact us on 5 5 5, 2 3 4 5."),
        ("Call us toll-free on 555-1234; we reach 100-2000 homes.",
         "Call us toll-free on 5 5 5, 1 2 3 4; we reach 100-2000 homes."),
        ("Use 100-2000 kWh, or 555-1234 points.", "Use 100-2000 kWh, or 555-1234 points."),
    ],
)  # fmt: skip
def test_voice_reads_a_local_phone_number_with_a_hyphen_digit_by_digit(
    markdown: str, spoken: str
) -> None:
    """ "Call 555-0134" was left as written (a speech engine reads "five hundred and
    fifty-five, minus one hundred and thirty-four")."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call 555-0134 ext. 204 or 555-1234.",
         "Call 5 5 5, 0 1 3 4 ext. 2 0 4 or 5 5 5, 1 2 3 4."),
        ("Phone (02) 9876 5432, extension 12, 24/7.",
         "Phone 0 2, 9 8 7 6, 5 4 3 2, extension 1 2, 24 hours a day, 7 days a week."),
        ("Call +1 555 123 4567 x204 or 1300 36 36 36 x 2 today.",
         "Call plus 1, 5 5 5, 1 2 3, 4 5 6 7 extension 2 0 4 or 1 3 0 0, 3 6, 3 6, 3 6"
         " extension 2 today."),
        ("Call 13 22 55 within 3 days; the next 204 calls.",
         "Call 1 3, 2 2, 5 5 within 3 days; the next 204 calls."),
        ("Transfer to the nurse line (ext. 4410), or ask for extension 12; an extension 30 days"
         " long.",
         "Transfer to the nurse line (ext. 4 4 1 0), or ask for extension 1 2; an extension 30"
         " days long."),
    ],
)  # fmt: skip
def test_voice_reads_a_phone_number_s_extension_digit_by_digit(markdown: str, spoken: str) -> None:
    """ "555-0134 ext. 204" read the extension as "two hundred and four"; a caller keys it in
    digit by digit."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call 555-0134 or 555-1234.", "Call 5 5 5, 0 1 3 4 or 5 5 5, 1 2 3 4."),
        ("Phone 555-1234, 555-2345 or 555-3456 for help.",
         "Phone 5 5 5, 1 2 3 4, 5 5 5, 2 3 4 5 or 5 5 5, 3 4 5 6 for help."),
        ("Call 1800 123 456 and 555-1234, or 555-0134, 555-1234.",
         "Call 1 8 0 0, 1 2 3, 4 5 6 and 5 5 5, 1 2 3 4, or 5 5 5, 0 1 3 4, 5 5 5, 1 2 3 4."),
        ("| Line | Number |\n|---|---|\n| Faults | 555-0134 or 555-1234 |",
         "Line: Faults, Number: 5 5 5, 0 1 3 4 or 5 5 5, 1 2 3 4."),
        ("Account 1234 5678 or 555-1234 points.", "Account 1 2 3 4, 5 6 7 8 or 555-1234 points."),
        ("Call 555-0134 for 100-2000 kWh, or 100-2000 kWh.",
         "Call 5 5 5, 0 1 3 4 for 100-2000 kWh, or 100-2000 kWh."),
        ("Call 555-0134, 100-2000 kWh or 300-4000 customers; call 555-0134 days or nights.",
         "Call 5 5 5, 0 1 3 4, 100-2000 kWh or 300-4000 customers; call 5 5 5, 0 1 3 4 days or"
         " nights."),
    ],
)  # fmt: skip
def test_voice_reads_each_local_phone_number_of_a_list_digit_by_digit(
    markdown: str, spoken: str
) -> None:
    """ "Call 555-0134 or 555-1234" read the first as a phone number and left the second as
    written ("five hundred and fifty-five, minus one thousand two hundred and thirty-four")."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Text STOP to 12345 to opt out.", "Text STOP to 1 2 3 4 5 to opt out."),
        ('SMS 12345 with your name, or text "BAL" to 1999 88.',
         'SMS 1 2 3 4 5 with your name, or text "BAL" to 1 9 9 9, 8 8.'),
        ("Text your meter reading to 19123456 24/7.",
         "Text your meter reading to 1 9 1 2 3 4 5 6, 24 hours a day, 7 days a week."),
        ("Text HELP to 0412 345 678.", "Text HELP to 0 4 1 2, 3 4 5, 6 7 8."),
        ("Reply STOP to 12345 to opt out; we reply to 1500 emails a day.",
         "Reply STOP to 1 2 3 4 5 to opt out; we reply to 1500 emails a day."),
        ("Text 2 to 12345, or txt YES 12 on 1999 88.",
         "Text 2 to 1 2 3 4 5, or txt YES 12 on 1 9 9 9, 8 8."),
        ("Text 2 to 12345 or 3 to 12345, SMS 1234 or 1999 88; text STOP to 12345 and 200 more.",
         "Text 2 to 1 2 3 4 5 or 3 to 1 2 3 4 5, SMS 1 2 3 4 or 1 9 9 9, 8 8; text STOP to"
         " 1 2 3 4 5 and 200 more."),
        ("SMS STOP to 12345 or 67890 to opt out, text HELP to 12345 or 67890 for help; text"
         " STOP to 12345 and 200 to 300 more.",
         "SMS STOP to 1 2 3 4 5 or 6 7 8 9 0 to opt out, text HELP to 1 2 3 4 5 or 6 7 8 9 0 for"
         " help; text STOP to 1 2 3 4 5 and 200 to 300 more."),
        ("We text you 3 days before, and sent 1500 texts to 2000 customers.",
         "We text you 3 days before, and sent 1500 texts to 2000 customers."),
        ("We sent text messages to 2000 customers and SMS alerts to 1500 more households.",
         "We sent text messages to 2000 customers and SMS alerts to 1500 more households."),
    ],
)  # fmt: skip
def test_voice_reads_a_number_to_text_digit_by_digit(markdown: str, spoken: str) -> None:
    """ "text STOP to 12345" was read "twelve thousand three hundred and forty-five"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Send STOP to 12345 or 67890 to opt out.",
         "Send STOP to 1 2 3 4 5 or 6 7 8 9 0 to opt out."),
        ("Message STOP to 12345, msg HELP on 1999 88.",
         "Message STOP to 1 2 3 4 5, msg HELP on 1 9 9 9, 8 8."),
        ("Send the word 'balance' to 12345, or send `YES` to 67890.",
         "Send the word 'balance' to 1 2 3 4 5, or send YES to 6 7 8 9 0."),
        # no keyword: an amount or a count sent somewhere, not a text message
        ("Send $200 to your account, send 3 copies to 12345 and send 1500 letters to 2000 homes.",
         "Send $200 to your account, send 3 copies to 12345 and send 1500 letters to 2000 homes."),
        ("Send YES to 12345 and 200 more.", "Send YES to 1 2 3 4 5 and 200 more."),
    ],
)  # fmt: skip
def test_voice_reads_a_number_to_send_a_keyword_to_digit_by_digit(
    markdown: str, spoken: str
) -> None:
    """ "Text STOP to 12345" was read digit by digit, but "Send STOP to 12345" and "Message STOP
    to 12345" read "twelve thousand three hundred and forty-five"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Text START to 12345 to opt back in, or STOP to 12345 to opt out.",
         "Text START to 1 2 3 4 5 to opt back in, or STOP to 1 2 3 4 5 to opt out."),
        ("SMS JOIN to 12345 anytime; 'stop' on 67890 or 11111 to leave, `HELP` to 22222.",
         "SMS JOIN to 1 2 3 4 5 anytime; 'stop' on 6 7 8 9 0 or 1 1 1 1 1 to leave, HELP to"
         " 2 2 2 2 2."),
        # no number to text before it, or a count after it: as written
        ("STOP to 12345 to opt out.", "STOP to 12345 to opt out."),
        ("Text START to 12345. We add GST to 2000 invoices and SAVE UP TO 5000.",
         "Text START to 1 2 3 4 5. We add GST to 2000 invoices and SAVE UP TO 5000."),
    ],
)  # fmt: skip
def test_voice_reads_a_keyword_s_number_after_a_number_to_text_digit_by_digit(
    markdown: str, spoken: str
) -> None:
    """ "Text START to 12345 to opt back in, or STOP to 12345 to opt out." read the second 12345
    "twelve thousand three hundred and forty-five"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Enter `2-5` in the box, for 2-5 days.", "Enter 2, 5 in the box, for 2 to 5 days."),
        ("Text `STOP` to 12345, or enter `10` or `2019`.",
         "Text STOP to 1 2 3 4 5, or enter 10 or 2 0 1 9."),
        ("Quote `INV-00123`, reply `STOP` or see `more-time-to-pay`.",
         "Quote I N V, 0 0 1 2 3, reply STOP or see more-time-to-pay."),
        ("Type `Account > Billing` or `$12/month`.", "Type Account > Billing or $12/month."),
        ("Call `1800 274 368` or write to `help@x.example`.",
         "Call 1 8 0 0, 2 7 4, 3 6 8 or write to the email address."),
        ("```\nDial 2-5 then 1800 123 456\n```", "Dial 2-5 then 1 8 0 0, 1 2 3, 4 5 6."),
        ("Enter [`2019-2020`](https://x.example/y), see [the `Account > Billing` page](https://x.example)"
         " or [`x.example.com`](https://x.example.com).",
         "Enter 2 0 1 9, 2 0 2 0, see the Account > Billing page or the website."),
    ],
)  # fmt: skip
def test_voice_reads_code_as_written_not_as_a_range_or_a_path(markdown: str, spoken: str) -> None:
    """A code span "`2-5`", text to type as written, was read "2 to 5", and "`Account >
    Billing`" as a path through menus."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("It follows the Energy Retail Code 2019, and under the Fuel policy 2024 we refuel.",
         "It follows the Energy Retail Code 2019, and under the Fuel policy 2024 we refuel."),
        ("Our Privacy Policy 2023 says so.", "Our Privacy Policy 2023 says so."),
        ("Use code 2019, Biller code: 2019, your PIN 2019 or invoice 2024.",
         "Use code 2 0 1 9, Biller code: 2 0 1 9, your PIN 2 0 1 9 or invoice 2 0 2 4."),
        ("Code 2019 works, and so does the BPAY code 2020.",
         "Code 2 0 1 9 works, and so does the BPAY code 2 0 2 0."),
        ("# Fuel policy 2024\n\nHardship policy 2025 says so. Quote policy 2024, or your policy"
         " 2024.\n\nYour policy 2023 is due.",
         "Fuel policy 2024. Hardship policy 2025 says so. Quote policy 2 0 2 4, or your policy"
         " 2 0 2 4. Your policy 2 0 2 3 is due."),
    ],
)  # fmt: skip
def test_voice_reads_a_year_that_ends_a_name_as_a_year(markdown: str, spoken: str) -> None:
    """ "the Energy Retail Code 2019" was read "the Energy Retail Code 2 0 1 9", as if the
    year were a code to key in."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("The 2025/26 financial year, 2024-25 and FY2025/2026 rates.",
         "The 2025 to 26 financial year, 2024 to 25 and FY 2025 to 2026 rates."),
        ("Pay by 2025/12, quote 2024/1234 or case no. 2025/26; see the Fuel policy 2024/25.",
         "Pay by 2025/12, quote 2024/1234 or case no. 2 0 2 5, 2 6; see the Fuel policy 2024 to"
         " 25."),
    ],
)  # fmt: skip
def test_voice_reads_a_financial_year_as_years(markdown: str, spoken: str) -> None:
    """ "2025/26" was read "two thousand and twenty-five slash twenty-six", and "FY2024-25"
    as written."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Open Mon–Fri 9am–5pm, Sat-Sun 10am-2pm.",
         "Open Monday to Friday 9am to 5pm, Saturday to Sunday 10am to 2pm."),
        ("From Monday – Friday, Jan–Mar and Sept-Dec.",
         "From Monday to Friday, January to March and September to December."),
        ("A Mon-Tue-Wed roster, a Sat-nav and sun-dried fruit.",
         "A Mon-Tue-Wed roster, a Sat-nav and sun-dried fruit."),
        ("Open Sat 9am–1pm and Tues., Thurs. 6pm; closed Sat & Sun. We Sat in the Sun.",
         "Open Saturday 9am to 1pm and Tuesday, Thursday 6pm; closed Saturday & Sunday. We Sat in"
         " the Sun."),
        ("Open Sat. Closed Sun. Open Mon to Sat, Sat. mornings, closed on Sun and every Wed."
         " Built by Sun Microsystems.",
         "Open Saturday. Closed Sunday. Open Monday to Saturday, Saturday mornings, closed on"
         " Sunday and every Wednesday. Built by Sun Microsystems."),
        ("Open 10am-2pm Sat.\n\n- Sat: 9am–1pm\n- Sun: closed\n\n| Day | Hours |\n|---|---|\n"
         "| Sat | 9am–1pm |\n\nThe Sun: a paper. Sun, sand and surf.",
         "Open 10am to 2pm Saturday. Saturday: 9am to 1pm. Sunday: closed. Day: Saturday, Hours:"
         " 9am to 1pm. The Sun: a paper. Sun, sand and surf."),
    ],
)  # fmt: skip
def test_voice_reads_a_range_of_days_with_to(markdown: str, spoken: str) -> None:
    """ "Mon–Fri" was left as written: a speech engine reads "Mon Fri" or "Mon dash Fri"."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Search by the DA number, for example DA-2026/0417, or quote CVE-2024-1234.",
         "Search by the DA number, for example D A, 2 0 2 6, 0 4 1 7, or quote C V E, 2 0 2 4,"
         " 1 2 3 4."),
        ("COVID-19 rules, ISO-9001, the UNI-D1 port, an I-20 and AB-1-2.",
         "COVID-19 rules, ISO-9001, the UNI-D1 port, an I-20 and AB-1-2."),
    ],
)  # fmt: skip
def test_voice_reads_a_code_by_its_shape_character_by_character(markdown: str, spoken: str) -> None:
    """ "for example DA-2026/0417" was left as written, and a speech engine read "0417" as
    "four hundred and seventeen", losing its zero."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call us on: 555-1234, text STOP to: 12345, in an emergency call: 111; your biller code"
         " is: 221144.",
         "Call us on: 5 5 5, 1 2 3 4, text STOP to: 1 2 3 4 5, in an emergency call: 1 1 1; your"
         " biller code is: 2 2 1 1 4 4."),
        ("We call: 500 customers.", "We call: 500 customers."),
    ],
)  # fmt: skip
def test_voice_reads_a_number_after_a_colon_that_introduces_it(markdown: str, spoken: str) -> None:
    """ "Call us on: 555-1234" and "text STOP to: 12345" were read as quantities: a colon after
    the words that introduce a number hid them."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call us on:\n\n- 555-1234 (main)\n- 555-1235 (after hours)",
         "Call us on: 5 5 5, 1 2 3 4 (main). 5 5 5, 1 2 3 5 (after hours)."),
        ("Text STOP to:\n\n- 12345 (one network)\n- 67890 (another)\n\nIn an emergency, call:"
         "\n\n1. 111\n2. 999",
         "Text STOP to: 1 2 3 4 5 (one network). 6 7 8 9 0 (another). In an emergency, call:"
         " 1 1 1. 9 9 9."),
        ("Call 555-0134 or\n\n- 555-1234", "Call 5 5 5, 0 1 3 4 or 5 5 5, 1 2 3 4."),
        ("We call:\n\n- 500 customers\n- 3 times\n\nWe text\n\n- 2000 customers",
         "We call: 500 customers. 3 times. We text. 2000 customers."),
    ],
)  # fmt: skip
def test_voice_reads_a_list_s_number_after_the_words_that_lead_into_it(
    markdown: str, spoken: str
) -> None:
    """ "Call us on:" and a list of numbers, "555-1234 (main)", read the numbers as quantities:
    each line was read without the words of the line that leads into it."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Call 111 now, or dial 611 and ask.", "Call 1 1 1 now, or dial 6 1 1 and ask."),
        ("Ring 112/999, or call us on 112 or 999.",
         "Ring 1 1 2 or 9 9 9, or call us on 1 1 2 or 9 9 9."),
        ("In an emergency call 000 or 112, or call 000, 112 or 106.",
         "In an emergency call 0 0 0 or 1 1 2, or call 0 0 0, 1 1 2 or 1 0 6."),
        ("Call 000 (Triple Zero) or 112 from a mobile, or dial 106 (TTY/text) or 000.",
         "Call 0 0 0 (Triple Zero) or 1 1 2 from a mobile, or dial 1 0 6 (TTY/text) or 0 0 0."),
        ("We call 500 customers a day, and call 3 times.",
         "We call 500 customers a day, and call 3 times."),
        ("Your local 911 center takes texts; a 999 call is free. We took 300 calls, the 100 calls.",
         "Your local 9 1 1 center takes texts; a 9 9 9 call is free. We took 300 calls, the 100"
         " calls."),
    ],
)  # fmt: skip
def test_voice_reads_a_short_number_to_call_digit_by_digit(markdown: str, spoken: str) -> None:
    """ "call 111" was read "call one hundred and eleven", "dial 611" "six hundred and
    eleven"."""
    assert _spoken(markdown) == spoken


def test_reading_what_comes_before_a_number_takes_time_in_proportion_to_the_text() -> None:
    """Each year after a name ("Retail Code 2019") and each "call 555-1234" looked back to the
    start of the text for the words before it: 100 000 characters of them took 30 s, not 0.3."""
    text = "Under the Retail Code 2019, call 555-1234 or If x > Y then stop. " * 1_600
    tries = []
    for _ in range(3):
        started = time.thread_time()
        markdown_to_speech(text)
        tries.append(time.thread_time() - started)
    assert min(tries) < 3.0, tries


def test_reading_a_long_list_after_its_lead_in_takes_time_in_proportion_to_the_list() -> None:
    """Each item of a list looked back over the items before it for the line that leads into
    the list ("Call us on:"): 3 000 items took 20 s, not 1."""
    markdown = "Call us on:\n\n" + "\n".join(f"- 555-{1000 + n} (line {n})" for n in range(3_000))
    tries = []
    for _ in range(2):
        started = time.thread_time()
        said = markdown_to_speech(markdown)
        tries.append(time.thread_time() - started)
    assert said.endswith("5 5 5, 3 9 9 9 (line 2999).")
    assert min(tries) < 5.0, tries


def test_an_article_s_own_private_use_characters_never_pass_for_speech_s_marks() -> None:
    """Speech marks code and addresses with private-use characters: an article that held
    them had its text read as another code's ("a \\ue002\\ue010\\ue003 b" said "a \\ue010 b")."""
    assert _spoken("a \ue002\ue010\ue003 b `2-5` \ue002 c \ue003") == "a b 2, 5 c."


def test_an_article_s_character_references_to_speech_s_marks_never_pass_for_them() -> None:
    """Written as character references (``&#xE002;``, ``&#57360;``), which the parse decodes,
    speech's marks reached the caller: "a &#xE002;&#xE010;&#xE003; b" said "a \\ue010 b"."""
    spoken = _spoken("a &#xE002;&#xE010;&#xE003; b &#57344; `2-5` [c &#xe001;](https://x.example)")
    assert spoken == "a b 2, 5 c."


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Visit https://x.example/Fees_(2026) now.", "Visit the website now."),
        ("Go to www.x.example/a_(b), then pay.", "Go to the website, then pay."),
        ("See the page (https://x.example/fees).", "See the page (the website)."),
    ],
)
def test_voice_says_an_address_with_brackets_whole(markdown: str, spoken: str) -> None:
    """ "Visit https://x.example/Fees_(2026) now." was said "Visit the website) now.": the
    address ended before its closing bracket, which was left in the sentence."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Press #3282 to check your balance.", "Press hash 3 2 8 2 to check your balance."),
        ("Dial *100# for your balance, or *#06# for your IMEI.",
         "Dial star 1 0 0 hash for your balance, or star hash 0 6 hash for your IMEI."),
        ("Dial ##002# to cancel call forwarding.",
         "Dial hash hash 0 0 2 hash to cancel call forwarding."),
        ("Dial *225 for voicemail, then key in 1# to confirm.",
         "Dial star 2 2 5 for voicemail, then key in 1 hash to confirm."),
        ("Dial `*123*1#` to recharge.", "Dial star 1 2 3 star 1 hash to recharge."),
        # no keys: a number named with a number sign, a language, a sign alone
        ("Issue #3282 is fixed in C# 10; press # to finish.",
         "Issue #3282 is fixed in C# 10; press # to finish."),
    ],
)  # fmt: skip
def test_voice_reads_a_keypad_code_key_by_key(markdown: str, spoken: str) -> None:
    """ "Press #3282" was left for the speech engine, which reads "three thousand two hundred
    and eighty-two" with the hash said as it pleases, and the "002" of "Dial ##002#" was read as
    a number that starts with 0."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        # a keyword sent to a short code, which may look like a postcode: digit by digit
        ("Send NSW to 2000 for updates.", "Send NSW to 2 0 0 0 for updates."),
        ("Text STOP to 12345 always, thanks.", "Text STOP to 1 2 3 4 5 always, thanks."),
        ("SMS to 12345 costs 25c.", "SMS to 1 2 3 4 5 costs 25c."),
        # a verb after it: what texting the number does
        ("SMS STOP to 12345 stops all messages; SMS HELP to 12345 gets you help.",
         "SMS STOP to 1 2 3 4 5 stops all messages; SMS HELP to 1 2 3 4 5 gets you help."),
        ("Text YES to 78901 confirms your booking.",
         "Text YES to 7 8 9 0 1 confirms your booking."),
        # what the number counts after it: as written
        ("Send SMS to 2000 suppliers, or SMS alerts to 1500 children.",
         "Send SMS to 2000 suppliers, or SMS alerts to 1500 children."),
        ("We sent text messages to 2000 suppliers and text reminders to 300 students.",
         "We sent text messages to 2000 suppliers and text reminders to 300 students."),
        ("Send SMS to 500 staff; we wrote to 2000 people.",
         "Send SMS to 500 staff; we wrote to 2000 people."),
    ],
)  # fmt: skip
def test_voice_reads_a_count_after_a_number_to_text_s_words_as_written(
    markdown: str, spoken: str
) -> None:
    """ "Send SMS to 2000 suppliers" was read "Send SMS to 2 0 0 0 suppliers": only a closed list
    of people and places (customers, homes, ...) made the number a count, so "suppliers",
    "students", "patients" or "staff" after it did not."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("The fee is $2.50 - $0.50 = $2.00; your credit: $20 - $5.",
         "The fee is $2.50 minus $0.50 = $2.00; your credit: $20 minus $5."),
        ("So 10 - 4 = 6, and $5 + $3 - $1 is $7.",
         "So 10 minus 4 = 6, and $5 + $3 minus $1 is $7."),
        # a range runs up, or has a unit or a time; numbers alone may run down overnight
        ("Fees range $2.50 - $5.00, or 9am-5pm = 8 hours.",
         "Fees range $2.50 to $5.00, or 9am to 5pm = 8 hours."),
        ("Open 2200-0600.", "Open 2200 to 0600."),
    ],
)  # fmt: skip
def test_voice_reads_a_sum_s_dash_as_minus(markdown: str, spoken: str) -> None:
    """ "$2.50 - $0.50 = $2.00" was read "$2.50 to $0.50 = $2.00", a range in a sum."""
    assert _spoken(markdown) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Quote ticket 1/2 when you call.", "Quote ticket 1, 2 when you call."),
        ("Your ref: 12/05, case no. 3/4 or ticket #7/8.",
         "Your ref: 1 2, 0 5, case no. 3, 4 or ticket number 7, 8."),
        # a fraction, a fraction of something or a date after other words: as written
        ("You can claim 1/2 of the cost; a ticket 1/2 price; add 1/2 cup; order 12/05/2026.",
         "You can claim 1/2 of the cost; a ticket 1/2 price; add 1/2 cup; order 12/05/2026."),
        ("Case 1/7/2026 is a date.", "Case 1/7/2026 is a date."),
    ],
)  # fmt: skip
def test_voice_reads_two_numbers_with_a_slash_after_a_ticket_s_word_as_a_code(
    markdown: str, spoken: str
) -> None:
    """ "Ticket 1/2" was left for the speech engine, which reads "ticket one half" (or "ticket
    January the second"): two numbers with a slash were always a fraction or a date."""
    assert _spoken(markdown) == spoken


# Every voice rule tried each space of a long run ("enter 5" and 12,000 spaces took 1.5 s, time
# in the square of the run); runs are read as one space, which is what the voice says anyway.
@pytest.mark.timeout(60)  # a guard against minutes, not a speed assertion: milliseconds now
@pytest.mark.parametrize("lead_in", ["enter 5", "cw 5", "Call us on 5"])
def test_a_long_run_of_spaces_is_said_in_linear_time(lead_in: str) -> None:
    assert markdown_to_speech(lead_in + " " * 120_000 + "then x.").endswith("then x.")


def test_a_run_of_spaces_is_said_as_one() -> None:
    assert markdown_to_speech("Call   1800   123   456 today.") == markdown_to_speech(
        "Call 1800 123 456 today."
    )
