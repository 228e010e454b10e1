"""Files replaced atomically: a temp file in the same directory, fsync, os.replace.

A failure or a kill at any point leaves the old file as it was; a temp file a killed writer
left behind is removed by the next write once it is STALE_SECONDS old.
"""

from __future__ import annotations

import glob
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from zhitu.graph.errors import StoreError


def write_atomic(path: str | Path, text: str | bytes | Iterable[str | bytes]) -> None:
    """Replace `path` with `text` (or its pieces; text is written as UTF-8): temp file in the
    same directory, fsync, os.replace.

    A failure at any point leaves the old file as it was (and no temp file behind).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise StoreError(f"无法写入 {path}: {e.strerror or e}") from e
    try:
        # mkstemp makes the file private; keep the old file's mode, else the usual 0644
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "wb") as f:
            for piece in [text] if isinstance(text, (str, bytes)) else text:
                f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise StoreError(f"无法写入 {path}: {e.strerror or e}") from e
        raise
    _fsync_dir(path.parent)
    _clear_stale(path)


STALE_SECONDS = 600  # a temp file untouched this long was left by a killed writer


def _clear_stale(path: Path) -> None:
    """Remove temp files a killed writer of `path` left behind (a live writer's is fresh)."""
    now = time.time()
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_SECONDS:
                tmp.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is done either way
    finally:
        os.close(fd)
