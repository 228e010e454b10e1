"""The embedded store: a networkx graph persisted as one JSON file, written atomically.

The file format is graph/graphfile.py's. `meta` holds what the CLI needs: built_from (inputs)
and fingerprint (of the bundled data). A missing file is an empty store; a corrupt one raises
StoreError naming it. The search index is derived data: it is saved in the user's cache
($XDG_CACHE_HOME/zhitu/search/, one folder per graph file) and used while its key matches.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path

import networkx as nx

from zhitu.graph import derived, study
from zhitu.graph.atomic import write_atomic
from zhitu.graph.errors import StoreError
from zhitu.graph.gcpause import gc_paused
from zhitu.graph.graphfile import FORMAT, VERSION, chunks, copy_data, dumps, loads
from zhitu.graph.lookup import ConceptIndex, TitleIndex
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
from zhitu.graph.search import SearchIndex, corpus_key

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
        for name in ("_graph", "_titles", "_concept_index", "_tokenize"):
            self.__dict__.pop(name, None)  # cached properties of the previous data
        self._search: SearchIndex | None = None

    @cached_property
    def _graph(self) -> nx.MultiDiGraph:
        return study.build_graph(self._data, mention_edges=False)

    @cached_property
    @gc_paused()
    def _titles(self) -> TitleIndex:
        return TitleIndex({q.id: q.title for q in self._data.questions.values()})

    @cached_property
    def _concept_index(self) -> ConceptIndex:
        return ConceptIndex(self._data.concepts.values())

    @cached_property
    def _tokenize(self) -> Callable[[str], list[str]]:
        from zhitu.text.segment import tokenizer_for  # jieba loads on the first search only

        return tokenizer_for(self._data.concepts.values())

    @property
    def search_dir(self) -> Path:
        """Where the search index of this graph file is kept."""
        name = hashlib.blake2b(str(self.file.resolve()).encode(), digest_size=8).hexdigest()
        return search_cache() / name

    def _search_key(self) -> str:
        from zhitu.text.segment import Vocabulary, engine_name

        words = Vocabulary.of(self._data.concepts.values()).words
        return corpus_key(self._data.questions.values(), words, engine_name())

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
        write_atomic(self.file, chunks(data, meta))
        self.meta = dict(meta or {})
        self._set(copy_data(data))
        if search_documents:
            index = SearchIndex(self._data.questions.values(), self._tokenize, search_documents)
            self._search = index
            self._save_search(index)

    def _save_search(self, index: SearchIndex) -> None:
        try:
            index.save(self.search_dir, self._search_key())
            _prune(self.search_dir.parent, SEARCH_CACHES)
        except OSError:
            pass  # an unwritable cache: the index is rebuilt in memory when needed

    # --- whole-graph reads ---
    def load(self) -> GraphData:
        return copy_data(self._data)

    def stats(self) -> dict[str, object]:
        return {
            "questions": len(self._data.questions),
            "concepts": len(self.concepts()),
            "relations": self._data.relation_counts(),
        }

    def questions(self) -> list[Question]:
        return sorted(self._data.questions.values(), key=source_key)

    def concepts(self) -> list[Concept]:
        linked = derived.linked_concepts(self._data)
        return [c for cid, c in sorted(self._data.concepts.items()) if cid in linked]

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
        return list(derived.mentioned_by(self._graph, concept_id))

    def mentions(self, question_id: str) -> list[Mention]:
        ms = study.mentions(self._graph, self.question(question_id).id)
        return [ms[c] for c in sorted(ms)]

    def relations(self, concept_id: str) -> list[Relation]:
        cid = self.concept(concept_id).id
        g = self._graph
        edges = list(g.out_edges(cid, keys=True, data="item")) + list(
            g.in_edges(cid, keys=True, data="item")
        )
        found = {r.key: r for _, _, _, r in edges}  # no mentions: see derived.build_graph
        return [found[k] for k in sorted(found)]

    # --- study queries ---
    def chain(self, question_id: str) -> list[ChainStep]:
        return study.chain(self._graph, self.question(question_id).id)

    def related(self, question_id: str, top: int = 10) -> list[RelatedQuestion]:
        return study.related(self._graph, self.question(question_id).id, top)

    def path(self, targets: Iterable[str], known: Iterable[str] = ()) -> StudyPlan:
        concepts = study.goals(targets, self._concept_index, self._titles,
                               lambda qid: study.topic_concepts(self._graph, qid))
        known_ids = [self._concept_index.resolve(ref) for ref in known]
        return study.path(self._graph, concepts, known_ids)

    def neighborhood(
        self, concept_id: str, depth: int = 1, types: Iterable[RelationType] | None = None
    ) -> Neighborhood:
        return study.neighborhood(self._graph, self.concept(concept_id).id, depth, types)

    def search(self, text: str, top: int = 10) -> list[SearchHit]:
        if self._search is None:
            self._search = self._search_index()
        return self._search.search(text, top)

    def _search_index(self) -> SearchIndex:
        """The saved index when it was made for this graph, else a new one (then saved)."""
        questions = self._data.questions.values()
        if not self.file.exists():
            return SearchIndex(questions, self._tokenize)
        key = self._search_key()
        index = SearchIndex.load(self.search_dir, key, questions, self._tokenize)
        if index is None:
            index = SearchIndex(questions, self._tokenize)
            self._save_search(index)
        return index

    def close(self) -> None:
        """Nothing to release: every write is already on disk."""
