"""导入: upload a bank file, preview what it adds, then merge it into the store.

Changing the shared graph needs permission (ui/access.py: the admin key, or a loopback server
without one); without it the page says so and shows only the change record.
An upload is previewed in a child process under a per-server limit of concurrent previews and a
time limit (ui/preview.py), from uploads/.preview/<session>/NAME; merging moves it to
uploads/NAME next to the graph, so its questions' sources read "uploads/NAME:12" and importing a
new version of the same file replaces its questions. The merge re-runs the ingest under a
process-wide lock on the store's current data, so two sessions importing at once cannot lose
each other's questions, and records who changed what (meta["changes"], `zhitu log`).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from zhitu.graph.errors import ZhituError
from zhitu.graph.store import GraphStore, is_neo4j_target
from zhitu.ui import access, preview, state
from zhitu.ui.render import esc, md

MAX_UPLOAD_MB = 20
SUFFIXES = ("txt", "md", "markdown", "json", "jsonl", "csv")
_PREVIEW = "_import_preview"
_DONE = "_import_done"
_ROUND = "_import_round"
_TOKEN = "_import_token"
CHANGES_SHOWN = 20


@dataclass
class Preview:
    digest: str
    name: str = ""  # the uploaded file's name
    questions_read: int = 0
    new_question_count: int = 0
    new_questions: list[str] = field(default_factory=list)  # titles (the first 200)
    new_concepts: list[str] = field(default_factory=list)  # labels; no question mentioned them
    candidates: list[dict[str, object]] = field(default_factory=list)
    warning_count: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""


@st.cache_resource
def _merge_lock() -> threading.Lock:
    return threading.Lock()


@st.cache_resource
def _preview_slots() -> threading.BoundedSemaphore:
    """At most preview.slots() previews at once in this server, over all sessions."""
    return threading.BoundedSemaphore(preview.slots())


def upload_path(target: str, name: str) -> Path:
    """Where an upload is kept: uploads/ next to the graph file (~/.zhitu/uploads for Neo4j).

    >>> upload_path("/g/graph.json", "../../题库 v2.txt").as_posix()
    '/g/uploads/题库_v2.txt'
    """
    base = Path.home() / ".zhitu" if is_neo4j_target(target) else Path(target).resolve().parent
    safe = re.sub(r"[^\w.\-]+", "_", Path(name).name).lstrip(".") or "bank.txt"
    return base / "uploads" / safe


def _token() -> str:
    """This browser session's preview folder name (random, never shown)."""
    if _TOKEN not in st.session_state:
        st.session_state[_TOKEN] = secrets.token_hex(8)
    return st.session_state[_TOKEN]


def _preview_file(name: str) -> Path:
    final = upload_path(state.target(), name)
    return final.parent / preview.PREVIEW_DIR / _token() / final.name


def _forget_preview() -> None:
    folder = upload_path(state.target(), "x").parent / preview.PREVIEW_DIR / _token()
    shutil.rmtree(folder, ignore_errors=True)


def _preview(name: str, data: bytes, digest: str) -> Preview:
    final = upload_path(state.target(), name)
    file = _preview_file(name)
    preview.sweep(file.parent.parent, spare=file.parent)
    shutil.rmtree(file.parent, ignore_errors=True)  # this session's previous preview
    file.parent.mkdir(parents=True, mode=0o700)
    file.write_bytes(data)
    try:
        found = preview.run(state.target(), file, final)
    except preview.PreviewTimeout:
        _forget_preview()
        limit = preview.timeout_seconds()
        return Preview(digest, name, error=f"预览超过了 {limit:g} 秒的时间上限，已取消："
                       "文件太大或太复杂，请拆成几个小文件再导入。")
    if found.get("error"):
        _forget_preview()
        return Preview(digest, name, error=str(found["error"]))
    return Preview(
        digest,
        name,
        questions_read=int(found.get("questions_read", 0)),
        new_question_count=int(found.get("new_question_count", 0)),
        new_questions=[str(t) for t in found.get("new_questions", [])],
        new_concepts=[
            f"{c['name']} · {c['zh']}" if c.get("zh") and c["zh"] != c["name"] else str(c["name"])
            for c in found.get("new_concepts", [])
        ],
        candidates=list(found.get("candidates", [])),
        warning_count=int(found.get("warning_count", 0)),
        warnings=[str(w) for w in found.get("warnings", [])],
    )


class _Expired(ZhituError):
    pass


def _merge(name: str) -> tuple[int, int]:
    """Move the previewed upload to uploads/NAME and ingest it into the store's current data;
    (questions before, after). The previous upload of that name comes back if the merge fails."""
    store: GraphStore = state.store()
    source = _preview_file(name)
    final = upload_path(state.target(), name)
    with _merge_lock():
        from zhitu.ui.merge import merge_into  # the pipeline loads on first use

        if not source.is_file():
            raise _Expired("这次预览已经过期（超过一小时，或被更新的预览替换），请重新上传文件。")
        backup = final.with_name(f".{final.name}.{_token()}.old")
        if final.exists():
            os.replace(final, backup)
        os.replace(source, final)
        try:
            before = len(store.questions())
            merge_into(store, [str(final)], via="ui", who=access.who(),
                       shown=[f"uploads/{final.name}"], session=access.session_label())
            after = len(store.questions())
        except BaseException:
            os.replace(final, source)
            if backup.exists():
                os.replace(backup, final)
            raise
        backup.unlink(missing_ok=True)
    _forget_preview()
    state.reload()
    return before, after


def _show(p: Preview) -> None:
    if p.error:
        st.error(md(p.error))
        return
    cols = st.columns(4)
    cols[0].metric("读到题目", p.questions_read)
    cols[1].metric("新增题目", p.new_question_count)
    cols[2].metric("新增概念", len(p.new_concepts))
    cols[3].metric("警告", p.warning_count)
    tabs = st.tabs(["新增题目", "新增概念", "候选术语", "警告"])
    with tabs[0]:
        if p.new_questions:
            st.html("<ol>" + "".join(f"<li>{esc(t)}</li>" for t in p.new_questions) + "</ol>")
            if p.new_question_count > len(p.new_questions):
                st.caption(f"只列出前 {len(p.new_questions)} 道，共 {p.new_question_count} 道。")
        else:
            st.caption("没有新题目（都已经在图谱里了）。")
    with tabs[1]:
        if p.new_concepts:
            st.html(
                "<ul>"
                + "".join(f"<li>{esc(label)}</li>" for label in p.new_concepts)
                + "</ul>"
            )
        else:
            st.caption("没有新概念。")
    with tabs[2]:
        st.caption("题目里反复出现、但词表里还没有的术语；可以把有用的加进 data/concepts.yaml。")
        if p.candidates:
            st.dataframe(p.candidates, hide_index=True)
    with tabs[3]:
        for w in p.warnings:
            st.html(f'<div class="zt-meta">{esc(w)}</div>')
        if not p.warnings:
            st.caption("没有警告。")


def _show_changes() -> None:
    """The store's recent changes, newest first (names are shown as plain text)."""
    from zhitu.ui.merge import changes, described

    found = changes(state.guarded(lambda: state.store().meta))[:CHANGES_SHOWN]
    with st.expander(f"最近的变更（{len(found)}）", icon=":material/history:"):
        if not found:
            st.caption("还没有记录的变更。命令行里可以用 `zhitu log` 查看全部。")
            return
        st.dataframe(
            [described(c) for c in found],
            hide_index=True,
        )
        st.caption("完整记录：`zhitu log`。")


def render() -> None:
    st.subheader("导入题库", anchor=False)
    st.caption(
        f"支持 {'、'.join('.' + s for s in SUFFIXES)}（UTF-8 或 GB18030），单个文件不超过 "
        f"{MAX_UPLOAD_MB} MB。先预览新增内容，确认后再合并；同名文件再次导入会替换它原来的题目。"
    )
    if not access.gate("导入题库"):
        _show_changes()
        return
    if st.session_state.get(_DONE):
        st.success(st.session_state.pop(_DONE))
    _upload()
    _show_changes()


def _upload() -> None:
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
    digest = hashlib.sha256(upload.name.encode("utf-8") + b"\0" + data).hexdigest()
    shown: Preview | None = st.session_state.get(_PREVIEW)
    if shown is None or shown.digest != digest:
        slots = _preview_slots()
        if not slots.acquire(blocking=False):
            st.warning(f"服务器正忙：已经有 {preview.slots()} 个导入预览在进行，请稍等一会儿再试"
                       "（重新选择文件即可）。", icon=":material/hourglass_top:")
            return
        try:
            with st.spinner("正在分析题库…"):
                shown = _preview(upload.name, data, digest)
        finally:
            slots.release()
        st.session_state[_PREVIEW] = shown
    _show(shown)
    if not shown.error and st.button("合并到图谱", type="primary", icon=":material/merge:"):
        if not access.allowed():  # checked again at the moment of writing
            access.refuse("合并到图谱")
            return
        with st.spinner("正在合并…"):
            try:
                before, after = _merge(upload.name)
            except ZhituError as e:
                st.session_state.pop(_PREVIEW, None)
                st.error(md(str(e)))
                return
        st.session_state.pop(_PREVIEW, None)
        st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1  # a fresh, empty uploader
        st.session_state[_DONE] = f"已合并：图谱从 {before} 道题变为 {after} 道题。"
        st.rerun()


if __name__ == "__main__":
    render()
