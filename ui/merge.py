"""Merge bank files into a store: the one place the CLI's ingest and the UI's import share.

Reads the store, runs the pipeline over its data plus the files (re-read files replace their
questions), writes the result back, and keeps the store's record of what it was built from (meta).
"""

from __future__ import annotations

from collections.abc import Callable

from zhitu.graph.store import GraphStore
from zhitu.ingest.lexicon import load_lexicon
from zhitu.ingest.pipeline import IngestReport, ingest


def merge_into(store: GraphStore, paths: list[str],
               progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest `paths` into `store`; the store is unchanged when ingest fails."""
    merged, report = ingest(paths, existing=store.load(), lexicon=load_lexicon(),
                            progress=progress)
    old = store.meta
    built = [str(b) for b in old.get("built_from", [])]  # type: ignore[attr-defined]
    meta = {**old, "built_from": built + [p for p in paths if p not in built]}
    store.replace(merged, meta=meta, search_documents=report.search_documents)
    return report
