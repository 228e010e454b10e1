"""The model as Neo4j rows: properties, reads back into GraphData, and the write plan of replace.

graph/cypher.py holds the statements; this module turns GraphData into the `UNWIND $rows` batches
they write (`write_plan`, handing out only cypher.py's statements), turns the rows graph reads
return back into GraphData (`subgraph`), and escapes user text for full-text search. Neo4j
properties allow no maps, so a relation's evidence travels as parallel lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from enum import Enum
from functools import cache
from typing import Any

from zhitu.graph import derived
from zhitu.graph.cypher import (
    DELETE_CONCEPTS,
    DELETE_QUESTIONS,
    MERGE_CONCEPTS,
    MERGE_QUESTIONS,
    delete_edges,
    merge_edges,
)
from zhitu.graph.model import (
    CONCEPT_RELATIONS,
    Concept,
    Evidence,
    GraphData,
    Label,
    Level,
    Mention,
    Origin,
    Question,
    Relation,
    RelationType,
)

_CONCEPT, _QUESTION = Label.CONCEPT, Label.QUESTION
_QUESTION_EDGES = (RelationType.PREREQUISITE_OF, RelationType.RELATED_TO)  # question -> question

# --- rows: the model as Neo4j properties (no maps allowed: evidence as parallel lists) ---

SEARCH_CHARS = 200  # of a search text (a title is far shorter): 4 clauses per term stay < 1024
_LUCENE_SPECIAL = frozenset('+-&|!(){}[]^"~*?:\\/')
_LUCENE_OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
Step = tuple[str, str, list[Any]]  # (statement, parameter name, items to send in batches)
EdgeKey = tuple[Label, RelationType]


def escape_lucene(text: str) -> str:
    r"""User text as literal Lucene terms: special characters escaped, operators lower-cased.

    >>> print(escape_lucene('C++ AND "LSTM" gru?'))
    C\+\+ and \"LSTM\" gru\?
    """
    escaped = "".join("\\" + ch if ch in _LUCENE_SPECIAL else ch for ch in text)
    return " ".join(w.lower() if w in _LUCENE_OPERATORS else w for w in escaped.split())


def fulltext_query(text: str) -> str:
    """The Lucene query for SEARCH: every term, title matches counted twice ("" for no terms).
    Only the first SEARCH_CHARS characters count: the `cjk` analyzer makes a term of every two
    characters, and Lucene refuses a query of more than 1024 clauses (4 per term here).

    >>> fulltext_query("梯度 消失")
    'title:(梯度 消失)^2 OR (梯度 消失)'
    >>> len(fulltext_query("梯" * 5000)) < 2 * SEARCH_CHARS + 30
    True
    """
    terms = escape_lucene(text[:SEARCH_CHARS])
    return f"title:({terms})^2 OR ({terms})" if terms else ""


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))  # fields() per item: 2 M calls at 100k questions


def to_props(item: object, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model dataclass as properties: enums as values, None left out (no property)."""
    out = {}
    for name in _field_names(type(item)):  # shallow: asdict deep-copies every list
        value = getattr(item, name)
        if name not in drop and value is not None:
            out[name] = value.value if isinstance(value, Enum) else value
    return out


def _known(cls: type, props: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in props.items() if k in names}


def question_from(props: Mapping[str, Any]) -> Question:
    """A Question from its properties (a partial map, as CHAIN returns, leaves defaults)."""
    q = Question(**{"title": "", "answer": "", **_known(Question, props)})
    q.level = Level(q.level)
    return q


def concept_from(props: Mapping[str, Any]) -> Concept:
    return Concept(**{"name": "", "zh": "", **_known(Concept, props)})


def mention_from(question_id: str, concept_id: str, props: Mapping[str, Any]) -> Mention:
    found = {"count": 1, "in_title": False, **_known(Mention, props)}
    return Mention(**{**found, "question_id": question_id, "concept_id": concept_id})


def relation_from(kind: str, src: str, dst: str, props: Mapping[str, Any]) -> Relation:
    questions, sentences = props.get("evidence_questions"), props.get("evidence_sentences")
    evidence = zip(questions or [], sentences or [], strict=True)
    return Relation(
        type=RelationType(kind),
        src=src,
        dst=dst,
        confidence=props.get("confidence", 1.0),
        source=Origin(props.get("source", Origin.LEXICON.value)),
        evidence=[Evidence(q, s) for q, s in evidence],
        weight=props.get("weight"),
    )


def subgraph(rows: Iterable[Mapping[str, Any]]) -> GraphData:
    """GraphData from rows of graph reads (columns questions, concepts, edges, mentions)."""
    data = GraphData()
    for row in rows:
        for p in row.get("questions") or []:
            data.questions[p["id"]] = question_from(p)
        for p in row.get("concepts") or []:
            data.concepts[p["id"]] = concept_from(p)
        for e in row.get("edges") or []:
            data.relations.append(relation_from(e["type"], e["src"], e["dst"], e["props"]))
        for m in row.get("mentions") or []:
            data.mentions.append(mention_from(m["question"], m["concept"], m["props"]))
    return data


def _relation_props(r: Relation) -> dict[str, Any]:
    return {
        **to_props(r, drop=("type", "src", "dst", "evidence")),
        "evidence_questions": [e.question_id for e in r.evidence],
        "evidence_sentences": [e.sentence for e in r.evidence],
    }


def _concept_rows(data: GraphData) -> list[dict[str, Any]]:
    """Concepts with `alias_text` (the full-text index)."""
    return [
        {"id": c.id, "props": {**to_props(c), "alias_text": "\n".join(c.aliases)}}
        for c in data.concepts.values()
    ]


def _edges(data: GraphData) -> dict[EdgeKey, dict[tuple[str, str], dict[str, Any]]]:
    """(from-label, type) -> (src, dst) -> properties; edges with a missing endpoint left out."""
    edges: dict[EdgeKey, dict[tuple[str, str], dict[str, Any]]] = {k: {} for k in merge_edges}
    for r in data.relations:
        if r.src in data.concepts and r.dst in data.concepts and r.type in CONCEPT_RELATIONS:
            edges[(_CONCEPT, r.type)][(r.src, r.dst)] = _relation_props(r)
        elif r.src in data.questions and r.dst in data.questions and r.type in _QUESTION_EDGES:
            edges[(_QUESTION, r.type)][(r.src, r.dst)] = _relation_props(r)
    for m in data.mentions:
        if m.question_id in data.questions and m.concept_id in data.concepts:
            props = to_props(m, drop=("question_id", "concept_id"))
            edges[(_QUESTION, RelationType.MENTIONS)][(m.question_id, m.concept_id)] = props
    return edges


def title_ranks(data: GraphData) -> dict[tuple[str, str], int]:
    """(question, concept) -> the question's place among the questions whose title names the
    concept, in graph/derived.py `about` order (the order a study step reads them in); only for
    mentions in a title. MERGE_MENTIONS stores it as `title_rank`, which Neo4j reads in order.
    """
    titled = [m for m in data.mentions if m.in_title]
    if not titled:
        return {}
    # about() as the embedded store computes it, over the titled questions and their mentions
    questions = {m.question_id: data.questions[m.question_id] for m in titled
                 if m.question_id in data.questions}  # fmt: skip
    g = derived.build_graph(GraphData(questions, data.concepts, mentions=titled),
                            mention_edges=False)  # fmt: skip
    return {
        (q, c): i
        for c in sorted({m.concept_id for m in titled})
        for i, q in enumerate(derived.about(g, c))
    }


def write_plan(
    data: GraphData,
    old_questions: Iterable[str] = (),
    old_concepts: Iterable[str] = (),
    old_edges: Iterable[tuple[bool, str, str, str]] = (),
) -> list[Step]:
    """What `replace(data)` sends: upserts, then deletion of what the database holds beyond data.

    `old_edges` are EDGE_KEYS rows (from_question, type, src, dst). Empty steps are left out.
    """
    edges = _edges(data)
    keys = {(label is _QUESTION, t.value): (label, t) for label, t in edges}
    stale: dict[EdgeKey, list[dict[str, str]]] = {k: [] for k in edges}
    for from_question, kind, src, dst in old_edges:
        key = keys.get((from_question, kind))  # None: not ours (another label or type)
        if key is not None and (src, dst) not in edges[key]:
            stale[key].append({"src": src, "dst": dst})
    questions = [{"id": q.id, "props": to_props(q)} for q in data.questions.values()]
    plan: list[Step] = [
        (MERGE_QUESTIONS, "rows", questions),
        (MERGE_CONCEPTS, "rows", _concept_rows(data)),
    ]
    for key, found in edges.items():
        rows = [{"src": s, "dst": d, "props": p} for (s, d), p in sorted(found.items())]
        if key == (_QUESTION, RelationType.MENTIONS):
            ranks = title_ranks(data)
            for row in rows:
                row["rank"] = ranks.get((row["src"], row["dst"]))
        plan.append((merge_edges[key], "rows", rows))
    plan += [(delete_edges[key], "rows", rows) for key, rows in stale.items()]
    plan.append((DELETE_QUESTIONS, "ids", sorted(set(old_questions) - set(data.questions))))
    plan.append((DELETE_CONCEPTS, "ids", sorted(set(old_concepts) - set(data.concepts))))
    return [step for step in plan if step[2]]
