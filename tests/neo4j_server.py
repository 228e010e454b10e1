"""A live Neo4j for the tests: NEO4J_URI when set, else tools/neo4j-test-server started here.

`live_neo4j()` returns the environment (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD) of a server that
lasts the test session, or skips with the reason when none can run (no java or mvn). With
ZHITU_REQUIRE_NEO4J=1 (set by .ci/run) a missing server fails instead: in CI no Neo4j test skips.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "tools" / "neo4j-test-server" / "run"
PASSWORD = "zhitu-test-password"
READY_SECONDS = 600  # the first run builds the server with Maven
_env: dict[str, str] | None = None
_failure: str | None = None  # why no server could be had (asked once a session)
_lock = threading.Lock()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("ZHITU_REQUIRE_NEO4J") == "1":
        pytest.fail(f"Neo4j is required here (ZHITU_REQUIRE_NEO4J=1): {reason}")
    pytest.skip(reason)


def _start() -> dict[str, str]:
    port = _free_port()
    proc = subprocess.Popen([str(RUN), str(port), PASSWORD], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    atexit.register(_stop, proc)
    lines: list[str] = []
    errors: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("neo4j-test-server ready"):
                ready.set()

    def drain() -> None:  # Maven and the server write to stderr: never let the pipe fill
        for line in proc.stderr:  # type: ignore[union-attr]
            errors[:] = [*errors[-20:], line]

    threading.Thread(target=watch, daemon=True).start()
    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(READY_SECONDS) or proc.poll() is not None:
        _stop(proc)
        said = "".join(lines + errors)[-600:]
        raise RuntimeError(f"tools/neo4j-test-server did not start: {' '.join(said.split())}")
    return {"NEO4J_URI": f"bolt://127.0.0.1:{port}", "NEO4J_USER": "neo4j",
            "NEO4J_PASSWORD": PASSWORD, "NEO4J_DATABASE": "neo4j"}


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def live_neo4j() -> dict[str, str]:
    """The environment of the session's Neo4j server (started on first use)."""
    global _env, _failure
    with _lock:
        if _failure is not None:
            _unavailable(_failure)
        if _env is None:
            if os.environ.get("NEO4J_URI"):
                _env = {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD",
                                                   "NEO4J_DATABASE") if k in os.environ}
            elif not (shutil.which("java") and shutil.which("mvn")):
                _failure = ("no Neo4j: NEO4J_URI is not set and java/mvn are missing "
                            "(tools/neo4j-test-server needs them)")
                _unavailable(_failure)
            else:
                try:
                    _env = _start()
                except RuntimeError as e:
                    _failure = str(e)
                    _unavailable(_failure)
        return dict(_env)  # type: ignore[arg-type]


def open_store():  # -> Neo4jStore (imported lazily: the driver is only needed here)
    """A Neo4jStore on the session's server, holding nothing."""
    import neo4j

    from zhitu.graph.neo4j_store import Neo4jStore

    env = live_neo4j()
    auth = (env.get("NEO4J_USER", "neo4j"), env["NEO4J_PASSWORD"])
    driver = neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=auth)
    store = Neo4jStore(driver, env.get("NEO4J_DATABASE", "neo4j"), uri=env["NEO4J_URI"])
    store.clear()  # each user starts from an empty graph (batched: big graphs too)
    return store
