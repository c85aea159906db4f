"""Rules about one article at a time: invalid files, review dates and the policies it cites.

Pure functions: documents in, :class:`~knowledge_service.freshness.schemas.FindingData` out.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from knowledge_service.content.loader import InvalidFile
from knowledge_service.content.schemas import (
    CUSTOMER_CHANNELS,
    ArticleDocument,
    Audience,
    Channel,
    Clause,
    PolicyDocument,
    PolicyStatus,
)
from knowledge_service.freshness.facts import ANSWER_SECTION, Fact, StatedTerms, extract_facts
from knowledge_service.freshness.matching import (
    CLAUSE_THRESHOLDS,
    Contradiction,
    find_contradictions,
    restates,
    with_charges,
)
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind, Severity


@dataclass(frozen=True, slots=True)
class CheckedArticle:
    """An article under check: its document, store version (if known) and extracted facts.

    ``against``: its facts compared with those of the clauses it cites, when compared
    beforehand (:meth:`many`, in a pool; see :func:`cited_contradictions`).
    """

    doc: ArticleDocument
    version: int | None = None
    facts: tuple[Fact, ...] = field(default=())
    against: ClauseComparison | None = None

    @classmethod
    def of(cls, doc: ArticleDocument, version: int | None = None) -> CheckedArticle:
        return cls(doc, version, _article_facts(*_fact_source(doc)))

    @classmethod
    def many(
        cls,
        docs: Sequence[tuple[ArticleDocument, int | None]],
        *,
        policies: Mapping[str, PolicyDocument] | None = None,
        min_parallel: int | None = None,
    ) -> list[CheckedArticle]:
        """:meth:`of` for each (document, version): the same facts, read by a pool of
        processes (one per core) from ``min_parallel`` distinct articles on (default
        :data:`PARALLEL_MIN_ARTICLES`), in this process below that or on one core. A pool
        also compares each article's facts with those of the clauses of ``policies`` it
        cites (what :func:`cited_contradictions` would compute here)."""
        policies = policies or {}
        cited = [list(_cited(doc, policies)) for doc, _ in docs]
        sources = [
            (
                _fact_source(doc),
                tuple((c.heading, c.text, as_cited is not None) for _, as_cited, c in found),
            )
            for (doc, _), found in zip(docs, cited, strict=True)
        ]
        threshold = PARALLEL_MIN_ARTICLES if min_parallel is None else min_parallel
        read = _read_in_pool(sources, threshold)
        if read is None:
            return [cls.of(doc, version) for doc, version in docs]
        items = []
        for (doc, version), source in zip(docs, sources, strict=True):
            facts, found, restated = read[source]
            reference = tuple(
                f for heading, text, _ in source[1] for f in clause_facts(heading, text)
            )
            contradictions = tuple(
                Contradiction(fact, other, similarity)
                for fact, other, similarity in _decode(found, facts, reference)
            )
            against = ClauseComparison(reference, contradictions, restated)
            items.append(cls(doc, version, facts, against))
        return items

    def evidence(self, section: str | None, text: str, fact: str | None = None) -> Evidence:
        return Evidence(
            article_id=self.doc.id,
            version=self.version,
            section=section,
            text=text,
            path=self.doc.source_path,
            fact=fact,
        )


@dataclass(frozen=True, slots=True)
class ClauseComparison:
    """An article's facts compared with ``reference``, the facts of the clauses it cites (in
    :func:`cited_clause_facts` order): the contradictions (:func:`clause_contradictions`) and
    the (article fact, clause fact) positions of the facts that restate a clause fact."""

    reference: tuple[Fact, ...]
    contradictions: tuple[Contradiction, ...]
    restated: tuple[tuple[int, int], ...]

    def holds_for(self, reference: tuple[Fact, ...]) -> bool:
        """Whether this was compared with these very clause facts."""
        return len(reference) == len(self.reference) and all(
            a is b for a, b in zip(reference, self.reference, strict=True)
        )


FactSource = tuple[str, str, tuple[tuple[str, str], ...]]
# A cited clause's heading and text, and whether the article cites it by number.
ClauseText = tuple[str, str, bool]
# A contradiction sent back from a worker: the positions of the article's fact and of the
# clause fact (among them and the charges they imply) and the similarity.
Found = tuple[tuple[int, int, float], ...]


def _fact_source(doc: ArticleDocument) -> FactSource:
    """What an article's facts are read from (plain strings): its title and intents as
    context, its answer, and its sections (heading path, text)."""
    sections = tuple(((" > ".join(s.path)), s.text) for s in doc.sections)
    context = " ".join([doc.title, *(i.replace(".", " ").replace("_", " ") for i in doc.intents)])
    return context, doc.answer, sections


# From this many distinct articles on, their facts are read in a pool of processes: forking
# and sending the facts back costs a few tenths of a second, reading 10,000 articles about
# ten seconds of one core.
PARALLEL_MIN_ARTICLES = 2_000
PARALLEL_CHUNKS_PER_WORKER = 4


def usable_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# An article's facts and the clauses it cites.
Task = tuple[FactSource, tuple[ClauseText, ...]]


Read = tuple[tuple[Fact, ...], Found, tuple[tuple[int, int], ...]]


def _read_in_pool(tasks: Sequence[Task], threshold: int) -> dict[Task, Read] | None:
    """Each distinct task's facts and clause contradictions, read by forked worker processes
    (one per core but one) and by this process, which reads its share meanwhile. Workers
    read plain strings (nothing of the caller's state, such as an open database connection,
    is used there). None below ``threshold`` distinct tasks, on one core or without fork."""
    unique = list(dict.fromkeys(tasks))
    processes = min(usable_cores(), len(unique))
    forking = "fork" in multiprocessing.get_all_start_methods()
    if len(unique) < max(threshold, 1) or processes < 2 or not forking:
        return None
    workers = processes - 1
    sent = unique[: len(unique) - len(unique) // processes]  # the rest is read here
    chunk = max(1, len(sent) // (workers * PARALLEL_CHUNKS_PER_WORKER))
    context = multiprocessing.get_context("fork")
    # A worker's collector (paused with the caller's during a check, see collection_paused)
    # never walks the objects it inherits, the caller's documents: frozen at its start, they
    # are neither scanned again nor copied on write by the scans.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.freeze)
    with pool:
        results = pool.map(_read_task, sent, chunksize=chunk)  # submitted at once
        here = [_read_task(task) for task in unique[len(sent) :]]
        return dict(zip(unique, [*results, *here], strict=True))


def _read_task(task: Task) -> Read:
    """An article's facts, their contradictions with its clauses' facts and its
    restatements of them, as positions (in a worker, the clause facts are read again where
    the result is used)."""
    source, clauses = task
    facts = _article_facts(*source)
    reference = tuple(f for heading, text, _ in clauses for f in clause_facts(heading, text))
    if not reference:
        return facts, (), ()
    by_number = tuple(
        by_number for heading, text, by_number in clauses for _ in clause_facts(heading, text)
    )
    found = clause_contradictions(facts, reference, cited_by_number=by_number)
    own, other = _positions(facts), _positions(reference)
    restated = tuple(
        (i, j)
        for i, fact in enumerate(facts)
        for j, clause_fact in enumerate(reference)
        if restates(fact, clause_fact)
    )
    contradicted = tuple((own[id(c.fact)], other[id(c.other)], c.similarity) for c in found)
    return facts, contradicted, restated


def _positions(facts: tuple[Fact, ...]) -> dict[int, int]:
    return {id(f): n for n, f in enumerate(with_charges(facts))}


def _decode(
    found: Found, facts: tuple[Fact, ...], reference: tuple[Fact, ...]
) -> list[tuple[Fact, Fact, float]]:
    if not found:
        return []
    own, other = with_charges(facts), with_charges(reference)
    return [(own[i], other[j], similarity) for i, j, similarity in found]


@lru_cache(maxsize=50_000)
def _article_facts(
    title: str, answer: str, sections: tuple[tuple[str, str], ...]
) -> tuple[Fact, ...]:
    stated = StatedTerms()  # what the whole article states, shared by its facts
    facts = extract_facts(answer, section=ANSWER_SECTION, context=title, stated=stated)
    for heading, text in sections:
        facts += extract_facts(text, section=heading, context=f"{title} {heading}", stated=stated)
    return tuple(facts)


@lru_cache(maxsize=20_000)
def clause_facts(heading: str, text: str) -> tuple[Fact, ...]:
    """The facts of a policy clause (its heading weighs in as context)."""
    return tuple(extract_facts(text, section=heading, context=heading))


@lru_cache(maxsize=50_000)
def clause_contradictions(
    facts: tuple[Fact, ...],
    reference: tuple[Fact, ...],
    *,
    cited_by_number: tuple[bool, ...] = (),
) -> tuple[Contradiction, ...]:
    """The facts of an article that the clauses it cites (their facts: ``reference``) state
    differently; computed once for the mismatch rule and the pairing through policies.
    ``cited_by_number``: for each fact of ``reference``, whether the article cites its clause
    by number (:func:`cited_by_number`), so restates it."""
    return tuple(
        find_contradictions(facts, reference, CLAUSE_THRESHOLDS, cited_by_number=cited_by_number)
    )


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 day``, ``2 days``, ``1 policy``, ``2 policies``: a number with its noun in the
    right number (``plural`` for a noun that does not just add an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


_REPLACED_BY = re.compile(
    r"\b(?i:replaced by|superseded by|moved to)\s+(?:the\s+)?(?P<policy>[A-Z][A-Z0-9_-]+)"
    r"(?:#(?P<hash>\d+(?:\.\d+)*)|\s+clause\s+(?P<clause>\d+(?:\.\d+)*))?"
)


def replacing_clause(policy: PolicyDocument) -> str | None:
    """The policy or clause a retired policy names as its replacement ("replaced by X#2.4",
    "moved to BILLING clause 2.4", "Replaced by X#2.4." opening a sentence)."""
    found = _REPLACED_BY.search(policy.body)
    if found is None:
        return None
    clause = found["hash"] or found["clause"]
    return found["policy"] + (f"#{clause}" if clause else "")


def _verify(article_id: str) -> str:
    """How an owner confirms an article is still right, in the pages or on the command line."""
    return (
        f"verify it on its review page (Verify) or with "
        f"`knowledge-service articles verify {article_id}`"
    )


def check_invalid(invalid: Sequence[InvalidFile]) -> list[FindingData]:
    """One ``invalid`` finding per file that failed to load.

    A file whose id could be read is about that article (``article_ids``) or policy
    (``policy_id``), and is the same finding wherever the folder lies: its fingerprint is the
    id and the field. Another, or a file that gives an id another file gives too (field
    ``id``: one finding per file), is identified by its path under the folder it was found in
    and the field. The message names the file under its folder's name (``content/billing/a.md``).
    """
    findings = []
    for item in invalid:
        shown = item.folder_path
        where = shown + (f" line {item.line}" if item.line is not None else "")
        field_text = f", field '{item.field}'" if item.field else ""
        problem = _problem(item)
        fix = f"correct the field '{item.field}'" if item.field else "correct the file"
        article_id = item.doc_id if item.kind != "policy" else None
        policy_id = item.doc_id if item.kind == "policy" else None
        if item.doc_id is not None and item.field != "id":
            fact_key = f"{item.kind}|{item.field}"
        else:  # or an id two files give: a finding per file
            fact_key = f"{item.kind}|{item.relative_path or item.path}|{item.field}"
        evidence = Evidence(
            article_id=article_id, policy_id=policy_id, text=problem,
            path=item.source_path or item.path, line=item.line, section=item.field,
        )  # fmt: skip
        findings.append(
            FindingData.create(
                FindingKind.INVALID,
                [article_id] if article_id is not None else [],
                f"{where}{field_text}: {problem}: {fix} (see the content format) "
                "and import the file again.",
                [evidence],
                policy_id=policy_id,
                fact_key=fact_key,
            )
        )
    return findings


def _problem(item: InvalidFile) -> str:
    """What is wrong with an invalid file, without the path, line and field its message
    starts with (they are shown apart)."""
    where = item.path + (f":{item.line}" if item.line is not None else "")
    problem = item.message.removeprefix(f"{where}: ")
    return problem.removeprefix(f"field '{item.field}': ") if item.field else problem


def _days_after(day: date, days: int) -> date:
    """``day`` plus ``days``, or the last day a date can hold when that is later (a grace
    period of millions of days is a setting, not an error)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def _overdue_consequence(doc: ArticleDocument, in_grace: bool, ends: date) -> str:
    """What an overdue review does to where ``doc`` is served: customer channels escalate a
    blocked article; the agent channel still shows it, with its findings; an article on no
    channel (``channels: []``, or internal on customer channels only) is served nowhere."""
    served = {
        c
        for c in doc.channels
        if not (doc.audience == Audience.INTERNAL and c in CUSTOMER_CHANNELS)
    }
    if served & CUSTOMER_CHANNELS:
        return (
            f"it blocks customer channels after {ends.isoformat()}"
            if in_grace
            else "customer channels escalate it to a human"
        )
    if Channel.AGENT in served:
        return "it is on no customer channel: agents are shown it with this finding"
    return "it is served on no channel"


def check_dates(
    item: CheckedArticle, today: date, window_days: int, grace_days: int = 30
) -> list[FindingData]:
    """``review_overdue`` after ``next_review`` (``warn`` for ``grace_days`` days, then
    ``block``; 0 blocks at once); ``review_due_soon`` within the window."""
    doc = item.doc
    evidence = [item.evidence("front matter", f"next_review: {doc.next_review.isoformat()}")]
    if doc.next_review < today:
        days = (today - doc.next_review).days
        in_grace = days <= grace_days
        ends = _days_after(doc.next_review, grace_days)
        consequence = _overdue_consequence(doc, in_grace, ends)
        message = (
            f"Review overdue: next_review was {doc.next_review.isoformat()} "
            f"({count(days, 'day')} ago); {doc.owner} must confirm the article is still right "
            f"({consequence}): {_verify(doc.id)} or edit `next_review`."
        )
        severity = Severity.WARN if in_grace else Severity.BLOCK
        return [
            FindingData.create(
                FindingKind.REVIEW_OVERDUE, [doc.id], message, evidence, severity=severity
            )
        ]
    days = (doc.next_review - today).days
    if days <= window_days:
        when = "today" if days == 0 else f"in {count(days, 'day')}"
        message = (
            f"Review due {when} (next_review {doc.next_review.isoformat()}): {_verify(doc.id)} "
            f"once {doc.owner} has checked it."
        )
        return [FindingData.create(FindingKind.REVIEW_DUE_SOON, [doc.id], message, evidence)]
    return []


def check_policy_links(
    item: CheckedArticle,
    policies: Mapping[str, PolicyDocument],
    invalid_policies: Mapping[str, str] | None = None,
    draft_policies: Collection[str] = (),
) -> list[FindingData]:
    """Missing, retired and changed cited policies, and facts that differ from a cited clause.

    ``invalid_policies``: the file of each policy id whose file is invalid (the policy is not
    missing; its file needs correcting). ``draft_policies``: the ids of policies that have
    only drafts (none in force: missing, but the finding says why)."""
    findings: list[FindingData] = []
    seen_policies: set[str] = set()
    for ref in item.doc.policy_sources:
        policy = policies.get(ref.policy_id)
        clause = policy.clause(ref.clause) if policy is not None and ref.clause else None
        if policy is None or (ref.clause and clause is None):
            in_file = (invalid_policies or {}).get(ref.policy_id) if policy is None else None
            findings.append(
                _missing(
                    item, str(ref), ref.policy_id, ref.clause, policy, invalid_file=in_file,
                    draft_only=policy is None and ref.policy_id in draft_policies,
                )
            )  # fmt: skip
            continue
        if ref.policy_id not in seen_policies:
            seen_policies.add(ref.policy_id)
            findings.extend(_policy_state(item, policy, _cited_clause(item.doc, policy.id)))
    findings.extend(_mismatches(item, cited_clause_facts(item.doc, policies)))
    return findings


@dataclass(frozen=True, slots=True)
class CitedFact:
    """A fact of an active clause an article cites: the policy, the clause as cited (None
    for a whole policy) and the clause it is stated in (``POLICY#n``)."""

    fact: Fact
    policy: PolicyDocument
    cited: str | None
    cite: str

    @property
    def number(self) -> str:
        """The number of the clause the fact is stated in (``2.1`` of ``POLICY#2.1``)."""
        return self.cite.partition("#")[2]


def cited_clause_facts(
    doc: ArticleDocument, policies: Mapping[str, PolicyDocument]
) -> list[CitedFact]:
    """The facts of every active clause ``doc`` cites (all clauses of a policy cited whole)."""
    found: list[CitedFact] = []
    for policy, cited, c in _cited(doc, policies):
        cite = f"{policy.id}#{c.number}"
        found += [CitedFact(f, policy, cited, cite) for f in clause_facts(c.heading, c.text)]
    return found


def _cited(
    doc: ArticleDocument, policies: Mapping[str, PolicyDocument]
) -> Iterator[tuple[PolicyDocument, str | None, Clause]]:
    """Every active clause ``doc`` cites, in order: its policy, the clause as cited (None
    for a whole policy) and the clause."""
    for ref in doc.policy_sources:
        policy = policies.get(ref.policy_id)
        if policy is None or policy.status == PolicyStatus.RETIRED:
            continue
        clauses = [policy.clause(ref.clause)] if ref.clause else policy.clauses
        yield from ((policy, ref.clause, c) for c in clauses if c is not None)


def cited_by_number(cited: Iterable[CitedFact]) -> tuple[bool, ...]:
    """For each cited clause fact, whether the article cites its clause by number (not its
    whole policy): a clause the article restates, whatever else it cites."""
    return tuple(c.cited is not None for c in cited)


def _cited_clause(doc: ArticleDocument, policy_id: str) -> str | None:
    """The clause of ``policy_id`` the article cites, when it cites exactly one."""
    clauses = {r.clause for r in doc.policy_sources if r.policy_id == policy_id}
    return clauses.pop() if len(clauses) == 1 else None


def _missing(
    item: CheckedArticle,
    cited: str,
    policy_id: str,
    clause: str | None,
    policy: PolicyDocument | None,
    *,
    invalid_file: str | None = None,
    draft_only: bool = False,
) -> FindingData:
    if invalid_file is not None:
        message = (
            f"Cites {cited}, but the file of policy {policy_id} ({invalid_file}) is invalid, "
            "so the policy could not be read: correct that file (its invalid finding says what "
            "is wrong)."
        )
    elif draft_only:
        message = (
            f"Cites {cited}, but policy {policy_id} has only a draft, which is not in force: "
            "cite it once it is approved, or correct policy_sources."
        )
    elif policy is None:
        message = f"Cites {cited}, but there is no policy {policy_id}: correct policy_sources."
    else:
        numbers = ", ".join(c.number for c in policy.clauses) or "none"
        message = (
            f"Cites {cited}, but {policy_id} has no clause {clause} (it has: {numbers}): "
            "correct policy_sources."
        )
    evidence = [item.evidence("front matter", f"policy_sources: {cited}")]
    return FindingData.create(
        FindingKind.POLICY_MISSING,
        [item.doc.id],
        message,
        evidence,
        policy_id=policy_id,
        clause=clause,
    )


def policy_evidence(policy: PolicyDocument, text: str, clause: str | None = None) -> Evidence:
    """Evidence in a policy file (its clause, where known)."""
    return Evidence(
        text=text,
        policy_id=policy.id,
        clause=clause,
        policy_version=policy.version,
        path=policy.source_path,
    )


def _policy_state(
    item: CheckedArticle, policy: PolicyDocument, clause: str | None
) -> list[FindingData]:
    doc = item.doc
    cited = policy.id + (f"#{clause}" if clause else "")
    cite = item.evidence("front matter", f"policy_sources: {cited}")
    if policy.status == PolicyStatus.RETIRED:
        replacement = replacing_clause(policy)
        fix = (
            f"cite {replacement} instead and check the article against it"
            if replacement
            else "cite the policy that replaced it, or retire the article"
        )
        message = f"Cites {cited}, but policy {policy.id} ({policy.title}) is retired: {fix}."
        evidence = [cite, policy_evidence(policy, f"status: {policy.status}")]
        kind, fact_key = FindingKind.POLICY_RETIRED, ""
    elif policy.effective_date > doc.last_reviewed:
        message = (
            f"Policy {policy.id} changed: version {policy.version} took effect on "
            f"{policy.effective_date.isoformat()}, after this article was last reviewed "
            f"({doc.last_reviewed.isoformat()}); check it still matches {cited}, then "
            f"{_verify(doc.id)}."
        )
        evidence = [
            item.evidence("front matter", f"last_reviewed: {doc.last_reviewed.isoformat()}"),
            policy_evidence(policy, f"effective_date: {policy.effective_date.isoformat()}"),
        ]
        # One finding from the policy's first change after the review until the article is
        # reviewed again: a later policy version updates it (its message names the newest)
        # rather than resolving it as fixed and opening another, which left its
        # acknowledgement and history behind.
        kind, fact_key = FindingKind.POLICY_CHANGED, doc.last_reviewed.isoformat()
    else:
        return []
    finding = FindingData.create(
        kind, [doc.id], message, evidence, policy_id=policy.id, clause=clause, fact_key=fact_key
    )
    return [finding]


def where_stated(fact: Fact) -> tuple[str | None, str, str]:
    """Where a fact was stated: an amount's implied "charged" rule is a new object, stated
    where the amount is."""
    return (fact.section, fact.sentence, fact.text)


def cited_contradictions(
    item: CheckedArticle, cited: Sequence[CitedFact]
) -> list[tuple[Contradiction, CitedFact]]:
    """Article facts that no cited clause confirms and the closest cited fact contradicts,
    each with the clause fact it contradicts."""
    source = {where_stated(c.fact): c for c in cited}
    reference = tuple(c.fact for c in cited)
    if item.against is not None and item.against.holds_for(reference):
        found = item.against.contradictions  # compared beforehand, in a pool
    else:
        found = clause_contradictions(item.facts, reference, cited_by_number=cited_by_number(cited))
    return [(c, source[where_stated(c.other)]) for c in found]


def cited_restatements(
    item: CheckedArticle, cited: Sequence[CitedFact]
) -> list[tuple[Fact, CitedFact]]:
    """The article's facts that state a cited clause fact's value about its subject, each
    with that clause fact (:func:`~knowledge_service.freshness.matching.restates`)."""
    if item.against is not None and item.against.holds_for(tuple(c.fact for c in cited)):
        return [(item.facts[i], cited[j]) for i, j in item.against.restated]
    return [(fact, c) for fact in item.facts for c in cited if restates(fact, c.fact)]


def _mismatches(item: CheckedArticle, cited: Sequence[CitedFact]) -> list[FindingData]:
    """Article facts that no cited clause confirms and the closest cited fact contradicts."""
    findings = []
    for found, source in cited_contradictions(item, cited):
        fact, other = found.fact, found.other
        policy, clause = source.policy, source.cited
        cite = policy.id + (f"#{clause}" if clause else "")
        where = f"the {fact.section}" if fact.section == ANSWER_SECTION else f"'{fact.section}'"
        message = (
            f'The article says {fact.describe()} ("{fact.text}" in {where}) but {cite} '
            f'(version {policy.version}) says {other.describe()} ("{other.text}"): correct the '
            f"article, or ask {policy.owner} whether the policy should change."
        )
        evidence = [
            item.evidence(fact.section, fact.sentence, fact.key),
            policy_evidence(policy, other.sentence, source.number).model_copy(
                update={"fact": other.key}
            ),
        ]
        findings.append(
            FindingData.create(
                FindingKind.POLICY_MISMATCH,
                [item.doc.id],
                message,
                evidence,
                policy_id=policy.id,
                clause=clause,
                fact_key=other.key,
            )
        )
    return findings
