"""Issue #20 without a browser: the write policy `zhitu serve` hands the app, the admin key
(read, checked, never printed), the change record every ingest leaves and `zhitu log`, and the
bounded preview runner (sweeping, the child process, the time limit)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import make_toy
from zhitu.graph.errors import ZhituError
from zhitu.graph.memory import MemoryStore
from zhitu.ui import cli as cli_module
from zhitu.ui import merge, preview, serving, supervise
from zhitu.ui.cli import cli
from zhitu.ui.serving import Policy

KEY = "k3y-that-must-never-be-printed-7Q"
SAMPLE = Path(__file__).parent / "gold" / "sample.txt"


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.json"
    MemoryStore.open(path).replace(make_toy())
    return path


# --- the policy ---


@pytest.mark.parametrize(
    ("host", "key", "read_only", "expected"),
    [
        ("localhost", "", False, Policy.OPEN),
        ("127.0.0.1", "", False, Policy.OPEN),
        ("::1", "", False, Policy.OPEN),
        ("0.0.0.0", "", False, Policy.READ_ONLY),
        ("192.168.1.5", "", False, Policy.READ_ONLY),
        ("zhitu.example.org", "", False, Policy.READ_ONLY),  # a name may resolve anywhere
        ("0.0.0.0", KEY, False, Policy.KEY),
        ("localhost", KEY, False, Policy.KEY),  # a key given is a key required, even locally
        ("localhost", "", True, Policy.READ_ONLY),
        ("0.0.0.0", KEY, True, Policy.READ_ONLY),
    ],
)
def test_bind_address_and_key_decide_the_policy(host, key, read_only, expected) -> None:
    env = serving.policy_env(host, key, read_only)
    assert serving.policy(env) is expected
    assert set(env) == {serving.ADMIN_KEY_ENV, serving.WRITES_ENV}  # nothing inherited


def test_keys_compare_in_constant_time_and_whole() -> None:
    env = {serving.ADMIN_KEY_ENV: KEY}
    assert serving.key_matches(KEY, env) and serving.key_matches(f" {KEY}\n", env)
    assert not serving.key_matches(KEY[:-1], env) and not serving.key_matches(KEY + "x", env)
    assert not serving.key_matches("", env) and not serving.key_matches(KEY, {})
    assert not serving.key_matches("", {serving.ADMIN_KEY_ENV: "  "})


def test_admin_key_from_file_or_env_and_too_short_or_empty_is_refused(tmp_path) -> None:
    good = tmp_path / "key"
    good.write_text(KEY + "\n", encoding="utf-8")
    assert serving.admin_key(str(good), {}) == KEY
    assert serving.admin_key(str(good), {serving.ADMIN_KEY_ENV: "other-long-key-1234"}) == KEY
    assert serving.admin_key(None, {serving.ADMIN_KEY_ENV: KEY}) == KEY
    assert serving.admin_key(None, {}) == ""
    short = tmp_path / "short"
    short.write_text("abc123\n", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    for path, words in ((short, "太短"), (empty, "是空的"), (tmp_path / "missing", "读不了")):
        with pytest.raises(ZhituError, match=words) as e:
            serving.admin_key(str(path), {})
        assert "abc123" not in str(e.value)
    with pytest.raises(ZhituError, match="太短") as e:
        serving.admin_key(None, {serving.ADMIN_KEY_ENV: "abc123"})
    assert "abc123" not in str(e.value)


def _serve(monkeypatch, toy_file: Path, *args: str, env: dict[str, str] | None = None):
    app = toy_file.parent / "app.py"
    app.write_text("")
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cli_module, "_app_path", lambda: app)
    monkeypatch.setattr(supervise, "run",
                        lambda cmd, env, url, open_browser: calls.append((cmd, env)) or 0)
    for name in (serving.ADMIN_KEY_ENV, serving.WRITES_ENV):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["--graph", str(toy_file), "serve", *args], env=env)
    return result, calls


def test_serve_hands_the_policy_to_the_app_and_never_prints_the_key(
    monkeypatch, toy_file, tmp_path
) -> None:
    key_file = tmp_path / "admin.key"
    key_file.write_text(KEY, encoding="utf-8")
    result, calls = _serve(monkeypatch, toy_file, "--host", "0.0.0.0",
                           "--admin-key-file", str(key_file), "--max-previews", "3",
                           "--preview-timeout", "60")  # fmt: skip
    assert result.exit_code == 0, result.output
    ((command, env),) = calls
    assert env[serving.ADMIN_KEY_ENV] == KEY and serving.policy(env) is Policy.KEY
    assert env[preview.SLOTS_ENV] == "3" and env[preview.TIMEOUT_ENV] == "60"
    assert KEY not in " ".join(command)  # not on the command line (ps shows it)
    assert "--runner.magicEnabled=false" in command  # as in the AppTests (tests/ui/conftest.py)
    assert KEY not in result.output and "管理员密钥" in result.output


def test_serve_elsewhere_without_a_key_is_read_only_and_says_so(monkeypatch, toy_file) -> None:
    result, calls = _serve(monkeypatch, toy_file, "--host", "0.0.0.0",
                           env={serving.WRITES_ENV: "open"})  # an outside "open" is ignored
    assert result.exit_code == 0
    ((_, env),) = calls
    assert serving.policy(env) is Policy.READ_ONLY and "只读" in result.output
    result, calls = _serve(monkeypatch, toy_file)  # the default: localhost, zero set-up
    ((_, env),) = calls
    assert serving.policy(env) is Policy.OPEN
    result, calls = _serve(monkeypatch, toy_file, "--read-only")
    ((_, env),) = calls
    assert serving.policy(env) is Policy.READ_ONLY


def test_serve_refuses_a_short_key_before_starting(monkeypatch, toy_file) -> None:
    result, calls = _serve(monkeypatch, toy_file, env={serving.ADMIN_KEY_ENV: "short-key"})
    assert result.exit_code == 1 and not calls
    assert "太短" in result.output and "short-key" not in result.output


# --- the change record and `zhitu log` ---


def test_every_ingest_is_recorded_and_zhitu_log_shows_it_newest_first(tmp_path) -> None:
    graph = tmp_path / "g.json"
    runner = CliRunner()
    for _ in range(2):
        assert runner.invoke(cli, ["--graph", str(graph), "ingest", str(SAMPLE)]).exit_code == 0
    store = MemoryStore.open(graph)
    store.load()
    found = merge.changes(store.meta)
    assert [c["questions_before"] for c in found] == [found[0]["questions_after"], 0]
    assert all(c["via"] == "cli" and c["action"] == "ingest" and c["files"] == [str(SAMPLE)]
               for c in found)  # fmt: skip
    assert found[0]["when"] >= found[1]["when"] and found[0]["when"].endswith("+00:00")
    result = runner.invoke(cli, ["--graph", str(graph), "log", "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == found
    text = runner.invoke(cli, ["--graph", str(graph), "log", "--limit", "1"]).output
    assert len(text.splitlines()) == 1 and "命令行" in text and "导入" in text and "UTC" in text


def test_log_of_a_graph_without_changes(toy_file) -> None:
    result = CliRunner().invoke(cli, ["--graph", str(toy_file), "log"])
    assert result.exit_code == 0 and "还没有记录的变更" in result.output
    assert json.loads(CliRunner().invoke(cli, ["--graph", str(toy_file), "log", "--json"]).output
                      ) == []  # fmt: skip


def test_the_record_is_capped_and_a_failed_ingest_records_nothing(toy_file, tmp_path) -> None:
    store = MemoryStore.open(toy_file)
    old = [{"when": f"2020-01-01T00:00:{i % 60:02d}+00:00", "n": i} for i in range(600)]
    store.replace(store.load(), meta={"changes": old})
    bank = tmp_path / "b.txt"
    bank.write_text("● 什么是胶囊网络\n参考回答:\n胶囊网络用动态路由。\n", encoding="utf-8")
    merge.merge_into(store, [str(bank)], via="ui", who="张三 <b>", shown=["uploads/b.txt"],
                     session="会话 1234abcd")  # fmt: skip
    found = merge.changes(MemoryStore.open(toy_file).meta)
    assert len(found) == merge.MAX_CHANGES
    assert found[0]["who"] == "张三 <b>" and found[0]["files"] == ["uploads/b.txt"]
    assert found[0]["session"] == "会话 1234abcd" and found[-1]["n"] == 600 - 499
    broken = tmp_path / "x.txt"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    before = toy_file.read_bytes()
    with pytest.raises(ZhituError):
        merge.merge_into(MemoryStore.open(toy_file), [str(broken)])
    assert toy_file.read_bytes() == before


# --- previews: swept, in a child, time-limited ---


def test_sweep_keeps_the_newest_and_drops_the_old(tmp_path) -> None:
    root = tmp_path / ".preview"
    now = time.time()
    for i in range(12):
        d = root / f"s{i:02d}"
        d.mkdir(parents=True)
        (d / "bank.txt").write_text("x")
        os.utime(d, (now - i * 60, now - i * 60))
    stale = root / "stale"
    stale.mkdir()
    os.utime(stale, (now - 2 * preview.MAX_AGE_SECONDS,) * 2)
    mine = root / "mine"
    preview.sweep(root, keep=5, spare=mine)
    assert sorted(p.name for p in root.iterdir()) == ["s00", "s01", "s02", "s03"]
    preview.sweep(root, keep=5)
    assert len(list(root.iterdir())) == 4


def test_a_preview_runs_in_a_child_as_the_final_file_would(tmp_path) -> None:
    graph = tmp_path / "g.json"
    final = tmp_path / "uploads" / "bank.txt"
    final.parent.mkdir()
    final.write_text("● 什么是胶囊网络\n参考回答:\n胶囊网络用动态路由。\n", encoding="utf-8")
    store = MemoryStore.open(graph)
    store.replace(make_toy())
    merge.merge_into(store, [str(final)])
    file = tmp_path / "uploads" / ".preview" / "tok" / "bank.txt"
    file.parent.mkdir(parents=True)
    # the new version of the same file: the old question is replaced, one more is new
    file.write_text("● 什么是胶囊网络\n参考回答:\n胶囊网络用动态路由代替池化。\n"
                    "● 什么是知图测试专用的路由\n参考回答:\n路由。\n",
                    encoding="utf-8")  # fmt: skip
    found = preview.run(str(graph), file, final, timeout=120)
    assert found["questions_read"] == 2 and found["new_question_count"] == 1, found
    assert found["new_questions"] == ["什么是知图测试专用的路由"]
    broken = file.with_name("x.txt")
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    found = preview.run(str(graph), broken, final.with_name("x.txt"), timeout=120)
    assert "x.txt" in found["error"] and ".preview" not in found["error"]


def test_a_preview_past_its_time_limit_is_killed(tmp_path) -> None:
    graph = tmp_path / "g.json"
    MemoryStore.open(graph).replace(make_toy())
    bank = tmp_path / "b.txt"
    bank.write_text("● 什么是胶囊网络\n参考回答:\n胶囊网络用动态路由。\n", encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(preview.PreviewTimeout):
        preview.run(str(graph), bank, bank, timeout=0.3)  # less than the child's imports take
    assert time.monotonic() - start < 10
