"""Correcting a question's misspelt words against the knowledge base's vocabulary."""

from __future__ import annotations

import pytest

from knowledge_service.index.spelling import (
    Speller,
    Vocabulary,
    WordList,
    english_words,
    one_edit_apart,
)

KB = [
    "How do I pay my bill? Pay your electricity bill online.",
    "Power outage in your street: report an outage.",
    "If you cannot afford your bill, ask about the hardship program.",
    "The late fee is charged when a bill is overdue.",
    "Keep your home cool in summer.",
]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("bil", "bill", True),  # a letter dropped
        ("bill", "bil", True),
        ("powr", "power", True),
        ("teh", "the", True),  # neighbours swapped
        ("fee", "fed", True),  # a letter replaced
        ("bill", "bill", False),
        ("bill", "ball", True),
        ("bill", "balls", False),
        ("outage", "outrage", True),
        ("abc", "bca", False),  # two edits
        ("ab", "ba", True),
        ("abcd", "acbe", False),
    ],
)
def test_one_edit_apart(a: str, b: str, expected: bool) -> None:
    assert one_edit_apart(a, b) is expected
    assert one_edit_apart(b, a) is expected


def test_typos_are_corrected_to_the_knowledge_base_words() -> None:
    speller = Speller.build(KB)
    assert speller.correct("how do i pay my bil") == "how do i pay my bill"
    assert speller.correct("powr outage") == "power outage"
    assert speller.correct("i cant aford my bil") == "i cant afford my bill"
    assert speller.correct("eletricity") == "electricity"
    assert speller.correct("teh late fee") == "the late fee"


def test_what_is_kept_as_it_was() -> None:
    speller = Speller.build(KB, lexicons=[{"cook", "weather", "cool"}])
    # words of the knowledge base, words the lexicon knows, short words, punctuation and case
    assert speller.correct("How do I pay my Bill?") == "How do I pay my Bill?"
    assert speller.correct("how do i cook rice") == "how do i cook rice"  # not "cool"
    assert speller.correct("weather tomorrow") == "weather tomorrow"
    assert speller.correct("my ID is AB, ok?") == "my ID is AB, ok?"
    # only the same first letter: "kill" is not taken for "bill"
    assert speller.suggestion("kill") is None


def test_an_ambiguous_typo_is_left_alone() -> None:
    # "bat" and "bet" are both one letter from "bot", start with its letter and are as
    # frequent: no correction
    speller = Speller.build(["bat bet"])
    assert speller.suggestion("bot") is None  # bat and bet tie
    speller = Speller.build(["bat bat bet"])
    assert speller.suggestion("bot") == "bat"  # the more frequent wins


def test_an_empty_knowledge_base_changes_nothing() -> None:
    speller = Speller.build([])
    assert speller.correct("powr outage") == "powr outage"


def test_the_index_corrects_questions_only_when_the_option_is_on() -> None:
    from knowledge_service.index.embedder import HashEmbedder
    from knowledge_service.index.hybrid import HybridIndex
    from knowledge_service.index.schemas import SearchRequest
    from knowledge_service.index.snapshot import IndexOptions
    from tests.factories import make_article
    from tests.index.conftest import kb_articles

    def built(correct: bool) -> HybridIndex:
        index = HybridIndex(HashEmbedder(), options=IndexOptions(correct_spelling=correct))
        index.upsert([(doc, 1) for doc in kb_articles()])
        return index

    on, off = built(True), built(False)
    right = off.search("when will I get my money back")
    typo = "when will I get my mony back"
    assert on.corrected([typo]) == ["when will I get my money back"]
    assert off.corrected([typo]) == [typo]
    for found in (on.search(typo), on.search_requests([SearchRequest(query=typo)])[0]):
        assert [h.article_id for h in found] == [h.article_id for h in right]
        assert [h.score for h in found] == pytest.approx([h.score for h in right])
    # a change of the knowledge base reaches the vocabulary
    assert on.corrected(["zepelin tours"]) == ["zepelin tours"]
    article = make_article("airship-tours", title="Zeppelin tours", answer="They leave at noon.")
    on.upsert([(article, 1)])
    assert on.corrected(["zepelin tours"]) == ["zeppelin tours"]


def test_chat_shorthand_is_never_read_as_a_knowledge_base_word() -> None:
    """ "lol" is one edit from "log" (and "low"): a customer laughing was once asked about
    logging a complaint. The index's speller knows chat shorthand as it knows English."""
    from knowledge_service.index.embedder import HashEmbedder
    from knowledge_service.index.hybrid import HybridIndex
    from knowledge_service.index.snapshot import IndexOptions
    from tests.factories import make_article

    index = HybridIndex(HashEmbedder(), options=IndexOptions(correct_spelling=True))
    logging = make_article(
        "log-complaint", title="How do I log a complaint", answer="Log it online.", body=""
    )
    tax = make_article("tax", title="The tax on your bill", answer="It is 10 percent.", body="")
    index.upsert([(logging, 1), (tax, 1)])  # "thx" is one edit from "tax"
    assert index.corrected(["lol", "thx so much", "lgo a complaint"]) == [
        "lol",
        "thx so much",
        "log a complaint",  # a typo is still corrected
    ]
    assert Speller.build(["log a complaint"]).suggestion("lol") == "log"  # no lexicon: a typo


def test_a_correction_that_moves_the_question_away_from_the_knowledge_base_is_dropped() -> None:
    """ "subnet" is one edit from the knowledge base's "subset", but an encoder that knows the
    word reads it as a network range: corrected, the question matches the knowledge base worse
    than as asked, so it is ranked as asked; a real typo's correction is kept."""
    from knowledge_service.index.embedder import HashEmbedder
    from knowledge_service.index.hybrid import HybridIndex
    from knowledge_service.index.schemas import SearchRequest
    from tests.factories import make_article

    class KnowsSubnets(HashEmbedder):  # a model that has seen the word
        def encode(self, texts, *, batch_size=64, show_progress=False):  # type: ignore[no-untyped-def]
            texts = [t.replace("subnet", "network address range") for t in texts]
            return super().encode(texts, batch_size=batch_size, show_progress=show_progress)

    index = HybridIndex(KnowsSubnets())
    index.upsert([
        (make_article("network-ranges", title="Network address ranges",
                      answer="Split a network address range into smaller ranges."), 1),
        (make_article("set-subsets", title="Subsets of a set",
                      answer="A subset holds only members of the set. Every subset is a set."), 1),
    ])  # fmt: skip
    question = "split a subnet into smaller ranges"
    assert index.corrected([question]) == ["split a subset into smaller ranges"]
    ranked, vectors = index.corrected_and_encoded([question, "what is a subet of a set"])
    assert ranked == [question, "what is a subset of a set"]
    assert vectors == pytest.approx(index.encode_queries(ranked))
    served = index.search_requests([SearchRequest(query=question)])[0]
    for found in (index.search(question), served):
        assert found[0].article_id == "network-ranges"


def test_a_vocabulary_kept_level_equals_one_counted_afresh() -> None:
    """Adding and removing texts in any order leaves the counts and the buckets a fresh count
    of the texts still there would give; removing a text never added changes nothing."""
    import random

    rng = random.Random(7)
    words = ["bill", "bills", "power", "powder", "outage", "fee", "fees", "hardship", "pay", "a"]
    texts = [" ".join(rng.choices(words, k=rng.randint(0, 6))) for _ in range(60)]
    vocabulary, present = Vocabulary(), []
    for step in range(300):
        if present and rng.random() < 0.45:
            vocabulary.remove([present.pop(rng.randrange(len(present)))])
        else:
            present.append(texts[step % len(texts)])
            vocabulary.add([present[-1]])
        fresh = Vocabulary(present)
        assert vocabulary.counts == fresh.counts
        assert vocabulary.by_start == fresh.by_start
    vocabulary.remove(["zeppelin"])
    assert vocabulary.counts == Vocabulary(present).counts


def test_the_index_keeps_its_speller_level_with_its_units_without_rebuilding_it() -> None:
    from knowledge_service.index.embedder import HashEmbedder
    from knowledge_service.index.hybrid import HybridIndex
    from tests.factories import make_article
    from tests.index.conftest import kb_articles

    index = HybridIndex(HashEmbedder())
    index.upsert([(doc, 1) for doc in kb_articles()])
    assert index.corrected(["zepelin tours"]) == ["zepelin tours"]  # the speller is made
    speller = index._speller
    airship = make_article("airship-tours", title="Zeppelin tours", answer="They leave at noon.")
    index.upsert([(airship, 1)])
    assert index.corrected(["zepelin tours"]) == ["zeppelin tours"]
    index.upsert([(make_article("airship-tours", title="Balloon tours", answer="At dawn."), 2)])
    assert index.corrected(["zepelin tours", "baloon tours"]) == ["zepelin tours", "balloon tours"]
    index.remove(["airship-tours"])
    assert index.corrected(["baloon tours"]) == ["baloon tours"]
    assert index._speller is speller  # kept level, never made again
    texts = [unit.index_text for unit in index.units.values()]
    assert speller.vocabulary.counts == Vocabulary(texts).counts


def test_names_acronyms_inflections_and_english_words_are_not_typos() -> None:
    speller = Speller.build(
        [*KB, "Don't pay twice: the name on the bill", "The bill is finalized", "Auto pay"],
        lexicons=[english_words()],
    )
    # a capitalised word after the first, or an acronym, in a question not all capitals
    assert speller.correct("is Bil the name") == "is Bil the name"
    assert speller.correct("my FEE code") == "my FEE code"
    assert speller.correct("HOW DO I PAY MY BIL") == "HOW DO I PAY MY bill"
    assert speller.correct("Bil overdue") == "bill overdue"  # the first word is no name
    # another form of a word (a letter added or dropped at the end), not a typo
    assert speller.suggestion("finalise") is None  # English, and known
    assert speller.suggestion("finalizd") == "finalized"
    assert speller.suggestion("bills") is None  # "bill" + s: English anyway
    # English words one letter from a knowledge-base word stay as they are
    assert speller.correct("the weather is doable") == "the weather is doable"
    # words with an apostrophe are words of their own
    assert speller.correct("dont pay twice") == "don't pay twice"


def test_inflection_rule_applies_from_its_length() -> None:
    speller = Speller.build(["payment payment"])
    assert speller.suggestion("paymentt") is None  # "payment" + t at the end: another form
    assert speller.suggestion("paymnet") == "payment"  # swapped letters: a typo
    assert Speller.build(["bill bill"]).suggestion("bil") == "bill"  # short: a typo


def test_the_english_word_list_is_read_from_the_package() -> None:
    words = english_words()
    assert len(words) > 100_000
    assert all(w in words for w in ("weather", "doable", "latex", "resent", "a", "zoo"))
    assert not any(w in words for w in ("bil", "powr", "aford", "", "zzzzzz", "café", 3))


def test_a_word_list_answers_membership_like_a_set() -> None:
    words = ["bill", "Power", "outage", "zebra", "apple", "café"]
    listed = WordList(words)
    assert len(listed) == 5  # lower case, ASCII only
    for probe in ["bill", "power", "outage", "zebra", "apple", "ap", "applf", "zz", "b", "bills"]:
        assert (probe in listed) is (probe in {w.lower() for w in words})
    assert "x" not in WordList([])


def test_the_english_list_holds_every_ascii_key_of_the_file() -> None:
    """The keys are read with a pattern, not json.loads: the same words either way."""
    import gzip
    import json
    from importlib import resources

    data = resources.files("spellchecker").joinpath("resources", "en.json.gz").read_bytes()
    keys = {k.lower() for k in json.loads(gzip.decompress(data)) if k.isascii()}
    words = english_words()
    assert len(words) == len(keys)
    assert all(k in words for k in keys)


def test_the_english_list_is_read_as_json_when_the_file_is_written_another_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gzip
    import json

    from knowledge_service.index import spelling

    compact = json.dumps({"Weather": 3, "doable": 1, "café": 2}, separators=(",", ":"))

    class Resource:
        def joinpath(self, *parts: str) -> Resource:
            return self

        def read_bytes(self) -> bytes:
            return gzip.compress(compact.encode())

    monkeypatch.setattr(spelling.resources, "files", lambda package: Resource())
    spelling.english_words.cache_clear()
    try:
        words = spelling.english_words()
        assert len(words) == 2 and "weather" in words and "doable" in words
    finally:
        spelling.english_words.cache_clear()
