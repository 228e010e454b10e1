"""The embedded store: a networkx graph persisted as one JSON file, written atomically.

The file format is graph/graphfile.py's. `meta` holds what the CLI needs: built_from (inputs)
and fingerprint (of the bundled data). A missing file is an empty store; a corrupt one raises
StoreError naming it. The search index is derived data: it is saved in the user's cache
($XDG_CACHE_HOME/zhitu/search/, one folder per graph file) and used while its key matches.

Opening does not parse the file when its sidecar (graph/sidecar.py, in the cache, written with
the file) is fresh: a query then builds its graph from just the records it needs, so a cold
command on a large graph answers without loading it. The whole graph is loaded (and every later
query answered from memory) by `warm()`, `load()` or a write; without a usable sidecar (a stale
one is rebuilt, an unwritable cache) the file is parsed at once, as before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhitu.graph import sidecar
from zhitu.graph.atomic import write_atomic
from zhitu.graph.errors import StoreError
from zhitu.graph.gcpause import gc_paused
from zhitu.graph.graphfile import FORMAT, VERSION, chunks, copy_data, dumps, loads
from zhitu.graph.model import (
    ChainStep,
    Concept,
    GraphData,
    Mention,
    Neighborhood,
    Question,
    RelatedQuestion,
    Relation,
    RelationType,
    SearchHit,
    StudyPlan,
)

if TYPE_CHECKING:  # networkx, the study algorithms and rapidfuzz load when a query needs them
    import networkx as nx

    from zhitu.graph.lookup import ConceptIndex, TitleIndex
    from zhitu.graph.search import SearchIndex

__all__ = ["FORMAT", "VERSION", "MemoryStore", "dumps", "loads", "source_key"]
SEARCH_CACHES = 16  # saved search indexes kept (the most recently saved)


def search_cache() -> Path:
    """$XDG_CACHE_HOME/zhitu/search (default ~/.cache/zhitu/search)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "zhitu" / "search"


def _prune(root: Path, keep: int) -> None:
    """Remove all but the `keep` most recently saved indexes under `root`."""
    saved = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in saved[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def source_key(q: Question) -> tuple[str, int, str]:
    """Questions in the order their files give them."""
    if not q.sources:
        return ("", 0, q.id)
    file, _, line = q.sources[0].rpartition(":")
    return (file, int(line), q.id) if line.isdigit() else (q.sources[0], 0, q.id)


class MemoryStore:
    """GraphStore over networkx, persisted to one JSON file.

    The graph, the lookup indexes and the search index are built on first use; the search
    index is saved in the cache (`search_dir`) and reused while its key matches.
    """

    def __init__(self, path: str | Path) -> None:
        self.file = Path(path)
        self.meta: dict[str, object] = {}
        self._side: sidecar.Reads | None = None
        self._loading = threading.Lock()
        if self.file.is_dir():
            raise StoreError(f"{self.file}: 是一个目录, 不是图文件")
        if not self.file.exists():
            self._set(GraphData())
            return
        try:
            side, digest = sidecar.open_fresh(self.file)
        except OSError:
            side, digest = None, None
        if side is not None:
            self._set(None)
            self._side = sidecar.Reads(side)
            self.meta = dict(side.info.get("meta") or {})
            return
        data, self.meta, digest = self._read(digest)
        self._set(data)
        self._save_sidecar(digest)

    @classmethod
    def open(cls, path: str | Path) -> MemoryStore:
        return cls(path)

    def _read(self, digest: str | None = None) -> tuple[GraphData, dict[str, object], str]:
        """The file parsed, and its digest."""
        try:
            raw = self.file.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise StoreError(f"{self.file}: 无法读取图文件 ({e})") from e
        data, meta = loads(text, str(self.file))
        return data, meta, digest or hashlib.blake2b(raw, digest_size=16).hexdigest()

    def _set(self, data: GraphData | None) -> None:
        self._data = data
        for name in ("_graph", "_titles", "_concept_index", "_tokenize", "_concepts"):
            self.__dict__.pop(name, None)  # cached properties of the previous data
        self._search: SearchIndex | None = None
        self._keys: dict[str, str] = {}  # engine -> search key of the data held
        self._tallied: tuple[dict[str, Any], dict[str, int]] | None = None  # see _tally

    def warm(self) -> None:
        """Load the whole graph now: every later query is answered from memory."""
        self._full()
        self._graph, self._titles, self._concept_index  # noqa: B018  (built now)

    def _full(self) -> GraphData:
        if self._data is None:
            with self._loading:  # sessions sharing the store load it once
                if self._data is None:
                    data, meta, _ = self._read()
                    self._set(data)
                    self.meta = meta
                    self._close_side()
        assert self._data is not None
        return self._data

    def _close_side(self) -> None:
        """Stop reading the sidecar. Its connection is not closed here: a query on another
        thread (a server's sessions share one store) may still be reading it; it closes when
        the last reader lets go. Readers take `self._side` once, into a local."""
        self._side = None

    def _view(self, read: Callable[[sidecar.Reads], GraphData | None]) -> nx.MultiDiGraph:
        """The whole graph when loaded, else one built from what `read` takes from the
        sidecar (when it takes too much, None: the whole graph is loaded)."""
        from zhitu.graph import study

        side = self._side
        part = read(side) if side is not None else None
        if part is None:
            return self._graph
        return study.build_graph(part, mention_edges=False)

    @cached_property
    def _graph(self) -> nx.MultiDiGraph:
        from zhitu.graph import study

        return study.build_graph(self._full(), mention_edges=False)

    @cached_property
    @gc_paused()
    def _titles(self) -> TitleIndex:
        from zhitu.graph.lookup import TitleIndex

        side = self._side
        if side is not None:
            return TitleIndex(side.titles())
        return TitleIndex({q.id: q.title for q in self._full().questions.values()})

    @cached_property
    def _concepts(self) -> dict[str, Concept]:
        side = self._side
        if side is not None:
            return side.everything("concepts").concepts
        return self._full().concepts

    @cached_property
    def _concept_index(self) -> ConceptIndex:
        from zhitu.graph.lookup import ConceptIndex

        return ConceptIndex(self._concepts.values())

    @cached_property
    def _tokenize(self) -> Callable[[str], list[str]]:
        from zhitu.text.segment import tokenizer_for  # jieba loads on the first search only

        return tokenizer_for(self._concepts.values())

    @property
    def search_dir(self) -> Path:
        """Where the search index of this graph file is kept."""
        name = hashlib.blake2b(str(self.file.resolve()).encode(), digest_size=8).hexdigest()
        return search_cache() / name

    def _search_key(self) -> str:
        """The search index key of the whole graph for the engine in use (kept per engine)."""
        from zhitu.graph.search import corpus_key
        from zhitu.text.segment import Vocabulary, engine_name

        engine = engine_name()
        if engine not in self._keys:
            words = Vocabulary.of(self._concepts.values()).words
            self._keys[engine] = corpus_key(self._full().questions.values(), words, engine)
        return self._keys[engine]

    # --- writes ---
    @gc_paused()
    def replace(
        self,
        data: GraphData,
        meta: dict[str, object] | None = None,
        *,
        search_documents: Mapping[str, str] | None = None,
    ) -> None:
        """Hold exactly `data` (and `meta`, {} when None), written atomically.

        search_documents (question id -> search document, as ingest makes them) index the
        graph for search now; without them the index is built on the first search.
        """
        digest = hashlib.blake2b(digest_size=16)
        records: dict[str, list[str]] = {}  # what the file holds, record by record
        write_atomic(self.file, _hashed(chunks(data, meta, records), digest))
        self._close_side()
        self.meta = dict(meta or {})
        self._set(copy_data(data))
        self._save_sidecar(digest.hexdigest(), records)
        if search_documents:
            from zhitu.graph.search import SearchIndex

            index = SearchIndex(self._data.questions.values(), self._tokenize, search_documents)
            self._search = index
            self._save_search(index)

    def _save_sidecar(self, digest: str, records: dict[str, list[str]] | None = None) -> None:
        """Write the sidecar of the data held (nothing when the cache cannot take it);
        `records`: the file's records, as graphfile.chunks wrote them for this data."""
        data = self._data
        assert data is not None
        stats, counts = self._tally()
        extra: dict[str, Any] = {"digest": digest, "stats": stats, "counts": counts}
        try:
            from zhitu.text.segment import engine_name

            extra["search_keys"] = {engine_name(): self._search_key()}
            where = sidecar.location(self.file)
            sidecar.write(where, data, self.meta, extra, records)
            sidecar.write_stamp(where, self.file, digest)
        except (OSError, sqlite3.Error):
            pass  # an unwritable cache: the file is parsed on every open, as before

    def _save_search(self, index: SearchIndex) -> None:
        try:
            index.save(self.search_dir, self._search_key())
            _prune(self.search_dir.parent, SEARCH_CACHES)
        except OSError:
            pass  # an unwritable cache: the index is rebuilt in memory when needed

    # --- whole-graph reads ---
    def load(self) -> GraphData:
        return copy_data(self._full())

    def stats(self) -> dict[str, object]:
        side = self._side
        if side is not None:
            saved = side.side.info["stats"]
            return {k: saved[k] for k in ("questions", "concepts", "relations")}
        stats = self._tally()[0]
        return {**stats, "relations": dict(stats["relations"])}

    def _tally(self) -> tuple[dict[str, Any], dict[str, int]]:
        """The stats and the concepts' question counts of the whole graph, counted once."""
        if self._tallied is None:
            data = self._full()
            counts = _question_counts(data)
            stats = {"questions": len(data.questions), "concepts": len(counts),
                     "relations": data.relation_counts()}
            self._tallied = (stats, counts)
        return self._tallied

    def questions(self) -> list[Question]:
        side = self._side
        found = side.everything("questions") if side is not None else self._full()
        return sorted(found.questions.values(), key=source_key)

    def concepts(self) -> list[Concept]:
        side = self._side
        if side is not None:
            linked = set(side.side.info["counts"])
        else:
            from zhitu.graph import derived

            linked = derived.linked_concepts(self._full())
        return [c for cid, c in sorted(self._concepts.items()) if cid in linked]

    def concept_question_counts(self) -> dict[str, int]:
        side = self._side
        if side is not None:
            return dict(side.side.info["counts"])
        return dict(self._tally()[1])

    # --- lookups ---
    def _question_id(self, ref: str) -> str:
        side = self._side
        if side is not None and side.has_question(ref.strip()):
            return ref.strip()  # an id: what TitleIndex.resolve finds first
        return self._titles.resolve(ref)

    def question(self, ref: str) -> Question:
        qid = self._question_id(ref)
        side = self._side
        if side is not None:
            return side.question(qid).questions[qid]
        return self._full().questions[qid]

    def concept(self, ref: str) -> Concept:
        return self._concepts[self._concept_index.resolve(ref)]

    def question_concepts(self, question_id: str) -> list[Concept]:
        from zhitu.graph import study

        qid = self._question_id(question_id)
        return study.question_concepts(self._view(lambda s: s.question(qid)), qid)

    def concept_questions(self, concept_id: str) -> list[Question]:
        from zhitu.graph import derived

        cid = self.concept(concept_id).id
        side = self._side
        if side is not None:
            qs = list(side.mentioning(cid).questions.values())
        else:
            qs = [self._full().questions[q] for q in derived.mentioned_by(self._graph, cid)]
        return sorted(qs, key=lambda q: (int(q.level), q.title, q.id))

    def mentions(self, question_id: str) -> list[Mention]:
        from zhitu.graph import study

        qid = self._question_id(question_id)
        ms = study.mentions(self._view(lambda s: s.question(qid)), qid)
        return [ms[c] for c in sorted(ms)]

    def relations(self, concept_id: str) -> list[Relation]:
        cid = self.concept(concept_id).id
        g = self._view(lambda s: s.touching(cid))
        edges = list(g.out_edges(cid, keys=True, data="item")) + list(
            g.in_edges(cid, keys=True, data="item")
        ) if cid in g else []
        found = {r.key: r for _, _, _, r in edges}  # no mentions: see derived.build_graph
        return [found[k] for k in sorted(found)]

    # --- study queries ---
    def chain(self, question_id: str, full: bool = False) -> list[ChainStep]:
        from zhitu.graph import derived, study

        qid = self._question_id(question_id)
        return study.chain(self._view(lambda s: s.chain(qid, derived.PRE)), qid, full)

    def related(self, question_id: str, top: int = 10) -> list[RelatedQuestion]:
        from zhitu.graph import study

        qid = self._question_id(question_id)
        return study.related(self._view(lambda s: s.around(qid)), qid, top)

    def path(self, targets: Iterable[str], known: Iterable[str] = ()) -> StudyPlan:
        from zhitu.graph import study

        def topics(qid: str) -> list[str]:
            return study.topic_concepts(self._view(lambda s: s.question(qid)), qid)

        concepts = study.goals(targets, self._concept_index, _Titles(self), topics)
        known_ids = [self._concept_index.resolve(ref) for ref in known]
        readers: dict[str, int] = {}  # filled when the plan is read from the sidecar

        def plan(side: sidecar.Reads) -> GraphData:
            part, counts = side.plan(_closure(side, concepts))
            readers.update(counts)
            return part

        return study.path(self._view(plan), concepts, known_ids, readers=readers or None)

    def neighborhood(
        self, concept_id: str, depth: int = 1, types: Iterable[RelationType] | None = None
    ) -> Neighborhood:
        from zhitu.graph import study

        cid = self.concept(concept_id).id
        return study.neighborhood(self._view(lambda s: s.concepts()), cid, depth, types)

    def search(self, text: str, top: int = 10) -> list[SearchHit]:
        if self._search is None:
            self._search = self._search_index()
        return self._search.search(text, top)

    def _search_index(self) -> SearchIndex:
        """The saved index when it was made for this graph, else a new one (then saved)."""
        from zhitu.graph.model import QuestionRef
        from zhitu.graph.search import SearchIndex
        from zhitu.text.segment import engine_name

        if not self.file.exists():
            return SearchIndex(self._full().questions.values(), self._tokenize)
        side = self._side
        if side is not None:
            key = side.side.info.get("search_keys", {}).get(engine_name())
            # the index needs each question's id and title only
            refs = [QuestionRef(i, t) for i, t in side.titles().items()]
            index = SearchIndex.load(self.search_dir, key, refs, self._tokenize) if key else None
            if index is not None:
                return index
        questions = self._full().questions.values()
        index = SearchIndex.load(self.search_dir, self._search_key(), questions, self._tokenize)
        if index is None:
            index = SearchIndex(questions, self._tokenize)
            self._save_search(index)
        return index

    def close(self) -> None:
        """Nothing to write: every write is already on disk. The sidecar is closed."""
        side, self._side = self._side, None
        if side is not None:
            side.side.close()


class _Titles:
    """A store's question references for study.goals: an id is looked up in the sidecar,
    anything else in the title index (built on first need)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def find(self, ref: str) -> str | None:
        side = self._store._side
        if side is not None and side.has_question(ref.strip()):
            return ref.strip()
        return self._store._titles.find(ref)

    def suggestions(self, ref: str) -> list[str]:
        return self._store._titles.suggestions(ref)

    def resolve(self, ref: str) -> str:
        return self._store._question_id(ref)


def _closure(reads: sidecar.Reads, concepts: list[str]) -> set[str]:
    """The concepts and everything before them through concept prerequisites (any
    confidence: more than a plan needs, never less)."""
    import networkx as nx

    from zhitu.graph import derived

    pre = nx.DiGraph()
    for r in reads.concepts().relations:
        if r.type.value == derived.PRE:
            pre.add_edge(r.src, r.dst)
    return set(concepts).union(*(nx.ancestors(pre, c) for c in concepts if c in pre))


def _question_counts(data: GraphData) -> dict[str, int]:
    """Linked concept id -> how many questions mention it (what derived.mentioned_by counts),
    without building the graph."""
    from zhitu.graph import derived

    nodes = data.questions.keys() | data.concepts.keys()
    asked: dict[str, set[str]] = {}
    for m in data.mentions:
        if m.question_id in nodes and m.concept_id in nodes:
            asked.setdefault(m.concept_id, set()).add(m.question_id)
    return {c: len(asked.get(c, ())) for c in sorted(derived.linked_concepts(data))}


def _hashed(pieces: Iterable[str], digest: Any, batch: int = 4096) -> Iterator[bytes]:
    """The pieces as UTF-8, `batch` of them at a time, fed to `digest` as they are written."""
    it = iter(pieces)
    while some := list(islice(it, batch)):
        block = "".join(some).encode("utf-8")
        digest.update(block)
        yield block
