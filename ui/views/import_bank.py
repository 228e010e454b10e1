"""导入: upload a bank file, preview what it adds, then merge it into the store.

The upload is kept under an uploads/ folder next to the graph, so its questions' sources read
"uploads/name.txt:12" and importing a new version of the same file replaces its questions.
The merge re-runs the ingest under a process-wide lock on the store's current data, so two
sessions importing at once cannot lose each other's questions.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
from zhitu.graph.errors import ZhituError
from zhitu.graph.model import Concept, GraphData
from zhitu.graph.store import GraphStore, is_neo4j_target
from zhitu.ui import state
from zhitu.ui.render import esc, md

MAX_UPLOAD_MB = 20
SUFFIXES = ("txt", "md", "markdown", "json", "jsonl", "csv")
_PREVIEW = "_import_preview"
_DONE = "_import_done"
_ROUND = "_import_round"


@dataclass
class Preview:
    digest: str
    questions_read: int = 0
    new_questions: list[str] = field(default_factory=list)  # titles
    new_concepts: list[Concept] = field(default_factory=list)  # no question mentioned them yet
    candidates: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""


@st.cache_resource
def _merge_lock() -> threading.Lock:
    return threading.Lock()


def upload_path(target: str, name: str) -> Path:
    """Where an upload is kept: uploads/ next to the graph file (~/.zhitu/uploads for Neo4j).

    >>> upload_path("/g/graph.json", "../../题库 v2.txt").as_posix()
    '/g/uploads/题库_v2.txt'
    """
    base = Path.home() / ".zhitu" if is_neo4j_target(target) else Path(target).resolve().parent
    safe = re.sub(r"[^\w.\-]+", "_", Path(name).name).lstrip(".") or "bank.txt"
    return base / "uploads" / safe


def _ingest(path: Path, existing: GraphData) -> tuple[GraphData, object]:
    from zhitu.ingest.pipeline import ingest  # jieba and the lexicon load on first use

    return ingest([path], existing=existing)


def _asked(data: GraphData) -> set[str]:
    """Concepts at least one question mentions."""
    return {m.concept_id for m in data.mentions if m.concept_id in data.concepts}


def _preview(name: str, data: bytes, digest: str) -> Preview:
    path = upload_path(state.target(), name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    existing = state.store().load()
    try:
        merged, report = _ingest(path, existing)
    except ZhituError as e:
        return Preview(digest, error=str(e))
    return Preview(
        digest,
        questions_read=report.questions_read,  # type: ignore[attr-defined]
        new_questions=[q.title for k, q in merged.questions.items() if k not in existing.questions],
        new_concepts=[merged.concepts[c] for c in sorted(_asked(merged) - _asked(existing))],
        candidates=[
            {
                "术语": c.term,
                "出现次数": c.frequency,
                "题目数": c.questions,
                "例句": " / ".join(c.examples[:2]),
            }
            for c in report.candidates  # type: ignore[attr-defined]
        ],
        warnings=list(report.warnings),  # type: ignore[attr-defined]
    )


def _merge(name: str) -> tuple[int, int]:
    """Ingest the kept upload into the store's current data; (questions before, after)."""
    store: GraphStore = state.store()
    path = upload_path(state.target(), name)
    with _merge_lock():
        from zhitu.ui.merge import merge_into  # the pipeline loads on first use

        before = len(store.questions())
        merge_into(store, [str(path)])
        after = len(store.questions())
    state.reload()
    return before, after


def _show(p: Preview) -> None:
    if p.error:
        st.error(md(p.error))
        return
    cols = st.columns(4)
    cols[0].metric("读到题目", p.questions_read)
    cols[1].metric("新增题目", len(p.new_questions))
    cols[2].metric("新增概念", len(p.new_concepts))
    cols[3].metric("警告", len(p.warnings))
    tabs = st.tabs(["新增题目", "新增概念", "候选术语", "警告"])
    with tabs[0]:
        if p.new_questions:
            st.html("<ol>" + "".join(f"<li>{esc(t)}</li>" for t in p.new_questions[:200]) + "</ol>")
        else:
            st.caption("没有新题目（都已经在图谱里了）。")
    with tabs[1]:
        if p.new_concepts:
            st.html(
                "<ul>"
                + "".join(f"<li>{esc(state.concept_label(c))}</li>" for c in p.new_concepts)
                + "</ul>"
            )
        else:
            st.caption("没有新概念。")
    with tabs[2]:
        st.caption("题目里反复出现、但词表里还没有的术语；可以把有用的加进 data/concepts.yaml。")
        if p.candidates:
            st.dataframe(p.candidates, hide_index=True)
    with tabs[3]:
        for w in p.warnings[:200]:
            st.html(f'<div class="zt-meta">{esc(w)}</div>')
        if not p.warnings:
            st.caption("没有警告。")


def render() -> None:
    st.subheader("导入题库", anchor=False)
    st.caption(
        f"支持 {'、'.join('.' + s for s in SUFFIXES)}（UTF-8 或 GB18030），单个文件不超过 "
        f"{MAX_UPLOAD_MB} MB。先预览新增内容，确认后再合并；同名文件再次导入会替换它原来的题目。"
    )
    if st.session_state.get(_DONE):
        st.success(st.session_state.pop(_DONE))
    upload = st.file_uploader(
        "选择题库文件",
        type=list(SUFFIXES),
        max_upload_size=MAX_UPLOAD_MB,
        key=f"bank_upload_{st.session_state.get(_ROUND, 0)}",
    )
    if upload is None:
        return
    data = upload.getvalue()
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        st.error(
            f"文件 {md(upload.name)} 有 {len(data) / 2**20:.1f} MB，超过了 {MAX_UPLOAD_MB} MB "
            "的上限：请拆成几个小文件再导入。"
        )
        return
    digest = hashlib.sha256(data).hexdigest()
    preview: Preview | None = st.session_state.get(_PREVIEW)
    if preview is None or preview.digest != digest:
        with st.spinner("正在分析题库…"):
            preview = _preview(upload.name, data, digest)
        st.session_state[_PREVIEW] = preview
    _show(preview)
    if not preview.error and st.button("合并到图谱", type="primary", icon=":material/merge:"):
        with st.spinner("正在合并…"):
            try:
                before, after = _merge(upload.name)
            except ZhituError as e:
                st.error(md(str(e)))
                return
        st.session_state.pop(_PREVIEW, None)
        st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1  # a fresh, empty uploader
        st.session_state[_DONE] = f"已合并：图谱从 {before} 道题变为 {after} 道题。"
        st.rerun()


if __name__ == "__main__":
    render()
