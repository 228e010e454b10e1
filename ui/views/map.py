"""概念图谱: the interactive concept map and the panel of the selected concept.

The focus box is bound to ?c=, so a clicked node, a searched concept and a shared link are the
same thing. Without a focus the map shows the most asked concepts; with one, its neighbourhood.
"""

from __future__ import annotations

import streamlit as st

from zhitu.graph.model import CONCEPT_RELATIONS, Concept, Origin, Relation, RelationType
from zhitu.ui import chart, conceptmap, state
from zhitu.ui.conceptmap import ConceptMap
from zhitu.ui.render import esc, md

CHART_KEY = "concept_map_chart"
_NODES_KEY = "_concept_map_nodes"
_ORIGINS = {
    Origin.LEXICON: "词表",
    Origin.PATTERN: "句式",
    Origin.COOCCURRENCE: "共现",
    Origin.INFERRED: "推断",
    Origin.USER: "用户",
}
# relation type -> (heading when the concept is the source, heading when it is the target)
_GROUPS: dict[RelationType, tuple[str, str]] = {
    RelationType.PREREQUISITE_OF: ("学完可以学", "需要先学"),
    RelationType.IS_A: ("属于（上位概念）", "包括（下位概念）"),
    RelationType.PART_OF: ("是……的组成部分", "组成部分"),
    RelationType.ADDRESSES: ("可以解决", "被……解决"),
    RelationType.CONTRASTS_WITH: ("常被比较", "常被比较"),
    RelationType.RELATED_TO: ("经常一起出现", "经常一起出现"),
}


def _on_click() -> None:
    """A node click focuses that concept (edge clicks and blank clicks do nothing)."""
    result = st.session_state.get(CHART_KEY) or {}
    selection = result.get("selection") if hasattr(result, "get") else None
    cid = chart.clicked(selection, st.session_state.get(_NODES_KEY, []), state.concept_map())
    if cid:
        st.query_params["c"] = cid


def _controls(cmap: ConceptMap) -> tuple[str | None, list[RelationType], float, int]:
    """(focus, edge types, least confidence, overview size or neighbourhood depth)"""
    ids = [c.id for c in state.concepts() if c.id in cmap.concepts]
    cols = st.columns([3, 4, 2, 2], vertical_alignment="bottom")
    center = state.concept_select(cols[0], "聚焦概念", ids, cmap.concepts, "map_focus", "搜索概念…")
    types = cols[1].pills(
        "关系类型",
        list(CONCEPT_RELATIONS),
        selection_mode="multi",
        key="map_types",
        default=list(conceptmap.DEFAULT_TYPES),
        format_func=chart.RELATION_LABELS.get,
    )
    floor = cols[2].slider(
        "最低置信度",
        0.0,
        1.0,
        0.5,
        0.05,
        key="map_conf",
        help="隐藏置信度更低的关系；学习路径只用置信度 ≥ 0.5 的先修关系",
    )
    if center is None:
        most = min(len(cmap.concepts), conceptmap.MAX_NODES)
        size = (
            most
            if most <= 10
            else cols[3].slider(
                "显示概念数", 10, most, min(conceptmap.OVERVIEW_NODES, most), key="map_size"
            )
        )
    else:
        size = cols[3].slider("邻域深度", 1, 3, 1, key="map_depth")
    return center, types or [], floor, size


def _chart(
    cmap: ConceptMap,
    center: str | None,
    types: list[RelationType],
    floor: float,
    size: int,
) -> None:
    """size: how many concepts (overview) or how many hops (neighbourhood)."""
    from streamlit_echarts import st_echarts  # registers its component: only inside a running app

    nodes, edges = conceptmap.select(
        cmap,
        center=center,
        types=types,
        min_confidence=floor,
        **({"limit": size} if center is None else {"depth": size}),
    )
    if center is None and len(cmap.concepts) > len(nodes):
        st.caption(
            f"图谱共有 {len(cmap.concepts)} 个概念，这里显示被问得最多的 {len(nodes)} 个；"
            "聚焦一个概念可查看它的邻域。"
        )
    elif center is not None:
        st.caption(
            f"「{md(cmap.concepts[center].name)}」{size} 步以内的 {len(nodes)} 个概念。"
            "点击节点切换焦点，滚轮缩放，拖动平移。"
        )
    st.session_state[_NODES_KEY] = nodes
    positions = conceptmap.layout_for(cmap, nodes, center)
    opts = chart.options(cmap, nodes, edges, positions, selected=center)
    st_echarts(opts, height="640px", key=CHART_KEY, on_select=_on_click, selection_mode="points")
    st.html(chart.legend_html(types))
    st.caption("节点大小＝提到它的题目数，颜色＝类别（点击图例可隐藏一个类别）。")


def _evidence(r: Relation, titles: dict[str, str]) -> None:
    conf = f"来源：{_ORIGINS.get(r.source, r.source)} · 置信度 {r.confidence:.2f}"
    if r.weight is not None:
        conf += f" · NPMI {r.weight:.2f}"
    st.caption(conf)
    for ev in r.evidence[:3]:
        st.html(f'<div class="zt-evidence">“{esc(ev.sentence)}”</div>')
        if ev.question_id in titles:
            state.link_question(ev.question_id, titles[ev.question_id], prefix="出自：")


def _relations(c: Concept, cmap: ConceptMap) -> None:
    rels = state.guarded(lambda: state.store().relations(c.id))
    titles = {q.id: q.title for q in state.questions()}
    groups: dict[str, list[tuple[Concept, Relation]]] = {}
    for r in rels:
        outgoing = r.src == c.id
        other = cmap.concepts.get(r.dst if outgoing else r.src)
        if other is not None:
            heading = _GROUPS[r.type][0 if outgoing else 1]
            groups.setdefault(heading, []).append((other, r))
    if not groups:
        st.caption("还没有和其他概念的关系。")
    for heading, items in groups.items():
        with st.expander(f"{heading}（{len(items)}）"):
            for other, r in sorted(items, key=lambda p: -p[1].confidence):
                state.link_concept(other)
                _evidence(r, titles)


def _panel(cid: str, cmap: ConceptMap) -> None:
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
    st.markdown("**需要先学**")
    state.concept_chips(
        cmap.linked(cid, RelationType.PREREQUISITE_OF, incoming=True),
        "pre",
        "没有先修概念，可以直接学。",
    )
    st.markdown("**学完可以学**")
    state.concept_chips(
        cmap.linked(cid, RelationType.PREREQUISITE_OF, incoming=False), "next", "暂时没有后续概念。"
    )
    st.markdown("**全部关系**")
    _relations(c, cmap)
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
    center, types, floor, size = _controls(cmap)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _chart(cmap, center, types, floor, size)
    with right:
        if center is None:
            st.subheader("从哪里开始？", anchor=False)
            st.caption("点击图中的节点，或在左上角搜索一个概念，查看它的先修、后续和相关题目。")
            st.markdown("**被问得最多的概念**")
            state.concept_chips([cmap.concepts[c] for c in cmap.ranked()[:16]], "top")
        else:
            _panel(center, cmap)


if __name__ == "__main__":
    render()
