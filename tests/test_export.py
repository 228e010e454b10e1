"""Exports: the store's JSON, GraphML that networkx reads back, and a Cypher script whose literals
are escaped so that any text reads back as itself (checked against Neo4j's own front end)."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import cypher_lint
from zhitu.graph import cypher, export, neo4j_rows
from zhitu.graph.export import cypher_literal, cypher_name, cypher_string
from zhitu.graph.memory import MemoryStore, dumps
from zhitu.graph.model import Concept, GraphData, Label, Question, RelationType

LINT = Path(__file__).resolve().parent.parent / "tools" / "cypher-lint"
_UNESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _cypher_unescape(literal: str) -> str:
    """A Cypher single-quoted string literal read back, per the Cypher manual's escape table."""
    assert literal[0] == literal[-1] == "'"
    body = literal[1:-1]
    assert re.search(r"(?<!\\)(\\\\)*'", body) is None, "an unescaped quote ends the string"

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE[code]

    return _UNESCAPE.sub(one, body)


@pytest.mark.parametrize(
    "text",
    [
        "plain 中文",
        "it's",  # a quote must not end the literal
        "C:\\new\\table",  # backslashes stay backslashes, not \n or \t
        "line1\nline2\r\n\ttab",
        "'; MATCH (n) DETACH DELETE n; //",  # injection stays text
        "\\u0027 is a quote",  # an escape sequence written out stays literal
        "\u2028\u2029\x00\x1f\x7f",  # separators and control characters
        "😀 outside the BMP",
        "",
    ],
)
def test_cypher_string_reads_back(text: str) -> None:
    literal = cypher_string(text)
    assert "\n" not in literal and "\r" not in literal
    assert _cypher_unescape(literal) == text


@given(st.text())
def test_any_text_reads_back(text: str) -> None:
    assert _cypher_unescape(cypher_string(text)) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (0.25, "0.25"),
        (float("nan"), "null"),  # Cypher has no NaN literal; a store never holds one
        (["a", 1], "['a', 1]"),
        ({"in title": 1}, "{`in title`: 1}"),
    ],
)
def test_cypher_literal(value: object, expected: str) -> None:
    assert cypher_literal(value) == expected


def test_cypher_name_escapes_backquotes() -> None:
    assert cypher_name("a`b") == "`a``b`"


def test_json_export_is_the_store_file(toy_store: MemoryStore, toy: GraphData) -> None:
    assert export.export(toy, "json") == toy_store.file.read_text(encoding="utf-8")
    assert export.export(toy, "json") == dumps(toy)


def test_graphml_reads_back_with_scalar_attributes(toy: GraphData, tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text(export.export(toy, "graphml"), encoding="utf-8")
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == len(toy.questions) + len(toy.concepts)
    assert g.number_of_edges() == len(toy.relations) + len(toy.mentions)
    assert g.nodes["rnn"]["aliases"] == "Recurrent Neural Network"
    assert g.nodes["batch-norm"]["aliases"] == "BN; BatchNormalization"  # lists joined
    assert g.nodes["q-lstm"]["label"] == "LSTM的原理"
    for _, attrs in g.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in attrs.values())


def test_graphml_is_deterministic(toy: GraphData) -> None:
    assert export.export(toy, "graphml") == export.export(toy, "graphml")


def _statements(script: str) -> list[str]:
    body = "\n".join(line for line in script.splitlines() if not line.startswith("//"))
    return [s.removesuffix(";") for s in (body + "\n").split(";\n") if s.strip()]


def _hostile() -> GraphData:
    data = GraphData()
    title = "它's \"引号\" \\ 反斜杠\n'; MATCH (n) DETACH DELETE n; //"
    data.questions["q1"] = Question("q1", title, "答案\r\n\t😀", sources=["a b.txt:1"])
    data.concepts["c1"] = Concept("c1", "C`1", "概念", ["a'b", "\\"], "nn", minutes=5)
    return data


def test_cypher_script_shape(toy: GraphData) -> None:
    script = export.export(toy, "cypher")
    statements = _statements(script)
    schema = len(cypher.schema_statements)
    assert statements[:schema] == list(cypher.schema_statements)
    # then exactly what Neo4jStore.replace sends, one batch per step here, $rows inlined
    plan = neo4j_rows.write_plan(toy)
    assert len(statements) == schema + len(plan)
    for statement, (expected, key, _) in zip(statements[schema:], plan, strict=True):
        head, tail = expected.split(f"${key}")
        assert statement.startswith(head + "[") and statement.endswith("]" + tail)
    assert "$" not in script  # a script has no parameters


@pytest.fixture(scope="module")
def lint():
    types = [t.value for t in RelationType]

    def run(query: str) -> list[str]:
        item = {"name": "script", "query": query, "params": {},
                "labels": [label.value for label in Label], "relationshipTypes": types}
        return [str(d["message"]) for d in cypher_lint([item])[0]["diagnostics"]]  # type: ignore[union-attr]

    return run


@pytest.mark.parametrize(
    "data", [pytest.param("toy", id="toy"), pytest.param("hostile", id="hostile")]
)
def test_cypher_script_passes_the_cypher_front_end(lint, toy: GraphData, data: str) -> None:
    script = export.export(toy if data == "toy" else _hostile(), "cypher")
    assert lint(script) == []


def test_hostile_text_stays_inside_literals(lint) -> None:
    script = export.export(_hostile(), "cypher")
    statements = _statements(script)
    # the schema and one batch per label: the hostile text made no statement of its own
    assert len(statements) == len(cypher.schema_statements) + 2
    assert all(s.startswith(("CREATE ", "UNWIND [")) for s in statements)
