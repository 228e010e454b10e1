"""The write policy of a served app, without Streamlit: read by `zhitu serve` and ui/access.py.

- ``ZHITU_ADMIN_KEY`` set (non-empty): changes from the UI need the key;
- otherwise ``ZHITU_WRITES=open``: anyone who reaches the app may change the graph;
- otherwise: read-only.

`zhitu serve` turns its options into that environment for the Streamlit child (`policy_env`):
a key from --admin-key-file or $ZHITU_ADMIN_KEY; no key and a loopback address: open; no key
and any other address: read-only. The key is never printed.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path

from zhitu.graph.errors import ZhituError

ADMIN_KEY_ENV = "ZHITU_ADMIN_KEY"
WRITES_ENV = "ZHITU_WRITES"
MIN_KEY_CHARS = 12
MAKE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"


class Policy(Enum):
    OPEN = "open"  # anyone who reaches the app may write (loopback, no key)
    KEY = "key"  # the admin key unlocks writes for a browser session
    READ_ONLY = "read-only"


def policy(environ: Mapping[str, str] | None = None) -> Policy:
    """The server's write policy.

    >>> policy({})
    <Policy.READ_ONLY: 'read-only'>
    >>> policy({"ZHITU_WRITES": "open"})
    <Policy.OPEN: 'open'>
    >>> policy({"ZHITU_WRITES": "open", "ZHITU_ADMIN_KEY": "a-long-secret-key"})
    <Policy.KEY: 'key'>
    """
    env = os.environ if environ is None else environ
    if env.get(ADMIN_KEY_ENV, "").strip():
        return Policy.KEY
    if env.get(WRITES_ENV, "").strip().lower() == "open":
        return Policy.OPEN
    return Policy.READ_ONLY


def key_matches(given: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether `given` is the admin key (constant time; False when there is no key).

    >>> key_matches("a-long-secret-key", {"ZHITU_ADMIN_KEY": "a-long-secret-key"})
    True
    >>> key_matches("a-long-secret-kez", {"ZHITU_ADMIN_KEY": "a-long-secret-key"})
    False
    >>> key_matches("", {})
    False
    """
    env = os.environ if environ is None else environ
    key = env.get(ADMIN_KEY_ENV, "").strip()
    if not key:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), key.encode("utf-8"))


def is_loopback(host: str) -> bool:
    """Whether binding `host` serves this machine only.

    >>> [is_loopback(h) for h in ("localhost", "127.0.0.1", "::1", "0.0.0.0", "", "10.0.0.2")]
    [True, True, True, False, False, False]
    """
    name = host.strip().strip("[]").lower()
    if name in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def admin_key(key_file: str | None, environ: Mapping[str, str]) -> str:
    """The admin key from `key_file` (first line) or $ZHITU_ADMIN_KEY; "" when neither is set.

    Raises ZhituError (one Chinese line that never quotes the key) for an unreadable or empty
    file and for a key shorter than MIN_KEY_CHARS.
    """
    if key_file:
        try:
            lines = Path(key_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            reason = getattr(e, "strerror", "") or "不是 UTF-8 文本"
            raise ZhituError(f"读不了管理员密钥文件 {key_file}: {reason}") from None
        key = lines[0].strip() if lines else ""
        if not key:
            raise ZhituError(f"管理员密钥文件 {key_file} 是空的; 生成一个: {MAKE_KEY} > {key_file}")
        where = f"文件 {key_file} 里的"
    else:
        key = environ.get(ADMIN_KEY_ENV, "").strip()
        where = f"环境变量 {ADMIN_KEY_ENV} 里的"
    if key and len(key) < MIN_KEY_CHARS:
        raise ZhituError(
            f"{where}管理员密钥太短 (至少 {MIN_KEY_CHARS} 个字符); 生成一个: {MAKE_KEY}"
        )
    return key


def policy_env(host: str, key: str, read_only: bool) -> dict[str, str]:
    """The Streamlit child's policy variables (all three set, so nothing leaks in from outside).

    >>> policy_env("localhost", "", False)["ZHITU_WRITES"], policy_env("0.0.0.0", "", False)
    ('open', {'ZHITU_ADMIN_KEY': '', 'ZHITU_WRITES': 'closed'})
    """
    if read_only:
        return {ADMIN_KEY_ENV: "", WRITES_ENV: "closed"}
    if key:
        return {ADMIN_KEY_ENV: key, WRITES_ENV: "key"}
    return {ADMIN_KEY_ENV: "", WRITES_ENV: "open" if is_loopback(host) else "closed"}


def policy_text(found: Policy, host: str) -> str:
    """One line for the operator about what the UI lets visitors change (never the key)."""
    if found is Policy.KEY:
        return "界面里导入和修改图谱需要管理员密钥 (每个浏览器会话输入一次); 变更记录: zhitu log"
    if found is Policy.OPEN:
        return f"本机使用: 只监听 {host}, 界面可以直接导入, 不需要管理员密钥"
    return (
        "界面只读: 没有设置管理员密钥 (--admin-key-file 文件 或环境变量 ZHITU_ADMIN_KEY)"
        + ("" if is_loopback(host) else f"; 监听 {host} 时不设密钥就不能在界面里修改图谱")
    )
