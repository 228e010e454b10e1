"""Term discovery: patterns, variants, specificity, discovered concepts in the graph (issue #14)."""

from __future__ import annotations

import pytest

from zhitu.graph.model import Question
from zhitu.ingest.discover import fold_term
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.pipeline import build

# our own writing: a tiny bank about terms the bundled lexicon does not hold
BANK = [
    ("什么是谱聚类?", "谱聚类(Spectral Clustering, SC)是一种基于图拉普拉斯矩阵特征向量的聚类方法。"
                   "谱聚类先构造相似度图。"),
    ("谱聚类和K-means的区别", "谱聚类在非凸数据上比K-means好, SC 的复杂度更高。"),
    ("介绍一下PointNet", "PointNet直接处理点云数据, 用对称函数保证置换不变性。PointNet很常用。"),
    ("PointNet的缺点", "PointNet 不能很好地捕捉局部结构, 后来有了 PointNet++。"),
    ("样本和算法", "这个算法的样本很多, 算法的步骤和场景也很多。算法就是步骤。"),
    ("样本怎么选", "样本要有代表性, 样本多的算法更稳定, 场景不同步骤不同。"),
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon("data/concepts.yaml")


@pytest.fixture(scope="module")
def built(lexicon: Lexicon):
    qs = [Question(f"q{i}", t, a) for i, (t, a) in enumerate(BANK)]
    return build(qs, lexicon, workers=1)


def test_variants_fold_together() -> None:
    assert fold_term("LSTMs") == fold_term("lstm")
    assert fold_term("Point-Net") == fold_term("point net") == fold_term("PointNet")


def test_defined_and_latin_terms_become_discovered_concepts(built) -> None:
    data, candidates = built
    found = {c.name: c for c in data.concepts.values() if c.source == "discovered"}
    assert "谱聚类" in found and "PointNet" in found
    spectral = found["谱聚类"]
    assert {"Spectral Clustering", "SC"} <= set(spectral.aliases)
    assert spectral.category == "ml"  # from the curated concepts it appears with (聚类, K-means)
    assert "是一种" in spectral.summary  # the defining sentence is its evidence and summary
    assert 0 < (spectral.confidence or 0) <= 1
    mentioned = {m.question_id for m in data.mentions if m.concept_id == spectral.id}
    assert {"q0", "q1"} <= mentioned


def test_generic_words_never_become_concepts(built) -> None:
    data, candidates = built
    names = {c.name for c in data.concepts.values() if c.source == "discovered"}
    assert not names & {"算法", "样本", "步骤", "场景"}
    ranked = [c.term for c in candidates]
    for generic in ("算法", "样本"):
        if generic in ranked:
            assert ranked.index(generic) > ranked.index("谱聚类")


def test_rejected_terms_are_never_discovered(lexicon: Lexicon) -> None:
    from dataclasses import replace
    qs = [Question(f"q{i}", t, a) for i, (t, a) in enumerate(BANK)]
    data, _ = build(qs, replace(lexicon, rejected={"pointnet"}), workers=1)
    assert "PointNet" not in {c.name for c in data.concepts.values()}


# our own writing: the shapes real banks take (clauses before a definition, credit lines,
# capitalised English words, a title about one thing, a kind named after its curated head)
SHAPES = [
    ("什么是门卷积？", "门卷积用一个门控分支调制卷积的输出。门卷积常用于语言建模。"),
    ("门卷积和普通卷积的区别", "普通卷积没有门控分支, 门卷积有, 门卷积的参数多一倍。"),
    ("网络由哪些层组成", "该网络也包括输入层(Input)、隐藏层(Hidden)和输出层(Output)。"),
    ("隐藏层的作用", "隐藏层把 input 变换成新的特征, 每个 hidden unit 都有 output。"
                  "The output of a hidden unit is an input of the next one."),
    ("作者信息", "作者：张三  GitHub：https://github.com/ZT-LOVE/ZT-NLP 欢迎交流"),
    ("作者信息2", "作者：李四  GitHub：https://github.com/ZT-LOVE/ZT-NLP 欢迎交流"),
    ("填充方式", "设置为'SAME'时补零, 设置为'VALID'时不补零: same size 和 valid part 的意思。"),
    ("填充的选择", "多数网络用'SAME', 少数用'VALID'。the same width is kept."),
]


@pytest.fixture(scope="module")
def shapes(lexicon: Lexicon):
    qs = [Question(f"s{i}", t, a) for i, (t, a) in enumerate(SHAPES)]
    return build(qs, lexicon, workers=1)


def test_candidates_are_whole_terms(shapes) -> None:
    _, candidates = shapes
    terms = {c.term for c in candidates}
    assert "门卷积" in terms
    # a clause before a definition, a web address, a credit line, English words in capitals
    assert not terms & {"也包括输入层", "ZT-LOVE", "ZT-NLP", "SAME", "VALID", "GitHub", "Output"}
    assert not any(t.startswith(("也", "例如")) or t.endswith(("的", "和")) for t in terms)


def test_a_title_names_its_term_and_a_kind_gets_its_head(shapes) -> None:
    data, _ = shapes
    gated = next(c for c in data.concepts.values() if c.name == "门卷积")
    assert gated.source == "discovered"
    focus = [m.concept_id for m in data.mentions if m.question_id == "s0" and m.focus]
    assert focus == [gated.id]  # the specific term, not its generic head 卷积
    head = [r for r in data.relations if r.src == gated.id and r.type.value == "IS_A"]
    assert [r.dst for r in head] == ["convolution"]
    assert head[0].confidence < 0.5  # shown, but orders no study path until corroborated


def test_a_lone_english_word_is_no_alias() -> None:
    from zhitu.ingest.discover import _english_alias
    assert _english_alias("Weight Decay") and _english_alias("DCNNs")
    assert not _english_alias("Input") and not _english_alias("backbone")


@pytest.mark.parametrize("term", [
    "地填充",  # 对称地|填充: an adverb's 地 glued on
    "的卷积",
    "和池化",
    "是归一化",
    "迭代器不",  # a negation glued on the end
])
def test_function_characters_never_start_or_end_a_term(term: str, lexicon: Lexicon) -> None:
    from zhitu.ingest.discover import Discovery, Term
    d = Discovery(lexicon)
    d.terms = {fold_term(t): Term(t) for t in ("迭代器", term)}
    assert not d._well_formed(Term(term, questions={"a", "b"}))


def test_a_title_asking_about_a_known_concept_names_no_new_one(lexicon: Lexicon) -> None:
    # interview phrasing around a concept the lexicon knows: 手写/阐述/简单介绍/你觉得 …
    bank = [("手写一下bn过程？", "先对每个通道求均值方差，再标准化，最后缩放平移。"),
            ("阐述CRF", "CRF 对整个标注序列建模，输出序列的条件概率。"),
            ("简单介绍SVM?", "SVM 找间隔最大的超平面分开两类样本。"),
            ("你觉得word2vec有什么问题？", "word2vec 的词向量是静态的，一词多义表示不了。")]
    data, _ = build([Question(f"t{i}", t, a) for i, (t, a) in enumerate(bank)], lexicon,
                    workers=1)
    assert not [c.name for c in data.concepts.values() if c.source == "discovered"]
    focus = {m.question_id: m.concept_id for m in data.mentions if m.focus}
    assert focus["t0"] == "batch-norm" and focus["t2"] == "svm"
