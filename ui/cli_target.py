"""What a `zhitu` command works on: the --graph TARGET, or the default graph built from the
bundled bank, and ingest into it (merging, recording what the graph was built from).

The default graph is $XDG_DATA_HOME/zhitu/graph.json (default ~/.local/share). It is built from
the bundled bank on first use and rebuilt when the bundled data's fingerprint changed while the
graph holds nothing else (meta built_from == ["bundled"]); a learner's own questions are never
dropped.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from zhitu import data
from zhitu.graph.errors import StoreError
from zhitu.graph.store import GraphStore, check_target, is_neo4j_target, open_store

if TYPE_CHECKING:  # the store and the pipeline load when a command needs them
    from zhitu.graph.memory import MemoryStore

BUNDLED = "bundled"
PROGRESS_MIN = 50  # show a progress bar from this many units of ingest work


def default_graph_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "zhitu" / "graph.json"


def bundled_fingerprint() -> str:
    """A hash of the lexicon in use ($ZHITU_LEXICON or the bundled one) and the bundled question
    files (names and bytes): the default graph is rebuilt when either changes."""
    from zhitu.ingest.lexicon import lexicon_path

    h = hashlib.blake2b(digest_size=10)
    lexicon = lexicon_path()
    if lexicon.is_file():  # a missing one fails later, in load_lexicon, with its own message
        h.update(b"lexicon\0" + lexicon.read_bytes())
    for path in sorted(p for p in data.QUESTIONS_DIR.rglob("*") if p.is_file()):
        h.update(path.relative_to(data.DATA_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A pipeline progress callback drawing click's progress bar on stderr for long work."""
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state and total >= PROGRESS_MIN:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        if "bar" in state:
            state["bar"].update(done - state["bar"].pos)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def ingest_files(paths: list[str], existing: Any) -> tuple[Any, Any]:
    from zhitu.ingest.lexicon import load_lexicon
    from zhitu.ingest.pipeline import ingest

    with progress_bar("构建知识图谱") as progress:
        return ingest(paths, existing=existing, lexicon=load_lexicon(), progress=progress)


class Target:
    """The graph the command works on, opened once, on first use."""

    def __init__(self, target: str | None) -> None:
        self.explicit = target
        self.target = target or str(default_graph_path())
        self._store: GraphStore | None = None

    def store(self, must_exist: bool = True) -> GraphStore:
        if self._store is None:
            if self.explicit is None:
                self._store = self._default_store()
            else:
                check_target(self.target)
                if must_exist and not is_neo4j_target(self.target):
                    if not Path(self.target).exists():
                        raise StoreError(
                            f"图文件 {self.target} 不存在; "
                            f"先运行: zhitu --graph {self.target} ingest 题库文件"
                        )
                self._store = open_store(self.target)
        return self._store

    def _default_store(self) -> MemoryStore:
        from zhitu.graph.memory import MemoryStore

        store = MemoryStore.open(self.target)
        fingerprint = bundled_fingerprint()
        only_bundled = store.meta.get("built_from") == [BUNDLED]
        if not store.file.exists() or (
            only_bundled and store.meta.get("fingerprint") != fingerprint
        ):
            graph, report = ingest_files([str(data.QUESTIONS_DIR)], None)
            store.replace(graph, meta={"built_from": [BUNDLED], "fingerprint": fingerprint},
                          search_documents=report.search_documents)
        return store

    def ingest(self, paths: list[str]) -> tuple[GraphStore, Any]:
        """Merge files into the graph (re-read files replace their questions): (store, report)."""
        from zhitu.ui.merge import merge_into

        store = self.store(must_exist=False)
        with progress_bar("构建知识图谱") as progress:
            return store, merge_into(store, paths, progress)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
