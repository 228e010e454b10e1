"""The concept map's data: concepts, relations and mentions, which of them a view shows, where
they go, and why two of them are linked.

A ConceptMap is built once per process from the store's GraphData. `select` picks the concepts
of a view (the most asked ones, a neighbourhood, or a route and what is next to it), strongest
and closest first, never more than MAX_NODES, so no view is a hairball and every node can keep
its label; `layout_for` places them with a seeded spring layout and then pushes nodes apart until
no two labels overlap in a chart of CHART_SIZE; `route` finds the shortest explainable way from
one concept to another; `explain` says in plain words why two concepts are linked.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
import numpy as np

from zhitu.graph import derived, study
from zhitu.graph.model import (
    CONCEPT_RELATIONS,
    Concept,
    GraphData,
    Origin,
    Relation,
    RelationType,
)

MAX_NODES = 60  # never more concepts in one view: each keeps a readable label
OVERVIEW_NODES = 30  # a view's default size; "显示更多" grows it by MORE_NODES up to MAX_NODES
MORE_NODES = 15
GRAVITY = 0.08  # weight of the spring pulling every node towards the middle
SPRING = 2.0  # networkx spring_layout's k, times 1/sqrt(nodes): larger spreads nodes more
DEFAULT_TYPES = tuple(t for t in CONCEPT_RELATIONS if t is not RelationType.RELATED_TO)
STRONG = 0.5  # a relation below this confidence is a guess: drawn dashed, orders nothing
WEAK_ORIGINS = (Origin.PATTERN, Origin.COOCCURRENCE, Origin.DISCOVERED)  # found in the bank
# the chart the layout is made for (px): node centres inside the inner box, labels may reach
# into the right margin. ECharts fits the layout to the chart's real width and keeps the font
# size, so a narrower chart would push labels into each other: this is about the map column's
# width on a 1280-px screen (511 px); wider screens only spread nodes further apart
CHART_SIZE = (520, 640)
BOX = {"left": 24, "right": 116, "top": 24, "bottom": 24}
PAD = (5.0, 4.0)  # px kept free around each node and label (x, y)
LABEL_PX = 100  # labels are cut to this width (ECharts `overflow: truncate`)
FONT_PX = 12


@dataclass
class ConceptMap:
    """Concepts, their concept relations, and which questions mention which concepts."""

    concepts: dict[str, Concept]
    relations: list[Relation]
    counts: dict[str, int] = field(default_factory=dict)  # concept -> questions mentioning it
    by_question: dict[str, list[str]] = field(default_factory=dict)  # question -> concept ids
    asked: dict[str, set[str]] = field(default_factory=dict)  # concept -> question ids

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
        return cls(concepts, relations, counts, by_question, asked)

    def ranked(self) -> list[str]:
        """Concept ids, most asked first (ties: more relations, then id)."""
        degree: dict[str, int] = {}
        for r in self.relations:
            degree[r.src] = degree.get(r.src, 0) + 1
            degree[r.dst] = degree.get(r.dst, 0) + 1
        return sorted(self.concepts, key=lambda c: (-self.counts.get(c, 0), -degree.get(c, 0), c))

    def linked(
        self, concept_id: str, rtype: RelationType, *, incoming: bool, floor: float = 0.0
    ) -> list[Concept]:
        """Concepts at the other end of `rtype` edges of confidence >= floor into (incoming) or
        out of the concept: the panel's lists, with the map's own threshold."""
        ends = (
            (r.src if incoming else r.dst)
            for r in self.relations
            if r.type is rtype
            and r.confidence >= floor
            and (r.dst if incoming else r.src) == concept_id
        )
        return [self.concepts[c] for c in dict.fromkeys(ends) if c in self.concepts]

    def together(self, a: str, b: str) -> int:
        """How many questions mention both concepts."""
        return len(self.asked.get(a, set()) & self.asked.get(b, set()))

    def find(self, key: str) -> Relation | None:
        """The relation of `edge_key(r)`, else None (a stale or crafted link)."""
        return next((r for r in self.relations if edge_key(r) == key), None)


def edge_key(r: Relation) -> str:
    """A relation's id in links (?e=): 'TYPE src dst' (ids never hold spaces)."""
    return f"{r.type.value} {r.src} {r.dst}"


def weak(r: Relation) -> bool:
    """Found in the bank only, or below the strong floor: drawn dashed."""
    return r.confidence < STRONG or r.source in WEAK_ORIGINS


def _cost(r: Relation) -> float:
    """Route length of an edge: typed and strong edges are short, guesses long."""
    return 1.0 + (1.0 - r.confidence) + (1.0 if weak(r) else 0.0)


def _reach(seeds: list[str], edges: list[Relation], depth: int) -> dict[str, tuple[int, float]]:
    """node -> (hops from the nearest seed, strength of its strongest shortest way there: the
    product of the confidences along it).

    >>> e = [Relation(RelationType.IS_A, "a", "b", 1.0, Origin.LEXICON),
    ...      Relation(RelationType.IS_A, "b", "c", 0.5, Origin.LEXICON)]
    >>> _reach(["a"], e, 2)
    {'a': (0, 1.0), 'b': (1, 1.0), 'c': (2, 0.5)}
    """
    adjacent: dict[str, list[tuple[str, float]]] = {}
    for r in edges:
        adjacent.setdefault(r.src, []).append((r.dst, r.confidence))
        adjacent.setdefault(r.dst, []).append((r.src, r.confidence))

    def neighbours(ring: set[str]) -> list[str]:
        return [other for n in sorted(ring) for other, _ in adjacent.get(n, ())]

    hops: dict[str, int] = {}
    for seed in seeds:
        for node, d in study.within(seed, depth, neighbours).items():
            hops[node] = min(d, hops.get(node, d))
    found: dict[str, tuple[int, float]] = {}
    for node in sorted(hops, key=lambda n: (hops[n], n)):
        before = [
            found[p][1] * c for p, c in adjacent.get(node, ()) if hops.get(p) == hops[node] - 1
        ]
        found[node] = (hops[node], max(before) if hops[node] else 1.0)
    return found


def select(
    cmap: ConceptMap,
    *,
    center: str | None = None,
    depth: int = 1,
    types: Iterable[RelationType] = DEFAULT_TYPES,
    min_confidence: float = 0.0,
    limit: int = MAX_NODES,
    route: list[str] | None = None,
) -> tuple[list[str], list[Relation]]:
    """The concepts to draw and the edges between them, at most min(limit, MAX_NODES).

    Without a center: the most asked concepts. With one: its neighbourhood up to `depth` hops
    over the shown edges, nearest first, then the strongest way there, then the most asked.
    With a route (concept ids): the route, then what is `depth` hops from it.
    """
    wanted = set(types)
    edges = [r for r in cmap.relations if r.type in wanted and r.confidence >= min_confidence]
    rank = {c: i for i, c in enumerate(cmap.ranked())}
    limit = max(1, min(limit, MAX_NODES))
    seeds = [c for c in (route or ([center] if center else [])) if c in cmap.concepts]
    if not seeds:
        nodes = sorted(rank, key=rank.__getitem__)[:limit]
    else:
        reach = _reach(seeds, edges, depth)
        first = {c: i for i, c in enumerate(seeds)}
        nodes = sorted(
            reach,
            key=lambda c: (reach[c][0], first.get(c, 0), -round(reach[c][1], 3), rank.get(c, 0)),
        )[: max(limit, len(seeds))]
    shown = set(nodes)
    return nodes, [r for r in edges if r.src in shown and r.dst in shown]


def uncapped(
    cmap: ConceptMap,
    *,
    center: str | None,
    depth: int,
    types: Iterable[RelationType],
    min_confidence: float,
    route: list[str] | None = None,
) -> int:
    """How many concepts the view would hold without the MAX_NODES cap."""
    if not center and not route:
        return len(cmap.concepts)
    wanted = set(types)
    edges = [r for r in cmap.relations if r.type in wanted and r.confidence >= min_confidence]
    return len(_reach(route or [center], edges, depth))  # type: ignore[list-item]


def route(
    cmap: ConceptMap,
    start: str,
    end: str,
    types: Iterable[RelationType] = CONCEPT_RELATIONS,
    min_confidence: float = 0.0,
) -> list[Relation] | None:
    """The relations of the shortest explainable way from `start` to `end` (either direction
    of each edge; strong typed edges are shorter than guesses), None when there is none."""
    wanted = set(types)
    g = nx.Graph()
    for r in cmap.relations:
        if r.type not in wanted or r.confidence < min_confidence or r.src == r.dst:
            continue
        cost = _cost(r)
        if not g.has_edge(r.src, r.dst) or cost < g.edges[r.src, r.dst]["cost"]:
            g.add_edge(r.src, r.dst, cost=cost, item=r)
    if start == end or start not in g or end not in g:
        return None
    try:
        nodes = nx.shortest_path(g, start, end, weight="cost")
    except nx.NetworkXNoPath:
        return None
    return [g.edges[a, b]["item"] for a, b in zip(nodes, nodes[1:], strict=False)]


def route_nodes(start: str, steps: list[Relation]) -> list[str]:
    """The concepts a route passes, in order.

    >>> r = Relation(RelationType.IS_A, "lstm", "rnn", 1.0, Origin.LEXICON)
    >>> route_nodes("rnn", [r])
    ['rnn', 'lstm']
    """
    out = [start]
    for r in steps:
        out.append(r.dst if r.src == out[-1] else r.src)
    return out


# --- where the nodes go ---


def node_size(asked: int, biggest: int) -> float:
    """Symbol diameter (px): grows with the questions that mention the concept."""
    return round(10 + 22 * math.sqrt(asked / biggest), 1) if biggest else 12.0


def label_width(text: str) -> float:
    """Estimated width (px) of a label at FONT_PX, cut at LABEL_PX.

    >>> label_width("LSTM"), label_width("梯度消失")
    (30.0, 48.0)
    """
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return min(float(wide * FONT_PX + (len(text) - wide) * 7.5), float(LABEL_PX))


def boxes(
    centres: np.ndarray, sizes: list[float], widths: list[float], pad: tuple[float, float] = (0, 0)
) -> np.ndarray:
    """(left, top, right, bottom) of each node with its label on the right, in px, grown by
    `pad` (x, y) on every side."""
    r = np.asarray(sizes) / 2
    half = np.maximum(r, FONT_PX * 0.75)
    return np.stack(
        [
            centres[:, 0] - r - pad[0],
            centres[:, 1] - half - pad[1],
            centres[:, 0] + r + 5 + np.asarray(widths) + pad[0],
            centres[:, 1] + half + pad[1],
        ],
        axis=1,
    )


def overlaps(b: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap (touching is fine)."""
    dx = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
    dy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
    hit = np.triu((dx > 0.5) & (dy > 0.5), 1)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(hit), strict=True)]


def inner(size: tuple[int, int]) -> tuple[int, int]:
    """Width and height (px) of the box node centres go in, in a chart of `size`."""
    return size[0] - BOX["left"] - BOX["right"], size[1] - BOX["top"] - BOX["bottom"]


def _declutter(
    xy: np.ndarray,
    sizes: list[float],
    widths: list[float],
    size: tuple[int, int],
    rounds: int = 600,
) -> np.ndarray:
    """Node centres (px) moved apart until no two node+label boxes overlap, each kept inside
    the chart's inner box; pushes go along the axis of least overlap, half to each node, and
    every third round along the other one (a crowd pushing back along one axis may give way
    along the other)."""
    w, h = inner(size)
    r = np.asarray(sizes) / 2
    lo = np.stack([r, np.maximum(r, FONT_PX)], axis=1)
    hi = np.stack([np.full(len(r), float(w)), h - np.maximum(r, FONT_PX)], axis=1)
    xy = np.clip(xy, lo, hi)
    for turn in range(rounds):
        b = boxes(xy, sizes, widths, PAD)
        pairs = overlaps(b)
        if not pairs:
            break
        push = np.zeros_like(xy)
        for i, j in pairs:
            ox = min(b[i, 2], b[j, 2]) - max(b[i, 0], b[j, 0])
            oy = min(b[i, 3], b[j, 3]) - max(b[i, 1], b[j, 1])
            along_x = ox < oy * 2.5  # labels are wide: prefer y
            if turn % 3 == 2:
                along_x = not along_x
            axis, amount = (0, ox) if along_x else (1, oy)
            sign = 1.0 if xy[i, axis] >= xy[j, axis] else -1.0
            if xy[i, axis] == xy[j, axis]:
                sign = 1.0 if i < j else -1.0
            push[i, axis] += sign * (amount / 2 + 1)
            push[j, axis] -= sign * (amount / 2 + 1)
        xy = np.clip(xy + push, lo, hi)
    return xy


@lru_cache(maxsize=128)
def layout(
    nodes: tuple[str, ...],
    edges: tuple[tuple[str, str], ...],
    center: str | None = None,
    sizes: tuple[float, ...] = (),
    widths: tuple[float, ...] = (),
    line: tuple[str, ...] = (),
    size: tuple[int, int] = CHART_SIZE,
    ring: bool = False,
) -> dict[str, tuple[float, float]]:
    """Seeded spring layout, labels kept apart; positions in px of a chart of `size`.

    The center (if any) starts pinned at the middle, a route (`line`) on a horizontal line;
    `ring` puts every node on a circle in the given order instead (a few nodes, all related).
    Every node also hangs on a weak spring from a hidden hub at the origin, so loose nodes and
    small components stay near the picture instead of drifting to its edges. `sizes` and
    `widths` (per node, in `nodes` order) are the symbol diameters and label widths.
    """
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges, weight=1.0)
    hub = ("hub",)  # not a str: cannot clash with a concept id
    g.add_edges_from(((hub, n) for n in nodes), weight=GRAVITY)
    init = nx.circular_layout(g)
    fixed: dict[object, tuple[float, float]] = {hub: (0.0, 0.0)}
    if line:
        step = 1.6 / max(len(line) - 1, 1)
        fixed.update((n, (-0.8 + i * step, 0.0)) for i, n in enumerate(line))
    elif center in nodes:
        fixed[center] = (0.0, 0.0)
    init.update(fixed)
    if ring:
        turn = [2 * math.pi * i / len(nodes) for i in range(len(nodes))]
        pos = {n: (math.cos(t), math.sin(t)) for n, t in zip(nodes, turn, strict=True)}
    else:
        k = SPRING / math.sqrt(len(nodes))
        pos = nx.spring_layout(g, k=k, pos=init, fixed=list(fixed), seed=7, iterations=100)
    xy = np.array([pos[n] for n in nodes], dtype=float)
    w, h = inner(size)
    span = np.maximum(xy.max(axis=0) - xy.min(axis=0), 1e-9)
    xy = (xy - xy.min(axis=0)) / span * np.array([w, h])
    if sizes and widths:
        xy = _declutter(xy, list(sizes), list(widths), size)
    return {
        n: (round(float(x), 1), round(float(y), 1)) for n, (x, y) in zip(nodes, xy, strict=True)
    }


def layout_for(
    cmap: ConceptMap,
    nodes: list[str],
    center: str | None,
    line: list[str] | None = None,
    size: tuple[int, int] = CHART_SIZE,
    ring: bool = False,
) -> dict[str, tuple[float, float]]:
    """Layout over every relation among the nodes, so toggling edge types keeps positions;
    sizes and labels as `chart.options` draws them, for a chart of `size` px (`ring`: the
    nodes on a circle, in their order)."""
    shown = set(nodes)
    pairs = sorted(
        {
            (min(r.src, r.dst), max(r.src, r.dst))
            for r in cmap.relations
            if r.src in shown and r.dst in shown and r.src != r.dst
        }
    )
    order = tuple(nodes) if ring else tuple(sorted(nodes))
    biggest = max((cmap.counts.get(c, 0) for c in nodes), default=0)
    sizes = tuple(
        node_size(cmap.counts.get(c, 0), biggest) + (8 if c == center else 0) for c in order
    )
    widths = tuple(label_width(cmap.concepts[c].name) for c in order)
    return layout(
        order,
        tuple(pairs),
        center if center in shown else None,
        sizes,
        widths,
        tuple(line or ()),
        size,
        ring,
    )


# --- why two concepts are linked, in plain words ---

_SAYS: dict[RelationType, str] = {
    RelationType.PREREQUISITE_OF: "先学「{a}」，再学「{b}」",
    RelationType.IS_A: "「{a}」是一种「{b}」",
    RelationType.PART_OF: "「{a}」是「{b}」的组成部分",
    RelationType.ADDRESSES: "「{a}」用来解决「{b}」",
    RelationType.CONTRASTS_WITH: "「{a}」和「{b}」常被拿来对比",
    RelationType.RELATED_TO: "「{a}」和「{b}」常一起出现",
}


@dataclass(frozen=True)
class Why:
    """A relation in words: what it says, where it comes from, how sure it is."""

    says: str
    source: str
    sure: str


def explain(cmap: ConceptMap, r: Relation) -> Why:
    """Why two concepts are linked, for a learner: no scores, no jargon."""
    name = lambda c: cmap.concepts[c].name if c in cmap.concepts else c  # noqa: E731
    a, b = name(r.src), name(r.dst)
    says = _SAYS[r.type].format(a=a, b=b)
    if r.source is Origin.USER:
        source = "你自己添加的"
    elif r.source is Origin.LEXICON:
        source = "人工整理（知图词表）"
    elif r.source is Origin.PATTERN:
        source = "从题库中的句子识别"
    elif r.source is Origin.DISCOVERED:
        source = "从题库中发现"
    elif r.source is Origin.COOCCURRENCE:
        source = f"常一起出现（{cmap.together(r.src, r.dst)} 道题同时提到）"
    else:
        source = _inferred(cmap, r, a, b)
    if r.confidence >= 0.9:
        sure = "很可靠"
    elif r.confidence >= STRONG:
        sure = "比较可靠"
    elif r.type is RelationType.PREREQUISITE_OF:
        sure = "仅供参考：可能不准，学习路径不按它排顺序"
    else:
        sure = "仅供参考：可能不准"
    return Why(says, source, sure)


def _inferred(cmap: ConceptMap, r: Relation, a: str, b: str) -> str:
    for other in cmap.relations:
        if other.src == r.dst and other.dst == r.src:
            if other.type is RelationType.IS_A:
                return f"从「{b}是一种{a}」推出：先学大类，再学它的一种"
            if other.type is RelationType.ADDRESSES:
                return f"从「{b}用来解决{a}」推出：先认识问题，再学解决办法"
    return f"从题库推断：讲「{b}」的题常用到「{a}」"
