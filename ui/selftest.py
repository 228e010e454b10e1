"""Self-test on a question: 先想一想，再看答案, then grade yourself 不会 / 模糊 / 会 / 很熟.

A grade goes through graph/progress.grade (FSRS schedules the next review); 不会 brings the
question's prerequisite questions (its chain) forward into 今日复习. Without a learner the
answer is simply shown, with a hint how to start self-testing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from zhitu.graph import progress as prog
from zhitu.graph.errors import ZhituError
from zhitu.ui import learner, state

HELP = {
    "不会": "答不上来：很快再问一次，并把它的基础题提前到今日复习",
    "模糊": "想起一部分，或很吃力",
    "会": "答出来了",
    "很熟": "不假思索就答对了",
}
_REVEALED = "_selftest_revealed-"  # + key: reviews count when the answer was shown
_GRADED = "_selftest_graded-"  # + key: (grade, due iso, questions brought forward)


def local_zone() -> tzinfo:
    """The browser's time zone when Streamlit knows it, else UTC."""
    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError, AttributeError):
        return timezone.utc


def due_text(due: datetime, now: datetime, zone: tzinfo = timezone.utc) -> str:
    """When a review is due, in plain Chinese.

    >>> t = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    >>> [due_text(t + d, t) for d in (timedelta(0), timedelta(minutes=10), timedelta(hours=5))]
    ['现在', '10 分钟后', '5 小时后']
    >>> due_text(t + timedelta(days=1), t), due_text(t + timedelta(days=12), t)
    ('明天（3月2日）', '12 天后（3月13日）')
    >>> due_text(t + timedelta(days=70), t)
    '约 2 个月后（5月10日）'
    """
    left = due - now
    if left <= timedelta(minutes=1):
        return "现在"
    if left < timedelta(hours=1):
        return f"{round(left.total_seconds() / 60)} 分钟后"
    local = due.astimezone(zone)
    day = f"{local.month}月{local.day}日"
    days = (local.date() - now.astimezone(zone).date()).days
    if days < 1:
        return f"{round(left.total_seconds() / 3600)} 小时后"
    if days == 1:
        return f"明天（{day}）"
    if days < 60:
        return f"{days} 天后（{day}）"
    return f"约 {round(days / 30)} 个月后（{day}）"


def chain_ids(question_id: str) -> list[str]:
    """The question's prerequisite questions, fundamentals first ([] when the store fails)."""
    try:
        return [s.question.id for s in state.store().chain(question_id)]
    except ZhituError:
        return []


def _reveal(key: str, reviews: int) -> None:
    st.session_state[_REVEALED + key] = reviews
    st.session_state.pop(_GRADED + key, None)


def _grade(question_id: str, grade: str, prerequisites: list[str] | None, key: str) -> None:
    needs = (prerequisites if prerequisites is not None else chain_ids(question_id)) \
        if grade == "不会" else []
    when = prog.now()
    found = learner.update(lambda p: prog.grade(p, question_id, grade, needs, when))
    if found is not None:
        due = found.questions[question_id]["card"]["due"]
        forward = len([q for q in needs if q != question_id])
        st.session_state[_GRADED + key] = (grade, due, forward)


def selftest(question_id: str, show_answer: Callable[[], None],
             prerequisites: list[str] | None = None, *, key: str = "", again: bool = False,
             progress: prog.Progress | None = None) -> None:
    """The answer behind 先想一想, then the grade buttons.

    `show_answer` draws the answer (and analysis); `prerequisites`: the question's chain ids,
    fundamentals first (None: looked up when graded 不会); `key`: unique per page for the same
    question; `again`: hide the answer again once graded (the review queue), else it stays open;
    `progress`: the learner's progress when the page already read it (one read per page).
    """
    name = learner.current()
    if name is None:
        show_answer()
        st.caption("在「学习者」里输入名字，就可以先自测再看答案，知图按遗忘规律安排复习。")
        return
    k = f"{key}{question_id}"
    found = progress if progress is not None else learner.progress()
    record = found.questions.get(question_id) if found else None
    reviews = len((record or {}).get("grades", []))
    shown = st.session_state.get(_REVEALED + k)
    if shown is None or (again and shown != reviews):
        with st.container(border=True, key=f"selftest-{k}"):
            st.markdown("**先想一想，再看答案**")
            st.caption("先在心里（或纸上）回答一遍，再看参考回答，给自己打分。")
            st.button("看答案", key=f"reveal-{k}", on_click=_reveal, args=(k, reviews),
                      icon=":material/visibility:", type="primary")
        return
    show_answer()
    with st.container(border=True, key=f"selftest-{k}"):
        st.markdown("**你答得怎么样？**")
        with st.container(horizontal=True, gap="small"):
            for g in prog.GRADES:
                st.button(g, key=f"grade-{k}-{g}", help=HELP[g], on_click=_grade,
                          args=(question_id, g, prerequisites, k))
        graded = st.session_state.get(_GRADED + k)
        zone, now = local_zone(), prog.now()
        if graded:
            g, due, forward = graded
            when = due_text(datetime.fromisoformat(due), now, zone)
            st.success(f"已记录「{g}」：下次复习 {when}。")
            if forward:
                st.info(f"已把 {forward} 道基础题提前到今日复习：先把它们弄懂，再回来做这道题。",
                        icon=":material/low_priority:")
        elif record:
            last = prog.summary(record)
            when = due_text(datetime.fromisoformat(last["due"]), now, zone)
            st.caption(f"上次自评「{last['grade']}」，共自测 {last['reviews']} 次 · "
                       f"下次复习 {when}")
