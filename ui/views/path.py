"""学习路径: targets (concepts or questions) and known concepts in, ordered study stages out.

Targets (?t=) and known concepts (?k=) are bound to the URL; done/skipped marks live in the
session and travel as a small JSON file (download, upload) so progress survives a restart.
The plan can be exported as Markdown.
"""

from __future__ import annotations

import json

import streamlit as st

from zhitu.graph.model import Concept, PlanStep, StudyPlan
from zhitu.ui import state
from zhitu.ui.render import esc, md

PROGRESS_FORMAT = "zhitu-progress"
_STATUS = {"done": "已完成", "skipped": "已跳过"}
_PROGRESS = "progress"
FULL_STEPS = 6  # open steps shown as cards; the rest as a compact list
_ERROR = "_progress_error"


def progress_json(targets: list[str], known: list[str], marks: dict[str, str]) -> str:
    """The progress file: what a learner needs to pick up where they left off.

    >>> json.loads(progress_json(["c:lstm"], [], {"rnn": "done"}))["progress"]
    {'rnn': 'done'}
    """
    doc = {
        "format": PROGRESS_FORMAT,
        "version": 1,
        "targets": targets,
        "known": known,
        "progress": dict(sorted(marks.items())),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def parse_progress(data: bytes) -> tuple[list[str], list[str], dict[str, str]]:
    """(targets, known, marks) from a progress file; ValueError with a Chinese message if bad."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"进度文件不是有效的 JSON（{e}）") from e
    if not isinstance(doc, dict) or doc.get("format") != PROGRESS_FORMAT:
        raise ValueError("这不是知图导出的进度文件（缺少 format: zhitu-progress）")
    targets, known, marks = doc.get("targets", []), doc.get("known", []), doc.get("progress", {})
    if not (
        _strings(targets)
        and _strings(known)
        and isinstance(marks, dict)
        and all(isinstance(k, str) and v in _STATUS for k, v in marks.items())
    ):
        raise ValueError("进度文件的 targets/known/progress 字段格式不对")
    return targets, known, marks


def _strings(items: object) -> bool:
    return isinstance(items, list) and all(isinstance(i, str) for i in items)


def plan_markdown(plan: StudyPlan, titles: list[str], marks: dict[str, str]) -> str:
    """The plan as a Markdown checklist (bank text kept literal: it is a file, not a page)."""
    lines = [f"# 学习路径：{'、'.join(titles)}", ""]
    if plan.total_minutes:
        lines += [f"预计总时长：约 {plan.total_minutes} 分钟", ""]
    for i, step in enumerate(plan.steps, 1):
        mark = "x" if marks.get(step.concept.id) == "done" else " "
        extra = f"（{_STATUS[marks[step.concept.id]]}）" if step.concept.id in marks else ""
        minutes = f" · 约 {step.minutes} 分钟" if step.minutes else ""
        lines.append(f"- [{mark}] 第 {i} 步：{_label(step.concept)}{minutes}{extra}")
        lines += [f"    - {q.title}" for q in step.questions]
    return "\n".join(lines) + "\n"


def _label(c: Concept) -> str:
    return state.concept_label(c)


def _load_progress() -> None:
    upload = st.session_state.get("progress_upload")
    if upload is None:
        return
    try:
        targets, known, marks = parse_progress(upload.getvalue())
    except ValueError as e:
        st.session_state[_ERROR] = str(e)
        return
    st.query_params["t"], st.query_params["k"] = targets, known
    st.session_state.update({_PROGRESS: marks, _ERROR: None})


def _mark(cid: str, status: str | None) -> None:
    marks = st.session_state.setdefault(_PROGRESS, {})
    if status is None:
        marks.pop(cid, None)
    else:
        marks[cid] = status


def _pick() -> tuple[list[str], list[str]]:
    concepts = state.concepts()
    names = {f"c:{c.id}": f"概念 · {_label(c)}" for c in concepts}
    names |= {f"q:{q.id}": f"题目 · {q.title}" for q in state.questions()}
    known_ids = {c.id: _label(c) for c in concepts}
    state.url_to_widget("path_targets", "t", names, many=True)
    state.url_to_widget("path_known", "k", known_ids, many=True)
    cols = st.columns(2)
    targets = cols[0].multiselect(
        "学习目标（概念或题目，可多选）",
        list(names),
        key="path_targets",
        format_func=names.__getitem__,
        placeholder="例如 LSTM、Transformer 或一道题",
        on_change=state.widget_to_url,
        args=("path_targets", "t"),
    )
    known = cols[1].multiselect(
        "已经掌握的概念（连同它们的先修都会略过）",
        list(known_ids),
        key="path_known",
        format_func=known_ids.__getitem__,
        placeholder="例如 神经网络、梯度下降",
        on_change=state.widget_to_url,
        args=("path_known", "k"),
    )
    return targets, known


def _files(targets: list[str], known: list[str], plan: StudyPlan | None, titles: list[str]) -> None:
    marks = st.session_state.get(_PROGRESS, {})
    with st.expander("保存 / 恢复进度，导出计划"):
        cols = st.columns(2)
        cols[0].download_button(
            "下载进度 JSON",
            progress_json(targets, known, marks),
            file_name="zhitu-progress.json",
            mime="application/json",
            icon=":material/download:",
            on_click="ignore",
        )
        if plan is not None:
            cols[1].download_button(
                "导出 Markdown",
                plan_markdown(plan, titles, marks),
                file_name="zhitu-plan.md",
                mime="text/markdown",
                icon=":material/description:",
                on_click="ignore",
            )
        st.file_uploader(
            "上传进度 JSON 继续学习",
            type=["json"],
            key="progress_upload",
            on_change=_load_progress,
            max_upload_size=1,
        )
        if st.session_state.get(_ERROR):
            st.error(md(st.session_state[_ERROR]))


def _step(i: int, step: PlanStep, marks: dict[str, str]) -> None:
    c = step.concept
    status = marks.get(c.id)
    with st.container(border=True):
        head = st.columns([5, 2], vertical_alignment="center")
        icon = {"done": ":material/check_circle:", "skipped": ":material/skip_next:"}.get(
            status or "", f"**{i}**"
        )
        parts = [icon, f"**{md(c.name)}**"]
        if c.zh and c.zh != c.name:
            parts.append(md(c.zh))
        if step.minutes:
            parts.append(f":gray[约 {step.minutes} 分钟]")
        if status:
            parts.append(f":gray-badge[{_STATUS[status]}]")
        head[0].markdown("　".join(parts))
        with head[1].container(horizontal=True, horizontal_alignment="right"):
            if status:
                st.button("撤销", key=f"undo-{c.id}", on_click=_mark, args=(c.id, None))
            else:
                st.button(
                    "完成", key=f"done-{c.id}", on_click=_mark, args=(c.id, "done"), type="primary"
                )
                st.button("跳过", key=f"skip-{c.id}", on_click=_mark, args=(c.id, "skipped"))
        if status == "done":
            return
        if c.summary:
            st.html(f'<div class="zt-meta">{esc(c.summary)}</div>')
        for q in step.questions:
            state.link_question(q.id, q.title, icon=":material/help:")
        st.page_link(
            state.PAGES["map"][0],
            label=f"在图谱中看 {md(c.name)} 的先修和后续",
            query_params={"c": c.id},
            icon=":material/hub:",
        )


def render() -> None:
    st.subheader("学习路径", anchor=False)
    if not state.concepts():
        st.info("图谱还是空的：先在「导入」页上传题库，才能生成学习路径。")
        return
    targets, known = _pick()
    if not targets:
        st.caption("选一个想掌握的概念或题目，知图会按先修关系排出学习顺序，每一步配上练习题。")
        _files(targets, known, None, [])
        return
    refs = [t.split(":", 1)[1] for t in targets]
    store = state.store()
    plan = state.guarded(lambda: store.path(refs, known))
    marks: dict[str, str] = st.session_state.setdefault(_PROGRESS, {})
    titles = [_title(t) for t in targets]
    _summary(plan, marks)
    ready = state.guarded(lambda: store.path(refs, [*known, *marks]).next)
    st.markdown("**下一步可以学**")
    state.concept_chips([c for c in ready if c.id not in marks], "ready", "全部完成了，恭喜！")
    for cycle in plan.cycles:
        st.caption("这些概念互为先修，放在一起学：" + md("、".join(cycle)))
    _steps(plan, marks)
    _files(targets, known, plan, titles)


def _steps(plan: StudyPlan, marks: dict[str, str]) -> None:
    """Marked steps and the next FULL_STEPS open ones as cards; later ones as one list."""
    later: list[str] = []
    open_cards = 0
    for i, step in enumerate(plan.steps, 1):
        if step.concept.id in marks or open_cards < FULL_STEPS:
            _step(i, step, marks)
            open_cards += step.concept.id not in marks
        else:
            minutes = f" · 约 {step.minutes} 分钟" if step.minutes else ""
            later.append(
                f"{i}\\. **{md(step.concept.name)}**{minutes} · {len(step.questions)} 道题"
            )
    if later:
        with st.expander(f"之后还有 {len(later)} 步（完成前面的步骤后展开成卡片）"):
            st.markdown("  \n".join(later))


def _title(target: str) -> str:
    kind, ref = target.split(":", 1)
    if kind == "c":
        return next((c.name for c in state.concepts() if c.id == ref), ref)
    return next((q.title for q in state.questions() if q.id == ref), ref)


def _summary(plan: StudyPlan, marks: dict[str, str]) -> None:
    if not plan.steps:
        st.success("你已经掌握了这些目标需要的全部概念。")
        return
    cols = st.columns(4)
    cols[0].metric("学习步骤", len(plan.steps))
    cols[1].metric("练习题", sum(len(s.questions) for s in plan.steps))
    cols[2].metric("预计时长", f"{plan.total_minutes} 分钟" if plan.total_minutes else "—")
    done = sum(1 for s in plan.steps if s.concept.id in marks)
    cols[3].metric("已完成", f"{done} / {len(plan.steps)}")


if __name__ == "__main__":
    render()
