"""学习路径: targets (concepts or questions) and known concepts in, ordered study stages out.

Targets (?t=) and known concepts (?k=) are bound to the URL; done/skipped marks live in the
session and travel as a small JSON file (download, upload) so progress survives a restart.
The plan can be exported as Markdown.
"""

from __future__ import annotations

import json

import streamlit as st

from zhitu.graph import progress as prog
from zhitu.graph.model import Concept, PlanStep, StudyPlan
from zhitu.text.normalize import title_key
from zhitu.ui import learner, placement_view, roadmap, state
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
    if learner.current() is not None:  # importing merges into the learner, never unsets
        learner.update(lambda p: [prog.set_concepts(p, s, [c]) for c, s in marks.items()])


def _mark(cid: str, status: str | None) -> None:
    if learner.current() is not None:  # kept in the store for this learner
        learner.set_concepts(status, [cid])
        return
    marks = st.session_state.setdefault(_PROGRESS, {})
    if status is None:
        marks.pop(cid, None)
    else:
        marks[cid] = status


def _resolve(key: str, names: dict[str, str], prefix: str) -> None:
    """on_change of a picker: what was typed and not picked from the list is resolved exactly
    (a concept's id, name or alias; for targets also a question's exact title), never by a
    loose match; what names nothing is kept aside for `_unknown` to explain."""
    picked: list[str] = []
    unknown: list[str] = []
    for value in st.session_state.get(key) or []:
        if value in names:
            picked.append(value)
            continue
        concept = state.find_concept(value)
        found = f"{prefix}{concept.id}" if concept else None
        if found is None and prefix:
            key_ = title_key(value)
            found = next((f"q:{q.id}" for q in state.questions() if title_key(q.title) == key_),
                         None)
        if found in names:
            picked.append(found)
        else:
            unknown.append(value)
    st.session_state[key] = list(dict.fromkeys(picked))
    st.session_state[f"_{key}_unknown"] = unknown
    state.widget_to_url(key, "t" if prefix else "k")


def _unknown(key: str, param: str, names: dict[str, str]) -> None:
    """Typed or linked values that name nothing: a message with the closest as links."""
    typed = st.session_state.pop(f"_{key}_unknown", [])
    linked = [v for v in st.query_params.get_all(param) if v not in names]
    for value in [*typed, *linked]:
        kind, _, ref = value.partition(":") if value[:2] in ("c:", "q:") else ("c", "", value)
        state.not_found("question" if kind == "q" else "concept", ref, as_target=param == "t")


def _mark_all(ids: list[str], status: str) -> None:
    for cid in ids:
        _mark(cid, status)


def _pick() -> tuple[list[str], list[str]]:
    concepts = sorted(state.concepts(), key=lambda c: (len(c.name), c.name.casefold()))
    names = {f"c:{c.id}": f"概念 · {_label(c)}" for c in concepts}
    names |= {f"q:{q.id}": f"题目 · {q.title}" for q in state.questions()}
    known_ids = {c.id: _label(c) for c in concepts}
    state.url_to_widget("path_targets", "t", names, many=True)
    state.url_to_widget("path_known", "k", known_ids, many=True)
    cols = st.columns(2)
    # the list filters by "contains", shortest names first, so typing LSTM + Enter picks LSTM;
    # no "select all"; typed text that is not in the list is resolved exactly (_resolve)
    exact = {"filter_mode": "contains", "select_all": False, "accept_new_options": True}
    targets = cols[0].multiselect(
        "学习目标（概念或题目，可多选）",
        list(names),
        key="path_targets",
        format_func=lambda v: names.get(v, v),
        placeholder="例如 LSTM、Transformer 或一道题",
        on_change=_resolve,
        args=("path_targets", names, "c:"),
        **exact,
    )
    known = cols[1].multiselect(
        "已经掌握的概念（连同它们的先修都会略过）",
        list(known_ids),
        key="path_known",
        format_func=lambda v: known_ids.get(v, v),
        placeholder="例如 神经网络、梯度下降",
        on_change=_resolve,
        args=("path_known", known_ids, ""),
        **exact,
    )
    _unknown("path_targets", "t", names)
    _unknown("path_known", "k", known_ids)
    return [t for t in targets if t in names], [k for k in known if k in known_ids]


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
    placement_view.placement_flow(refs)
    found = learner.progress()  # read after the placement, which may just have saved
    if found is not None:  # the learner's known and done concepts, as `path --learner`
        known = [*known, *found.known()]
    plan = state.guarded(lambda: store.path(refs, known))
    if found is not None:
        marks = {c: s for c, s in found.concepts.items() if s in _STATUS}
    else:
        marks = st.session_state.setdefault(_PROGRESS, {})
    titles = [_title(t) for t in targets]
    _summary(plan, marks)
    ready = state.guarded(lambda: store.path(refs, [*known, *marks]).next)
    st.markdown("**下一步可以学**")
    state.concept_chips([c for c in ready if c.id not in marks], "ready", "全部完成了，恭喜！")
    for cycle in plan.cycles:
        st.caption("这些概念互为先修，放在一起学：" + md("、".join(cycle)))
    with st.expander("路线图（按先修关系分层）", icon=":material/account_tree:"):
        before: dict[str, set[str]] = {}
        for a, b in plan.edges:
            before.setdefault(b, set()).add(a)
        roadmap.draw(plan, marks, before)
    _steps(plan, marks)
    _files(targets, known, plan, titles)


def _steps(plan: StudyPlan, marks: dict[str, str]) -> None:
    """Marked steps and the next FULL_STEPS open ones as cards; later ones as one list.
    Runs of steps without practice questions fold into one line each."""
    later: list[str] = []
    bare: list[tuple[int, PlanStep]] = []
    open_cards = 0
    for i, step in enumerate(plan.steps, 1):
        if not step.questions and step.concept.id not in marks and not later:
            bare.append((i, step))
            continue
        _fold(bare)
        bare = []
        if step.concept.id in marks or open_cards < FULL_STEPS:
            _step(i, step, marks)
            open_cards += step.concept.id not in marks
        else:
            minutes = f" · 约 {step.minutes} 分钟" if step.minutes else ""
            count = f"{len(step.questions)} 道题" if step.questions else "没有练习题"
            later.append(f"{i}\\. **{md(step.concept.name)}**{minutes} · {count}")
    _fold(bare)
    if later:
        with st.expander(f"之后还有 {len(later)} 步（完成前面的步骤后展开成卡片）"):
            st.markdown("  \n".join(later))


def _fold(bare: list[tuple[int, PlanStep]]) -> None:
    """Consecutive steps without practice questions: one folded line, details on demand."""
    if not bare:
        return
    first, last = bare[0][0], bare[-1][0]
    where = f"第 {first} 步" if first == last else f"第 {first}–{last} 步"
    names = "、".join(s.concept.name for _, s in bare)
    with st.expander(f"{where}：{md(names)}（没有练习题，了解即可）", icon=":material/menu_book:"):
        for i, step in bare:
            summary = f"：{md(step.concept.summary)}" if step.concept.summary else ""
            st.markdown(f"{i}\\. **{md(step.concept.name)}**{summary}")
            st.page_link(state.PAGES["map"][0], label=f"在图谱中看 {md(step.concept.name)}",
                         query_params={"c": step.concept.id}, icon=":material/hub:")
        st.button("都标为已完成", key=f"done-bare-{first}", on_click=_mark_all,
                  args=([s.concept.id for _, s in bare], "done"))


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
