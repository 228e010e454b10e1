"""Files in, GraphData and an IngestReport out: questions, mentions, relations, candidates.

build() works on a list of questions (levels from titles, mentions, every relation, question
prerequisites); ingest() reads files, merges them into an existing graph and builds over the
union. Candidate terms (jieba noun keywords and Latin acronyms that are not in the lexicon and
appear in at least MIN_CANDIDATE_QUESTIONS questions) are reported for curation and never added.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.model import GraphData, Level, Mention, Origin, Question, Relation, RelationType
from ingest import segment
from ingest.lexicon import Lexicon, load_lexicon, normalize
from ingest.mentions import Automaton, automaton_for, locate, split_sentences, to_mentions
from ingest.prereq import ancestors_map, question_prerequisites, question_topics
from ingest.read import RawQuestion, question_id, read_paths
from ingest.relations import Doc, concept_relations

Progress = Callable[[int, int], None]
MIN_CANDIDATE_QUESTIONS = 2
MAX_CANDIDATES = 100
MAX_EXAMPLES = 3
# title words -> level; the highest level found wins ("优势是什么" is a comparison)
_LEVELS = (
    (Level.DERIVATION, re.compile(r"公式|推导|实现|代码|(?<!刻)画|手写|写出|证明"
                                  r"|计算(?!机|量|复杂|资源|开销|效率|速度|成本|负担)")),
    (Level.COMPARISON, re.compile(r"比较|区别|不同|优缺点|好在哪|优势|优点|缺点|劣势|对比|异同|差异"
                                  r"|相比|vs", re.IGNORECASE)),
    (Level.PRINCIPLE, re.compile(r"原理|作用|为什么|为何|如何|怎么|怎样|原因|意义|目的|思想|影响")),
    (Level.DEFINITION, re.compile(r"是什么|什么是|定义|介绍|简述|概念|含义|是指|指什么")),
)
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*"
                      r"(?![A-Za-z0-9])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a new word jieba's HMM glued to a function character ("再用", "时要", "更鲁棒") is no term
_FUNCTION_CHARS = ("的了是在有和与时用要还会更越中上为取再变"
                   "就都也被把对从而及或等很最可能将让使其")
_GLUED = re.compile(f"[{_FUNCTION_CHARS}]")


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


def level_of(title: str) -> Level:
    """The level a title asks for; a bare term or "X的操作" is a definition.

    >>> level_of("什么是RNN"), level_of("LSTM每个门的计算公式"), level_of("BN的作用是什么")
    (<Level.DEFINITION: 0>, <Level.DERIVATION: 3>, <Level.PRINCIPLE: 1>)
    """
    for level, words in _LEVELS:
        if words.search(title):
            return level
    return Level.DEFINITION


def _ticker(progress: Progress | None, n: int, phase: int) -> Callable[[int], None]:
    """Report i of n done in phase 0 (mentions) or 1 (candidates) as (done, 2n), 100 times."""
    step = max(1, n // 100)

    def tick(i: int) -> None:
        if progress is not None and (i % step == 0 or i == n):
            progress(phase * n + i, 2 * n)

    return tick


def _docs(questions: list[Question], lexicon: Lexicon, auto: Automaton,
          progress: Progress | None) -> list[Doc]:
    ancestors = ancestors_map(lexicon.relations)
    docs = []
    tick = _ticker(progress, len(questions), 0)
    for i, q in enumerate(questions, 1):
        found = locate(q.text, auto)
        mentions = to_mentions(q, found)
        doc = Doc(q, found, mentions, split_sentences(q.text))

        doc.topics = question_topics(q, found, mentions, ancestors)
        docs.append(doc)
        tick(i)
    return docs


def _candidates(docs: list[Doc], lexicon: Lexicon,
                progress: Progress | None = None) -> list[Candidate]:
    """Noun keywords and Latin acronyms outside the lexicon, repeated across questions."""
    frequency: Counter[str] = Counter()
    where: dict[str, set[str]] = defaultdict(set)
    examples: dict[str, list[str]] = defaultdict(list)
    unknown: dict[str, bool] = {}  # term -> not known, not everyday, not question wording

    def new(term: str) -> bool:
        if term not in unknown:
            unknown[term] = not (normalize(term) in lexicon.surfaces or segment.is_common(term)
                                 or any(words.search(term) for _, words in _LEVELS))
        return unknown[term]

    tick = _ticker(progress, len(docs), 1)
    for i, doc in enumerate(docs, 1):
        tick(i)
        text = doc.question.text
        starts = [f.start for f in doc.found]
        terms = [(w, p) for w, t, p in segment.token_spans(text, lexicon)
                 if t in segment.NOUN_TAGS and len(w) >= 2 and _CJK.search(w)
                 and not (t == "nw" and _GLUED.search(w))]
        terms += [(m.group(), m.start()) for m in _ACRONYM.finditer(text)]
        for term, pos in terms:
            i = bisect_right(starts, pos) - 1
            if i >= 0 and doc.found[i].end > pos:
                continue  # inside a concept mention
            if not new(term):
                continue  # known, everyday, or the question's own wording (优缺点, 计算公式)
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


def _build(questions: list[Question], lexicon: Lexicon, progress: Progress | None,
           kept: Iterable[Relation] = ()) -> _Built:
    questions = [replace(q, level=level_of(q.title)) for q in questions]
    auto = automaton_for(lexicon)
    docs = _docs(questions, lexicon, auto, progress)
    kept = list(kept)
    concept_kept = [r for r in kept if r.src in lexicon.concepts and r.dst in lexicon.concepts]
    relations, dropped = concept_relations(docs, lexicon, concept_kept)
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
    return _Built(data, _candidates(docs, lexicon, progress), dropped + cycle_drops,
                  [d.question.id for d in docs if not d.mentions])


def build(questions: list[Question], lexicon: Lexicon, *,
          progress: Progress | None = None) -> tuple[GraphData, list[Candidate]]:
    """Mentions, levels, every relation and the question prerequisites over the whole set.

    progress(done, total) is called about 200 times: mentions first, then candidate terms.
    """
    built = _build(questions, lexicon, progress)
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


def _outside(existing: GraphData, paths: list[str]) -> dict[str, Question]:
    """Existing questions minus the sources of the paths being re-read (a dir covers its files)."""
    roots = [os.path.realpath(p) for p in paths]

    def reread(source: str) -> bool:
        path = _source_path(source)
        return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    kept: dict[str, Question] = {}
    for q in existing.questions.values():
        sources = [s for s in q.sources if not reread(s)]
        if sources:
            kept[q.id] = replace(q, sources=sources, tags=list(q.tags))
    return kept


def ingest(paths: Iterable[str | Path], *, existing: GraphData | None = None,
           lexicon: Lexicon | None = None,
           progress: Progress | None = None) -> tuple[GraphData, IngestReport]:
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
    merged = _outside(existing, paths) if existing is not None else {}
    for qid, q in fresh.items():
        if qid in merged:
            old = merged[qid]
            _absorb(q, old)  # the fresh text wins, the old one fills gaps
            q.sources = list(dict.fromkeys(old.sources + q.sources))  # older sources first
        merged[qid] = q
    user = [r for r in existing.relations if r.source is Origin.USER] if existing else []
    built = _build(list(merged.values()), lexicon, progress, user)
    report = IngestReport(
        files=sorted({raw.file for raw in result.questions}),
        questions_read=len(result.questions),
        questions_merged=len(result.questions) - len(fresh),
        warnings=list(result.warnings),
        candidates=built.candidates,
        without_concepts=built.without_concepts,
        dropped=built.dropped,
    )
    return built.data, report
