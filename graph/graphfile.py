"""The embedded store's file format: the data as text and back, and fast copies of the data.

Format (version 1): one JSON object {"concepts", "format", "mentions", "meta", "questions",
"relations", "version"}, one record per line, records sorted by id or key and their keys sorted,
so the same data gives the same bytes (no timestamps). Written with the standard library's C
encoder one record at a time, in pieces that atomic.write_atomic streams to disk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import TypeVar

from zhitu.graph.errors import StoreError
from zhitu.graph.gcpause import gc_paused
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

FORMAT = "zhitu-graph"
VERSION = 1
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # the C encoder
# records: Evidence in them written as its fields (default=vars); the C encoder is made once
# (JSONEncoder.encode makes one each call), with what that encoder is made of here
_RECORD = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=vars).encode
_RECORD_C = (c_make_encoder(None, vars, encode_basestring, None, ": ", ", ", True, False, True)
             if c_make_encoder is not None else None)
T = TypeVar("T")
_LEVELS = {int(level): level for level in Level}
_TYPES = {t.value: t for t in RelationType}
_ORIGINS = {o.value: o for o in Origin}


def _encode(record: dict[str, object]) -> str:
    """A record as JSON: _RECORD(record), faster."""
    return "".join(_RECORD_C(record, 0)) if _RECORD_C is not None else _RECORD(record)


def chunks(data: GraphData, meta: dict[str, object] | None = None,
           records: dict[str, list[str]] | None = None) -> Iterator[str]:
    """The file text for `data` in pieces: deterministic, UTF-8, one record per line.

    `records`, when given, gets each section's records as written, in order (the sidecar
    stores the same text: graph.sidecar.write)."""
    sections: list[tuple[str, Iterable[object]]] = [
        ("concepts", (vars(data.concepts[k]) for k in sorted(data.concepts))),
        ("mentions", (vars(m) for m in
                      sorted(data.mentions, key=lambda m: (m.question_id, m.concept_id)))),
        ("questions", (vars(data.questions[k]) for k in sorted(data.questions))),
        ("relations", (vars(r) for r in sorted(data.relations, key=lambda r: r.key))),
    ]
    yield "{" + f'"format": {_ENCODE(FORMAT)},\n"meta": {_ENCODE(meta or {})},'
    for name, section in sections:
        yield f'\n"{name}": ['
        written: list[str] = []
        if records is not None:
            records[name] = written
        for j, record in enumerate(section):
            text = _encode(record)
            written.append(text)
            yield ("\n" if j == 0 else ",\n") + text
        yield "\n],"
    yield f'\n"version": {VERSION}}}\n'


def dumps(data: GraphData, meta: dict[str, object] | None = None) -> str:
    """The file text for `data` (see `chunks`)."""
    return "".join(chunks(data, meta))


@gc_paused()
def loads(text: str, name: str) -> tuple[GraphData, dict[str, object]]:
    """Parse file text; StoreError naming `name` (and the line) when it is not a zhitu graph."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise StoreError(f"{name}:{e.lineno}: 图文件不是有效的 JSON ({e.msg})") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StoreError(f'{name}: 不是知图的图文件 (缺少 "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise StoreError(f"{name}: 图文件版本 {doc.get('version')!r} 不受支持 (应为 {VERSION})")
    section = "questions"
    try:
        questions = [_question(d) for d in doc["questions"]]
        section = "concepts"
        concepts = [Concept(**d) for d in doc["concepts"]]
        section = "relations"
        relations = [_relation(d) for d in doc["relations"]]
        section = "mentions"
        mentions = [Mention(**d) for d in doc["mentions"]]
        meta = dict(doc.get("meta") or {})
    except (KeyError, TypeError, ValueError) as e:
        raise StoreError(f"{name}: 图文件的 {section} 部分已损坏 ({e})") from e
    data = GraphData(
        questions={q.id: q for q in questions},
        concepts={c.id: c for c in concepts},
        relations=relations,
        mentions=mentions,
    )
    return data, meta


def _question(d: dict) -> Question:
    return Question(**{**d, "level": level(d.get("level"))})


def level(value: int | None) -> Level:
    """A question's level as the graph file writes it (a number; absent in old files)."""
    return Level.PRINCIPLE if value is None else _LEVELS[value]


def _relation(d: dict) -> Relation:
    return Relation(
        **{
            **d,
            "type": _TYPES[d["type"]],
            "source": _ORIGINS[d["source"]],
            "evidence": [Evidence(**e) for e in d.get("evidence", [])],
        }
    )


def copy_data(data: GraphData) -> GraphData:
    """A copy sharing nothing mutable with `data` (records and their lists are new; frozen
    Evidence and strings are shared): what deepcopy gives, several times faster."""
    return GraphData(
        questions={k: _copied(q, sources=list(q.sources), tags=list(q.tags))
                   for k, q in data.questions.items()},
        concepts={k: _copied(c, aliases=list(c.aliases)) for k, c in data.concepts.items()},
        relations=[_copied(r, evidence=list(r.evidence)) for r in data.relations],
        mentions=[_copied(m, positions=list(m.positions)) for m in data.mentions],
    )


def _copied(record: T, **lists: object) -> T:
    """A record with the same fields, `lists` replacing some: what dataclasses.replace gives
    for records already checked, without calling __init__ again (twice as fast)."""
    new = object.__new__(type(record))
    fields = new.__dict__
    fields.update(record.__dict__)
    fields.update(lists)
    return new
