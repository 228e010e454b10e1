"""graph/sidecar.py: the embedded store's load format (issue 19).

A store opened over a fresh sidecar answers from the records it reads there; its answers must
be those of the whole graph in memory. The sidecar is derived data: stale, damaged, missing or
unwritable, the graph file still opens and answers the same.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from zhitu.graph import sidecar
from zhitu.graph.atomic import write_atomic
from zhitu.graph.errors import StoreError
from zhitu.graph.memory import MemoryStore, dumps


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def graph(tmp_path: Path, bundled_graph: Path) -> Path:
    """A copy of the bundled bank's graph file: a file this cache has no sidecar of."""
    return Path(shutil.copy(bundled_graph, tmp_path / "graph.json"))


def _answers(store: MemoryStore) -> dict[str, object]:
    """Every query kind over every question and concept (errors as their message)."""
    def safely(call):  # noqa: ANN001, ANN202
        try:
            return call()
        except Exception as e:  # noqa: BLE001  (an error is an answer too: both must give it)
            return f"{type(e).__name__}: {e}"

    out: dict[str, object] = {"stats": store.stats(), "meta": store.meta,
                              "concepts": store.concepts(),
                              "counts": store.concept_question_counts(),
                              "questions": store.questions()}
    for q in out["questions"]:  # type: ignore[attr-defined]
        for kind, call in {
            "chain": lambda q=q: store.chain(q.id),
            "related": lambda q=q: store.related(q.id, 5),
            "path": lambda q=q: store.path([q.id]),
            "tags": lambda q=q: store.question_concepts(q.id),
            "mentions": lambda q=q: store.mentions(q.id),
            "by title": lambda q=q: store.question(q.title).id,
        }.items():
            out[f"{kind} {q.id}"] = safely(call)
    for c in out["concepts"]:  # type: ignore[attr-defined]
        for kind, call in {
            "relations": lambda c=c: store.relations(c.id),
            "neighborhood": lambda c=c: store.neighborhood(c.id, 2),
            "questions": lambda c=c: store.concept_questions(c.id),
            "path": lambda c=c: store.path([c.name], known=[]),
        }.items():
            out[f"{kind} {c.id}"] = safely(call)
    for words in ("梯度消失", "LSTM 的门", "注意力"):
        out[f"search {words}"] = store.search(words)
    return out


def test_a_cold_store_answers_as_the_whole_graph_does(graph: Path) -> None:
    MemoryStore.open(graph)  # an old file: its sidecar is made on the first open
    lazy = MemoryStore.open(graph)
    assert lazy._side is not None and lazy._data is None  # nothing parsed
    whole = MemoryStore.open(graph)
    whole.warm()
    assert whole._side is None and whole._data is not None
    assert _answers(lazy) == _answers(whole)


def test_sessions_keep_answering_while_the_store_warms(graph: Path) -> None:
    """A server's sessions share one store: a query reading the sidecar while the warm-up loads
    the whole graph (and stops using the sidecar) still answers, and answers the same."""
    import threading

    MemoryStore.open(graph)
    store = MemoryStore.open(graph)
    ids = [q.id for q in store.questions()]
    want = {q: [c.id for c in MemoryStore.open(graph).question_concepts(q)] for q in ids}
    errors: list[BaseException] = []
    started = threading.Barrier(5)

    def read() -> None:
        started.wait()
        try:
            for _ in range(3):
                for q in ids:
                    assert [c.id for c in store.question_concepts(q)] == want[q]
                    store.question(q), store.chain(q), store.stats()
        except BaseException as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    started.wait()
    store.warm()
    for t in readers:
        t.join()
    assert store._side is None and store._data is not None
    assert not errors, errors[0]


def test_a_cold_store_reads_only_what_a_query_needs(graph: Path) -> None:
    MemoryStore.open(graph)
    store = MemoryStore.open(graph)
    for q in store.questions():
        store.chain(q.id), store.related(q.id), store.question_concepts(q.id), store.stats()
        store.path([q.id])
    assert store._data is None  # never the whole graph, not even for a path


def test_a_query_finds_its_rows_by_their_ids(graph: Path) -> None:
    """Edges between questions and mentions are most rows: a query naming ids reads them by the
    id's index, never by the ends index, which SQLite prefers when left to itself (a chain at
    100k questions read every question edge). Only the few concept edges are read by `ends`,
    and the mentions of a study plan's many concepts (in table order)."""
    MemoryStore.open(graph)
    store = MemoryStore.open(graph)
    side = store._side
    assert side is not None
    run: list[str] = []
    side.side.db.set_trace_callback(run.append)
    for q in store.questions()[:20]:
        store.chain(q.id), store.related(q.id), store.path([q.id])
    for c in store.concepts()[:20]:
        store.concept_questions(c.id), store.relations(c.id)
    plans = {sql: [row[3] for row in side.side.db.execute(f"EXPLAIN QUERY PLAN {sql}")]
             for sql in set(run) if sql.startswith(("SELECT", "WITH"))}
    assert any("ends = 'qq'" in sql for sql in plans)
    for sql, plan in plans.items():
        by_ends = sum("_ends (ends=?)" in step for step in plan)
        allowed = len(re.findall(r"(?<!\+)ends = '(?:cc|qc)'", sql))
        assert by_ends <= allowed, (sql[:300], plan)


def test_the_same_graph_gives_the_same_bytes(tmp_path: Path, graph: Path) -> None:
    data = MemoryStore.open(graph).load()
    made = []
    for name in ("a.json", "b.json"):
        MemoryStore.open(tmp_path / name).replace(data, meta={"built_from": ["x"]})
        made.append(sidecar.location(tmp_path / name).read_bytes())
    assert made[0] == made[1] and made[0].startswith(b"SQLite format 3")


def test_records_written_with_the_file_are_those_encoded_afresh(tmp_path: Path,
                                                                graph: Path) -> None:
    # replace() hands the sidecar the graph file's records; opening a file without a sidecar
    # encodes them again: the same bytes either way
    data = MemoryStore.open(graph).load()
    MemoryStore.open(tmp_path / "a.json").replace(data, meta={"built_from": ["x"]})
    written = sidecar.location(tmp_path / "a.json").read_bytes()
    sidecar.location(tmp_path / "a.json").unlink()
    MemoryStore.open(tmp_path / "a.json")  # no sidecar: the file is read, the sidecar made
    assert sidecar.location(tmp_path / "a.json").read_bytes() == written


def test_a_graph_file_changed_elsewhere_is_read_again(graph: Path) -> None:
    store = MemoryStore.open(graph)
    data = store.load()
    gone = sorted(data.questions)[0]
    del data.questions[gone]
    write_atomic(graph, dumps(data, store.meta))  # another program, another machine
    again = MemoryStore.open(graph)
    assert gone not in {q.id for q in again.questions()}
    assert again.stats()["questions"] == len(data.questions)
    assert MemoryStore.open(graph)._side is not None  # rebuilt, then used


def test_a_touched_file_keeps_its_sidecar(graph: Path) -> None:
    MemoryStore.open(graph)
    where = sidecar.location(graph)
    before = where.stat().st_mtime_ns
    graph.write_bytes(graph.read_bytes())  # same content, new mtime
    store = MemoryStore.open(graph)
    assert store._side is not None and where.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a database at all"),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]),  # cut short
        lambda p: p.unlink(),
        lambda p: p.with_suffix(".stamp").write_text("{"),
        lambda p: sqlite3.connect(p).execute("UPDATE meta SET value = '0' "
                                             "WHERE name = 'version'").connection.commit(),
    ],
)
def test_a_damaged_sidecar_is_rebuilt(graph: Path, damage) -> None:  # noqa: ANN001
    expected = MemoryStore.open(graph)
    want = [expected.chain(q.id) for q in expected.questions()[:20]]
    damage(sidecar.location(graph))
    store = MemoryStore.open(graph)
    assert [store.chain(q.id) for q in store.questions()[:20]] == want
    assert MemoryStore.open(graph)._side is not None


def test_a_corrupt_graph_file_still_names_itself(graph: Path) -> None:
    MemoryStore.open(graph)
    graph.write_text('{"format": "zhitu-graph", "version": 1, "questions": [', encoding="utf-8")
    with pytest.raises(StoreError, match="graph.json"):
        MemoryStore.open(graph)


def test_an_unwritable_cache_still_answers(graph: Path, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # a file: no folder inside
    store = MemoryStore.open(graph)
    assert store._side is None and store.stats()["questions"] > 0


def test_a_failed_write_leaves_the_old_sidecar(graph: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    MemoryStore.open(graph)
    where = sidecar.location(graph)
    before = where.read_bytes()

    def broken(*_: object) -> None:
        raise sqlite3.OperationalError("disk full")

    monkeypatch.setattr(sidecar, "_rows", broken)
    store = MemoryStore.open(graph)
    store.replace(store.load(), meta={"built_from": ["again"]})
    assert where.read_bytes() == before
    assert not [p for p in where.parent.iterdir() if p.name.endswith(".tmp")]
    assert MemoryStore.open(graph).meta == {"built_from": ["again"]}  # stale: file read again
