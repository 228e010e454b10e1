"""benchmarks/: the synthetic banks, the pool's results against the serial loop, and a 1,000
question smoke run of the runner (correctness only: no timing is asserted)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from benchmarks import synth
from benchmarks.__main__ import main as run_benchmarks
from benchmarks.synth import (
    MAX_ANSWER,
    MIN_ANSWER,
    PER_FILE,
    generate,
    write_bank,
    write_structured_bank,
)
from tests.conftest import run_alone
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.read import read_paths


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory, lexicon: Lexicon) -> list[Path]:
    return write_bank(lexicon, 2 * PER_FILE + 300, tmp_path_factory.mktemp("bank"))


def test_banks_are_deterministic(tmp_path: Path, lexicon: Lexicon, bank: list[Path]) -> None:
    again = write_bank(lexicon, 2 * PER_FILE + 300, tmp_path)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in bank]
    assert list(generate(lexicon, 50, seed=8)) != list(generate(lexicon, 50))


def test_banks_read_back_whole(bank: list[Path], lexicon: Lexicon) -> None:
    assert [p.suffix for p in bank] == [".txt", ".txt", ".txt"]
    result = read_paths(bank)
    assert len(result.questions) == 2 * PER_FILE + 300 and not result.warnings
    assert len({q.title for q in result.questions}) == len(result.questions)
    assert all(MIN_ANSWER <= len(q.answer) <= MAX_ANSWER for q in result.questions)
    names = {c.name for c in lexicon.concepts.values()} | {c.zh for c in lexicon.concepts.values()}
    assert sum(any(n in q.title for n in names) for q in result.questions) == len(result.questions)
    assert all(re.search(r"[A-Za-z]{2}", q.answer) for q in result.questions)  # mixed English


@pytest.mark.parametrize("index", [8, 9])  # every tenth file Markdown, every tenth JSONL
def test_markdown_and_jsonl_files(tmp_path: Path, lexicon: Lexicon, index: int) -> None:
    rows = list(generate(lexicon, 30, seed=3))
    path = synth._flush(tmp_path, index, rows)
    assert path.suffix == (".md" if index == 8 else ".jsonl")
    result = read_paths([path])
    assert [(q.title, q.answer) for q in result.questions] == [(t, a) for t, a, _ in rows]


def test_pool_gives_what_the_serial_loop_gives(bank: list[Path]) -> None:
    out = run_alone("""
        import sys
        from benchmarks.synth import PER_FILE
        from zhitu.ingest.lexicon import load_lexicon
        from zhitu.ingest.pipeline import ingest, workers_for

        bank, lexicon = sys.argv[1:], load_lexicon()
        assert workers_for(2 * PER_FILE, 2) == 2  # the pool is used here
        calls = []
        serial, serial_report = ingest(bank, lexicon=lexicon, workers=1)
        pooled, pooled_report = ingest(bank, lexicon=lexicon, workers=2,
                                       progress=lambda i, n: calls.append((i, n)))
        assert pooled == serial
        assert pooled_report == serial_report and serial_report.candidates
        assert pooled_report.search_documents == serial_report.search_documents
        assert calls == sorted(calls) and calls[-1] == (4 * PER_FILE,) * 2
        print("same")
    """, *map(str, bank[:2]))
    assert out.strip() == "same"


def test_smoke_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
    before = results.read_bytes() if results.exists() else None
    run_benchmarks(["--sizes", "1000", "--engines", "jieba", "--serial-up-to", "0",
                    "--no-append", "--no-small", "--work", str(tmp_path)])
    out = capsys.readouterr().out
    assert (results.read_bytes() if results.exists() else None) == before
    ingest_row = next(line for line in out.splitlines() if line.startswith("| 1,000 | jieba"))
    cells = [c.strip() for c in ingest_row.strip("|").split("|")]
    assert len(cells) == 14 and all(re.fullmatch(r"[\d,.]+", c) for c in cells[2:])
    store_row = next(line for line in out.splitlines() if "memory (jieba)" in line)
    assert len(store_row.strip("|").split("|")) == 12
    assert "Neo4j: skipped" in out or "neo4j (" in out
    from zhitu.graph.memory import MemoryStore

    store = MemoryStore.open(tmp_path / "graph-1000-jieba-auto.json")
    assert store.stats()["questions"] == 1000
    assert store.search("梯度消失") and (store.search_dir / "zhitu-key.json").exists()
    q = store.questions()[0]
    assert store.chain(q.id) is not None and store.related(q.id)


@pytest.mark.neo4j
def test_neo4j_leg_writes_and_queries_the_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toy_file: Path
) -> None:
    """The Neo4j leg (run when NEO4J_URI is set) against the session's live server."""
    from benchmarks.__main__ import NEO4J_HEADER, bench_neo4j
    from tests import neo4j_server

    neo4j_server.open_store().close()
    for key, value in neo4j_server.live_neo4j().items():
        monkeypatch.setenv(key, value)
    row = bench_neo4j(9, toy_file)
    cells = row.strip().strip("|").split("|")
    assert len(cells) == len(NEO4J_HEADER.splitlines()[0].strip().strip("|").split("|"))
    assert re.match(r"\| 9 \| [\d,]+ \| [\d.]+ \| [\d,]+ \| – \| – \| – \| [\d,]+ \|", row), row
    from zhitu.graph.neo4j_store import Neo4jStore

    written = Neo4jStore.from_env(os.environ["NEO4J_URI"])
    try:
        assert written.stats()["questions"] == 9  # the whole graph was written
    finally:
        written.close()


def test_structured_bank_reads_like_a_real_one(tmp_path: Path, lexicon: Lexicon) -> None:
    paths = write_structured_bank(lexicon, tmp_path, size=60_000)
    again = write_structured_bank(lexicon, tmp_path / "again", size=60_000)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    assert len(paths) > 3 and {p.suffix for p in paths} == {".md"}
    assert 60_000 <= sum(p.stat().st_size for p in paths) < 70_000
    result = read_paths(paths)
    assert not result.warnings and len(result.questions) > 20
    topics = {q.topic for q in result.questions}
    assert any(t.count("/") >= 1 for t in topics)  # concept / subsection
    nested = [q for q in result.questions if q.title.endswith("的模型结构是什么？")]
    assert nested and all("模型结构" in q.topic for q in nested)
    assert not any(q.title == "参考文献" for q in result.questions)


def test_cold_commands_run_each_query(tmp_path: Path, lexicon: Lexicon) -> None:
    from benchmarks import measure

    paths = write_structured_bank(lexicon, tmp_path / "bank", size=30_000)
    graph = tmp_path / "graph.json"
    times = measure.whole_process(paths, graph, repeat=1)
    assert all(t > 0 for t in times) and graph.exists()
    from zhitu.graph.memory import MemoryStore

    q = MemoryStore.open(graph).questions()[0]
    cold = measure.cold_commands(graph, q.id, q.title[:4], repeat=1)
    assert set(cold) == set(measure.COLD_KINDS) and all(v > 0 for v in cold.values())
