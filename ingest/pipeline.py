"""Files in, GraphData and an IngestReport out: questions, mentions, relations, candidates.

build() works on a list of questions (levels from titles, mentions, every relation, question
prerequisites); ingest() reads files, merges them into an existing graph and builds over the
union. Terms the lexicon lacks are discovered (ingest.discover): the best join the graph as
concepts with source "discovered", and those in at least MIN_CANDIDATE_QUESTIONS questions are
reported as candidates for curation, most specific first.

What each question gives on its own (mentions, topics, candidate terms, its search document)
comes from ingest.scan, in a process pool for large sets; relations and question
prerequisites over the whole set follow here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from zhitu.graph.gcpause import gc_paused
from zhitu.graph.model import Concept, GraphData, Mention, Origin, Question, Relation
from zhitu.graph.search import Documents
from zhitu.ingest.discover import Term, discover, to_concepts, with_discovered
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.prereq import asking_ids, question_prerequisites
from zhitu.ingest.read import (
    FileReport,
    Group,
    RawQuestion,
    group_questions,
    question_id,
    read_paths,
    same_text,
)
from zhitu.ingest.related import related_questions
from zhitu.ingest.relations import Doc, concept_relations
from zhitu.ingest.scan import (
    QuestionScan,
    Scanner,
    level_of,
    rescan,
    scan,
    text_size,
    workers_for,
)

__all__ = ["Candidate", "IngestReport", "Merge", "build", "ingest", "level_of", "workers_for"]
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
    score: float = 0.0  # termhood x specificity (ingest.discover)
    concept_id: str = ""  # the discovered concept it became, if any
    aliases: list[str] = field(default_factory=list)


@dataclass
class Merge:
    """Records read as one question: the same title path and near-identical text."""

    id: str
    title: str
    sources: list[str]  # "file:line" of every record merged, the kept one first
    similarity: float  # the lowest text similarity of a merged record to the kept one

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "sources": list(self.sources),
                "similarity": round(self.similarity, 4)}


@dataclass
class IngestReport:
    files: list[str]
    questions_read: int
    questions_merged: int
    warnings: list[str]
    candidates: list[Candidate]
    without_concepts: list[str]
    dropped: list[str] = field(default_factory=list)  # relations dropped as contradictions
    file_reports: list[FileReport] = field(default_factory=list)  # per file: lines kept/skipped
    merges: list[Merge] = field(default_factory=list)
    # question id -> its search document, for MemoryStore.replace(search_documents=...)
    search_documents: dict[str, str] = field(default_factory=dict, repr=False)


def _candidates(terms: list[Term], concepts: list[Concept]) -> list[Candidate]:
    """The discovered terms, most specific first, with their defining or first sentence."""
    made = {c.name: c.id for c in concepts}
    return [Candidate(t.name, t.frequency, len(t.questions),
                      [x for x in dict.fromkeys([t.defined, *t.examples]) if x][:MAX_EXAMPLES],
                      round(t.score, 3), made.get(t.name, ""), sorted(t.aliases - {t.name}))
            for t in [t for t in terms if len(t.questions) >= MIN_CANDIDATE_QUESTIONS]
            [:MAX_CANDIDATES]]


def _discover(questions: list[Question], scans: list[QuestionScan],
              scanner: Scanner) -> tuple[Lexicon, list[Candidate]]:
    """Discovered concepts join the lexicon of the scan; the questions' mentions are found
    again with them."""
    lexicon = scanner.lexicon
    terms = discover(questions, [a.found for a in scans], [a.sentences for a in scans],
                     [a.terms for a in scans], lexicon)
    concepts = to_concepts(terms, lexicon)
    if not concepts:
        return lexicon, _candidates(terms, concepts)
    extended = with_discovered(lexicon, concepts)
    rescan(questions, scans, extended, scanner)
    return extended, _candidates(terms, concepts)


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
    pool = workers_for(len(questions), workers, text_size(questions))
    scanner = Scanner(lexicon)
    scans = scan(questions, scanner, pool, progress)
    lexicon, candidates = _discover(questions, scans, scanner)
    docs = [Doc(q, a.found, a.mentions, a.sentences, a.topics)
            for q, a in zip(questions, scans, strict=True)]
    kept = list(kept)
    concept_kept = [r for r in kept if r.src in lexicon.concepts and r.dst in lexicon.concepts]
    patterns = (rel for a in scans for rel in a.patterns)
    relations, dropped = concept_relations(docs, lexicon, concept_kept, patterns)
    names = {cid: c.name for cid, c in lexicon.concepts.items()}
    placed = {d.question.id: d.mentions for d in docs}
    asking = asking_ids(questions)  # for both stages below
    question_edges, cycle_drops = question_prerequisites(questions, placed, relations,
                                                         lexicon.concepts, lexicon.generic,
                                                         asking)
    ids = {q.id for q in questions}
    user_edges = [r for r in kept if r.src in ids and r.dst in ids]
    known = {r.key for r in question_edges}
    question_edges += [r for r in user_edges if r.key not in known]
    # related questions build the BM25 index of these documents; the store saves it as it is
    documents = Documents({q.id: a.document for q, a in zip(questions, scans, strict=True)})
    question_edges += related_questions(questions, placed, documents, names, relations, pool,
                                        asking)
    mentions: list[Mention] = [m for d in docs for m in d.mentions]
    data = GraphData(
        questions={q.id: q for q in questions},
        concepts=dict(lexicon.concepts),
        relations=relations + question_edges,
        mentions=mentions,
    )
    return _Built(data, candidates, dropped + cycle_drops,
                  [d.question.id for d in docs if not d.mentions],
                  documents)


def _rebuild(questions: dict[str, Question], existing: GraphData | None, lexicon: Lexicon,
             progress: Progress | None = None, workers: int | None = None) -> _Built:
    """Everything over `questions`, keeping the relations a user made in `existing`."""
    user = [r for r in existing.relations if r.source is Origin.USER] if existing else []
    # a canonical order: the graph must not depend on the order files entered it
    return _build(sorted(questions.values(), key=lambda q: q.id), lexicon, progress, user, workers)


def rebuild(
    existing: GraphData, lexicon: Lexicon | None = None
) -> tuple[GraphData, dict[str, str]]:
    """The graph rebuilt over its stored questions with `lexicon` (a changed lexicon or curation
    overlay), no file read; user relations kept. Also the questions' search documents."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    built = _rebuild(dict(existing.questions), existing, lexicon)
    return built.data, built.documents


def build(questions: list[Question], lexicon: Lexicon, *, progress: Progress | None = None,
          workers: int | None = None) -> tuple[GraphData, list[Candidate]]:
    """Mentions, levels, every relation and the question prerequisites over the whole set.

    progress(done, total) is called about 100 times; workers: see scan.workers_for.
    """
    built = _build(questions, lexicon, progress, workers=workers)
    return built.data, built.candidates


def _to_question(group: Group) -> Question:
    first = group.records[0]
    q = Question(id=group.id, title=first.title, answer=first.answer, analysis=first.analysis,
                 sources=[f"{first.file}:{first.line}"], level=level_of(first.title),
                 topic=first.topic, tags=list(first.tags))
    for raw in group.records[1:]:
        q.sources = list(dict.fromkeys(q.sources + [f"{raw.file}:{raw.line}"]))
        q.tags = list(dict.fromkeys(q.tags + raw.tags))
        q.analysis = q.analysis or raw.analysis
    return q


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
    groups = group_questions(result.questions)
    fresh: dict[str, Question] = {g.id: _to_question(g) for g in groups}
    merges = [Merge(g.id, fresh[g.id].title, [f"{r.file}:{r.line}" for r in g.records],
                    g.similarity) for g in groups if len(g.records) > 1]
    merged = _outside(existing, paths, result.failed) if existing is not None else {}
    for qid, q in list(fresh.items()):
        old = merged.get(qid)
        same, score = same_text(_text(old), _text(q)) if old is not None else (False, 0.0)
        if old is not None and not same:
            # the same title path in a file not re-read now, with other text: a different question
            first = next(g.records[0] for g in groups if g.id == qid)
            q = replace(q, id=_apart_id(first, old), sources=list(q.sources))
            old = None
        elif old is not None:
            merges.append(Merge(qid, q.title, old.sources + q.sources, score))
            _absorb(q, old)  # the fresh text wins, the old one fills gaps
            q.sources = list(dict.fromkeys(old.sources + q.sources))  # older sources first
        merged[q.id] = q
    built = _rebuild(merged, existing, lexicon, progress, workers)
    report = IngestReport(
        files=sorted({raw.file for raw in result.questions}),
        questions_read=len(result.questions),
        questions_merged=len(result.questions) - len(groups),
        warnings=list(result.warnings),
        candidates=built.candidates,
        without_concepts=built.without_concepts,
        dropped=built.dropped,
        search_documents=built.documents,
        file_reports=list(result.files),
        merges=merges,
    )
    return built.data, report


def _text(q: Question) -> str:
    return q.answer + "\n" + q.analysis


def _apart_id(first: RawQuestion, old: Question) -> str:
    """The id of a question whose title path an existing, different question already holds."""
    where = os.path.basename(first.file)
    if any(os.path.basename(_source_path(src)) == where for src in old.sources):
        where = first.file
    return question_id([*first.id_path, where, str(first.line)])
