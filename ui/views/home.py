"""首页: what 知图 does in one line, its three jobs (a study path, a search, the map) and what
the loaded bank holds. The map's controls live on their own page, not on the first screen."""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from zhitu.graph.model import RelationType
from zhitu.ui import state
from zhitu.ui.conceptmap import ConceptMap

_GO = "_home_go"  # (page, query params) chosen by a widget callback, followed on the next run
TARGETS = 6
CORE = 8
TARGET_DEPTH = 12  # prerequisites (transitively) a suggested target builds on
CORE_DEPTH = 3
EXAMPLES = ("梯度消失", "LSTM 门", "过拟合 正则化")


def _go(page: str, key: str, param: str, prefix: str = "") -> None:
    """on_change: remember where to go and clear the widget (so coming back does not bounce)."""
    value = st.session_state.get(key)
    if value:
        st.session_state[_GO] = (page, {param: prefix + value})
    st.session_state[key] = None if key == "home_target" else ""


def _depths(cmap: ConceptMap) -> dict[str, int]:
    """How many concepts each concept builds on (its prerequisites, transitively)."""
    before: dict[str, set[str]] = {}
    for r in cmap.relations:
        if r.type is RelationType.PREREQUISITE_OF and r.confidence >= 0.5:
            before.setdefault(r.dst, set()).add(r.src)
    found: dict[str, int] = {}
    for cid in before:
        seen: set[str] = set()
        todo = [cid]
        while todo:
            for p in before.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        found[cid] = len(seen - {cid})
    return found


def _picks(cmap: ConceptMap) -> tuple[list[str], list[str]]:
    """(good targets: much asked and built on many others; core concepts to browse: much asked
    and built on a few), so the first screen does not offer generic words like 概率 or 方差."""
    depth = _depths(cmap)
    ranked = cmap.ranked()
    targets = [c for c in ranked if depth.get(c, 0) >= TARGET_DEPTH][:TARGETS]
    core = [c for c in ranked if depth.get(c, 0) >= CORE_DEPTH and c not in targets][:CORE]
    return targets or ranked[:TARGETS], core or ranked[:CORE]


def _summary(cmap: ConceptMap) -> str:
    qs = state.questions()
    files = {PurePath(s.rpartition(":")[0]).name for q in qs for s in q.sources}
    links = sum(1 for r in cmap.relations if r.confidence >= 0.5)
    return (f"当前题库：{len(qs)} 道题 · {len(cmap.concepts)} 个概念 · {links} 条概念关系"
            f" · 来自 {len(files)} 个文件")


def render() -> None:
    if pending := st.session_state.pop(_GO, None):
        st.switch_page(state.PAGES[pending[0]][0], query_params=pending[1])
    st.title("知图 · 深度学习面试知识图谱", anchor=False)
    st.markdown("把面试题库整理成知识图谱：按先修关系排好学习顺序，每个概念配上练习题。")
    cmap = state.concept_map()
    if not cmap.concepts:
        st.info("图谱还是空的：先在「导入」页上传题库，或运行 `zhitu ingest 题库文件`。")
        st.page_link(state.PAGES["import"][0], label="去导入题库", icon=":material/upload_file:")
        return
    st.caption(_summary(cmap))
    targets, core = _picks(cmap)
    path, search, browse = st.columns(3, gap="medium")
    with path.container(border=True):
        st.markdown("##### :material/route: 选一个目标 → 学习路径")
        shortest = sorted(cmap.concepts.values(), key=lambda c: (len(c.name), c.name.casefold()))
        st.selectbox(  # "contains", shortest names first: typing LSTM + Enter picks LSTM
            "想掌握的概念", [c.id for c in shortest], index=None, key="home_target",
            placeholder="例如 LSTM、Transformer",
            format_func=lambda cid: state.concept_label(cmap.concepts[cid]),
            filter_mode="contains", on_change=_go, args=("path", "home_target", "t", "c:"),
        )
        st.caption("常见目标")
        with st.container(horizontal=True, gap="small", key="chips-home-targets"):
            for cid in targets:
                st.page_link(state.PAGES["path"][0], label=cmap.concepts[cid].name,
                             query_params={"t": f"c:{cid}"})
    with search.container(border=True):
        st.markdown("##### :material/search: 搜题")
        st.text_input("搜索题目", key="home_search", placeholder="例如：梯度消失、LSTM 门",
                      on_change=_go, args=("questions", "home_search", "s"))
        st.caption("试试")
        with st.container(horizontal=True, gap="small", key="chips-home-search"):
            for text in EXAMPLES:
                st.page_link(state.PAGES["questions"][0], label=text, query_params={"s": text})
        st.page_link(state.PAGES["questions"][0], label="浏览全部题目", icon=":material/quiz:")
    with browse.container(border=True):
        st.markdown("##### :material/hub: 浏览知识图谱")
        st.caption("常考的核心概念：点开看它的先修、后续和相关题目")
        state.concept_chips([cmap.concepts[c] for c in core], "home-top")
        st.page_link(state.PAGES["map"][0], label="打开概念图谱", icon=":material/hub:")


if __name__ == "__main__":
    render()
