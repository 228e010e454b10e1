"""The learner's side of the UI (issue 17) through AppTest on the bundled bank: the 今日复习 page
end to end (a 不会 brings the prerequisite questions first, reload with ?learner= keeps it), the
self-test component, the placement flow saving known concepts, and names that are inert text.
The review page is registered the way app.py will (a PAGES entry), the components run alone."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import SCRIPT, TIMEOUT, html, run
from zhitu.graph import placement
from zhitu.graph import progress as prog
from zhitu.graph.memory import MemoryStore
from zhitu.ui import state
from zhitu.ui.render import md
from zhitu.ui.views.review import SHOWN

TARGET = "写出LSTM各个门和细胞状态的计算公式"  # a bundled question with a prerequisite chain
REVIEW = "views/review.py"


@pytest.fixture
def graph(bank_graph: Path, tmp_path: Path) -> Path:
    """A private copy: progress is written beside the graph file."""
    copy = tmp_path / "graph.json"
    shutil.copy(bank_graph, copy)
    return copy


def review(graph: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setitem(state.PAGES, "review", (REVIEW, "今日复习", ":material/event_repeat:"))
    return run(graph, monkeypatch, REVIEW, **params)


def queue(at: AppTest) -> list[str]:
    """Question ids of the numbered review items, in page order."""
    found = [e.proto for e in at.main if type(e).__name__ == "PageLink"]
    return [p.query_string.removeprefix("q=") for p in found
            if p.query_string.startswith("q=") and p.label[:1].isdigit()]


def due_long_ago(graph: Path, name: str, qid: str) -> None:
    """A question graded 会 a month ago: due now."""
    when = prog.now() - timedelta(days=30)
    prog.FileProgress(graph).update(name, lambda p: prog.grade(p, qid, "会", [], when))


def test_review_page_without_a_learner_asks_for_a_name(graph, monkeypatch) -> None:
    at = review(graph, monkeypatch)
    assert not at.error and "输入你的名字" in at.info[0].value
    at.text_input(key="learner_input_review").set_value(" 小明 ").run()
    assert at.query_params["learner"] == "小明"
    assert any("还没有自测过题目" in i.value for i in at.info)  # a new learner: explained


def test_grading_no_brings_prerequisites_first_and_reload_keeps_it(graph, monkeypatch) -> None:
    store = MemoryStore.open(graph)
    target = store.question(TARGET).id
    chain = [s.question.id for s in store.chain(target)]
    assert chain
    due_long_ago(graph, "小红", target)
    at = review(graph, monkeypatch, learner="小红")
    assert queue(at) == [target]
    assert not [m for m in at.markdown if m.value.startswith("**参考回答")]  # answer hidden
    at.button(key=f"reveal-review-{target}").click().run()
    assert [m for m in at.markdown if m.value.startswith("**参考回答")]
    at.button(key=f"grade-review-{target}-不会").click().run()
    assert not at.exception
    shown = queue(at)
    assert shown == chain[:SHOWN] and target not in shown  # fundamentals first
    assert any("答不上来" in c.value for c in at.caption)
    saved = prog.FileProgress(graph).get("小红")
    assert saved.questions[target]["grades"][-1]["grade"] == "不会"
    assert {saved.questions[q]["because"] for q in chain} == {target}
    again = review(graph, monkeypatch, learner="小红")  # a reload: a new session, same URL
    assert queue(again) == shown
    other = review(graph, monkeypatch, learner="小绿")  # another learner sees none of it
    assert queue(other) == []


def test_the_learner_survives_a_link_that_drops_the_param(graph, monkeypatch) -> None:
    at = review(graph, monkeypatch, learner="小明")
    at.query_params.clear()  # what a page link to another page does
    at.switch_page("views/questions.py").run()
    at.switch_page(REVIEW).run()
    assert at.query_params["learner"] == "小明"


@pytest.mark.parametrize("name", [SCRIPT, '"; DROP x \' <b>', "名" * 200])
def test_any_learner_name_is_inert(graph, monkeypatch, name) -> None:
    at = review(graph, monkeypatch)
    at.text_input(key="learner_input_review").set_value(name).run()
    assert not at.exception and at.query_params["learner"] == name
    qid = MemoryStore.open(graph).question(TARGET).id
    due_long_ago(graph, name, qid)
    again = review(graph, monkeypatch, learner=name)
    assert queue(again) == [qid]
    assert "<script>" not in html(again) and "<b>" not in html(again)
    assert prog.FileProgress(graph).learners() == [name]


def test_a_name_too_long_in_the_link_is_one_message(graph, monkeypatch) -> None:
    at = review(graph, monkeypatch, learner="名" * 201)
    assert not at.exception and "learner" not in at.query_params
    assert "输入你的名字" in at.info[0].value
    assert prog.FileProgress(graph).learners() == []


def _selftest_app() -> None:
    import streamlit as st

    from zhitu.ui import selftest, state

    store = state.store()
    q = store.question(st.query_params["q"])
    chain = [s.question.id for s in store.chain(q.id)]
    selftest.selftest(q.id, lambda: st.markdown("参考回答：" + q.id), chain, key="t-")


def selftest_app(graph: Path, monkeypatch, **params: str) -> AppTest:
    monkeypatch.setenv("ZHITU_GRAPH", str(graph))
    at = AppTest.from_function(_selftest_app, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_selftest_hides_the_answer_then_grades_with_fsrs(graph, monkeypatch) -> None:
    qid = MemoryStore.open(graph).question(TARGET).id
    plain = selftest_app(graph, monkeypatch, q=qid)  # no learner: the answer, and a hint
    assert plain.markdown[0].value == f"参考回答：{qid}" and "学习者" in plain.caption[0].value
    at = selftest_app(graph, monkeypatch, q=qid, learner="小张")
    assert not [m for m in at.markdown if m.value.startswith("参考回答")]
    assert "先想一想，再看答案" in at.markdown[0].value
    at.button(key=f"reveal-t-{qid}").click().run()
    assert [b.label for b in at.button if b.key.startswith("grade-")] == list(prog.GRADES)
    at.button(key=f"grade-t-{qid}-很熟").click().run()
    assert "已记录「很熟」" in at.success[0].value and "天后" in at.success[0].value
    assert [m for m in at.markdown if m.value.startswith("参考回答")]  # stays open
    record = prog.FileProgress(graph).get("小张").questions[qid]
    assert prog.summary(record)["grade"] == "很熟"
    at.button(key=f"grade-t-{qid}-不会").click().run()
    assert "分钟后" in at.success[0].value
    assert "基础题提前到今日复习" in at.info[0].value
    assert len(prog.due(prog.FileProgress(graph).get("小张"), prog.now())) >= 1


def _placement_app() -> None:
    import streamlit as st

    from zhitu.ui import placement_view

    known = placement_view.placement_flow(["LSTM"])
    if known is not None:
        st.markdown("KNOWN " + " ".join(known))


def test_placement_asks_one_concept_at_a_time_and_saves_known(graph, monkeypatch) -> None:
    store = MemoryStore.open(graph)
    closure = placement.closure(store, ["LSTM"])
    truth = closure["rnn"] | {"rnn"}  # knows RNN and what it needs, nothing after
    by_label = {md(store.concept(c).name): c for c in closure}
    monkeypatch.setenv("ZHITU_GRAPH", str(graph))
    at = AppTest.from_function(_placement_app, default_timeout=TIMEOUT)
    at.query_params["learner"] = "小李"
    at.run()
    at.button(key="placement-start").click().run()
    asked = 0
    while not any(m.value.startswith("KNOWN") for m in at.markdown):
        (ask,) = [m.value for m in at.markdown if m.value.startswith("你会 **")]
        concept = by_label[ask.split("**")[1]]
        at.button(key="placement-yes" if concept in truth else "placement-no").click().run()
        assert not at.exception
        asked += 1
        assert asked <= len(closure)
    (done,) = [m.value for m in at.markdown if m.value.startswith("KNOWN")]
    assert set(done.split()[1:]) == truth
    assert asked < len(closure) / 2
    saved = prog.FileProgress(graph).get("小李").concepts
    assert saved == {c: "known" for c in truth}


def test_placement_without_a_learner_fills_the_known_param(graph, monkeypatch) -> None:
    monkeypatch.setenv("ZHITU_GRAPH", str(graph))
    at = AppTest.from_function(_placement_app, default_timeout=TIMEOUT).run()
    at.button(key="placement-start").click().run()
    while any(b.key == "placement-yes" for b in at.button):
        at.button(key="placement-yes").click().run()  # an expert: knows everything
    at.button(key="placement-use").click().run()
    assert "lstm" in at.query_params["k"]
    assert prog.FileProgress(graph).learners() == []


def test_an_empty_queue_says_when_the_next_review_is(graph, monkeypatch) -> None:
    qid = MemoryStore.open(graph).question(TARGET).id
    prog.FileProgress(graph).update("小周", lambda p: prog.grade(p, qid, "很熟", [], prog.now()))
    at = review(graph, monkeypatch, learner="小周")
    assert queue(at) == []
    assert "今天的复习都完成了" in at.success[0].value and "天后" in at.success[0].value
    assert [m.value for m in at.metric][:3] == ["0", "1", "1"]  # due, self-tested today, all
