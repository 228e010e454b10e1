"""Relations between concepts: curated, lexical patterns, co-occurrence, inferred prerequisites.

Every relation carries a confidence, its source (Origin) and evidence sentences. Thresholds:

- RELATED_TO: two concepts mentioned together in at least MIN_COOCCURRENCE questions with a
  normalized PMI over questions of at least NPMI_FLOOR; weight and confidence are the NPMI.
- Inferred PREREQUISITE_OF (confidence INFERRED_FACTOR x the source relation's): a parent before
  its kinds (B IS_A A => A before B) and a problem before what addresses it (A ADDRESSES P => P
  before A), from relations of confidence >= MIN_INFER_CONFIDENCE.
- Corpus PREREQUISITE_OF (RefD-style reference distance): A before B when the share of questions
  whose topic is B that mention A exceeds the share of questions on A that mention B by at least
  REFD_THRESHOLD, with at least REFD_MIN_SUPPORT questions on B mentioning A and at least one
  question on A; pairs a typed relation already connects are skipped; confidence
  0.25 + 0.2 x distance (at most 0.45), below every other prerequisite and below the 0.5 floor
  of study paths and question prerequisites: on the bundled bank about half of these edges are
  right, so they are shown with their evidence but order nothing.

- Pattern relations (ingest.patterns) stated by a single question are capped at UNCORROBORATED,
  below every floor: one sentence is a guess (on a public bank half of a hand-judged sample was
  wrong), so it is shown with its evidence but orders nothing and infers nothing until a second
  question states it in other words (or a user accepts it).

reconcile() then keeps prerequisites, IS_A and PART_OF acyclic by adding edges strongest first
and dropping any that would close a cycle; a directed edge whose reverse is stronger is dropped
too. What was dropped is reported in words.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import networkx as nx

from zhitu.graph.model import Evidence, Mention, Origin, Question, Relation, RelationType
from zhitu.ingest.lexicon import Lexicon
from zhitu.ingest.mentions import Located
from zhitu.ingest.patterns import Context, sentence_relations

MIN_COOCCURRENCE = 2
NPMI_FLOOR = 0.3
MIN_INFER_CONFIDENCE = 0.5
INFERRED_FACTOR = 0.75
REFD_MIN_SUPPORT = 3
REFD_THRESHOLD = 0.5
MAX_EVIDENCE = 5
UNCORROBORATED = 0.45  # most confidence of a pattern relation stated by one question only
MIN_SOURCES = 2  # questions (with different sentences) that corroborate a pattern relation
_ORIGIN_RANK = {Origin.USER: 0, Origin.LEXICON: 1, Origin.PATTERN: 2, Origin.INFERRED: 3,
                Origin.COOCCURRENCE: 4}
_ACYCLIC = (RelationType.PREREQUISITE_OF, RelationType.IS_A, RelationType.PART_OF)
_PRE = RelationType.PREREQUISITE_OF


@dataclass
class Doc:
    """One question with what ingest found in it."""

    question: Question
    found: list[Located]
    mentions: list[Mention]
    sentences: list[tuple[int, int]]
    topics: list[str] = field(default_factory=list)

    @property
    def concepts(self) -> set[str]:
        return {m.concept_id for m in self.mentions}

    def sentence_with(self, *concepts: str) -> str:
        """The first sentence mentioning all the concepts, else the title."""
        for (s, e), inside in zip(self.sentences, self._inside, strict=True):
            if inside.issuperset(concepts):
                return self.question.text[s:e][:300]
        return self.question.title

    @cached_property
    def _inside(self) -> list[set[str]]:
        """The concepts of each sentence (found starting in it), made on the first
        sentence_with, not once per pair of concepts asked about (a Doc's found and
        sentences do not change once relations are looked for)."""
        sentences, found = self.sentences, self.found
        inside: list[set[str]] = [set() for _ in sentences]
        ordered = all(a[1] <= b[0] for a, b in zip(sentences, sentences[1:], strict=False))
        if not ordered:  # sentences as split_sentences gives them are ordered, apart
            return [{f.concept for f in found if s <= f.start < e} for s, e in sentences]
        starts = [s for s, _ in sentences]
        for f in found:
            i = bisect_right(starts, f.start) - 1
            if i >= 0 and f.start < sentences[i][1]:
                inside[i].add(f.concept)
        return inside


def _sorted(relations: Iterable[Relation]) -> list[Relation]:
    """Strongest first: confidence, then origin (curated first), then key for determinism."""
    return sorted(relations, key=lambda r: (-r.confidence, _ORIGIN_RANK[r.source], r.key))


def merge(relations: Iterable[Relation]) -> list[Relation]:
    """One relation per key: the strongest, with the evidence of all (at most MAX_EVIDENCE)."""
    out: dict[tuple[str, str, str], Relation] = {}
    for rel in _sorted(relations):
        kept = out.get(rel.key)
        if kept is None:
            out[rel.key] = Relation(rel.type, rel.src, rel.dst, rel.confidence, rel.source,
                                    list(dict.fromkeys(rel.evidence))[:MAX_EVIDENCE], rel.weight)
            continue
        for ev in rel.evidence:
            if len(kept.evidence) < MAX_EVIDENCE and ev not in kept.evidence:
                kept.evidence.append(ev)
    return list(out.values())


def pattern_context(lexicon: Lexicon) -> Context:
    """What patterns need to know of the lexicon: problems, parents of kinds, categories."""
    curated = lexicon.relations
    return Context(
        problems=frozenset(r.dst for r in curated if r.type is RelationType.ADDRESSES),
        parents=frozenset(r.dst for r in curated if r.type is RelationType.IS_A),
        categories={cid: c.category for cid, c in lexicon.concepts.items()},
    )


def doc_patterns(doc: Doc, ctx: Context | None = None) -> list[Relation]:
    """Lexical-pattern relations of every sentence of one question, not merged."""
    topic = doc.topics[0] if len(doc.topics) == 1 else None
    text, found = doc.question.text, doc.found
    starts = [f.start for f in found]
    if any(a > b for a, b in zip(starts, starts[1:], strict=False)):  # not as locate gives it
        return [rel for s, e in doc.sentences
                for rel in sentence_relations(doc.question.id, text, s, e, found, topic, ctx)]
    # each sentence looks only at the occurrences starting in it, not at all of the text's
    return [rel for s, e in doc.sentences
            for rel in sentence_relations(doc.question.id, text, s, e,
                                          found[bisect_left(starts, s):bisect_right(starts, e)],
                                          topic, ctx)]


def pattern_relations(docs: Iterable[Doc], ctx: Context | None = None) -> list[Relation]:
    """Lexical-pattern relations of every sentence of every question, merged."""
    return merge(rel for doc in docs for rel in doc_patterns(doc, ctx))


def cooccurrence(docs: list[Doc]) -> list[Relation]:
    """RELATED_TO between concepts that share questions more than chance (NPMI over questions)."""
    n = len(docs)
    single: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], list[Doc]] = defaultdict(list)
    for doc in docs:
        concepts = sorted(doc.concepts)
        single.update(concepts)
        for i, a in enumerate(concepts):
            for b in concepts[i + 1:]:
                pairs[a, b] += 1
                if len(where[a, b]) < 3:
                    where[a, b].append(doc)
    out = []
    for (a, b), together in pairs.items():
        if together < MIN_COOCCURRENCE:
            continue
        p_ab = together / n
        pmi = math.log(p_ab / ((single[a] / n) * (single[b] / n)))
        npmi = 1.0 if p_ab == 1.0 else pmi / -math.log(p_ab)
        if npmi < NPMI_FLOOR:
            continue
        evidence = [Evidence(d.question.id, d.sentence_with(a, b)) for d in where[a, b]]
        out.append(Relation(RelationType.RELATED_TO, a, b, round(npmi, 3),
                            Origin.COOCCURRENCE, evidence, weight=round(npmi, 3)))
    return out


def inferred_prerequisites(relations: Iterable[Relation]) -> list[Relation]:
    """A parent before its kinds, a problem before what addresses it."""
    out = []
    for rel in relations:
        if rel.confidence < MIN_INFER_CONFIDENCE:
            continue
        if rel.type is RelationType.IS_A:
            src, dst = rel.dst, rel.src
        elif rel.type is RelationType.ADDRESSES:
            src, dst = rel.dst, rel.src
        else:
            continue
        out.append(Relation(_PRE, src, dst, round(INFERRED_FACTOR * rel.confidence, 3),
                            Origin.INFERRED, list(rel.evidence)))
    return out


def refd_prerequisites(docs: list[Doc], related: Iterable[Relation] = ()) -> list[Relation]:
    """A before B when questions about B mention A far more than questions about A mention B.

    Only questions with a single topic count. Both concepts need questions of their own (else
    the reverse share is not observed), and a
    pair already ordered or related by a typed relation (IS_A, PART_OF, ADDRESSES, contrast,
    prerequisite) is left to that relation.
    """
    taken = {frozenset((r.src, r.dst)) for r in related if r.type is not RelationType.RELATED_TO}
    on_topic: Counter[str] = Counter()
    refs: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[Doc]] = defaultdict(list)
    for doc in docs:
        if len(doc.topics) != 1:
            continue  # "LSTM和GRU的区别": its references belong to neither topic alone
        b = doc.topics[0]
        on_topic[b] += 1
        for a in doc.concepts - {b}:
            refs[a, b] += 1
            if len(examples[a, b]) < 3:
                examples[a, b].append(doc)
    out = []
    for (a, b), count in refs.items():
        if count < REFD_MIN_SUPPORT or not on_topic[a] or frozenset((a, b)) in taken:
            continue
        distance = count / on_topic[b] - refs.get((b, a), 0) / on_topic[a]
        if distance < REFD_THRESHOLD:
            continue
        evidence = [Evidence(d.question.id, d.sentence_with(a)) for d in examples[a, b]]
        out.append(Relation(_PRE, a, b, round(0.25 + 0.2 * distance, 3), Origin.INFERRED,
                            evidence))
    return out


def corroborated(stated: Iterable[Relation]) -> list[Relation]:
    """Pattern relations, those stated by a single question capped at UNCORROBORATED: one
    sentence is a guess (42% of them were wrong on a public bank), below the floor that orders
    chains and paths and that inferred prerequisites start from. Two questions stating it in
    different sentences corroborate it; a user's acceptance makes it a user relation.

    >>> one = Relation(RelationType.IS_A, "lstm", "rnn", 0.8, Origin.PATTERN,
    ...                [Evidence("q1", "LSTM是一种RNN")])
    >>> corroborated([one])[0].confidence
    0.45
    """
    out = []
    for rel in stated:
        sources = {(e.question_id, e.sentence) for e in rel.evidence}
        if min(len({q for q, _ in sources}), len({t for _, t in sources})) < MIN_SOURCES:
            rel = replace(rel, confidence=min(rel.confidence, UNCORROBORATED))
        out.append(rel)
    return out


def _describe(rel: Relation) -> str:
    return f"{rel.type.value} {rel.src} -> {rel.dst} ({rel.source.value}, {rel.confidence:g})"


def reconcile(relations: Iterable[Relation]) -> tuple[list[Relation], list[str]]:
    """Merge, then drop what contradicts stronger relations; (kept, what was dropped and why)."""
    kept: list[Relation] = []
    dropped: list[str] = []
    graphs: dict[RelationType, nx.DiGraph] = {t: nx.DiGraph() for t in _ACYCLIC}
    merged = _sorted(merge(relations))
    keys = {r.key: r for r in merged}
    for rel in merged:
        if not rel.type.undirected and rel.type not in _ACYCLIC:
            reverse = keys.get((rel.type.value, rel.dst, rel.src))
            if reverse is not None and (reverse.confidence, -_ORIGIN_RANK[reverse.source]) > (
                    rel.confidence, -_ORIGIN_RANK[rel.source]):
                dropped.append(f"{_describe(rel)}: the reverse is stronger ({_describe(reverse)})")
                continue
        graph = graphs.get(rel.type)
        if graph is not None:
            if rel.dst in graph and rel.src in graph and nx.has_path(graph, rel.dst, rel.src):
                loop = " -> ".join(nx.shortest_path(graph, rel.dst, rel.src))
                dropped.append(f"{_describe(rel)}: would close the cycle {loop} -> {rel.dst}")
                continue
            graph.add_edge(rel.src, rel.dst)
        kept.append(rel)
    return kept, dropped


def concept_relations(docs: list[Doc], lexicon: Lexicon, extra: Iterable[Relation] = (),
                      patterns: Iterable[Relation] | None = None,
                      ) -> tuple[list[Relation], list[str]]:
    """Every concept relation of the corpus, reconciled; (relations, what was dropped).

    extra: relations to keep as they are (a user's), strongest of all in a conflict.
    patterns: doc_patterns of every doc in order, when already found (ingest's process pool).
    """
    stated = corroborated(pattern_relations(docs, pattern_context(lexicon)) if patterns is None
                          else merge(patterns))
    base, dropped = reconcile([*extra, *lexicon.relations, *stated, *cooccurrence(docs)])
    prerequisites = [*inferred_prerequisites(base), *refd_prerequisites(docs, base)]
    relations, more = reconcile([*base, *prerequisites])
    return relations, dropped + more
