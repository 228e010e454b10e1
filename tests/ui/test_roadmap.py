"""The roadmap of a study plan (ui/roadmap.py) and the learner's state colours (ui/marks.py), on
the bundled bank's LSTM and Transformer paths, without a browser."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.ui.conftest import MARKER
from zhitu.graph import placement
from zhitu.graph import progress as prog
from zhitu.graph.memory import MemoryStore
from zhitu.ui import marks, roadmap
from zhitu.ui.conceptmap import ConceptMap


@pytest.fixture(scope="module")
def store(bank_graph: Path) -> MemoryStore:
    return MemoryStore.open(bank_graph)


@pytest.fixture(scope="module")
def cmap(store: MemoryStore) -> ConceptMap:
    return ConceptMap.from_data(store.load())


def nodes(options: dict) -> dict[str, dict]:
    return {n["id"]: n for n in options["series"][0]["data"]}


@pytest.mark.parametrize("target", ["LSTM", "Transformer"])
def test_every_step_is_drawn_once_and_edges_point_to_later_layers(store, cmap, target) -> None:
    plan = store.path([target])
    ids = [s.concept.id for s in plan.steps]
    needs = marks.prerequisites(cmap.relations)
    options = roadmap.roadmap(plan, {}, needs)
    json.dumps(options)  # plain data for the component
    assert options["animationDuration"] == 0  # drawn whole on its first frame
    drawn = nodes(options)
    assert list(drawn) == ids
    links = options["series"][0]["links"]
    assert links  # the path has prerequisite edges to draw
    for link in links:
        assert drawn[link["source"]]["y"] < drawn[link["target"]]["y"]
        assert link["source"] in needs[link["target"]]
    # more than one layer, and no two steps on one spot
    assert len({n["y"] for n in drawn.values()}) > 2
    assert len({(n["x"], n["y"]) for n in drawn.values()}) == len(ids)
    assert max(n["x"] for n in drawn.values()) < roadmap.MARGIN + roadmap.PER_ROW * roadmap.COLUMN
    assert 160 <= roadmap.height(options) <= roadmap.MAX_HEIGHT


def test_a_transitive_closure_draws_the_same_edges(store, cmap) -> None:
    plan = store.path(["LSTM"])
    ids = [s.concept.id for s in plan.steps]
    direct = roadmap.edges(ids, marks.prerequisites(cmap.relations))
    assert roadmap.edges(ids, placement.closure(store, ["LSTM"])) == direct


def test_states_follow_the_learner(store, cmap) -> None:
    plan = store.path(["LSTM"])
    ids = [s.concept.id for s in plan.steps]
    needs = marks.prerequisites(cmap.relations)
    fresh = roadmap.states(ids, {}, needs)
    roots = [c for c in ids if not needs.get(c, set()) & set(ids)]
    assert {fresh[c] for c in roots} == {"next"} and fresh["lstm"] == "locked"
    first = ids[0]
    after = roadmap.states(ids, {first: "done", ids[1]: "known"}, needs)
    assert after[first] == "done" and after[ids[1]] == "known"
    for c in ids[2:]:
        open_ = {p for p in needs.get(c, set()) if p in ids} - {first, ids[1]}
        assert after[c] == ("locked" if open_ else "next"), c
    learner = prog.Progress("x", {c: "done" for c in ids[:-1]})
    drawn = nodes(roadmap.roadmap(plan, learner, needs))
    assert drawn["lstm"]["value"] == "下一步"  # the target itself is ready at the end
    assert drawn["lstm"]["itemStyle"]["color"] == marks.color("next")
    assert drawn[first]["itemStyle"]["color"] == marks.color("done")


def test_names_are_chart_text(store, cmap) -> None:
    plan = store.path(["LSTM"])
    step = plan.steps[0]
    hostile = replace(step.concept, name="{b|x}" + MARKER + "alert(1)" + MARKER)
    plan.steps[0] = replace(step, concept=hostile)
    text = json.dumps(roadmap.roadmap(plan, {}, {}), ensure_ascii=False)
    assert "{b|" not in text and MARKER in text  # no template braces; the rest as written


def test_concept_and_question_states(store, cmap) -> None:
    when = prog.now()
    needs = marks.prerequisites(cmap.relations)
    rnn_needs = needs["lstm"]
    assert "rnn" in rnn_needs
    progress = prog.Progress("x", {c: "known" for c in rnn_needs} | {"dropout": "done"})
    target = store.question("写出LSTM各个门和细胞状态的计算公式").id
    easy = next(q for q in cmap.by_question if q != target)
    prog.grade(progress, easy, "很熟", [], when)
    prog.grade(progress, target, "会", [], when - timedelta(days=60))  # due
    concepts = marks.concept_states(progress, when, cmap.by_question, needs)
    assert concepts["dropout"] == "done" and concepts["rnn"] == "known"
    assert concepts[cmap.by_question[target][0]] == "due"
    nexts = [c for c, s in concepts.items() if s == "next"]
    assert nexts and all(needs[c] <= set(progress.concepts) for c in nexts)
    assert marks.concept_states(None, when, cmap.by_question, needs) == {}
    questions = marks.question_states(progress, when)
    assert questions == {target: "due", easy: "known"}
    assert marks.colors(questions) == {target: "#E69F00", easy: "#009E73"}
    legend = marks.legend_html(["due", "next"])
    assert "待复习" in legend and "下一步" in legend
