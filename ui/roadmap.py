"""A study plan drawn as a roadmap: its steps in layers by their prerequisite edges, coloured by
the learner's state (已学完 / 已掌握 / 已跳过 / 下一步: ready now / 未解锁: locked).

Pure functions (no Streamlit) make the ECharts options; `draw` is the one that draws. Layers run
top to bottom: a step sits one layer below its deepest prerequisite in the plan. Edges are
the transitive reduction of the prerequisites among the plan's steps (so a transitive input,
e.g. graph/placement.closure, draws the same as a direct one). Plan order is a topological order
(cycles condensed by the study path), so an edge pointing backwards in it is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

import networkx as nx

from zhitu.graph.model import StudyPlan
from zhitu.ui import marks
from zhitu.ui.render import chart_text

COLUMN = 150  # px between steps of one row
ROW = 64  # px between rows (layers)
PER_ROW = 6  # steps per row before a layer wraps
MAX_HEIGHT = 1600  # px; a deeper plan is scaled down (and can be zoomed)
MARGIN = 40
PASSED = ("known", "done", "skipped")  # states that unlock what needs them


def edges(ids: list[str], prerequisites: Mapping[str, Set[str]]) -> list[tuple[str, str]]:
    """(prerequisite, step) pairs among the plan's steps, transitively reduced, in plan order.

    >>> edges(["a", "b", "c"], {"b": {"a"}, "c": {"a", "b"}})
    [('a', 'b'), ('b', 'c')]
    """
    index = {c: i for i, c in enumerate(ids)}
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from((p, c) for c in ids for p in prerequisites.get(c, ())
                     if p in index and index[p] < index[c])
    reduced = nx.transitive_reduction(g)
    return sorted(reduced.edges, key=lambda e: (index[e[1]], index[e[0]]))


def layers(ids: list[str], pairs: list[tuple[str, str]]) -> dict[str, int]:
    """Layer of each step: 0 without a prerequisite in the plan, else one past the deepest.

    >>> layers(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "d")])
    {'a': 0, 'b': 1, 'c': 2, 'd': 1}
    """
    before: dict[str, list[str]] = {}
    for p, c in pairs:
        before.setdefault(c, []).append(p)
    out: dict[str, int] = {}
    for c in ids:  # plan order: prerequisites come first
        out[c] = 1 + max((out[p] for p in before.get(c, ()) if p in out), default=-1)
    return out


def states(ids: list[str], concepts: Mapping[str, str],
           prerequisites: Mapping[str, Set[str]]) -> dict[str, str]:
    """known / done / skipped as marked; else next when every prerequisite in the plan is
    passed (known, done or skipped), locked when one is still open.

    >>> states(["a", "b", "c"], {"a": "done"}, {"b": {"a"}, "c": {"b"}})
    {'a': 'done', 'b': 'next', 'c': 'locked'}
    """
    inside = set(ids)
    out = {}
    for c in ids:
        if concepts.get(c) in PASSED:
            out[c] = concepts[c]
        else:
            open_ = [p for p in prerequisites.get(c, ()) if p in inside
                     and concepts.get(p) not in PASSED]
            out[c] = "locked" if open_ else "next"
    return out


def positions(ids: list[str], column: Mapping[str, int],
              pairs: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Layers top to bottom, each a row (a layer wider than PER_ROW wraps onto more rows);
    within a layer, steps ordered by the mean x of their prerequisites (one barycentre pass:
    fewer crossings), ties in plan order; rows centred on the widest.

    >>> xy = positions(["a", "b", "c"], {"a": 0, "b": 1, "c": 1}, [("a", "b"), ("a", "c")])
    >>> xy["a"][1] < xy["b"][1] == xy["c"][1], xy["b"][0] < xy["c"][0]
    (True, True)
    """
    before: dict[str, list[str]] = {}
    for p, c in pairs:
        before.setdefault(c, []).append(p)
    by_layer: dict[int, list[str]] = {}
    for c in ids:
        by_layer.setdefault(column[c], []).append(c)
    widest = min(max((len(v) for v in by_layer.values()), default=1), PER_ROW)
    out: dict[str, tuple[float, float]] = {}
    row = 0
    for layer in sorted(by_layer):
        members = by_layer[layer]
        order = {c: i for i, c in enumerate(members)}

        def key(c: str, order: dict[str, int] = order) -> tuple[float, int]:
            xs = [out[p][0] for p in before.get(c, ()) if p in out]
            return (sum(xs) / len(xs) if xs else MARGIN + order[c] * COLUMN, order[c])

        members = sorted(members, key=key)
        for start in range(0, len(members), PER_ROW):
            chunk = members[start:start + PER_ROW]
            offset = (widest - len(chunk)) / 2
            for i, c in enumerate(chunk):
                out[c] = (MARGIN + (offset + i) * COLUMN, MARGIN + row * ROW)
            row += 1
    return out


def roadmap(plan: StudyPlan, progress: Any, prerequisites: Mapping[str, Set[str]]
            ) -> dict[str, Any]:
    """ECharts options of the plan's roadmap.

    `progress`: a Progress, or a mapping concept id -> known|done|skipped (e.g. the learner's
    concepts merged with the path page's marks); `prerequisites`: concept id -> its
    prerequisites (direct or transitive; `marks.prerequisites(cmap.relations)`).
    """
    concepts = getattr(progress, "concepts", progress) or {}
    ids = list(dict.fromkeys(s.concept.id for s in plan.steps))
    steps = {s.concept.id: (i, s) for i, s in enumerate(plan.steps, 1)}
    pairs = edges(ids, prerequisites)
    state = states(ids, concepts, prerequisites)
    xy = positions(ids, layers(ids, pairs), pairs)
    nodes = []
    for c in ids:
        i, step = steps[c]
        s = state[c]
        minutes = f" · 约 {step.minutes} 分钟" if step.minutes else ""
        count = f" · {len(step.questions)} 道题" if step.questions else ""
        tip = f"第 {i} 步 · {step.concept.name}\n{marks.label(s)}{minutes}{count}"
        nodes.append({
            "id": c,
            "name": chart_text(f"{i}. {step.concept.name}"),
            "x": xy[c][0],
            "y": xy[c][1],
            "symbolSize": 22 if s == "next" else 16,
            "value": marks.label(s),
            "itemStyle": {"color": marks.color(s), "borderColor": "#495057",
                          "borderWidth": 2 if s == "next" else 1},
            "label": {"show": True, **({"fontWeight": "bold"} if s == "next" else {}),
                      **({"color": "#868E96"} if s == "locked" else {})},
            "tooltip": {"formatter": chart_text(tip)},
        })
    links = [{
        "source": p,
        "target": c,
        "lineStyle": {"color": "#495057" if state[p] in PASSED else "#ADB5BD",
                      "type": "solid" if state[p] in PASSED else [5, 4], "width": 1.5,
                      "curveness": 0.15},
    } for p, c in pairs]
    return {
        "animationDuration": 0,  # drawn at once, as the concept map
        "tooltip": {"renderMode": "richText", "confine": True},
        "series": [{
            "type": "graph",
            "name": "学习路线",
            "layout": "none",
            "roam": True,
            "preserveAspect": True,  # ECharts 6: fit the box, keep the layout's aspect
            "left": 20, "right": COLUMN, "top": 20, "bottom": 20,
            "label": {"position": "right", "fontSize": 12, "width": COLUMN - 30,
                      "overflow": "truncate", "color": "#212529",
                      "textBorderColor": "#ffffff", "textBorderWidth": 3},
            "edgeSymbol": ["none", "arrow"],
            "edgeSymbolSize": 7,
            "emphasis": {"focus": "adjacency"},
            "data": nodes,
            "links": links,
        }],
    }


def height(options: Mapping[str, Any]) -> int:
    """Pixels the chart needs for its rows (at least 160, at most MAX_HEIGHT)."""
    ys = [n["y"] for n in options["series"][0]["data"]]
    span = max(ys, default=0) - min(ys, default=0)
    return int(min(max(span + 2 * MARGIN + 40, 160), MAX_HEIGHT))


def draw(plan: StudyPlan, progress: Any, prerequisites: Mapping[str, Set[str]],
         key: str = "roadmap") -> None:
    """The roadmap with its legend (Streamlit)."""
    import streamlit as st

    if not plan.steps:
        return
    opts = roadmap(plan, progress, prerequisites)
    shown = [s for s in ("done", "known", "skipped", "next", "locked")
             if any(n["value"] == marks.label(s) for n in opts["series"][0]["data"])]
    st.echarts_chart(opts, height=height(opts), key=key,
                     alt=f"学习路线图：{len(opts['series'][0]['data'])} 步")  # fmt: skip
    st.html(marks.legend_html(shown))
    st.caption("从上到下按先修关系分层：箭头从先修指向后续；「下一步」是现在就可以学的。"
               "滚轮缩放，拖动平移。")
