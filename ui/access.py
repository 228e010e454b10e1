"""Who may change the shared graph from the UI: the admin-key gate (issue #20).

The policy is the server's environment, which `zhitu serve` sets for its Streamlit child
(ui/serving.py reads it; no Streamlit there, so the CLI can use it too):

- ``ZHITU_ADMIN_KEY`` set (non-empty): changes need the key, asked once per browser session;
- otherwise ``ZHITU_WRITES=open``: anyone who reaches the app may change the graph
  (`zhitu serve` sets it when bound to a loopback address without a key: one user, their laptop);
- otherwise: read-only. An app started any other way (``streamlit run``, a container without a
  key) therefore writes nothing.

A write path calls `gate()` where it draws its controls (it shows the unlock form or the
read-only notice and says whether to go on) and `allowed()` again right before it writes.
The key is compared with hmac.compare_digest, typed into a password field that is cleared on
submit, and never stored in the session, printed or logged; the session keeps only "unlocked".
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import deque

import streamlit as st

from zhitu.ui.render import md
from zhitu.ui.serving import Policy, key_matches, policy

FAILURES_PER_MINUTE = 10  # wrong keys per server and minute before every attempt is refused
_UNLOCKED = "_zhitu_admin_unlocked"
_NAME = "_zhitu_admin_name"
_FORM = "zhitu_admin_unlock"


def clean_name(text: str, limit: int = 40) -> str:
    """A name for the change log: inert text, one line, no control characters, at most `limit`.

    >>> clean_name("  张三\\n<b>x</b>\\x00 ")
    '张三 <b>x</b>'
    """
    chars = (" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join("".join(chars).split())[:limit]


@st.cache_resource
def _failures() -> tuple[threading.Lock, deque[float]]:
    """Wrong-key times, per server process (shared by all sessions)."""
    return threading.Lock(), deque(maxlen=FAILURES_PER_MINUTE)


def _throttled() -> bool:
    lock, times = _failures()
    with lock:
        return len(times) == times.maxlen and time.monotonic() - times[0] < 60


def _failed() -> None:
    lock, times = _failures()
    with lock:
        times.append(time.monotonic())
    time.sleep(1)  # slows a guessing session down; the key itself is the real protection


def allowed() -> bool:
    """Whether this browser session may change the shared graph now."""
    found = policy()
    if found is Policy.OPEN:
        return True
    return found is Policy.KEY and bool(st.session_state.get(_UNLOCKED))


def who() -> str:
    """Who a change from this session is recorded as (inert text)."""
    found = policy()
    if found is Policy.OPEN:
        return "本机用户 (未设管理员密钥)"
    name = st.session_state.get(_NAME) or ""
    return f"{name} (管理员密钥)" if name else "管理员 (管理员密钥)"


def session_label() -> str:
    """A short, stable label of this browser session (and its address when known), for the log."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        session = ctx.session_id[:8] if ctx is not None else ""
    except Exception:  # noqa: BLE001  (outside a script run: no session)
        session = ""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001  (older Streamlit or bare mode)
        ip = None
    ip = ip if isinstance(ip, str) else ""
    return " ".join(p for p in (f"会话 {session}" if session else "", ip) if p)


def _unlock_form(what: str) -> None:
    st.info(f"{what}需要管理员密钥：每个浏览器会话输入一次。没有密钥也可以浏览图谱。",
            icon=":material/lock:")
    if _throttled():
        st.error("密钥输错的次数太多，请一分钟后再试。")
        return
    with st.form(_FORM, clear_on_submit=True, enter_to_submit=True):
        key = st.text_input("管理员密钥", type="password", max_chars=512,
                            autocomplete="current-password")
        name = st.text_input("你的名字（写进变更记录，可不填）", max_chars=40)
        submitted = st.form_submit_button("解锁", icon=":material/key:")
    if not submitted:
        return
    if _throttled():
        st.error("密钥输错的次数太多，请一分钟后再试。")
    elif key_matches(key):
        st.session_state[_UNLOCKED] = True
        st.session_state[_NAME] = clean_name(name)
        st.rerun()
    else:
        _failed()
        st.error("管理员密钥不对，没有解锁。")


def gate(what: str = "导入和修改图谱") -> bool:
    """Draw what this session needs before `what` (a Chinese phrase); True when it may write.

    OPEN: nothing drawn. KEY: the unlock form until the key was given, then a caption and a
    "lock" button. READ_ONLY: a notice saying how an operator enables changes.
    """
    found = policy()
    if found is Policy.OPEN:
        return True
    if found is Policy.READ_ONLY:
        st.info(
            f"这个知图是只读的：服务器没有设置管理员密钥，不能在界面里{what}。"
            "管理员可以用 `zhitu serve --admin-key-file 文件` 或环境变量 ZHITU_ADMIN_KEY "
            "启动服务，或者在服务器上用命令行 `zhitu ingest`。",
            icon=":material/lock:",
        )
        return False
    if not st.session_state.get(_UNLOCKED):
        _unlock_form(what)
        return False
    cols = st.columns([4, 1])
    cols[0].caption(f"已用管理员密钥解锁：你的改动会以「{md(who())}」记在变更记录里。")
    if cols[1].button("锁定", icon=":material/lock:", key="zhitu_admin_lock"):
        lock()
        st.rerun()
    return True


def lock() -> None:
    """Forget this session's unlock."""
    st.session_state.pop(_UNLOCKED, None)
    st.session_state.pop(_NAME, None)


def refuse(what: str = "修改图谱") -> None:
    """The message for a write attempted without permission (a second check at write time)."""
    st.error(f"没有权限{what}：需要管理员密钥。")
