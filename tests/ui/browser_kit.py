"""Helpers for the real-browser tests: servers on free ports, Playwright waits, timings.

Servers run in their own process group and are stopped by group id when a test ends.
Timings are saved to artifacts/ui-timings.json and printed, never asserted.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from zhitu.graph.model import Concept, GraphData, Mention, Origin, Question, Relation, RelationType
from zhitu.ingest.lexicon import CATEGORIES
from zhitu.ui import chart

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run"]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 1000}
WAIT_MS = 30_000

needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is not installed (apt-get install -y chromium fonts-wqy-microhei)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server not healthy after {timeout}s: {log.read_text()[-2000:]}")


@contextmanager
def server(command: list[str], log: Path, port: int) -> Iterator[str]:
    """Run a server in its own process group; yield its URL once healthy; stop the group."""
    env = {**os.environ, "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def serve(graph: Path, log: Path, host: str = "localhost") -> Iterator[str]:
    """`zhitu --graph GRAPH serve` on a free port (see `server`)."""
    port = free_port()
    cmd = [sys.executable, "-m", "zhitu", "--graph", str(graph), "serve",
           "--host", host, "--port", str(port)]  # fmt: skip
    return server(cmd, log, port)


def idle(page) -> None:
    """Wait until the script run is over: no running indicator, no stale element left, no
    element still a grey placeholder while its code loads."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'[data-testid=stStatusWidgetRunningIcon], [data-stale=true], [data-testid=stSkeleton]')",
        timeout=WAIT_MS,
    )


def timed(
    timings: dict[str, float],
    page,
    name: str,
    action: Callable[[], object],
    ready: Callable[[], object],
) -> None:
    """Time `action` until `ready` holds and the script run is over."""
    start = time.perf_counter()
    action()
    ready()
    idle(page)
    timings[name] = round(time.perf_counter() - start, 3)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


CHART = "[data-testid=stEChartsChart]"  # st.echarts_chart's element; ECharts draws inside
_PAINTED = """() => {
  const c = document.querySelector('[data-testid=stEChartsChart] canvas');
  if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < d.length; i += 4 * 31) if (d[i]) return true;
  return false;
}"""


def painted(page) -> None:
    """Wait until ECharts has painted something on its canvas."""
    page.wait_for_function(_PAINTED, timeout=WAIT_MS)


def chart_box(page) -> dict[str, float]:
    """The chart's box once painted and settled (not part of any timing)."""
    painted(page)
    page.wait_for_timeout(1000)  # the update animation is 300 ms; labels settle after it
    return page.locator(CHART).first.bounding_box()


def synthetic_graph(n: int = 2000, seed: int = 3) -> GraphData:
    """n concepts over the 17 categories with prerequisite/is-a edges and Zipf-ish mentions."""
    rng = random.Random(seed)
    cats = list(CATEGORIES)
    data = GraphData()
    for i in range(n):
        data.concepts[f"c{i}"] = Concept(f"c{i}", f"概念{i}", f"概念{i}", [], cats[i % len(cats)])
    for i in range(1, n):
        for _ in range(rng.choice((1, 1, 2))):
            src = f"c{rng.randrange(i)}"
            kind = RelationType.PREREQUISITE_OF if rng.random() < 0.7 else RelationType.IS_A
            data.relations.append(Relation(kind, src, f"c{i}", rng.choice((1.0, 0.8, 0.6)),
                                           Origin.LEXICON))  # fmt: skip
    for j in range(3 * n):
        qid = f"q{j}"
        data.questions[qid] = Question(
            qid, f"合成题目{j}", "合成答案。", "", [f"synth.txt:{j + 1}"]
        )
        for cid in {f"c{min(int(rng.paretovariate(0.8)) - 1, n - 1)}" for _ in range(2)}:
            data.mentions.append(Mention(qid, cid, 1, True))
    return data


def pixel(
    options_: dict[str, object], cid: str, width: float, height: float
) -> tuple[float, float]:
    """Where a node is drawn in a chart of width×height before any zoom or pan.

    ECharts' view box: BOX inside the chart, shrunk to the nodes' aspect and centred.
    """
    nodes = options_["series"][0]["data"]  # type: ignore[index]
    xs, ys = [n["x"] for n in nodes], [n["y"] for n in nodes]
    span_x, span_y = (max(xs) - min(xs)) or 2.0, (max(ys) - min(ys)) or 2.0
    left, top = chart.BOX["left"], chart.BOX["top"]
    box_w, box_h = width - left - chart.BOX["right"], height - top - chart.BOX["bottom"]
    aspect = span_x / span_y
    if box_w / box_h > aspect:
        left, box_w = left + (box_w - box_h * aspect) / 2, box_h * aspect
    else:
        top, box_h = top + (box_h - box_w / aspect) / 2, box_w / aspect
    node = next(n for n in nodes if n["id"] == cid)
    x0 = min(xs) if max(xs) > min(xs) else min(xs) - 1
    y0 = min(ys) if max(ys) > min(ys) else min(ys) - 1
    return left + (node["x"] - x0) / span_x * box_w, top + (node["y"] - y0) / span_y * box_h
