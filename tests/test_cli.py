"""The zhitu CLI on the hand-made graph: every command's JSON shape, text and error paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli
from zhitu.ui import cli as cli_module
from zhitu.ui import cli_target, supervise

CONCEPT_KEYS = {"id", "name", "aliases"}
REF_KEYS = {"id", "title"}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's graph: no ZHITU_GRAPH, XDG_DATA_HOME in tmp."""
    monkeypatch.delenv("ZHITU_GRAPH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


run = run_cli


def run_json(graph: Path, *args: str) -> object:
    result = run("--graph", str(graph), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_questions_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "questions")
    assert isinstance(doc, list) and len(doc) == 9
    assert all(set(q) == {"id", "title", "concepts"} for q in doc)
    assert all(set(c) == CONCEPT_KEYS | {"focus"} for q in doc for c in q["concepts"])
    lstm = next(q for q in doc if q["id"] == "q-lstm")
    assert [c["id"] for c in lstm["concepts"]] == ["lstm", "rnn", "vanishing-gradient"]


def test_concepts_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "concepts")
    assert all(set(c) == CONCEPT_KEYS | {"category", "questions"} for c in doc)
    assert {c["id"]: c["questions"] for c in doc}["rnn"] == 4
    assert "dropout" not in {c["id"] for c in doc}


def test_question_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "question", "LSTM的原")
    assert set(doc) == {"id", "title", "answer", "analysis", "concepts", "chain", "related"}
    assert doc["id"] == "q-lstm"
    assert [c["id"] for c in doc["chain"]] == ["q-vg", "q-rnn-why"]  # its direct prerequisites
    assert all(set(c) == REF_KEYS for c in doc["chain"])
    assert [r["id"] for r in doc["related"]] == ["q-lstm-f", "q-gru", "q-vg"]  # the stored list
    assert all(set(r) == REF_KEYS | {"score", "shared"} for r in doc["related"])
    assert run_json(toy_file, "question", "q-lstm-f")["related"] == []  # none stored


def test_chain_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "chain", "q-lstm-f")  # the direct prerequisites
    assert doc == {
        "question": {"id": "q-lstm-f", "title": "LSTM每个门的计算公式"},
        "chain": [{"id": "q-lstm", "title": "LSTM的原理"}],
    }
    doc = run_json(toy_file, "chain", "q-lstm-f", "--full")  # the whole closure
    assert doc == {
        "question": {"id": "q-lstm-f", "title": "LSTM每个门的计算公式"},
        "chain": [
            {"id": "q-nn", "title": "什么是神经网络"},
            {"id": "q-rnn", "title": "什么是RNN"},
            {"id": "q-vg", "title": "RNN为什么会出现梯度消失"},
            {"id": "q-rnn-why", "title": "RNN为什么适合处理序列数据"},
            {"id": "q-lstm", "title": "LSTM的原理"},
        ],
    }


def test_related_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "related", "LSTM的原理", "--top", "2")
    assert doc["question"] == {"id": "q-lstm", "title": "LSTM的原理"}
    # the stored list, best first, each with its reason and score (tests/conftest.py TOY_RELATED)
    assert [(r["id"], r["score"], r["shared"]) for r in doc["related"]] == [
        ("q-lstm-f", 0.62, ["都在讲 LSTM"]),
        ("q-gru", 0.41, ["LSTM 和 GRU 常被拿来比较"]),
    ]
    assert run_json(toy_file, "related", "q-lstm-f")["related"] == []  # nothing made up


def test_path_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "path", "--target", "LSTM", "--known", "rnn")
    assert set(doc) == {"steps", "next", "cycles"}
    assert [s["concept"]["id"] for s in doc["steps"]] == ["vanishing-gradient", "lstm"]
    assert all(set(s) == {"concept", "questions", "has_questions"} for s in doc["steps"])
    assert [s["has_questions"] for s in doc["steps"]] == [True, True]
    assert all(set(s["concept"]) == CONCEPT_KEYS for s in doc["steps"])
    assert doc["steps"][1]["questions"] == [
        {"id": "q-lstm", "title": "LSTM的原理"},
        {"id": "q-lstm-f", "title": "LSTM每个门的计算公式"},
    ]
    assert [c["id"] for c in doc["next"]] == ["vanishing-gradient"]
    assert doc["cycles"] == []


def test_path_reports_cycles(toy_file: Path) -> None:
    doc = run_json(toy_file, "path", "--target", "transformer", "--target", "画GRU结构图")
    assert doc["cycles"] == [["attention", "transformer"]]
    assert [s["concept"]["id"] for s in doc["steps"]] == [
        "nn",
        "rnn",
        "attention",  # ties: 2 unmet prerequisites each (nn + the loop; nn + rnn), then by id
        "transformer",
        "gru",
    ]
    # q-att's answer mentions Transformer in passing: no question asks it, a step to read about
    assert {s["concept"]["id"]: s["has_questions"] for s in doc["steps"]} == {
        "nn": True, "rnn": True, "attention": True, "transformer": False, "gru": True}


def test_search_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "search", "LSTM", "公式", "--top", "3")
    assert doc[0]["id"] == "q-lstm-f"
    assert all(set(h) == REF_KEYS | {"score"} for h in doc)
    assert run_json(toy_file, "search", "") == []


def test_stats_json(toy_file: Path) -> None:
    doc = run_json(toy_file, "stats")
    assert doc["questions"] == 9 and doc["concepts"] == 8
    assert doc["relations"]["CONTRASTS_WITH"] == 1 and doc["relations"]["MENTIONS"] == 15


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["questions"], "LSTM每个门的计算公式"),
        (["concepts"], "4 个问题"),
        (["question", "q-lstm"], "参考回答"),
        (["chain", "q-lstm-f"], "  1. LSTM的原理  [先弄懂 LSTM 的基础]\n"),
        (["chain", "q-lstm-f", "--full"], "  3. RNN为什么会出现梯度消失  [先弄懂 RNN，才能理解"),
        (["chain", "q-nn"], "没有前置问题"),
        (["related", "q-lstm"], "  2. 画GRU结构图  (0.410; LSTM 和 GRU 常被拿来比较)"),
        (["related", "q-lstm-f"], "没有与「LSTM每个门的计算公式」相关的问题。"),
        (["path", "--target", "lstm"], "约 70 分钟"),
        (["path", "--target", "transformer"], "循环依赖, 一起学习: attention、transformer"),
        (["path", "--target", "rnn", "--known", "lstm"], "没有需要学习的内容"),
        (["search", "梯度消失"], "RNN为什么会出现梯度消失"),
        (["search", "量子纠缠"], "没有找到匹配的问题"),
        (["stats"], "CONTRASTS_WITH"),
    ],
)
def test_text_output(toy_file: Path, args: list[str], expected: str) -> None:
    result = run("--graph", str(toy_file), *args)
    assert result.exit_code == 0, result.output
    assert expected in result.stdout


def test_env_names_the_graph(toy_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHITU_GRAPH", str(toy_file))
    result = run("stats", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["questions"] == 9


# --- errors ---


def test_unknown_question_lists_suggestions(toy_file: Path) -> None:
    result = run("--graph", str(toy_file), "chain", "卷积核的作用")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "错误: 找不到问题 '卷积核的作用'"
    assert lines[1] == "你是不是要找:"
    assert "  BatchNormalization的作用" in lines[2:] and len(lines) <= 7
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["path", "--target", "lstm", "--known", "LSMT"],  # unknown known concept
        ["path", "--target", "zzzz"],  # neither concept nor question
    ],
)
def test_unknown_concept(toy_file: Path, args: list[str]) -> None:
    result = run("--graph", str(toy_file), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误: 找不到概念")


def test_missing_graph_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run("--graph", str(missing), "stats")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"错误: 图文件 {missing} 不存在; 先运行: zhitu --graph {missing} ingest 题库文件\n"
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_text("{broken", encoding="utf-8"), "图文件不是有效的 JSON"),
        (lambda p: p.mkdir(), "是一个目录"),
    ],
)
def test_bad_graph_file(tmp_path: Path, make, expected: str) -> None:
    target = tmp_path / "g.json"
    make(target)
    result = run("--graph", str(target), "stats", "--json")
    assert result.exit_code == 1
    assert expected in result.stderr and str(target) in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_bad_target_scheme() -> None:
    result = run("--graph", "http://example.com/g", "stats")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: 不支持的图地址 'http://example.com/g'")


def test_ingest_missing_input(tmp_path: Path) -> None:
    result = run("--graph", str(tmp_path / "g.json"), "ingest", str(tmp_path / "none.txt"))
    assert result.exit_code == 1
    assert result.stderr == f"错误: {tmp_path / 'none.txt'}: 文件或目录不存在\n"
    assert not (tmp_path / "g.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["nosuchcommand"],
        ["path"],  # --target is required
        ["related", "q-lstm", "--top", "-1"],
        ["export", "--format", "pdf"],
    ],
)
def test_usage_errors_exit_2(toy_file: Path, args: list[str]) -> None:
    result = run("--graph", str(toy_file), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误: ") and len(result.stderr.splitlines()) == 1
    assert "--help" in result.stderr and result.stdout == ""


def test_interrupt_exits_130_quietly(toy_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("zhitu.graph.memory.MemoryStore.stats", interrupted)
    result = run("--graph", str(toy_file), "stats")
    assert result.exit_code == 130 and result.output == ""


def test_os_error_is_one_line(toy_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/x/y.txt")

    monkeypatch.setattr("zhitu.graph.memory.MemoryStore.stats", unreadable)
    result = run("--graph", str(toy_file), "stats")
    assert result.exit_code == 1
    assert result.stderr == "错误: /x/y.txt: Permission denied\n"


# --- export and serve ---


@pytest.mark.parametrize("fmt", ["json", "graphml", "cypher"])
def test_export_to_file_and_stdout(toy_file: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("--graph", str(toy_file), "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    stdout = run("--graph", str(toy_file), "export", "--format", fmt).stdout
    assert out.read_text(encoding="utf-8") == stdout
    if fmt == "json":
        assert stdout == toy_file.read_text(encoding="utf-8")  # byte-identical to the store


def test_export_to_bad_place(toy_file: Path) -> None:
    result = run("--graph", str(toy_file), "export", "-o", str(toy_file / "x.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: 无法写入")


def test_serve_runs_streamlit_on_the_same_graph(
    toy_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = tmp_path / "app.py"
    app.write_text("")
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cli_module, "_app_path", lambda: app)
    monkeypatch.setattr(
        supervise, "run", lambda cmd, env, url, open_browser: calls.append((cmd, env)) or 0
    )
    result = run("--graph", str(toy_file), "serve", "--port", "8600")
    assert result.exit_code == 0, result.output
    ((command, env),) = calls
    assert command[1:4] == ["-m", "zhitu.ui.launch", str(app)]  # streamlit run, warmed
    assert command[command.index("--server.port") + 1] == "8600"
    assert env["ZHITU_GRAPH"] == str(toy_file.resolve())


def test_serve_without_the_app(
    toy_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cli_module, "_app_path", lambda: tmp_path / "missing" / "app.py")
    result = run("--graph", str(toy_file), "serve")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: 找不到界面程序")


def test_default_graph_path_respects_xdg(tmp_path: Path) -> None:
    assert cli_target.default_graph_path() == tmp_path / "xdg" / "zhitu" / "graph.json"


def test_neo4j_target_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    result = run("--graph", "bolt://localhost:7687", "stats", "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: ") and "NEO4J_PASSWORD" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_same_titled_questions_are_both_offered(tmp_path: Path) -> None:
    # two files ask the same title with different answers: kept apart, and a lookup by that
    # title names both instead of silently picking one
    (tmp_path / "a.txt").write_text("● 模型结构\n参考回答:\nAlexNet 有五个卷积层和三个全连接层。\n",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_text("● 模型结构\n参考回答:\nVGG 堆叠 3x3 卷积, 共十六层。\n",
                                    encoding="utf-8")
    graph = str(tmp_path / "g.json")
    assert run("--graph", graph, "ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))\
        .exit_code == 0
    result = run("--graph", graph, "question", "模型结构")
    assert result.exit_code == 2
    ids = [q["id"] for q in json.loads(run("--graph", graph, "questions", "--json").output)]
    assert len(ids) == 2 and all(i in result.output for i in ids), result.output


def test_symbols_keep_titles_apart(tmp_path: Path) -> None:
    bank = tmp_path / "c.txt"
    bank.write_text("● C中的指针是什么\n参考回答:\n地址。\n● C++中的指针是什么\n参考回答:\n"
                    "也是地址, 另有智能指针。\n", encoding="utf-8")
    graph = str(tmp_path / "g.json")
    assert run("--graph", graph, "ingest", str(bank)).exit_code == 0
    found = json.loads(run("--graph", graph, "question", "C++中的指针是什么", "--json").output)
    assert found["title"] == "C++中的指针是什么"


def test_a_command_in_its_own_process(toy_file: Path, tmp_path: Path) -> None:
    """`zhitu` as a process: the whole answer, the exit code and what exit handlers print come
    out (the process ends without freeing its objects one by one), and a query loads neither
    the pipeline nor the curation code (yaml)."""
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path)}
    code = ("import atexit, sys\n"
            "heavy = {'yaml', 'zhitu.ingest.curate', 'zhitu.ingest.pipeline', 'streamlit'}\n"
            "atexit.register(lambda: print(sorted(heavy & set(sys.modules)), file=sys.stderr))\n"
            "from zhitu.ui.cli import main; sys.argv[0] = 'zhitu'; main()\n")

    def zhitu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code, "--graph", str(toy_file), *args],
                              env=env, capture_output=True, text=True, timeout=120)

    zhitu("stats")  # the sidecar is made
    done = zhitu("chain", "q-lstm", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["question"]["id"] == "q-lstm"
    assert done.stderr.strip() == "[]"
    missing = zhitu("chain", "没有这道题")
    assert missing.returncode == 2 and missing.stderr.startswith("错误: "), missing.stderr
