"""Export a graph as the store's JSON, as GraphML (Gephi, yEd) or as a Cypher script (cypher-shell).

A script has no $parameters, so this is the one place values are written into Cypher as literals:
every string goes through `cypher_string`, every value through `cypher_literal`; labels and
relationship types come only from the Label and RelationType enums.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict

import networkx as nx

from graph.memory import dumps
from graph.model import GraphData, Label, RelationType

FORMATS = ("json", "graphml", "cypher")
BATCH = 200  # rows per UNWIND statement in the Cypher script

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def cypher_string(text: str) -> str:
    """A Cypher string literal that reads back as exactly `text`.

    >>> print(cypher_string("it's C:\\\\new\\n"))
    'it\\'s C:\\\\new\\n'
    """
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in "\u2028\u2029" or 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")  # control, line separators, lone surrogates
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def cypher_name(name: str) -> str:
    """A property key as Cypher reads it: bare when simple, else backquoted.

    >>> cypher_name("title"), cypher_name("in title`")
    ('title', '`in title```')
    """
    return name if _NAME.match(name) else "`" + name.replace("`", "``") + "`"


def cypher_literal(value: object) -> str:
    """A Cypher literal for a JSON-like value (None, bool, int, float, str, list, dict).

    >>> cypher_literal({"id": "q1", "n": [1, 2.5, None, True]})
    "{id: 'q1', n: [1, 2.5, null, true]}"
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{cypher_name(k)}: {cypher_literal(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _props(record: object, **extra: object) -> dict[str, object]:
    """Node/edge properties: scalars and lists of scalars only (Neo4j's property types)."""
    out: dict[str, object] = {}
    for key, value in {**asdict(record), **extra}.items():  # type: ignore[call-overload]
        if value is None or key in ("evidence", "type", "src", "dst", "question_id", "concept_id"):
            continue
        out[key] = value.value if hasattr(value, "value") else value
    return out


def _evidence(r: object) -> dict[str, object]:
    ev = r.evidence  # type: ignore[attr-defined]
    return {"evidence_questions": [e.question_id for e in ev], "evidence": [e.sentence for e in ev]}


def _node_rows(data: GraphData) -> list[tuple[Label, list[dict[str, object]]]]:
    questions = [{"id": k, "props": _props(data.questions[k])} for k in sorted(data.questions)]
    concepts = [
        {"id": k, "props": _props(c, alias_text=" ".join(c.aliases))}
        for k, c in sorted(data.concepts.items())
    ]
    return [(Label.QUESTION, questions), (Label.CONCEPT, concepts)]


def _edge_rows(data: GraphData) -> list[tuple[Label, RelationType, Label, list[dict[str, object]]]]:
    groups: dict[tuple[Label, RelationType, Label], list[dict[str, object]]] = {}
    for r in sorted(data.relations, key=lambda r: r.key):
        label = Label.QUESTION if r.src in data.questions else Label.CONCEPT
        row = {"src": r.src, "dst": r.dst, "props": _props(r, **_evidence(r))}
        groups.setdefault((label, r.type, label), []).append(row)
    for m in sorted(data.mentions, key=lambda m: (m.question_id, m.concept_id)):
        row = {"src": m.question_id, "dst": m.concept_id, "props": _props(m)}
        groups.setdefault((Label.QUESTION, RelationType.MENTIONS, Label.CONCEPT), []).append(row)
    return [(*k, rows) for k, rows in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def _batches(rows: list[dict[str, object]]) -> Iterable[str]:
    for i in range(0, len(rows), BATCH):
        yield "[\n  " + ",\n  ".join(cypher_literal(r) for r in rows[i : i + BATCH]) + "\n]"


def to_cypher(data: GraphData) -> str:
    """A script for `cypher-shell -f`: constraints, then MERGE batches (re-running is harmless)."""
    q, c = Label.QUESTION.value, Label.CONCEPT.value
    lines = [
        f"// zhitu export: {len(data.questions)} questions, {len(data.concepts)} concepts",
        f"CREATE CONSTRAINT zhitu_question_id IF NOT EXISTS FOR (n:{q}) REQUIRE n.id IS UNIQUE;",
        f"CREATE CONSTRAINT zhitu_concept_id IF NOT EXISTS FOR (n:{c}) REQUIRE n.id IS UNIQUE;",
    ]
    for label, rows in _node_rows(data):
        for batch in _batches(rows):
            lines.append(
                f"UNWIND {batch} AS row\nMERGE (n:{label.value} {{id: row.id}}) SET n = row.props;"
            )
    for src, rel, dst, rows in _edge_rows(data):
        for batch in _batches(rows):
            lines.append(
                f"UNWIND {batch} AS row\nMATCH (a:{src.value} {{id: row.src}})\n"
                f"MATCH (b:{dst.value} {{id: row.dst}})\n"
                f"MERGE (a)-[r:{rel.value}]->(b) SET r = row.props;"
            )
    return "\n".join(lines) + "\n"


def _graphml_value(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def to_graphml(data: GraphData) -> str:
    """GraphML with scalar attributes only (lists joined with "; "), as Gephi and yEd read it."""
    g = nx.MultiDiGraph()
    for label, rows in _node_rows(data):
        for row in rows:
            props = {k: _graphml_value(v) for k, v in row["props"].items()}  # type: ignore[union-attr]
            name = props.get("title") if label is Label.QUESTION else props.get("name")
            g.add_node(row["id"], kind=label.value, label=name, **props)
    for _, rel, _, rows in _edge_rows(data):
        for row in rows:
            props = {k: _graphml_value(v) for k, v in row["props"].items()}  # type: ignore[union-attr]
            props.pop("positions", None)
            g.add_edge(row["src"], row["dst"], key=rel.value, type=rel.value, **props)
    return "\n".join(nx.generate_graphml(g, prettyprint=True)) + "\n"


def to_json(data: GraphData, meta: dict[str, object] | None = None) -> str:
    """The embedded store's own file format."""
    return dumps(data, meta)


def export(data: GraphData, fmt: str, meta: dict[str, object] | None = None) -> str:
    """`data` in format `fmt` (one of FORMATS)."""
    writers: dict[str, Callable[[GraphData], str]] = {
        "json": lambda d: to_json(d, meta),
        "graphml": to_graphml,
        "cypher": to_cypher,
    }
    return writers[fmt](data)
