"""你已经会什么？ Placement before a study path: one concept per step (会 / 不会), the rest inferred
from the prerequisite order (graph/placement.py, stateless: the answers live in the session).

The result is saved as the learner's known concepts (merged: nothing is unset, so 重新摸底 only
adds); without a learner it can become the path page's known concepts (?k=).
"""

from __future__ import annotations

import streamlit as st

from zhitu.graph import placement
from zhitu.graph import progress as prog
from zhitu.ui import learner, state
from zhitu.ui.render import esc, md

_RUN = "_placement"  # {"targets": tuple, "answers": {concept: bool}, "saved": bool} or absent


def _closure(targets: tuple[str, ...]) -> dict[str, set[str]]:
    cache = st.session_state.setdefault("_placement_closure", {})
    if targets not in cache:
        store = state.store()
        cache.clear()  # one target set at a time
        cache[targets] = state.guarded(lambda: placement.closure(store, list(targets)))
    return cache[targets]


def _start(targets: tuple[str, ...]) -> None:
    st.session_state[_RUN] = {"targets": targets, "answers": {}, "saved": False}


def _answer(concept: str, knows: bool) -> None:
    run = st.session_state.get(_RUN)
    if run is not None:
        run["answers"][concept] = knows


def _stop() -> None:
    st.session_state.pop(_RUN, None)


def _use_as_known(known: list[str]) -> None:
    st.query_params["k"] = sorted({*st.query_params.get_all("k"), *known})
    _stop()


def placement_flow(targets: list[str], key: str = "placement") -> list[str] | None:
    """Draw the placement for the targets (concept or question refs, as `store.path` takes
    them); returns the inferred known concept ids once it is done (and saved), else None."""
    goal = tuple(targets)
    if not goal:
        return None
    run = st.session_state.get(_RUN)
    if run is not None and run["targets"] != goal:  # other targets: start over
        _stop()
        run = None
    with st.container(border=True, key=f"{key}-box"):
        if run is None:
            closure = _closure(goal)
            size = len(closure)
            st.markdown("**你已经会什么？**")
            st.caption(f"这些目标一共需要 {size} 个概念。回答几个「会不会」，知图按先修关系推断"
                       "你已经掌握的，学习路径就从你真正需要的地方开始。")
            st.button("开始摸底", key=f"{key}-start", on_click=_start, args=(goal,),
                      icon=":material/psychology_alt:", type="primary")
            return None
        return _step(run, goal, key)


def _step(run: dict, goal: tuple[str, ...], key: str) -> list[str] | None:
    closure = _closure(goal)
    found = learner.progress()
    with st.spinner("正在按先修关系整理……"):
        result = placement.place(closure, run["answers"])
    names = {c.id: c for c in state.concepts()}
    if result.ask is not None:
        c = names.get(result.ask)
        st.markdown(f"**你已经会什么？**　:gray[第 {len(run['answers']) + 1} 题]")
        st.markdown(f"你会 **{md(c.name if c else result.ask)}** 吗？"
                    + (f"　{md(c.zh)}" if c and c.zh and c.zh != c.name else ""))
        if c and c.summary:
            st.html(f'<div class="zt-meta">{esc(c.summary)}</div>')
        with st.container(horizontal=True, gap="small"):
            st.button("会", key=f"{key}-yes", on_click=_answer, args=(result.ask, True),
                      type="primary")
            st.button("不会", key=f"{key}-no", on_click=_answer, args=(result.ask, False))
            st.button("不测了", key=f"{key}-stop", on_click=_stop, type="tertiary")
        st.caption("「会」指能用自己的话讲清楚它是什么、为什么。拿不准就选「不会」。")
        return None
    if not run["saved"] and found is not None:
        saved = learner.update(lambda p: prog.set_concepts(p, "known", result.known))
        run["saved"] = saved is not None
    label = "、".join(md(names[c].name) for c in result.known if c in names)
    st.markdown(f"**摸底完成**（回答了 {len(run['answers'])} 题）")
    if result.known:
        st.markdown(f"你已经会 {len(result.known)} 个概念：{label}")
    else:
        st.markdown("从头学起：这些目标需要的概念都还要学。")
    st.caption(f"还要学 {len(result.unknown)} 个概念。")
    with st.container(horizontal=True, gap="small"):
        if found is None:
            st.caption("输入学习者名字，就能把结果存进你的学习进度。")
            if result.known:
                st.button("把它们作为已经掌握的概念", key=f"{key}-use",
                          on_click=_use_as_known, args=(result.known,), type="primary")
        elif run["saved"]:
            st.caption("已记为你已掌握的概念，学习路径会略过它们。")
        st.button("重新摸底", key=f"{key}-again", on_click=_start, args=(goal,))
    return result.known
