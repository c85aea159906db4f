"""Facts in Markdown tables: a cell is about its row and its column, not the cell before it."""

from __future__ import annotations

from knowledge_service.freshness.facts import FactKind, extract_facts
from knowledge_service.freshness.matching import ARTICLE_THRESHOLDS, find_contradictions
from knowledge_service.freshness.text import labelled_sentences

VISITS = """Each visit includes a health check.

| Visit | Age | Fee |
|---|---|---|
| First | 6 to 8 weeks | $95 |
| Second | 10 to 12 weeks | $95 |

Bring the certificate."""


def test_a_cell_is_labelled_by_its_row_and_its_column() -> None:
    """The first cell of a row and a header that state no figure label the row's other cells;
    the header row, a row's first cell and the text around the table have no label."""
    assert list(labelled_sentences(VISITS)) == [
        ("Each visit includes a health check.", ""),
        ("Visit", ""),
        ("Age", ""),
        ("Fee", ""),
        ("First", ""),
        ("6 to 8 weeks", "First Age"),
        ("$95", "First Fee"),
        ("Second", ""),
        ("10 to 12 weeks", "Second Age"),
        ("$95", "Second Fee"),
        ("Bring the certificate.", ""),
    ]


def test_a_label_leaves_out_what_states_a_figure_and_how_long_or_often() -> None:
    table = "| Plan | Basic 15GB | How long |\n|---|---|---|\n| 6 to 8 weeks | $40 | 2 days |"
    labels = dict(labelled_sentences(table))
    assert labels["$40"] == "" and labels["2 days"] == ""  # a row label with a figure
    table = (
        "| Delivery | How long | How often |\n|---|---|---|\n| Standard post | 7 days | weekly |"
    )
    labels = dict(labelled_sentences(table))
    assert labels["7 days"] == "Standard post" and labels["weekly"] == "Standard post"


def test_a_bare_figure_in_a_table_takes_its_row_and_column_not_the_cell_before() -> None:
    """ "$95" under "Fee" in the row "First" is a visit's fee; it used to take the words of
    the cell before it ("6 to 8 weeks"), which made it look like a weekly course's price."""
    table = extract_facts(VISITS, context="Puppy vaccinations")
    fees = [f for f in table if f.kind == FactKind.MONEY]
    assert [sorted(k for k in f.subject if not k.startswith("<")) for f in fees] == [
        ["fee", "first", "puppi", "vaccin"],
        ["fee", "puppi", "second", "vaccin"],
    ]
    course = extract_facts("Puppy school is a course of four classes, one a week, for $180.")
    assert find_contradictions(course, table, ARTICLE_THRESHOLDS) == []
    visit = extract_facts("The fee for the first puppy vaccination visit is $120.")
    found = find_contradictions(visit, table, ARTICLE_THRESHOLDS)
    assert [(c.fact.text, c.other.text) for c in found] == [("$120", "$95")]


def test_a_cell_past_the_second_column_keeps_its_row() -> None:
    """The third column's cell followed the second's figure, which has no words: it had no
    subject but its heading's. Now it has its row's and its column's."""
    text = "| Seat | Saver | Flex |\n|---|---|---|\n| Extra legroom | £30 | £25 |"
    flex = [f for f in extract_facts(text) if f.text == "£25"]
    assert {"extra", "legroom", "flex"} <= set(flex[0].subject)


HOURS = """| Days | Opens | Closes |
|---|---|---|
| Monday to Friday | 6am | 10pm |
| Saturday and Sunday | 8am | 8pm |
| Bank holidays | 8am to 6pm | |"""


def test_a_time_in_a_table_takes_its_role_from_the_column_and_its_days_from_the_row() -> None:
    """An opening-hours table: "8pm" under "Closes" in the row "Saturday and Sunday" is the
    weekend closing time, so it is compared with "on Saturday and Sunday we close at 6pm"."""
    times = [f.key for f in extract_facts(HOURS) if f.kind == FactKind.TIME]
    assert times == [
        "time:from:local:mon,tue,wed,thu,fri:360.00",
        "time:until:local:mon,tue,wed,thu,fri:1320.00",
        "time:from:local:sat,sun:480.00",
        "time:until:local:sat,sun:1200.00",
        "time:from:local:hol:480.00",
        "time:until:local:hol:1080.00",
    ]
    weekend = extract_facts("On Saturday and Sunday we close at 6pm.")
    found = find_contradictions(weekend, extract_facts(HOURS), ARTICLE_THRESHOLDS)
    assert [(c.fact.describe(), c.other.describe()) for c in found] == [("6:00 p.m.", "8:00 p.m.")]


def test_pm_before_a_day_ends_no_sentence() -> None:
    """ "Open 9 a.m. to 8 p.m. Monday to Friday": the days belong to the hours ("p.m." then a
    capitalised day is no sentence end); "We close at 5 p.m. Call us" is two sentences."""
    facts = extract_facts("The library is open 9 a.m. to 8 p.m. Monday to Friday.")
    assert {f.unit for f in facts if f.kind == FactKind.TIME} == {
        "from:local:mon,tue,wed,thu,fri",
        "until:local:mon,tue,wed,thu,fri",
    }
    assert len(list(labelled_sentences("We close at 5 p.m. Call us before then."))) == 2


PHONE_LINES = """| Number | Line | Opens | Closes |
|---|---|---|---|
| 1800 123 456 | Faults | 7am | 10pm |
| 13 22 00 | Billing | 9am | 5pm |"""


def test_a_row_whose_first_cell_is_a_phone_number_is_named_by_its_first_words() -> None:
    """A phone number states no figure, but names nothing either: the row is named by its
    next cell ("Faults"), which labels the row's other cells as a first cell would."""
    labels = dict(labelled_sentences(PHONE_LINES))
    assert labels["10pm"] == "Faults Closes" and labels["1800 123 456"] == "Faults Number"
    assert labels["9am"] == "Billing Opens" and labels["Billing"] == ""
    labels = dict(
        labelled_sentences("| Channel | Hours |\n|---|---|\n| Phone, 0800 555 314 | 24/7 |")
    )
    assert labels["24/7"] == "Phone, 0800 555 314 Hours"  # a phone number beside a name


def test_a_rows_times_are_compared_with_the_line_its_row_names() -> None:
    """Without the row's name, each line's times were only "Opens" and "Closes": the billing
    line's opening time was set against the faults line's (7am) and its closing time against
    none. Now each is about the line its row names."""
    table = extract_facts(PHONE_LINES, context="Phone lines")
    found = [
        (c.fact.text, c.other.text)
        for s in ("The billing line opens at 8am.", "Billing enquiries: we close at 6pm.")
        for c in find_contradictions(extract_facts(s), table, ARTICLE_THRESHOLDS)
    ]
    assert found == [("8am", "9am"), ("6pm", "5pm")]
