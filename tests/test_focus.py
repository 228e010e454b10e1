"""Mention weights, focus concepts, tags, and wrong senses rejected by context (issue #14)."""

from __future__ import annotations

import pytest

from tests.conftest import find_mentions
from zhitu.graph.model import Question, focus_concepts, question_tags
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.mentions import Automaton, automaton_for, locate


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon("data/concepts.yaml")  # no user overlay


@pytest.fixture(scope="module")
def auto(lexicon: Lexicon) -> Automaton:
    return automaton_for(lexicon)


def _found(text: str, auto: Automaton) -> list[str]:
    return [f.concept for f in locate(text, auto)]


@pytest.mark.parametrize("text, wrong", [
    ("点击流模型属于业务模型数据, 用来计算业务指标", "normalizing-flow"),
    ("| Network | Precision | Framework/GPU | 平均耗时 |", "precision-recall"),
    ("EM算法先随机初始化各个簇的参数, 再交替执行E步和M步", "weight-initialization"),
    ("选择特征时有很多不同的量化评估标准", "quantization"),
    ("弱监督学习只用不完整的标签训练", "supervised-learning"),
])
def test_wrong_senses_are_rejected(text: str, wrong: str, auto: Automaton) -> None:
    assert wrong not in _found(text, auto)


@pytest.mark.parametrize("text, concept", [
    ("Stacked LSTMs 把多层叠起来", "deep-rnn"),  # plural of an alias
    ("两个 LSTMs 的输出拼接", "lstm"),  # plural form
    ("Deep RNNs 和 Bidirectional RNNs 的区别", "bidirectional-rnn"),
    ("GAN训练中的 mode collapsing 问题", "mode-collapse"),
    ("Faster R-CNN 用 RPN 生成候选框", "faster-rcnn"),  # a family member of its own
    ("YOLOv3 在三个尺度上预测", "yolov3"),
    ("用 PyTorch 写训练循环", "pytorch"),
    ("模型的精确率(precision)和召回率", "precision-recall"),  # the right sense stays
])
def test_variants_and_members_are_found(text: str, concept: str, auto: Automaton) -> None:
    assert concept in _found(text, auto)


def test_title_concepts_are_the_focus_and_passing_mentions_are_weak(auto: Automaton) -> None:
    answer = ("LSTM是一种循环神经网络, 用门控缓解长期依赖。LSTM有遗忘门、输入门和输出门。"
              + "它的训练细节很多。" * 40 + "有人也会提到dropout。")
    q = Question("q", "什么是LSTM", answer)
    ms = find_mentions(q, auto)
    assert focus_concepts(ms) == ["lstm"]
    tags = question_tags(ms)
    assert tags[0] == "lstm" and "dropout" not in tags  # once, in passing, in a long answer
    assert any(m.concept_id == "dropout" and not m.shown for m in ms)  # kept as a weak mention


def test_generic_concepts_are_no_focus_unless_titled(auto: Automaton) -> None:
    q = Question("q", "为什么要用它",
                 "神经网络里dropout随机丢弃神经元。dropout防止过拟合。神经网络很大。")
    ms = find_mentions(q, auto)
    assert "neural-network" not in focus_concepts(ms)
    assert "neural-network" not in question_tags(ms)
    titled = find_mentions(Question("q", "什么是神经网络", "神经网络由神经元组成。"), auto)
    assert focus_concepts(titled) == ["neural-network"]


def test_a_list_item_weighs_less_than_the_subject(auto: Automaton) -> None:
    q = Question("q", "介绍一个工具",
                 "dropout是一种正则化方法。它常和BN、LN、GN、L2正则化一起出现。"
                 + "dropout在训练时随机丢弃神经元。" * 3 + "补充说明" * 100)
    ms = {m.concept_id: m for m in find_mentions(q, auto)}
    assert focus_concepts(list(ms.values()))[0] == "dropout"
    assert not ms["layer-norm"].shown


def test_a_reference_section_does_not_make_tags(auto: Automaton) -> None:
    q = Question("q", "什么是GRU", "GRU有更新门和重置门。" + "正文" * 200
                 + "\n## 参考文献\n1. Transformer 原论文\n2. ResNet 原论文\n")
    tags = question_tags(find_mentions(q, auto))
    assert "gru" in tags and "transformer" not in tags and "resnet" not in tags
