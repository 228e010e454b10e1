"""The graph the study algorithms read, and views derived from it (cached on the graph).

`build_graph` turns GraphData into a networkx MultiDiGraph: node ids are question and concept
ids, node attribute `kind` is "question" or "concept" and `item` holds the dataclass; the edge key
is the RelationType value and attribute `item` holds the Relation or Mention. Mentions are also
indexed both ways in `g.graph`, and study code reads them only through `mentions`,
`mentioned_by` and `titled`; so a store can leave them out of the networkx edges
(mention_edges=False): a concept has thousands of them at 100,000 questions, which every walk
over its neighbours would step through. A built graph is never changed afterwards, so derived
views are computed once and kept in `g.graph`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import networkx as nx

from zhitu.graph.gcpause import gc_paused
from zhitu.graph.model import (
    Concept,
    GraphData,
    Mention,
    QuestionRef,
    RelationType,
    focus_concepts,
    question_tags,
)

T = TypeVar("T")
PRE = RelationType.PREREQUISITE_OF.value
RELATED = RelationType.RELATED_TO.value
MENTIONS = RelationType.MENTIONS.value
_MENTION_INDEX = "mention_index"


@gc_paused()
def build_graph(data: GraphData, *, mention_edges: bool = True) -> nx.MultiDiGraph:
    """The graph every study function reads; edges with an unknown endpoint are left out.

    mention_edges: mentions as networkx edges too (the embedded store does without).
    """
    g = nx.MultiDiGraph()
    for q in data.questions.values():
        g.add_node(q.id, kind="question", item=q)
    for c in data.concepts.values():
        g.add_node(c.id, kind="concept", item=c)
    nodes = _nodes(data)  # a set: faster than `in g`
    for r in data.relations:
        if r.src in nodes and r.dst in nodes:
            g.add_edge(r.src, r.dst, key=r.type.value, item=r)
    by_question: dict[str, dict[str, Mention]] = {}
    by_concept: dict[str, dict[str, Mention]] = {}
    for m in data.mentions:
        if m.question_id in nodes and m.concept_id in nodes:
            by_question.setdefault(m.question_id, {})[m.concept_id] = m
            by_concept.setdefault(m.concept_id, {})[m.question_id] = m
            if mention_edges:
                g.add_edge(m.question_id, m.concept_id, key=MENTIONS, item=m)
    g.graph[_MENTION_INDEX] = (by_question, by_concept)
    return g


def _nodes(data: GraphData) -> set[str]:
    return data.questions.keys() | data.concepts.keys()


def linked_concepts(data: GraphData) -> set[str]:
    """The concepts build_graph would give an edge (both ends known), without building it."""
    nodes = _nodes(data)
    linked = {m.concept_id for m in data.mentions if m.question_id in nodes}
    for r in data.relations:
        if r.src in nodes and r.dst in nodes:
            linked.update((r.src, r.dst))
    return linked & data.concepts.keys()


def cached(g: nx.MultiDiGraph, key: object, make: Callable[[], T]) -> T:
    """Derived data kept on the graph itself (a built graph is never changed afterwards).

    >>> g = nx.MultiDiGraph()
    >>> cached(g, "answer", lambda: 42), cached(g, "answer", lambda: 0)
    (42, 42)
    """
    cache = g.graph.setdefault("study_cache", {})
    if key not in cache:
        with gc_paused():
            cache[key] = make()
    return cache[key]


def concept_prerequisites(g: nx.MultiDiGraph, floor: float) -> nx.DiGraph:
    """Concept PREREQUISITE_OF edges at or above `floor`, over every concept (do not modify)."""

    def make() -> nx.DiGraph:
        d = nx.DiGraph()
        d.add_nodes_from(n for n, kind in g.nodes(data="kind") if kind == "concept")
        for u, v, k, r in g.edges(keys=True, data="item"):
            if k == PRE and u in d and v in d and r.confidence >= floor:
                d.add_edge(u, v)
        return d

    return cached(g, ("concept_prerequisites", floor), make)


def question_prerequisites(g: nx.MultiDiGraph) -> nx.DiGraph:
    def make() -> nx.DiGraph:
        d = nx.DiGraph()
        d.add_nodes_from(n for n, kind in g.nodes(data="kind") if kind == "question")
        edges = g.edges(keys=True)
        d.add_edges_from((u, v) for u, v, k in edges if k == PRE and u in d and v in d)
        return d

    return cached(g, "question_prerequisites", make)


def titled(g: nx.MultiDiGraph) -> dict[str, set[str]]:
    """question id -> the concepts its title names."""

    def make() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for q, ms in _mention_index(g)[0].items():
            names = {c for c, m in ms.items() if m.in_title}
            if names:
                out[q] = names
        return out

    return cached(g, "titled", make)


def about(g: nx.MultiDiGraph, concept_id: str) -> list[str]:
    """The questions whose title names the concept: those about it (a focus concept) first,
    then the heaviest mention, then in question order (`question_key`). A new list."""

    def make() -> dict[str, list[str]]:
        key = question_key(g)
        return {
            c: sorted((q for q, m in ms.items() if m.in_title),
                      key=lambda q, ms=ms: (not ms[q].focus, -ms[q].weight,  # type: ignore[misc]
                                            key(q)))
            for c, ms in _mention_index(g)[1].items()
        }

    return list(cached(g, "about", make).get(concept_id, ()))


def _mention_index(g: nx.MultiDiGraph) -> tuple[dict[str, dict[str, Mention]],
                                                dict[str, dict[str, Mention]]]:
    """(question -> concept -> Mention, concept -> question -> Mention), in mention order."""
    return g.graph.get(_MENTION_INDEX, ({}, {}))


def mentions(g: nx.MultiDiGraph, question_id: str) -> dict[str, Mention]:
    """concept id -> Mention for one question (a new dict)."""
    return dict(_mention_index(g)[0].get(question_id, {}))


def mentioned_by(g: nx.MultiDiGraph, concept_id: str) -> dict[str, Mention]:
    """question id -> Mention for one concept (a new dict)."""
    return dict(_mention_index(g)[1].get(concept_id, {}))


def question_concepts(g: nx.MultiDiGraph, question_id: str) -> list[Concept]:
    """A question's tags: its focus concepts first, then its other shown mentions by weight
    (model.question_tags); weak mentions in passing are left out."""
    return [g.nodes[c]["item"] for c in question_tags(list(mentions(g, question_id).values()))]


def topic_concepts(g: nx.MultiDiGraph, question_id: str) -> list[str]:
    """What a question is about: concepts in its title, else its heaviest mentions."""
    memo: dict[str, list[str]] = cached(g, "topic_concepts", dict)
    if question_id not in memo:
        ms = _mention_index(g)[0].get(question_id, {})
        titled = sorted(c for c, m in ms.items() if m.in_title)
        if titled or not ms:
            memo[question_id] = titled
        else:
            top = max(m.weight for m in ms.values())
            memo[question_id] = sorted(c for c, m in ms.items() if m.weight == top)
    return list(memo[question_id])


def focus(g: nx.MultiDiGraph, question_id: str) -> list[str]:
    """What places a question: its focus concepts (ingest.focus), else (a graph built before
    focus existed) its topic concepts."""
    memo: dict[str, list[str]] = cached(g, "focus", dict)
    if question_id not in memo:
        ms = list(_mention_index(g)[0].get(question_id, {}).values())
        memo[question_id] = sorted(focus_concepts(ms)) or topic_concepts(g, question_id)
    return list(memo[question_id])


def ref(g: nx.MultiDiGraph, question_id: str) -> QuestionRef:
    return QuestionRef(question_id, g.nodes[question_id]["item"].title)


def question_key(g: nx.MultiDiGraph) -> Callable[[Hashable], tuple]:
    """The order among questions: level, title, id (the keys are made once per graph)."""

    def make() -> dict[Hashable, tuple]:
        return {n: (int(q.level), q.title, q.id) for n, q in g.nodes(data="item")
                if g.nodes[n]["kind"] == "question"}

    return cached(g, "question_keys", make).__getitem__


def depths(d: nx.DiGraph) -> dict[Hashable, int]:
    """Node -> length of its longest path from a root (loops condensed): 0 = fundamental.

    >>> depths(nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "b")]))
    {'a': 0, 'b': 1, 'c': 1}
    """
    cond = nx.condensation(d)
    level = {n: i for i, layer in enumerate(nx.topological_generations(cond)) for n in layer}
    return {node: level[n] for node, n in sorted(cond.graph["mapping"].items())}


def concept_depth(g: nx.MultiDiGraph) -> dict[str, int]:
    """concept id -> length of its longest prerequisite path (loops condensed): 0 = fundamental."""
    return cached(g, "concept_depth", lambda: depths(concept_prerequisites(g, floor=0.0)))
