"""概念整理: the concepts ingest discovered, with their evidence, and the learner's decisions.

A learner accepts, rejects, renames, merges as an alias of an existing concept, or sets the
category and prerequisites of a discovered concept (or adds a term of their own). Every decision
goes through ingest.curate.decide to the overlay file, the same file `zhitu curate` writes, and
the graph is rebuilt with merge.rebuild_into, as the CLI does, so later ingests keep it.
Changing the graph needs permission (ui/access.py); without it the page only lists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

from zhitu.graph.errors import ZhituError
from zhitu.graph.model import Concept
from zhitu.ingest import curate
from zhitu.ingest.lexicon import CATEGORIES
from zhitu.ui import access, state
from zhitu.ui.render import esc, md

_DONE = "_curate_done"
SHOWN_QUESTIONS = 5


@st.cache_resource
def _lock() -> threading.Lock:
    """One curation at a time per server: a decision rewrites the overlay and the graph."""
    return threading.Lock()


def _category(cid: str) -> str:
    return CATEGORIES.get(cid, cid or "—")


def _table(found: list[Concept], counts: dict[str, int]) -> None:
    st.dataframe(
        [{"概念": c.name, "题目数": counts.get(c.id, 0),
          "置信度": round(c.confidence or 0.0, 2), "类别": _category(c.category),
          "证据": c.summary} for c in found],
        hide_index=True,
        column_config={"证据": st.column_config.TextColumn(width="large")},
    )


def _decide(change: Callable[[dict[str, Any]], str]) -> None:
    """Record one decision in the overlay, rebuild the graph, report it on the next run."""
    if not access.allowed():  # checked again at the moment of writing
        access.refuse("整理概念")
        return
    from zhitu.ui.merge import rebuild_into  # the pipeline loads on first use

    try:
        path = curate.require_overlay()
        with _lock(), st.spinner("正在写入用户词表并重建图谱…"):
            message = curate.decide(path, change)
            rebuild_into(state.store(), f"{path}: {message}", via="ui", who=access.who(),
                         session=access.session_label())
    except ZhituError as e:
        st.error(md(str(e)))
        return
    state.reload()
    st.session_state[_DONE] = f"{message}（已写入 {path}）"
    st.rerun()


def _evidence(c: Concept) -> None:
    if c.summary:
        st.html(f'<div class="zt-evidence">{esc(c.summary)}</div>')
    shown = state.guarded(lambda: state.store().concept_questions(c.id))[:SHOWN_QUESTIONS]
    for q in shown:
        state.link_question(q.id, q.title, prefix="· ")


def _controls(c: Concept, others: dict[str, Concept]) -> None:
    ids = sorted(others, key=lambda i: others[i].name)
    cats = list(CATEGORIES)
    with st.form(f"curate-accept-{c.id}", border=True):
        cols = st.columns(2)
        name = cols[0].text_input("名字（可改名）", value=c.name, max_chars=60)
        category = cols[1].selectbox(
            "类别", cats, index=cats.index(c.category) if c.category in cats else 0,
            format_func=_category)
        prereqs = st.multiselect("先修概念", ids, format_func=lambda i: others[i].name,
                                 placeholder="学它之前要先懂的概念")
        if st.form_submit_button("接受", type="primary", icon=":material/check:"):
            fields = {"name": name.strip() or c.name, "category": category,
                      "prerequisites": prereqs or None}
            _decide(lambda doc: (curate.accept(doc, c, **fields), f"已接受 {fields['name']}")[1])
    cols = st.columns([3, 1, 1])
    target = cols[0].selectbox("合并为已有概念的别名", ids, index=None,
                               format_func=lambda i: others[i].name,
                               placeholder="选一个已有概念", key=f"curate-alias-{c.id}")
    cols[1].write("")  # aligns the buttons with the select box
    if cols[1].button("合并", icon=":material/merge:", disabled=target is None,
                      key=f"curate-merge-{c.id}"):
        goal = others[str(target)]
        _decide(lambda doc: (curate.alias(doc, c.name, goal.id, c.id),
                             f"{c.name} 已合并为 {goal.name} 的别名")[1])
    cols[2].write("")
    if cols[2].button("拒绝", icon=":material/block:", key=f"curate-reject-{c.id}"):
        _decide(lambda doc: (curate.reject(doc, c.name, c.id), f"已拒绝 {c.name}")[1])


def _add_own(others: dict[str, Concept]) -> None:
    """A term the learner saw (in `zhitu candidates` or a question) becomes a concept."""
    with st.expander("添加自己的概念", icon=":material/add:"):
        with st.form("curate-own"):
            cols = st.columns(2)
            name = cols[0].text_input("名字", max_chars=60)
            category = cols[1].selectbox("类别", list(CATEGORIES), format_func=_category)
            if st.form_submit_button("添加") and name.strip():
                cid = curate.slug(name.strip())
                if cid in others:
                    st.warning(f"已经有这个概念：{md(others[cid].name)}。")
                    return
                own = Concept(cid, name.strip(), name.strip(), category=category, source="user")
                _decide(lambda doc: (curate.accept(doc, own), f"已添加 {own.name}")[1])


def render() -> None:
    st.subheader("概念整理", anchor=False)
    st.caption("导入时从题目里自动发现的术语（词表里没有的）。接受、拒绝、改名、合并为别名、"
               "设置类别和先修：决定写进你的用户词表，以后每次导入都会保留，"
               "和命令行 `zhitu curate` 是同一个文件。")
    if st.session_state.get(_DONE):
        st.success(md(st.session_state.pop(_DONE)))
    store = state.store()
    every = state.concepts()
    counts = state.guarded(store.concept_question_counts)
    found = sorted((c for c in every if c.source == "discovered"),
                   key=lambda c: (-(c.confidence or 0.0), c.name))
    others = {c.id: c for c in every if c.source != "discovered"}
    can_write = access.gate("整理概念")
    if not found:
        st.info("图谱里没有自动发现的概念：都已经整理过，或者题库里没有词表以外的术语。")
    else:
        st.caption(f"共 {len(found)} 个自动发现的概念，按置信度排列。")
        _table(found, counts)
        chosen = st.selectbox("选一个概念", [c.id for c in found], index=0,
                              format_func=lambda i: next(c.name for c in found if c.id == i),
                              key="curate-pick")
        c = next(x for x in found if x.id == chosen)
        st.markdown(f"**{md(c.name)}** · {_category(c.category)} · "
                    f"{counts.get(c.id, 0)} 个题目 · 置信度 {c.confidence or 0:.2f}")
        _evidence(c)
        if can_write:
            _controls(c, others)
    if can_write:
        _add_own(others)


if __name__ == "__main__":
    render()
