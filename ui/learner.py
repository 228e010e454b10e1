"""The current learner of a browser session, and their progress in the page's store.

A learner is a name typed in the UI (no password: a label, not a login; any text is inert). It
lives in the URL (?learner=), so reload and shared links keep it, and in the session, so a page
link that drops the param does not lose it: `current()` puts it back. Progress is read and
written through graph/progress.py on the store the pages share (ui/state.py).

Writes are not behind the admin-key gate (ui/access.py): progress is the learner's own data,
not the shared graph, so a read-only server still records it. A store that cannot be written
(a read-only file system) says so in one line; the page goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from zhitu.graph import progress as prog
from zhitu.graph.errors import ZhituError
from zhitu.ui import state
from zhitu.ui.render import md

PARAM = "learner"
_KEY = "_zhitu_learner"  # the session's learner (normalized name) or None
_INPUT = "learner_input"
_ERROR = "_zhitu_learner_error"


def current() -> str | None:
    """The session's learner: ?learner= when given (a shared link or reload wins), else the one
    chosen earlier in this session, written back to the URL."""
    raw = st.query_params.get(PARAM)
    if isinstance(raw, str):
        try:
            name: str | None = prog.check_name(raw)
        except prog.BadLearner as e:
            name = None
            st.session_state[_ERROR] = str(e)
            st.query_params.pop(PARAM, None)
        st.session_state[_KEY] = name
        if name is not None and name != raw:
            st.query_params[PARAM] = name
    elif st.session_state.get(_KEY):
        st.query_params[PARAM] = st.session_state[_KEY]
    return st.session_state.get(_KEY)


def choose(name: str | None) -> None:
    """Switch the session's learner (None: nobody); a bad name is kept aside as a message."""
    if name is None or not name.strip():
        st.session_state[_KEY] = None
        st.query_params.pop(PARAM, None)
        return
    try:
        found = prog.check_name(name)
    except prog.BadLearner as e:
        st.session_state[_ERROR] = str(e)
        return
    st.session_state[_KEY] = found
    st.query_params[PARAM] = found


def _typed(key: str) -> None:
    choose(st.session_state.get(key) or None)


@st.cache_resource(show_spinner=False, max_entries=4)
def _progress_store(target_: str, store_id: int, _store: Any) -> prog.ProgressStore:
    return prog.progress_store(_store)


def store() -> prog.ProgressStore:
    """The progress store beside the page's graph store (one per server process)."""
    graph = state.store()
    return _progress_store(state.target(), id(graph), graph)


def progress() -> prog.Progress | None:
    """The current learner's progress, None without a learner (an unknown name is a new,
    empty learner); a store error becomes one message and stops the page."""
    name = current()
    if name is None:
        return None
    return state.guarded(lambda: store().get(name))


def update(change: Callable[[prog.Progress], None]) -> prog.Progress | None:
    """Change the current learner's progress atomically (two tabs lose nothing); None without a
    learner or when the store refused (the reason is shown as one error line)."""
    name = current()
    if name is None:
        return None
    try:
        return store().update(name, change)
    except ZhituError as e:
        st.error(f"没有保存学习进度：{md(str(e))}")
        return None


def widget(where: Any = None, key: str = _INPUT) -> str | None:
    """The 学习者 box (sidebar by default): type a name to load or start that learner's
    progress; empty it to browse without one. Returns the current learner. `key`: another
    one when a page draws a second box (the review page without a learner)."""
    where = where if where is not None else st.sidebar
    name = current()
    st.session_state[key] = name or ""
    where.text_input(
        "学习者",
        key=key,
        max_chars=prog.MAX_NAME,
        placeholder="输入名字，不需要密码",
        help="名字只用来区分各人的学习进度，不是登录：知道这个名字的人也能看到和修改这份进度。"
        "换设备时输入同一个名字，或者把带 ?learner= 的链接存成书签。",
        on_change=_typed,
        args=(key,),
    )
    error = st.session_state.pop(_ERROR, None)
    if error:
        where.error(md(error))
    if name is not None:
        found = progress()
        due = len(prog.due(found, prog.now())) if found else 0
        known = len(found.known()) if found else 0
        where.caption(f"已掌握或学完 {known} 个概念 · 今日待复习 {due} 题")
        if "review" in state.PAGES:
            where.page_link(state.PAGES["review"][0], label="今日复习",
                            icon=":material/event_repeat:", query_params={PARAM: name})
    return name


def set_concepts(status: str | None, ids: list[str]) -> prog.Progress | None:
    """Mark concepts known / done / skipped (None unsets them) for the current learner."""
    return update(lambda p: prog.set_concepts(p, status, ids))
