"""Property tests (issue 8): search and question/concept lookup take any string, at store level
(embedded and Neo4j) and through the `zhitu` CLI: quotes, backslashes, Cypher and Lucene syntax,
emoji, 10,000 characters, NUL, lone surrogates (as argv bytes that are no UTF-8 arrive). They
answer or say "not found" in one line with suggestions (exit 2); never another error. The Lucene
escaping of neo4j search is total: whatever the text, the query holds only literal terms.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhitu.graph import cypher, neo4j_rows
from zhitu.graph.errors import ConceptNotFound, NotFoundError, QuestionNotFound
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import GraphData
from zhitu.graph.neo4j_store import Neo4jStore
from zhitu.ui.cli import cli

ROOT = Path(__file__).resolve().parent.parent
LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')
LUCENE_SPACE = " \t\n\r\f\u3000"  # what Lucene's classic query parser splits terms on
OPERATORS = {"AND", "OR", "NOT", "TO"}
MESSAGE_CHARS = 120  # a not-found message quotes the reference by its start

# pieces of every syntax a query could be mistaken for
NASTY = [
    "'", '"', "\\", "\\'", "`", "$id", "{id: 'x'}", "' OR 1=1 --", "MATCH (n) DETACH DELETE n",
    "}) RETURN n //", "CALL db.labels()", ":Question", "[r:MENTIONS]", "title:(RNN)^2", "RNN AND",
    "OR", "NOT", "TO", "&&", "||", "*", "?", "~0.5", "/正则/", "[a TO z]", "+LSTM -GRU", "\x00",
    "\n", "\r\n", "\t", "\u3000", "\u200b", "\u202e", "\ufeff", "😀", "👩‍👩‍👧", "𠮷", "ｌｓｔｍ",
    "LSTM", "什么是", "梯度消失", "<script>", "%s", "{0}", "--x_x--0_0--",
]  # fmt: skip
surrogates = st.integers(0xD800, 0xDFFF).map(chr)
any_char = st.characters() | surrogates  # st.characters() alone leaves surrogates out
pieces = st.sampled_from(NASTY) | st.text(any_char, max_size=8)
nasty_text = st.lists(pieces, max_size=12).map("".join)
long_text = st.builds(lambda s, n: (s * n)[:n], st.sampled_from(NASTY[-6:] + ["a", "什"]),
                      st.integers(1000, 10_000))  # fmt: skip
refs = nasty_text | long_text
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# lookups of 10,000 characters take a tenth of a second (fuzzy matching): fewer examples
LOOKUP_SETTINGS = settings(SETTINGS, max_examples=40)


def one_line(message: str) -> bool:
    return "\n" not in message and len(message) <= MESSAGE_CHARS


@pytest.fixture(scope="module")
def store(mini_graph: Path) -> MemoryStore:
    return MemoryStore.open(mini_graph)


# --- embedded store ---


@SETTINGS
@given(text=refs, top=st.integers(0, 20))
def test_memory_search_takes_any_text(store: MemoryStore, text: str, top: int) -> None:
    hits = store.search(text, top)
    assert len(hits) <= top
    ids = {q.id for q in store.questions()}
    assert all(h.question.id in ids and math.isfinite(h.score) for h in hits)


@LOOKUP_SETTINGS
@given(ref=refs)
def test_memory_lookups_take_any_reference(store: MemoryStore, ref: str) -> None:
    titles = {q.title for q in store.questions()}
    names = {c.name for c in store.concepts()} | {c.name for c in store.load().concepts.values()}
    try:
        assert store.question(ref).title in titles
    except QuestionNotFound as e:
        assert one_line(str(e)) and set(e.suggestions) <= titles
    try:
        assert store.concept(ref).name in names
    except ConceptNotFound as e:
        assert one_line(str(e)) and set(e.suggestions) <= names
    try:
        store.path([ref])
    except NotFoundError as e:
        assert one_line(str(e)) and set(e.suggestions) <= titles | names


# --- Neo4j store: the driver sees only $parameters, every one sendable over Bolt ---


class WireDriver:
    """Packs every query's parameters with the driver's own PackStream packer (as sending would)
    and answers the lookups from a graph."""

    def __init__(self, data: GraphData) -> None:
        self.data = data
        self.queries: list[tuple[str, dict[str, Any]]] = []

    def verify_connectivity(self) -> None:
        return None

    def execute_query(self, query: str, params: dict[str, Any] | None = None, **_: Any) -> Any:
        from neo4j._codec.packstream.v1 import Packer

        params = params or {}
        sink = type("Sink", (), {"write": lambda self, b: None})()
        Packer(sink).pack(params)  # raises on anything Bolt cannot carry (lone surrogates)
        self.queries.append((query, params))
        rows: list[dict[str, Any]] = []
        if query == cypher.QUESTION_TITLES:
            rows = [{"id": q.id, "title": q.title} for q in self.data.questions.values()]
        elif query == cypher.QUESTION_BY_ID and params["id"] in self.data.questions:
            rows = [{"questions": [neo4j_rows.to_props(self.data.questions[params["id"]])]}]
        elif query == cypher.LOAD_CONCEPTS:
            rows = [{"concepts": [neo4j_rows.to_props(c) for c in self.data.concepts.values()]}]
        elif query == cypher.CONCEPT_BY_ID and params["id"] in self.data.concepts:
            rows = [{"concepts": [neo4j_rows.to_props(self.data.concepts[params["id"]])]}]
        return type("Result", (), {"records": rows})()

    def close(self) -> None:
        return None


@pytest.fixture(scope="module")
def neo4j(store: MemoryStore) -> tuple[Neo4jStore, WireDriver]:
    driver = WireDriver(store.load())
    return Neo4jStore(driver, "zhitu", uri="bolt://test:7687"), driver  # type: ignore[arg-type]


@SETTINGS
@given(text=refs, top=st.integers(1, 20))
def test_neo4j_search_takes_any_text(neo4j: tuple[Neo4jStore, WireDriver], text: str, top: int):
    store, driver = neo4j
    assert store.search(text, top) == []
    sent = [p["query"] for q, p in driver.queries if q == cypher.SEARCH]
    if sent:
        assert _literal_terms(sent[-1].split(" OR ", 1)[1][1:-1]) is not None


@LOOKUP_SETTINGS
@given(ref=refs)
def test_neo4j_lookups_take_any_reference(neo4j: tuple[Neo4jStore, WireDriver], ref: str) -> None:
    store, _ = neo4j
    for lookup in (store.question, store.concept):
        try:
            lookup(ref)
        except NotFoundError as e:
            assert one_line(str(e))


# --- Neo4j store, live (tests/neo4j_server.py): any text is a query the server accepts ---


@pytest.fixture(scope="module")
def live_store(store: MemoryStore) -> Iterator[Neo4jStore]:
    from tests import neo4j_server

    opened = neo4j_server.open_store()
    opened.replace(store.load())
    yield opened
    opened.close()


@pytest.mark.neo4j
@settings(SETTINGS, max_examples=60)
@given(text=refs, top=st.integers(1, 20))
def test_live_neo4j_search_takes_any_text(live_store: Neo4jStore, text: str, top: int) -> None:
    hits = live_store.search(text, top)  # a StoreError (the server refusing the query) fails
    assert len(hits) <= top and all(h.score > 0 for h in hits)


@pytest.mark.neo4j
@settings(LOOKUP_SETTINGS, max_examples=30)
@given(ref=refs)
def test_live_neo4j_lookups_take_any_reference(live_store: Neo4jStore, ref: str) -> None:
    for lookup in (live_store.question, live_store.concept, lambda r: live_store.path([r])):
        try:
            lookup(ref)
        except NotFoundError as e:
            assert one_line(str(e))


# --- Lucene escaping is total ---


def _literal_terms(query: str) -> list[str] | None:
    """The terms of a Lucene query when it holds nothing but literal terms, else None."""
    terms, term, escaped = [], [], False
    for ch in query:
        if escaped:
            term.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in LUCENE_SPACE:
            if term:
                terms.append("".join(term))
                term = []
        elif ch in LUCENE_SPECIAL:
            return None  # an unescaped operator, group, range, wildcard, field or regex
        else:
            term.append(ch)
    if term:
        terms.append("".join(term))
    if escaped or any(t in OPERATORS for t in terms):
        return None  # a dangling backslash, or AND / OR / NOT / TO as an operator
    return terms


@settings(max_examples=500, deadline=None)
@given(text=st.text(any_char) | nasty_text)
def test_escape_lucene_leaves_only_the_users_words(text: str) -> None:
    escaped = neo4j_rows.escape_lucene(text)
    terms = _literal_terms(escaped)
    assert terms is not None, escaped
    assert terms == [w.lower() if w in OPERATORS else w for w in text.split()]
    query = neo4j_rows.fulltext_query(text)
    kept = neo4j_rows.escape_lucene(text[: neo4j_rows.SEARCH_CHARS])  # a search's first part
    assert query == (f"title:({kept})^2 OR ({kept})" if kept else "")


@pytest.mark.parametrize(
    "query",
    ["LSTM AND GRU", "title:x", "a*", "(a", "a\\", 'a"b', "a~2", "[a TO b]", "a || b", "/re/"],
)
def test_the_checker_rejects_live_lucene_syntax(query: str) -> None:
    assert _literal_terms(query) is None


# --- the zhitu command ---


def _not_found(stderr: str, titles: set[str]) -> None:
    """One 错误 line, then optionally 你是不是要找: and suggestion lines (each a real title)."""
    lines = stderr.splitlines()
    assert lines[0].startswith("错误: 找不到") and len(lines[0]) <= MESSAGE_CHARS + 10, lines[0]
    if len(lines) > 1:
        assert lines[1] == "你是不是要找:" and 3 <= len(lines) <= 7, lines
        assert {line.strip() for line in lines[2:]} <= titles, lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=refs)
def test_cli_search_and_question_take_any_text(mini_graph: Path, text: str) -> None:
    runner = CliRunner()
    graph = ["--graph", str(mini_graph)]
    titles = {q.title for q in MemoryStore.open(mini_graph).questions()}
    found = runner.invoke(cli, [*graph, "search", "--top", "3", "--json", "--", text])
    assert found.exit_code == 0, found.output
    assert {h["title"] for h in json.loads(found.stdout)} <= titles
    asked = runner.invoke(cli, [*graph, "question", "--json", "--", text])
    assert asked.exit_code in (0, 2), (asked.output, asked.exc_info)
    if asked.exit_code == 0:
        assert json.loads(asked.stdout)["title"] in titles
    else:
        assert asked.exit_code == 2 and asked.stdout == "", asked.output
        _not_found(asked.stderr, titles)


def test_cli_unknown_question_exits_2_with_suggestions(mini_graph: Path) -> None:
    result = CliRunner().invoke(cli, ["--graph", str(mini_graph), "question", "LSTN门控单元结构"])
    assert result.exit_code == 2
    _not_found(result.stderr, {q.title for q in MemoryStore.open(mini_graph).questions()})
    assert "什么是LSTM" in result.stderr


# argv bytes that are no UTF-8 reach Python as lone surrogates (surrogateescape)
COMMANDS = [[c, "--json", "--"] for c in ("search", "question", "chain")]
COMMANDS += [["path", "--json", "--target"]]
RAW_ARGS = [b"\xff\xfe", b"caf\xe9 \xed\xa0\x80 LSTM", b"\x80" * 3000]


@pytest.mark.parametrize("raw", RAW_ARGS, ids=["ff-fe", "latin1-and-cesu", "long"])
@pytest.mark.parametrize("command", COMMANDS, ids=["search", "question", "chain", "path"])
def test_the_process_takes_argv_bytes_that_are_no_utf8(
    mini_graph: Path, raw: bytes, command: list[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ZHITU_GRAPH", "ZHITU_LEXICON")}
    args = [sys.executable, "-m", "zhitu", "--graph", str(mini_graph), *command]
    done = subprocess.run([*map(os.fsencode, args), raw], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)  # fmt: skip
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and done.returncode in (0, 2), stderr
    if done.returncode == 0:
        json.loads(done.stdout)
    else:
        assert stderr.startswith("错误: 找不到") and done.stdout == b""
