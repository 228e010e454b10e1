"""An import preview, bounded: its own file, its own process, a time limit, cleaned up after.

The import page (ui/views/import_bank.py) keeps each browser session's upload under
uploads/.preview/<session token>/ until it is merged (then it moves to uploads/NAME) or
swept: every new preview removes preview folders older than an hour and all but the newest
KEEP_PREVIEWS, so the folder stays bounded however many previews are made.

The preview ingest runs in a spawned child (`python -m zhitu.ui.preview TARGET FILE FINAL`),
never in the server process: a full ingest is CPU-bound Python, which in the server would hold
the interpreter lock against every other session and could not be stopped. The child reads the
graph itself, runs one worker at low priority, prints one JSON document and is killed (its whole
process group) when it exceeds the time limit. Measured on the 2-core test machine: a spawned
preview costs about 6 s more than the same preview in a warm server process (imports, jieba and
the lexicon load cold in the child); see docs/SERVING.md for the numbers and the decision.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PREVIEW_DIR = ".preview"
MAX_AGE_SECONDS = 3600
KEEP_PREVIEWS = 8  # preview folders kept at most (each holds one upload of at most 20 MB)
TIMEOUT_ENV = "ZHITU_PREVIEW_SECONDS"
SLOTS_ENV = "ZHITU_MAX_PREVIEWS"
DEFAULT_TIMEOUT = 300
DEFAULT_SLOTS = 2
LIST_LIMIT = 200  # titles and warnings a preview returns


class PreviewTimeout(Exception):
    """The child ran past its time limit and was stopped."""


def timeout_seconds() -> float:
    return _positive(TIMEOUT_ENV, DEFAULT_TIMEOUT)


def slots() -> int:
    return int(_positive(SLOTS_ENV, DEFAULT_SLOTS))


def _positive(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def sweep(root: Path, *, max_age: float = MAX_AGE_SECONDS, keep: int = KEEP_PREVIEWS,
          spare: Path | None = None) -> None:
    """Remove preview folders under `root` older than `max_age` seconds, then all but the
    newest `keep` (`spare`, the one about to be written, is never removed)."""
    try:
        entries = [p for p in root.iterdir() if p != spare]
    except OSError:
        return
    now = time.time()
    aged: list[tuple[float, Path]] = []
    for p in entries:
        try:
            mtime = p.stat().st_mtime
        except OSError:
            continue
        if now - mtime > max_age:
            _remove(p)
        else:
            aged.append((mtime, p))
    aged.sort(reverse=True)
    for _, p in aged[max(keep - (spare is not None), 0):]:
        _remove(p)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def run(target: str, file: Path, final: Path, timeout: float | None = None) -> dict[str, Any]:
    """Preview `file` as if it were imported as `final`, in a child process; its JSON result.

    Raises PreviewTimeout when the child runs past `timeout` seconds (it is killed first).
    """
    limit = timeout_seconds() if timeout is None else timeout
    env = {**os.environ, "ZHITU_WORKERS": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "zhitu.ui.preview", target, str(file), str(final)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL, env=env, start_new_session=True) as child:
        try:
            out, _ = child.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(child)
            raise PreviewTimeout(limit) from None
        except BaseException:  # the script thread was stopped: do not leave the child behind
            _kill(child)
            raise
    try:
        found = json.loads(out.decode("utf-8"))
    except ValueError:
        found = None
    if not isinstance(found, dict):
        return {"error": f"预览失败（子进程退出码 {child.returncode}）：请检查文件后再试。"}
    return found


def _kill(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        pass
    child.wait()


# --- the child -------------------------------------------------------------------------------


def _as_final(existing: Any, final: Path) -> Any:
    """`existing` as an import of `final` would see it: the file's old questions gone."""
    from dataclasses import replace

    real = os.path.realpath(final)

    def other(source: str) -> bool:
        path, _, line = source.rpartition(":")
        return os.path.realpath(path if line.isdigit() else source) != real

    questions = {}
    for qid, q in existing.questions.items():
        sources = [s for s in q.sources if other(s)]
        if sources:
            questions[qid] = replace(q, sources=sources)
    return replace(existing, questions=questions)


def _asked(data: Any) -> set[str]:
    return {m.concept_id for m in data.mentions if m.concept_id in data.concepts}


def preview(target: str, file: Path, final: Path) -> dict[str, Any]:
    """What importing `file` as `final` would add to the graph at `target` (JSON-ready)."""
    from zhitu.graph.errors import ZhituError
    from zhitu.graph.store import open_store
    from zhitu.ingest.pipeline import ingest

    try:
        store = open_store(target)
        try:
            existing = store.load()
        finally:
            store.close()
        merged, report = ingest([file], existing=_as_final(existing, final))
    except ZhituError as e:
        return {"error": _shown(str(e), file, final.name)}
    concepts = [merged.concepts[c] for c in sorted(_asked(merged) - _asked(existing))]
    titles = [q.title for k, q in merged.questions.items() if k not in existing.questions]
    return {
        "questions_read": report.questions_read,
        "new_question_count": len(titles),
        "new_questions": titles[:LIST_LIMIT],
        "new_concepts": [{"id": c.id, "name": c.name, "zh": c.zh} for c in concepts],
        "candidates": [
            {"术语": c.term, "出现次数": c.frequency, "题目数": c.questions,
             "例句": " / ".join(c.examples[:2])}
            for c in report.candidates
        ],
        "warning_count": len(report.warnings),
        "warnings": [
            _shown(w, file, f"uploads/{final.name}") for w in report.warnings[:LIST_LIMIT]
        ],
    }


def _shown(text: str, file: Path, name: str) -> str:
    """`text` with the preview file's path replaced by the name the import will give it."""
    for form in sorted({str(file), os.path.realpath(file)}, key=len, reverse=True):
        text = text.replace(form, name)
    return text


def main(argv: list[str]) -> int:
    try:
        os.nice(10)  # browsing stays responsive while a preview runs
    except OSError:
        pass
    target, file, final = argv
    doc = preview(target, Path(file), Path(final))
    sys.stdout.write(json.dumps(doc, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
