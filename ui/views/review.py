"""今日复习: the current learner's due questions, each with the self-test, in the order to review
them: questions brought forward because a question that needs them was graded 不会 come first
(fundamentals first, with the reason), then the rest by due time (FSRS, graph/progress.py).
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from zhitu.graph import progress as prog
from zhitu.graph.model import Question
from zhitu.ui import learner, selftest, state
from zhitu.ui.render import md_block, md_math

SHOWN = 10  # due questions shown with their self-test; the rest listed below


def _answer(q: Question) -> None:
    st.markdown("**参考回答**")
    st.container(key=f"answer-{q.id}").markdown(md_block(q.answer) or "（无）")
    if q.analysis:
        with st.expander("解析"):
            st.markdown(md_block(q.analysis))


def _summary(found: prog.Progress, queue: list[str], now: datetime) -> None:
    zone = selftest.local_zone()
    today = now.astimezone(zone).date()
    reviewed = sum(1 for r in found.questions.values() for g in r.get("grades", [])
                   if datetime.fromisoformat(g["when"]).astimezone(zone).date() == today)
    cols = st.columns(4)
    cols[0].metric("今日待复习", len(queue))
    cols[1].metric("今天已自测", reviewed)
    cols[2].metric("自测过的题", len(found.questions))
    cols[3].metric("已掌握或学完的概念", len(found.known()))


def _empty(found: prog.Progress, now: datetime) -> None:
    if not found.questions:
        st.info("还没有自测过题目。在题库里打开一道题，先想一想再看答案，然后给自己打分"
                "（不会 / 模糊 / 会 / 很熟）：知图按遗忘规律安排下次复习；答「不会」的题，"
                "它的基础题会提前排进这里。", icon=":material/event_repeat:")
    else:
        upcoming = min(datetime.fromisoformat(r["card"]["due"])
                       for r in found.questions.values())
        when = selftest.due_text(upcoming, now, selftest.local_zone())
        st.success(f"今天的复习都完成了。下一道题 {when} 到期。", icon=":material/task_alt:")
    st.page_link(state.PAGES["questions"][0], label="去题库自测", icon=":material/quiz:")


def _item(i: int, q: Question, because: Question | None, found: prog.Progress) -> None:
    with st.container(border=True):
        state.link_question(q.id, q.title, prefix=f"{i}\\. ")
        if because is not None:
            st.caption(f"先复习这道基础题：「{md_math(because.title)}」答不上来，它是那道题的前置。")
        selftest.selftest(q.id, lambda: _answer(q), key="review-", again=True, progress=found)


def render() -> None:
    st.subheader("今日复习", anchor=False)
    if learner.current() is None:
        st.info("今日复习按学习者记录：输入你的名字（不需要密码）开始或继续。",
                icon=":material/person:")
        learner.widget(st.container(), key="learner_input_review")
        return
    found = learner.progress()
    assert found is not None  # a learner is chosen
    now = prog.now()
    by_id = {q.id: q for q in state.questions()}
    queue = [qid for qid in prog.due(found, now) if qid in by_id]  # gone after a re-import: skip
    _summary(found, queue, now)
    if not queue:
        _empty(found, now)
        return
    st.caption("按这个顺序复习：答不上来的题，先补它的基础题；其余按到期时间排。")
    for i, qid in enumerate(queue[:SHOWN], 1):
        because = found.questions[qid].get("because")
        _item(i, by_id[qid], by_id.get(because) if because else None, found)
    if len(queue) > SHOWN:
        with st.expander(f"之后还有 {len(queue) - SHOWN} 题（复习完上面的题后会排到前面）"):
            for i, qid in enumerate(queue[SHOWN:], SHOWN + 1):
                state.link_question(qid, by_id[qid].title, prefix=f"{i}\\. ")


if __name__ == "__main__":
    render()
