"""Study algorithms: prerequisite chains, related questions, study paths, neighbourhoods.

Pure functions over the networkx MultiDiGraph that `build_graph` (graph/derived.py) makes from
GraphData, so every store shares them (Neo4jStore builds the graph from the rows it reads).

Chains and related questions only read what ingest stored (question -> question
PREREQUISITE_OF from ingest.prereq, RELATED_TO from ingest.related, each with its reason in plain
Chinese): nothing is scored at query time, so every store gives the same answers.

Study paths use the concept PREREQUISITE_OF edges (curated, inferred, and extracted ones once
corroborated) whose confidence is at least PREREQ_FLOOR: below it an extracted edge is a guess,
and a wrong prerequisite costs a learner more than a missing one. Cycles among them are condensed
(networkx.condensation), their members studied together and reported, never looped on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping

import networkx as nx

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
    say,
    spaced,
)

PREREQ_FLOOR = 0.5  # least confidence of a concept prerequisite used for study paths
MAX_CHAIN = 10  # steps of a chain unless the full closure is asked for
CHAIN_DEPTH = 1  # prerequisite edges from the question to its farthest step (unless full)
QUESTIONS_PER_STEP = 3

# re-exported: Neo4jStore calls these as study.*
build_graph = derived.build_graph
mentions = derived.mentions
question_concepts = derived.question_concepts
topic_concepts = derived.topic_concepts


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
    """Why question `before` comes ahead of `after`, when its edge records no reason (a graph
    made by hand or before reasons were stored): in plain Chinese, from their focus concepts."""
    name = lambda c: g.nodes[c]["item"].name  # noqa: E731
    a_focus, b_focus = derived.focus(g, before), derived.focus(g, after)
    for a in a_focus:
        for b in b_focus:
            if a != b and pre.has_edge(a, b):
                return say(f"先弄懂{spaced(name(a))}，才能理解{spaced(name(b))}")
    shared = [c for c in a_focus if c in b_focus]
    return say(f"先弄懂{spaced(name(shared[0]))}的基础") if shared else ""


def chain(g: nx.MultiDiGraph, question_id: str, full: bool = False) -> list[ChainStep]:
    """The questions to read before `question_id`, fundamentals first: the questions before it
    through the stored prerequisite edges (ingest.prereq), the nearest MAX_CHAIN of them unless
    `full` (the whole closure); among questions ready to come next, the one whose focus concepts
    sit lowest in the concept prerequisites, then the lower level. Each step says why, in plain
    Chinese (the edge's evidence sentence)."""
    qd = derived.question_prerequisites(g)
    if full:
        before = nx.ancestors(qd, question_id)
    else:
        distance = nx.single_source_shortest_path_length(qd.reverse(copy=False), question_id,
                                                         cutoff=CHAIN_DEPTH)
        key = derived.question_key(g)
        near = sorted((n for n in distance if n != question_id),
                      key=lambda n: (distance[n], key(n)))
        before = set(near[:MAX_CHAIN])
    sub = qd.subgraph(before | {question_id})
    depth, by_level = derived.concept_depth(g), derived.question_key(g)

    def key(n: Hashable) -> tuple:
        return (max((depth[c] for c in derived.focus(g, str(n)) if c in depth), default=0),
                *by_level(n))

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
        # ingest records the reason of the edge as its evidence sentence
        via = edge.evidence[0].sentence if edge and edge.evidence else _via(g, pre, n, after)
        steps.append(ChainStep(derived.ref(g, n), via))
    return steps


def related(g: nx.MultiDiGraph, question_id: str, top: int = 10) -> list[RelatedQuestion]:
    """The related questions ingest stored for `question_id` (ingest.related: BM25 text,
    focus concepts, structure), best first, each with its reason in plain Chinese."""
    found = [
        (r.confidence, v, r)
        for _, v, k, r in g.out_edges(question_id, keys=True, data="item")
        if k == derived.RELATED and g.nodes[v]["kind"] == "question"
    ]
    found.sort(key=lambda t: (-round(t[0], 6), g.nodes[t[1]]["item"].title, t[1]))
    return [
        RelatedQuestion(derived.ref(g, v), round(score, 6), [e.sentence for e in r.evidence[:1]])
        for score, v, r in found[: max(top, 0)]
    ]


def _step_questions(g: nx.MultiDiGraph, concept_id: str, later: set[str]) -> list[QuestionRef]:
    """1-3 questions to study a concept with, ordered by level: questions naming it in the title,
    those whose title names no concept still `later` in the plan first, then those about it (a
    focus concept), then by weight.
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


def _plan(
    g: nx.MultiDiGraph,
    targets: Iterable[str],
    known: Iterable[str],
    floor: float,
    readers: Mapping[str, int] | None,
) -> tuple[nx.DiGraph, set[str], nx.DiGraph, list[list[str]]]:
    """(concept prerequisites, everything known, what is left to learn, its components in
    study order)."""
    pre = derived.concept_prerequisites(g, floor)
    targets, known = [t for t in targets if t in pre], [k for k in known if k in pre]
    known_all = set(known).union(*(nx.ancestors(pre, k) for k in known))
    needed = set(targets).union(*(nx.ancestors(pre, t) for t in targets))
    sub = pre.subgraph(needed - known_all).copy()  # a copy: ancestors on a view is slow
    unmet = {c: len(nx.ancestors(sub, c)) for c in sub}
    importance = {
        c: readers.get(c, 0) if readers is not None else len(derived.mentioned_by(g, c))
        for c in sub
    }
    return pre, known_all, sub, ordered_components(sub, lambda c: (unmet[c], -importance[c], c))


def plan_order(
    g: nx.MultiDiGraph,
    targets: Iterable[str],
    known: Iterable[str] = (),
    floor: float = PREREQ_FLOOR,
    readers: Mapping[str, int] | None = None,
) -> list[str]:
    """The concepts `path` makes steps of, in their order (what Neo4j fetches questions for)."""
    return [c for comp in _plan(g, targets, known, floor, readers)[3] for c in comp]


def path(
    g: nx.MultiDiGraph,
    targets: Iterable[str],
    known: Iterable[str] = (),
    floor: float = PREREQ_FLOOR,
    readers: Mapping[str, int] | None = None,
) -> StudyPlan:
    """A study plan towards concept ids `targets` for a learner who knows concept ids `known`.

    Knowing a concept implies knowing its prerequisite closure. The plan is the closure of the
    targets minus what is known, in topological order; ties go to fewer unmet prerequisites, then
    to concepts more questions mention. `readers` (concept id -> questions mentioning it) is
    given when `g` holds only some mentions (what Neo4j sends), else counted in `g`.
    """
    pre, known_all, sub, comps = _plan(g, targets, known, floor, readers)
    order = [c for comp in comps for c in comp]
    steps = []
    for i, c in enumerate(order):
        concept: Concept = g.nodes[c]["item"]
        questions = _step_questions(g, c, set(order[i + 1 :]))
        steps.append(PlanStep(concept, questions, concept.minutes, bool(questions)))
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
        edges=sorted(sub.edges()),
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
