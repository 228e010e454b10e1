"""题库: search and filter the questions; ?q=<id> shows one question with its chain and relatives.

Search is the store's BM25 over jieba tokens; the query's tokens (same tokenizer) are
highlighted in titles and snippets. The search (?s=), filters (category ?cat=, concept ?c=,
shared with the map) and the page number (?p=) live in the URL, so reload and back keep the view.
Formulas in titles, answers, analyses and snippets are typeset (ui/render.py).
"""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from zhitu.graph import progress as prog
from zhitu.graph.errors import QuestionNotFound
from zhitu.graph.model import ChainStep, Level, Question, RelatedQuestion
from zhitu.ui import chart, learner, marks, selftest, state
from zhitu.ui.conceptmap import ConceptMap
from zhitu.ui.render import esc, md, md_block, md_math, md_snippet, query_terms

PAGE_SIZE = 20
CHIPS = 6  # concept chips shown before "更多"
SHORT_CHAIN = 5  # the nearest prerequisites shown before the full chain
SEARCH_TOP = 200
LEVELS = {
    Level.DEFINITION: "概念定义",
    Level.PRINCIPLE: "原理作用",
    Level.COMPARISON: "比较辨析",
    Level.DERIVATION: "公式推导",
}


def _terms(text: str) -> list[str]:
    from zhitu.text.segment import tokenize  # the tokenizer search indexes with

    return query_terms([text, *tokenize(text)]) if text.strip() else []


def _filters(cmap: ConceptMap) -> tuple[str, list[str], str | None]:
    ids = [c.id for c in state.concepts() if c.id in cmap.concepts]
    cats = sorted({cmap.concepts[c].category for c in ids}, key=chart.category_label)
    cols = st.columns([4, 3, 3], vertical_alignment="bottom")
    st.session_state["list_search"] = st.query_params.get("s", "")
    text = cols[0].text_input(
        "搜索题目",
        key="list_search",
        placeholder="例如：梯度消失、LSTM 门",
        on_change=state.widget_to_url,
        args=("list_search", "s"),
    )
    state.url_to_widget("cat", "cat", set(cats), many=True)
    picked = cols[1].multiselect(
        "类别", cats, key="cat", format_func=chart.category_label, placeholder="全部类别",
        filter_mode="contains", select_all=False, on_change=state.widget_to_url,
        args=("cat", "cat"),
    )
    concept = state.concept_select(cols[2], "概念", ids, cmap.concepts, "list_concept", "全部概念")
    return text or "", picked, concept


def _list() -> None:
    cmap = state.concept_map()
    everything = state.questions()
    if not everything:
        st.info("题库还是空的：先在「导入」页上传题库文件。")
        st.page_link(state.PAGES["import"][0], label="去导入题库", icon=":material/upload_file:")
        return
    text, cats, concept = _filters(cmap)
    by_id = {q.id: q for q in everything}
    if text.strip():
        hits = state.guarded(lambda: state.store().search(text, top=SEARCH_TOP))
        found = [by_id[h.question.id] for h in hits if h.question.id in by_id]
    else:
        found = everything
    if cats:
        wanted = set(cats)
        found = [
            q
            for q in found
            if wanted & {cmap.concepts[c].category for c in cmap.by_question.get(q.id, [])}
        ]
    if concept:
        found = [q for q in found if concept in cmap.by_question.get(q.id, [])]
    mine = marks.question_states(learner.progress(), prog.now())
    wanted = _mine(mine)
    if wanted:
        found = [q for q in found if mine.get(q.id) in wanted]
    terms = _terms(text)
    if text.strip() and not found:
        st.warning(f"没有找到和「{md(text)}」相关的题目，换个说法试试？")
        return
    pages = max(1, -(-len(found) // PAGE_SIZE))
    head = st.columns([4, 1], vertical_alignment="center")
    page = _page(pages, (text, cats, concept), head[1])
    head[0].caption(
        f"{'搜索到' if text.strip() else '共'} {len(found)} 道题"
        + ("（按相关度排序）" if text.strip() else "")
        + (f" · 第 {page} / {pages} 页" if pages > 1 else "")
    )
    for q in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        _row(q, terms, cmap, mine.get(q.id))


def _mine(mine: dict[str, str]) -> set[str]:
    """The learner's own filter (待复习 / 已掌握 / 已学完), bound to ?mine=; only with a learner."""
    if learner.current() is None:
        return set()
    options = ["due", "known", "done"]
    state.url_to_widget("mine", "mine", set(options), many=True)
    picked = st.pills("我的进度", options, format_func=marks.label, selection_mode="multi",
                      key="mine", on_change=state.widget_to_url, args=("mine", "mine"))
    return set(picked or [])


def _page(pages: int, view: tuple[object, ...], where) -> int:  # noqa: ANN001
    """The list page, bound to ?p=; a new search or filter starts on page 1."""
    if st.session_state.get("_qview", view) != view:
        st.query_params.pop("p", None)
    st.session_state["_qview"] = view
    if pages <= 1:
        return 1
    try:
        page = min(max(int(st.query_params.get("p", "1")), 1), pages)
    except ValueError:
        page = 1
    st.session_state["qpage"] = page
    return where.number_input("页码", 1, pages, key="qpage", label_visibility="collapsed",
                              on_change=_page_to_url)


def _page_to_url() -> None:
    page = st.session_state.get("qpage") or 1
    if page > 1:
        st.query_params["p"] = str(page)
    else:
        st.query_params.pop("p", None)


def _row(q: Question, terms: list[str], cmap: ConceptMap, mark: str | None = None) -> None:
    st.page_link(
        state.PAGES["questions"][0],
        label=md_math(q.title, terms),
        query_params={"q": q.id},
        icon=":material/help:",
    )
    names = "、".join(cmap.concepts[c].name for c in cmap.by_question.get(q.id, [])[:6])
    with st.container(key=f"snip-{q.id}"):
        st.caption(md_snippet(q.answer, terms) + (f"　· {md(names)}" if names else "")
                   + (f" {marks.badge(mark)}" if mark else ""))


def _question(ref: str) -> None:
    store = state.store()

    def lookup() -> Question | None:
        try:
            return store.question(ref)
        except QuestionNotFound:
            return None

    q = state.guarded(lookup)
    if q is None:
        state.not_found("question", ref)
        return
    st.page_link(state.PAGES["questions"][0], label="返回题库", icon=":material/arrow_back:")
    if q.id != ref:  # the store matched a title or the closest one
        st.caption(f"没有编号为「{md(ref)}」的题目，下面是最接近的一道。")
    st.subheader(md_math(q.title), anchor=False)
    meta = [LEVELS.get(q.level, ""), *(f"出处 {_source(s)}" for s in q.sources[:2])]
    if q.topic:
        meta.insert(1, q.topic)
    st.html(f'<div class="zt-meta">{esc(" · ".join(m for m in meta if m))}</div>')
    state.concept_chips(
        state.guarded(lambda: store.question_concepts(q.id)), "question", "没有识别出概念",
        shown=CHIPS,
    )
    steps = state.guarded(lambda: store.chain(q.id))

    def show_answer() -> None:
        st.markdown("#### 参考回答")
        st.container(key="answer").markdown(md_block(q.answer) or "（无）")
        if q.analysis:
            st.markdown("#### 解析")
            st.container(key="analysis").markdown(md_block(q.analysis))

    left, right = st.columns([3, 2], gap="large")
    with left:
        selftest.selftest(q.id, show_answer, [s.question.id for s in steps])
    with right:
        chart.local_map(state.guarded(lambda: store.question_concepts(q.id)))
        related = state.guarded(lambda: store.related(q.id, top=8))
        tabs = st.tabs([f"先弄懂这些问题（{len(steps)}）", f"相关题目（{len(related)}）"])
        with tabs[0]:
            _chain(steps)
        with tabs[1]:
            _related(related)
        st.page_link(
            state.PAGES["path"][0],
            label="以这道题为目标生成学习路径",
            query_params={"t": f"q:{q.id}"},
            icon=":material/route:",
        )


def _source(source: str) -> str:
    """'questions/10-rnn.txt:64' -> '10-rnn.txt:64' (the folder is noise to a learner).

    >>> _source("/work/data/questions/10-rnn.txt:64")
    '10-rnn.txt:64'
    """
    file, _, line = source.rpartition(":")
    return f"{PurePath(file).name}:{line}" if file and line.isdigit() else source


def _chain(steps: list[ChainStep]) -> None:
    if not steps:
        st.caption("这道题没有前置问题，可以直接看。")
        return
    st.caption("从基础到进阶排好了顺序；每一步注明为什么要先读它。")
    start = max(0, len(steps) - SHORT_CHAIN)
    if start and st.toggle(f"显示完整的 {len(steps)} 步（现在是最近的 {SHORT_CHAIN} 步）",
                           key="full_chain"):
        start = 0
    for i, step in enumerate(steps[start:], start + 1):
        state.link_question(step.question.id, step.question.title, prefix=f"{i}\\. ")
        if step.via:
            st.html(f'<div class="zt-snippet">{esc(step.via)}</div>')


def _related(rel: list[RelatedQuestion]) -> None:
    if not rel:
        st.caption("没有找到相关题目。")
    for r in rel:
        state.link_question(r.question.id, r.question.title, icon=":material/link:")
        if r.shared:
            st.html(f'<div class="zt-snippet">相关原因：{esc("、".join(r.shared))}</div>')


def render() -> None:
    ref = state.param("q")
    if ref:
        _question(ref)
    else:
        _list()


if __name__ == "__main__":
    render()
