"""ingest.related: related questions computed at ingest, stored, read back by study.related."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhitu.graph import study
from zhitu.graph.model import GraphData, Question, RelationType
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.pipeline import build
from zhitu.ingest.read import question_id
from zhitu.ingest.read_titles import in_english

SMALL = Path(__file__).parent / "fixtures" / "ingest" / "small_lexicon.yaml"

# our own words, shaped like a bank: two RNN sections, a regularization section, a hub that lists
# everything, a question with no neighbour, and an English translation of one question
BANK = [
    ("循环网络 / LSTM", "什么是LSTM", "LSTM是一种特殊的RNN，用门控制记忆的保留和遗忘。"),
    ("循环网络 / LSTM", "LSTM的遗忘门起什么作用", "遗忘门决定丢弃多少旧记忆，LSTM靠它记得久。"),
    ("循环网络 / LSTM", "LSTM和GRU的区别", "GRU把LSTM的三个门合并成两个门，参数更少，训练更快。"),
    ("循环网络 / GRU", "什么是GRU", "GRU是一种门控循环单元，只有更新门和重置门。"),
    ("循环网络 / GRU", "GRU的重置门怎么计算", "重置门用sigmoid算出，决定GRU忘掉多少过去的状态。"),
    ("正则化", "什么是dropout", "dropout训练时随机丢弃神经元，是一种正则化方法，防止过拟合。"),
    ("正则化", "DropConnect和dropout的区别", "DropConnect随机丢弃权重而非神经元，更一般。"),
    ("正则化", "怎样判断模型过拟合", "训练误差很低而验证误差很高就是过拟合，可以用正则化缓解。"),
    ("总结", "常见深度学习模块汇总",
     "常见的有LSTM、GRU、RNN、dropout、DropConnect、sigmoid、ReLU、批归一化、遗忘门、重置门。"),
    ("杂项", "如何给实验记录起名字", "名字写清日期和数据集，方便以后查找。"),
    ("循环网络 / LSTM", "What is LSTM", "LSTM is a special RNN that uses gates to keep memory."),
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(SMALL)


@pytest.fixture(scope="module")
def graph(lexicon: Lexicon) -> GraphData:
    questions = [Question(question_id([topic, title]), title, answer, topic=topic)
                 for topic, title, answer in BANK]
    return build(questions, lexicon)[0]


def _related(graph: GraphData, title: str, top: int = 3) -> list[tuple[str, str]]:
    g = study.build_graph(graph)
    found = study.related(g, question_id([_topic(title), title]), top)
    return [(r.question.title, r.shared[0]) for r in found]


def _topic(title: str) -> str:
    return next(t for t, q, _ in BANK if q == title)


def test_the_same_focus_comes_first_with_a_plain_reason(graph: GraphData) -> None:
    found = _related(graph, "LSTM的遗忘门起什么作用")
    assert found[0] == ("什么是LSTM", "都在讲 LSTM，同一节")


def test_a_direct_comparison_says_so(graph: GraphData) -> None:
    found = dict(_related(graph, "什么是GRU"))
    assert found.get("LSTM和GRU的区别") == "这道题比较 GRU 和 LSTM"


def test_a_hub_listing_everything_is_not_everyones_best(graph: GraphData) -> None:
    g = study.build_graph(graph)
    firsts = [study.related(g, q, 1) for q in graph.questions]
    hub = question_id(["总结", "常见深度学习模块汇总"])
    assert sum(1 for f in firsts if f and f[0].question.id == hub) <= 1


def test_every_question_with_a_similar_one_gets_related_ones(graph: GraphData) -> None:
    g = study.build_graph(graph)
    for q in graph.questions.values():
        if q.title != "如何给实验记录起名字":
            assert study.related(g, q.id, 1), q.title


def test_a_chinese_question_gets_no_translation(graph: GraphData) -> None:
    titles = [t for t, _ in _related(graph, "什么是LSTM", top=10)]
    assert "What is LSTM" not in titles and titles


def test_a_latin_name_is_no_translation(lexicon: Lexicon) -> None:
    bank = [("LSTM", "什么是LSTM", "LSTM用遗忘门、输入门和输出门控制记忆。"),
            ("LSTM", "LSTM", "LSTM是带门控的RNN，遗忘门决定丢掉多少记忆。"),
            ("LSTM", "What is LSTM", "LSTM is an RNN with gates that keep memory.")]
    questions = [Question(question_id([t, q]), q, a, topic=t) for t, q, a in bank]
    g = study.build_graph(build(questions, lexicon)[0])
    titles = [r.question.title for r in study.related(g, question_id(["LSTM", "什么是LSTM"]), 5)]
    assert titles == ["LSTM"]


def test_regularization_questions_stay_apart_from_recurrent_ones(graph: GraphData) -> None:
    titles = [t for t, _ in _related(graph, "什么是dropout")]
    assert titles[0] == "DropConnect和dropout的区别"
    assert not {"什么是LSTM", "什么是GRU", "LSTM的遗忘门起什么作用"} & set(titles)


def test_stored_as_scored_question_edges_and_deterministic(graph: GraphData,
                                                            lexicon: Lexicon) -> None:
    edges = [r for r in graph.relations if r.type is RelationType.RELATED_TO
             and r.src in graph.questions]
    assert edges and all(r.dst in graph.questions and r.src != r.dst for r in edges)
    assert all(0 < r.confidence == r.weight and r.evidence[0].sentence for r in edges)
    questions = [Question(question_id([t, q]), q, a, topic=t) for t, q, a in BANK]
    again = build(questions, lexicon)[0]
    assert [(r.key, r.confidence, r.evidence) for r in again.relations] == [
        (r.key, r.confidence, r.evidence) for r in graph.relations]


def _plain_scores(questions, mentions, documents, names, relations, workers=1,  # noqa: ANN001, ANN202
                  asking=None):  # noqa: ANN001
    """The related edges scored pair by pair from the same inputs (focus concepts, BM25
    candidates), as ingest.related's docstring says: the oracle for its vectorized scoring
    (same floats, same order)."""
    import math
    from collections import Counter
    from statistics import median

    from zhitu.graph.model import Level
    from zhitu.ingest import related as r

    bank = r._bank(questions, mentions, documents, relations, asking)
    qs, focus, about, spec, contrasts = (bank.qs, bank.focus, bank.about, bank.spec,
                                         bank.contrasts)
    found = [bank.search(q) for q in bank.queries]
    n, ids = len(qs), [q.id for q in qs]
    section = [r._section(q) for q in qs]
    chinese = [bool(r._CJK.search(q.title)) for q in qs]
    english = [in_english(q.title) for q in qs]
    raw = []
    for i in range(n):
        text = dict(zip(found[i][0].tolist(), found[i][1].tolist(), strict=True))
        own = text.pop(i, 0.0)
        top = max(text.values(), default=0.0) or own or 1.0
        cands = set(text).union(*(about[c] for c in focus[i] if len(about[c]) <= r.MAX_SHARED))
        cands = {j for j in cands - {i} if not (chinese[i] and english[j])}
        scored = {}
        for j in cands:
            shared = [c for c in focus[i] if c in focus[j]]
            overlap = (sum(spec[c] for c in shared) / math.sqrt(len(focus[i]) * len(focus[j]))
                       if shared else 0.0)
            linked = any(frozenset((a, b)) in contrasts for a in focus[i] for b in focus[j])
            same = bool(section[i]) and section[i] == section[j]
            compares = bool(shared) and qs[j].level is Level.COMPARISON and len(focus[j]) > 1
            score = (r.TEXT * text.get(j, 0.0) / top + r.FOCUS * overlap + r.SECTION * same
                     + r.COMPARES * compares + r.CONTRASTED * linked)
            if score > 0:
                scored[j] = score
        raw.append(scored)

    def best(scored: dict, k: int) -> list:  # type: ignore[type-arg]
        return sorted(scored.items(), key=lambda kv: (-round(kv[1], 4), kv[0]))[:k]

    lists = Counter(j for scored in raw for j, _ in best(scored, 2 * r.TOP))
    usual = median(lists.values())
    out = []
    for i, scored in enumerate(raw):
        damped = {j: s / (1 + r.HUB * math.log1p(max(lists[j] / usual - 1, 0.0)))
                  for j, s in scored.items()}
        top = best(damped, r.TOP)
        kept = [b for b in top if b[1] >= r.MIN_SCORE] or [
            b for b in top[:1] if b[1] >= r.MIN_SCORE * r.FALLBACK]
        out += [(ids[i], ids[j], round(s, 4)) for j, s in kept]
    return out


def test_scores_equal_scoring_each_pair_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled bank: the vectorized scores and choices equal the pair-by-pair ones."""
    from zhitu.ingest import pipeline
    from zhitu.ingest.related import related_questions

    seen = {}

    def spy(*args):  # noqa: ANN002, ANN202
        seen["args"] = args
        return related_questions(*args)

    monkeypatch.setattr(pipeline, "related_questions", spy)
    bank = Path(__file__).parents[1] / "data" / "questions"
    pipeline.ingest(sorted(bank.iterdir()))
    stored = [(x.src, x.dst, x.confidence) for x in related_questions(*seen["args"])]
    assert len(stored) > 500
    assert stored == _plain_scores(*seen["args"])
    # a pool of processes scores the same (a big bank's path, here from 10 questions on)
    from zhitu.ingest import related

    monkeypatch.setattr(related, "POOL_QUERIES", 10)
    pooled = related_questions(*seen["args"][:5], workers=2)
    assert [(x.src, x.dst, x.confidence, x.evidence) for x in pooled] == [
        (x.src, x.dst, x.confidence, x.evidence) for x in related_questions(*seen["args"][:5])]


def test_a_pool_of_processes_retrieves_what_one_process_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Large banks share BM25 retrieval among forked workers: the same candidates, in order."""
    import bm25s

    from zhitu.ingest import forked, related

    docs = [f"题目{i} 梯度 消失 {'激活' if i % 3 else '残差'} {i % 7} 网络{i % 5}".split()
            for i in range(60)]
    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    alone = related._retrieve(retriever, docs, 8)
    monkeypatch.setattr(related, "POOL_QUERIES", 10)
    monkeypatch.setattr(related, "CHUNK", 7)
    shared = related._retrieve(retriever, docs, 8, workers=2)
    assert len(shared) == len(alone) == 60
    assert all(a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
               for a, b in zip(alone, shared, strict=True))
    assert forked._task is None  # nothing left for a later fork


def test_in_a_big_bank_a_common_term_scores_but_brings_no_candidates(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Over CAP documents a term only scores: the k best by the other terms (the rarest term
    when all are common), each scored by all terms exactly as bm25s scores it."""
    import bm25s
    import numpy as np

    from zhitu.ingest import related

    docs = [f"题目{i} 梯度 消失 {'激活' if i % 3 else '残差'} 层{i % 7} 网络{i % 5}".split()
            for i in range(60)]
    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    exact = related._retrieve(retriever, docs, 8)
    monkeypatch.setattr(related, "CAP", 15)  # 梯度, 消失, 激活, 残差 (and 网络x) are common
    capped = related._retrieve(retriever, docs, 8)
    for query, (got, scores) in zip(docs, capped, strict=True):
        terms = retriever.get_tokens_ids(query)
        df = {t: sum(t in retriever.get_tokens_ids(d) for d in docs) for t in terms}
        seeds = [t for t in terms if df[t] <= 15] or [min(terms, key=df.__getitem__)]
        seeded = retriever.get_scores([w for w in query if retriever.vocab_dict[w] in seeds])
        full = retriever.get_scores(query)
        hit = np.flatnonzero(seeded)
        assert set(got.tolist()) <= set(hit.tolist())  # candidates share a rare term
        assert len(got) == min(8, len(hit))  # the 8 best by the rare terms (ties either way)
        assert sorted(seeded[got].tolist()) == sorted(seeded[hit].tolist())[-len(got):]
        assert scores.tolist() == full[got].tolist()  # bm25s's own scores, bit for bit
        assert scores.tolist() == sorted(scores.tolist(), reverse=True)
    assert any(a.tolist() != b[0].tolist() for (a, _), b in zip(capped, exact, strict=True))
    twice = docs[1] + docs[1][:2]  # a repeated term counts twice, as bm25s counts it
    got, scores = related._retrieve(retriever, [twice], 8)[0]
    assert scores.tolist() == retriever.get_scores(twice)[got].tolist()


def test_the_index_read_document_by_document_holds_every_score() -> None:
    """_by_document turns bm25s's term-major index around: each document's terms, ascending,
    with the same float32 scores; _runs reads the runs of chosen documents."""
    import bm25s
    import numpy as np

    from zhitu.ingest import related

    docs = [f"题目{i} 梯度 {'激活' if i % 3 else '残差'} 层{i % 7}".split() for i in range(40)]
    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    index = retriever.scores
    begins, terms, scores = related._by_document(index["indices"], index["indptr"],
                                                 index["data"], index["num_docs"])
    for d, words in enumerate(docs):
        mine = slice(begins[d], begins[d + 1])
        ordered = sorted(words, key=retriever.vocab_dict.__getitem__)
        assert terms[mine].tolist() == [retriever.vocab_dict[w] for w in ordered]
        assert scores[mine].tolist() == [retriever.get_scores([w])[d] for w in ordered]
    at, owner = related._runs(begins, np.array([5, 2]))
    assert terms[at].tolist() == terms[begins[5]:begins[6]].tolist() + terms[
        begins[2]:begins[3]].tolist()
    assert owner.tolist() == [0] * (begins[6] - begins[5]) + [1] * (begins[3] - begins[2])


def test_a_query_of_common_terms_only_starts_from_its_first_rarest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Equally rare common terms: the first in the query brings the candidates, whatever
    numbers bm25s gave the terms (it numbers them in set order, which varies by run)."""
    import bm25s

    from zhitu.ingest import related

    docs = [["甲" if i < 20 else "乙", f"题{i}"] for i in range(40)]
    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    monkeypatch.setattr(related, "CAP", 15)  # 甲 and 乙: 20 documents each
    first, second = related._retrieve(retriever, [["甲", "乙"], ["乙", "甲"]], 8)
    assert len(first[0]) == len(second[0]) == 8
    assert set(first[0].tolist()) <= set(range(20))
    assert set(second[0].tolist()) <= set(range(20, 40))
