"""The CLI over the real pipeline: ingest, the default graph, candidates, and answers on real
banks (the checked-in mini bank and the bundled bank) that an interviewer would agree with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from zhitu import data
from zhitu.graph.memory import MemoryStore
from zhitu.ui import cli_target

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini_bank.txt"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ZHITU_GRAPH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


run = run_cli


def run_json(*args: str) -> object:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def titles(items: list[dict[str, object]]) -> list[object]:
    return [i["title"] for i in items]


# --- ingest ---


def test_ingest_json_shape(tmp_path: Path) -> None:
    doc = run_json("--graph", str(tmp_path / "g.json"), "ingest", str(MINI))
    assert set(doc) == {"questions", "concepts", "relations", "warnings", "files", "merges"}
    assert doc["questions"] == 8 and doc["warnings"] == [] and doc["merges"] == []
    (report,) = doc["files"]
    assert report["file"] == str(MINI) and report["questions"] == 8
    assert report["lines_kept"] + report["lines_skipped"] == report["lines"]
    assert doc["relations"]["MENTIONS"] > 8 and doc["relations"]["PREREQUISITE_OF"] > 0
    meta = MemoryStore.open(tmp_path / "g.json").meta
    assert meta["built_from"] == [str(MINI)]
    (change,) = meta["changes"]  # type: ignore[misc]
    assert change["files"] == [str(MINI)] and change["questions_after"] == 8


def test_ingest_text_summary(tmp_path: Path) -> None:
    result = run("--graph", str(tmp_path / "g.json"), "ingest", str(MINI))
    assert result.exit_code == 0, result.output
    assert "读入 8 个问题" in result.stdout and "问题: 8" in result.stdout


def test_reingest_replaces_the_files_questions(tmp_path: Path) -> None:
    bank = tmp_path / "bank.txt"
    shutil.copy(MINI, bank)
    graph = str(tmp_path / "g.json")
    run_json("--graph", graph, "ingest", str(bank))
    assert run_json("--graph", graph, "ingest", str(bank))["questions"] == 8  # same file: no dups
    bank.write_text(MINI.read_text(encoding="utf-8").replace("什么是dropout", "dropout的作用"))
    assert run_json("--graph", graph, "ingest", str(bank))["questions"] == 8
    found = titles(run_json("--graph", graph, "questions"))
    assert "dropout的作用" in found and "什么是dropout" not in found


def test_ingest_merges_files(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("● 什么是GRU\n参考回答:\nGRU是只有更新门和重置门的RNN。\n", encoding="utf-8")
    graph = str(tmp_path / "g.json")
    run_json("--graph", graph, "ingest", str(MINI))
    assert run_json("--graph", graph, "ingest", str(other))["questions"] == 9
    assert MemoryStore.open(graph).meta["built_from"] == [str(MINI), str(other)]


def test_ingest_into_an_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("--graph", str(blocker / "g.json"), "ingest", str(MINI))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误: 无法写入 {blocker / 'g.json'}")
    assert len(result.stderr.splitlines()) == 1


def test_ingest_a_file_without_questions(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("这里没有题目。\n", encoding="utf-8")
    result = run("--graph", str(tmp_path / "g.json"), "ingest", str(empty))
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: ") and "empty.txt" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output


# --- the default graph ---


def test_default_graph_is_built_from_the_bundled_bank(tmp_path: Path) -> None:
    result = run("stats", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["questions"] > 200
    assert "构建知识图谱" in result.stderr  # click's progress bar (only the label without a tty)
    path = tmp_path / "xdg" / "zhitu" / "graph.json"
    meta = MemoryStore.open(path).meta
    assert meta == {"built_from": ["bundled"], "fingerprint": cli_target.bundled_fingerprint()}
    again = run("stats", "--json")
    assert again.exit_code == 0 and again.stderr == ""  # built once


@pytest.mark.parametrize(
    ("built_from", "rebuilt"),
    [
        (["bundled"], True),  # stale bundled data: rebuilt
        (["bundled", "my_bank.txt"], False),  # the learner's own questions are never dropped
    ],
)
def test_default_graph_rebuilt_only_when_it_holds_only_bundled_data(
    tmp_path: Path, toy_store: MemoryStore, built_from: list[str], rebuilt: bool
) -> None:
    path = tmp_path / "xdg" / "zhitu" / "graph.json"
    MemoryStore.open(path).replace(toy_store.load(), {"built_from": built_from, "fingerprint": "0"})
    doc = run_json("stats")
    assert (doc["questions"] != 9) is rebuilt


def test_ingest_into_the_default_graph_keeps_the_bundled_bank(tmp_path: Path) -> None:
    before = run_json("stats")["questions"]
    doc = run_json("ingest", str(FIXTURES / "mini_bank.txt"))
    assert before <= doc["questions"] <= before + 8
    meta = MemoryStore.open(tmp_path / "xdg" / "zhitu" / "graph.json").meta
    assert meta["built_from"] == ["bundled", str(MINI)] and meta["fingerprint"]


# --- candidates ---


def test_candidates_json(bundled_graph: Path) -> None:
    doc = run_json("--graph", str(bundled_graph), "candidates", "--top", "5")
    assert isinstance(doc, list) and len(doc) <= 5
    for c in doc:
        assert set(c) == {"term", "frequency", "questions", "examples"}
        assert c["questions"] >= 2 and c["frequency"] >= c["questions"]


# --- answers an interviewer agrees with ---


def test_mini_chain_of_the_lstm_formula(mini_graph: Path) -> None:
    args = ("--graph", str(mini_graph), "chain", "LSTM每个门的计算公式")
    chain = titles(run_json(*args)["chain"])  # the direct prerequisites
    full = titles(run_json(*args, "--full")["chain"])  # every one, fundamentals first
    assert "什么是LSTM" in chain and set(chain) <= set(full)
    assert full[0] == "什么是RNN"  # 神经网络 is generic (data/concepts.yaml): no link's source
    assert full.index("什么是RNN") < full.index("什么是LSTM")
    assert "什么是dropout" not in full and "画GRU结构图" not in full


def test_mini_path_to_lstm_knowing_rnn(mini_graph: Path) -> None:
    doc = run_json("--graph", str(mini_graph), "path", "--target", "LSTM", "--known", "rnn")
    steps = [s["concept"]["id"] for s in doc["steps"]]
    assert steps[-1] == "lstm" and "vanishing-gradient" in steps
    assert "rnn" not in steps and "neural-network" not in steps  # known, with what RNN requires
    assert all(c["id"] in steps for c in doc["next"])


def test_mini_related_and_search(mini_graph: Path) -> None:
    related = run_json("--graph", str(mini_graph), "related", "画GRU结构图", "--top", "3")
    assert "画GRU结构图" not in titles(related["related"])
    assert titles(related["related"])[0] in {"什么是LSTM", "LSTM每个门的计算公式"}
    hits = run_json("--graph", str(mini_graph), "search", "遗忘门")
    assert titles(hits)[:2] == ["什么是LSTM", "LSTM每个门的计算公式"] or titles(hits)[:2] == [
        "LSTM每个门的计算公式",
        "什么是LSTM",
    ]


def test_bundled_answers(bundled_graph: Path) -> None:
    g = str(bundled_graph)
    chain = titles(run_json("--graph", g, "chain", "LSTM各个门")["chain"])
    assert any("RNN" in t for t in chain) and any(t.startswith("什么是LSTM") for t in chain)
    doc = run_json("--graph", g, "path", "--target", "lstm", "--known", "rnn")
    assert "rnn" not in [s["concept"]["id"] for s in doc["steps"]]
    hits = run_json("--graph", g, "search", "LSTM 公式", "--top", "1")
    assert "LSTM" in hits[0]["title"] and "公式" in hits[0]["title"]


def test_the_default_graph_follows_the_lexicon_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = cli_target.bundled_fingerprint()
    own = tmp_path / "my-concepts.yaml"
    own.write_bytes(data.LEXICON_PATH.read_bytes() + b"\n# my edits\n")
    monkeypatch.setenv("ZHITU_LEXICON", str(own))
    assert cli_target.bundled_fingerprint() != bundled  # so the default graph is rebuilt


def test_ingest_reports_files_lines_and_merges(tmp_path: Path) -> None:
    twice = FIXTURES / "banks" / "twice"
    graph = str(tmp_path / "g.json")
    result = run("--graph", graph, "ingest", str(twice))
    assert result.exit_code == 0, result.output
    ch1, copy = twice / "ch1.md", twice / "ch1_copy.md"
    assert f"  {ch1}: 2 个问题, 保留 4/5 行, 跳过 1 行" in result.stdout
    assert f"合并「为什么需要激活函数？」: {ch1}:3, {copy}:3" in result.stdout
    doc = run_json("--graph", graph, "ingest", str(twice))
    assert doc["questions"] == 3  # one merged, the two different 实验结果 apart
    assert [f["file"] for f in doc["files"]] == [str(ch1), str(copy)]
    assert doc["files"][0]["skipped"] == [{"line": 1, "reason": "章节标题"}]
    (merge,) = doc["merges"]
    assert merge["sources"] == [f"{ch1}:3", f"{copy}:3"] and merge["similarity"] >= 0.9
    found = titles(run_json("--graph", graph, "questions"))
    assert found.count("基础 · 实验结果") == 2
