"""Files in, GraphData and an IngestReport out: questions, mentions, relations, candidates.

build() works on a list of questions (levels from titles, mentions, every relation, question
prerequisites); ingest() reads files, merges them into an existing graph and builds over the
union. Candidate terms (jieba noun keywords and Latin acronyms that are not in the lexicon and
appear in at least MIN_CANDIDATE_QUESTIONS questions) are reported for curation and never added.

What each question gives on its own (mentions, topics, candidate terms, its search document)
comes from ingest.scan, in a process pool for large sets; relations and question
prerequisites over the whole set follow here.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from zhitu.graph.gcpause import gc_paused
from zhitu.graph.model import GraphData, Mention, Origin, Question, Relation, RelationType
from zhitu.ingest.scan import QuestionScan, level_of, scan, workers_for
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.prereq import question_prerequisites
from zhitu.ingest.read import RawQuestion, question_id, read_paths
from zhitu.ingest.relations import Doc, concept_relations

__all__ = ["Candidate", "IngestReport", "build", "ingest", "level_of", "workers_for"]
Progress = Callable[[int, int], None]
MIN_CANDIDATE_QUESTIONS = 2
MAX_CANDIDATES = 100
MAX_EXAMPLES = 3

@dataclass
class Candidate:
    term: str
    frequency: int
    questions: int
    examples: list[str]


@dataclass
class IngestReport:
    files: list[str]
    questions_read: int
    questions_merged: int
    warnings: list[str]
    candidates: list[Candidate]
    without_concepts: list[str]
    dropped: list[str] = field(default_factory=list)  # relations dropped as contradictions
    # question id -> its search document, for MemoryStore.replace(search_documents=...)
    search_documents: dict[str, str] = field(default_factory=dict, repr=False)


def _candidates(docs: list[Doc], scans: list[QuestionScan]) -> list[Candidate]:
    """The new terms repeated across questions, most widespread first, with example sentences."""
    frequency: Counter[str] = Counter()
    where: dict[str, set[str]] = defaultdict(set)
    examples: dict[str, list[str]] = defaultdict(list)
    for doc, found in zip(docs, scans, strict=True):
        text = doc.question.text
        for term, pos in found.terms:
            frequency[term] += 1
            where[term].add(doc.question.id)
            if len(examples[term]) < MAX_EXAMPLES:
                sentence = next((text[s:e] for s, e in doc.sentences if s <= pos < e), "")
                if sentence and sentence not in examples[term]:
                    examples[term].append(sentence[:200])
    ranked = sorted((t for t in frequency if len(where[t]) >= MIN_CANDIDATE_QUESTIONS),
                    key=lambda t: (-len(where[t]), -frequency[t], t))
    return [Candidate(t, frequency[t], len(where[t]), examples[t]) for t in ranked[:MAX_CANDIDATES]]


@dataclass
class _Built:
    data: GraphData
    candidates: list[Candidate]
    dropped: list[str]
    without_concepts: list[str]
    documents: dict[str, str]


@gc_paused()
def _build(questions: list[Question], lexicon: Lexicon, progress: Progress | None,
           kept: Iterable[Relation] = (), workers: int | None = None) -> _Built:
    questions = [replace(q, level=level_of(q.title)) for q in questions]
    scans = scan(questions, lexicon, workers_for(len(questions), workers), progress)
    docs = [Doc(q, a.found, a.mentions, a.sentences, a.topics)
            for q, a in zip(questions, scans, strict=True)]
    kept = list(kept)
    concept_kept = [r for r in kept if r.src in lexicon.concepts and r.dst in lexicon.concepts]
    patterns = (rel for a in scans for rel in a.patterns)
    relations, dropped = concept_relations(docs, lexicon, concept_kept, patterns)
    names = {cid: c.name for cid, c in lexicon.concepts.items()}
    concept_prereqs = [r for r in relations if r.type is RelationType.PREREQUISITE_OF]
    topics = {d.question.id: d.topics for d in docs}
    question_edges, cycle_drops = question_prerequisites(questions, topics, concept_prereqs, names)
    ids = {q.id for q in questions}
    user_edges = [r for r in kept if r.src in ids and r.dst in ids]
    known = {r.key for r in question_edges}
    question_edges += [r for r in user_edges if r.key not in known]
    mentions: list[Mention] = [m for d in docs for m in d.mentions]
    data = GraphData(
        questions={q.id: q for q in questions},
        concepts=dict(lexicon.concepts),
        relations=relations + question_edges,
        mentions=mentions,
    )
    return _Built(data, _candidates(docs, scans), dropped + cycle_drops,
                  [d.question.id for d in docs if not d.mentions],
                  {q.id: a.document for q, a in zip(questions, scans, strict=True)})


def build(questions: list[Question], lexicon: Lexicon, *, progress: Progress | None = None,
          workers: int | None = None) -> tuple[GraphData, list[Candidate]]:
    """Mentions, levels, every relation and the question prerequisites over the whole set.

    progress(done, total) is called about 100 times; workers: see scan.workers_for.
    """
    built = _build(questions, lexicon, progress, workers=workers)
    return built.data, built.candidates


def _to_question(raw: RawQuestion) -> Question:
    return Question(id=question_id(raw.title), title=raw.title, answer=raw.answer,
                    analysis=raw.analysis, sources=[f"{raw.file}:{raw.line}"],
                    level=level_of(raw.title), topic=raw.topic, tags=list(raw.tags))


def _absorb(into: Question, other: Question) -> None:
    """Merge a duplicate into a question: sources and tags union, missing text filled in."""
    into.sources = list(dict.fromkeys(into.sources + other.sources))
    into.tags = list(dict.fromkeys(into.tags + other.tags))
    into.answer = into.answer or other.answer
    into.analysis = into.analysis or other.analysis
    into.topic = into.topic or other.topic


def _source_path(source: str) -> str:
    path, _, line = source.rpartition(":")
    return os.path.realpath(path if line.isdigit() else source)


def _outside(existing: GraphData, paths: list[str], failed: list[str]) -> dict[str, Question]:
    """Existing questions minus the sources of the paths being re-read (a dir covers its files).

    A file that could not be read this time (missing, broken) keeps its questions: one bad byte
    saved into a bank must not delete what it held.
    """
    roots = [os.path.realpath(p) for p in paths]
    unread = {os.path.realpath(f) for f in failed}

    def reread(source: str) -> bool:
        path = _source_path(source)
        if path in unread:
            return False
        return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    kept: dict[str, Question] = {}
    for q in existing.questions.values():
        sources = [s for s in q.sources if not reread(s)]
        if sources:
            kept[q.id] = replace(q, sources=sources, tags=list(q.tags))
    return kept


@gc_paused()
def ingest(paths: Iterable[str | Path], *, existing: GraphData | None = None,
           lexicon: Lexicon | None = None, progress: Progress | None = None,
           workers: int | None = None) -> tuple[GraphData, IngestReport]:
    """Read the paths, merge them into `existing` and rebuild every relation over the union.

    Re-read files replace their questions; duplicates merge with their sources united; relations
    a user made (source "user") are kept.
    """
    paths = [str(p) for p in paths]
    lexicon = lexicon if lexicon is not None else load_lexicon()
    result = read_paths(paths)
    fresh: dict[str, Question] = {}
    for raw in result.questions:
        q = _to_question(raw)
        if q.id in fresh:
            _absorb(fresh[q.id], q)
        else:
            fresh[q.id] = q
    merged = _outside(existing, paths, result.failed) if existing is not None else {}
    for qid, q in fresh.items():
        if qid in merged:
            old = merged[qid]
            _absorb(q, old)  # the fresh text wins, the old one fills gaps
            q.sources = list(dict.fromkeys(old.sources + q.sources))  # older sources first
        merged[qid] = q
    user = [r for r in existing.relations if r.source is Origin.USER] if existing else []
    # a canonical order: the graph must not depend on the order files entered it
    built = _build(sorted(merged.values(), key=lambda q: q.id), lexicon, progress, user, workers)
    report = IngestReport(
        files=sorted({raw.file for raw in result.questions}),
        questions_read=len(result.questions),
        questions_merged=len(result.questions) - len(fresh),
        warnings=list(result.warnings),
        candidates=built.candidates,
        without_concepts=built.without_concepts,
        dropped=built.dropped,
        search_documents=built.documents,
    )
    return built.data, report
