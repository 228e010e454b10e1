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
from collections.abc import Callable
from functools import cache
from itertools import chain
from statistics import median

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
from zhitu.ingest.prereq import is_question
from zhitu.text.segment import dictionary_frequencies

TOP = 5  # related questions stored per question
CANDIDATES = 30  # BM25 candidates per question, besides those sharing a focus concept
MAX_SHARED = 200  # a focus concept of more questions than this adds no candidates
TEXT, FOCUS = 0.5, 0.5  # weights of the text and focus parts
SECTION, COMPARES, CONTRASTED = 0.15, 0.15, 0.1
HUB = 0.5
MIN_SCORE = 0.12
FALLBACK = 0.25  # share of MIN_SCORE the single best needs when nothing reaches MIN_SCORE
DENSE_SHARE = 16  # _retrieve: a term in 1/DENSE_SHARE of the documents or more is a dense row
DENSE_BYTES = 64 << 20  # _retrieve: at most this much memory for the dense rows
_RELATED = RelationType.RELATED_TO
# what a score came from: shared focus concepts, a contrasted pair, same section, a comparison
_Why = tuple[list[str], bool, bool, bool]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASKING = frozenset("什么 为什么 如何 怎么 怎样 哪些 哪个 区别 作用 原理 优缺点 可以 一个 一种 "
                    "以及 进行 使用 有什么 是否 简述 介绍".split())


def _section(q: Question) -> str:
    return q.topic.split(" / ")[-1].strip() if q.topic else ""


def related_questions(questions: list[Question], mentions: dict[str, list[Mention]],
                      documents: dict[str, str], names: dict[str, str],
                      relations: list[Relation]) -> list[Relation]:
    """Every question's TOP related questions as RELATED_TO edges (question -> related one)."""
    qs = sorted((q for q in questions if is_question(q)), key=lambda q: q.id)
    n = len(qs)
    if n < 2:
        return []
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
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    content = {w for w in set(chain.from_iterable(tokens)) if _content(w)}  # each term once
    queries = [sorted(content.intersection(t)) or [ids[i]] for i, t in enumerate(tokens)]
    found, scores = _retrieve(retriever, queries, min(CANDIDATES + 1, n))
    df = Counter(chain.from_iterable(queries))

    # per question, computed once: its focus as a set, the concepts contrasted with its focus,
    # its section and whether it is asked in Chinese
    focus_set = [set(fs) for fs in focus]
    partners: dict[str, set[str]] = defaultdict(set)
    for pair in contrasts:
        a, b = (*pair, *pair)[:2]  # a pair, or one concept contrasted with itself
        partners[a].add(b)
        partners[b].add(a)
    contrasted = [set().union(*(partners.get(a, ()) for a in fs)) for fs in focus]
    sections = [_section(q) for q in qs]
    chinese = [bool(_CJK.search(q.title)) for q in qs]
    compared = [q.level is Level.COMPARISON and len(fs) > 1
                for q, fs in zip(qs, focus, strict=True)]
    raw: list[dict[int, tuple[float, _Why]]] = []
    for i in range(n):
        text = {j: s for j, s in zip(found[i].tolist(), scores[i].tolist(), strict=True)
                if s > 0}
        own = text.pop(i, 0.0)
        top = max(text.values(), default=0.0) or own or 1.0
        cands = set(text)
        for c in focus[i]:
            if len(about[c]) <= MAX_SHARED:
                cands.update(about[c])
        cands.discard(i)
        if chinese[i]:  # a Chinese question gets Chinese ones (not a translation)
            cands = {j for j in cands if chinese[j]}
        mine, mine_set, section, others = focus[i], focus_set[i], sections[i], contrasted[i]
        scored: dict[int, tuple[float, _Why]] = {}
        for j in cands:
            theirs = focus_set[j]
            if mine_set.isdisjoint(theirs):  # most candidates: the same as summing nothing
                shared, overlap = [], 0.0
            else:
                shared = [c for c in mine if c in theirs]
                overlap = sum(spec[c] for c in shared) / math.sqrt(len(mine) * len(theirs) or 1)
            same = bool(section) and section == sections[j]
            compares = bool(shared) and compared[j]
            linked = not others.isdisjoint(theirs)
            score = (TEXT * text.get(j, 0.0) / top + FOCUS * overlap + SECTION * same
                     + COMPARES * compares + CONTRASTED * linked)
            if score > 0:
                scored[j] = (score, (shared, linked, same, compares))  # said when kept
        raw.append(scored)
    # hubs: how many candidate lists hold a question, against the median
    lists = Counter(j for scored in raw for j, _ in _best(scored, 2 * TOP))
    usual = median(lists.values()) if lists else 1.0

    @cache
    def bag(k: int) -> Counter[str]:
        """The terms of question k's search document, counted (for a reason naming words)."""
        return Counter(tokens[k])

    out = []
    for i, scored in enumerate(raw):
        damped = {j: (s / (1 + HUB * math.log1p(max(lists[j] / usual - 1, 0.0))), why)
                  for j, (s, why) in scored.items()}
        best = _best(damped, TOP)
        # a question about many things scores low against everything: its best one still counts
        kept = [b for b in best if b[1][0] >= MIN_SCORE] or [
            b for b in best[:1] if b[1][0] >= MIN_SCORE * FALLBACK]
        for j, (s, (shared, linked, same, compares)) in kept:
            pairs = [(a, b) for a in focus[i] for b in focus[j]
                     if frozenset((a, b)) in contrasts] if linked else []
            why = _reason(qs[i], qs[j], focus[j], shared, pairs, same, compares, bag, i, j,
                          df, names)
            out.append(Relation(_RELATED, ids[i], ids[j], round(s, 4), Origin.INFERRED,
                                [Evidence(ids[j], why)], weight=round(s, 4)))
    return out


def _retrieve(retriever: bm25s.BM25, queries: list[list[str]],
              k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """What retriever.retrieve(queries, k) returns (documents, scores), faster: a common term
    adds one dense row instead of scattering its postings one by one. Every document still sums
    its terms in query order in float32, so each score is bm25s's bit for bit, and the top k
    comes from bm25s's own selection (the same documents among equal scores)."""
    index = retriever.scores
    data, postings, starts = index["data"], index["indices"], index["indptr"]
    n = index["num_docs"]
    df = np.diff(starts)
    common = np.argsort(-df, kind="stable")[:DENSE_BYTES // (data.itemsize * n)]
    common = common[df[common] * DENSE_SHARE >= n]
    row = [None] * len(df)  # term -> its dense row, None when it is scattered
    for t in common.tolist():
        row[t] = np.zeros(n, dtype=data.dtype)
        row[t][postings[starts[t]:starts[t + 1]]] = data[starts[t]:starts[t + 1]]
    lo, hi = starts[:-1].tolist(), starts[1:].tolist()
    found, scores = [], []
    for query in queries:
        acc = np.zeros(n, dtype=data.dtype)
        for t in retriever.get_tokens_ids(query):
            if row[t] is not None:
                np.add(acc, row[t], out=acc)  # + 0.0 where t is absent: exact
            else:
                np.add.at(acc, postings[lo[t]:hi[t]], data[lo[t]:hi[t]])
        best, ranks = topk(acc, k, sorted=True)
        found.append(ranks)
        scores.append(best)
    return found, scores


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


def _best(scored: dict[int, tuple[float, _Why]], k: int) -> list[tuple[int, tuple[float, _Why]]]:
    return sorted(scored.items(), key=lambda kv: (-round(kv[1][0], 4), kv[0]))[:k]


def _reason(a: Question, b: Question, focus_b: list[str], shared: list[str],
            linked: list[tuple[str, str]], same: bool, compares: bool,
            bag: Callable[[int], Counter[str]], i: int, j: int, df: Counter[str],
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
    mine, theirs = bag(i), bag(j)
    shared_words = [w for w in mine.keys() & theirs.keys() if _word(w)]
    common = sorted(shared_words, key=lambda w: (-min(mine[w], theirs[w]) / math.sqrt(df[w]),
                                                 -len(w), w))[:2]
    return say("都提到" + "、".join(spaced(w) for w in common)) if common else "内容相近"

