"""ECharts options for the concept map, its edge legend, and reading a node click back.

Pure functions (no Streamlit) over a ConceptMap view: positions come from
ui.conceptmap.layout_for, so the browser only paints. Every string put into the options goes
through render.chart_text (no streamlit-echarts JS marker, no template braces) and tooltips
render as canvas rich text, never HTML.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from zhitu.graph.model import Relation, RelationType
from zhitu.ingest.lexicon import CATEGORIES
from zhitu.ui.conceptmap import ConceptMap
from zhitu.ui.render import chart_text

RELATION_LABELS: dict[RelationType, str] = {
    RelationType.PREREQUISITE_OF: "先修",
    RelationType.IS_A: "属于",
    RelationType.PART_OF: "组成部分",
    RelationType.ADDRESSES: "解决",
    RelationType.CONTRASTS_WITH: "对比",
    RelationType.RELATED_TO: "共现相关",
}
# colour, ECharts line type, drawn with an arrow
_EDGE_STYLE: dict[RelationType, tuple[str, str, bool]] = {
    RelationType.PREREQUISITE_OF: ("#d9480f", "solid", True),
    RelationType.IS_A: ("#1971c2", "solid", True),
    RelationType.PART_OF: ("#2f9e44", "dashed", True),
    RelationType.ADDRESSES: ("#ae3ec9", "solid", True),
    RelationType.CONTRASTS_WITH: ("#f08c00", "dotted", False),
    RelationType.RELATED_TO: ("#adb5bd", "dotted", False),
}
_PALETTE = (
    "#4263eb",
    "#e8590c",
    "#2b8a3e",
    "#c2255c",
    "#7048e8",
    "#1098ad",
    "#f59f00",
    "#5c940d",
    "#d6336c",
    "#0b7285",
    "#9c36b5",
    "#e67700",
    "#364fc7",
    "#087f5b",
    "#a61e4d",
    "#495057",
    "#74b816",
)
# px around the drawing inside the chart: room for the legend on top and labels on the right
BOX = {"left": 30, "right": 110, "top": 64, "bottom": 30}
# layout units -> roughly pixels: ECharts shortens arrowed edges by the target's radius taken in
# data units, so in a [-1, 1] layout arrows stop far short of their nodes
SPREAD = 300.0


def category_label(category: str) -> str:
    """The Chinese label of a category id.

    >>> category_label("rnn")
    '循环神经网络'
    """
    return CATEGORIES.get(category, category or "未分类")


def category_color(category: str) -> str:
    """A fixed colour per category (the lexicon's order), so maps always agree."""
    keys = list(CATEGORIES)
    index = keys.index(category) if category in keys else sum(map(ord, category))
    return _PALETTE[index % len(_PALETTE)]


def _node(
    cmap: ConceptMap,
    cid: str,
    xy: tuple[float, float],
    cats: list[str],
    biggest: int,
    selected: str | None,
    label: bool,
) -> dict[str, object]:
    c = cmap.concepts[cid]
    asked = cmap.counts.get(cid, 0)
    size = 10 + 26 * math.sqrt(asked / biggest) if biggest else 12
    zh = f" · {c.zh}" if c.zh and c.zh != c.name else ""
    tip = f"{c.name}{zh}\n{category_label(c.category)} · {asked} 道题"
    node: dict[str, object] = {
        "id": cid,
        "name": chart_text(c.name),
        "x": round(xy[0] * SPREAD, 1),
        "y": round(-xy[1] * SPREAD, 1),
        "symbolSize": round(size + (8 if cid == selected else 0), 1),
        "category": cats.index(category_label(c.category)),
        "value": asked,
        "label": {"show": label or cid == selected},
        "tooltip": {"formatter": chart_text(tip)},
    }
    if cid == selected:
        node["itemStyle"] = {"borderColor": "#212529", "borderWidth": 3}
        node["label"] = {"show": True, "fontWeight": "bold", "fontSize": 14}
    return node


def _link(r: Relation) -> dict[str, object]:
    color, line, arrow = _EDGE_STYLE[r.type]
    return {
        "source": r.src,
        "target": r.dst,
        "value": RELATION_LABELS[r.type],
        "symbol": ["none", "arrow"] if arrow else ["none", "none"],
        "lineStyle": {
            "color": color,
            "type": line,
            "width": round(0.8 + 1.7 * r.confidence, 2),
            "opacity": round(0.35 + 0.5 * r.confidence, 2),
            "curveness": 0.08,
        },
    }


def options(
    cmap: ConceptMap,
    nodes: list[str],
    edges: list[Relation],
    positions: dict[str, tuple[float, float]],
    selected: str | None = None,
    labels: int = 40,
) -> dict[str, object]:
    """ECharts options for a graph series; labels on the `labels` most important nodes."""
    cats = sorted({category_label(cmap.concepts[c].category) for c in nodes})
    colors = {
        category_label(c.category): category_color(c.category) for c in cmap.concepts.values()
    }
    biggest = max((cmap.counts.get(c, 0) for c in nodes), default=0)
    labelled = set(nodes[:labels]) if len(nodes) > labels else set(nodes)
    return {
        "animationDurationUpdate": 300,
        "tooltip": {"renderMode": "richText", "confine": True},
        "legend": [{"data": cats, "type": "scroll", "top": 0, "left": "center"}],
        "series": [
            {
                "type": "graph",
                "name": "概念",
                "layout": "none",
                "roam": True,
                **BOX,
                "preserveAspect": True,  # ECharts 6: fit the box, keep the layout's aspect
                "categories": [{"name": n, "itemStyle": {"color": colors[n]}} for n in cats],
                "label": {"position": "right", "fontSize": 12},
                "labelLayout": {"hideOverlap": True},
                "emphasis": {"focus": "adjacency", "label": {"show": True}},
                "edgeSymbolSize": 7,
                "scaleLimit": {"min": 0.3, "max": 6},
                "data": [
                    _node(cmap, c, positions[c], cats, biggest, selected, c in labelled)
                    for c in nodes
                ],
                "links": [_link(r) for r in edges],
            }
        ],
    }


def legend_html(types: Iterable[RelationType]) -> str:
    """A key for the edge styles shown (constant text only, no bank text)."""
    dash = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┅┅┅"}
    items = []
    for t in types:
        color, line, arrow = _EDGE_STYLE[t]
        mark = dash[line] + ("▶" if arrow else "")
        items.append(f'<span style="color:{color}">{mark}</span> {RELATION_LABELS[t]}')
    return '<div class="zt-meta">' + "　".join(items) + "</div>"


def clicked(selection: object, nodes: list[str], cmap: ConceptMap) -> str | None:
    """The concept id of a node click in the component's selection, else None (edges, blanks)."""
    points = (selection or {}).get("points") if isinstance(selection, dict) else None
    if not points:
        return None
    point = points[0]
    index, name = point.get("point_index"), point.get("name")
    if not isinstance(index, int) or not 0 <= index < len(nodes) or name is None:
        return None
    cid = nodes[index]
    return cid if chart_text(cmap.concepts[cid].name) == name else None
