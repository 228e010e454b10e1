"""The embedded store: a networkx graph persisted as one JSON file, written atomically.

File format (version 1): {"format", "version", "meta", "questions", "concepts", "relations",
"mentions"}, records sorted by id/key and keys sorted, so the same data gives the same bytes
(no timestamps). `meta` holds what the CLI needs: built_from (inputs) and fingerprint (of the
bundled data). A missing file is an empty store; a corrupt one raises StoreError naming it.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from graph import study
from graph.errors import StoreError
from graph.lookup import ConceptIndex, TitleIndex, resolve_target
from graph.model import (
    ChainStep,
    Concept,
    Evidence,
    GraphData,
    Level,
    Mention,
    Neighborhood,
    Origin,
    Question,
    RelatedQuestion,
    Relation,
    RelationType,
    SearchHit,
    StudyPlan,
)
from graph.search import SearchIndex

FORMAT = "zhitu-graph"
VERSION = 1


def dumps(data: GraphData, meta: dict[str, object] | None = None) -> str:
    """The file text for `data`: deterministic, UTF-8 friendly, one record per line."""
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "meta": meta or {},
        "questions": [asdict(data.questions[k]) for k in sorted(data.questions)],
        "concepts": [asdict(data.concepts[k]) for k in sorted(data.concepts)],
        "relations": [asdict(r) for r in sorted(data.relations, key=lambda r: r.key)],
        "mentions": [
            asdict(m) for m in sorted(data.mentions, key=lambda m: (m.question_id, m.concept_id))
        ],
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1, default=_plain) + "\n"


def _plain(value: object) -> object:
    if isinstance(value, (RelationType, Origin)):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__}")


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
    return Question(**{**d, "level": Level(d.get("level", Level.PRINCIPLE))})


def _relation(d: dict) -> Relation:
    return Relation(
        **{
            **d,
            "type": RelationType(d["type"]),
            "source": Origin(d["source"]),
            "evidence": [Evidence(**e) for e in d.get("evidence", [])],
        }
    )


def write_atomic(path: str | Path, text: str) -> None:
    """Replace `path` with `text`: temp file in the same directory, fsync, os.replace.

    A failure at any point leaves the old file as it was (and no temp file behind).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise StoreError(f"无法写入 {path}: {e.strerror or e}") from e
    try:
        # mkstemp makes the file private; keep the old file's mode, else the usual 0644
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise StoreError(f"无法写入 {path}: {e.strerror or e}") from e
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is done either way
    finally:
        os.close(fd)


def source_key(q: Question) -> tuple[str, int, str]:
    """Questions in the order their files give them."""
    if not q.sources:
        return ("", 0, q.id)
    file, _, line = q.sources[0].rpartition(":")
    return (file, int(line), q.id) if line.isdigit() else (q.sources[0], 0, q.id)


_source_key = source_key  # the name graph/neo4j_store.py imports


class MemoryStore:
    """GraphStore over networkx, persisted to one JSON file."""

    def __init__(self, path: str | Path) -> None:
        self.file = Path(path)
        self.meta: dict[str, object] = {}
        data = GraphData()
        if self.file.is_dir():
            raise StoreError(f"{self.file}: 是一个目录, 不是图文件")
        if self.file.exists():
            try:
                text = self.file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise StoreError(f"{self.file}: 无法读取图文件 ({e})") from e
            data, self.meta = loads(text, str(self.file))
        self._set(data)

    @classmethod
    def open(cls, path: str | Path) -> MemoryStore:
        return cls(path)

    def _set(self, data: GraphData) -> None:
        self._data = data
        self._graph = study.build_graph(data)
        self._titles = TitleIndex({q.id: q.title for q in data.questions.values()})
        self._concept_index = ConceptIndex(data.concepts.values())
        self._search: SearchIndex | None = None

    # --- writes ---
    def replace(self, data: GraphData, meta: dict[str, object] | None = None) -> None:
        """Hold exactly `data` (and `meta`, {} when None), written atomically."""
        write_atomic(self.file, dumps(data, meta))
        self.meta = dict(meta or {})
        self._set(copy.deepcopy(data))

    # --- whole-graph reads ---
    def load(self) -> GraphData:
        return copy.deepcopy(self._data)

    def stats(self) -> dict[str, object]:
        return {
            "questions": len(self._data.questions),
            "concepts": len(self.concepts()),
            "relations": self._data.relation_counts(),
        }

    def questions(self) -> list[Question]:
        return sorted(self._data.questions.values(), key=source_key)

    def concepts(self) -> list[Concept]:
        g = self._graph
        return [c for cid, c in sorted(self._data.concepts.items()) if g.degree(cid) > 0]

    def concept_question_counts(self) -> dict[str, int]:
        return {c.id: len(self._mentioned_by(c.id)) for c in self.concepts()}

    # --- lookups ---
    def question(self, ref: str) -> Question:
        return self._data.questions[self._titles.resolve(ref)]

    def concept(self, ref: str) -> Concept:
        return self._data.concepts[self._concept_index.resolve(ref)]

    def question_concepts(self, question_id: str) -> list[Concept]:
        return study.question_concepts(self._graph, self.question(question_id).id)

    def concept_questions(self, concept_id: str) -> list[Question]:
        qs = [self._data.questions[q] for q in self._mentioned_by(self.concept(concept_id).id)]
        return sorted(qs, key=lambda q: (int(q.level), q.title, q.id))

    def _mentioned_by(self, concept_id: str) -> list[str]:
        g = self._graph
        return [
            u for u, _, k in g.in_edges(concept_id, keys=True) if g.nodes[u]["kind"] == "question"
        ]

    def mentions(self, question_id: str) -> list[Mention]:
        ms = study.mentions(self._graph, self.question(question_id).id)
        return [ms[c] for c in sorted(ms)]

    def relations(self, concept_id: str) -> list[Relation]:
        cid = self.concept(concept_id).id
        g = self._graph
        edges = list(g.out_edges(cid, keys=True, data="item")) + list(
            g.in_edges(cid, keys=True, data="item")
        )
        found = {r.key: r for _, _, k, r in edges if k != RelationType.MENTIONS.value}
        return [found[k] for k in sorted(found)]

    # --- study queries ---
    def chain(self, question_id: str) -> list[ChainStep]:
        return study.chain(self._graph, self.question(question_id).id)

    def related(self, question_id: str, top: int = 10) -> list[RelatedQuestion]:
        return study.related(self._graph, self.question(question_id).id, top)

    def path(self, targets: Iterable[str], known: Iterable[str] = ()) -> StudyPlan:
        concepts: list[str] = []
        for ref in targets:
            kind, item = resolve_target(ref, self._concept_index, self._titles)
            found = [item] if kind == "concept" else study.topic_concepts(self._graph, item)
            concepts += [c for c in found if c not in concepts]
        known_ids = [self._concept_index.resolve(ref) for ref in known]
        return study.path(self._graph, concepts, known_ids)

    def neighborhood(
        self, concept_id: str, depth: int = 1, types: Iterable[RelationType] | None = None
    ) -> Neighborhood:
        return study.neighborhood(self._graph, self.concept(concept_id).id, depth, types)

    def search(self, text: str, top: int = 10) -> list[SearchHit]:
        if self._search is None:
            self._search = SearchIndex(self._data.questions.values())
        return self._search.search(text, top)

    def close(self) -> None:
        """Nothing to release: every write is already on disk."""
