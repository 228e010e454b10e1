"""ECharts options for the concept map, its one legend, reading a click back, and the small map
of a question's concepts.

Options are pure functions over a ConceptMap view: positions come from ui.conceptmap.layout_for
(px of the chart they were made for), so the browser only paints. They are JSON only (Streamlit's
own `st.echarts_chart` takes no JavaScript); every string put into them goes through
render.chart_text (no template braces) and tooltips render as canvas rich text, never HTML.
A click comes back as the index of the one node or edge selected (`clicked`, `clicked_edge`).
`local_map` is the one function here that draws (Streamlit): the question page calls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zhitu.graph.model import Concept, Relation, RelationType
from zhitu.ingest.lexicon import CATEGORIES
from zhitu.ui import conceptmap, marks
from zhitu.ui.conceptmap import ConceptMap, edge_key, node_size, weak
from zhitu.ui.render import chart_text, esc

RELATION_LABELS: dict[RelationType, str] = {
    RelationType.PREREQUISITE_OF: "先修",
    RelationType.IS_A: "属于",
    RelationType.PART_OF: "组成部分",
    RelationType.ADDRESSES: "解决",
    RelationType.CONTRASTS_WITH: "对比",
    RelationType.RELATED_TO: "相关",
}
# Okabe-Ito colours (told apart with the common colour-blindnesses), with an arrow or not;
# a relation found only in the bank, or below the strong floor, is drawn dashed
EDGE_STYLE: dict[RelationType, tuple[str, bool]] = {
    RelationType.PREREQUISITE_OF: ("#D55E00", True),  # vermillion
    RelationType.IS_A: ("#0072B2", True),  # blue
    RelationType.PART_OF: ("#009E73", True),  # bluish green
    RelationType.ADDRESSES: ("#CC79A7", True),  # reddish purple
    RelationType.CONTRASTS_WITH: ("#E69F00", False),  # orange
    RelationType.RELATED_TO: ("#7F7F7F", False),  # grey
}
DASH = [6, 4]
_PALETTE = (  # one per lexicon category, in its order (Tableau 20 hues, told apart side by side)
    "#4E79A7",  # math
    "#F28E2B",  # ml
    "#59A14F",  # nn
    "#E15759",  # activation
    "#76B7B2",  # loss
    "#B07AA1",  # optimization
    "#EDC948",  # regularization
    "#9C755F",  # normalization
    "#FF9DA7",  # cnn
    "#499894",  # architecture
    "#6A3D9A",  # rnn
    "#B6992D",  # attention
    "#A0CBE8",  # training
    "#FFBE7D",  # cv
    "#8CD17D",  # nlp
    "#D37295",  # generative
    "#BAB0AC",  # compression
)
BOX = conceptmap.BOX  # px around the node centres inside the chart
FADED = 0.25  # opacity of what is not on a shown route
LOCAL_SIZE = (340, 250)  # the question page's small map (px): fits a phone too


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


def relation_value(r: Relation) -> str:
    """What an edge's tooltip and hover label say: '先修' or '相关 · 推测'."""
    return RELATION_LABELS[r.type] + (" · 推测" if weak(r) else "")


def _node(
    cmap: ConceptMap,
    cid: str,
    xy: tuple[float, float],
    biggest: int,
    selected: str | None,
    faded: bool,
) -> dict[str, object]:
    c = cmap.concepts[cid]
    asked = cmap.counts.get(cid, 0)
    zh = f" · {c.zh}" if c.zh and c.zh != c.name else ""
    tip = f"{c.name}{zh}\n{category_label(c.category)} · {asked} 道题"
    node: dict[str, object] = {
        "id": cid,
        "name": chart_text(c.name),
        "x": xy[0],
        "y": xy[1],
        "symbolSize": node_size(asked, biggest) + (8 if cid == selected else 0),
        "value": asked,
        "itemStyle": {"color": category_color(c.category), "opacity": FADED if faded else 1},
        "label": {"show": True, **({"opacity": 0.45} if faded else {})},
        "tooltip": {"formatter": chart_text(tip)},
    }
    if cid == selected:
        node["itemStyle"] = {**node["itemStyle"], "borderColor": "#212529", "borderWidth": 3}
        node["label"] = {"show": True, "fontWeight": "bold", "fontSize": 13}
    return node


def _link(r: Relation, on_route: bool | None, focus: str | None) -> dict[str, object]:
    """on_route: None without a route, else whether the edge is one of its steps; edges of
    the focus stand out, the others stay in the background."""
    color, arrow = EDGE_STYLE[r.type]
    width = 1.2 + 1.3 * r.confidence
    opacity = 0.5 + 0.4 * r.confidence
    if focus is not None and focus not in (r.src, r.dst):
        width, opacity = width * 0.7, opacity * 0.6
    if on_route:
        width, opacity = 5.0, 1.0
    elif on_route is False:
        opacity = FADED
    return {
        "source": r.src,
        "target": r.dst,
        "name": chart_text(edge_key(r)),  # unique: ECharts keys a selection by name
        "value": relation_value(r),
        "symbol": ["none", "arrow"] if arrow else ["none", "none"],
        "lineStyle": {
            "color": color,
            "type": DASH if weak(r) else "solid",
            "width": round(width, 2),
            "opacity": round(opacity, 2),
            "curveness": 0.08,
        },
    }


def options(
    cmap: ConceptMap,
    nodes: list[str],
    edges: list[Relation],
    positions: dict[str, tuple[float, float]],
    selected: str | None = None,
    route: list[Relation] | None = None,
    states: dict[str, str] | None = None,
) -> dict[str, object]:
    """ECharts options for a graph series: every node labelled, edges by type (see the
    legend), a route's steps bold and everything else faded; `states`: the learner's state of
    each concept (ui/marks.py), drawn as a coloured ring."""
    biggest = max((cmap.counts.get(c, 0) for c in nodes), default=0)
    steps = {edge_key(r) for r in route or ()}
    on_route = {c for r in route or () for c in (r.src, r.dst)}
    return {
        "animationDuration": 0,  # drawn at once: positions are computed, no entrance to watch
        "animationDurationUpdate": 300,
        "tooltip": {"renderMode": "richText", "confine": True},
        "series": [
            {
                "type": "graph",
                "name": "概念",
                "layout": "none",
                "roam": True,
                "selectedMode": "single",  # a click selects one node or edge: read back
                **BOX,
                "preserveAspect": True,  # ECharts 6: fit the box, keep the layout's aspect
                "label": {
                    "position": "right",
                    "fontSize": conceptmap.FONT_PX,
                    "width": conceptmap.LABEL_PX,
                    "overflow": "truncate",
                    "color": "#212529",
                    "textBorderColor": "#ffffff",  # a halo: labels stay legible over edges
                    "textBorderWidth": 3,
                },
                "labelLayout": {"hideOverlap": False},  # the layout keeps labels apart
                "emphasis": {
                    "focus": "adjacency",
                    "label": {"show": True},
                    "edgeLabel": {"show": True, "formatter": "{c}", "fontSize": 11},
                    "lineStyle": {"width": 4},
                },
                "edgeSymbolSize": 8,
                "scaleLimit": {"min": 0.3, "max": 6},
                "data": [
                    marks.decorate(
                        _node(cmap, c, positions[c], biggest, selected,
                              faded=bool(route) and c not in on_route),
                        (states or {}).get(c),
                    )
                    for c in nodes
                ],
                "links": [
                    _link(r, (edge_key(r) in steps) if route else None, selected) for r in edges
                ],
            }
        ],
    }


def legend_html(
    types: Iterable[RelationType], categories: Iterable[str] = (), *, dashed: bool = True
) -> str:
    """The map's one legend: edge colours, what dashes mean (when some edge is dashed), node
    colours (constant text only)."""
    items = []
    for t in types:
        color, arrow = EDGE_STYLE[t]
        line = "╍╍╍" if t is RelationType.RELATED_TO else "━━" + ("▶" if arrow else "━")
        mark = f'<span style="color:{color};font-weight:bold">{line}</span>'
        items.append(f"<span>{mark} {RELATION_LABELS[t]}</span>")
    if dashed:
        dash = '<span style="color:#7F7F7F">╍╍╍</span>'
        items.append(f"<span>{dash} 虚线＝从题库推测，不是人工整理</span>")
    cats = [
        f'<span><span style="color:{category_color(c)}">●</span> {esc(category_label(c))}</span>'
        for c in categories
    ]
    row = '<div style="display:flex;flex-wrap:wrap;gap:.2rem 1rem">{}</div>'
    return (
        '<div class="zt-meta zt-legend">'
        + row.format("".join(items))
        + (row.format("".join(cats) + "<span>· 圆越大，提到它的题越多</span>") if cats else "")
        + "</div>"
    )


def _picked(event: object, kinds: tuple[str, ...]) -> int | None:
    """The index of the one item of `kinds` selected in st.echarts_chart's event state, else
    None. Nodes come as "node" (or "main"), edges as "edge"."""
    selection = event.get("selection") if isinstance(event, Mapping) else None
    groups = selection.get("selected") if isinstance(selection, Mapping) else None
    for group in groups if isinstance(groups, list) else ():
        if not isinstance(group, Mapping) or group.get("series_index") != 0:
            continue
        indices = group.get("data_indices")
        if group.get("data_type") in kinds and isinstance(indices, list) and len(indices) == 1:
            return indices[0] if isinstance(indices[0], int) else None
    return None


def clicked(event: object, nodes: list[str]) -> str | None:
    """The concept id of a node click (`nodes`: what the chart drew, in order), else None.

    >>> clicked({"selection": {"selected": [{"series_index": 0, "data_type": "node",
    ...          "data_indices": [1]}]}}, ["rnn", "lstm"])
    'lstm'
    """
    index = _picked(event, ("node", "main"))
    return nodes[index] if index is not None and 0 <= index < len(nodes) else None


def clicked_edge(event: object, edges: list[Relation]) -> Relation | None:
    """The relation of an edge click (`edges`: what the chart drew, in order), else None."""
    index = _picked(event, ("edge",))
    return edges[index] if index is not None and 0 <= index < len(edges) else None


def local_options(cmap: ConceptMap, concept_ids: list[str]) -> dict[str, object] | None:
    """Options of a question's small map: its concepts (at most 8) and the typed relations among
    them (相关 says only that they share questions, which this one already shows); None when
    there is no such relation."""
    nodes = [c for c in dict.fromkeys(concept_ids) if c in cmap.concepts][:8]
    shown = set(nodes)
    edges = [
        r
        for r in cmap.relations
        if r.src in shown
        and r.dst in shown
        and r.src != r.dst
        and r.type is not RelationType.RELATED_TO
    ]
    if not edges:
        return None
    positions = conceptmap.layout_for(cmap, nodes, None, size=LOCAL_SIZE, ring=True)
    return options(cmap, nodes, edges, positions)


def local_map(concepts: list[Concept], key: str = "question_map") -> None:
    """The question page's small map of its concepts; a click opens that concept's map."""
    import streamlit as st

    from zhitu.ui import state

    cmap = state.concept_map()
    ids = [c.id for c in concepts]
    opts = local_options(cmap, ids)
    if opts is None:
        return
    nodes = [n["id"] for n in opts["series"][0]["data"]]  # type: ignore[index]
    pending = f"_{key}_open"

    def on_click() -> None:
        st.session_state[pending] = clicked(st.session_state.get(key), nodes)

    if st.session_state.get(pending):
        cid = st.session_state.pop(pending)
        st.switch_page(state.PAGES["map"][0], query_params={"c": cid})
    links = opts["series"][0]["links"]  # type: ignore[index]
    shown = {link["value"].split(" · ")[0] for link in links}
    types = [t for t, label in RELATION_LABELS.items() if label in shown]
    dashed = any(link["lineStyle"]["type"] == DASH for link in links)
    with st.expander("这道题的概念关系图", expanded=True):
        st.echarts_chart(opts, height=LOCAL_SIZE[1], key=key, on_select=on_click,
                         alt=f"这道题的 {len(nodes)} 个概念和它们的关系")  # fmt: skip
        st.html(legend_html(types, dashed=dashed))
        st.caption("点击一个概念，在图谱中查看它。")
