"""BM25 search: exact rankings on the hand-made graph, and any query string is safe."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import GraphData
from zhitu.graph.search import SearchIndex


@pytest.fixture(scope="module")
def index(toy_session: GraphData) -> SearchIndex:
    return SearchIndex(toy_session.questions.values())


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("LSTM 公式", "q-lstm-f"),
        ("ｌｓｔｍ公式", "q-lstm-f"),  # full width and case folded
        ("梯度消失", "q-vg"),
        ("GRU", "q-gru"),
        ("BatchNormalization", "q-bn"),
        ("序列数据", "q-rnn-why"),
    ],
)
def test_best_hit(index: SearchIndex, query: str, first: str) -> None:
    hits = index.search(query)
    assert hits and hits[0].question.id == first
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_only_matching_questions_come_back(index: SearchIndex) -> None:
    assert {h.question.id for h in index.search("GRU")} == {"q-gru"}


@pytest.mark.parametrize(
    "query",
    ["", "   ", "？！。", "\"\\'", "😀🔥", "x" * 10_000, "\x00\n\t", "MATCH (n) RETURN n"],
)
def test_odd_queries_never_fail(index: SearchIndex, query: str) -> None:
    assert index.search(query) == []


def test_top_limits(index: SearchIndex) -> None:
    assert len(index.search("RNN", top=2)) == 2
    assert index.search("RNN", top=0) == []


def test_empty_index() -> None:
    assert SearchIndex([]).search("RNN") == []


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_is_a_query(index: SearchIndex, text: str) -> None:
    hits = index.search(text, top=5)
    assert len(hits) <= 5 and all(h.score > 0 for h in hits)


def test_store_builds_its_index_once(toy_store: MemoryStore) -> None:
    assert toy_store.search("LSTM")[0].question.id in {"q-lstm", "q-lstm-f"}
    first = toy_store._search
    toy_store.search("RNN")
    assert toy_store._search is first
