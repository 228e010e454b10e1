"""Merge bank files into a store: the one place the CLI's ingest and the UI's import share.

Reads the store, runs the pipeline over its data plus the files (re-read files replace their
questions), writes the result back, and keeps the store's record of what it was built from and
of every change (meta["changes"], the last MAX_CHANGES; `zhitu log` and the import page show it).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from zhitu.graph.store import GraphStore
from zhitu.ingest.lexicon import load_lexicon
from zhitu.ingest.pipeline import IngestReport, ingest, rebuild

MAX_CHANGES = 500
CHANGES = "changes"


def cli_user() -> str:
    """The operating-system user running the command ("" when it cannot be told)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no passwd entry in some containers)
        return ""


def change_entry(action: str, files: Sequence[str], *, via: str, who: str,
                 before: int, after: int, **extra: Any) -> dict[str, Any]:
    """One record of a change: when (UTC, ISO 8601), how (cli/ui), who, what, sizes."""
    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "via": via,
        "who": who,
        "action": action,
        "files": list(files),
        "questions_before": before,
        "questions_after": after,
        **extra,
    }


def with_change(meta: Mapping[str, object], entry: Mapping[str, Any]) -> dict[str, object]:
    """`meta` with `entry` appended to its change record (the oldest dropped past the cap).

    >>> m = {"changes": [{"n": i} for i in range(MAX_CHANGES)]}
    >>> out = with_change(m, {"n": "new"})
    >>> len(out["changes"]), out["changes"][0], out["changes"][-1]
    (500, {'n': 1}, {'n': 'new'})
    """
    old = meta.get(CHANGES)
    kept = [c for c in old if isinstance(c, dict)] if isinstance(old, list) else []
    return {**meta, CHANGES: [*kept, dict(entry)][-MAX_CHANGES:]}


_VIA = {"cli": "命令行", "ui": "界面"}
_ACTIONS = {"ingest": "导入", "curate": "整理概念"}


def described(c: Mapping[str, Any]) -> dict[str, str]:
    """A recorded change as the texts `zhitu log` and the import page show (Chinese labels).

    >>> described({"when": "2025-03-01T08:00:00+00:00", "via": "ui", "action": "ingest",
    ...            "files": ["a.txt"], "questions_before": 3, "questions_after": 5})["题目"]
    '3 → 5'
    """
    return {
        "时间 (UTC)": str(c.get("when", "")).replace("T", " ")[:19],
        "来源": _VIA.get(str(c.get("via", "")), str(c.get("via", ""))),
        "谁": str(c.get("who", "")).strip(),
        "操作": _ACTIONS.get(str(c.get("action", "")), str(c.get("action", ""))),
        "文件": "、".join(str(f) for f in c.get("files", [])),
        "题目": f"{c.get('questions_before', '?')} → {c.get('questions_after', '?')}",
    }


def changes(meta: Mapping[str, object]) -> list[dict[str, Any]]:
    """The recorded changes, newest first."""
    found = meta.get(CHANGES)
    return [c for c in reversed(found) if isinstance(c, dict)] if isinstance(found, list) else []


def merge_into(store: GraphStore, paths: list[str],
               progress: Callable[[int, int], None] | None = None, *,
               via: str = "cli", who: str | None = None,
               shown: Sequence[str] | None = None, **extra: Any) -> IngestReport:
    """Ingest `paths` into `store` and record the change; the store is unchanged on failure.

    via/who say where the change came from ("cli" and the OS user by default; the UI passes
    "ui" and its session's label); `shown` are the file names to record (default: `paths`);
    `extra` goes into the change record as it is.
    """
    existing = store.load()
    merged, report = ingest(paths, existing=existing, lexicon=load_lexicon(), progress=progress)
    old = store.meta
    built = [str(b) for b in old.get("built_from", [])]  # type: ignore[attr-defined]
    meta: dict[str, object] = {**old, "built_from": built + [p for p in paths if p not in built]}
    entry = change_entry(
        "ingest", list(shown if shown is not None else paths), via=via,
        who=cli_user() if who is None else who,
        before=len(existing.questions), after=len(merged.questions), **extra,
    )
    store.replace(merged, meta=with_change(meta, entry), search_documents=report.search_documents)
    return report


def rebuild_into(store: GraphStore, what: str, *, via: str = "cli", who: str | None = None,
                 **extra: Any) -> None:
    """Rebuild the store's graph over its own questions (after a curation decision, `what`)
    and record the change."""
    existing = store.load()
    data, documents = rebuild(existing, load_lexicon())
    entry = change_entry("curate", [what], via=via, who=cli_user() if who is None else who,
                         before=len(existing.questions), after=len(data.questions), **extra)
    store.replace(data, meta=with_change(store.meta, entry), search_documents=documents)
