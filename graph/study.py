"""Study algorithms: prerequisite chains, related questions, study paths, neighbourhoods.

Pure functions over the networkx MultiDiGraph that `build_graph` (graph/derived.py) makes from
GraphData, so every store shares them (Neo4jStore builds the graph from the rows it reads).

Study paths use the concept PREREQUISITE_OF edges (curated, inferred and extracted) whose
confidence is at least PREREQ_FLOOR: below it an extracted edge is a guess, and a wrong
prerequisite costs a learner more than a missing one. Cycles among them are condensed
(networkx.condensation), their members studied together and reported, never looped on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable

import networkx as nx
import numpy as np

from zhitu.graph import derived
from zhitu.graph.lookup import ConceptIndex, TitleIndex, resolve_target
from zhitu.graph.model import (
    CONCEPT_RELATIONS,
    ChainStep,
    Concept,
    Neighborhood,
    PlanStep,
    QuestionRef,
    RelatedQuestion,
    Relation,
    RelationType,
    StudyPlan,
)

PREREQ_FLOOR = 0.5  # least confidence of a concept prerequisite used for study paths
LINK_DISCOUNT = 0.5  # weight of a concept linked to a shared one (GRU question ~ LSTM question)
LINK_TYPES = (RelationType.CONTRASTS_WITH, RelationType.IS_A, RelationType.PART_OF)
QUESTIONS_PER_STEP = 3

# re-exported: Neo4jStore calls these as study.*
build_graph = derived.build_graph
mentions = derived.mentions
question_concepts = derived.question_concepts
topic_concepts = derived.topic_concepts


def idf(questions: int, with_concept: int) -> float:
    """Specificity of a concept: 0 for a concept every question mentions.

    >>> round(idf(4, 1), 3), idf(4, 4)
    (0.916, 0.0)
    """
    return math.log((questions + 1) / (with_concept + 1))


def ordered_components(d: nx.DiGraph, key: Callable[[Hashable], tuple]) -> list[list[Hashable]]:
    """Strongly connected components in topological order; ties and members sorted by `key`.

    >>> ordered_components(nx.DiGraph([("a", "b"), ("b", "a"), ("c", "a")]), lambda n: (n,))
    [['c'], ['a', 'b']]
    """
    cond = nx.condensation(d)
    members = {n: sorted(cond.nodes[n]["members"], key=key) for n in cond}
    order = nx.lexicographical_topological_sort(cond, key=lambda n: key(members[n][0]))
    return [members[n] for n in order]


def _via(g: nx.MultiDiGraph, pre: nx.DiGraph, before: str, after: str) -> str:
    """The concept link that orders question `before` ahead of `after`: "RNN → LSTM" or "RNN"."""
    name = lambda c: g.nodes[c]["item"].name  # noqa: E731
    a_concepts, b_concepts = derived.mentions(g, before), derived.mentions(g, after)
    a_topic, b_topic = (
        derived.topic_concepts(g, before) or sorted(a_concepts),
        derived.topic_concepts(g, after),
    )
    b_topic = b_topic or sorted(b_concepts)
    for a in a_topic:
        for b in b_topic:
            if a != b and pre.has_edge(a, b):
                return f"{name(a)} → {name(b)}"
    shared = [c for c in a_topic if c in b_concepts] or sorted(set(a_concepts) & set(b_concepts))
    return name(shared[0]) if shared else ""


def chain(g: nx.MultiDiGraph, question_id: str) -> list[ChainStep]:
    """Every prerequisite question of `question_id`, transitively, fundamentals first: among
    questions ready to come next, the one whose topics sit lowest in the concept prerequisites,
    then the lower level."""
    qd = derived.question_prerequisites(g)
    sub = qd.subgraph(nx.ancestors(qd, question_id) | {question_id})
    depth, by_level = derived.concept_depth(g), derived.question_key(g)

    def key(n: Hashable) -> tuple:
        return (max((depth[c] for c in derived.topic_concepts(g, str(n))), default=0), *by_level(n))

    order = [n for comp in ordered_components(sub, key) for n in comp]
    position = {n: i for i, n in enumerate(order)}
    pre = derived.concept_prerequisites(g, floor=0.0)
    steps = []
    for n in order:
        if n == question_id:
            continue
        # the edge that brought it in: to the question itself, else to the latest in the chain
        after = max(sub.successors(n), key=lambda s: position[s], default=question_id)
        edge: Relation | None = (
            g.edges[n, after, derived.PRE]["item"] if g.has_edge(n, after, derived.PRE) else None
        )
        # ingest records the concept link that made the edge as its evidence sentence
        via = edge.evidence[0].sentence if edge and edge.evidence else _via(g, pre, n, after)
        steps.append(ChainStep(derived.ref(g, n), via))
    return steps


def related(g: nx.MultiDiGraph, question_id: str, top: int = 10) -> list[RelatedQuestion]:
    """Other questions ranked by shared concepts (IDF-weighted) plus linked concepts.

    A concept shared with the question adds idf(c)·√(w·w'); a concept linked to one of the
    question's concepts by CONTRASTS_WITH / IS_A / PART_OF adds LINK_DISCOUNT times as much;
    a reason (a concept name, or "A↔B") counts once per question, its largest contribution.
    Every question is scored at once over mention arrays; only the best are explained.
    """
    total = len(derived.question_prerequisites(g))
    mine = derived.mentions(g, question_id)
    name = lambda c: g.nodes[c]["item"].name  # noqa: E731
    wanted = [(name(c), c, m.weight, 1.0) for c, m in mine.items()]
    for c, m in mine.items():
        for linked in _linked(g, c):
            if linked not in mine:
                wanted.append((f"{name(c)}↔{name(linked)}", linked, m.weight, LINK_DISCOUNT))
    cols = derived.mention_columns(g)
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for reason, concept, weight, factor in wanted:
        rows, weights = cols.columns.get(concept, (np.empty(0, np.intp), np.empty(0)))
        gains = factor * idf(total, len(rows)) * np.sqrt(weight * weights)
        parts.setdefault(reason, []).append((rows, gains))
    reasons = {r: _largest(p) for r, p in parts.items()}
    scores = np.zeros(len(cols.questions))
    for rows, gains in reasons.values():  # added reason by reason, as a sum over reasons
        scores[rows] += gains
    if question_id in cols.rows:
        scores[cols.rows[question_id]] = 0.0
    found = np.flatnonzero(scores > 0)
    if top <= 0 or not len(found):
        return []
    # every score that may round as high as the top-th, then rounded score, title, id
    bar = np.partition(scores[found], len(found) - min(top, len(found)))[-min(top, len(found))]
    near = found[scores[found] >= bar - 1e-6]  # rows follow question_key: title order in a level
    rounded = [round(float(s), 6) for s in scores[near]]
    keys = [(-r, g.nodes[cols.questions[i]]["item"].title, cols.questions[i])
            for r, i in zip(rounded, near, strict=True)]
    best = sorted(range(len(near)), key=keys.__getitem__)[:top]
    out = []
    for j in best:
        i = near[j]
        mine_ = {r: float(gains[rows == i].max(initial=0.0))
                 for r, (rows, gains) in reasons.items()}
        shared = sorted((r for r, v in mine_.items() if v > 0), key=lambda r: (-mine_[r], r))
        out.append(RelatedQuestion(derived.ref(g, cols.questions[i]), rounded[j], shared))
    return out


def _largest(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, gains) of several (rows, gains): each row once, with its largest positive gain."""
    if len(parts) == 1:
        rows, gains = parts[0]
    else:
        rows, inverse = np.unique(np.concatenate([r for r, _ in parts]), return_inverse=True)
        gains = np.zeros(len(rows))
        np.maximum.at(gains, inverse, np.concatenate([gn for _, gn in parts]))
    keep = gains > 0
    return rows[keep], gains[keep]


def _linked(g: nx.MultiDiGraph, concept_id: str) -> set[str]:
    types = {t.value for t in LINK_TYPES}
    out = {v for _, v, k in g.out_edges(concept_id, keys=True) if k in types}
    return out | {u for u, _, k in g.in_edges(concept_id, keys=True) if k in types}


def _step_questions(g: nx.MultiDiGraph, concept_id: str, later: set[str]) -> list[QuestionRef]:
    """1-3 questions to study a concept with, ordered by level: questions about it (named in the
    title), those whose title names no concept still `later` in the plan first, then by weight.
    None when no title names it: a mention in an answer about something else teaches nothing
    about the concept (the step still shows the concept and its summary)."""
    titled = derived.titled(g)
    ready: list[str] = []  # best first: a title naming no later concept, then weight, order
    ahead: list[str] = []
    for q in derived.about(g, concept_id):
        (ahead if not later.isdisjoint(titled.get(q, ())) else ready).append(q)
        if len(ready) == QUESTIONS_PER_STEP:
            break
    best = (ready + ahead)[:QUESTIONS_PER_STEP]
    return [derived.ref(g, q) for q in sorted(best, key=derived.question_key(g))]


def path(
    g: nx.MultiDiGraph,
    targets: Iterable[str],
    known: Iterable[str] = (),
    floor: float = PREREQ_FLOOR,
) -> StudyPlan:
    """A study plan towards concept ids `targets` for a learner who knows concept ids `known`.

    Knowing a concept implies knowing its prerequisite closure. The plan is the closure of the
    targets minus what is known, in topological order; ties go to fewer unmet prerequisites, then
    to concepts more questions mention.
    """
    pre = derived.concept_prerequisites(g, floor)
    targets, known = [t for t in targets if t in pre], [k for k in known if k in pre]
    known_all = set(known).union(*(nx.ancestors(pre, k) for k in known))
    needed = set(targets).union(*(nx.ancestors(pre, t) for t in targets))
    sub = pre.subgraph(needed - known_all).copy()  # a copy: ancestors on a view is slow
    unmet = {c: len(nx.ancestors(sub, c)) for c in sub}
    importance = {c: len(derived.mentioned_by(g, c)) for c in sub}
    comps = ordered_components(sub, lambda c: (unmet[c], -importance[c], c))
    order = [c for comp in comps for c in comp]
    steps = []
    for i, c in enumerate(order):
        concept: Concept = g.nodes[c]["item"]
        questions = _step_questions(g, c, set(order[i + 1 :]))
        steps.append(PlanStep(concept, questions, concept.minutes))
    # a condensed loop is ready as a whole, when everything it needs from outside is known
    ready = [
        c
        for comp in comps
        if all(p in known_all or p in comp for m in comp for p in pre.predecessors(m))
        for c in comp
    ]
    cycles = [sorted(comp) for comp in comps if len(comp) > 1]
    minutes = [s.minutes for s in steps if s.minutes is not None]
    return StudyPlan(
        steps=steps,
        next=[g.nodes[c]["item"] for c in ready],
        cycles=cycles,
        total_minutes=sum(minutes) if minutes else None,
    )


def within(
    center: str, depth: int, neighbours: Callable[[set[str]], Iterable[str]]
) -> dict[str, int]:
    """Breadth-first distance of every node within `depth` steps of `center`: the one walk
    behind every neighbourhood (in memory, in the UI, and ring by ring through Neo4j).
    `neighbours(ring)` gives the nodes next to a ring (already-seen ones are ignored).

    >>> adjacent = {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"]}
    >>> within("a", 2, lambda ring: [n for r in sorted(ring) for n in adjacent.get(r, [])])
    {'a': 0, 'b': 1, 'c': 2}
    """
    dist = {center: 0}
    ring = {center}
    for step in range(1, max(depth, 0) + 1):
        ring = {n for n in neighbours(ring) if n not in dist}
        if not ring:
            break
        dist.update((n, step) for n in sorted(ring))
    return dist


def goals(targets: Iterable[str], concepts: ConceptIndex, titles: TitleIndex,
          topics: Callable[[str], list[str]]) -> list[str]:
    """Concept ids of study-path targets, in order: a concept as itself, a question as its
    topic concepts (`topics(question_id)`); an unknown target raises with suggestions."""
    found: list[str] = []
    for ref in targets:
        kind, item = resolve_target(ref, concepts, titles)
        found += [c for c in ([item] if kind == "concept" else topics(item)) if c not in found]
    return found


def neighborhood(
    g: nx.MultiDiGraph,
    concept_id: str,
    depth: int = 1,
    types: Iterable[RelationType] | None = None,
) -> Neighborhood:
    """Concepts within `depth` concept relations of `concept_id` (either direction)."""
    allowed = {t.value for t in (types if types is not None else CONCEPT_RELATIONS)}
    allowed.discard(derived.MENTIONS)

    def neighbours(ring: set[str]) -> Iterable[str]:
        for c in ring:
            for _, v, k in g.out_edges(c, keys=True):
                if k in allowed and g.nodes[v]["kind"] == "concept":
                    yield v
            for u, _, k in g.in_edges(c, keys=True):
                if k in allowed and g.nodes[u]["kind"] == "concept":
                    yield u

    seen = set(within(concept_id, depth, neighbours))
    relations: list[Relation] = [
        r for u, v, k, r in g.subgraph(seen).edges(keys=True, data="item") if k in allowed
    ]
    relations.sort(key=lambda r: r.key)
    others = sorted(seen - {concept_id})
    return Neighborhood(concept_id, [g.nodes[c]["item"] for c in [concept_id, *others]], relations)
