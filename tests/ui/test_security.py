"""Issue #20 in the app: changing the shared graph needs permission, the key never shows, every
change is recorded, previews are bounded (AppTest), and the same in a real browser."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
import streamlit as st
from click.testing import CliRunner

from tests.conftest import make_toy
from tests.ui.browser_kit import WAIT_MS, free_port, idle, needs_chromium, server, shot
from tests.ui.conftest import run
from zhitu.graph.memory import MemoryStore
from zhitu.ui import preview
from zhitu.ui.cli import cli
from zhitu.ui.merge import changes
from zhitu.ui.render import md

KEY = "test-admin-key-Zx81-never-shown"
PAGE = "views/import_bank.py"
BANK = "● 什么是知图测试专用的胶囊网络路由\n参考回答:\n胶囊网络用动态路由代替池化。\n"


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    path = tmp_path / "graph.json"
    MemoryStore.open(path).replace(make_toy())
    return path


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHITU_ADMIN_KEY", KEY)
    monkeypatch.delenv("ZHITU_WRITES", raising=False)


def _inputs(at):  # noqa: ANN001, ANN202
    """The page's text inputs, without the sidebar's 学习者 box (learner progress is not the
    graph: it is open on every server, docs/SERVING.md)."""
    return [t for t in at.text_input if t.key != "learner_input"]


def everything(at) -> str:
    """Every element's protobuf on the page, as text (values, labels, bodies)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def unlock(at, key: str, name: str = ""):
    _inputs(at)[0].input(key)
    if name:
        _inputs(at)[1].input(name)
    next(b for b in at.button if b.label == "解锁").click()
    return at.run()


def test_without_a_policy_the_import_page_is_read_only(graph, monkeypatch) -> None:
    monkeypatch.delenv("ZHITU_ADMIN_KEY", raising=False)
    monkeypatch.delenv("ZHITU_WRITES", raising=False)
    at = run(graph, monkeypatch, PAGE)
    assert at.info and "只读" in at.info[0].value
    assert not at.file_uploader and not _inputs(at) and not at.button
    assert at.expander and at.expander[0].label.startswith("最近的变更")


def test_with_a_key_the_page_asks_for_it_and_a_wrong_one_unlocks_nothing(
    graph, monkeypatch, keyed
) -> None:
    at = run(graph, monkeypatch, PAGE)
    assert "管理员密钥" in at.info[0].value and not at.file_uploader
    assert _inputs(at)[0].proto.type == _inputs(at)[0].proto.PASSWORD
    at = unlock(at, KEY[:-1] + "?")
    assert at.error and "不对" in at.error[0].value
    assert not at.file_uploader and KEY[:-1] not in everything(at)


def test_the_right_key_unlocks_merges_and_the_change_is_recorded(
    graph, monkeypatch, keyed
) -> None:
    before = MemoryStore.open(graph).stats()["questions"]
    at = unlock(run(graph, monkeypatch, PAGE), KEY, name="张三<script>")
    assert not at.exception and at.file_uploader
    assert KEY not in everything(at)  # the password field was cleared, nothing echoes it
    assert KEY not in repr(at.session_state)  # the session keeps "unlocked", not the key
    assert any(md("张三<script> (管理员密钥)") in c.value for c in at.caption)  # inert text
    at.file_uploader[0].upload("新题库.txt", BANK.encode("utf-8"), "text/plain").run()
    assert not at.exception and at.metric[1].value == "1"
    next(b for b in at.button if b.label == "合并到图谱").click()
    at.run()
    assert not at.exception and "已合并" in at.success[0].value
    store = MemoryStore.open(graph)
    assert store.stats()["questions"] == before + 1
    (change,) = changes(store.meta)
    assert change["via"] == "ui" and change["who"] == "张三<script> (管理员密钥)"
    assert change["files"] == ["uploads/新题库.txt"] and change["questions_after"] == before + 1
    assert (graph.parent / "uploads" / "新题库.txt").is_file()
    assert not any((graph.parent / "uploads" / ".preview").iterdir())  # cleaned after merge
    # the lock button forgets the key for this session
    next(b for b in at.button if b.label == "锁定").click()
    at.run()
    assert not at.file_uploader and _inputs(at) and _inputs(at)[0].value == ""


def test_a_new_session_must_unlock_again(graph, monkeypatch, keyed) -> None:
    unlock(run(graph, monkeypatch, PAGE), KEY)
    at = run(graph, monkeypatch, PAGE)  # another browser session
    assert not at.file_uploader and _inputs(at)


def test_too_many_wrong_keys_lock_every_session_out_for_a_minute(
    graph, monkeypatch, keyed
) -> None:
    from zhitu.ui import access

    monkeypatch.setattr(access.time, "sleep", lambda s: None)
    st.cache_resource.clear()
    try:
        at = run(graph, monkeypatch, PAGE)
        for i in range(access.FAILURES_PER_MINUTE):
            at = unlock(at, f"wrong-{i}-xxxxxxxx")
        at = run(graph, monkeypatch, PAGE)  # a fresh session is throttled too
        assert any("太多" in e.value for e in at.error) and not _inputs(at)
    finally:
        st.cache_resource.clear()


def test_previews_stay_bounded_under_a_loop_of_50(graph, monkeypatch) -> None:
    monkeypatch.setenv("ZHITU_WRITES", "open")
    calls: list[Path] = []

    def fake(target, file, final, timeout=None):  # the child's work is tested elsewhere
        calls.append(file)
        assert file.is_file() and file.parent.parent.name == preview.PREVIEW_DIR
        return {"questions_read": 1, "new_question_count": 1, "new_questions": ["x"]}

    monkeypatch.setattr(preview, "run", fake)
    at = run(graph, monkeypatch, PAGE)
    root = graph.parent / "uploads" / preview.PREVIEW_DIR
    for i in range(50):
        if i % 3:  # most loops come from a new browser session, some from the same one
            at.session_state["_import_token"] = f"session{i:02d}"
        at.file_uploader[0].upload(f"bank{i}.txt", f"{BANK}{i}".encode(), "text/plain").run()
        assert not at.exception and at.metric[0].value == "1"
        kept = list(root.iterdir())
        assert len(kept) <= preview.KEEP_PREVIEWS, i
        assert sum(len(list(d.iterdir())) for d in kept) <= preview.KEEP_PREVIEWS
    assert len(calls) == 50
    assert {p.name for p in (graph.parent / "uploads").iterdir()} == {preview.PREVIEW_DIR}


def test_a_busy_server_says_so(graph, monkeypatch) -> None:
    monkeypatch.setenv("ZHITU_WRITES", "open")

    class Full:
        def acquire(self, blocking: bool = True) -> bool:
            return False

    st.cache_resource.clear()
    monkeypatch.setattr(threading, "BoundedSemaphore", lambda n: Full())
    try:
        at = run(graph, monkeypatch, PAGE)
        at.file_uploader[0].upload("b.txt", BANK.encode(), "text/plain").run()
        assert at.warning and "服务器正忙" in at.warning[0].value and not at.metric
    finally:
        monkeypatch.undo()
        st.cache_resource.clear()


def test_a_preview_past_its_time_limit_is_cancelled_with_a_message(graph, monkeypatch) -> None:
    monkeypatch.setenv("ZHITU_WRITES", "open")
    monkeypatch.setenv(preview.TIMEOUT_ENV, "0.5")  # less than the child's imports take
    at = run(graph, monkeypatch, PAGE)
    at.file_uploader[0].upload("b.txt", BANK.encode(), "text/plain").run()
    assert at.error and "时间上限" in at.error[0].value and not at.button
    assert not any((graph.parent / "uploads" / preview.PREVIEW_DIR).iterdir())


# --- the real browser: a server with a key, visitors without it ---


@needs_chromium
def test_in_the_browser_only_the_key_changes_the_graph_and_it_never_shows(
    browser, graph, tmp_path
) -> None:
    key_file = tmp_path / "admin.key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    bank = tmp_path / "新题库.txt"
    bank.write_text(BANK, encoding="utf-8")
    before = graph.read_bytes()
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "zhitu", "--graph", str(graph), "serve", "--port", str(port),
               "--admin-key-file", str(key_file)]  # fmt: skip
    with server(command, log, port) as url:
        visitor = browser.new_page()
        visitor.goto(f"{url}/import")
        visitor.get_by_text("需要管理员密钥").wait_for(timeout=WAIT_MS)
        idle(visitor)
        assert not visitor.locator("[data-testid=stFileUploaderDropzoneInput]").count()
        password = visitor.get_by_label("管理员密钥")
        assert password.get_attribute("type") == "password"
        password.fill("not-the-key-at-all")
        visitor.get_by_role("button", name="解锁").click()
        visitor.get_by_text("管理员密钥不对").wait_for(timeout=WAIT_MS)
        idle(visitor)
        assert not visitor.locator("[data-testid=stFileUploaderDropzoneInput]").count()
        shot(visitor, "security-locked")

        admin = browser.new_page()
        admin.goto(f"{url}/import")
        admin.get_by_label("管理员密钥").fill(KEY)
        admin.get_by_label("你的名字（写进变更记录，可不填）").fill("李四")
        admin.get_by_role("button", name="解锁").click()
        uploader = admin.locator("[data-testid=stFileUploaderDropzoneInput]")
        uploader.wait_for(state="attached", timeout=WAIT_MS)
        idle(admin)
        assert KEY not in admin.content()
        assert admin.get_by_label("管理员密钥").count() == 0  # the form is gone once unlocked
        uploader.set_input_files(str(bank))
        admin.get_by_role("button", name="合并到图谱").wait_for(timeout=WAIT_MS * 2)
        admin.get_by_role("button", name="合并到图谱").click()
        admin.get_by_text("已合并").wait_for(timeout=WAIT_MS * 2)
        idle(admin)
        admin.get_by_text("最近的变更").click()
        admin.get_by_text("李四 (管理员密钥)").first.wait_for(timeout=WAIT_MS)
        shot(admin, "security-merged")
        assert KEY not in admin.content()

        visitor.reload()  # the visitor's session is still locked
        visitor.get_by_text("需要管理员密钥").wait_for(timeout=WAIT_MS)
        idle(visitor)
        assert not visitor.locator("[data-testid=stFileUploaderDropzoneInput]").count()
        assert KEY not in visitor.content()
        admin.close()
        visitor.close()
    assert graph.read_bytes() != before
    assert KEY not in log.read_text(encoding="utf-8")  # nor in the server's output
    result = CliRunner().invoke(cli, ["--graph", str(graph), "log", "--json"])
    (change,) = json.loads(result.output)
    assert change["who"] == "李四 (管理员密钥)" and change["via"] == "ui"
    assert change["files"] == ["uploads/新题库.txt"] and "会话" in change["session"]
