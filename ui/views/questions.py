"""题库: search and filter the questions; ?q=<id> shows one question with its chain and relatives.

Search is the store's BM25 over jieba tokens; the query's tokens (same tokenizer) are
highlighted in titles and snippets. Filters: category and concept (?c=, shared with the map).
"""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from zhitu.graph.model import ChainStep, Level, Question, RelatedQuestion
from zhitu.ui import chart, state
from zhitu.ui.conceptmap import ConceptMap
from zhitu.ui.render import esc, md, md_mark, prose, query_terms, snippet

PAGE_SIZE = 20
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
    picked = cols[1].multiselect(
        "类别", cats, key="cat", format_func=chart.category_label, placeholder="全部类别"
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
    terms = _terms(text)
    if text.strip() and not found:
        st.warning(f"没有找到和「{md(text)}」相关的题目，换个说法试试？")
        return
    pages = max(1, -(-len(found) // PAGE_SIZE))
    head = st.columns([4, 1], vertical_alignment="center")
    page = (
        head[1].number_input(  # keyed by the query, so a new search starts on page 1
            "页码", 1, pages, 1, key=f"qpage-{text}-{cats}-{concept}", label_visibility="collapsed"
        )
        if pages > 1
        else 1
    )
    head[0].caption(
        f"{'搜索到' if text.strip() else '共'} {len(found)} 道题"
        + ("（按相关度排序）" if text.strip() else "")
        + (f" · 第 {page} / {pages} 页" if pages > 1 else "")
    )
    for q in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        _row(q, terms, cmap)


def _row(q: Question, terms: list[str], cmap: ConceptMap) -> None:
    st.page_link(
        state.PAGES["questions"][0],
        label=md_mark(q.title, terms),
        query_params={"q": q.id},
        icon=":material/help:",
    )
    names = "、".join(cmap.concepts[c].name for c in cmap.by_question.get(q.id, [])[:6])
    st.html(
        f'<div class="zt-snippet">{snippet(q.answer, terms)}'
        f'<span class="zt-meta">{"　· " + esc(names) if names else ""}</span></div>'
    )


def _question(ref: str) -> None:
    store = state.store()
    q = state.guarded(lambda: store.question(ref))
    st.page_link(state.PAGES["questions"][0], label="返回题库", icon=":material/arrow_back:")
    if q.id != ref:  # the store matched a title or the closest one
        st.caption(f"没有编号为「{md(ref)}」的题目，下面是最接近的一道。")
    st.subheader(md(q.title), anchor=False)
    meta = [LEVELS.get(q.level, ""), *(f"出处 {_source(s)}" for s in q.sources[:2])]
    if q.topic:
        meta.insert(1, q.topic)
    st.html(f'<div class="zt-meta">{esc(" · ".join(m for m in meta if m))}</div>')
    state.concept_chips(
        state.guarded(lambda: store.question_concepts(q.id)), "question", "没有识别出概念"
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown("#### 参考回答")
        st.html(f'<div class="zt-answer">{prose(q.answer) or "（无）"}</div>')
        if q.analysis:
            st.markdown("#### 解析")
            st.html(f'<div class="zt-answer">{prose(q.analysis)}</div>')
    with right:
        steps = state.guarded(lambda: store.chain(q.id))
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
    st.caption("从基础到进阶排好了顺序；每一步注明把它和后面连起来的概念。")
    with st.container(height=480 if len(steps) > 8 else "content", border=False):
        for i, step in enumerate(steps, 1):
            state.link_question(step.question.id, step.question.title, prefix=f"{i}\\. ")
            if step.via:
                st.html(f'<div class="zt-snippet">经由 {esc(step.via)}</div>')


def _related(rel: list[RelatedQuestion]) -> None:
    if not rel:
        st.caption("没有找到相关题目。")
    for r in rel:
        state.link_question(r.question.id, r.question.title, icon=":material/link:")
        if r.shared:
            st.html(f'<div class="zt-snippet">共同概念：{esc("、".join(r.shared))}</div>')


def render() -> None:
    ref = state.param("q")
    if ref:
        _question(ref)
    else:
        _list()


if __name__ == "__main__":
    render()
