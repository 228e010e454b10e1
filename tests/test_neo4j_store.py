"""Neo4jStore: the exact statements and parameters it sends (MagicMock(spec=neo4j.Driver)) and how
it translates driver errors; then, against the session's live server (tests/neo4j_server.py), the
toy graph's answers compared with the embedded store's, a write failing mid-batch, and bad input
(a wrong password, a stopped server, a missing database) through the `zhitu` command.

The Cypher is also checked by tests/test_cypher_lint.py (Neo4j's own front end) and, on the
bundled bank, by tests/test_contract.py and tests/test_neo4j_parity.py.
"""

from __future__ import annotations

import gc
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock, call

import neo4j
import pytest
from neo4j import EagerResult, Record, RoutingControl
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from tests import neo4j_server
from zhitu.graph import cypher, derived, neo4j_rows, study
from zhitu.graph.errors import QuestionNotFound, StoreError, StoreUnavailable
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import CONCEPT_RELATIONS, GraphData, Label, Mention, RelationType
from zhitu.graph.neo4j_store import ENV_NAMES, Neo4jStore

READ, WRITE = RoutingControl.READ, RoutingControl.WRITE
URI = "neo4j://graph.example:7687"
SCHEMA = [*cypher.schema_statements, cypher.AWAIT_INDEXES]


def _result(rows: list[dict[str, Any]]) -> EagerResult:
    keys = list(rows[0]) if rows else []
    return EagerResult([Record(row) for row in rows], MagicMock(), keys)


def _error(code: str, message: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message=message)


# --- what each read statement returns, from GraphData (see the module docstring) ---


@pytest.fixture
def driver() -> MagicMock:
    d = MagicMock(spec=neo4j.Driver)
    d.execute_query.return_value = _result([])
    return d


@pytest.fixture
def store(driver: MagicMock) -> Neo4jStore:
    return Neo4jStore(driver, "zhitu", batch_size=3, uri=URI, user="reader")


def _sent(driver: MagicMock) -> list[str]:
    return [c.args[0] for c in driver.execute_query.call_args_list]


# --- schema and writes ---


def test_replace_sends_schema_then_diff_reads_then_batches(store, driver, toy) -> None:
    store.replace(toy)
    calls = driver.execute_query.call_args_list
    n = len(SCHEMA)
    assert calls[:n] == [
        *(call(s, {}, routing_=WRITE, database_="zhitu") for s in cypher.schema_statements),
        call(cypher.AWAIT_INDEXES, {"seconds": 300}, routing_=WRITE, database_="zhitu"),
    ]
    assert calls[n : n + 3] == [
        call(q, {}, routing_=READ, database_="zhitu")
        for q in (cypher.QUESTION_IDS, cypher.CONCEPT_IDS, cypher.EDGE_KEYS)
    ]
    merges = [c for c in calls[n + 3 :] if c.args[0] == cypher.MERGE_QUESTIONS]
    assert [len(c.args[1]["rows"]) for c in merges] == [3, 3, 3]  # 9 questions, batch_size 3
    assert merges[0] == call(
        cypher.MERGE_QUESTIONS,
        {
            "rows": [
                {"id": q.id, "props": neo4j_rows.to_props(q)}
                for q in list(toy.questions.values())[:3]
            ]
        },
        routing_=WRITE,
        database_="zhitu",
    )
    assert all(c.kwargs == {"routing_": WRITE, "database_": "zhitu"} for c in calls[n + 3 :])


def test_schema_is_created_once(store, driver, toy) -> None:
    store.replace(toy)
    store.replace(toy)
    sent = _sent(driver)
    assert [sent.count(s) for s in SCHEMA] == [1] * len(SCHEMA)


def test_schema_statements_are_idempotent_and_cjk() -> None:
    assert all("IF NOT EXISTS" in s for s in cypher.schema_statements)
    fulltext = [s for s in cypher.schema_statements if "FULLTEXT" in s]
    assert len(fulltext) == 2
    assert all("`fulltext.analyzer`: 'cjk'" in s for s in fulltext)
    assert "q.title, q.answer" in cypher.CREATE_QUESTION_FULLTEXT
    assert (
        "c.name" in cypher.CREATE_CONCEPT_FULLTEXT
        and "alias_text" in cypher.CREATE_CONCEPT_FULLTEXT
    )


def test_edges_carry_confidence_source_and_evidence_as_parallel_lists(toy) -> None:
    plan = neo4j_rows.write_plan(toy)
    (rows,) = [items for s, _, items in plan if s == cypher.MERGE_CONCEPT_PREREQUISITE_OF]
    loop = next(r for r in rows if (r["src"], r["dst"]) == ("attention", "transformer"))
    assert loop["props"] == {
        "confidence": 0.7,
        "source": "pattern",
        "evidence_questions": ["q-lstm"],
        "evidence_sentences": ["LSTM 缓解了 RNN 的梯度消失"],
    }
    (mentions,) = [items for s, _, items in plan if s == cypher.MERGE_MENTIONS]
    assert mentions[0]["props"] == {"count": 1, "in_title": True, "weight": 1.0, "positions": [0],
                                    "focus": False, "shown": True}


def test_concepts_store_alias_text(toy) -> None:
    (rows,) = [items for s, _, items in neo4j_rows.write_plan(toy) if s == cypher.MERGE_CONCEPTS]
    by_id = {r["id"]: r["props"] for r in rows}
    assert by_id["batch-norm"]["alias_text"] == "BN\nBatchNormalization"
    assert "minutes" not in by_id["gru"]  # None: no property, not a null


def test_second_replace_of_the_same_data_deletes_nothing(store, driver, toy) -> None:
    held = {
        cypher.QUESTION_IDS: [{"id": q} for q in toy.questions],
        cypher.CONCEPT_IDS: [{"id": c} for c in toy.concepts],
        cypher.EDGE_KEYS: [
            {
                "from_question": r.src in toy.questions,
                "type": r.type.value,
                "src": r.src,
                "dst": r.dst,
            }
            for r in toy.relations
        ]
        + [
            {"from_question": True, "type": "MENTIONS", "src": m.question_id, "dst": m.concept_id}
            for m in toy.mentions
        ],
    }
    driver.execute_query.side_effect = lambda q, p, **_: _result(held.get(q, []))
    store.replace(toy)
    deletes = [s for s in _sent(driver) if "DELETE" in s]
    assert deletes == []


def test_replace_deletes_what_data_lacks_by_id(store, driver, toy) -> None:
    held = {
        cypher.QUESTION_IDS: [{"id": "q-old"}, {"id": "q-nn"}],
        cypher.CONCEPT_IDS: [{"id": "gone"}],
        cypher.EDGE_KEYS: [
            {"from_question": False, "type": "IS_A", "src": "rnn", "dst": "lstm"},  # reversed
            {"from_question": False, "type": "IS_A", "src": "lstm", "dst": "rnn"},  # kept
            {"from_question": True, "type": "MENTIONS", "src": "q-nn", "dst": "rnn"},
            {"from_question": True, "type": "PREREQUISITE_OF", "src": "q-nn", "dst": "q-bn"},
            {"from_question": False, "type": "FOREIGN", "src": "a", "dst": "b"},  # not ours
        ],
    }
    driver.execute_query.side_effect = lambda q, p, **_: _result(held.get(q, []))
    store.replace(toy)
    deletes = [(c.args[0], c.args[1]) for c in driver.execute_query.call_args_list
               if "DELETE" in c.args[0]]  # fmt: skip
    assert deletes == [
        (cypher.DELETE_IS_A, {"rows": [{"src": "rnn", "dst": "lstm"}]}),
        (cypher.DELETE_QUESTION_PREREQUISITE_OF, {"rows": [{"src": "q-nn", "dst": "q-bn"}]}),
        (cypher.DELETE_MENTIONS, {"rows": [{"src": "q-nn", "dst": "rnn"}]}),
        (cypher.DELETE_QUESTIONS, {"ids": ["q-old"]}),
        (cypher.DELETE_CONCEPTS, {"ids": ["gone"]}),
    ]
    assert _sent(driver).index(cypher.DELETE_QUESTIONS) > _sent(driver).index(cypher.MERGE_MENTIONS)


def test_relation_statements_use_only_enum_types() -> None:
    for (label, rel), statement in cypher.merge_edges.items():
        assert f":{label.value} " in statement and f"[r:{rel.value}]" in statement
    assert set(cypher.merge_edges) == set(cypher.delete_edges)
    concept_types = {t for label, t in cypher.merge_edges if label is Label.CONCEPT}
    assert concept_types == set(CONCEPT_RELATIONS)
    assert (Label.QUESTION, RelationType.MENTIONS) in cypher.merge_edges
    assert (Label.QUESTION, RelationType.PREREQUISITE_OF) in cypher.merge_edges


# --- reads ---


def _toy_rows(toy: GraphData) -> Callable[..., EagerResult]:
    """Rows for the lookups a chain needs (the question by id, a closure of itself alone)."""

    def answer(query: str, params: dict[str, Any], **_: Any) -> EagerResult:
        if query in (cypher.CHAIN, cypher.CHAIN_NEAR):
            return _result([{"questions": [neo4j_rows.to_props(toy.questions[params["id"]])]}])
        if query == cypher.QUESTION_BY_ID and params["id"] in toy.questions:
            return _result([{"questions": [neo4j_rows.to_props(toy.questions[params["id"]])]}])
        if query == cypher.QUESTION_TITLES:
            return _result([{"id": q.id, "title": q.title} for q in toy.questions.values()])
        return _result([])

    return answer


def test_reads_are_routed_read(store, driver, toy) -> None:
    driver.execute_query.side_effect = _toy_rows(toy)
    store.chain("q-lstm")
    assert driver.execute_query.call_args_list == [
        call(cypher.QUESTION_BY_ID, {"id": "q-lstm"}, routing_=READ, database_="zhitu"),
        call(cypher.CHAIN_NEAR, {"id": "q-lstm"}, routing_=READ, database_="zhitu"),
        call(cypher.CONCEPT_PREREQUISITES, {"ids": []}, routing_=READ, database_="zhitu"),
    ]


def test_chain_is_a_variable_length_prerequisite_query() -> None:
    pre = RelationType.PREREQUISITE_OF.value
    assert f"(()-[:{pre}]->())+" in cypher.CHAIN
    assert f"(p:{Label.QUESTION.value})-[:{pre}]->(q)" in cypher.CHAIN_NEAR  # one step back
    assert f"(()-[:{pre}]->())+" in cypher.CONCEPT_PREREQUISITES
    # the confidence floor inside the quantified pattern: pruned, never path by path
    assert f"(()-[r:{pre}]->() WHERE r.confidence >= $floor)+" in cypher.PATH_CLOSURE


def test_mentions_carry_their_title_rank_exactly_when_the_title_names_the_concept(toy) -> None:
    merge = cypher.MERGE_MENTIONS
    assert "SET r = row.props," in merge  # a mention no longer in a title loses both
    assert "r.title_names = CASE WHEN row.props.in_title THEN row.dst END" in merge
    assert "r.title_rank = CASE WHEN row.props.in_title THEN row.rank END" in merge
    assert cypher.CREATE_MENTION_TITLE_INDEX in cypher.schema_statements
    assert "(m.title_names, m.title_rank)" in cypher.CREATE_MENTION_TITLE_INDEX
    # ranks in graph/derived.py `about` order: focus first, then weight, level, title, id
    toy.mentions.append(Mention("q-lstm-f", "rnn", 1, True, 2.0))  # heavier than the others
    ranks = neo4j_rows.title_ranks(toy)
    assert [q for (q, c), _ in sorted(ranks.items(), key=lambda kv: kv[1]) if c == "rnn"] == [
        "q-lstm-f", "q-rnn", "q-vg", "q-rnn-why"]  # fmt: skip
    g = study.build_graph(toy)
    for c in toy.concepts:  # each concept's titled questions numbered 0, 1, … in that order
        found = {q: rank for (q, named), rank in ranks.items() if named == c}
        assert found == {q: i for i, q in enumerate(derived.about(g, c))}, c
    (step,) = [rows for statement, _, rows in neo4j_rows.write_plan(toy)
               if statement == cypher.MERGE_MENTIONS]  # fmt: skip
    assert {(r["src"], r["dst"]): r["rank"] for r in step} == {
        (m.question_id, m.concept_id): ranks.get((m.question_id, m.concept_id))
        for m in toy.mentions}  # fmt: skip
    assert all((r["rank"] is None) != r["props"]["in_title"] for r in step)


def test_a_write_claims_the_layout_only_once_whole(store, driver, toy) -> None:
    store.replace(toy)
    sent = _sent(driver)
    first_batch = next(i for i, s in enumerate(sent) if s.startswith("UNWIND $"))
    assert sent.index(cypher.DROP_LAYOUT) == first_batch - 1
    assert sent[-1] == cypher.WRITE_META and f"m.layout = {cypher.layout}" in cypher.WRITE_META
    # the step query reads the title index only when the graph has the layout
    assert f"g.layout = {cypher.layout}" in cypher.PATH_STEP_QUESTIONS
    assert "WITH id WHERE indexed" in cypher.PATH_STEP_QUESTIONS
    assert "WITH id WHERE NOT indexed" in cypher.PATH_STEP_QUESTIONS


def test_question_by_title_then_not_found(store, driver, toy) -> None:
    driver.execute_query.side_effect = _toy_rows(toy)
    assert store.question("ｌｓｔｍ 每个门").id == "q-lstm-f"
    assert _sent(driver) == [cypher.QUESTION_BY_ID, cypher.QUESTION_TITLES, cypher.QUESTION_BY_ID]
    with pytest.raises(QuestionNotFound) as e:
        store.question("卷积核的尺寸怎么选")
    assert "卷积核的尺寸怎么选" in str(e.value)


def _stored_related(toy: GraphData) -> dict[str, list[dict[str, Any]]]:
    """question id -> its stored related edges as the write plan sends them (src, dst, props)."""
    (rows,) = [items for s, _, items in neo4j_rows.write_plan(toy)
               if s == cypher.MERGE_QUESTION_RELATED_TO]
    found: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r["src"], []).append(r)
    return found


def test_related_reads_the_stored_list(store, driver, toy) -> None:
    stored = _stored_related(toy)
    assert sorted(stored) == ["q-gru", "q-lstm", "q-rnn"]  # every list in the toy is written
    props = {
        q: {k: v for k, v in neo4j_rows.to_props(toy.questions[q]).items()
            if k in ("id", "title", "level")}
        for q in toy.questions
    }

    def answer(query: str, params: dict[str, Any], **_: Any) -> EagerResult:
        if query == cypher.RELATED:  # the rows cypher.RELATED returns
            edges = stored.get(params["id"], [])
            return _result([{
                "questions": [props[params["id"]]] + [props[e["dst"]] for e in edges],
                "edges": [{"type": "RELATED_TO", **e} for e in edges],
            }])
        return _toy_rows(toy)(query, params)

    driver.execute_query.side_effect = answer
    found = store.related("LSTM的原理", top=2)
    # nothing is scored in Neo4j: the statement gets the question, and the list comes back
    assert driver.execute_query.call_args_list[-1] == call(
        cypher.RELATED, {"id": "q-lstm"}, routing_=READ, database_="zhitu")
    assert [(r.question.id, r.score, r.shared) for r in found] == [
        ("q-lstm-f", 0.62, ["都在讲 LSTM"]),
        ("q-gru", 0.41, ["LSTM 和 GRU 常被拿来比较"]),
    ]
    reference = study.build_graph(toy)
    for qid in toy.questions:
        assert store.related(qid, 10) == study.related(reference, qid, 10), qid


def test_related_reads_only_the_stored_edges() -> None:
    related = RelationType.RELATED_TO.value
    assert f"[r:{related}]" in cypher.RELATED
    assert RelationType.MENTIONS.value not in cypher.RELATED  # nothing scored at query time


def test_neighborhood_walks_breadth_first_then_fetches_once(store, driver) -> None:
    is_a = [("lstm", "rnn"), ("gru", "lstm"), ("rnn", "nn")]
    steps = {("lstm",): ["rnn", "gru"], ("gru", "rnn"): ["lstm", "nn"]}

    def answer(query: str, params: dict[str, Any], **_: Any) -> EagerResult:
        if query == cypher.NEIGHBOR_STEP:
            return _result([{"id": i} for i in steps[tuple(params["ids"])]])
        if query == cypher.CONCEPT_BY_ID:
            return _result([{"concepts": [{"id": params["id"]}]}])
        edges = [{"type": "IS_A", "src": a, "dst": b, "props": {}} for a, b in is_a]
        return _result([{"concepts": [{"id": i} for i in params["ids"]], "edges": edges}])

    driver.execute_query.side_effect = answer
    found = store.neighborhood("lstm", depth=2, types=[RelationType.IS_A, RelationType.MENTIONS])
    assert [c.id for c in found.concepts] == ["lstm", "gru", "nn", "rnn"]
    assert [c.args[:2] for c in driver.execute_query.call_args_list[1:]] == [
        (cypher.NEIGHBOR_STEP, {"ids": ["lstm"], "types": ["IS_A"]}),
        (cypher.NEIGHBOR_STEP, {"ids": ["gru", "rnn"], "types": ["IS_A"]}),
        (cypher.NEIGHBORHOOD, {"ids": ["gru", "lstm", "nn", "rnn"], "types": ["IS_A"]}),
    ]


def test_stats_aggregate_in_the_database(store, driver) -> None:
    answers = {
        cypher.STATS_NODES: [{"questions": 9, "concepts": 8}],
        cypher.STATS_RELATIONS: [{"type": "MENTIONS", "n": 14}, {"type": "IS_A", "n": 2}],
    }
    driver.execute_query.side_effect = lambda q, p, **_: _result(answers[q])
    assert store.stats() == {
        "questions": 9,
        "concepts": 8,
        "relations": {"IS_A": 2, "MENTIONS": 14},
    }
    assert _sent(driver) == [cypher.STATS_NODES, cypher.STATS_RELATIONS]


# --- search ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("梯度消失", "梯度消失"),
        # every Lucene special character, escaped
        ('+ - && || ! ( ) { } [ ] ^ " ~ * ? : \\ /',
         r'\+ \- \&\& \|\| \! \( \) \{ \} \[ \] \^ \" \~ \* \? \: \\ \/'),
        # C++ is a term, not a required clause
        ("C++和Java", r"C\+\+和Java"),
        # boolean operators in user text are words
        ("RNN AND LSTM OR NOT GRU", "RNN and LSTM or not GRU"),
        ("title:RNN", r"title\:RNN"),  # no field queries from users
        ("  多个   空格 ", "多个 空格"),
        ("", ""),
    ],
)  # fmt: skip
def test_escape_lucene(text: str, expected: str) -> None:
    assert neo4j_rows.escape_lucene(text) == expected


def test_search_sends_escaped_text_through_the_fulltext_index(store, driver) -> None:
    driver.execute_query.side_effect = lambda q, p, **_: _result(
        [{"id": "q-lstm", "title": "LSTM的原理", "score": 1.23456789}] if q == cypher.SEARCH else []
    )
    hits = store.search('LSTM "门" (公式)?', top=5)
    query = r"LSTM \"门\" \(公式\)\?"
    assert driver.execute_query.call_args_list[-1] == call(
        cypher.SEARCH,
        {"index": "zhitu_question_text", "query": f"title:({query})^2 OR ({query})", "top": 5},
        routing_=READ,
        database_="zhitu",
    )
    assert _sent(driver)[: len(SCHEMA)] == SCHEMA  # the index exists before the first search
    assert [(h.question.id, h.score) for h in hits] == [("q-lstm", 1.234568)]


@pytest.mark.parametrize(("text", "top"), [("", 10), ("   ", 10), ("LSTM", 0)])
def test_search_for_nothing_sends_nothing(store, driver, text: str, top: int) -> None:
    assert store.search(text, top) == []
    driver.execute_query.assert_not_called()


# --- errors ---


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (ServiceUnavailable("Couldn't connect to graph.example:7687\nConnection refused"),
         StoreUnavailable, [URI, "无法连接", "Connection refused"]),
        (SessionExpired("gone"), StoreUnavailable, [URI, "无法连接"]),
        (_error("Neo.ClientError.Security.Unauthorized", "authentication failure"),
         StoreUnavailable, [URI, "'reader'", "NEO4J_USER", "NEO4J_PASSWORD"]),
        (_error("Neo.ClientError.Database.DatabaseNotFound", "Graph not found: zhitu"),
         StoreError, [URI, "'zhitu'", "NEO4J_DATABASE"]),
        (_error("Neo.ClientError.Statement.SyntaxError", "Invalid input\n  'x'"),
         StoreError, [URI, "Neo.ClientError.Statement.SyntaxError", "Invalid input"]),
    ],
)  # fmt: skip
def test_driver_errors_become_one_line_store_errors(
    store, driver, error: Exception, kind: type, words: list[str]
) -> None:
    driver.execute_query.side_effect = error
    with pytest.raises(kind) as e:
        store.stats()
    message = str(e.value)
    assert "\n" not in message
    assert all(w in message for w in words), message
    assert e.value.__cause__ is error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ServiceUnavailable("Unable to retrieve routing information"), ["无法连接", URI]),
        (_error("Neo.ClientError.Security.Unauthorized", "x"), ["认证失败", "'reader'"]),
    ],
)
def test_connection_is_checked_once_without_transaction_retries(
    store, driver, error: Exception, words: list[str]
) -> None:
    # a managed transaction would retry an unreachable server for 30 s before failing
    driver.verify_connectivity.side_effect = error
    with pytest.raises(StoreUnavailable) as e:
        store.stats()
    assert all(w in str(e.value) for w in words) and e.value.__cause__ is error
    driver.execute_query.assert_not_called()
    driver.verify_connectivity.side_effect = None
    driver.execute_query.side_effect = lambda q, p, **_: _result(
        [{"questions": 0, "concepts": 0}] if q == cypher.STATS_NODES else []
    )
    store.stats()
    store.stats()
    assert driver.verify_connectivity.call_count == 2  # the failed check, then one that passed


def test_auth_error_is_translated() -> None:
    assert issubclass(AuthError, Neo4jError)  # hydrated from the Unauthorized code above
    error = _error("Neo.ClientError.Security.Unauthorized", "x")
    assert isinstance(error, AuthError)


def test_server_gone_mid_ingest_says_what_was_written(store, driver, toy) -> None:
    writes = 0

    def answer(query: str, params: dict[str, Any], **_: Any) -> EagerResult:
        nonlocal writes
        if query.startswith("UNWIND $rows"):
            writes += 1
            if writes == 3:
                raise ServiceUnavailable("connection lost")
        return _result([])

    driver.execute_query.side_effect = answer
    batches = sum(-(-len(items) // store.batch_size) for _, _, items in neo4j_rows.write_plan(toy))
    with pytest.raises(StoreUnavailable) as e:
        store.replace(toy)
    message = str(e.value)
    assert f"已完成 2/{batches} 批 (6 行)" in message, message
    assert URI in message and "\n" not in message


@pytest.mark.parametrize("fail", [False, True])  # the collector comes back after a failed write too
def test_the_gc_pauses_while_batches_are_built_and_sent(store, driver, toy, fail: bool) -> None:
    during = []

    def answer(query: str, params: dict[str, Any], **_: Any) -> EagerResult:
        if query.startswith("UNWIND $rows"):
            during.append(gc.isenabled())
            if fail:
                raise ServiceUnavailable("connection lost")
        return _result([])

    driver.execute_query.side_effect = answer
    assert gc.isenabled()
    if fail:
        with pytest.raises(StoreUnavailable):
            store.replace(toy)
    else:
        store.replace(toy)
    assert during and not any(during)
    assert gc.isenabled()


# --- opening and closing ---


def test_from_env_reads_the_documented_names(monkeypatch) -> None:
    assert ENV_NAMES == ("NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
    monkeypatch.setenv("NEO4J_USER", "alice")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pass")
    monkeypatch.setenv("NEO4J_DATABASE", "bank")
    opened = MagicMock(spec=neo4j.Driver)
    factory = MagicMock(return_value=opened)
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", factory)
    store = Neo4jStore.from_env(URI)
    factory.assert_called_once_with(URI, auth=("alice", "s3cret-pass"))
    assert (store.database, store.uri, store.batch_size) == ("bank", URI, 5000)
    store.close()
    opened.close.assert_called_once_with()


def test_from_env_defaults_and_missing_password(monkeypatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(StoreUnavailable, match="NEO4J_PASSWORD"):
        Neo4jStore.from_env(URI)
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pass")
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", MagicMock())
    store = Neo4jStore.from_env(URI)
    assert (store.user, store.database) == ("neo4j", "neo4j")


def test_from_env_rejects_a_bad_uri(monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pass")
    with pytest.raises(StoreError, match=r"'neo4j://\[::1'"):
        Neo4jStore.from_env("neo4j://[::1")


# --- live: the session's Neo4j server (tests/neo4j_server.py) ---


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Neo4jStore, MemoryStore]]:
    """The toy graph in the live Neo4j and in a graph file."""
    from tests.conftest import make_toy

    toy = make_toy()
    embedded = MemoryStore.open(tmp_path_factory.mktemp("live") / "toy.json")
    embedded.replace(toy, meta={"built_from": ["toy.txt"]})
    store = neo4j_server.open_store()
    store.replace(toy, meta={"built_from": ["toy.txt"]})
    yield store, embedded
    store.close()


@pytest.mark.neo4j
def test_live_round_trip_and_meta(live) -> None:
    store, embedded = live
    assert _same_graph(store.load(), embedded.load())
    assert store.meta == {"built_from": ["toy.txt"]}
    assert store.stats() == embedded.stats()


def _same_graph(a: GraphData, b: GraphData) -> bool:
    return (a.questions, a.concepts, sorted(a.relations, key=lambda r: r.key),
            sorted(a.mentions, key=lambda m: (m.question_id, m.concept_id))) == (
        b.questions, b.concepts, sorted(b.relations, key=lambda r: r.key),
        sorted(b.mentions, key=lambda m: (m.question_id, m.concept_id)))  # fmt: skip


@pytest.mark.neo4j
@pytest.mark.parametrize("question", ["q-lstm-f", "q-lstm", "q-gru", "q-bn", "q-nn", "q-att"])
def test_live_chain_and_related_as_the_embedded_store(live, question: str) -> None:
    store, embedded = live
    assert store.chain(question) == embedded.chain(question)
    assert store.chain(question, full=True) == embedded.chain(question, full=True)
    assert store.related(question) == embedded.related(question)


@pytest.mark.neo4j
@pytest.mark.parametrize(
    ("targets", "known"),
    [
        (["LSTM"], []),
        (["lstm", "batch-norm"], ["rnn"]),
        (["transformer"], []),  # an extracted prerequisite loop: condensed, reported
        (["LSTM每个门的计算公式"], []),  # a question by title: its topic concepts
        (["q-lstm-f"], ["rnn"]),  # ids only: resolved without the name indexes
    ],
)
def test_live_path_as_the_embedded_store(live, targets: list[str], known: list[str]) -> None:
    store, embedded = live
    assert store.path(targets, known) == embedded.path(targets, known)


@pytest.mark.neo4j
@pytest.mark.parametrize("ref", ["q-lstm", "LSTM的原理", "BatchNormalization", "ｌｓｔｍ 每个门"])
def test_live_question_lookups_as_the_embedded_store(live, ref: str) -> None:
    store, embedded = live
    for method in ("question", "question_concepts", "mentions"):
        assert getattr(store, method)(ref) == getattr(embedded, method)(ref), method


@pytest.mark.neo4j
@pytest.mark.parametrize("ref", ["lstm", "批归一化", "Recurrent Neural Network", "梯度弥散"])
def test_live_concept_by_id_name_or_alias(live, ref: str) -> None:
    store, embedded = live
    assert store.concept(ref) == embedded.concept(ref)
    assert store.relations(ref) == embedded.relations(ref)
    assert store.concept_questions(ref) == embedded.concept_questions(ref)


def _title_index(store: Neo4jStore) -> dict[tuple[str, str], tuple[object, object]]:
    """(question, concept) -> (title_names, title_rank) of every mention in the database."""
    rows = store._run("MATCH (q:Question)-[m:MENTIONS]->(c:Concept) "
                      "RETURN q.id AS q, c.id AS c, m.title_names AS named, m.title_rank AS rank")
    return {(r["q"], r["c"]): (r["named"], r["rank"]) for r in rows}


def _expected_index(data: GraphData) -> dict[tuple[str, str], tuple[object, object]]:
    ranks = neo4j_rows.title_ranks(data)
    return {(m.question_id, m.concept_id): (m.concept_id, ranks[(m.question_id, m.concept_id)])
            if m.in_title else (None, None) for m in data.mentions}  # fmt: skip


def _changed_toy() -> GraphData:
    """The toy after an edit: a mention comes into a title (ahead of the others naming its
    concept), one leaves it, a question goes (with its mentions) and one comes: what
    re-ingesting a changed file does to the mentions."""
    from tests.conftest import make_toy
    from zhitu.graph.model import Question

    data = make_toy()
    for m in data.mentions:
        if (m.question_id, m.concept_id) == ("q-lstm", "rnn"):
            m.in_title, m.focus = True, True  # was named in the answer only
        if (m.question_id, m.concept_id) == ("q-vg", "vanishing-gradient"):
            m.in_title = False  # no longer in the title
    data.mentions = [m for m in data.mentions if m.question_id != "q-gru"]
    del data.questions["q-gru"]
    data.relations = [r for r in data.relations if "q-gru" not in (r.src, r.dst)]
    data.questions["q-gru2"] = Question("q-gru2", "GRU的原理", "GRU的参考回答。", "",
                                        ["toy.txt:40"])  # fmt: skip
    data.mentions.append(Mention("q-gru2", "gru", 1, True, 1.0, [0], focus=True))
    return data


PATHS = [
    (["lstm"], []), (["rnn"], []), (["vanishing-gradient"], []), (["gru", "batch-norm"], ["nn"]),
    (["transformer"], []), (["q-lstm-f"], ["rnn"]),
]  # fmt: skip


@pytest.mark.neo4j
def test_live_title_index_follows_an_incremental_write(live, tmp_path: Path) -> None:
    """A second replace with changed mentions keeps `title_names` and `title_rank` exactly on
    the titled mentions, in `about` order, and paths (through the index) stay the embedded
    store's; a graph without the layout (an older zhitu's) is read right too, by every mention."""
    from tests.conftest import make_toy

    store, _ = live
    changed = _changed_toy()
    embedded = MemoryStore.open(tmp_path / "changed.json")
    embedded.replace(changed, meta={"built_from": ["toy.txt"]})
    try:
        assert _title_index(store) == _expected_index(make_toy())
        store.replace(changed, meta={"built_from": ["toy.txt"]})
        assert _title_index(store) == _expected_index(changed)
        assert _title_index(store)[("q-lstm", "rnn")] == ("rnn", 0)  # now first of rnn's
        assert [r["layout"] for r in store._run(cypher.READ_LAYOUT)] == [cypher.layout]
        for targets, known in PATHS:
            assert store.path(targets, known) == embedded.path(targets, known), targets
        # as an older zhitu left it: no title_names or title_rank, no layout
        store._run("MATCH ()-[m:MENTIONS]->() REMOVE m.title_names, m.title_rank", write=True)
        store._run("MATCH (m:ZhituMeta) REMOVE m.layout", write=True)
        for targets, known in PATHS:
            assert store.path(targets, known) == embedded.path(targets, known), targets
    finally:
        store.replace(make_toy(), meta={"built_from": ["toy.txt"]})  # the module's toy again
    assert _title_index(store) == _expected_index(make_toy())


class _FailingDriver:
    """The live driver, except that write batch `fail_at` (1-based) loses the connection."""

    def __init__(self, driver: neo4j.Driver, fail_at: int) -> None:
        self._driver, self.fail_at, self.batches = driver, fail_at, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)

    def execute_query(self, query: str, params: Any = None, **kw: Any) -> Any:
        if query.startswith("UNWIND $"):
            self.batches += 1
            if self.batches == self.fail_at:
                raise ServiceUnavailable("Failed to read from defunct connection")
        return self._driver.execute_query(query, params, **kw)


@pytest.mark.neo4j
def test_live_write_failing_mid_batch_says_what_was_written_and_a_rerun_completes(live) -> None:
    from tests.conftest import make_toy

    store, embedded = live
    toy = make_toy()
    store.clear()
    driver = _FailingDriver(store._driver, 4)
    failing = Neo4jStore(driver, store.database, batch_size=3, uri=store.uri)  # type: ignore[arg-type]
    batches = sum(-(-len(items) // 3) for _, _, items in neo4j_rows.write_plan(toy))
    with pytest.raises(StoreUnavailable) as e:
        failing.replace(toy, meta={"built_from": ["toy.txt"]})
    message = str(e.value)
    assert "\n" not in message and store.uri in message
    assert message.endswith(f"写入中断: 已完成 3/{batches} 批 (9 行)"), message
    held = store.load()
    assert len(held.questions) + len(held.concepts) == 9  # exactly the batches it names
    assert store._run(cypher.READ_LAYOUT) == []  # no layout claimed for half a graph
    store.replace(toy, meta={"built_from": ["toy.txt"]})  # running it again completes it
    assert _same_graph(store.load(), embedded.load())
    assert [r["layout"] for r in store._run(cypher.READ_LAYOUT)] == [cypher.layout]
    assert _title_index(store) == _expected_index(toy)


def _cli(args: list[str], env: dict[str, str | None]) -> Any:
    from click.testing import CliRunner

    from zhitu.ui.cli import cli

    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


@pytest.mark.neo4j
@pytest.mark.parametrize("fault", ["password", "stopped", "database"])
def test_live_bad_connection_is_one_line_exit_1_and_writes_nothing(
    live, fault: str, tmp_path: Path
) -> None:
    store, embedded = live
    env: dict[str, str | None] = {**neo4j_server.live_neo4j(), "ZHITU_GRAPH": None,
                                  "XDG_DATA_HOME": str(tmp_path / "xdg")}  # fmt: skip
    uri = env["NEO4J_URI"]
    if fault == "password":
        env["NEO4J_PASSWORD"] = "not-the-password"
    elif fault == "database":
        env["NEO4J_DATABASE"] = "nosuchdb"
    else:
        with socket.socket() as s:  # a port nothing listens on: the server is not running
            s.bind(("127.0.0.1", 0))
            uri = f"bolt://127.0.0.1:{s.getsockname()[1]}"
    before = store.stats()
    sample = Path(__file__).parent / "gold" / "sample.txt"
    copied = tmp_path / "copied.json"
    commands = [["--graph", uri, "ingest", str(sample)], ["--graph", uri, "stats"],
                ["copy", str(embedded.file), uri, "--replace"], ["copy", uri, str(copied)]]
    if fault == "password":  # the server locks the user out after 3 failed logins in a row
        commands = commands[::2]
    for args in commands:
        result = _cli(args, env)
        assert result.exit_code == 1, (fault, args, result.output)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr and uri in result.stderr, result.stderr
    assert not copied.exists()
    _until_login_works(store)
    assert store.stats() == before  # nothing half-written


def _until_login_works(store: Neo4jStore, seconds: float = 30) -> None:
    """Wait out the lock a wrong password may have left (the server's auth_lock_time, 5 s)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            store._driver.verify_connectivity()
            return
        except Neo4jError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
