"""ingest.pipeline: the user's sample end to end, levels, candidates, merging, progress."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest

from zhitu.graph.model import GraphData, Level, Origin, Question, Relation, RelationType
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.pipeline import IngestReport, build, ingest, level_of
from zhitu.ingest.read import question_id

HERE = Path(__file__).parent
SAMPLE = HERE / "gold" / "sample.txt"  # a copy of the user's sample bank
SMALL = HERE / "fixtures" / "ingest" / "small_lexicon.yaml"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def small() -> Lexicon:
    return load_lexicon(SMALL)


@pytest.fixture(scope="module")
def sample(lexicon: Lexicon) -> tuple[GraphData, IngestReport]:
    return ingest([SAMPLE], lexicon=lexicon)


def _concepts(data: GraphData, title: str) -> set[str]:
    qid = question_id(title)
    return {m.concept_id for m in data.mentions if m.question_id == qid}


def test_every_sample_question_gets_concepts(sample: tuple[GraphData, IngestReport]) -> None:
    data, report = sample
    assert len(data.questions) == 18 and report.questions_read == 18
    assert report.without_concepts == []
    assert all(_concepts(data, q.title) for q in data.questions.values())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("LSTM每个门的计算公式", {"lstm", "forget-gate", "input-gate", "output-gate"}),
        ("DropConnect的原理", {"dropconnect", "dropout", "overfitting"}),
        ("BatchNormalization的作用", {"batch-norm", "vanishing-gradient"}),
        ("Lstm和Gru的原理", {"lstm", "gru", "reset-gate", "update-gate", "cell-state"}),
        ("神经网络激活函数?", {"activation-function", "sigmoid", "tanh", "relu"}),  # sigmod typo
        ("VGG使用3*3卷积核的优势是什么?", {"vgg", "convolution-kernel", "receptive-field"}),
    ],
)
def test_sample_questions_have_their_concepts(sample: tuple[GraphData, IngestReport],
                                              title: str, expected: set[str]) -> None:
    assert expected <= _concepts(sample[0], title)


def test_sample_relations(sample: tuple[GraphData, IngestReport]) -> None:
    data, report = sample
    counts = data.relation_counts()
    for kind in RelationType:
        assert counts.get(kind.value, 0) > 0, kind
    keys = {r.key: r for r in data.relations}
    assert keys["ADDRESSES", "dropconnect", "overfitting"].source is Origin.PATTERN
    assert keys["IS_A", "rnn", "neural-network"].evidence[0].sentence.startswith("循环神经网络模型")
    related = keys["RELATED_TO", "dropout", "overfitting"]
    assert related.source is Origin.COOCCURRENCE and related.weight == 1.0
    assert report.candidates and not {c.term for c in report.candidates} & set(data.concepts)


def test_sample_question_prerequisites(sample: tuple[GraphData, IngestReport]) -> None:
    data, _ = sample
    graph = nx.DiGraph([(r.src, r.dst) for r in data.relations
                        if r.type is RelationType.PREREQUISITE_OF and r.src in data.questions])
    assert nx.is_directed_acyclic_graph(graph)
    # every question prerequisite says why, in plain Chinese (the chain shows it): a concept
    # to understand first, or a question the bank puts before it
    assert all(r.evidence and re.search("先弄懂|先读", r.evidence[0].sentence)
               for r in data.relations
               if r.type is RelationType.PREREQUISITE_OF and r.src in data.questions)
    ordered = [("什么是RNN", "LSTM每个门的计算公式"), ("什么是dropout", "DropConnect的原理"),
               ("梯度消失", "BatchNormalization的作用"), ("什么是RNN", "循环神经网络,为什么好?")]
    for before, after in ordered:
        assert nx.has_path(graph, question_id(before), question_id(after)), (before, after)


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("什么是RNN", Level.DEFINITION),
        ("梯度消失", Level.DEFINITION),  # a bare term
        ("BatchNormalization的作用", Level.PRINCIPLE),
        ("BN的作用是什么", Level.PRINCIPLE),  # 作用 outranks 是什么
        ("循环神经网络,为什么好?", Level.PRINCIPLE),
        ("Relu比Sigmoid的效果好在哪里?", Level.COMPARISON),
        ("VGG使用3*3卷积核的优势是什么?", Level.COMPARISON),
        ("LSTM每个门的计算公式", Level.DERIVATION),
        ("画GRU结构图", Level.DERIVATION),
        ("计算机视觉中的注意力是什么", Level.DEFINITION),  # 计算机 is not 计算
    ],
)
def test_level_of(title: str, level: Level) -> None:
    assert level_of(title) is level


def _write(path: Path, *items: tuple[str, str]) -> Path:
    path.write_text("".join(f"● {t}\n参考回答:\n{a}\n" for t, a in items), encoding="utf-8")
    return path


def test_candidates_are_reported_not_added(tmp_path: Path, small: Lexicon) -> None:
    bank = _write(tmp_path / "bank.txt", ("VGG的结构", "VGG用小卷积核减少噪声。"),
                  ("VGG好在哪", "VGG的噪声更少。"), ("什么是RNN", "RNN处理序列。"))
    data, report = ingest([bank], lexicon=small)
    terms = {c.term: c for c in report.candidates}
    assert terms["VGG"].questions == 2 and terms["VGG"].frequency == 4
    assert terms["噪声"].examples == ["VGG用小卷积核减少噪声。", "VGG的噪声更少。"]
    assert "序列" not in terms  # one question only
    assert "VGG" not in data.concepts


def test_context_aliases_are_no_candidates(tmp_path: Path, lexicon: Lexicon) -> None:
    # 序列 is a context alias of sequence data: known to the lexicon, so never a candidate
    assert "序列" in lexicon.context_surfaces
    bank = _write(tmp_path / "bank.txt", ("怎样切分序列", "把序列切成小段。"),
                  ("序列怎么补齐", "短序列补零。"))
    _, report = ingest([bank], lexicon=lexicon)
    assert "序列" not in {c.term for c in report.candidates}


def test_merge_duplicates_and_reread(tmp_path: Path, small: Lexicon) -> None:
    a = _write(tmp_path / "a.txt", ("什么是RNN", "RNN是一种神经网络"),
               ("什么是LSTM", "LSTM缓解梯度消失"))
    # the same question shipped twice (near-identical text) merges; see test_same_title_...
    b = _write(tmp_path / "b.txt", ("什么是RNN", "RNN 是一种神经网络。"),
               ("什么是dropout", "防止过拟合"))
    data, report = ingest([a, b], lexicon=small)
    rnn = data.questions[question_id("什么是RNN")]
    assert rnn.sources == [f"{a}:1", f"{b}:1"]
    assert (report.questions_read, report.questions_merged, len(data.questions)) == (4, 1, 3)
    assert [(m.id, m.sources) for m in report.merges] == [(rnn.id, rnn.sources)]
    # a.txt changes: LSTM goes, GRU comes; RNN keeps b's source; dropout is untouched
    _write(a, ("什么是GRU", "GRU是一种RNN"))
    data2, _ = ingest([a], existing=data, lexicon=small)
    titles = {q.title for q in data2.questions.values()}
    assert titles == {"什么是RNN", "什么是GRU", "什么是dropout"}
    assert data2.questions[question_id("什么是RNN")].sources == [f"{b}:1"]
    assert data.questions[question_id("什么是RNN")].sources == [f"{a}:1", f"{b}:1"]  # untouched


def test_same_title_different_answers_stay_apart(tmp_path: Path, small: Lexicon) -> None:
    a = _write(tmp_path / "a.txt", ("什么是RNN", "RNN是一种神经网络"))
    b = _write(tmp_path / "b.txt", ("什么是RNN", "循环神经网络，按时间展开。"))
    data, report = ingest([a, b], lexicon=small)
    assert sorted(q.answer for q in data.questions.values()) == [
        "RNN是一种神经网络", "循环神经网络，按时间展开。"]
    assert question_id("什么是RNN") not in data.questions  # both ids take file and line
    assert report.merges == [] and report.questions_merged == 0
    # a later file with the same title and other text does not swallow them either
    c = _write(tmp_path / "c.txt", ("什么是RNN", "一种序列模型。"))
    data2, report2 = ingest([c], existing=data, lexicon=small)
    assert len(data2.questions) == 3 and report2.merges == []


def test_rereading_a_directory_covers_its_files(tmp_path: Path, small: Lexicon) -> None:
    folder = tmp_path / "bank"
    folder.mkdir()
    old = _write(folder / "old.txt", ("什么是LSTM", "LSTM"))
    data, _ = ingest([folder], lexicon=small)
    old.unlink()
    _write(folder / "new.txt", ("什么是GRU", "GRU"))
    data2, _ = ingest([folder], existing=data, lexicon=small)
    assert {q.title for q in data2.questions.values()} == {"什么是GRU"}


def test_user_relations_survive(tmp_path: Path, small: Lexicon) -> None:
    bank = _write(tmp_path / "a.txt", ("什么是RNN", "RNN"), ("什么是GRU", "GRU"))
    data, _ = ingest([bank], lexicon=small)
    mine = Relation(RelationType.CONTRASTS_WITH, "dropout", "rnn", 1.0, Origin.USER)
    data.relations.append(mine)
    data2, _ = ingest([bank], existing=data, lexicon=small)
    assert mine.key in {r.key for r in data2.relations}


def test_progress_and_questions_without_concepts(tmp_path: Path, small: Lexicon) -> None:
    bank = _write(tmp_path / "a.txt", ("什么是RNN", "RNN"), ("今天天气如何", "晴"))
    calls: list[tuple[int, int]] = []
    data, report = ingest([bank], lexicon=small, progress=lambda i, n: calls.append((i, n)))
    assert calls[-1] == (4, 4) and calls == sorted(calls)  # mentions, then candidates
    assert report.without_concepts == [question_id("今天天气如何")]
    assert report.files == [str(bank)]


def test_build_is_deterministic(small: Lexicon) -> None:
    questions = [Question(question_id(t), t, a) for t, a in
                 [("什么是RNN", "RNN是一种神经网络"), ("LSTM的原理", "LSTM由遗忘门,输入门组成"),
                  ("画GRU结构图", "GRU有更新门")]]
    first, _ = build(questions, small)
    second, _ = build(questions, small)
    assert [r.key for r in first.relations] == [r.key for r in second.relations]
    assert set(first.concepts) == set(small.concepts)
    assert [q.level for q in first.questions.values()] == [Level.DEFINITION, Level.PRINCIPLE,
                                                          Level.DERIVATION]
    assert questions[0].level is Level.PRINCIPLE  # the caller's questions are not changed
