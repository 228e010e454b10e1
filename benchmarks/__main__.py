"""Benchmark runner: `python -m benchmarks [--sizes 1000,10000,100000] [--no-append]`.

For each size: a synthetic bank (benchmarks/synth.py); raw segmentation of its text in this
process (jieba.lcut, or rjieba.cut for the rjieba engine); per engine, an ingest into a new graph
in a fresh process, doing what `zhitu ingest` does (time, throughput, peak memory; "pipeline" is
ingest.pipeline.ingest, "save" the store's write and search index; the ratios are to raw
segmentation of the same text in the same run); the saved graph's size, its load time in a fresh
process and a cold `zhitu search`; query latencies p50/p95 over 100 random questions. With
NEO4J_URI set the graph is also written to Neo4j (rows/s) and queried the same way. Prints
Markdown tables and appends them, with the machine, to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import measure
from benchmarks.synth import write_bank, write_structured_bank

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "BENCHMARKS.md"
ENGINES = ("jieba", "rjieba")
INGEST_HEADER = (
    "| questions | segmenter | workers | bank MB | ingest s | pipeline s | save s | questions/s "
    "| KB/s | raw seg s | ingest/raw | pipeline/raw | peak RSS MB | peak PSS MB (all processes) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)
SMALL_HEADER = (
    "| bank | files | MB | questions | whole `zhitu ingest` s | whole raw `jieba.lcut` s "
    "| ratio | CPU s (ingest / raw) | CPU ratio | load (1 min) |"
    "\n|---|---|---|---|---|---|---|---|---|---|"
)
COLD_HEADER = (
    "| questions | " + " | ".join(f"cold `zhitu {k}` s" for k in measure.COLD_KINDS) + " |\n"
    + "|---|" + "---|" * len(measure.COLD_KINDS)
)
STORE_HEADER = (
    "| questions | store | graph MB | search index MB | open s | ready s | cold `zhitu search` s | "
    + " | ".join(f"{k} p50/p95 ms" for k in measure.QUERY_KINDS)
    + " | first query ms (c/r/p/s) |\n"
    + "|---|---|---|---|---|---|---|" + "---|" * len(measure.QUERY_KINDS) + "---|"
)


def _say(line: str) -> None:
    print(line, flush=True)


def _latency_cells(lat: dict[str, tuple[float, float]], first: dict[str, float]) -> str:
    cells = [f"{p50:.1f} / {p95:.1f}" for p50, p95 in lat.values()]
    return " | ".join([*cells, "/".join(f"{v:.0f}" for v in first.values())])


def bench_ingest(n: int, folder: Path, paths: list[Path], work: Path, engine: str,
                 workers: str | None) -> tuple[str, Path]:
    """One ingest row; returns it and the graph file."""
    size_mb = sum(p.stat().st_size for p in paths) / 2**20
    raw = measure.raw_segmentation(paths, engine, repeat=2 if n <= 10_000 else 1)
    graph = work / f"graph-{n}-{engine}-{workers or 'auto'}.json"
    env = {"ZHITU_SEGMENTER": engine, **({"ZHITU_WORKERS": workers} if workers else {})}
    done = measure.run(["-c", measure.INGEST, str(graph), str(folder)], env=env)
    pipeline, save = (float(x) for x in done.stdout.split())
    from zhitu.ingest.pipeline import workers_for

    used = workers or str(workers_for(n))
    row = (f"| {n:,} | {engine} | {used} | {size_mb:.1f} | {done.seconds:.1f} | {pipeline:.1f} | "
           f"{save:.1f} | {n / done.seconds:,.0f} | {size_mb * 1024 / done.seconds:,.0f} | "
           f"{raw:.2f} | {done.seconds / raw:.2f} | {pipeline / raw:.2f} | {done.rss_mb:,.0f} | "
           f"{done.pss_mb:,.0f} |")
    return row, graph


def bench_small(work: Path) -> str:
    """The real-structured small bank (synth.write_structured_bank): a whole `zhitu ingest`
    process against a whole process running raw jieba over the same files, same run."""
    from zhitu.ingest.lexicon import load_lexicon
    from zhitu.ingest.read import read_paths

    folder = work / "structured"
    paths = write_structured_bank(load_lexicon(), folder)
    before = os.getloadavg()[0]
    ingest, raw, ingest_cpu, raw_cpu = measure.whole_process(paths, work / "structured.json")
    load = f"{before:.2f}–{os.getloadavg()[0]:.2f}"  # other work on the machine meanwhile
    size = sum(p.stat().st_size for p in paths) / 2**20
    n = len(read_paths(paths).questions)
    return (f"| structured (synth) | {len(paths)} | {size:.2f} | {n:,} | {ingest:.2f} | "
            f"{raw:.2f} | {ingest / raw:.2f} | {ingest_cpu:.2f} / {raw_cpu:.2f} | "
            f"{ingest_cpu / raw_cpu:.2f} | {load} |")


def bench_cold(n: int, graph: Path) -> str:
    """Cold query commands over a saved graph, for a question in the middle of it."""
    from zhitu.graph.memory import MemoryStore

    store = MemoryStore.open(graph)
    picked = store.questions()[n // 2]
    cold = measure.cold_commands(graph, picked.id, picked.title[:6])
    return f"| {n:,} | " + " | ".join(f"{cold[k]:.2f}" for k in measure.COLD_KINDS) + " |"


def bench_store(n: int, graph: Path, engine: str) -> str:
    """One row for the embedded store over a saved graph."""
    from zhitu.graph.memory import MemoryStore

    opened, ready = measure.load_time(graph)
    env = {"ZHITU_SEGMENTER": engine}
    cold = measure.cli(graph, "search", "梯度消失", "--json", env=env, sample=False).seconds
    os.environ["ZHITU_SEGMENTER"] = engine
    store = MemoryStore.open(graph)
    store.warm()  # warm latencies: the whole graph in memory, as a server holds it
    lat, first = measure.queries(store)
    return (f"| {n:,} | memory ({engine}) | {measure.disk_mb(graph):.1f} | "
            f"{measure.disk_mb(store.search_dir):.1f} | {opened:.2f} | {ready:.2f} | {cold:.2f} | "
            f"{_latency_cells(lat, first)} |")


NEO4J_HEADER = (
    "| questions | rows | write s | rows/s | ingest, end to end s | questions/s | "
    "peak RSS zhitu MB | peak RSS Neo4j MB | "
    + " | ".join(f"{k} p50/p95 ms" for k in measure.QUERY_KINDS)
    + " | first query ms (c/r/p/s) |\n"
    + "|---|---|---|---|---|---|---|---|" + "---|" * len(measure.QUERY_KINDS) + "---|"
)


def bench_neo4j(n: int, graph: Path, folder: Path | None = None) -> str:
    """The Neo4j at NEO4J_URI: the saved graph written into an empty database (rows/s), then
    `zhitu --graph URI ingest BANK` end to end in a fresh process into an empty database (time,
    peak RSS of zhitu and of the server), then the queries. The server's memory is sampled when
    its process is found (NEO4J_SERVER_PID, else the process listening on the URI's port)."""
    from zhitu.graph.memory import MemoryStore
    from zhitu.graph.neo4j_store import Neo4jStore

    uri = os.environ["NEO4J_URI"]
    data = MemoryStore.open(graph).load()
    rows = len(data.questions) + len(data.concepts) + len(data.relations) + len(data.mentions)
    server = measure.ServerMemory(uri)
    store = Neo4jStore.from_env(uri)
    try:
        with server:
            store.clear()
            start = time.perf_counter()
            store.replace(data)
            seconds = time.perf_counter() - start
            ingest = None
            if folder is not None:
                store.clear()
                ingest = measure.run(["-c", measure.CLI, "--graph", uri, "ingest", str(folder)])
            lat, first = measure.queries(store)
    finally:
        store.close()
    e2e = (f"{ingest.seconds:.1f} | {n / ingest.seconds:,.0f} | {ingest.rss_mb:,.0f}"
           if ingest else "– | – | –")
    return (f"| {n:,} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {e2e} | "
            f"{server.peak_mb:,.0f} | {_latency_cells(lat, first)} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated bank sizes")
    parser.add_argument("--engines", default=",".join(ENGINES), help="segmenters to compare")
    parser.add_argument("--serial-up-to", type=int, default=10000,
                        help="also ingest with ZHITU_WORKERS=1 (jieba) up to this size")
    parser.add_argument("--work", help="keep banks and graphs in this directory")
    parser.add_argument("--no-append", action="store_true", help="print only")
    parser.add_argument("--no-small", action="store_true",
                        help="skip the real-structured small bank (whole-process ratio)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    lines = [f"## Run of {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"Machine: {measure.machine()}", "",
             f"jieba start-up (import + initialize, fresh process, best of 3): "
             f"{measure.jieba_startup():.2f} s", ""]
    for line in lines:
        _say(line)
    ingest_rows: list[str] = []
    store_rows: list[str] = []
    cold_rows: list[str] = []
    small_rows: list[str] = []
    neo4j_rows: list[str] = []
    neo4j = os.environ.get("NEO4J_URI")
    environ = dict(os.environ)  # bench_store and the cache below change it for this process
    with tempfile.TemporaryDirectory(prefix="zhitu-bench-") as tmp:
        work = Path(args.work or tmp)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # search indexes, for this process
        from zhitu.ingest.lexicon import load_lexicon

        if not args.no_small:
            small_rows.append(bench_small(work))
            _say(small_rows[-1])
        for n in sizes:
            folder = work / f"bank-{n}"
            paths = write_bank(load_lexicon(), n, folder)
            runs = [(e, None) for e in engines]
            if "jieba" in engines and n <= args.serial_up_to:
                runs.append(("jieba", "1"))
            for engine, workers in runs:
                row, graph = bench_ingest(n, folder, paths, work, engine, workers)
                _say(row)
                ingest_rows.append(row)
                if workers is None:
                    store_rows.append(bench_store(n, graph, engine))
                    _say(store_rows[-1])
                    if engine == engines[0]:
                        cold_rows.append(bench_cold(n, graph))
                        _say(cold_rows[-1])
            if neo4j:
                neo4j_rows.append(bench_neo4j(n, graph, folder))
                _say(neo4j_rows[-1])
        os.environ.clear()
        os.environ.update(environ)
    if not neo4j:
        _say("Neo4j: skipped (set NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD to measure it)")
    lines += [f"Load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}", ""]
    if small_rows:
        lines += ["### Small real-structured bank", "", SMALL_HEADER, *small_rows, ""]
    lines += ["### Ingest", "", INGEST_HEADER, *ingest_rows, "", "### Stores and queries", "",
              STORE_HEADER, *store_rows, "", "### Cold commands (fresh process, best of 3)", "",
              COLD_HEADER, *cold_rows, ""]
    if neo4j:
        lines += ["### Neo4j", "", NEO4J_HEADER, *neo4j_rows, ""]
    else:
        lines += ["Neo4j: not measured (NEO4J_URI not set)", ""]
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
