"""The concept map in a real browser (one `zhitu serve`, Debian's chromium): an edge click shows
why two concepts are linked, a route is drawn, a phone gets the list instead of the chart, and a
question page draws the small map of its concepts, whose nodes open the map. Screenshots at
1440×900 and 390×844 go to artifacts/ (git-ignored)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui import browser_kit
from tests.ui.browser_kit import (
    WAIT_MS,
    chart_box,
    idle,
    needs_chromium,
    painted,
    serve,
    shot,
    timed,
)
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import Relation
from zhitu.ui import chart, conceptmap
from zhitu.ui.conceptmap import ConceptMap

pytestmark = [needs_chromium, pytest.mark.slow]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
CURVENESS = 0.08  # chart._link's


@pytest.fixture(scope="module")
def site(bank_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(bank_graph, tmp_path_factory.mktemp("map") / "serve.log") as url:
        yield url


def _lstm_view(graph: Path) -> tuple[dict, list[Relation], ConceptMap]:
    """What /map?c=lstm draws by default (the page's functions and defaults)."""
    cmap = ConceptMap.from_data(MemoryStore.open(graph).load())
    nodes, edges = conceptmap.select(cmap, center="lstm", min_confidence=0.5,
                                     limit=conceptmap.OVERVIEW_NODES)  # fmt: skip
    positions = conceptmap.layout_for(cmap, nodes, "lstm")
    return chart.options(cmap, nodes, edges, positions, selected="lstm"), edges, cmap


def _edge_point(opts: dict, r: Relation, box: dict) -> tuple[float, float]:
    """The middle of an edge's curve on the page (ECharts: control point off the chord by
    curveness x its length, to the left of source -> target)."""
    (x1, y1), (x2, y2) = (browser_kit.pixel(opts, c, box["width"], box["height"])
                          for c in (r.src, r.dst))  # fmt: skip
    mx = (x1 + x2) / 2 - (y1 - y2) * CURVENESS / 2
    my = (y1 + y2) / 2 - (x2 - x1) * CURVENESS / 2
    return box["x"] + mx, box["y"] + my


def _clear_edge(opts: dict, edges: list[Relation], box: dict) -> Relation:
    """The edge whose middle is farthest from every node (so the click hits only the edge)."""
    nodes = [n["id"] for n in opts["series"][0]["data"]]
    at = {c: browser_kit.pixel(opts, c, box["width"], box["height"]) for c in nodes}

    def room(r: Relation) -> float:
        x, y = _edge_point(opts, r, {**box, "x": 0, "y": 0})
        return min(math.dist((x, y), p) for p in at.values())

    return max(edges, key=room)


def test_an_edge_click_explains_the_link(browser, site, bank_graph, timings) -> None:
    page = browser.new_page(viewport=DESKTOP)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    timed(timings, page, "map_focus_first_paint", lambda: page.goto(f"{site}/map?c=lstm"),
          lambda: (page.get_by_role("heading", name="LSTM", exact=True).wait_for(timeout=WAIT_MS),
                   painted(page)))  # fmt: skip
    box = chart_box(page)
    shot(page, "map-lstm-1440")
    page.mouse.move(box["x"] + 20, box["y"] + 20)  # no English hover toolbar over the legend
    assert not page.locator("[data-testid=stElementToolbar]:visible").count()
    opts, edges, cmap = _lstm_view(bank_graph)
    r = _clear_edge(opts, edges, box)
    says = conceptmap.explain(cmap, r).says
    middle = _edge_point(opts, r, box)
    timed(timings, page, "map_edge_click_to_reason", lambda: page.mouse.click(*middle),
          lambda: page.get_by_text(f"为什么相连：{says}").wait_for(timeout=WAIT_MS))  # fmt: skip
    assert "e=" in page.url and "c=lstm" in page.url
    assert page.get_by_text(conceptmap.explain(cmap, r).source, exact=False).first.is_visible()
    shot(page, "map-edge-1440")
    page.get_by_role("button", name="关闭").click()  # closed, the same edge can be clicked again
    page.get_by_text(f"为什么相连：{says}").wait_for(state="detached", timeout=WAIT_MS)
    box = chart_box(page)
    page.mouse.click(*_edge_point(opts, r, box))
    page.get_by_text(f"为什么相连：{says}").wait_for(timeout=WAIT_MS)

    page.goto(f"{site}/map?c=lstm&to=cnn")
    page.get_by_text("从「LSTM」到「卷积神经网络」", exact=False).wait_for(timeout=WAIT_MS)
    painted(page)
    chart_box(page)
    shot(page, "map-route-1440")
    page.close()
    assert not errors, errors


def test_a_phone_gets_a_list_and_a_question_its_small_map(browser, site, bank_graph) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{site}/map?c=lstm")
    page.get_by_role("heading", name="LSTM", exact=True).wait_for(timeout=WAIT_MS)
    idle(page)
    # no blob in a wide canvas (Streamlit may add the page's style a moment after the elements)
    page.locator(".st-key-zt-map-chart").wait_for(state="hidden", timeout=WAIT_MS)
    listed = page.locator(".st-key-zt-map-phone a[href*='c=rnn']:visible")
    listed.first.wait_for(timeout=WAIT_MS)  # the list instead
    shot(page, "map-lstm-390")
    page.close()

    store = MemoryStore.open(bank_graph)
    question = next(q for q in store.questions() if len(store.question_concepts(q.id)) >= 4)
    for viewport, name in ((PHONE, "390"), (DESKTOP, "1440")):
        page = browser.new_page(viewport=viewport)
        page.goto(f"{site}/questions?q={question.id}")
        page.get_by_text("这道题的概念关系图").wait_for(timeout=WAIT_MS)
        box = chart_box(page)
        assert box["width"] <= viewport["width"]  # fits the screen
        page.get_by_text("这道题的概念关系图").scroll_into_view_if_needed()
        shot(page, f"question-map-{name}")
        if viewport is DESKTOP:  # a node of the small map opens that concept on the map
            cmap = ConceptMap.from_data(store.load())
            opts = chart.local_options(cmap, [c.id for c in store.question_concepts(question.id)])
            first = opts["series"][0]["data"][0]["id"]
            x, y = browser_kit.pixel(opts, first, box["width"], box["height"])
            page.mouse.click(box["x"] + x, box["y"] + y)
            page.wait_for_url(f"**/map?c={first}", timeout=WAIT_MS)
            name_ = cmap.concepts[first].name
            page.get_by_role("heading", name=name_, exact=True).wait_for(timeout=WAIT_MS)
        page.close()


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_chart_is_at_least_as_wide_as_its_layout(browser, site, width) -> None:
    """ECharts fits the layout to the chart's width but keeps the font: a chart narrower than
    the layout's CHART_SIZE would push labels into each other (740 px laid out, 460 drawn)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{site}/map?c=lstm")
    box = chart_box(page)
    assert box["width"] >= conceptmap.CHART_SIZE[0] - 10, (width, box)
    page.close()
