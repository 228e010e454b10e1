"""The search index ingest makes and the embedded store saves: the same as one built from the
questions, reused by a fresh store while it matches, rebuilt when the text changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zhitu.graph.memory import SEARCH_CACHES, MemoryStore
from zhitu.graph.model import GraphData
from zhitu.graph.search import KEY_FILE, Documents, SearchIndex
from zhitu.ingest.lexicon import load_lexicon
from zhitu.ingest.pipeline import IngestReport, ingest
from zhitu.text.segment import tokenizer_for
from zhitu.text.terms import prefold, terms

FIXTURES = Path(__file__).resolve().parent / "fixtures"
QUERIES = ["遗忘门", "LSTM 公式", "ｌｓｔｍ", "梯度消失", "BN层的作用", "卷积核", "dropout", "😀"]


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def ingested() -> tuple[GraphData, IngestReport]:
    return ingest([FIXTURES / "mini_bank.txt"], lexicon=load_lexicon(), workers=1)


@pytest.fixture
def saved(tmp_path: Path, ingested: tuple[GraphData, IngestReport]) -> MemoryStore:
    data, report = ingested
    store = MemoryStore.open(tmp_path / "g.json")
    store.replace(data, search_documents=report.search_documents)
    return store


def _fresh_index(data: GraphData) -> SearchIndex:
    return SearchIndex(data.questions.values(), tokenizer_for(data.concepts.values()))


def test_ingest_documents_are_what_search_would_make(
    ingested: tuple[GraphData, IngestReport],
) -> None:
    data, report = ingested
    tokenize = tokenizer_for(data.concepts.values())
    assert set(report.search_documents) == set(data.questions)
    for q in data.questions.values():
        title = terms(q.title, tokenize)
        expected = title + title + terms(q.text[len(q.title) :], tokenize)
        assert report.search_documents[q.id].split(" ") == expected


def test_the_index_related_questions_built_is_saved_as_built_anew(
    ingested: tuple[GraphData, IngestReport], tmp_path: Path
) -> None:
    data, report = ingested
    documents = report.search_documents
    assert isinstance(documents, Documents) and documents.index is not None  # built once
    handed = SearchIndex(data.questions.values(), str.split, documents)
    assert handed._retriever is documents.index
    built = SearchIndex(data.questions.values(), str.split, dict(documents))
    assert built._retriever is not documents.index
    handed.save(tmp_path / "handed", "k")
    built.save(tmp_path / "built", "k")
    names = sorted(p.name for p in (tmp_path / "built").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "handed").iterdir())
    for name in names:
        assert (tmp_path / "handed" / name).read_bytes() == (tmp_path / "built" / name).read_bytes()


def test_a_fresh_store_uses_the_saved_index(
    saved: MemoryStore, ingested: tuple[GraphData, IngestReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (saved.search_dir / KEY_FILE).exists()
    fresh_hits = {q: _fresh_index(ingested[0]).search(q) for q in QUERIES}
    monkeypatch.setattr(SearchIndex, "_document", lambda *_: pytest.fail("tokenized again"))
    reopened = MemoryStore.open(saved.file)
    assert {q: reopened.search(q) for q in QUERIES} == fresh_hits
    assert reopened.search("遗忘门")


def test_changed_text_rebuilds_the_index(saved: MemoryStore) -> None:
    data = saved.load()
    q = next(iter(data.questions.values()))
    q.answer += "量子退火"
    saved.replace(data)  # no documents: the saved index no longer matches
    reopened = MemoryStore.open(saved.file)
    assert [h.question.id for h in reopened.search("量子退火")] == [q.id]
    assert SearchIndex.load(saved.search_dir, reopened._search_key(),
                            data.questions.values()) is not None  # saved again


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / KEY_FILE).write_text("{not json"),
        lambda d: (d / KEY_FILE).write_text(json.dumps({"key": "another graph"})),
        lambda d: [p.write_bytes(b"\0garbage") for p in d.glob("*.npy")],  # key ok, data not
        lambda d: (d / KEY_FILE).unlink(),
    ],
)
def test_a_damaged_index_is_rebuilt(saved: MemoryStore, damage) -> None:  # type: ignore[no-untyped-def]
    expected = saved.search("遗忘门")
    damage(saved.search_dir)
    assert MemoryStore.open(saved.file).search("遗忘门") == expected


def test_an_unwritable_place_still_searches(
    saved: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = saved.search("遗忘门")
    (saved.search_dir / KEY_FILE).unlink()

    def refuse(*_: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(SearchIndex, "save", refuse)
    assert MemoryStore.open(saved.file).search("遗忘门") == expected


def test_indexes_live_in_the_cache_and_only_the_latest_are_kept(
    tmp_path: Path, ingested: tuple[GraphData, IngestReport]
) -> None:
    data, report = ingested
    stores = [MemoryStore.open(tmp_path / f"g{i}.json") for i in range(SEARCH_CACHES + 2)]
    for i, store in enumerate(stores):
        store.replace(data, search_documents=report.search_documents)
        os.utime(store.search_dir, (i, i))  # saved in this order
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == sorted(
        f"g{i}.json" for i in range(SEARCH_CACHES + 2))  # nothing beside the graph files
    kept = {p.name for p in (tmp_path / "cache" / "zhitu" / "search").iterdir()}
    assert kept == {s.search_dir.name for s in stores[-SEARCH_CACHES:]}
    assert MemoryStore.open(stores[0].file).search("遗忘门")  # an evicted index is rebuilt


def test_a_store_without_a_file_searches_in_memory(
    tmp_path: Path, ingested: tuple[GraphData, IngestReport]
) -> None:
    store = MemoryStore.open(tmp_path / "missing.json")
    assert store.search("遗忘门") == []
    assert not store.search_dir.exists()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ＬＳＴＭ与GRU", "lstm与gru"),  # full width and capitals, one for one
        ("İ", "İ"),  # only ASCII letters change case: İ lower-cases to two characters
        ("\u3000全角空格", " 全角空格"),
    ],
)
def test_prefold_keeps_offsets(text: str, folded: str) -> None:
    assert prefold(text) == folded and len(prefold(text)) == len(text)
