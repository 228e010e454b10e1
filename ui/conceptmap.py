"""The concept map's data: concepts, relations and mentions, and which of them a view shows.

A ConceptMap is built once per process from the store's GraphData. `select` picks the concepts
of a view (the most asked ones, or a neighbourhood) and never more than MAX_NODES, so a large
graph is never drawn as a hairball; `layout_for` places them with a seeded, cached spring
layout so the picture is stable across reruns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx

from zhitu.graph import derived, study
from zhitu.graph.model import CONCEPT_RELATIONS, Concept, GraphData, Relation, RelationType

MAX_NODES = 300  # never more concepts in one view
OVERVIEW_NODES = 60  # the overview's default: the most asked concepts
GRAVITY = 0.08  # weight of the spring pulling every node towards the middle
DEFAULT_TYPES = tuple(t for t in CONCEPT_RELATIONS if t is not RelationType.RELATED_TO)


@dataclass
class ConceptMap:
    """Concepts, their concept relations, and which questions mention which concepts."""

    concepts: dict[str, Concept]
    relations: list[Relation]
    counts: dict[str, int] = field(default_factory=dict)  # concept -> questions mentioning it
    by_question: dict[str, list[str]] = field(default_factory=dict)  # question -> concept ids

    @classmethod
    def from_data(cls, data: GraphData) -> ConceptMap:
        asked: dict[str, set[str]] = {}
        by_question: dict[str, list[str]] = {}
        for m in sorted(data.mentions, key=lambda m: (not m.in_title, -m.weight, m.concept_id)):
            if m.concept_id in data.concepts:
                asked.setdefault(m.concept_id, set()).add(m.question_id)
                by_question.setdefault(m.question_id, []).append(m.concept_id)
        relations = [
            r
            for r in data.relations
            if r.type in CONCEPT_RELATIONS and r.src in data.concepts and r.dst in data.concepts
        ]
        counts = {c: len(q) for c, q in asked.items()}
        shown = derived.linked_concepts(data)
        concepts = {k: c for k, c in data.concepts.items() if k in shown}
        return cls(concepts, relations, counts, by_question)

    def ranked(self) -> list[str]:
        """Concept ids, most asked first (ties: more relations, then id)."""
        degree: dict[str, int] = {}
        for r in self.relations:
            degree[r.src] = degree.get(r.src, 0) + 1
            degree[r.dst] = degree.get(r.dst, 0) + 1
        return sorted(self.concepts, key=lambda c: (-self.counts.get(c, 0), -degree.get(c, 0), c))

    def linked(self, concept_id: str, rtype: RelationType, *, incoming: bool) -> list[Concept]:
        """Concepts at the other end of `rtype` edges into (incoming) or out of the concept."""
        ends = (
            (r.src if incoming else r.dst)
            for r in self.relations
            if r.type is rtype and (r.dst if incoming else r.src) == concept_id
        )
        return [self.concepts[c] for c in dict.fromkeys(ends)]


def select(
    cmap: ConceptMap,
    *,
    center: str | None = None,
    depth: int = 1,
    types: Iterable[RelationType] = DEFAULT_TYPES,
    min_confidence: float = 0.0,
    limit: int = MAX_NODES,
) -> tuple[list[str], list[Relation]]:
    """The concepts to draw and the edges between them.

    Without a center: the `limit` most important concepts. With one: its neighbourhood up to
    `depth` hops over the shown edge types, nearest and most important first.
    """
    wanted = set(types)
    edges = [r for r in cmap.relations if r.type in wanted and r.confidence >= min_confidence]
    rank = {c: i for i, c in enumerate(cmap.ranked())}
    if center is None or center not in cmap.concepts:
        nodes = sorted(rank, key=rank.__getitem__)[:limit]
    else:
        dist = _distances(center, edges, depth)
        nodes = sorted(dist, key=lambda c: (dist[c], rank[c]))[:limit]
    shown = set(nodes)
    return nodes, [r for r in edges if r.src in shown and r.dst in shown]


def _distances(center: str, edges: list[Relation], depth: int) -> dict[str, int]:
    adjacent: dict[str, set[str]] = {}
    for r in edges:
        adjacent.setdefault(r.src, set()).add(r.dst)
        adjacent.setdefault(r.dst, set()).add(r.src)
    return study.within(center, depth, lambda ring: [n for r in ring for n in adjacent.get(r, ())])


@lru_cache(maxsize=128)
def layout(
    nodes: tuple[str, ...], edges: tuple[tuple[str, str], ...], center: str | None = None
) -> dict[str, tuple[float, float]]:
    """Seeded spring layout; the center (if any) pinned at the origin.

    Every node also hangs on a weak spring from a hidden hub at the origin, so loose nodes and
    small components stay near the picture instead of drifting to its edges.
    """
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges, weight=1.0)
    hub = ("hub",)  # not a str: cannot clash with a concept id
    g.add_edges_from(((hub, n) for n in nodes), weight=GRAVITY)
    pinned = [hub, center] if center in nodes else [hub]
    init = nx.circular_layout(g)
    init.update({p: (0.0, 0.0) for p in pinned})
    k = 1.2 / math.sqrt(len(nodes))
    pos = nx.spring_layout(g, k=k, pos=init, fixed=pinned, seed=7, iterations=100)
    return {n: (round(float(pos[n][0]), 4), round(float(pos[n][1]), 4)) for n in nodes}


def layout_for(
    cmap: ConceptMap, nodes: list[str], center: str | None
) -> dict[str, tuple[float, float]]:
    """Layout over every relation among the nodes, so toggling edge types keeps positions."""
    shown = set(nodes)
    pairs = sorted(
        {
            (min(r.src, r.dst), max(r.src, r.dst))
            for r in cmap.relations
            if r.src in shown and r.dst in shown and r.src != r.dst
        }
    )
    return layout(tuple(sorted(nodes)), tuple(pairs), center if center in shown else None)
