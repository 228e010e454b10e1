"""ingest.patterns, ingest.relations, ingest.prereq: every way a relation is found or refused."""

from __future__ import annotations

import math
import os
from pathlib import Path

import networkx as nx
import pytest

from zhitu.graph.model import Evidence, Level, Origin, Question, Relation, RelationType
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.mentions import automaton_for, locate, split_sentences, to_mentions
from zhitu.ingest.patterns import sentence_relations
from zhitu.ingest.prereq import (
    ancestors_map,
    question_prerequisites,
    question_topics,
)
from zhitu.ingest.relations import (
    UNCORROBORATED,
    Doc,
    concept_relations,
    cooccurrence,
    corroborated,
    inferred_prerequisites,
    pattern_context,
    reconcile,
    refd_prerequisites,
)

SMALL = Path(__file__).parent / "fixtures" / "ingest" / "small_lexicon.yaml"
PRE, IS_A, PART = RelationType.PREREQUISITE_OF, RelationType.IS_A, RelationType.PART_OF
ADDR, CONTRAST = RelationType.ADDRESSES, RelationType.CONTRASTS_WITH


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(SMALL)


def _doc(lexicon: Lexicon, title: str, answer: str = "这里是答案。", level: Level = Level.PRINCIPLE,
         qid: str | None = None) -> Doc:
    q = Question(qid or f"q-{title}", title, answer, level=level)
    found = locate(q.text, automaton_for(lexicon))
    mentions = to_mentions(q, found)
    doc = Doc(q, found, mentions, split_sentences(q.text))
    doc.topics = question_topics(q, found, mentions, ancestors_map(lexicon.relations))
    return doc


def _patterns(lexicon: Lexicon, text: str, topic: str | None = None) -> set[tuple[str, str, str]]:
    found = locate(text, automaton_for(lexicon))
    rels = sentence_relations("q", text, 0, len(text), found, topic, pattern_context(lexicon))
    assert all(r.source is Origin.PATTERN and r.evidence[0].sentence == text for r in rels)
    return {(r.type.value, r.src, r.dst) for r in rels}


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        ("LSTM是一种特殊的RNN", None, {("IS_A", "lstm", "rnn")}),
        ("LSTM是RNN的一种变体", None, {("IS_A", "lstm", "rnn")}),
        ("DropConnect是dropout的一种推广", None, set()),  # a generalization is not a kind
        ("dropout是一种正则化方法", None, {("IS_A", "dropout", "regularization")}),
        ("dropout是一种常用的正则化方法", None, {("IS_A", "dropout", "regularization")}),
        # the concept is modified itself: it only qualifies the method (a learning-rate method)
        ("dropout是一种自适应学习率方法", None, set()),
        ("也是一种正则化技术", "dropout", {("IS_A", "dropout", "regularization")}),
        ("RNN的输出是一种激活函数", None, set()),  # the subject is RNN's output, not RNN
        ("LSTM的单元与GRU单元属于RNN", None, set()),  # 单元 heads the subject, not GRU
        ("比如GRU也属于RNN", None, {("IS_A", "gru", "rnn")}),  # an opener and an adverb
        ("LSTM是一个RNN", None, set()),  # 是一个 is too weak to name a kind
        ("LSTM由输入门,遗忘门,输出门和一个cell组成", None,
         {("PART_OF", g, "lstm") for g in ("input-gate", "forget-gate", "output-gate")}),
        ("GRU包括更新门、重置门", None,
         {("PART_OF", "update-gate", "gru"), ("PART_OF", "reset-gate", "gru")}),
        ("激活函数包括Sigmoid、ReLU", None, set()),  # a parent of kinds lists kinds, not parts
        ("RNN的隐藏层包含LSTM", None, set()),  # 的 in the gap: not the subject's parts
        ("dropout可以防止过拟合", None, {("ADDRESSES", "dropout", "overfitting")}),
        ("而BN的作用是规范化,从而避免梯度消失的问题", None,
         {("ADDRESSES", "batch-norm", "vanishing-gradient")}),  # subject opens the sentence
        ("在神经网络的训练中随机丢弃单元,防止过拟合", "dropout",
         {("ADDRESSES", "dropout", "overfitting")}),  # 在…中 is no subject: the topic is
        ("dropout无法避免过拟合", None, set()),  # negated
        ("ReLU可以解决RNN的梯度消失", None, set()),  # possessor or relative clause: ambiguous
        ("dropout是防止过拟合的正则化方法", None, set()),
        ("ReLU可以减少梯度消失", None, {("ADDRESSES", "relu", "vanishing-gradient")}),
        ("BN层可以降低学习率", None, set()),  # weak verb, object is not a problem
        ("缓解方法包括降低学习率", "dropout", set()),  # the verb names a kind of method
        ("Relu比Sigmoid的效果好在哪里?", None, {("CONTRASTS_WITH", "relu", "sigmoid")}),
        ("收敛比Sigmoid快", None, set()),  # 比 across categories compares something else
        ("LSTM与GRU的区别", None, {("CONTRASTS_WITH", "gru", "lstm")}),
        ("Sigmoid、ReLU和Leaky ReLU有什么区别", None,
         {("CONTRASTS_WITH", a, b) for a, b in
          (("relu", "sigmoid"), ("leaky-relu", "sigmoid"), ("leaky-relu", "relu"))}),
        ("平滑与锐化相反", None, {("CONTRASTS_WITH", "sharpening", "smoothing")}),
        ("与dropout不同的是,它按连接丢弃", "dropconnect",
         {("CONTRASTS_WITH", "dropconnect", "dropout")}),  # the subject is the topic
    ],
)
def test_lexical_patterns(lexicon: Lexicon, text: str, topic: str | None,
                          expected: set[tuple[str, str, str]]) -> None:
    assert _patterns(lexicon, text, topic) == expected


@pytest.fixture(scope="module")
def bundled() -> Lexicon:
    return load_lexicon()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # bank sentences (shortened): 学习率 modifies 方法, AdaGrad is no kind of learning rate
        ("AdaGrad是一种自适应学习率方法，为每个参数累积历史梯度的平方和。", set()),
        ("Adam是一种常用的自适应学习率优化算法。", {("IS_A", "adam", "optimizer")}),
        ("dropout是一种正则化方法。", {("IS_A", "dropout", "regularization")}),
    ],
)
def test_is_a_with_a_method_noun(bundled: Lexicon, text: str,
                                 expected: set[tuple[str, str, str]]) -> None:
    assert _patterns(bundled, text) == expected


def test_borrowed_subjects_have_lower_confidence(lexicon: Lexicon) -> None:
    text = "dropout可以防止过拟合"
    found = locate(text, automaton_for(lexicon))
    (own,) = sentence_relations("q", text, 0, len(text), found)
    text2 = "随机丢弃单元,防止过拟合"
    found2 = locate(text2, automaton_for(lexicon))
    (borrowed,) = sentence_relations("q", text2, 0, len(text2), found2, "dropout")
    assert own.key == borrowed.key and borrowed.confidence < own.confidence


def test_cooccurrence_npmi(lexicon: Lexicon) -> None:
    docs = [_doc(lexicon, "dropout与过拟合", qid="a"), _doc(lexicon, "dropout防止过拟合", qid="b"),
            _doc(lexicon, "什么是RNN", qid="c"), _doc(lexicon, "什么是LSTM", qid="d")]
    (rel,) = cooccurrence(docs)
    assert (rel.type, rel.src, rel.dst, rel.source) == (
        RelationType.RELATED_TO, "dropout", "overfitting", Origin.COOCCURRENCE)
    p_ab = p_a = p_b = 2 / 4
    expected = math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)
    assert rel.weight == rel.confidence == pytest.approx(expected, abs=1e-3)
    assert {e.question_id for e in rel.evidence} == {"a", "b"}


def test_one_shared_question_is_not_enough(lexicon: Lexicon) -> None:
    docs = [_doc(lexicon, "dropout与过拟合"), _doc(lexicon, "什么是RNN")]
    assert cooccurrence(docs) == []


def test_inferred_prerequisites_from_kinds_and_fixes() -> None:
    rels = [Relation(IS_A, "lstm", "rnn", 1.0, Origin.LEXICON),
            Relation(ADDR, "dropout", "overfitting", 0.8, Origin.PATTERN),
            Relation(ADDR, "bn", "lr", 0.3, Origin.PATTERN)]  # too weak to infer from
    got = {(r.src, r.dst): r for r in inferred_prerequisites(rels)}
    assert set(got) == {("rnn", "lstm"), ("overfitting", "dropout")}
    assert all(r.type is PRE and r.source is Origin.INFERRED for r in got.values())
    assert got["rnn", "lstm"].confidence > got["overfitting", "dropout"].confidence


def test_refd_orders_by_reference_distance(lexicon: Lexicon) -> None:
    # three questions about LSTM mention 梯度消失; the one about 梯度消失 does not mention LSTM
    docs = [_doc(lexicon, f"LSTM问题{i}", "LSTM缓解梯度消失") for i in range(3)]
    docs.append(_doc(lexicon, "梯度消失", "浅层学得慢"))
    (rel,) = refd_prerequisites(docs)
    assert (rel.src, rel.dst, rel.source) == ("vanishing-gradient", "lstm", Origin.INFERRED)
    assert rel.confidence < 0.5 and len(rel.evidence) == 3
    assert refd_prerequisites(docs[:2] + docs[3:]) == []  # below the minimum support
    assert refd_prerequisites(docs[:3]) == []  # 梯度消失 has no question of its own


def test_reconcile_keeps_the_curated_order() -> None:
    rels = [Relation(PRE, "rnn", "lstm", 1.0, Origin.LEXICON),
            Relation(PRE, "lstm", "gru", 1.0, Origin.LEXICON),
            Relation(PRE, "gru", "rnn", 0.4, Origin.INFERRED),  # closes a loop
            Relation(ADDR, "dropout", "overfitting", 1.0, Origin.LEXICON),
            Relation(ADDR, "overfitting", "dropout", 0.5, Origin.PATTERN)]  # reversed
    kept, dropped = reconcile(rels)
    assert {(r.src, r.dst) for r in kept} == {("rnn", "lstm"), ("lstm", "gru"),
                                              ("dropout", "overfitting")}
    assert len(dropped) == 2
    assert "gru -> rnn" in dropped[1] and "lstm -> gru -> rnn" in dropped[1]


def test_reconcile_merges_evidence_into_the_strongest(lexicon: Lexicon) -> None:
    docs = [_doc(lexicon, "dropout", "dropout可以防止过拟合")]
    rels, _ = concept_relations(docs, lexicon)
    (addr,) = [r for r in rels if r.key == ("ADDRESSES", "dropout", "overfitting")]
    assert addr.source is Origin.LEXICON and addr.confidence == 1.0
    assert addr.evidence[0].sentence == "dropout可以防止过拟合"


def test_extra_relations_win(lexicon: Lexicon) -> None:
    user = Relation(PRE, "gru", "lstm", 1.0, Origin.USER)  # a user reverses the lexicon
    rels, dropped = concept_relations([], lexicon, [user])
    keys = {r.key for r in rels}
    assert user.key in keys and ("PREREQUISITE_OF", "lstm", "gru") not in keys
    assert any("lstm -> gru" in d for d in dropped)


@pytest.mark.parametrize(
    ("title", "topics"),
    [
        ("神经网络激活函数?", ["activation-function"]),  # 神经网络 is context for 激活函数
        ("LSTM和GRU的区别", ["lstm", "gru"]),  # coordinated: both
        ("RNN与LSTM", ["rnn", "lstm"]),
        ("为什么好?", ["dropout"]),  # no title concept: the heaviest mention
    ],
)
def test_question_topics(lexicon: Lexicon, title: str, topics: list[str]) -> None:
    assert _doc(lexicon, title, "dropout dropout 过拟合").topics == topics


def test_a_pattern_relation_needs_two_questions_to_order_anything() -> None:
    def stated(*evidence: tuple[str, str]) -> Relation:
        return Relation(IS_A, "gru", "rnn", 0.8, Origin.PATTERN,
                        [Evidence(q, text) for q, text in evidence])

    once, same_question, twice = corroborated([
        stated(("q1", "GRU是一种RNN")),
        stated(("q1", "GRU是一种RNN"), ("q1", "GRU也是一种RNN")),
        stated(("q1", "GRU是一种RNN"), ("q2", "GRU属于RNN")),
    ])
    assert once.confidence == same_question.confidence == UNCORROBORATED < 0.5
    assert twice.confidence == 0.8
    # below the floor nothing is inferred from it: no GRU-after-RNN prerequisite
    assert inferred_prerequisites([once]) == [] and inferred_prerequisites([twice])


def _question_edges(lexicon: Lexicon, docs: list[Doc]) -> tuple[list[Relation], list[str]]:
    relations = concept_relations(docs, lexicon)[0]
    placed = {d.question.id: d.mentions for d in docs}
    return question_prerequisites([d.question for d in docs], placed, relations,
                                  lexicon.concepts, lexicon.generic)


def test_question_prerequisites_follow_focus_concepts_and_levels(lexicon: Lexicon) -> None:
    docs = [
        _doc(lexicon, "什么是RNN", level=Level.DEFINITION, qid="rnn-def"),
        _doc(lexicon, "RNN为什么好", level=Level.PRINCIPLE, qid="rnn-why"),
        _doc(lexicon, "什么是LSTM", level=Level.DEFINITION, qid="lstm-def"),
        _doc(lexicon, "LSTM每个门的计算公式", level=Level.DERIVATION, qid="lstm-f"),
        _doc(lexicon, "画GRU结构图", level=Level.DERIVATION, qid="gru-draw"),
    ]
    edges, dropped = _question_edges(lexicon, docs)
    pairs = {(r.src, r.dst) for r in edges}
    # one best question per needed concept: the RNN definition, never its 原理 question too
    assert pairs == {("rnn-def", "rnn-why"), ("rnn-def", "lstm-def"), ("rnn-def", "lstm-f"),
                     ("lstm-def", "lstm-f"), ("rnn-def", "gru-draw"), ("lstm-def", "gru-draw")}
    via = {(r.src, r.dst): r.evidence[0].sentence for r in edges}
    assert via["rnn-def", "lstm-def"] == "LSTM 是 RNN 的一种，先弄懂 RNN"
    assert via["rnn-def", "rnn-why"] == "先弄懂 RNN 是什么，再看它的原理"
    assert via["lstm-def", "lstm-f"] == "先弄懂 LSTM 是什么，再看它的推导"
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(pairs)))
    assert dropped == []


def test_a_deeper_question_never_precedes_a_shallower_one(lexicon: Lexicon) -> None:
    docs = [_doc(lexicon, "RNN的推导公式", level=Level.DERIVATION, qid="rnn-f"),
            _doc(lexicon, "什么是LSTM", level=Level.DEFINITION, qid="lstm-def")]
    assert _question_edges(lexicon, docs)[0] == []


def test_a_passing_mention_places_nothing(lexicon: Lexicon) -> None:
    # the LSTM question names RNN only in its answer: RNN is no focus of it, the edge comes
    # from the concept link alone; a question naming RNN in passing is no step for LSTM
    docs = [_doc(lexicon, "什么是RNN", level=Level.DEFINITION, qid="rnn-def"),
            _doc(lexicon, "GRU是什么", "GRU和RNN都能处理序列。", Level.DEFINITION, "gru-def"),
            _doc(lexicon, "LSTM的原理", "LSTM由遗忘门组成，可以看成一种RNN。", qid="lstm")]
    pairs = {(r.src, r.dst) for r in _question_edges(lexicon, docs)[0]}
    assert ("rnn-def", "lstm") in pairs and ("gru-def", "lstm") not in pairs


def test_non_questions_are_never_in_a_chain(lexicon: Lexicon) -> None:
    docs = [_doc(lexicon, "参考文献", "RNN论文若干。", Level.DEFINITION, "refs"),
            _doc(lexicon, "什么是RNN", level=Level.DEFINITION, qid="rnn-def"),
            _doc(lexicon, "LSTM的原理", level=Level.PRINCIPLE, qid="lstm")]
    edges = _question_edges(lexicon, docs)[0]
    assert edges and all("refs" not in (r.src, r.dst) for r in edges)


def test_twins_in_other_words_both_link(lexicon: Lexicon) -> None:
    docs = [_doc(lexicon, "什么是RNN", level=Level.DEFINITION, qid="a"),
            _doc(lexicon, "RNN是什么？", level=Level.DEFINITION, qid="b"),
            _doc(lexicon, "RNN的基本结构", level=Level.DEFINITION, qid="c"),
            _doc(lexicon, "LSTM的原理", level=Level.PRINCIPLE, qid="lstm")]
    sources = {r.src for r in _question_edges(lexicon, docs)[0] if r.dst == "lstm"}
    assert sources == {"a", "b"}


def test_question_cycles_are_broken(lexicon: Lexicon) -> None:
    # q1 is about RNN and GRU, q2 about LSTM: RNN → LSTM → GRU orders them both ways
    docs = [_doc(lexicon, "什么是RNN与GRU", level=Level.DEFINITION, qid="q1"),
            _doc(lexicon, "什么是LSTM", level=Level.DEFINITION, qid="q2")]
    edges, dropped = _question_edges(lexicon, docs)
    assert len(edges) == 1 and len(dropped) == 1 and "would close a cycle" in dropped[0]


def test_question_edges_grow_linearly(lexicon: Lexicon) -> None:
    # 40 definitions and 40 formulas on one topic, 40 questions on a dependent topic
    docs = []
    for i in range(40):
        docs += [_doc(lexicon, f"什么是RNN（第{i}题）", level=Level.DEFINITION, qid=f"d{i}"),
                 _doc(lexicon, f"RNN公式（第{i}题）", level=Level.DERIVATION, qid=f"f{i}"),
                 _doc(lexicon, f"什么是LSTM（第{i}题）", level=Level.DEFINITION, qid=f"l{i}")]
    edges, _ = _question_edges(lexicon, docs)
    assert len(edges) <= 2 * len(docs)  # not 40 x 40
    targets = {r.dst for r in edges}
    assert {f"f{i}" for i in range(40)} | {f"l{i}" for i in range(40)} <= targets


def test_cycle_drops_are_reported_in_the_same_order_every_run() -> None:
    """String hashing differs per process: the order of the report must not follow it."""
    import subprocess
    import sys

    script = (
        "import networkx as nx\n"
        "from types import SimpleNamespace as N\n"
        "from zhitu.ingest.prereq import _drop_backwards\n"
        "g = nx.DiGraph()\n"
        "for k in range(8):\n"
        "    a, b, c = f'q{k}a', f'q{k}b', f'q{k}c'\n"
        "    for s, d in ((a, b), (b, c), (c, a), (b, a)):\n"
        "        g.add_edge(s, d, heading=False, via='x')\n"
        "by_id = {q: N(title=q) for q in g}\n"
        "out = []\n"
        "_drop_backwards(g, by_id, lambda q: q, out, spare_headings=False)\n"
        "print(out)\n"
    )
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(5)}
    assert len(runs) == 1 and "would close a cycle" in runs.pop()
