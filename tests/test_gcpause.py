"""The collector pause used around bulk graph work: it always resumes, even after errors."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from zhitu.graph import gcpause
from zhitu.graph.memory import MemoryStore
from zhitu.ingest.pipeline import ingest

SAMPLE = Path(__file__).parent / "gold" / "sample.txt"



def test_resumes_after_an_error_and_when_nested() -> None:
    with pytest.raises(RuntimeError), gcpause.gc_paused():
        with gcpause.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not resume what the outer paused
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_alone_when_already_off() -> None:
    gc.disable()
    try:
        with gcpause.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_ingest_save_and_load_leave_the_collector_on(tmp_path: Path) -> None:
    data, report = ingest([SAMPLE])
    assert gc.isenabled()
    store = MemoryStore.open(tmp_path / "g.json")
    store.replace(data, search_documents=report.search_documents)
    assert gc.isenabled()
    again = MemoryStore.open(tmp_path / "g.json")
    assert again.chain(again.questions()[-1].id) is not None and gc.isenabled()
    assert len(again.questions()) == len(data.questions) == 18
