"""Export a graph as the store's JSON, as GraphML (Gephi, yEd) or as a Cypher script (cypher-shell).

A script has no $parameters, so this is the one place values are written into Cypher as literals:
the statements are graph/cypher.py's own (what Neo4jStore runs), and every row value goes through
`cypher_literal` / `cypher_string`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable

import networkx as nx

from zhitu.graph import cypher, neo4j_rows
from zhitu.graph.memory import dumps
from zhitu.graph.model import GraphData, Label

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


def _sorted(data: GraphData) -> GraphData:
    """The same graph with every record in id order, so exports are byte-identical."""
    return GraphData(
        questions=dict(sorted(data.questions.items())),
        concepts=dict(sorted(data.concepts.items())),
        relations=sorted(data.relations, key=lambda r: r.key),
        mentions=sorted(data.mentions, key=lambda m: (m.question_id, m.concept_id)),
    )


def _batches(rows: list[dict[str, object]]) -> Iterable[str]:
    for i in range(0, len(rows), BATCH):
        yield "[\n  " + ",\n  ".join(cypher_literal(r) for r in rows[i : i + BATCH]) + "\n]"


def to_cypher(data: GraphData, meta: dict[str, object] | None = None) -> str:
    """A script for `cypher-shell -f` (one statement per `;` at a line's end): the schema, then
    exactly the UNWIND batches Neo4jStore.replace sends (neo4j_rows.write_plan), rows inlined as
    literals, then the graph's meta (when there is any) as Neo4jStore keeps it. Loaded into an
    empty database it gives the same graph; re-running is harmless.
    """
    lines = [f"// zhitu export: {len(data.questions)} questions, {len(data.concepts)} concepts"]
    lines += [f"{statement};" for statement in cypher.schema_statements]
    for statement, key, rows in neo4j_rows.write_plan(_sorted(data)):
        placeholder = f"${key}"
        if statement.count(placeholder) != 1:
            raise ValueError(f"statement has no single {placeholder}: {statement}")
        lines += [f"{statement.replace(placeholder, batch)};" for batch in _batches(rows)]
    if meta:
        text = json.dumps(meta, ensure_ascii=False, sort_keys=True, default=str)
        lines.append(cypher.WRITE_META.replace("$json", cypher_string(text)) + ";")
    return "\n".join(lines) + "\n"


def _scalar(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def to_graphml(data: GraphData) -> str:
    """GraphML with scalar attributes only (lists joined with "; "), as Gephi and yEd read it.

    Nodes and edges carry the same properties as in Neo4j, plus `kind`/`label` and `type`.
    """
    edge_types = {statement: key for key, statement in cypher.merge_edges.items()}
    g = nx.MultiDiGraph()
    for statement, _, rows in neo4j_rows.write_plan(_sorted(data)):
        for row in rows:
            props = {k: _scalar(v) for k, v in row["props"].items()}
            if statement == cypher.MERGE_QUESTIONS:
                g.add_node(row["id"], kind=Label.QUESTION.value, label=props["title"], **props)
            elif statement == cypher.MERGE_CONCEPTS:
                g.add_node(row["id"], kind=Label.CONCEPT.value, label=props["name"], **props)
            else:
                rel = edge_types[statement][1].value
                g.add_edge(row["src"], row["dst"], key=rel, type=rel, **props)
    return "\n".join(nx.generate_graphml(g, prettyprint=True)) + "\n"


def to_json(data: GraphData, meta: dict[str, object] | None = None) -> str:
    """The embedded store's own file format."""
    return dumps(data, meta)


LOCAL_META = ("changes",)  # the store's change record: who did what when, not the graph


def export(data: GraphData, fmt: str, meta: dict[str, object] | None = None) -> str:
    """`data` in format `fmt` (one of FORMATS). The same graph exports byte for byte the same:
    the store's change record (meta["changes"], with its times) stays behind.

    >>> logged = {"built_from": ["a"], "changes": [{"when": "now"}]}
    >>> export(GraphData(), "json", logged) == export(GraphData(), "json", {"built_from": ["a"]})
    True
    """
    meta = {k: v for k, v in (meta or {}).items() if k not in LOCAL_META} or None
    writers: dict[str, Callable[[GraphData], str]] = {
        "json": lambda d: to_json(d, meta),
        "graphml": to_graphml,
        "cypher": lambda d: to_cypher(d, meta),
    }
    return writers[fmt](data)
