"""ingest.mentions: Aho-Corasick over folded text, word boundaries, offsets, ambiguity."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import find_mentions
from zhitu.graph.model import Concept, Question
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.mentions import (
    TITLE_WEIGHT,
    Automaton,
    automaton_for,
    locate,
    split_sentences,
)
from zhitu.text.fold import fold, folded

SMALL = Path(__file__).parent / "fixtures" / "ingest" / "small_lexicon.yaml"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(SMALL)


@pytest.fixture(scope="module")
def auto(lexicon: Lexicon) -> Automaton:
    return automaton_for(lexicon)


def _concepts(text: str, auto: Automaton) -> list[str]:
    return [f.concept for f in locate(text, auto)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RNN的结构", ["rnn"]),
        ("LSTM和GRU", ["lstm", "gru"]),
        ("BRNN是双向的", []),  # RNN inside a longer Latin word
        ("BNN是二值网络", []),  # BN inside BNN
        ("BN层的作用", ["batch-norm"]),  # longest surface wins
        ("Batch\nNormalization的作用", ["batch-norm"]),  # a word broken across lines
        ("BatchNormalization的作用", ["batch-norm"]),  # written together
        ("batch-normalization", ["batch-norm"]),  # hyphenated
        ("Leaky ReLU比ReLU好", ["leaky-relu", "relu"]),
        ("ReLU6不算", []),  # a digit continues the word
        ("ＲＮＮ与ｓｉｇｍｏｄ", ["rnn", "sigmoid"]),  # full width and a typo alias
        ("Long Short-Term Memory网络", ["lstm"]),
        ("long short term memory", ["lstm"]),  # hyphen written as space
        ("循环神经网络(RNN)", ["rnn", "rnn"]),
        ("使用 BN 层", ["batch-norm"]),  # spaces next to CJK disappear
    ],
)
def test_surfaces_and_word_boundaries(text: str, expected: list[str], auto: Automaton) -> None:
    assert _concepts(text, auto) == expected


def test_offsets_refer_to_the_original_text(auto: Automaton) -> None:
    # NFKC turns the ligature ﬁ into two letters and ① into "1": offsets must still fit
    text = "ﬁ①, ＬＳＴＭ和梯度弥散"
    found = locate(text, auto)
    assert [text[f.start:f.end] for f in found] == ["ＬＳＴＭ", "梯度弥散"]


def test_combining_marks_keep_offsets(auto: Automaton) -> None:
    text = "e\u0301 RNN"  # a decomposed é: NFKC composes it, one character less
    (found,) = locate(text, auto)
    assert text[found.start:found.end] == "RNN"


def test_a_rejected_match_does_not_hide_one_inside_it() -> None:
    # "ab中" matches first at x|ab中文 but fails its boundary; "中文" starts inside it
    lex = _lexicon({"a": ["ab中"], "b": ["中文"]})
    assert _concepts("xab中文", Automaton.build(lex)) == ["b"]


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="abRNLSTM梯度消失ﬁ①Ａ \n的和", max_size=30))
def test_fold_maps_every_character_back(text: str) -> None:
    folded, offsets = fold(text)
    assert len(offsets) == len(folded)
    assert offsets == sorted(offsets) and all(0 <= o < len(text) for o in offsets)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="abRN梯度ﬁ①Ａ \n\t\u3000的e\u0301\u1100\u1161Å", max_size=30))
def test_folded_is_the_folded_text(text: str) -> None:
    assert folded(text) == fold(text)[0]


def test_ambiguous_surface_follows_the_context(auto: Automaton) -> None:
    assert _concepts("BN和批归一化", auto) == ["batch-norm", "batch-norm"]
    assert _concepts("BN用到概率", auto) == ["bayesian-network", "probability"]
    assert _concepts("BN是什么", auto) == []  # no context: skipped, not guessed


def test_find_mentions_counts_title_and_positions(auto: Automaton) -> None:
    q = Question("q1", "什么是dropout", "dropout随机丢弃神经元，防止过拟合。dropout很常用。")
    mentions = {m.concept_id: m for m in find_mentions(q, auto)}
    drop = mentions["dropout"]
    assert (drop.count, drop.in_title) == (3, True)
    assert drop.weight == TITLE_WEIGHT + 1.5 + 1  # in the answer's first sentence, then again
    assert [q.text[p:p + 7] for p in drop.positions] == ["dropout"] * 3
    over = mentions["overfitting"]
    assert (over.count, over.in_title, over.weight) == (1, False, 1.5)  # first sentence
    assert list(mentions) == ["dropout", "overfitting"]  # heaviest first


def test_automaton_is_built_once_per_lexicon(lexicon: Lexicon) -> None:
    assert automaton_for(lexicon) is automaton_for(lexicon)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RNN是一种网络。它有记忆！\n LSTM呢", ["RNN是一种网络。", "它有记忆！", "LSTM呢"]),
        ("a;b；c?d", ["a;", "b；", "c?", "d"]),
        ("\n\n", []),
        ("无标点", ["无标点"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def _lexicon(surfaces: dict[str, list[str]]) -> Lexicon:
    concepts = {cid: Concept(cid, names[0], names[0], names[1:]) for cid, names in surfaces.items()}
    index = {s.lower(): [cid] for cid, names in surfaces.items() for s in names}
    return Lexicon(concepts, [], index, set(), "inline")


CONTEXT_LEXICON = """\
concepts:
  - {id: smoothing, name: 图像平滑, zh: 图像平滑, category: cv, context_aliases: [平滑]}
  - {id: sharpening, name: 图像锐化, zh: 图像锐化, category: cv, context_aliases: [锐化],
     contrasts: [smoothing]}
  - {id: image-noise, name: 图像噪声, zh: 图像噪声, category: cv}
  - {id: llm, name: 大语言模型, zh: 大语言模型, category: nlp, context_aliases: [大模型],
     is_a: [language-model]}
  - {id: language-model, name: 语言模型, zh: 语言模型, category: nlp}
  - {id: model-compression, name: 模型压缩, zh: 模型压缩, category: compression,
     prerequisites: [llm]}
"""


@pytest.fixture(scope="module")
def context_auto(tmp_path_factory: pytest.TempPathFactory) -> Automaton:
    path = tmp_path_factory.mktemp("lexicon") / "concepts.yaml"
    path.write_text(CONTEXT_LEXICON, encoding="utf-8")
    return Automaton.build(load_lexicon(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("曲线更平滑了", []),  # no neighbour: an adjective
        ("图像锐化和平滑的操作", ["sharpening", "smoothing"]),  # a curated neighbour decides
        ("图像平滑就是让图像更平滑", ["smoothing", "smoothing"]),  # so does the concept itself
        ("锐化和平滑", []),  # two context aliases do not vouch for each other
        ("图像噪声更平滑", ["image-noise"]),  # a concept that is no curated neighbour
        ("大模型和语言模型", ["llm", "language-model"]),
        # an ordinary surface always wins an overlap, even when the context alias would count
        ("大模型压缩", ["model-compression"]),
    ],
)
def test_context_aliases_count_next_to_a_neighbour(text: str, expected: list[str],
                                                   context_auto: Automaton) -> None:
    assert _concepts(text, context_auto) == expected


@pytest.fixture(scope="module")
def reading_auto() -> Automaton:
    return Automaton.build(_lexicon({
        "autoencoder": ["自编码器"], "encoder": ["编码器"], "momentum": ["动量"],
        "layer-norm": ["LN", "layer norm"], "softmax": ["softmax"],
        "upsampling": ["上采样"], "overflow": ["上溢"], "median-filter": ["中值滤波"],
    }))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("K和V来自编码器的输出", ["encoder"]),  # 来自 is a common word and 编码器 a surface
        ("一种自编码器", ["autoencoder"]),  # 种自 is no word
        ("自编码器由编码器和解码器组成", ["autoencoder", "encoder"]),
        ("带动量的SGD", ["momentum"]),  # 带动 is a word, but 量 is no surface
        ("初始loss应接近ln(类别数)", []),  # a function call
        ("x + F(LN(x))", ["layer-norm"]),  # upper case: the abbreviation
        ("Pre-LN和ln层", ["layer-norm", "layer-norm"]),
        ("softmax(z)", ["softmax"]),  # longer than an abbreviation
        ("在固定的规则网格上采样", []),  # 上 closes 在…上
        ("把结果上采样回原图尺寸", ["upsampling"]),
        ("在解码器中上采样", ["upsampling"]),  # 中 already closed the frame
        ("在上采样之前", ["upsampling"]),
        ("存在数值上溢", ["overflow"]),  # 存在 opens no frame
        ("在图像中值滤波很常用", ["median-filter"]),  # only 上 and 下 close a frame here
    ],
)
def test_readings_that_reject_a_match(text: str, expected: list[str],
                                      reading_auto: Automaton) -> None:
    assert _concepts(text, reading_auto) == expected



def test_nothing_inside_a_web_address_is_a_mention(auto: Automaton) -> None:
    text = "代码见 https://github.com/someone/ML-NLP/blob/LSTM.md , 这里讲 LSTM。"
    found = locate(text, auto)
    assert [text[f.start:f.end] for f in found] == ["LSTM"]
    assert found[0].start > text.index(" , ")
