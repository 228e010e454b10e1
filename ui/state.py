"""What every page shares: the store (opened once per process), derived views, deep links.

The store named by $ZHITU_GRAPH is opened once per process with st.cache_resource and shared
read-only by all sessions. A graph file is keyed by its mtime and size, so a rebuild on disk
(zhitu ingest while serving) is picked up; `reload()` drops the derived views after an import.
Deep links are query params: ?q=<question id>, ?c=<concept id>, ?page=<name> on any page.
Errors become one `st.error` and stop the page (the UI is where errors turn into messages).
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

import streamlit as st

from zhitu.graph.errors import NotFoundError, ZhituError
from zhitu.graph.lookup import ConceptIndex, TitleIndex
from zhitu.graph.model import Concept, Question
from zhitu.graph.store import GraphStore, is_neo4j_target, open_store
from zhitu.ui.conceptmap import ConceptMap
from zhitu.ui.render import md, md_math

TARGET_ENV = "ZHITU_GRAPH"
PAGES: dict[str, tuple[str, str, str]] = {  # name -> (script, title, icon)
    "home": ("views/home.py", "首页", ":material/home:"),
    "map": ("views/map.py", "概念图谱", ":material/hub:"),
    "questions": ("views/questions.py", "题库", ":material/quiz:"),
    "path": ("views/path.py", "学习路径", ":material/route:"),
    "review": ("views/review.py", "今日复习", ":material/event_repeat:"),
    "import": ("views/import_bank.py", "导入", ":material/upload_file:"),
    "curate": ("views/curate.py", "概念整理", ":material/rule:"),
}
T = TypeVar("T")


def target() -> str:
    value = os.environ.get(TARGET_ENV, "").strip()
    if not value:
        st.error(f"没有指定图谱：请设置环境变量 {TARGET_ENV}，或用 `zhitu serve` 启动。")
        st.stop()
    return value


def _stamp(target_: str) -> str:
    """Changes whenever the graph file does, so a rebuilt graph is picked up by every session."""
    if is_neo4j_target(target_):
        return ""
    try:
        st_ = os.stat(target_)
    except OSError:
        return "missing"
    return f"{st_.st_mtime_ns}:{st_.st_size}"


@st.cache_resource(show_spinner="正在打开图谱…", max_entries=2)
def _open(target_: str, stamp: str) -> GraphStore:
    return open_store(target_)


@st.cache_resource(show_spinner=False, max_entries=2)
def _warmed(target_: str, stamp: str) -> threading.Thread:
    # what the warm-up imports is imported here first: compiling a fresh module in the thread
    # while Streamlit compiles a page can fail in CPython 3.11 ("AST constructor recursion
    # depth mismatch", seen in a fresh checkout)
    from zhitu.graph import lookup, study  # noqa: F401

    thread = threading.Thread(target=_warm, args=(_open(target_, stamp),), daemon=True)
    thread.start()
    return thread


def _warm(store: GraphStore) -> None:
    try:
        store.warm()  # the embedded store answers from memory from now on
        store.search("预热", top=1)
    except ZhituError:
        pass  # the same error reaches the user when they search


def warm_up() -> None:
    """Build the search index (jieba, BM25: about a second) in the background, once per graph.

    Called after a page has been drawn, so it overlaps the browser's rendering, not the script.
    """
    try:
        _warmed(*_key())
    except ZhituError:
        pass


def prewarm() -> None:
    """Everything a first visitor's page needs, before anyone visits (ui/launch.py): the
    store, the concept map, the lists and indexes, and the warm-up of the search index."""
    key = _key()
    _indexes(*key)  # cheap ones first: the first screen needs them, the map may take long
    _concept_map(*key)
    _warmed(*key)


@st.cache_resource(show_spinner="正在整理概念图…", max_entries=2)
def _concept_map(target_: str, stamp: str) -> ConceptMap:
    return ConceptMap.from_data(_open(target_, stamp).load())


@st.cache_resource(show_spinner=False, max_entries=2)
def _concept_list(target_: str, stamp: str) -> list[Concept]:
    return sorted(_open(target_, stamp).concepts(), key=lambda c: c.name.casefold())


@st.cache_resource(show_spinner=False, max_entries=2)
def _question_list(target_: str, stamp: str) -> list[Question]:
    return _open(target_, stamp).questions()


@st.cache_resource(show_spinner=False, max_entries=2)
def _indexes(target_: str, stamp: str) -> tuple[ConceptIndex, TitleIndex]:
    return (ConceptIndex(_concept_list(target_, stamp)),
            TitleIndex({q.id: q.title for q in _question_list(target_, stamp)}))


def _key() -> tuple[str, str]:
    t = target()
    return t, _stamp(t)


def guarded(fn: Callable[[], T]) -> T:
    """Run a store call; a ZhituError becomes one error message and stops the page."""
    try:
        return fn()
    except ZhituError as e:
        st.error(md(str(e)))
        if isinstance(e, NotFoundError) and e.suggestions:
            st.caption("你是不是要找：" + "、".join(md(s) for s in e.suggestions[:5]))
        back_home()
        st.stop()
        raise  # unreachable: st.stop() raises


def store() -> GraphStore:
    return guarded(lambda: _open(*_key()))


def concept_map() -> ConceptMap:
    return guarded(lambda: _concept_map(*_key()))


def concepts() -> list[Concept]:
    """Concepts in the graph, by name."""
    return guarded(lambda: _concept_list(*_key()))


def questions() -> list[Question]:
    """Questions in the order their files give them."""
    return guarded(lambda: _question_list(*_key()))


def reload() -> None:
    """Forget the derived views after an import merged into the store.

    The store itself stays open (a Neo4j driver may be in use by another session); a graph
    file that changed on disk is reopened anyway, because its stamp is part of the cache key.
    """
    for cached in (_concept_map, _concept_list, _question_list, _indexes):
        cached.clear()


def find_concept(text: str) -> Concept | None:
    """The concept `text` names exactly (id, name, Chinese name or alias; case and width folded),
    never a loose match."""
    cid = guarded(lambda: _indexes(*_key()))[0].find(text)
    return next((c for c in concepts() if c.id == cid), None) if cid else None


def not_found(kind: str, ref: str, *, as_target: bool = False) -> None:
    """No dead end for an unknown link: one Chinese line, the closest matches as links, a way
    back. kind: "question" or "concept"; as_target: the links open study paths."""
    cindex, tindex = guarded(lambda: _indexes(*_key()))
    what = "题目" if kind == "question" else "概念"
    st.warning(f"没有找到{what}「{md(ref[:60])}」：链接可能过期了，或者拼写不同。",
               icon=":material/search_off:")
    if kind == "question":
        ids = [tindex.find(title) for title in tindex.suggestions(ref)]
        found = [q for qid in ids for q in questions() if q.id == qid]
        if found:
            st.markdown("**你是不是要找**")
            for q in found:
                if as_target:
                    st.page_link(PAGES["path"][0], label=md_math(q.title),
                                 query_params={"t": f"q:{q.id}"}, icon=":material/route:")
                else:
                    link_question(q.id, q.title, icon=":material/help:")
    else:
        by_id = {c.id: c for c in concepts()}
        ids = [cindex.find(name) for name in cindex.suggestions(ref)]
        found_c = [by_id[i] for i in ids if i in by_id]
        key = f"suggest-{zlib.crc32(ref.encode())}"
        if found_c and as_target:
            st.markdown("**你是不是要找**")
            with st.container(horizontal=True, gap="small", key=f"chips-{key}"):
                for c in found_c:
                    st.page_link(PAGES["path"][0], label=md(c.name),
                                 query_params={"t": f"c:{c.id}"})
        elif found_c:
            st.markdown("**你是不是要找**")
            concept_chips(found_c, key)
    back_home()


def back_home() -> None:
    with st.container(horizontal=True, gap="medium"):
        st.page_link(PAGES["home"][0], label="回到首页", icon=":material/home:")
        st.page_link(PAGES["questions"][0], label="浏览题库", icon=":material/quiz:")


def param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value.strip() or None if isinstance(value, str) else None


def url_to_widget(key: str, name: str, allowed: Collection[str], *, many: bool = False) -> None:
    """Seed widget `key` from ?name= before the widget is drawn; values not in `allowed` drop.

    The URL is the source of truth (deep links, back button); `widget_to_url` writes it back.
    """
    values = [v for v in st.query_params.get_all(name) if v in allowed]
    st.session_state[key] = values if many else (values[0] if values else None)


def widget_to_url(key: str, name: str) -> None:
    """on_change callback: write widget `key` to ?name= (removed when empty)."""
    value = st.session_state.get(key)
    if value in (None, "", []):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value


def concept_select(where: Any, label: str, ids: list[str], concepts: Mapping[str, Concept],
                   key: str, placeholder: str) -> str | None:
    """A concept select box bound to ?c= (seeded from the URL, written back on change)."""
    url_to_widget(key, "c", set(ids))
    return where.selectbox(
        label,
        ids,
        index=None,
        key=key,
        placeholder=placeholder,
        format_func=lambda cid: concept_label(concepts[cid]),
        on_change=widget_to_url,
        args=(key, "c"),
    )


def concept_label(c: Concept) -> str:
    """'LSTM · 长短期记忆网络' (plain text, for select boxes)."""
    return f"{c.name} · {c.zh}" if c.zh and c.zh != c.name else c.name


def link_question(q_id: str, title: str, *, prefix: str = "", icon: str | None = None) -> None:
    st.page_link(
        PAGES["questions"][0], label=prefix + md_math(title), query_params={"q": q_id}, icon=icon
    )


def link_concept(c: Concept, *, icon: str | None = None) -> None:
    st.page_link(
        PAGES["map"][0],
        label=md(c.name),
        query_params={"c": c.id},
        icon=icon,
        help=md(concept_label(c)),
    )


def concept_chips(items: list[Concept], key: str, empty: str = "（无）", *,
                  shown: int = 12) -> None:
    """Concepts as a wrapping row of pill-shaped links to their map panels (`key`: unique per
    page); past `shown` the rest fold behind "更多"."""
    if not items:
        st.caption(empty)
        return
    with st.container(horizontal=True, gap="small", key=f"chips-{key}"):
        for c in items[:shown]:
            link_concept(c)
    if len(items) > shown:
        with st.expander(f"更多（{len(items) - shown}）"):
            with st.container(horizontal=True, gap="small", key=f"chips-{key}-more"):
                for c in items[shown:]:
                    link_concept(c)
