"""概念图谱: the interactive concept map and the panel beside it.

Links: ?c= the focus concept (a clicked node, a searched concept and a shared link are the same
thing), ?to= the end of a route from the focus ("从 A 到 B"), ?e= a clicked edge (its evidence in
plain words). Without a focus the map shows the most asked concepts; with one, its
neighbourhood. A view draws at most conceptmap.MAX_NODES concepts, every one labelled; "显示更多"
grows it. On a narrow screen the chart gives way to a list of the same concepts.
"""

from __future__ import annotations

import streamlit as st

from zhitu.graph import progress as prog
from zhitu.graph.model import CONCEPT_RELATIONS, Concept, Relation, RelationType
from zhitu.ui import chart, conceptmap, learner, marks, state
from zhitu.ui.conceptmap import ConceptMap, weak
from zhitu.ui.render import esc, md

CHART_KEY = "concept_map_chart"
# bumped on every click and when an edge is closed: a fresh chart, no old selection (the chart
# keeps a selection across reruns by index, and the next view's nodes are others)
_ROUND_KEY = "_concept_map_round"
_SHOWN_KEY = "_concept_map_shown"  # (nodes, edges) of the chart last drawn: read by clicks
# relation type -> (heading when the concept is the source, heading when it is the target)
_GROUPS: dict[RelationType, tuple[str, str]] = {
    RelationType.PREREQUISITE_OF: ("学完可以学", "需要先学"),
    RelationType.IS_A: ("属于（上位概念）", "包括（下位概念）"),
    RelationType.PART_OF: ("是……的组成部分", "组成部分"),
    RelationType.ADDRESSES: ("可以解决", "被……解决"),
    RelationType.CONTRASTS_WITH: ("常被比较", "常被比较"),
    RelationType.RELATED_TO: ("经常一起出现", "经常一起出现"),
}
# narrow screens: the chart and its legend give way to the list view
_CSS = """<style>
.st-key-zt-map-phone { display: none; }
.st-key-map_types [role="toolbar"] { flex-wrap: wrap; }
@media (max-width: 640px) {
  .st-key-zt-map-chart { display: none; }
  .st-key-zt-map-phone { display: block; }
}
</style>"""


def _on_click() -> None:
    """A node click focuses that concept; an edge click explains that edge."""
    event = st.session_state.get(_chart_key())
    st.session_state[_ROUND_KEY] = st.session_state.get(_ROUND_KEY, 0) + 1
    nodes, edges = st.session_state.get(_SHOWN_KEY, ([], []))
    cid = chart.clicked(event, nodes)
    if cid:
        st.query_params["c"] = cid
        st.query_params.pop("e", None)
        return
    edge = chart.clicked_edge(event, edges)
    if edge is not None:
        st.query_params["e"] = conceptmap.edge_key(edge)


def _chart_key() -> str:
    return f"{CHART_KEY}-{st.session_state.get(_ROUND_KEY, 0)}"


def _grow(key: str) -> None:
    st.session_state[key] = min(
        st.session_state.get(key, conceptmap.OVERVIEW_NODES) + conceptmap.MORE_NODES,
        conceptmap.MAX_NODES,
    )


def _controls(cmap: ConceptMap) -> tuple[str | None, str | None, float, int]:
    """(focus, route end, least confidence, neighbourhood depth)"""
    ids = [c.id for c in state.concepts() if c.id in cmap.concepts]
    cols = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    center = state.concept_select(cols[0], "聚焦概念", ids, cmap.concepts, "map_focus", "搜索概念…")
    end = None
    if center is not None:
        state.url_to_widget("map_to", "to", set(ids) - {center})
        end = cols[1].selectbox(
            "到（找一条路线）",
            [c for c in ids if c != center],
            index=None,
            key="map_to",
            placeholder="选一个概念…",
            format_func=lambda cid: state.concept_label(cmap.concepts[cid]),
            on_change=state.widget_to_url,
            args=("map_to", "to"),
        )
    floor = cols[2].slider(
        "最低置信度",
        0.0,
        1.0,
        0.5,
        0.05,
        key="map_conf",
        help="隐藏把握更小的关系（图和右侧列表一样）；学习路径只用置信度 ≥ 0.5 的先修关系",
    )
    depth = cols[3].slider("邻域深度", 1, 3, 1, key="map_depth") if center is not None else 1
    return center, end, floor, depth


def _types() -> list[RelationType]:
    picked = st.pills(
        "关系类型",
        list(CONCEPT_RELATIONS),
        selection_mode="multi",
        key="map_types",
        default=list(conceptmap.DEFAULT_TYPES),
        format_func=chart.RELATION_LABELS.get,
        label_visibility="collapsed",
    )
    return picked or []


def _chart(
    cmap: ConceptMap,
    center: str | None,
    types: list[RelationType],
    floor: float,
    depth: int,
    steps: list[Relation] | None,
) -> tuple[list[str], list[Relation]]:
    """Draw the view; returns what it drew."""
    line = conceptmap.route_nodes(center, steps) if center and steps else None
    more = f"map_n:{center}:{depth}:{line}"
    limit = st.session_state.get(more, conceptmap.OVERVIEW_NODES)
    view = {"center": center, "depth": depth, "types": types, "min_confidence": floor}
    nodes, edges = conceptmap.select(cmap, **view, limit=limit, route=line)
    total = conceptmap.uncapped(cmap, **view, route=line)
    st.session_state[_SHOWN_KEY] = (nodes, edges)
    if center is None:
        note = f"图谱共有 {total} 个概念，这里{{}}被问得最多的 {len(nodes)} 个。"
    else:
        note = f"{{}}了 {len(nodes)} / {total} 个概念（近的、关系强的在前）。"
    with st.container(key="zt-map-chart"):
        cats = dict.fromkeys(cmap.concepts[c].category for c in nodes)
        shown_types = [t for t in CONCEPT_RELATIONS if t in types]
        legend = chart.legend_html(
            shown_types, sorted(cats, key=chart.category_label), dashed=any(map(weak, edges))
        )
        st.html(legend)
        mine = marks.concept_states(learner.progress(), prog.now(), cmap.by_question,
                                    marks.prerequisites(cmap.relations))
        if mine:
            st.html(marks.legend_html(sorted({mine[c] for c in nodes if c in mine})))
        positions = conceptmap.layout_for(cmap, nodes, center, line)
        opts = chart.options(cmap, nodes, edges, positions, selected=center, route=steps,
                             states=mine)
        st.echarts_chart(opts, height=conceptmap.CHART_SIZE[1], key=_chart_key(),
                         on_select=_on_click, alt=note.format("画出"))  # fmt: skip
        st.caption(
            note.format("画出")
            + "点击节点换焦点，点击连线看两个概念为什么相连；滚轮缩放，拖动平移。"
        )
    with st.container(key="zt-map-phone"):
        st.caption(note.format("列出") + "窄屏上不画图，在电脑上打开可以看图。")
        _list_view(cmap, nodes, center, line)
    if len(nodes) < min(total, conceptmap.MAX_NODES):
        st.button("显示更多", key=f"more-{more}", on_click=_grow, args=(more,),
                  icon=":material/add:")  # fmt: skip
    elif total > len(nodes):
        st.caption(
            f"一张图最多画 {conceptmap.MAX_NODES} 个概念，免得挤成一团：想看更远的，"
            "点击边上的概念换焦点，或少选几种关系。"
        )
    return nodes, edges


def _list_view(cmap: ConceptMap, nodes: list[str], center: str | None, line: list[str] | None):
    """The chart's concepts as chips, nearest first (what a phone shows instead)."""
    rest = [cmap.concepts[c] for c in nodes if c != center and c not in (line or ())]
    if line:
        state.concept_chips([cmap.concepts[c] for c in line], "phone-route")
    state.concept_chips(rest, "phone", "没有相连的概念。", shown=20)


def _why(cmap: ConceptMap, r: Relation, titles: dict[str, str], evidence: int = 3) -> None:
    """Where a relation comes from and how sure it is, with its evidence sentences."""
    why = conceptmap.explain(cmap, r)
    st.html(f'<div class="zt-meta">来源：{esc(why.source)} · {esc(why.sure)}</div>')
    for ev in r.evidence[:evidence]:
        st.html(f'<div class="zt-evidence">“{esc(ev.sentence)}”</div>')
        if ev.question_id in titles:
            state.link_question(ev.question_id, titles[ev.question_id], prefix="出自：")


def _edge_panel(cmap: ConceptMap, r: Relation) -> None:
    titles = {q.id: q.title for q in state.questions()}
    head = st.columns([4, 1], vertical_alignment="center")
    head[0].markdown(f"**为什么相连：{md(conceptmap.explain(cmap, r).says)}**")
    if head[1].button("关闭", key="close-edge"):
        st.query_params.pop("e", None)
        st.session_state[_ROUND_KEY] = st.session_state.get(_ROUND_KEY, 0) + 1
        st.rerun()
    _why(cmap, r, titles)
    both = sorted(cmap.asked.get(r.src, set()) & cmap.asked.get(r.dst, set()))
    if not r.evidence and both:
        st.html('<div class="zt-meta">两个概念都出现在这些题里：</div>')
        for qid in both[:3]:
            state.link_question(qid, titles.get(qid, qid), icon=":material/help:")
    state.concept_chips([cmap.concepts[r.src], cmap.concepts[r.dst]], "edge-ends")
    st.divider()


def _route_panel(cmap: ConceptMap, start: str, end: str, steps: list[Relation] | None) -> None:
    a, b = md(cmap.concepts[start].name), md(cmap.concepts[end].name)
    if steps is None:
        st.warning(
            f"在当前勾选的关系类型和置信度下，从「{a}」走不到「{b}」："
            "试试勾选「相关」，或调低最低置信度。"
        )
        return
    st.markdown(f"**从「{a}」到「{b}」：{len(steps)} 步**（图中加粗）")
    for i, r in enumerate(steps, 1):
        why = conceptmap.explain(cmap, r)
        st.markdown(f"{i}\\. {md(why.says)}")
        st.html(f'<div class="zt-snippet">{esc(why.source)}</div>')
    st.divider()


def _relations(c: Concept, cmap: ConceptMap, floor: float) -> None:
    rels = [r for r in cmap.relations if c.id in (r.src, r.dst) and r.src != r.dst]
    shown = [r for r in rels if r.confidence >= floor]
    titles = {q.id: q.title for q in state.questions()}
    groups: dict[str, list[tuple[Concept, Relation]]] = {}
    for r in sorted(shown, key=lambda r: -r.confidence):
        outgoing = r.src == c.id
        other = cmap.concepts.get(r.dst if outgoing else r.src)
        if other is not None:
            heading = _GROUPS[r.type][0 if outgoing else 1]
            groups.setdefault(heading, []).append((other, r))
    if not groups:
        st.caption("在这个置信度下，还没有和其他概念的关系。")
    for heading, items in groups.items():
        with st.expander(f"{heading}（{len(items)}）"):
            for other, r in items:
                state.link_concept(other)
                _why(cmap, r, titles, evidence=2)
    if len(rels) > len(shown):
        hidden = len(rels) - len(shown)
        st.caption(f"另有 {hidden} 条把握更小的关系没有列出（调低最低置信度可见）。")


def _panel(cid: str, cmap: ConceptMap, floor: float) -> None:
    c = cmap.concepts[cid]
    st.subheader(md(c.name), anchor=False)
    meta = [chart.category_label(c.category), f"{cmap.counts.get(cid, 0)} 道题"]
    if c.zh and c.zh != c.name:
        meta.insert(0, c.zh)
    if c.minutes:
        meta.append(f"约 {c.minutes} 分钟")
    st.html(f'<div class="zt-meta">{esc(" · ".join(meta))}</div>')
    if c.aliases:
        st.html(f'<div class="zt-meta">别名：{esc("、".join(c.aliases))}</div>')
    if c.summary:
        st.html(f"<p>{esc(c.summary)}</p>")
    pre = RelationType.PREREQUISITE_OF
    st.markdown("**需要先学**")
    state.concept_chips(
        cmap.linked(cid, pre, incoming=True, floor=floor), "pre", "没有先修概念，可以直接学。"
    )
    st.markdown("**学完可以学**")
    state.concept_chips(
        cmap.linked(cid, pre, incoming=False, floor=floor), "next", "暂时没有后续概念。"
    )
    st.markdown("**全部关系**")
    _relations(c, cmap, floor)
    qs = state.guarded(lambda: state.store().concept_questions(cid))
    st.markdown(f"**提到它的题目（{len(qs)}）**")
    for q in qs[:12]:
        state.link_question(q.id, q.title, icon=":material/help:")
    if len(qs) > 12:
        st.page_link(
            state.PAGES["questions"][0],
            label=f"在题库中查看全部 {len(qs)} 道",
            query_params={"c": cid},
        )
    st.page_link(
        state.PAGES["path"][0],
        label="以它为目标生成学习路径",
        query_params={"t": f"c:{cid}"},
        icon=":material/route:",
    )


def render() -> None:
    cmap = state.concept_map()
    if not cmap.concepts:
        st.info("图谱还是空的：先在「导入」页上传题库，或运行 `zhitu ingest 题库文件`。")
        st.page_link(state.PAGES["import"][0], label="去导入题库", icon=":material/upload_file:")
        return
    st.html(_CSS)
    center, end, floor, depth = _controls(cmap)
    left, right = st.columns([2, 1], gap="large")  # the chart gets CHART_SIZE's width
    with left:
        types = _types()
        steps = conceptmap.route(cmap, center, end, types, floor) if center and end else None
        nodes, edges = _chart(cmap, center, types, floor, depth, steps)
    with right:
        edge = cmap.find(state.param("e") or "")
        if edge is not None and edge.src in nodes and edge.dst in nodes:
            _edge_panel(cmap, edge)
        if center and end:
            _route_panel(cmap, center, end, steps)
        if center is None:
            st.subheader("从哪里开始？", anchor=False)
            st.caption("点击图中的节点，或在左上角搜索一个概念，查看它的先修、后续和相关题目。")
            st.markdown("**被问得最多的概念**")
            state.concept_chips([cmap.concepts[c] for c in cmap.ranked()[:16]], "top")
        else:
            _panel(center, cmap, floor)


if __name__ == "__main__":
    render()
