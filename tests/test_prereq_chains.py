"""Question prerequisites (ingest.prereq): the introducing question, the section opener, twins.

Small made-up banks in our own words, read through the real lexicon matcher and relations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zhitu.graph.model import Level, Question, Relation
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.mentions import automaton_for, locate, split_sentences, to_mentions
from zhitu.ingest.prereq import ancestors_map, question_prerequisites, question_topics
from zhitu.ingest.relations import Doc, concept_relations

SMALL = Path(__file__).parent / "fixtures" / "ingest" / "small_lexicon.yaml"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(SMALL)


def _doc(lexicon: Lexicon, qid: str, title: str, level: Level, answer: str = "",
         source: str = "", topic: str = "") -> Doc:
    q = Question(qid, title, answer, level=level, sources=[source] if source else [],
                 topic=topic)
    found = locate(q.text, automaton_for(lexicon))
    mentions = to_mentions(q, found)
    doc = Doc(q, found, mentions, split_sentences(q.text))
    doc.topics = question_topics(q, found, mentions, ancestors_map(lexicon.relations))
    return doc


def _edges(lexicon: Lexicon, docs: list[Doc]) -> dict[tuple[str, str], str]:
    relations = concept_relations(docs, lexicon)[0]
    names = {cid: c.name for cid, c in lexicon.concepts.items()}
    edges: list[Relation] = question_prerequisites(
        [d.question for d in docs], {d.question.id: d.mentions for d in docs}, relations, names,
        lexicon.generic)[0]
    return {(r.src, r.dst): r.evidence[0].sentence for r in edges}


def test_the_introducing_question_comes_before_a_detail_at_the_same_level(
        lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "intro", "什么是LSTM", Level.DEFINITION),
        _doc(lexicon, "cell", "LSTM的细胞状态", Level.DEFINITION),
    ])
    assert edges == {("intro", "cell"): "先弄懂 LSTM 是什么，再看它的细节"}


def test_only_the_what_is_question_of_a_concept_is_a_step_for_its_deeper_ones(
        lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "def", "什么是RNN", Level.DEFINITION),
        _doc(lexicon, "why", "RNN为什么难以训练", Level.PRINCIPLE),
        _doc(lexicon, "cmp", "RNN有哪些优缺点", Level.COMPARISON),
    ])
    # the 原理 question is no prerequisite of the 比较 one: both only need the definition
    assert set(edges) == {("def", "why"), ("def", "cmp")}


def test_a_twin_must_introduce_the_concept_too(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "name", "激活函数", Level.DEFINITION),
        _doc(lexicon, "plot", "激活函数的图像", Level.DEFINITION),
        _doc(lexicon, "relu", "什么是ReLU", Level.DEFINITION),
    ])
    assert edges[("name", "relu")] == "ReLU 是激活函数的一种，先弄懂激活函数"
    # a detail of 激活函数 (its words contain the name), not another way to ask what it is
    assert ("plot", "relu") not in edges
    assert edges[("name", "plot")] == "先弄懂激活函数是什么，再看它的细节"


def test_a_section_opener_comes_before_later_questions_of_its_section(
        lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "open", "什么是神经网络", Level.DEFINITION,
             "神经网络一层层变换输入，训练时要选好学习率。", "bank/nn.md:3", "第一章"),
        _doc(lexicon, "later", "怎样初始化权重", Level.PRINCIPLE,
             "神经网络的权重不能全为零。", "bank/nn.md:20", "第一章 / 训练"),
        _doc(lexicon, "lr", "学习率怎么选", Level.PRINCIPLE,
             "从小的值开始试。", "bank/nn.md:30", "第一章"),
        _doc(lexicon, "elsewhere", "学习率太大会怎样", Level.PRINCIPLE,
             "损失会来回震荡。", "bank/other.md:5", "第一章"),
        _doc(lexicon, "unrelated", "什么是平滑", Level.DEFINITION,
             "让图像变得柔和。", "bank/nn.md:40", "第一章"),
    ])
    # "later" mentions 神经网络; "lr" is about 学习率, which the opener talks about
    assert ("open", "later") in edges
    assert edges[("open", "lr")] == "本节先讲神经网络是什么，先读这道题"
    assert ("open", "elsewhere") not in edges  # another file
    assert ("open", "unrelated") not in edges  # shares nothing with the opener


def test_questions_without_a_source_open_no_section(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "a", "什么是神经网络", Level.DEFINITION, "训练时要选好学习率。"),
        _doc(lexicon, "b", "学习率怎么选", Level.PRINCIPLE, "从小的值开始试。"),
    ])
    assert ("a", "b") not in edges



def test_a_link_over_an_untaught_concept_names_it(lexicon: Lexicon) -> None:
    # 神经网络 -> 激活函数 -> ReLU, and no question teaches 激活函数
    edges = _edges(lexicon, [
        _doc(lexicon, "nn", "什么是神经网络", Level.DEFINITION),
        _doc(lexicon, "relu", "为什么ReLU好用", Level.PRINCIPLE, "它计算很快。"),
    ])
    assert edges[("nn", "relu")] == "先弄懂神经网络，才能理解 ReLU（经由激活函数）"
