"""Idempotency (issue 8): the same files give the same graph, byte for byte, however often and in
whichever process they are ingested; changing one file and ingesting it again replaces exactly its
questions, leaving no orphan mention, relation or evidence, and gives what a fresh ingest gives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import neo4j_server
from zhitu import data
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import GraphData

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "tests" / "fixtures" / "banks"  # every format: txt, md, json, jsonl, csv


def zhitu(tmp: Path, *args: str, seed: str = "0") -> str:
    """Run the command in its own process (hash seed `seed`); its stdout."""
    env = {k: v for k, v in os.environ.items() if k not in ("ZHITU_GRAPH", "ZHITU_LEXICON")}
    env.update(XDG_DATA_HOME=str(tmp / "xdg"), PYTHONHASHSEED=seed)
    done = subprocess.run(
        [sys.executable, "-m", "zhitu", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def export(tmp: Path, graph: Path | str, seed: str = "0") -> str:
    return zhitu(tmp, "--graph", str(graph), "export", "--format", "json", seed=seed)


def test_the_same_files_give_the_same_export_byte_for_byte(tmp_path: Path) -> None:
    inputs = [str(data.QUESTIONS_DIR), str(BANKS)]
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    zhitu(tmp_path, "--graph", str(first), "ingest", *inputs, seed="1")
    once = export(tmp_path, first)
    zhitu(tmp_path, "--graph", str(first), "ingest", *inputs, seed="2")  # again, into itself
    twice = export(tmp_path, first)
    # a separate graph built in a process with other hash seeds (set and dict order)
    zhitu(tmp_path, "--graph", str(second), "ingest", *inputs, seed="3")
    elsewhere = export(tmp_path, second, seed="4")
    assert json.loads(once)["questions"]  # something was built
    assert twice == once
    assert elsewhere == once


# --- changing one file ---

ADDED = "● 什么是门控循环单元的重置门?\n参考回答:\n重置门决定保留多少上一时刻的隐藏状态。\n"


def _blocks(text: str) -> list[str]:
    """A sample-format bank as its question blocks (each starting with ●)."""
    return ["●" + b for b in text.split("●")[1:]]


def _edit(path: Path) -> dict[str, str]:
    """Remove the 2nd question, retitle the 3rd, rewrite the 4th's answer, add one at the end."""
    blocks = _blocks(path.read_text(encoding="utf-8"))
    removed = blocks[1].splitlines()[0].lstrip("● ")
    old_title = blocks[2].splitlines()[0].lstrip("● ")
    blocks[2] = blocks[2].replace(old_title, "请推导RNN的前向传播公式", 1)
    edited = blocks[3].splitlines()[0].lstrip("● ")
    blocks[3] = f"● {edited}\n参考回答:\nBPTT把RNN沿时间展开后做反向传播。\n"
    path.write_text("".join([blocks[0], *blocks[2:], ADDED]), encoding="utf-8")
    return {"removed": removed, "retitled": old_title, "edited": edited}


def _orphans(graph: GraphData) -> list[str]:
    """Every mention, relation or evidence that points at something the graph lacks."""
    nodes = set(graph.questions) | set(graph.concepts)
    found = [
        f"mention {m.question_id}->{m.concept_id}"
        for m in graph.mentions
        if m.question_id not in graph.questions or m.concept_id not in graph.concepts
    ]
    found += [
        f"relation {r.key}" for r in graph.relations if r.src not in nodes or r.dst not in nodes
    ]
    found += [f"evidence {e.question_id} of {r.key}" for r in graph.relations
              for e in r.evidence if e.question_id not in graph.questions]  # fmt: skip
    return found


def _without_meta(text: str) -> dict[str, object]:
    doc = json.loads(text)
    doc.pop("meta")
    return doc


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """Three files of the bundled bank, one of them in Markdown."""
    folder = tmp_path / "bank"
    folder.mkdir()
    for name in ("03-activation.txt", "07-normalization.md", "10-rnn.txt"):
        shutil.copy(data.QUESTIONS_DIR / name, folder / name)
    return folder


def test_reingesting_a_changed_file_replaces_exactly_its_questions(
    tmp_path: Path, bank: Path
) -> None:
    graph = tmp_path / "g.json"
    changed = bank / "10-rnn.txt"
    zhitu(tmp_path, "--graph", str(graph), "ingest", str(bank))
    before = MemoryStore.open(graph).load()
    edits = _edit(changed)
    zhitu(tmp_path, "--graph", str(graph), "ingest", str(changed))
    after = MemoryStore.open(graph).load()

    def of(g: GraphData, file: Path) -> dict[str, object]:
        return {q.id: q for q in g.questions.values() if q.sources[0].startswith(f"{file}:")}

    for other in ("03-activation.txt", "07-normalization.md"):
        assert of(after, bank / other) == of(before, bank / other)  # untouched
    titles = {q.title: q for q in of(after, changed).values()}
    assert edits["removed"] not in titles and edits["retitled"] not in titles
    assert "请推导RNN的前向传播公式" in titles and "什么是门控循环单元的重置门?" in titles
    assert titles[edits["edited"]].answer == "BPTT把RNN沿时间展开后做反向传播。"
    assert len(after.questions) == len(before.questions) + 1 - 1  # one removed, one added
    assert _orphans(after) == []


def test_reingesting_a_changed_file_gives_what_a_fresh_ingest_gives(
    tmp_path: Path, bank: Path
) -> None:
    graph, fresh = tmp_path / "g.json", tmp_path / "fresh.json"
    zhitu(tmp_path, "--graph", str(graph), "ingest", str(bank))
    _edit(bank / "10-rnn.txt")
    zhitu(tmp_path, "--graph", str(graph), "ingest", str(bank / "10-rnn.txt"))
    zhitu(tmp_path, "--graph", str(fresh), "ingest", str(bank))
    incremental, scratch = MemoryStore.open(graph).load(), MemoryStore.open(fresh).load()
    assert incremental.questions == scratch.questions and incremental.mentions == scratch.mentions
    assert _without_meta(export(tmp_path, graph)) == _without_meta(export(tmp_path, fresh))


def test_a_question_in_two_files_keeps_the_other_source_when_one_drops_it(
    tmp_path: Path, bank: Path
) -> None:
    graph = tmp_path / "g.json"
    first = _blocks((bank / "10-rnn.txt").read_text(encoding="utf-8"))[0]
    copy = bank / "extra.txt"
    copy.write_text(first, encoding="utf-8")  # the same question in a second file
    zhitu(tmp_path, "--graph", str(graph), "ingest", str(bank))
    title = first.splitlines()[0].lstrip("● ")
    assert len(MemoryStore.open(graph).question(title).sources) == 2
    copy.write_text(ADDED, encoding="utf-8")
    zhitu(tmp_path, "--graph", str(graph), "ingest", str(copy))
    store = MemoryStore.open(graph)
    assert store.question(title).sources == [f"{bank / '10-rnn.txt'}:1"]
    assert _orphans(store.load()) == []


@pytest.mark.neo4j
def test_the_same_files_give_the_same_neo4j_graph(tmp_path: Path, bank: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    neo4j_server.open_store().close()  # an empty database
    for key, value in neo4j_server.live_neo4j().items():
        monkeypatch.setenv(key, value)
    uri = os.environ["NEO4J_URI"]
    zhitu(tmp_path, "--graph", uri, "ingest", str(bank))
    counts, once = zhitu(tmp_path, "--graph", uri, "stats", "--json"), export(tmp_path, uri)
    zhitu(tmp_path, "--graph", uri, "ingest", str(bank), seed="5")
    assert zhitu(tmp_path, "--graph", uri, "stats", "--json") == counts
    assert export(tmp_path, uri) == once
