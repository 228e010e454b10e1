"""Shared fixtures: a small hand-made graph with known answers, and stores built from it."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import (
    Concept,
    Evidence,
    GraphData,
    Level,
    Mention,
    Origin,
    Question,
    Relation,
    RelationType,
)
from zhitu.ingest.read import ReadResult
from zhitu.ingest.read_common import UNCLAIMED

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PRE, IS_A, CONTRASTS = RelationType.PREREQUISITE_OF, RelationType.IS_A, RelationType.CONTRASTS_WITH

# id, title, level, concepts in the title, other concepts mentioned
TOY_QUESTIONS = [
    ("q-nn", "什么是神经网络", Level.DEFINITION, ["nn"], []),
    ("q-rnn", "什么是RNN", Level.DEFINITION, ["rnn"], ["nn"]),
    ("q-rnn-why", "RNN为什么适合处理序列数据", Level.PRINCIPLE, ["rnn"], []),
    ("q-vg", "RNN为什么会出现梯度消失", Level.PRINCIPLE, ["rnn", "vanishing-gradient"], []),
    ("q-lstm", "LSTM的原理", Level.PRINCIPLE, ["lstm"], ["rnn", "vanishing-gradient"]),
    ("q-lstm-f", "LSTM每个门的计算公式", Level.DERIVATION, ["lstm"], []),
    ("q-gru", "画GRU结构图", Level.DERIVATION, ["gru"], []),
    ("q-bn", "BatchNormalization的作用", Level.PRINCIPLE, ["batch-norm"], ["vanishing-gradient"]),
    ("q-att", "Attention机制的作用", Level.PRINCIPLE, ["attention"], ["transformer"]),
]
TOY_CONCEPTS = [
    ("nn", "神经网络", "神经网络", [], None),
    ("rnn", "RNN", "循环神经网络", ["Recurrent Neural Network"], 30),
    ("lstm", "LSTM", "长短期记忆网络", ["长短时记忆网络"], 40),
    ("gru", "GRU", "门控循环单元", [], None),
    ("vanishing-gradient", "梯度消失", "梯度消失", ["梯度弥散"], None),
    ("batch-norm", "Batch Normalization", "批归一化", ["BN", "BatchNormalization"], None),
    ("attention", "Attention", "注意力机制", [], None),
    ("transformer", "Transformer", "Transformer", [], None),
    ("dropout", "dropout", "随机失活", [], None),  # no question, no relation: not listed
]
# type, src, dst, confidence, source
TOY_RELATIONS = [
    (PRE, "nn", "rnn", 1.0, Origin.LEXICON),
    (PRE, "rnn", "lstm", 1.0, Origin.LEXICON),
    (PRE, "rnn", "gru", 1.0, Origin.LEXICON),
    (PRE, "nn", "vanishing-gradient", 1.0, Origin.LEXICON),
    (PRE, "vanishing-gradient", "lstm", 0.8, Origin.INFERRED),
    (PRE, "gru", "batch-norm", 0.2, Origin.PATTERN),  # below the floor: ignored by paths
    (PRE, "nn", "attention", 1.0, Origin.LEXICON),
    (PRE, "attention", "transformer", 0.7, Origin.PATTERN),  # an extracted loop
    (PRE, "transformer", "attention", 0.6, Origin.PATTERN),
    (IS_A, "lstm", "rnn", 1.0, Origin.LEXICON),
    (IS_A, "gru", "rnn", 1.0, Origin.LEXICON),
    (CONTRASTS, "gru", "lstm", 1.0, Origin.LEXICON),
    (RelationType.ADDRESSES, "batch-norm", "vanishing-gradient", 1.0, Origin.LEXICON),
    # question prerequisites, as the pipeline derives them (acyclic, transitively reduced)
    (PRE, "q-nn", "q-rnn", 1.0, Origin.INFERRED),
    (PRE, "q-rnn", "q-rnn-why", 1.0, Origin.INFERRED),
    (PRE, "q-rnn", "q-vg", 1.0, Origin.INFERRED),
    (PRE, "q-vg", "q-lstm", 1.0, Origin.INFERRED),
    (PRE, "q-rnn-why", "q-lstm", 1.0, Origin.INFERRED),
    (PRE, "q-lstm", "q-lstm-f", 1.0, Origin.INFERRED),
    (PRE, "q-rnn", "q-gru", 1.0, Origin.INFERRED),
    (PRE, "q-vg", "q-bn", 1.0, Origin.INFERRED),
]
# stored related lists (question -> related question), as ingest.related writes them: the score
# is confidence and weight, the reason the evidence sentence. q-lstm-f and q-nn have none.
TOY_RELATED = [
    ("q-lstm", "q-lstm-f", 0.62, "都在讲 LSTM"),
    ("q-lstm", "q-gru", 0.41, "LSTM 和 GRU 常被拿来比较"),
    ("q-lstm", "q-vg", 0.3, "都提到梯度消失"),
    ("q-gru", "q-lstm", 0.41, "GRU 和 LSTM 常被拿来比较"),
    ("q-rnn", "q-rnn-why", 0.55, "都在讲 RNN"),
]


def write_big_bank(path: Path, sentence: str, repeat: int, size: int = 20_000_000) -> int:
    """Write a sample-format bank of at least `size` bytes to `path`: questions 什么是RNN0,
    什么是RNN1 … whose answer is `sentence` written `repeat` times. Returns how many."""
    block = "● 什么是RNN{}\n参考回答:\n" + sentence * repeat + "\n解析:看结构\n"
    count = size // len(block.encode("utf-8")) + 1
    path.write_text("".join(block.format(i) for i in range(count)), encoding="utf-8")
    assert path.stat().st_size >= size
    return count


def make_toy() -> GraphData:
    """The hand-made graph (a fresh copy each call)."""
    data = GraphData()
    for i, (qid, title, level, titled, other) in enumerate(TOY_QUESTIONS):
        answer = f"{title}的参考回答。"
        data.questions[qid] = Question(qid, title, answer, "", [f"toy.txt:{3 * i + 1}"], level)
        for cid in titled + other:
            data.mentions.append(Mention(qid, cid, 1, cid in titled, 1.0, [0]))
    for cid, name, zh, aliases, minutes in TOY_CONCEPTS:
        data.concepts[cid] = Concept(cid, name, zh, aliases, "rnn", f"{name}的说明", minutes)
    for rtype, src, dst, confidence, source in TOY_RELATIONS:
        evidence = (
            [Evidence("q-lstm", "LSTM 缓解了 RNN 的梯度消失")] if source is Origin.PATTERN else []
        )
        data.relations.append(Relation(rtype, src, dst, confidence, source, evidence))
    for src, dst, score, reason in TOY_RELATED:
        data.relations.append(Relation(RelationType.RELATED_TO, src, dst, score, Origin.INFERRED,
                                       [Evidence(dst, reason)], weight=score))
    return data


@pytest.fixture
def toy() -> GraphData:
    return make_toy()


@pytest.fixture(scope="session")
def toy_session() -> GraphData:
    """The hand-made graph shared by read-only tests (do not modify)."""
    return make_toy()


@pytest.fixture
def toy_store(tmp_path: Path, toy: GraphData) -> MemoryStore:
    store = MemoryStore.open(tmp_path / "toy.json")
    store.replace(toy)
    return store


@pytest.fixture
def toy_file(toy_store: MemoryStore) -> Path:
    """A graph file holding the toy graph."""
    return toy_store.file


# whole modules of long tests (measured: each takes seconds per test or spawns processes)
SLOW_MODULES = {"test_reliability_crash", "test_fuzz_queries", "test_idempotency",
                "test_benchmarks", "test_browser", "test_browser_scale", "test_concurrency",
                "test_cypher_lint"}
# single long tests elsewhere (over ~5 s on 2 cores; see `pytest --durations`)
SLOW_TESTS = {"test_a_twenty_megabyte_bank_is_ingested", "test_twenty_megabyte_file",
              "test_a_question_with_a_100kb_answer_line_is_ingested",
              "test_cypher_script_passes_the_cypher_front_end", "test_import_previews_then_merges",
              "test_ingest_into_the_default_graph_keeps_the_bundled_bank",
              "test_default_graph_is_built_from_the_bundled_bank",
              "test_default_graph_rebuilt_only_when_it_holds_only_bundled_data"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser and live-Neo4j tests, and the slow modules, for `-m "not slow"`."""
    for item in items:
        module = item.path.stem
        skipifs = [m for m in item.iter_markers("skipif") if "chromium" in str(m.kwargs)]
        if skipifs or module.startswith("test_browser") or module == "test_concurrency":
            item.add_marker(pytest.mark.browser)
        params = item.callspec.params.values() if hasattr(item, "callspec") else ()
        if "neo4j" in params:  # a leg of a test parametrized over both stores
            item.add_marker(pytest.mark.neo4j)
        slow = module in SLOW_MODULES or item.originalname in SLOW_TESTS  # type: ignore[attr-defined]
        if slow or any(item.get_closest_marker(m) for m in ("browser", "neo4j")):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _no_user_overlay(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own curation overlay (~/.config/zhitu) never leaks into a test."""
    monkeypatch.setenv("ZHITU_OVERLAY", "")


LINT_DIR = Path(__file__).resolve().parent.parent / "tools" / "cypher-lint"


def cypher_lint(items: list[dict[str, object]]) -> list[dict[str, object]]:
    """Neo4j's own Cypher front end (tools/cypher-lint) over [{"name","query","params","labels",
    "relationshipTypes"}]: [{"name","diagnostics"}]. Skips without node or the npm package;
    fails instead in CI, where .ci/run installs them."""
    import json
    import shutil
    import subprocess

    reason = None
    if shutil.which("node") is None:
        reason = "node is not installed"
    elif not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        reason = "run `npm ci --prefix tools/cypher-lint`"
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Cypher linter unavailable in CI: {reason}")
        pytest.skip(f"Cypher linter unavailable: {reason}")
    proc = subprocess.run(["node", str(LINT_DIR / "lint.mjs")], input=json.dumps(items),
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def find_mentions(question: Question, automaton) -> list[Mention]:  # noqa: ANN001
    """The concepts a question mentions, as the scan finds them (heaviest first)."""
    from zhitu.ingest.mentions import locate, to_mentions

    return to_mentions(question, locate(question.text, automaton),
                       generic=automaton.lexicon.generic)


def run_cli(*args: str) -> Result:
    """`zhitu ARGS` in this process (click's runner), exceptions raised as they are."""
    from zhitu.ui.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _ingested(target: Path, *paths: Path) -> Path:
    """A graph file built by the real pipeline from `paths`."""
    from zhitu.ingest.pipeline import ingest

    data, _ = ingest([str(p) for p in paths])
    MemoryStore.open(target).replace(data, meta={"built_from": [str(p) for p in paths]})
    return target


@pytest.fixture(scope="session")
def mini_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checked-in mini bank (tests/fixtures/mini_bank.txt) through the real pipeline."""
    return _ingested(tmp_path_factory.mktemp("mini") / "mini.json", FIXTURES / "mini_bank.txt")


@pytest.fixture(scope="session")
def bundled_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled question bank through the real pipeline."""
    from zhitu import data

    return _ingested(tmp_path_factory.mktemp("bundled") / "bundled.json", data.QUESTIONS_DIR)


def accounted(result: ReadResult, text: str) -> dict[int, str]:
    """Every non-blank line is held by one question or skipped; the skipped lines by number."""
    (report,) = result.files
    content = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
    held = [n for q in result.questions for n in q.lines]
    assert len(held) == len(set(held))
    skipped = dict(report.skipped)
    assert set(held) | set(skipped) == content and not set(held) & set(skipped)
    assert UNCLAIMED not in skipped.values()
    return skipped


def run_alone(code: str, *args: str) -> str:
    """Run `code` in a fresh Python process and return what it prints. A pytest-xdist worker
    runs threads, and zhitu forks its pool only in a process without them (ingest/scan.py), so
    a test of the pool runs here. Skips where the platform has no fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform: the pool is never used")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "ZHITU_WORKERS": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
