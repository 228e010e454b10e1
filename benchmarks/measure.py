"""The measurements the runner makes: each returns numbers, none prints.

Commands run in fresh processes (what a user starts) are timed from outside: wall time, the main
process's peak RSS (getrusage) and the peak PSS summed over the process and its pool workers
(sampled with psutil; PSS counts a page shared by forked workers once). Query latencies are
measured in this process over a store that is already open, after one warm-up query per kind.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zhitu.graph.store import GraphStore

CLI = "import sys; from zhitu.ui.cli import main; sys.argv[0] = 'zhitu'; main()"
QUERY_KINDS = ("chain", "related", "path", "search")


@dataclass
class Run:
    """A finished command: wall seconds, peak RSS of the main process, peak PSS of the tree."""

    seconds: float
    rss_mb: float
    pss_mb: float
    stdout: str
    cpu: float = 0.0  # user + system seconds of the process and the workers it waited for


def machine() -> str:
    """CPU model, cores, memory, Python and OS, and the load average before the run."""
    cpu, mem = "unknown cpu", "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = f"{int(Path('/proc/meminfo').read_text().split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {mem} RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average before the run {load}")


def _tree_pss(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_full_info().pss
        except psutil.Error:
            pass  # a worker that just ended
    return total / 2**20


def run(args: list[str], env: dict[str, str] | None = None, sample: bool = True) -> Run:
    """Run a Python command line (`args` after the interpreter) and measure it."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], env={**os.environ, **(env or {})},
                                stdout=out, stderr=err, text=True)
        peak = [0.0]
        done = threading.Event()

        def sampler() -> None:
            while not done.wait(0.25):
                peak[0] = max(peak[0], _tree_pss(proc.pid))

        thread = threading.Thread(target=sampler, daemon=True)
        if sample:
            thread.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if sample:
            thread.join()
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"failed: {' '.join(args[-6:])}\n{err.read()[-2000:]}")
        return Run(seconds, usage.ru_maxrss / 1024, peak[0], out.read(),
                   usage.ru_utime + usage.ru_stime)


def cli(graph: Path, *command: str, env: dict[str, str] | None = None,
        sample: bool = True) -> Run:
    return run(["-c", CLI, "--graph", str(graph), *command], env, sample)


def jieba_startup() -> float:
    """Seconds for `import jieba; jieba.initialize()` in a fresh process (cached dictionary)."""
    code = "import jieba; jieba.setLogLevel(60); jieba.initialize()"
    run(["-c", code], sample=False)  # the first run may build jieba's dictionary cache
    return min(run(["-c", code], sample=False).seconds for _ in range(3))


def raw_segmentation(paths: list[Path], engine: str, repeat: int = 1) -> float:
    """Seconds to segment the banks' text with jieba.lcut (or rjieba.cut), start-up excluded:
    the best of `repeat` runs."""
    texts = [p.read_text(encoding="utf-8") for p in paths]
    if engine == "rjieba":
        import rjieba

        cut: Callable[[str], list[str]] = rjieba.cut
        cut("预热")
    else:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        cut = jieba.lcut
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            cut(text)
        best = min(best, time.perf_counter() - start)
    return best


# what `zhitu --graph GRAPH ingest BANK` does for a new graph, timed in two phases
INGEST = """
import sys, time
start = time.perf_counter()
from zhitu.graph.memory import MemoryStore
from zhitu.ui.cli_target import ingest_files
graph, report = ingest_files([sys.argv[2]], None)
built = time.perf_counter()
MemoryStore.open(sys.argv[1]).replace(graph, meta={"built_from": [sys.argv[2]]},
                                      search_documents=report.search_documents)
print(built - start, time.perf_counter() - built)
"""

LOAD = """
import sys, time
start = time.perf_counter()
from zhitu.graph.memory import MemoryStore
store = MemoryStore.open(sys.argv[1])
opened = time.perf_counter()
store.warm()
print(opened - start, time.perf_counter() - start)
"""

# a whole process segmenting the bank's files with jieba, start-up included (the yardstick)
RAW = """
import sys
from pathlib import Path
import jieba
jieba.setLogLevel(60)
for p in sys.argv[1:]:
    jieba.lcut(Path(p).read_text(encoding="utf-8"))
"""


def whole_process(paths: list[Path], graph: Path,
                  repeat: int = 3) -> tuple[float, float, float, float]:
    """A fresh `zhitu --graph GRAPH ingest` of the paths into a new graph and a fresh process
    running jieba.lcut over their text, both from interpreter start to exit, taken in turns:
    (ingest s, raw s, ingest CPU s, raw CPU s), each the best of `repeat`. CPU seconds include
    the pool's workers; on a busy machine they are steadier than wall time."""
    ingest, raw = [], []
    folder = str(paths[0].parent) if len({p.parent for p in paths}) == 1 else None
    for _ in range(repeat):
        graph.unlink(missing_ok=True)
        args = [folder] if folder else [str(p) for p in paths]
        ingest.append(cli(graph, "ingest", *args, sample=False))
        raw.append(run(["-c", RAW, *map(str, paths)], sample=False))
    return (min(r.seconds for r in ingest), min(r.seconds for r in raw),
            min(r.cpu for r in ingest), min(r.cpu for r in raw))


COLD_KINDS = ("chain", "related", "path", "search", "stats")


def cold_commands(graph: Path, question_id: str, words: str,
                  repeat: int = 3) -> dict[str, float]:
    """Seconds of each `zhitu` query command in a fresh process over the saved graph (what a
    user waits for), the best of `repeat`."""
    args = {"chain": [question_id], "related": [question_id],
            "path": ["--target", question_id], "search": [words], "stats": []}
    return {kind: min(cli(graph, kind, *args[kind], "--json", sample=False).seconds
                      for _ in range(repeat)) for kind in COLD_KINDS}


def load_time(graph: Path) -> tuple[float, float]:
    """(seconds to open the saved graph, seconds until it is loaded whole, `warm()`) in a
    fresh process, imports included: the best of three."""
    runs = [run(["-c", LOAD, str(graph)], sample=False).stdout.split() for _ in range(3)]
    return min(float(r[0]) for r in runs), min(float(r[1]) for r in runs)


def disk_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def _percentiles(fn: Callable[[str], object], targets: list[str]) -> tuple[float, float]:
    times = []
    for t in targets:
        start = time.perf_counter()
        fn(t)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(len(times) * 0.95) - 1)]


def queries(store: GraphStore, n_targets: int = 100,
            seed: int = 11) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """p50 and p95 milliseconds per query kind over n random questions, and the first query
    of each kind (which builds the store's derived views) in milliseconds."""
    questions = store.questions()
    rng = random.Random(seed)
    picked = rng.sample(questions, min(n_targets + 1, len(questions)))
    warm, targets = picked[0], [q.id for q in picked[1:]]
    words = {q.id: q.title[:6] for q in picked}  # a learner types part of a title
    calls: dict[str, Callable[[str], object]] = {
        "chain": store.chain,
        "related": lambda t: store.related(t, 10),
        "path": lambda t: store.path([t]),
        "search": lambda t: store.search(words[t], 10),
    }
    first = {}
    for kind, call in calls.items():
        start = time.perf_counter()
        call(warm.id)
        first[kind] = (time.perf_counter() - start) * 1000
    return {kind: _percentiles(call, targets) for kind, call in calls.items()}, first


def server_pid(uri: str) -> int | None:
    """The Neo4j server's process: NEO4J_SERVER_PID, else the local process listening on the
    URI's port (None when it is not on this machine or not visible)."""
    import psutil

    if os.environ.get("NEO4J_SERVER_PID"):
        return int(os.environ["NEO4J_SERVER_PID"])
    port = int(uri.rsplit(":", 1)[1].split("/")[0]) if uri.count(":") >= 2 else 7687
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid:
                return int(c.pid)
    except (psutil.Error, OSError):
        pass
    return None


class ServerMemory:
    """Peak RSS of the Neo4j server while the `with` block runs (sampled every 0.25 s)."""

    def __init__(self, uri: str) -> None:
        self.pid = server_pid(uri)
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while True:
            try:
                rss = psutil.Process(self.pid).memory_info().rss / 2**20
            except psutil.Error:
                return
            self.peak_mb = max(self.peak_mb, rss)
            if self._done.wait(0.25):
                return

    def __enter__(self) -> ServerMemory:
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
