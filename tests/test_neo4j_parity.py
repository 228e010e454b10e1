"""Same answers from both stores (issue #16), through the `zhitu` command.

Each bank — the user's sample (tests/gold/sample.txt), the bundled bank and a synthetic 1k bank
(benchmarks/synth.py) — is ingested by `zhitu --graph FILE ingest` and by `zhitu --graph bolt://…
ingest` on the session's live server (tests/neo4j_server.py). Then `stats`, `questions`,
`concepts`, `export --format json`, and `chain`, `related`, `question`, `path` for sampled
questions and concepts must print the same bytes.

Search is the one answer that may differ: BM25 over jieba tokens here, Lucene's `cjk` analyzer in
Neo4j, so scores and the order of near ties differ by design. What must agree: a query that is a
question's whole title finds that question among the first three in both stores (when no other
question has the same title key; Neo4j, which weights titles double, puts it first), and every
hit either store gives is a question of the graph with a score > 0.

Related questions are also checked below the CLI: `Neo4jStore.related` (the lists ingest stored,
read back from Neo4j) equals graph/study.py's `related` over the graph file for every question
of the sample and the bundled bank.

A changed file ingested again into both stores keeps Neo4j's title index (each titled mention's
`title_names` and `title_rank`, which study paths read) exactly as the graph ranks them, and the
paths to what the file names stay the same.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import neo4j_server
from zhitu import data
from zhitu.graph import study
from zhitu.graph.memory import MemoryStore
from zhitu.text.normalize import title_key

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

SAMPLE = Path(__file__).parent / "gold" / "sample.txt"
PICK = 12  # questions (and concepts) per bank whose answers are compared


def _bank(name: str, tmp: Path) -> Path:
    if name == "sample":
        return SAMPLE
    if name == "bundled":
        return Path(data.QUESTIONS_DIR)
    from benchmarks.synth import write_bank
    from zhitu.ingest.lexicon import load_lexicon

    write_bank(load_lexicon(), 1000, tmp / "synth-1k")
    return tmp / "synth-1k"


class Pair:
    """One bank in a graph file and in the live Neo4j: run the same command on both."""

    def __init__(self, name: str, file: Path, uri: str, env: dict[str, str]) -> None:
        self.name, self.file, self.uri, self.env = name, file, uri, env

    def run(self, graph: str, *args: str) -> str:
        result = CliRunner().invoke(
            _cli(), ["--graph", graph, *args], env=self.env, catch_exceptions=False
        )
        assert result.exit_code == 0, (graph, args, result.output)
        return result.stdout

    def both(self, *args: str) -> tuple[str, str]:
        return self.run(str(self.file), *args), self.run(self.uri, *args)

    def json(self, *args: str) -> object:
        return json.loads(self.run(str(self.file), *args, "--json"))


def _cli():  # noqa: ANN202
    from zhitu.ui.cli import cli

    return cli


@pytest.fixture(scope="module", params=["sample", "bundled", "synth-1k"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    tmp = tmp_path_factory.mktemp(f"parity-{request.param}")
    bank = _bank(request.param, tmp)
    neo4j_server.open_store().close()  # an empty database
    env = {**neo4j_server.live_neo4j(), "XDG_DATA_HOME": str(tmp / "xdg"),
           "XDG_CACHE_HOME": str(tmp / "cache"), "ZHITU_GRAPH": None}  # fmt: skip
    p = Pair(request.param, tmp / "g.json", env["NEO4J_URI"], env)  # type: ignore[arg-type]
    for graph in (str(p.file), p.uri):
        p.run(graph, "ingest", str(bank))
    yield p


def _picked(p: Pair, what: str, seed: int) -> list[str]:
    items = sorted(item["id"] for item in p.json(what))  # type: ignore[union-attr]
    return random.Random(seed).sample(items, min(PICK, len(items)))


def test_whole_graph_answers_are_identical(pair: Pair) -> None:
    for args in (["stats", "--json"], ["stats"], ["questions", "--json"], ["concepts", "--json"],
                 ["export", "--format", "json"]):  # fmt: skip
        embedded, neo4j = pair.both(*args)
        assert embedded == neo4j, (pair.name, args)
    exported = json.loads(pair.both("export", "--format", "json")[1])
    assert exported["meta"]["built_from"], "the export carries the graph's meta"


@pytest.mark.parametrize("command", ["chain", "related", "question"])
def test_question_answers_are_identical(pair: Pair, command: str) -> None:
    for qid in _picked(pair, "questions", 1):
        for args in ([command, qid, "--json"], [command, qid]):
            embedded, neo4j = pair.both(*args)
            assert embedded == neo4j, (pair.name, args)


def test_paths_are_identical(pair: Pair) -> None:
    questions, concepts = _picked(pair, "questions", 2), _picked(pair, "concepts", 3)
    for i, target in enumerate(questions[:6] + concepts):
        known = [c for c in concepts[i % len(concepts) :][1:3] if c != target]
        args = ["path", "--target", target, *[a for k in known for a in ("--known", k)], "--json"]
        embedded, neo4j = pair.both(*args)
        assert embedded == neo4j, (pair.name, args)


def test_search_agrees_on_what_a_learner_sees(pair: Pair) -> None:
    """A whole title finds its question among the first three in both stores (titles whose key
    is unique), and Neo4j (titles weighted double) puts it first."""
    questions = {q["id"]: q["title"] for q in pair.json("questions")}  # type: ignore[union-attr]
    keys: dict[str, int] = {}
    for title in questions.values():
        keys[title_key(title)] = keys.get(title_key(title), 0) + 1
    unique = sorted(q for q, t in questions.items() if keys[title_key(t)] == 1)
    for qid in random.Random(4).sample(unique, min(PICK, len(unique))):
        embedded, neo4j = (json.loads(out) for out in
                           pair.both("search", questions[qid], "--top", "5", "--json"))  # fmt: skip
        assert qid in [h["id"] for h in embedded[:3]], (pair.name, questions[qid], embedded)
        assert neo4j[0]["id"] == qid, (pair.name, questions[qid], neo4j[:2])
        for hits in (embedded, neo4j):
            assert all(h["id"] in questions and h["score"] > 0 for h in hits)


def _connect():  # noqa: ANN202  (a Neo4jStore on the session's server, contents kept)
    import neo4j

    from zhitu.graph.neo4j_store import Neo4jStore

    env = neo4j_server.live_neo4j()
    driver = neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=(env["NEO4J_USER"],
                                                                env["NEO4J_PASSWORD"]))
    return Neo4jStore(driver, env.get("NEO4J_DATABASE", "neo4j"), uri=env["NEO4J_URI"])


def test_neo4j_related_equals_the_stored_lists(pair: Pair) -> None:
    """Every question of the sample and the bundled bank (100 of the synthetic one)."""
    graph = MemoryStore.open(pair.file).load()
    reference = study.build_graph(graph)
    ids = sorted(graph.questions)
    if len(ids) > 1000:
        ids = random.Random(5).sample(ids, 100)
    store = _connect()
    try:
        for qid in ids:
            assert store.related(qid, 10) == study.related(reference, qid, 10), qid
    finally:
        store.close()


# --- moving a graph: `zhitu copy` and the Cypher export ---


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    tmp = tmp_path_factory.mktemp("copy")
    env: dict[str, str | None] = {**neo4j_server.live_neo4j(), "ZHITU_GRAPH": None,
                                  "XDG_DATA_HOME": str(tmp / "xdg"),
                                  "XDG_CACHE_HOME": str(tmp / "cache")}  # fmt: skip
    graph = tmp / "sample.json"
    _invoke(["--graph", str(graph), "ingest", str(SAMPLE)], env)
    return graph, env


def _invoke(args: list[str], env: dict[str, str | None], code: int = 0):  # noqa: ANN202
    result = CliRunner().invoke(_cli(), args, env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.output)
    return result


def _export(graph: str, env: dict[str, str | None]) -> str:
    return _invoke(["--graph", graph, "export", "--format", "json"], env).stdout


def test_copy_moves_a_graph_to_neo4j_and_back(sample_file, tmp_path: Path) -> None:
    graph, env = sample_file
    uri = str(env["NEO4J_URI"])
    neo4j_server.open_store().close()  # an empty database
    done = _invoke(["copy", str(graph), uri, "--json"], env)
    assert json.loads(done.stdout)["questions"] == json.loads(
        _invoke(["--graph", str(graph), "stats", "--json"], env).stdout)["questions"]
    refused = _invoke(["copy", str(graph), uri], env, code=1)  # it holds a graph now
    assert "--replace" in refused.stderr and len(refused.stderr.splitlines()) == 1
    back = tmp_path / "back.json"
    _invoke(["copy", uri, str(back)], env)
    original = _export(str(graph), env)
    assert json.loads(original)["meta"]["built_from"]  # meta travels too
    assert _export(uri, env) == original
    assert _export(str(back), env) == original  # the round trip gives the same export
    _invoke(["copy", str(back), uri, "--replace"], env)
    assert _export(uri, env) == original


def test_the_cypher_export_loads_into_neo4j_as_the_same_graph(sample_file) -> None:
    graph, env = sample_file
    script = _invoke(["--graph", str(graph), "export", "--format", "cypher"], env).stdout
    statements = [s for s in script.split(";\n") if s.strip()]  # cypher-shell's statement ends
    store = neo4j_server.open_store()  # an empty database
    try:
        for statement in statements:  # as `cypher-shell -f` runs it: one statement at a time
            store._driver.execute_query(statement, database_=store.database)
    finally:
        store.close()
    assert _export(str(env["NEO4J_URI"]), env) == _export(str(graph), env)


# --- a changed file ingested again: the title index follows, the plans stay the same ---


def _edit_rnn(path: Path) -> None:
    """Retitle two questions (RNN's title leaves one, LSTM and GRU gain them), drop one, add one:
    new ids for the retitled, and every concept they name ranks its titled questions anew."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("● RNN为什么适合处理序列数据?", "● LSTM为什么适合处理序列数据?", 1)
    text = text.replace("● 什么是BPTT(随时间反向传播)?", "● 什么是GRU的BPTT?", 1)
    start = text.index("● 写出RNN的前向计算公式")
    end = text.index("●", start + 1)
    text = text[:start] + text[end:]
    path.write_text(text + "● 什么是门控循环单元GRU的重置门?\n参考回答:\n重置门决定保留多少上一时刻"
                    "的隐藏状态。\n", encoding="utf-8")  # fmt: skip


def test_paths_stay_identical_after_a_changed_file_is_ingested_again(tmp_path: Path) -> None:
    import shutil

    from zhitu.graph import neo4j_rows

    bank = tmp_path / "bank"
    bank.mkdir()
    for name in ("03-activation.txt", "07-normalization.md", "10-rnn.txt"):
        shutil.copy(Path(data.QUESTIONS_DIR) / name, bank / name)
    neo4j_server.open_store().close()  # an empty database
    env = {**neo4j_server.live_neo4j(), "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "ZHITU_GRAPH": None}  # fmt: skip
    p = Pair("changed", tmp_path / "g.json", env["NEO4J_URI"], env)  # type: ignore[arg-type]
    for graph in (str(p.file), p.uri):
        p.run(graph, "ingest", str(bank))
    _edit_rnn(bank / "10-rnn.txt")
    for graph in (str(p.file), p.uri):
        p.run(graph, "ingest", str(bank / "10-rnn.txt"))
    embedded, neo4j = p.both("export", "--format", "json")
    assert embedded == neo4j
    graph = MemoryStore.open(p.file).load()
    assert "LSTM为什么适合处理序列数据?" in {q.title for q in graph.questions.values()}
    # every mention in Neo4j carries title_names and title_rank exactly as the graph ranks them
    ranks = neo4j_rows.title_ranks(graph)
    expected = {(m.question_id, m.concept_id): (m.concept_id, ranks[(m.question_id, m.concept_id)])
                if m.in_title else (None, None) for m in graph.mentions}  # fmt: skip
    store = _connect()
    try:
        rows = store._run("MATCH (q:Question)-[m:MENTIONS]->(c:Concept) "
                          "RETURN q.id AS q, c.id AS c, m.title_names AS n, m.title_rank AS r")
    finally:
        store.close()
    assert {(r["q"], r["c"]): (r["n"], r["r"]) for r in rows} == expected
    # the plans towards what the changed file's questions name, and to its questions
    named = sorted({m.concept_id for m in graph.mentions if m.in_title
                    and graph.questions[m.question_id].sources[0].startswith(str(bank / "10-rnn"))})
    questions = sorted(q.id for q in graph.questions.values()
                       if q.sources[0].startswith(str(bank / "10-rnn")))  # fmt: skip
    assert {"lstm", "gru", "rnn"} <= set(named), named
    for target in named + questions[:4]:
        args = ["path", "--target", target, "--json"]
        embedded, neo4j = p.both(*args)
        assert embedded == neo4j, args
