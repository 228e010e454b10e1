"""Study algorithms on the hand-made graph: exact chains, related lists and study plans."""

from __future__ import annotations

import networkx as nx
import pytest

from zhitu.graph import study
from zhitu.graph.model import GraphData, Origin, Relation, RelationType


@pytest.fixture
def g(toy: GraphData) -> nx.MultiDiGraph:
    return study.build_graph(toy)



def test_chain_full_is_the_closure_fundamentals_first(g: nx.MultiDiGraph) -> None:
    steps = study.chain(g, "q-lstm-f", full=True)
    assert [s.question.id for s in steps] == ["q-nn", "q-rnn", "q-vg", "q-rnn-why", "q-lstm"]
    # the hand-made edges record no reason: one is said from the focus concepts
    assert [s.via for s in steps] == ["先弄懂神经网络，才能理解 RNN", "先弄懂 RNN 的基础",
                                      "先弄懂 RNN，才能理解 LSTM", "先弄懂 RNN，才能理解 LSTM",
                                      "先弄懂 LSTM 的基础"]


def test_chain_walks_a_short_distance_unless_full(g: nx.MultiDiGraph) -> None:
    # q-lstm is one edge before the formula, q-vg and q-rnn-why two, q-rnn three
    near = {1: ["q-lstm"], 2: ["q-vg", "q-rnn-why", "q-lstm"]}
    assert [s.question.id for s in study.chain(g, "q-lstm-f")] == near[study.CHAIN_DEPTH]


def test_chain_keeps_at_most_max_chain_steps(toy: GraphData) -> None:
    from zhitu.graph.model import Mention, Question

    for i in range(study.MAX_CHAIN + 5):  # many questions right before the LSTM formula
        qid = f"q-extra-{i:02d}"
        toy.questions[qid] = Question(qid, f"LSTM补充题{i:02d}", "")
        toy.mentions.append(Mention(qid, "lstm", 1, True))
        toy.relations.append(Relation(RelationType.PREREQUISITE_OF, qid, "q-lstm-f", 1,
                                      Origin.INFERRED))
    g = study.build_graph(toy)
    assert len(study.chain(g, "q-lstm-f")) == study.MAX_CHAIN
    assert len(study.chain(g, "q-lstm-f", full=True)) == study.MAX_CHAIN + 5 + 5


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("q-nn", []),  # the most fundamental question has no chain
        ("q-gru", ["q-nn", "q-rnn"]),
        ("q-bn", ["q-nn", "q-rnn", "q-vg"]),
    ],
)
def test_chain_excludes_itself(g: nx.MultiDiGraph, question: str, expected: list[str]) -> None:
    assert [s.question.id for s in study.chain(g, question, full=True)] == expected


def test_chain_survives_a_question_cycle(toy: GraphData) -> None:
    # the pipeline promises an acyclic question graph; a hand-edited file may not keep it
    toy.relations.append(Relation(RelationType.PREREQUISITE_OF, "q-lstm", "q-rnn", 1, Origin.USER))
    ids = [s.question.id for s in study.chain(study.build_graph(toy), "q-lstm-f", full=True)]
    assert sorted(ids) == sorted(["q-nn", "q-rnn", "q-vg", "q-rnn-why", "q-lstm"])
    assert ids[0] == "q-nn"


def test_related_reads_the_stored_lists(toy: GraphData) -> None:
    from zhitu.graph.model import Evidence

    rel = RelationType.RELATED_TO
    toy.relations += [
        Relation(rel, "q-lstm-f", "q-lstm", 0.9, Origin.INFERRED,
                 [Evidence("q-lstm", "都在讲 LSTM")], weight=0.9),
        Relation(rel, "q-lstm-f", "q-gru", 0.5, Origin.INFERRED,
                 [Evidence("q-gru", "LSTM 和 GRU 常被拿来比较")], weight=0.5),
        Relation(rel, "q-lstm-f", "q-rnn", 0.5, Origin.INFERRED, [Evidence("q-rnn", "都提到门")],
                 weight=0.5),
        Relation(rel, "q-gru", "q-lstm-f", 0.7, Origin.INFERRED, [Evidence("q-lstm-f", "x")]),
    ]
    g = study.build_graph(toy)
    found = study.related(g, "q-lstm-f", top=10)
    # best first; equal scores by title (什么是RNN < 画GRU结构图)
    assert [(r.question.id, r.score, r.shared) for r in found] == [
        ("q-lstm", 0.9, ["都在讲 LSTM"]),
        ("q-rnn", 0.5, ["都提到门"]),
        ("q-gru", 0.5, ["LSTM 和 GRU 常被拿来比较"]),
    ]
    assert len(study.related(g, "q-lstm-f", top=2)) == 2
    assert study.related(g, "q-lstm-f", top=0) == []
    assert study.related(g, "q-nn") == []  # nothing stored: nothing made up at query time


def test_path_steps_say_whether_a_question_asks_them(g: nx.MultiDiGraph) -> None:
    steps = {s.concept.id: s for s in study.path(g, ["transformer"]).steps}
    assert steps["attention"].has_questions and not steps["transformer"].has_questions


def test_path_is_the_prerequisite_closure_in_order(g: nx.MultiDiGraph) -> None:
    plan = study.path(g, ["lstm"])
    assert [s.concept.id for s in plan.steps] == ["nn", "rnn", "vanishing-gradient", "lstm"]
    assert [c.id for c in plan.next] == ["nn"]
    assert plan.cycles == []
    assert plan.total_minutes == 70  # rnn 30 + lstm 40; the others have no estimate
    lstm = plan.steps[-1]
    assert [q.id for q in lstm.questions] == ["q-lstm", "q-lstm-f"]  # ordered by level


def test_path_steps_list_only_questions_about_the_concept(g: nx.MultiDiGraph) -> None:
    steps = {s.concept.id: s for s in study.path(g, ["transformer"]).steps}
    assert [q.id for q in steps["attention"].questions] == ["q-att"]
    # q-att's answer mentions Transformer in passing: it does not teach it
    assert steps["transformer"].questions == []


def test_path_omits_known_concepts_and_their_prerequisites(g: nx.MultiDiGraph) -> None:
    plan = study.path(g, ["lstm"], known=["rnn"])
    assert [s.concept.id for s in plan.steps] == ["vanishing-gradient", "lstm"]
    assert [c.id for c in plan.next] == ["vanishing-gradient"]
    assert plan.total_minutes == 40


def test_path_to_known_target_is_empty(g: nx.MultiDiGraph) -> None:
    plan = study.path(g, ["rnn"], known=["lstm", "rnn"])
    assert plan.steps == [] and plan.next == [] and plan.total_minutes is None


def test_path_ignores_prerequisites_below_the_floor(g: nx.MultiDiGraph) -> None:
    plan = study.path(g, ["batch-norm"])
    assert [s.concept.id for s in plan.steps] == ["batch-norm"]  # gru -> batch-norm is 0.2


def test_path_condenses_and_reports_cycles(g: nx.MultiDiGraph) -> None:
    plan = study.path(g, ["transformer"])
    assert [s.concept.id for s in plan.steps] == ["nn", "attention", "transformer"]
    assert plan.cycles == [["attention", "transformer"]]
    assert [c.id for c in plan.next] == ["nn"]
    plan = study.path(g, ["transformer"], known=["nn"])
    assert [c.id for c in plan.next] == ["attention", "transformer"]  # the loop is ready as a whole


def test_neighborhood_depth_and_types(g: nx.MultiDiGraph) -> None:
    one = study.neighborhood(g, "lstm", depth=1)
    assert [c.id for c in one.concepts] == ["lstm", "gru", "rnn", "vanishing-gradient"]
    assert {r.type for r in one.relations} == {
        RelationType.PREREQUISITE_OF,
        RelationType.IS_A,
        RelationType.CONTRASTS_WITH,
    }
    contrasts = study.neighborhood(g, "lstm", depth=3, types=[RelationType.CONTRASTS_WITH])
    assert [c.id for c in contrasts.concepts] == ["lstm", "gru"]
    assert study.neighborhood(g, "lstm", depth=0).concepts[0].id == "lstm"
    two = study.neighborhood(g, "lstm", depth=2)
    assert {"nn", "batch-norm"} <= {c.id for c in two.concepts}


def test_topic_concepts_fall_back_to_heaviest_mentions(toy: GraphData) -> None:
    for m in toy.mentions:
        if m.question_id == "q-lstm":
            m.in_title, m.weight = False, 2.0 if m.concept_id == "lstm" else 0.5
    assert study.topic_concepts(study.build_graph(toy), "q-lstm") == ["lstm"]


def test_chain_via_comes_from_the_edge_evidence(toy: GraphData) -> None:
    from zhitu.graph.model import Evidence

    edge = next(r for r in toy.relations if (r.src, r.dst) == ("q-lstm", "q-lstm-f"))
    edge.evidence = [Evidence("q-lstm-f", "LSTM → LSTM公式")]  # what ingest records
    assert study.chain(study.build_graph(toy), "q-lstm-f")[-1].via == "LSTM → LSTM公式"


def test_chain_puts_more_fundamental_topics_first(toy: GraphData) -> None:
    from zhitu.graph.model import Level, Mention, Question

    # a comparison on 神经网络 (depth 0) comes before 什么是RNN (depth 1) despite its level
    toy.questions["q-nn-cmp"] = Question(
        "q-nn-cmp", "神经网络和感知机的区别", "", level=Level.COMPARISON
    )
    toy.mentions.append(Mention("q-nn-cmp", "nn", 1, True))
    pre = RelationType.PREREQUISITE_OF
    toy.relations += [
        Relation(pre, "q-nn", "q-nn-cmp", 1, Origin.INFERRED),
        Relation(pre, "q-nn-cmp", "q-lstm", 1, Origin.INFERRED),
    ]
    ids = [s.question.id for s in study.chain(study.build_graph(toy), "q-lstm-f", full=True)]
    assert ids == ["q-nn", "q-nn-cmp", "q-rnn", "q-vg", "q-rnn-why", "q-lstm"]
