"""Benchmark runner: `python -m benchmarks [--sizes 1000,10000] [--no-append]`.

For each size: a synthetic bank, raw jieba over its text, the end-to-end `zhitu ingest` (time and
peak RSS of that process), the saved graph's load time and size, and query latencies (p50/p95 of
100 random targets). Prints a Markdown table and appends it to BENCHMARKS.md with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synth import write_bank

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "BENCHMARKS.md"
CLI = "import sys; from ui.cli import main; sys.argv[0] = 'zhitu'; main()"


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split()[1]
        mem_gb = f"{int(mem) / 2**20:.0f} GiB"
    except OSError:
        mem_gb = "?"
    return (f"{cpu}, {os.cpu_count()} cores, {mem_gb} RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MB of that process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def jieba_startup() -> float:
    code = "import jieba; jieba.setLogLevel(60); jieba.initialize()"
    return _run([sys.executable, "-c", code])[0]


def raw_segmentation(paths: list[Path], engine: str) -> float:
    """Seconds to segment the banks' text with jieba.lcut (or rjieba.cut), start-up excluded."""
    texts = [p.read_text(encoding="utf-8") for p in paths]
    if engine == "rjieba":
        import rjieba

        cut = rjieba.cut
    else:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        cut = jieba.lcut
    start = time.perf_counter()
    for text in texts:
        cut(text)
    return time.perf_counter() - start


def _percentiles(fn: Callable[[str], object], targets: list[str]) -> tuple[float, float]:
    times = []
    for t in targets:
        start = time.perf_counter()
        fn(t)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def queries(store, n_targets: int = 100) -> dict[str, tuple[float, float]]:
    questions = store.questions()
    rng = random.Random(11)
    targets = [q.id for q in rng.sample(questions, min(n_targets, len(questions)))]
    words = {q.id: q.title[:6] for q in questions}
    return {
        "chain": _percentiles(store.chain, targets),
        "related": _percentiles(lambda t: store.related(t, 10), targets),
        "path": _percentiles(lambda t: store.path([t]), targets),
        "search": _percentiles(lambda t: store.search(words[t], 10), targets),
    }


def bench_size(n: int, work: Path, engines: list[str]) -> list[str]:
    from graph.memory import MemoryStore
    from ingest.lexicon import load_lexicon

    folder = work / f"bank-{n}"
    paths = write_bank(load_lexicon(), n, folder)
    size_mb = sum(p.stat().st_size for p in paths) / 2**20
    rows = []
    for engine in engines:
        raw = raw_segmentation(paths, engine)
        graph = work / f"graph-{n}-{engine}.json"
        seconds, rss = _run([sys.executable, "-c", CLI, "--graph", str(graph), "ingest",
                             str(folder), "--json"], env={"ZHITU_SEGMENTER": engine})
        start = time.perf_counter()
        store = MemoryStore.open(str(graph))
        store.stats()
        load = time.perf_counter() - start
        lat = queries(store)
        disk = graph.stat().st_size / 2**20
        lat_txt = " | ".join(f"{p50:.1f} / {p95:.1f}" for p50, p95 in lat.values())
        rows.append(
            f"| {n:,} | {engine} | {size_mb:.1f} | {seconds:.1f} | {n / seconds:,.0f} | "
            f"{size_mb * 1024 / seconds:,.0f} | {raw:.1f} | {seconds / raw:.2f} | {rss:,.0f} | "
            f"{load:.2f} | {disk:.1f} | {lat_txt} |"
        )
        print(rows[-1], flush=True)
    return rows


HEADER = (
    "| questions | segmenter | bank MB | ingest s | q/s | KB/s | raw seg s | ingest/raw | "
    "peak RSS MB | load s | graph MB | chain p50/p95 ms | related | path | search |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated bank sizes")
    parser.add_argument("--engines", default="jieba,rjieba", help="segmenters to compare")
    parser.add_argument("--no-append", action="store_true", help="print only")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    lines = [f"## Run of {time.strftime('%Y-%m-%d %H:%M')}", "", f"Machine: {machine()}", "",
             f"jieba start-up (import + initialize, fresh process): {jieba_startup():.2f} s", "",
             HEADER]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="zhitu-bench-") as tmp:
        for n in sizes:
            lines += bench_size(n, Path(tmp), engines)
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
