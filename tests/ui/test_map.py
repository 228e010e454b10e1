"""The concept map page (issue 18, "a map that explains"), through AppTest and on the bundled bank:
never a hairball, every node labelled, labels apart, "显示更多", edges explained in plain words, a
route from one concept to another, the panel using the map's own threshold."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import charts, run
from tests.ui.test_chart import chart_event
from tests.ui.test_hostile import assert_inert
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import RelationType
from zhitu.ui import chart, conceptmap
from zhitu.ui.conceptmap import ConceptMap

DEEPEST = 3  # the depth slider's top


@pytest.fixture(scope="module")
def bank_map(bank_graph: Path) -> ConceptMap:
    return ConceptMap.from_data(MemoryStore.open(bank_graph).load())


def series(at: AppTest) -> dict:
    (options,) = charts(at)
    return options["series"][0]


def page_links(at: AppTest) -> list[tuple[str, str]]:
    """(label, query string) of every page link."""
    found = [e for e in at.main if type(e).__name__ == "PageLink"]
    return [(e.proto.label, e.proto.query_string) for e in found]


def words(at: AppTest) -> str:
    """Everything a learner reads on the page (Markdown, captions, HTML, labels)."""
    kinds = ("Markdown", "Caption", "Subheader", "Warning")
    out = [e.value for e in at.main if type(e).__name__ in kinds]
    out += [e.proto.body for e in at.main if type(e).__name__ == "Html"]
    return "\n".join(out + [label for label, _ in page_links(at)] + [e.label for e in at.expander])


def busiest(cmap: ConceptMap, n: int = 4) -> list[str]:
    """The concepts with the largest neighbourhoods at the deepest depth."""
    size = {
        c: conceptmap.uncapped(cmap, center=c, depth=DEEPEST, types=conceptmap.DEFAULT_TYPES,
                             min_confidence=0.0)
        for c in cmap.ranked()[:40]
    }  # fmt: skip
    return sorted(size, key=lambda c: -size[c])[:n]


def test_the_deepest_views_stay_small_labelled_and_apart(bank_map: ConceptMap) -> None:
    """README: the map never draws a hairball. At the deepest depth, grown to the most, with
    every edge type and no confidence floor, a view has at most MAX_NODES concepts, every one
    labelled, and no two node+label boxes overlap in the chart the layout is made for."""
    for center in busiest(bank_map):
        nodes, edges = conceptmap.select(
            bank_map, center=center, depth=DEEPEST, types=list(RelationType)[:6],
            limit=10**6, min_confidence=0.0,
        )  # fmt: skip
        total = conceptmap.uncapped(bank_map, center=center, depth=DEEPEST,
                                  types=list(RelationType)[:6], min_confidence=0.0)  # fmt: skip
        assert total > conceptmap.MAX_NODES  # the cap is what keeps it small
        assert len(nodes) == conceptmap.MAX_NODES and nodes[0] == center
        positions = conceptmap.layout_for(bank_map, nodes, center)
        opts = chart.options(bank_map, nodes, edges, positions, selected=center)
        data = opts["series"][0]["data"]
        assert all(n["label"]["show"] and n["name"].strip() for n in data)
        assert opts["series"][0]["labelLayout"] == {"hideOverlap": False}  # none hidden
        xy = np.array([positions[c] for c in nodes])
        sizes = [n["symbolSize"] for n in data]
        widths = [conceptmap.label_width(bank_map.concepts[c].name) for c in nodes]
        assert conceptmap.overlaps(conceptmap.boxes(xy, sizes, widths)) == []
        w, h = conceptmap.inner(conceptmap.CHART_SIZE)
        assert xy.min() >= 0 and xy[:, 0].max() <= w and xy[:, 1].max() <= h


def test_closest_then_strongest_come_first(bank_map: ConceptMap) -> None:
    nodes, edges = conceptmap.select(bank_map, center="lstm", depth=2, limit=60)
    reach = conceptmap._reach(["lstm"], edges, 2)
    hops = [reach[c][0] for c in nodes]
    assert hops == sorted(hops)  # nearest first
    ring = [reach[c][1] for c in nodes if reach[c][0] == 2]
    assert ring == sorted(ring, reverse=True)  # then the strongest way there


def test_the_page_at_the_deepest_depth_grows_to_the_cap(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm")
    at.slider(key="map_depth").set_value(DEEPEST).run()
    shown = [len(series(at)["data"])]
    while any(b.label == "显示更多" for b in at.button):
        next(b for b in at.button if b.label == "显示更多").click().run()
        shown.append(len(series(at)["data"]))
    assert shown[0] == conceptmap.OVERVIEW_NODES and shown[-1] == conceptmap.MAX_NODES
    assert shown == sorted(shown)
    assert all(n["label"]["show"] for n in series(at)["data"])
    assert "最多画 60 个概念" in words(at)


def test_overview_draws_the_most_asked_and_grows(bank_graph, monkeypatch, bank_map) -> None:
    at = run(bank_graph, monkeypatch)
    data = series(at)["data"]
    assert [n["id"] for n in data] == bank_map.ranked()[: conceptmap.OVERVIEW_NODES]
    shown = {n["id"] for n in data}
    links = series(at)["links"]
    assert links and all(e["source"] in shown and e["target"] in shown for e in links)
    next(b for b in at.button if b.label == "显示更多").click().run()
    assert len(series(at)["data"]) == conceptmap.OVERVIEW_NODES + conceptmap.MORE_NODES


def test_one_legend_with_every_shown_type_in_chinese(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm")
    legends = [e.proto.body for e in at.main if type(e).__name__ == "Html" and "zt-legend" in
               e.proto.body]  # fmt: skip
    assert len(legends) == 1
    for t in conceptmap.DEFAULT_TYPES:
        assert chart.RELATION_LABELS[t] in legends[0]
    assert "循环神经网络" in legends[0]  # node colours
    dashed = any(e["lineStyle"]["type"] != "solid" for e in series(at)["links"])
    assert ("虚线" in legends[0]) == dashed  # what dashes mean, when some edge is dashed
    at.button_group(key="map_types").set_value(list(RelationType)[:6]).run()  # 相关: guesses
    assert "虚线＝从题库推测" in "".join(e.proto.body for e in at.get("html"))
    colours = [chart.EDGE_STYLE[t][0] for t in RelationType if t in chart.EDGE_STYLE]
    assert len(set(colours)) == len(colours)  # one colour per relation type


def test_edge_types_and_confidence_filter_the_edges(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm")
    at.button_group(key="map_types").set_value(["IS_A"]).run()
    kinds = {e["value"].split(" · ")[0] for e in series(at)["links"]}
    assert kinds == {chart.RELATION_LABELS[RelationType.IS_A]}
    at.button_group(key="map_types").set_value(list(conceptmap.DEFAULT_TYPES)).run()
    at.slider(key="map_conf").set_value(1.0).run()
    links = series(at)["links"]
    assert links and all(e["lineStyle"]["type"] == "solid" for e in links)  # no guesses left


def test_a_clicked_edge_is_explained_in_plain_words(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm", e="PREREQUISITE_OF rnn lstm")
    text = words(at)
    assert "为什么相连：先学「RNN」，再学「LSTM」" in text
    assert "人工整理" in text and "很可靠" in text
    at.button(key="close-edge").click().run()
    assert "e" not in at.query_params and "为什么相连：" not in words(at)


def test_co_occurrence_is_counted_questions_never_npmi(bank_graph, monkeypatch, bank_map):
    related = max(
        (r for r in bank_map.relations if r.type is RelationType.RELATED_TO),
        key=lambda r: bank_map.together(r.src, r.dst),
    )
    at = run(bank_graph, monkeypatch, c=related.src, e=conceptmap.edge_key(related))
    at.button_group(key="map_types").set_value(list(RelationType)[:6]).run()
    at.slider(key="map_conf").set_value(0.0).run()
    text = words(at)
    count = bank_map.together(related.src, related.dst)
    assert count >= 2 and f"常一起出现（{count} 道题同时提到）" in text
    assert "NPMI" not in text and not re.search(r"置信度 \d\.\d\d", text)


def test_a_route_from_one_concept_to_another(bank_graph, monkeypatch, bank_map) -> None:
    steps = conceptmap.route(bank_map, "lstm", "cnn", conceptmap.DEFAULT_TYPES, 0.5)
    assert steps and len(steps) >= 2
    walk = conceptmap.route_nodes("lstm", steps)
    assert walk[0] == "lstm" and walk[-1] == "cnn"
    assert all({r.src, r.dst} == {a, b} for r, a, b in zip(steps, walk, walk[1:], strict=False))
    at = run(bank_graph, monkeypatch, c="lstm", to="cnn")
    assert at.selectbox(key="map_to").value == "cnn"
    text = words(at)
    assert f"从「LSTM」到「卷积神经网络」：{len(steps)} 步" in text
    for r in steps:
        assert conceptmap.explain(bank_map, r).says in text
    drawn = series(at)
    assert {n["id"] for n in drawn["data"]} >= set(walk)
    bold = [e for e in drawn["links"] if e["lineStyle"]["width"] == 5.0]
    assert len(bold) == len(steps)


def test_no_route_says_what_to_try(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm", to="cnn")
    at.button_group(key="map_types").set_value(["CONTRASTS_WITH"]).run()
    assert at.warning and "走不到" in at.warning[0].value


def test_the_panel_uses_the_maps_threshold(toy_file, monkeypatch) -> None:
    """GRU -> Batch Normalization is a 0.2 guess: hidden on the map at 0.5, so not in 学完可以学."""
    at = run(toy_file, monkeypatch, c="gru")
    chips = lambda: [label for label, q in page_links(at) if q == "c=batch-norm"]  # noqa: E731
    assert "batch-norm" not in {n["id"] for n in series(at)["data"]}
    assert not chips()
    at.slider(key="map_conf").set_value(0.1).run()
    assert "batch-norm" in {n["id"] for n in series(at)["data"]}
    assert chips()  # now on the map, in 学完可以学 and in 全部关系
    assert "仅供参考" in words(at)


def test_a_stale_or_crafted_edge_link_is_ignored(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm", e="IS_A <img src=x> lstm")
    assert not at.error and "为什么相连：" not in words(at)


def test_hostile_names_stay_text_in_edges_and_routes(hostile_graph, monkeypatch) -> None:
    at = run(hostile_graph, monkeypatch, c="rnn", to="lstm", e="PREREQUISITE_OF rnn lstm")
    assert "为什么相连：" in words(at) and "步" in words(at)
    assert_inert(at)


def test_phones_get_a_list_instead_of_the_chart(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm")
    css = "\n".join(e.proto.body for e in at.get("html"))  # style-only html is not in main
    assert "@media (max-width: 640px)" in css and ".st-key-zt-map-chart { display: none; }" in css
    listed = [q for _, q in page_links(at)]
    assert all(f"c={n['id']}" in listed for n in series(at)["data"] if n["id"] != "lstm")



def test_a_question_page_draws_the_small_map_of_its_concepts(bank_graph, monkeypatch) -> None:
    store = MemoryStore.open(bank_graph)
    q = store.question("LSTM和GRU的区别")
    at = run(bank_graph, monkeypatch, "views/questions.py", q=q.id)
    tags = [c.id for c in store.question_concepts(q.id)]
    drawn = [n["id"] for n in series(at)["data"]]
    assert drawn == tags[: len(drawn)] and {"lstm", "gru"} <= set(drawn) and len(drawn) <= 8
    assert any(e.label == "这道题的概念关系图" for e in at.expander)


def test_a_server_prepares_the_map_before_any_visit(bank_graph, monkeypatch, bank_map) -> None:
    """ui/launch.py: state.prewarm() outside any session fills the caches the pages read, so a
    fresh server's first visitor does not build the concept map again."""
    from zhitu.ui import state

    monkeypatch.setenv("ZHITU_GRAPH", str(bank_graph))
    built: list[int] = []
    real = ConceptMap.from_data
    monkeypatch.setattr(ConceptMap, "from_data",
                        classmethod(lambda cls, data: built.append(1) or real(data)))
    state._concept_map.clear()
    state.prewarm()
    assert built == [1]
    at = run(bank_graph, monkeypatch)
    assert [n["id"] for n in series(at)["data"]] == bank_map.ranked()[: conceptmap.OVERVIEW_NODES]
    assert built == [1]


@pytest.mark.parametrize(
    "kind, index, expected",
    [("node", 1, {"c": "rnn"}), ("edge", 0, {"c": "lstm", "e": "PREREQUISITE_OF rnn lstm"}),
     ("node", 9, {"c": "lstm", "e": "old"})],  # an index the chart did not draw: nothing
)  # fmt: skip
def test_a_click_focuses_or_explains_and_gets_a_fresh_chart(monkeypatch, toy, kind, index,
                                                             expected) -> None:  # fmt: skip
    """What st.echarts_chart reports (the index of the one node or edge selected) becomes the
    link; the next chart has a new key, so no selection lingers by index on other nodes."""
    from types import SimpleNamespace

    from zhitu.ui.views import map as map_page

    cmap = ConceptMap.from_data(toy)
    edge = cmap.find("PREREQUISITE_OF rnn lstm")
    event = chart_event((kind, [index]))
    fake = SimpleNamespace(session_state={f"{map_page.CHART_KEY}-0": event,
                                          map_page._SHOWN_KEY: (["lstm", "rnn"], [edge])},
                           query_params={"c": "lstm", "e": "old"})  # fmt: skip
    monkeypatch.setattr(map_page, "st", fake)
    map_page._on_click()
    assert fake.query_params == expected
    assert map_page._chart_key() == f"{map_page.CHART_KEY}-1"
