"""Related questions, computed once at ingest and stored as question -> question RELATED_TO.

For each question the others are scored by what a learner would call "the same thing":

- text: BM25 (bm25s) of the other question's search document (jieba terms, title twice) with
  this question's distinct content terms (no question words, no single Chinese character) as
  the query, divided by the best score among its candidates (a long answer does not make every
  score large);
- focus: the focus concepts both are about (ingest.focus), each weighted by its specificity
  (log-IDF over focus counts, 0..1) and divided by √(|focus A|·|focus B|) so a question about
  many things relates to nothing in particular;
- structure: the same section (SECTION), a direct comparison of one of its focus concepts
  (COMPARES), a focus concept contrasted with one of the other's (CONTRASTED).

A hub (a question in many candidate lists, like "常见代价函数") is divided down by
1 + HUB·log(1 + lists it is in / median); each question keeps its TOP best above MIN_SCORE, or
its single best above FALLBACK·MIN_SCORE, so every question with a similar one gets one. The
edge's confidence and weight are the score (4 decimals), its evidence sentence the reason in
plain Chinese ("都在讲 YOLO", "这道题比较 LSTM 和 GRU"). Both stores only read these edges
(graph/study.py related).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from statistics import median
from typing import TypeVar

import bm25s
import numpy as np
from bm25s.selection import topk

from zhitu.graph.model import (
    Evidence,
    Level,
    Mention,
    Origin,
    Question,
    Relation,
    RelationType,
    say,
    spaced,
)
from zhitu.graph.search import Documents, bm25
from zhitu.ingest import forked
from zhitu.ingest.prereq import asking_ids
from zhitu.ingest.read_titles import in_english
from zhitu.text.segment import dictionary_frequencies

TOP = 5  # related questions stored per question
CANDIDATES = 30  # BM25 candidates per question, besides those sharing a focus concept
MAX_SHARED = 200  # a focus concept of more questions than this adds no candidates
TEXT, FOCUS = 0.5, 0.5  # weights of the text and focus parts
SECTION, COMPARES, CONTRASTED = 0.15, 0.15, 0.1
HUB = 0.5
MIN_SCORE = 0.12
FALLBACK = 0.25  # share of MIN_SCORE the single best needs when nothing reaches MIN_SCORE
CAP = 2000  # _searcher: a term in more documents brings no candidates (it still scores)
DENSE_SHARE = 16  # _searcher: a term in 1/DENSE_SHARE of the documents or more is a dense row
DENSE_BYTES = 64 << 20  # _searcher: at most this much memory for the dense rows
POOL_QUERIES = 5000  # _each: from this many questions on, scored in a pool of processes
CHUNK = 500  # _each: questions a pool worker scores at a time
_RELATED = RelationType.RELATED_TO
T = TypeVar("T")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASKING = frozenset("什么 为什么 如何 怎么 怎样 哪些 哪个 区别 作用 原理 优缺点 可以 一个 一种 "
                    "以及 进行 使用 有什么 是否 简述 介绍".split())


def _section(q: Question) -> str:
    return q.topic.split(" / ")[-1].strip() if q.topic else ""


@dataclass
class _Bank:
    """What the scores are made of, per question (by number, in id order)."""

    qs: list[Question]
    focus: list[list[str]]  # focus concepts, sorted
    about: dict[str, list[int]]  # concept -> the questions it is a focus of
    spec: dict[str, float]  # concept -> specificity, 0..1
    contrasts: set[frozenset[str]]  # concept pairs contrasted (confidence >= 0.5)
    tokens: list[list[str]]  # search document terms
    queries: list[list[str]]  # distinct content terms, the BM25 query
    search: Callable[[list[str]], tuple[np.ndarray, np.ndarray]]  # query -> BM25 candidates


def _bank(questions: list[Question], mentions: dict[str, list[Mention]],
          documents: dict[str, str], relations: list[Relation],
          asking: Container[str] | None = None) -> _Bank | None:
    ask = asking_ids(questions) if asking is None else asking
    qs = sorted((q for q in questions if q.id in ask), key=lambda q: q.id)
    n = len(qs)
    if n < 2:
        return None
    ids = [q.id for q in qs]
    focus = [sorted({m.concept_id for m in mentions.get(q, []) if m.focus}) for q in ids]
    about: dict[str, list[int]] = defaultdict(list)
    for i, fs in enumerate(focus):
        for c in fs:
            about[c].append(i)
    spec = {c: math.log((n + 1) / (len(rows) + 1)) / math.log(n + 1) for c, rows in about.items()}
    contrasts = {frozenset((r.src, r.dst)) for r in relations
                 if r.type is RelationType.CONTRASTS_WITH and r.confidence >= 0.5}
    tokens = [documents.get(q, "").split() or [q] for q in ids]
    retriever = bm25(tokens)
    assert retriever is not None  # every document has a term
    if isinstance(documents, Documents) and n == len(documents) and all(map(documents.get, ids)):
        # every question asks and has a document: this is the graph's search index as well
        documents.share(ids, retriever)
    content = {w for w in set(chain.from_iterable(tokens)) if _content(w)}  # each term once
    queries = [sorted(content.intersection(t)) or [ids[i]] for i, t in enumerate(tokens)]
    search = _searcher(retriever, min(CANDIDATES + 1, n))
    return _Bank(qs, focus, about, spec, contrasts, tokens, queries, search)


def related_questions(questions: list[Question], mentions: dict[str, list[Mention]],
                      documents: dict[str, str], names: dict[str, str],
                      relations: list[Relation], workers: int = 1,
                      asking: Container[str] | None = None) -> list[Relation]:
    """Every question's TOP related questions as RELATED_TO edges (question -> related one);
    `workers` processes score the candidates of a large bank and choose among them
    (scan.workers_for); asking: the ids of the questions that ask (prereq.asking_ids), when
    the caller has them already."""
    bank = _bank(questions, mentions, documents, relations, asking)
    if bank is None:
        return []
    qs, focus, about, contrasts = bank.qs, bank.focus, bank.about, bank.contrasts
    n, ids = len(qs), [q.id for q in qs]
    df = Counter(chain.from_iterable(bank.queries))

    # per question, computed once: its focus concepts and those contrasted with them (as
    # sorted arrays of question numbers per concept), its section and whether it is in Chinese
    focus_set = [set(fs) for fs in focus]
    partners: dict[str, set[str]] = defaultdict(set)
    for pair in contrasts:
        a, b = (*pair, *pair)[:2]  # a pair, or one concept contrasted with itself
        partners[a].add(b)
        partners[b].add(a)
    contrasted = [set().union(*(partners.get(a, ()) for a in fs)) for fs in focus]
    holders = {c: np.array(rows, dtype=np.int64) for c, rows in about.items()}
    sizes = np.array([len(fs) for fs in focus], dtype=np.int64)
    # focus concepts by number: question k's are runs[1][begins[k]:begins[k + 1]]
    number = {c: x for x, c in enumerate(about)}
    begins = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=begins[1:])
    runs = (begins, np.array([number[c] for fs in focus for c in fs], dtype=np.int64))
    codes: dict[str, int] = {}
    section_of = np.array([codes.setdefault(s, len(codes)) if s else -1
                           for s in map(_section, qs)], dtype=np.int64)
    chinese = np.array([bool(_CJK.search(q.title)) for q in qs])
    english = np.array([in_english(q.title) for q in qs])
    compared = np.array([q.level is Level.COMPARISON and len(fs) > 1
                         for q, fs in zip(qs, focus, strict=True)])

    def scored(i: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
        others = np.zeros(len(number), dtype=bool)  # concepts contrasted with its focus
        others[[number[c] for c in contrasted[i] if c in number]] = True
        js, ss = _candidates(i, bank.search(bank.queries[i]), focus[i], others, runs, about,
                             holders, bank.spec, sizes, section_of, chinese, english, compared)
        return js, ss, _best(js, ss, 2 * TOP)

    raw = _each(scored, range(n), workers)
    # hubs: how many candidate lists hold a question, against the median
    lists = Counter(chain.from_iterable(b for _, _, b in raw))
    usual = median(lists.values()) if lists else 1.0
    damping = np.ones(n)
    for j, held in lists.items():
        damping[j] = 1 + HUB * math.log1p(max(held / usual - 1, 0.0))

    nameable: dict[str, bool] = {}  # term -> _word(term), asked once per term

    @cache
    def bag(k: int) -> dict[str, int]:
        """The terms of question k's search document a reason can name, counted."""
        counts = Counter(bank.tokens[k])
        for w in counts.keys() - nameable.keys():
            nameable[w] = _word(w)
        return {w: c for w, c in counts.items() if nameable[w]}

    def kept(i: int) -> list[tuple[int, float, str]]:
        """Question i's related ones: (number, score, reason)."""
        js, ss, _ = raw[i]
        damped = ss / damping[js]
        best = [(j, float(damped[np.searchsorted(js, j)])) for j in _best(js, damped, TOP)]
        # a question about many things scores low against everything: its best one still counts
        chosen = [b for b in best if b[1] >= MIN_SCORE] or [
            b for b in best[:1] if b[1] >= MIN_SCORE * FALLBACK]
        out = []
        for j, s in chosen:
            shared = [c for c in focus[i] if c in focus_set[j]]
            linked = not contrasted[i].isdisjoint(focus_set[j])
            same = bool(section_of[i] >= 0 and section_of[i] == section_of[j])
            pairs = [(a, b) for a in focus[i] for b in focus[j]
                     if frozenset((a, b)) in contrasts] if linked else []
            out.append((j, s, _reason(qs[i], qs[j], focus[j], shared, pairs, same,
                                      bool(shared) and bool(compared[j]), bag, i, j, df, names)))
        return out

    return [Relation(_RELATED, ids[i], ids[j], round(s, 4), Origin.INFERRED,
                     [Evidence(ids[j], why)], weight=round(s, 4))
            for i, edges in enumerate(_each(kept, range(n), workers)) for j, s, why in edges]


def _candidates(i: int, text: tuple[np.ndarray, np.ndarray], mine: list[str],
                others: np.ndarray, runs: tuple[np.ndarray, np.ndarray],
                about: dict[str, list[int]], holders: dict[str, np.ndarray],
                spec: dict[str, float], sizes: np.ndarray, section_of: np.ndarray,
                chinese: np.ndarray, english: np.ndarray,
                compared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Question i's candidates (question numbers, ascending) and their scores above 0: its
    BM25 candidates and the questions sharing a focus concept of at most MAX_SHARED questions,
    no English text for a Chinese question. Each score is the same float sum, in the same
    order, as scoring the candidates one by one. others: by concept number, those contrasted
    with its focus; runs: every question's focus concepts by number (related_questions)."""
    found, bm25 = text
    own = bm25[found == i]
    found, bm25 = found[found != i], bm25[found != i].astype(np.float64)
    top = (float(bm25.max()) if len(bm25) else 0.0) or (float(own[0]) if len(own) else 0.0) or 1.0
    js = np.unique(np.concatenate([found] + [holders[c] for c in mine
                                             if len(about[c]) <= MAX_SHARED]))
    js = js[js != i]
    if chinese[i]:  # a Chinese question gets no translation ("What is LSTM"); names are fine
        js = js[~english[js]]
    text_score = np.zeros(len(js))
    kept = _holds(js, found)
    text_score[js.searchsorted(found[kept])] = bm25[kept]
    shared = np.zeros(len(js))  # the specificity of the focus concepts both are about, summed
    both = np.zeros(len(js), dtype=bool)  # any focus concept both are about
    for c in mine:
        held = _holds(holders[c], js)
        shared = shared + spec[c] * held
        both |= held
    overlap = shared / np.sqrt(np.maximum(len(mine) * sizes[js], 1))
    linked = np.zeros(len(js), dtype=bool)  # a focus concept contrasted with one of mine
    at, owner = _runs(runs[0], js)
    linked[owner[others[runs[1][at]]]] = True
    same = (section_of[js] == section_of[i]) & (section_of[i] >= 0)
    compares = both & compared[js]
    score = (TEXT * text_score / top + FOCUS * overlap + SECTION * same + COMPARES * compares
             + CONTRASTED * linked)
    return js[score > 0], score[score > 0]


def _runs(begins: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the runs of `rows` lie in a layout of runs (row r's run is begins[r] up to
    begins[r + 1]), all together in row order, and the index in rows of each one's row.

    >>> [x.tolist() for x in _runs(np.array([0, 2, 2, 5]), np.array([2, 0]))]
    [[2, 3, 4, 0, 1], [0, 0, 0, 1, 1]]
    """
    size = begins[rows + 1] - begins[rows]
    at = np.repeat(begins[rows] - np.cumsum(size) + size, size) + np.arange(size.sum())
    return at, np.repeat(np.arange(len(rows)), size)


def _holds(rows: np.ndarray, js: np.ndarray) -> np.ndarray:
    """Which of js are in rows (sorted)."""
    if not len(rows):
        return np.zeros(len(js), dtype=bool)
    return rows[np.minimum(rows.searchsorted(js), len(rows) - 1)] == js


def _best(js: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """The k best of js by score rounded to 4 decimals, equal ones by number. Only those
    within 2e-4 of the k-th largest score can round into the k best."""
    if len(js) > k:
        near = scores >= np.partition(scores, len(scores) - k)[len(scores) - k] - 2e-4
        js, scores = js[near], scores[near]
    return sorted(js.tolist(), key=dict(zip(js.tolist(), (-round(s, 4) for s in scores.tolist()),
                                            strict=True)).__getitem__)[:k]


def _each(fn: Callable[[int], T], items: Sequence[int], workers: int) -> list[T]:
    """fn of each item; from POOL_QUERIES items on in `workers` forked processes (each result
    is the same wherever it is computed)."""
    if workers <= 1 or len(items) < POOL_QUERIES:
        return [fn(x) for x in items]
    return list(chain.from_iterable(forked.chunks(fn, items, workers, CHUNK)))


def _retrieve(retriever: bm25s.BM25, queries: list[list[str]], k: int,
              workers: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """_searcher's answer to each query."""
    search = _searcher(retriever, k)
    return _each(lambda i: search(queries[i]), range(len(queries)), workers)


def _searcher(retriever: bm25s.BM25,
              k: int) -> Callable[[list[str]], tuple[np.ndarray, np.ndarray]]:
    """A query's k best documents by BM25 above 0 (documents, scores, best first).

    A query whose terms are each in at most CAP documents (every query of a bank of at most
    CAP questions) gets what retriever.retrieve(query, k) returns, faster: a common term adds
    one dense row instead of scattering its postings one by one, and every document sums its
    terms in query order in float32, so each score is bm25s's bit for bit and the top k comes
    from bm25s's own selection (the same documents among equal scores). In a bigger bank a
    term in more than CAP documents brings no candidates (else every query scores every
    document): the k best by the query's other terms (or its rarest term, if all are common;
    the first of the rarest in query order) are kept and scored by all its terms, the same
    float sum."""
    index, vocabulary = retriever.scores, retriever.vocab_dict
    data, postings, starts = index["data"], index["indices"], index["indptr"]
    n = index["num_docs"]
    df = np.diff(starts)
    # (a term in over CAP documents only scores the k found, read from the documents' terms)
    common = np.argsort(-df, kind="stable")
    common = common[(df[common] * DENSE_SHARE >= n) & (df[common] <= CAP)]
    common = common[:DENSE_BYTES // (data.itemsize * n)].tolist()
    dense = np.zeros((len(common), n), dtype=data.dtype)  # a common term's scores, every document
    slot = [-1] * len(df)  # term -> its row of dense, -1 when it is scattered
    for r, t in enumerate(common):
        slot[t] = r
        dense[r, postings[starts[t]:starts[t + 1]]] = data[starts[t]:starts[t + 1]]
    lo, hi, sizes = starts[:-1].tolist(), starts[1:].tolist(), df.tolist()
    acc = np.zeros(n, dtype=data.dtype)  # scratch, all zero between calls
    # for capped queries: the index document by document, and term -> its row (scratch)
    firsts, doc_terms, doc_scores = _by_document(postings, starts, data, n) if max(
        sizes, default=0) > CAP else (None, None, None)
    row_of = np.full(len(df), -1, dtype=np.int64)  # scratch, all -1 between calls

    def add(terms: list[int]) -> None:
        for t in terms:
            if slot[t] >= 0:
                np.add(acc, dense[slot[t]], out=acc)  # + 0.0 where t is absent: exact
            else:  # a term's documents are distinct: one float32 addition each
                np.add.at(acc, postings[lo[t]:hi[t]], data[lo[t]:hi[t]])

    def one(query: list[str]) -> tuple[np.ndarray, np.ndarray]:
        terms = [t for t in map(vocabulary.get, query) if t is not None]  # get_tokens_ids
        seeds = [t for t in terms if sizes[t] <= CAP]
        if len(seeds) == len(terms):
            add(terms)
            best, ranks = topk(acc, k, sorted=True)
            acc.fill(0)
            return ranks[best > 0], best[best > 0]  # a score of 0 shares nothing
        # all common: the rarest, the first in query order among equals (not the lowest term
        # number: bm25s numbers terms in set order, which differs from run to run)
        add(seeds or [min(terms, key=sizes.__getitem__)])
        docs = acc.nonzero()[0]
        part = acc[docs]
        acc[docs] = 0
        if len(docs) > k:
            docs = np.sort(docs[topk(part, k, sorted=True)[1]])
        # term x document scores (0 where absent), read from the documents' own terms
        unique, back = np.unique(np.array(terms, dtype=np.int64), return_inverse=True)
        row_of[unique] = np.arange(len(unique))
        at, column = _runs(firsts, docs)
        rows = row_of[doc_terms[at]]
        row_of[unique] = -1
        hit = rows >= 0
        each = np.zeros((len(unique), len(docs)), dtype=data.dtype)
        each[rows[hit], column[hit]] = doc_scores[at[hit]]
        scores = np.add.reduce(each[back], axis=0)  # row by row, in query order, as above
        order = np.lexsort((docs, -scores))
        docs, scores = docs[order], scores[order]
        return docs[scores > 0], scores[scores > 0]

    return one


def _by_document(postings: np.ndarray, starts: np.ndarray, data: np.ndarray,
                 n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The term-major index turned document-major: where each document's run starts (n + 1
    offsets), then each run's terms (ascending) and their scores."""
    order = np.argsort(postings, kind="stable")
    terms = np.repeat(np.arange(len(starts) - 1, dtype=np.int64), np.diff(starts))[order]
    begins = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(postings, minlength=n), out=begins[1:])
    return begins, terms, data[order]


def _content(word: str) -> bool:
    """A term that says what a question is about: not a question word, not one Chinese
    character ("是", "和")."""
    return word not in _ASKING and not (len(word) == 1 and _CJK.match(word))


def _word(term: str) -> bool:
    """A term a reason can name: a content word, not a piece of one ("置向" of 位置向量, "ou")."""
    if not _content(term) or len(term) < 2:
        return False
    if term.isascii():
        return len(term) >= 3 and not term.isdigit()
    return len(term) >= 3 or bool(dictionary_frequencies().get(term))


def _reason(a: Question, b: Question, focus_b: list[str], shared: list[str],
            linked: list[tuple[str, str]], same: bool, compares: bool,
            bag: Callable[[int], dict[str, int]], i: int, j: int, df: Counter[str],
            names: dict[str, str]) -> str:
    """Why b is related to a, in plain Chinese."""
    name = lambda c: spaced(names.get(c, c))  # noqa: E731
    if compares:
        pair = [c for c in focus_b if c in shared][:1] + [c for c in focus_b if c not in shared]
        pair = (pair + [c for c in focus_b if c not in pair])[:2]
        return say(f"这道题比较{name(pair[0])}和{name(pair[1])}")
    if shared:
        where = "，同一节" if same else ""
        return say(f"都在讲{'、'.join(name(c) for c in shared[:2])}{where}")
    if linked:
        x, y = linked[0]
        return say(f"{name(x)}和{name(y)}常被拿来比较")
    if same:
        return say(f"同在「{_section(a)}」一节")
    mine, theirs = bag(i), bag(j)  # only the words a reason can name
    common = sorted(mine.keys() & theirs.keys(),
                    key=lambda w: (-min(mine[w], theirs[w]) / math.sqrt(df[w]), -len(w), w))[:2]
    return say("都提到" + "、".join(spaced(w) for w in common)) if common else "内容相近"

