"""The concept map's data and ECharts options, without Streamlit."""

from __future__ import annotations

import json

import pytest

from tests.ui import browser_kit
from tests.ui.conftest import MARKER, hostile_data, strings
from zhitu.graph.model import GraphData, RelationType
from zhitu.ui import chart, conceptmap
from zhitu.ui.conceptmap import ConceptMap


@pytest.fixture
def cmap(toy: GraphData) -> ConceptMap:
    return ConceptMap.from_data(toy)


def test_concepts_without_questions_or_relations_are_left_out(cmap: ConceptMap) -> None:
    assert "dropout" not in cmap.concepts and "lstm" in cmap.concepts


def test_ranked_puts_the_most_asked_first(cmap: ConceptMap) -> None:
    ranked = cmap.ranked()
    assert ranked[0] == "rnn"  # four questions mention it
    counts = [cmap.counts.get(c, 0) for c in ranked]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize(
    "incoming, expected",
    [(True, ["rnn", "vanishing-gradient"]), (False, [])],  # LSTM unlocks nothing in the toy
)
def test_linked_prerequisites(cmap: ConceptMap, incoming: bool, expected: list[str]) -> None:
    found = cmap.linked("lstm", RelationType.PREREQUISITE_OF, incoming=incoming)
    assert sorted(c.id for c in found) == expected


def test_overview_is_capped_and_edges_stay_inside(cmap: ConceptMap) -> None:
    nodes, edges = conceptmap.select(cmap, limit=3)
    assert nodes == cmap.ranked()[:3]
    assert all(r.src in nodes and r.dst in nodes for r in edges)


@pytest.mark.parametrize(
    "depth, floor, expected",
    [
        (1, 0.0, {"lstm", "rnn", "gru", "vanishing-gradient"}),
        (2, 0.0, {"lstm", "rnn", "gru", "vanishing-gradient", "nn", "batch-norm"}),
        (1, 0.9, {"lstm", "rnn", "gru"}),  # the 0.8 inferred edge to 梯度消失 is hidden
    ],
)
def test_neighbourhood_by_depth_and_confidence(cmap, depth, floor, expected) -> None:
    nodes, edges = conceptmap.select(cmap, center="lstm", depth=depth, min_confidence=floor)
    assert set(nodes) == expected and nodes[0] == "lstm"
    assert all(r.confidence >= floor for r in edges)


def test_edge_types_filter_the_neighbourhood(cmap: ConceptMap) -> None:
    nodes, edges = conceptmap.select(cmap, center="lstm", types=[RelationType.CONTRASTS_WITH])
    assert set(nodes) == {"lstm", "gru"} and {r.type for r in edges} == {
        RelationType.CONTRASTS_WITH
    }


def test_layout_is_deterministic_and_fits_the_chart(cmap: ConceptMap) -> None:
    nodes, _ = conceptmap.select(cmap, center="lstm", depth=2)
    conceptmap.layout.cache_clear()
    first = conceptmap.layout_for(cmap, nodes, "lstm")
    conceptmap.layout.cache_clear()
    assert conceptmap.layout_for(cmap, nodes, "lstm") == first and set(first) == set(nodes)
    w, h = conceptmap.inner(conceptmap.CHART_SIZE)
    assert all(0 <= x <= w and 0 <= y <= h for x, y in first.values())


def test_a_route_is_laid_out_left_to_right(cmap: ConceptMap) -> None:
    steps = conceptmap.route(cmap, "nn", "gru")
    walk = conceptmap.route_nodes("nn", steps)
    assert walk == ["nn", "rnn", "gru"]
    nodes, _ = conceptmap.select(cmap, route=walk)
    xy = conceptmap.layout_for(cmap, nodes, "nn", walk)
    assert xy["nn"][0] < xy["rnn"][0] < xy["gru"][0]


def test_options_draw_every_node_and_edge(cmap: ConceptMap) -> None:
    nodes, edges = conceptmap.select(cmap, center="lstm")
    opts = chart.options(cmap, nodes, edges, conceptmap.layout_for(cmap, nodes, "lstm"), "lstm")
    series = opts["series"][0]
    assert [n["id"] for n in series["data"]] == nodes
    assert len(series["links"]) == len(edges)
    lstm = series["data"][0]
    assert lstm["label"]["fontWeight"] == "bold" and lstm["itemStyle"]["borderWidth"] == 3
    assert opts["tooltip"]["renderMode"] == "richText"  # tooltips are canvas text, never HTML
    assert series["selectedMode"] == "single"  # a click comes back as one node or edge
    assert opts["animationDuration"] == 0  # the whole map on its first frame, not grown from a dot


def test_options_are_plain_json_that_streamlits_chart_accepts() -> None:
    """st.echarts_chart takes JSON only (no JavaScript); bank text in it is text, kept as
    written (the old component's JS marker too), with no template braces ECharts would expand."""
    from streamlit.elements.echarts_chart import _normalize_spec, _serialize_option

    data = hostile_data()
    cmap = ConceptMap.from_data(data)
    nodes, edges = conceptmap.select(cmap)
    opts = chart.options(cmap, nodes, edges, conceptmap.layout_for(cmap, nodes, None))
    normalized, datasets = _normalize_spec(opts)
    assert json.loads(_serialize_option(normalized)) == opts and not datasets
    names = [n["name"] for n in opts["series"][0]["data"]]
    assert any(MARKER in name for name in names)  # shown as written, inert
    assert {s for s in strings(opts) if "{" in s or "}" in s} == {"{c}"}  # our own edge label only


def chart_event(*groups: tuple[str, list[int]], series: int = 0) -> dict:
    """st.echarts_chart's event state with these (data_type, data_indices) groups."""
    return {"selection": {"selected": [
        {"series_index": series, "series_id": None, "series_name": "概念", "data_type": kind,
         "data_indices": indices} for kind, indices in groups], "areas": []}}  # fmt: skip


@pytest.mark.parametrize(
    "event, expected",
    [
        (chart_event(("node", [1])), "vanishing-gradient"),
        (chart_event(("main", [2])), "lstm"),  # a node without ECharts' data type
        (chart_event(("edge", [1])), None),  # an edge is never taken for a node
        (chart_event(("node", [99])), None),  # an index the chart did not draw
        (chart_event(("node", [0, 1])), None),  # not one click
        (chart_event(("node", [1]), series=1), None),
        (chart_event(), None),  # a double click clears the selection
        ({"selection": {"selected": "x"}}, None),
        (None, None),
    ],
)
def test_clicked_maps_a_node_click_to_its_concept(event, expected) -> None:
    nodes = ["rnn", "vanishing-gradient", "lstm"]
    assert chart.clicked(event, nodes) == expected


def test_pixel_places_nodes_inside_the_drawing_box(cmap: ConceptMap) -> None:
    nodes, edges = conceptmap.select(cmap)
    opts = chart.options(cmap, nodes, edges, conceptmap.layout_for(cmap, nodes, None))
    box = chart.BOX
    for cid in nodes:
        x, y = browser_kit.pixel(opts, cid, 800, 640)
        assert box["left"] - 1e-6 <= x <= 800 - box["right"] + 1e-6
        assert box["top"] - 1e-6 <= y <= 640 - box["bottom"] + 1e-6


@pytest.mark.parametrize("index, expected", [(0, 0), (1, 1), (9, None)])
def test_clicked_edge_maps_an_edge_click_to_its_relation(cmap, index, expected) -> None:
    nodes, edges = conceptmap.select(cmap, center="lstm")
    event = chart_event(("edge", [index]))
    found = chart.clicked_edge(event, edges[:2])
    assert found is (None if expected is None else edges[expected])
    assert chart.clicked(event, nodes) is None  # never taken for a node
    assert chart.clicked_edge(chart_event(("node", [0])), edges) is None


def test_weak_edges_are_dashed_and_say_so(cmap: ConceptMap) -> None:
    nodes, edges = conceptmap.select(cmap, center="gru", depth=1)
    opts = chart.options(cmap, nodes, edges, conceptmap.layout_for(cmap, nodes, "gru"), "gru")
    for r, link in zip(edges, opts["series"][0]["links"], strict=True):
        assert (link["lineStyle"]["type"] == chart.DASH) == conceptmap.weak(r)
        assert link["value"].endswith("推测") == conceptmap.weak(r)


@pytest.mark.parametrize(
    "key, source",
    [
        ("PREREQUISITE_OF rnn lstm", "人工整理"),
        ("PREREQUISITE_OF gru batch-norm", "从题库中的句子识别"),
        ("PREREQUISITE_OF vanishing-gradient lstm", "从题库推断"),
    ],
)
def test_explain_says_where_a_relation_comes_from(cmap, key, source) -> None:
    why = conceptmap.explain(cmap, cmap.find(key))
    assert why.source.startswith(source)
    assert why.says.startswith("先学「")


def test_legend_names_every_shown_type() -> None:
    html = chart.legend_html([RelationType.PREREQUISITE_OF, RelationType.IS_A])
    assert "先修" in html and "属于" in html and "对比" not in html


def test_a_questions_small_map_holds_its_concepts_and_their_typed_links(cmap) -> None:
    opts = chart.local_options(cmap, ["lstm", "rnn", "vanishing-gradient", "lstm"])
    data, links = opts["series"][0]["data"], opts["series"][0]["links"]
    assert [n["id"] for n in data] == ["lstm", "rnn", "vanishing-gradient"]
    assert links and all(n["label"]["show"] for n in data)
    assert "相关" not in {link["value"] for link in links}
    assert chart.local_options(cmap, ["attention", "batch-norm"]) is None  # nothing links them
