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
