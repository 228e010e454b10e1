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


def _doc(lexicon: Lexicon, qid: str, title: str, level: Level, answer: str = "这里是答案。",
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
    edges: list[Relation] = question_prerequisites(
        [d.question for d in docs], {d.question.id: d.mentions for d in docs}, relations,
        lexicon.concepts, lexicon.generic)[0]
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



def test_a_concept_two_steps_back_is_no_step(lexicon: Lexicon) -> None:
    # 神经网络 -> 激活函数 -> ReLU: with no question on 激活函数, 神经网络 is too far back
    edges = _edges(lexicon, [
        _doc(lexicon, "nn", "什么是神经网络", Level.DEFINITION),
        _doc(lexicon, "relu", "为什么ReLU好用", Level.PRINCIPLE, "它计算很快。"),
    ])
    assert ("nn", "relu") not in edges
    # with a question that teaches 激活函数, the chain goes through it
    edges = _edges(lexicon, [
        _doc(lexicon, "nn", "什么是神经网络", Level.DEFINITION),
        _doc(lexicon, "act", "什么是激活函数", Level.DEFINITION, "神经网络里的非线性函数。"),
        _doc(lexicon, "relu", "为什么ReLU好用", Level.PRINCIPLE, "它计算很快。"),
    ])
    assert ("nn", "relu") not in edges
    assert ("act", "relu") in edges and ("nn", "act") in edges


def test_a_sub_question_comes_after_the_question_it_sits_under(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "why", "RNN为什么会梯度消失", Level.PRINCIPLE,
             "RNN 每一步都乘同一个矩阵，梯度越乘越小。", "bank/rnn.md:10", "RNN专题"),
        _doc(lexicon, "relu", "RNN里能用ReLU吗", Level.PRINCIPLE,
             "可以用，但 RNN 这时要小心梯度爆炸。", "bank/rnn.md:20",
             "RNN专题 / RNN为什么会梯度消失"),
        _doc(lexicon, "gru", "什么是GRU", Level.DEFINITION,
             "GRU 是更简单的门控 RNN。", "bank/rnn.md:30", "RNN专题 / RNN为什么会梯度消失"),
        _doc(lexicon, "copy", "RNN里能用Sigmoid吗", Level.PRINCIPLE,
             "RNN 里一般用 tanh。", "bank/other.md:20", "RNN专题 / RNN为什么会梯度消失"),
    ])
    assert edges[("why", "relu")] == "这道题在它的标题之下，是它的细节，先读它"
    assert ("why", "gru") not in edges  # it introduces its own concept
    assert ("why", "copy") not in edges  # the same heading path in another file


def test_an_earlier_question_of_the_section_on_the_same_concept_comes_first(
        lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "gates", "LSTM有几个门", Level.DEFINITION,
             "LSTM 有遗忘门、输入门和输出门。", "bank/lstm.md:5", "LSTM专题"),
        _doc(lexicon, "other", "Sigmoid的导数", Level.DERIVATION,
             "Sigmoid 的导数等于它乘以一减它。", "bank/lstm.md:10", "LSTM专题"),
        _doc(lexicon, "vs", "LSTM和GRU有什么关系", Level.DEFINITION,
             "GRU 把 LSTM 的门合并了。", "bank/lstm.md:15", "LSTM专题"),
    ])
    assert edges[("gates", "vs")] == "同一节前面先讲 LSTM，先读它"
    assert ("other", "vs") not in edges  # nothing in common
    assert ("vs", "gates") not in edges  # later questions come after


def test_an_earlier_deeper_question_of_the_section_comes_first_too(lexicon: Lexicon) -> None:
    # the bank derives LSTM, then compares it with GRU: the derivation is needed first
    edges = _edges(lexicon, [
        _doc(lexicon, "derive", "推导LSTM的前向公式", Level.DERIVATION,
             "LSTM 的三个门各有一组权重。", "bank/rnn.md:5", "RNN专题"),
        _doc(lexicon, "vs", "LSTM和GRU有什么关系", Level.COMPARISON,
             "GRU 把 LSTM 的门合并了。", "bank/rnn.md:15", "RNN专题"),
    ])
    assert edges[("derive", "vs")] == "同一节前面先讲 LSTM，先读它"


def test_a_title_that_is_only_names_of_a_concept_introduces_it(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "names", "修正线性单元 ReLU", Level.DEFINITION),
        _doc(lexicon, "detail", "ReLU的负半轴", Level.DEFINITION),
    ])
    assert edges[("names", "detail")] == "先弄懂 ReLU 是什么，再看它的细节"


def test_a_bare_latin_name_is_no_translation_but_an_english_sentence_is(
        lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "name", "LSTM", Level.DEFINITION),
        _doc(lexicon, "english", "What is an LSTM", Level.DEFINITION),
        _doc(lexicon, "cell", "LSTM的遗忘门", Level.DEFINITION),
    ])
    assert ("name", "cell") in edges
    assert ("english", "cell") not in edges


def test_a_heading_with_only_a_citation_teaches_nothing(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "cite", "LSTM相关问题", Level.DEFINITION,
             "> 某篇讲 LSTM 的博客\n[链接](https://example.org/lstm)", "bank/lstm.md:3"),
        _doc(lexicon, "gate", "LSTM为什么要有遗忘门", Level.PRINCIPLE,
             "遗忘门决定 LSTM 丢掉多少旧记忆。", "bank/lstm.md:8", "LSTM相关问题"),
    ])
    assert not any(src == "cite" for src, _ in edges)


def test_a_long_answer_that_never_names_a_needed_concept_does_not_need_it(
        lexicon: Lexicon) -> None:
    # 神经网络 is a prerequisite of 激活函数 in the lexicon
    long_answer = "没有它，多层的线性变换叠起来仍是一次线性变换，表达能力不会增加。" * 8
    edges = _edges(lexicon, [
        _doc(lexicon, "nn", "什么是神经网络", Level.DEFINITION),
        _doc(lexicon, "act", "为什么激活函数要是非线性的", Level.PRINCIPLE, long_answer),
    ])
    assert len(long_answer) >= 200 and ("nn", "act") not in edges
    # a short answer says too little to tell: the link stays
    edges = _edges(lexicon, [
        _doc(lexicon, "nn", "什么是神经网络", Level.DEFINITION),
        _doc(lexicon, "act", "为什么激活函数要是非线性的", Level.PRINCIPLE,
             "否则叠起来还是线性的。"),
    ])
    assert edges[("nn", "act")] == "先弄懂神经网络，才能理解激活函数"


def test_a_cycle_keeps_the_sub_question_under_its_heading(lexicon: Lexicon) -> None:
    # "激活函数有哪些" teaches 激活函数, which ReLU is a kind of, yet it sits under the ReLU
    # question in the bank: the heading wins, the concept link that would close a cycle goes
    edges = _edges(lexicon, [
        _doc(lexicon, "relu", "ReLU为什么好用", Level.PRINCIPLE,
             "ReLU 不会饱和。", "bank/act.md:10", "激活"),
        _doc(lexicon, "kinds", "激活函数有哪些", Level.DEFINITION,
             "常见的激活函数有 ReLU 和 Sigmoid。", "bank/act.md:20", "激活 / ReLU为什么好用"),
    ])
    assert ("relu", "kinds") in edges
    assert ("kinds", "relu") not in edges


def test_an_earlier_question_of_the_file_on_the_concept_itself_comes_first(
        lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "plain", "LSTM的结构", Level.DEFINITION,
             "LSTM 由细胞状态和三个门组成。", "bank/lstm.md:5", "LSTM / 介绍篇"),
        _doc(lexicon, "detail", "LSTM训练时的显存占用", Level.DEFINITION,
             "LSTM 的显存随序列长度增长。", "bank/lstm.md:10", "LSTM / 工程篇"),
        _doc(lexicon, "gates", "LSTM有几个门", Level.DEFINITION,
             "LSTM 有遗忘门、输入门和输出门。", "bank/lstm.md:30", "LSTM / 细节篇"),
    ])
    assert edges[("plain", "gates")] == "同一篇前面先讲 LSTM，先读它"
    assert ("detail", "gates") not in edges  # about a detail, not LSTM itself


def test_introducing_words_about_something_else_introduce_nothing(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "tour", "能不能介绍一下LSTM训练时的各种技巧", Level.DEFINITION),
        _doc(lexicon, "cell", "LSTM的细胞状态", Level.DEFINITION),
    ])
    assert ("tour", "cell") not in edges


def test_a_twin_asks_the_same_thing_not_more(lexicon: Lexicon) -> None:
    edges = _edges(lexicon, [
        _doc(lexicon, "struct", "LSTM的结构", Level.DEFINITION),
        _doc(lexicon, "more", "LSTM结构的优化", Level.DEFINITION),
        _doc(lexicon, "why", "LSTM为什么能记住长期信息", Level.PRINCIPLE),
    ])
    assert ("struct", "why") in edges
    assert ("more", "why") not in edges


def test_a_question_on_two_concepts_is_no_basic_question_of_either(lexicon: Lexicon) -> None:
    why = ("Dropout为什么能防止过拟合", Level.PRINCIPLE, "它让网络不依赖个别神经元。")
    edges = _edges(lexicon, [
        _doc(lexicon, "pair", "Dropout和BatchNorm能一起用吗", Level.DEFINITION, "注意顺序。"),
        _doc(lexicon, "why", *why),
    ])
    assert ("pair", "why") not in edges
    edges = _edges(lexicon, [
        _doc(lexicon, "what", "什么是Dropout", Level.DEFINITION, "训练时随机丢弃神经元。"),
        _doc(lexicon, "why", *why),
    ])
    assert edges[("what", "why")] == "先弄懂 dropout 是什么，再看它的原理"
