"""One contract for every GraphStore: the same answers on the bundled bank.

The bank (data/questions) goes through the real pipeline once; each store gets it by replace().
Every answer is compared with the reference: graph/study.py run directly on the graph the pipeline
built, so both stores agreeing with it means they agree with each other.

The embedded store always runs. Neo4j runs on the session's live server (tests/neo4j_server.py:
NEO4J_URI when set, else tools/neo4j-test-server started for the session). It REPLACES the
contents of that database: point NEO4J_URI at a throwaway one.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests import neo4j_server
from zhitu import data
from zhitu.graph import study
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import GraphData, RelationType
from zhitu.graph.store import GraphStore

SAMPLE = 40  # questions and concepts per check (seeded): every store answers the same ones


@pytest.fixture(scope="module")
def bank() -> GraphData:
    from zhitu.ingest.pipeline import ingest

    graph, _ = ingest([str(data.QUESTIONS_DIR)])
    assert len(graph.questions) > 100 and graph.relation_counts()["PREREQUISITE_OF"] > 0
    return graph


@pytest.fixture(scope="module")
def reference(bank: GraphData) -> nx.MultiDiGraph:
    return study.build_graph(bank)


def _open_neo4j() -> GraphStore:
    return neo4j_server.open_store()


@pytest.fixture(scope="module", params=["memory", "neo4j"])
def store(
    request: pytest.FixtureRequest, bank: GraphData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    if request.param == "memory":
        opened: GraphStore = MemoryStore.open(tmp_path_factory.mktemp("contract") / "g.json")
    else:
        opened = _open_neo4j()
    opened.replace(bank)
    yield opened
    opened.close()


def _sample(items: list[str], seed: int) -> list[str]:
    items = sorted(items)
    return random.Random(seed).sample(items, min(SAMPLE, len(items)))


def _normalized(graph: GraphData) -> tuple:
    return (
        graph.questions,
        graph.concepts,
        sorted(graph.relations, key=lambda r: r.key),
        sorted(graph.mentions, key=lambda m: (m.question_id, m.concept_id)),
    )


def test_stats(store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph) -> None:
    linked = [c for c in bank.concepts if reference.degree(c) > 0]
    assert store.stats() == {
        "questions": len(bank.questions),
        "concepts": len(linked),
        "relations": bank.relation_counts(),
    }


def test_load_gives_back_what_was_written(store: GraphStore, bank: GraphData) -> None:
    assert _normalized(store.load()) == _normalized(bank)


def test_chain(store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph) -> None:
    for qid in _sample(list(bank.questions), 1):
        assert store.chain(qid) == study.chain(reference, qid), qid


def test_related(store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph) -> None:
    for qid in _sample(list(bank.questions), 2):
        found, expected = store.related(qid, 10), study.related(reference, qid, 10)
        assert [(r.question, r.shared) for r in found] == [
            (r.question, r.shared) for r in expected
        ], qid
        # sums in another order may differ in the last bit before rounding
        assert [r.score for r in found] == pytest.approx([r.score for r in expected], abs=2e-6)


def test_path_to_concepts(store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph) -> None:
    mentioned = {m.concept_id for m in bank.mentions}
    targets = _sample(sorted(mentioned), 3)
    for i, target in enumerate(targets):
        known = targets[i + 1 : i + 3]  # some plans start from a known concept
        assert store.path([target], known) == study.path(reference, [target], known), target


def test_path_to_a_question(store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph) -> None:
    for qid in _sample(list(bank.questions), 4)[:10]:
        topic = study.topic_concepts(reference, qid)
        assert store.path([bank.questions[qid].title]) == study.path(reference, topic), qid


@pytest.mark.parametrize("depth", [1, 2])
def test_neighborhood(
    store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph, depth: int
) -> None:
    types = [RelationType.PREREQUISITE_OF, RelationType.IS_A]
    for cid in _sample([c for c in bank.concepts if reference.degree(c) > 0], 5)[:15]:
        assert store.neighborhood(cid, depth) == study.neighborhood(reference, cid, depth), cid
        assert store.neighborhood(cid, depth, types) == study.neighborhood(
            reference, cid, depth, types
        )


def test_lookups(store: GraphStore, bank: GraphData, reference: nx.MultiDiGraph) -> None:
    for qid in _sample(list(bank.questions), 6)[:10]:
        assert store.question(bank.questions[qid].title).id == qid
        assert store.question_concepts(qid) == study.question_concepts(reference, qid)
    for cid in _sample(list({m.concept_id for m in bank.mentions}), 7)[:10]:
        concept = bank.concepts[cid]
        assert store.concept(concept.name).id == cid
        readers = {m.question_id for m in bank.mentions if m.concept_id == cid}
        assert {q.id for q in store.concept_questions(cid)} == readers


def test_search_finds_a_question_by_its_title(store: GraphStore, bank: GraphData) -> None:
    # the scores differ by design (BM25 here, Lucene's in Neo4j); what a learner sees must not
    for qid in _sample(list(bank.questions), 8):
        hits = [h.question.id for h in store.search(bank.questions[qid].title, top=3)]
        assert qid in hits, bank.questions[qid].title


@pytest.mark.parametrize(
    "text",
    [
        'LSTM "门" (公式)?',  # Lucene syntax in user text is text
        "C++ AND || title:RNN",
        "\\",
        "",
    ],
)
def test_search_takes_any_text(store: GraphStore, text: str) -> None:
    hits = store.search(text, top=5)
    assert len(hits) <= 5 and all(h.score > 0 for h in hits)


def test_replace_leaves_exactly_the_new_data(store: GraphStore, bank: GraphData) -> None:
    # re-ingesting a changed bank: questions, mentions and relations that went must go
    kept = set(sorted(bank.questions)[::2])
    smaller = GraphData(
        questions={q: bank.questions[q] for q in kept},
        concepts=dict(bank.concepts),
        relations=[r for r in bank.relations if r.src not in bank.questions or r.src in kept
                   and r.dst in kept],
        mentions=[m for m in bank.mentions if m.question_id in kept],
    )  # fmt: skip
    try:
        store.replace(smaller)
        assert _normalized(store.load()) == _normalized(smaller)
        assert store.stats()["questions"] == len(kept)
    finally:
        store.replace(bank)
    store.replace(bank)  # twice: idempotent
    assert _normalized(store.load()) == _normalized(bank)


def test_bundled_bank_is_where_the_image_ingests_it() -> None:
    assert Path(data.QUESTIONS_DIR).is_dir() and any(Path(data.QUESTIONS_DIR).iterdir())
