"""Scale in a real browser: the map of a synthetic 2,000-concept graph, and ECharts drawing all
2,000 nodes at once on a bare page (the app never does; it measures the ceiling)."""

from __future__ import annotations

import json
import random
import sys

from tests.ui.browser_kit import (
    VIEWPORT,
    WAIT_MS,
    chart_box,
    free_port,
    needs_chromium,
    painted,
    serve,
    server,
    shot,
    synthetic_graph,
    timed,
)
from zhitu.graph.memory import MemoryStore
from zhitu.ui import chart
from zhitu.ui.conceptmap import ConceptMap

pytestmark = needs_chromium


def test_a_2000_concept_map(browser, timings, tmp_path) -> None:
    graph = tmp_path / "synthetic.json"
    MemoryStore.open(graph).replace(synthetic_graph())
    with serve(graph, tmp_path / "serve.log") as url:
        page = browser.new_page(viewport=VIEWPORT)
        timed(timings, page, "map_2000_concepts_overview", lambda: page.goto(f"{url}/map"),
               lambda: (page.get_by_text("这里画出被问得最多的").wait_for(timeout=WAIT_MS),
                        painted(page)))  # fmt: skip
        chart_box(page)
        shot(page, "09-map-2000-overview")
        timed(timings, page, "map_2000_concepts_focus", lambda: page.goto(f"{url}/map?c=c0"),
               lambda: (page.get_by_role("heading", name="概念0", exact=True)
                        .wait_for(timeout=WAIT_MS), painted(page)))  # fmt: skip
        chart_box(page)
        shot(page, "10-map-2000-focus")
        page.close()


BARE_PAGE = """
import json, sys
import streamlit as st
st.set_page_config(layout="wide")
options = json.loads(open(sys.argv[1], encoding="utf-8").read())
st.echarts_chart(options, height=900, key="big")
"""


def test_echarts_draws_2000_nodes(browser, timings, tmp_path) -> None:
    """All 2,000 nodes in one graph series (the app never does this; it measures the ceiling)."""
    cmap = ConceptMap.from_data(synthetic_graph())
    nodes = cmap.ranked()
    edges = [r for r in cmap.relations]
    rng = random.Random(1)
    positions = {c: (rng.uniform(-1, 1), rng.uniform(-1, 1)) for c in nodes}
    opts = chart.options(cmap, nodes, edges, positions)
    (tmp_path / "options.json").write_text(json.dumps(opts, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "bare.py").write_text(BARE_PAGE, encoding="utf-8")
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(tmp_path / "bare.py"),
           "--server.port", str(port), "--", str(tmp_path / "options.json")]  # fmt: skip
    with server(cmd, tmp_path / "bare.log", port) as url:
        page = browser.new_page(viewport=VIEWPORT)
        timed(
            timings,
            page,
            "echarts_2000_nodes_drawn",
            lambda: page.goto(url),
            lambda: painted(page),
        )
        shot(page, "11-echarts-2000-nodes")
        page.close()
    assert len(opts["series"][0]["data"]) == 2000
