"""Question topics and question-level PREREQUISITE_OF, from focus concepts and levels.

A question's topics are the concepts its title mentions, without a title concept that is only
context for a more specific one ("神经网络激活函数" is about 激活函数); they still feed pattern
subjects. Question prerequisites are placed by FOCUS concepts only (ingest.focus), never by a
passing or generic mention:

- A comes before B when a focus concept a of A is a confident prerequisite of a focus concept f of
  B (concept PREREQUISITE_OF of confidence >= LINK_FLOOR: curated, inferred from curated or
  corroborated kinds and fixes), a direct one: a concept two steps back is no step of B (on
  banks nobody tuned on such links were judged wrong 10 times in 11); generic concepts are never
  needed. Only the best question on a links: one that
  teaches a (about a alone, or a definition), a 是什么 or 原理 question no deeper than B, fewest
  focus concepts, lowest level, one that introduces a ("什么是a", "说说a", "a 的基本结构", or a
  title of nothing but a's names: "随机梯度下降", "整流线性单元 ReLU"), shortest title; with its
  twin asked in other words (TWINS), which introduces a too or neither does. When f has its own
  basic question before B, what f needs goes before that question, not before B (only the kind f
  belongs to stays: "GBDT 是 Boosting 的一种"); and a long answer (SAYS_NEEDS characters) that
  never names a does not need it, unless f is a kind of a, solves a or has a as a part.
- Or A and B share a focus concept f and A is its 是什么 question, about f alone (not
  "Dropout和BN能一起用吗"), while B asks deeper (原理, 比较, 推导; a 原理 question is no
  step for a 比较 one), or B is a 是什么-level detail of f ("LSTM的细胞状态") and A introduces f
  ("什么是LSTM").
- Or the bank's own structure says so (ingest.sections): A opens B's section, B sits under A's
  heading, or A comes earlier in B's section on the same concept.
- A heading that is no question (参考文献, 小结, TODO …), has no focus or whose answer is only a
  citation or links is never a step; a Chinese question is never preceded by an English
  sentence (a translation in the same bank; a bare name such as "Word2Vec" is no translation).

Every edge carries its reason in plain Chinese as its evidence sentence ("LSTM 是 RNN 的一种，
先弄懂 RNN"). The edges are direct (not transitively reduced): graph/study.py's chain walks
CHAIN_DEPTH of them. Cycles (possible through questions with several focus concepts) are broken
in two passes: inside each strongly connected component the edges that go backwards in the
order (deepest focus concept, level, id) are dropped, except a sub-question's edge from the
heading above it; where a cycle remains, the edges that go backwards in the files. Every dropped
edge is reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from functools import cache

import networkx as nx

from zhitu.graph.derived import depths
from zhitu.graph.model import (
    Concept,
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
from zhitu.ingest import sections
from zhitu.ingest.mentions import Located
from zhitu.ingest.read_titles import in_english, non_question
from zhitu.text.normalize import normalize

SAME_TOPIC_CONFIDENCE = 0.7
LINK_FLOOR = 0.5  # least confidence of a concept prerequisite that orders questions
TWINS = 2  # questions linked for one needed concept: the best and an equal twin
BASIC = 1  # highest level of a question that a concept link puts before others (a 原理 question)
LEVEL_WORDS = ("是什么", "原理", "比较", "推导")  # Level 0..3 in a reason
# a heading that is no question: references, summaries, placeholders, a table of contents
_COORDINATED = re.compile(r"^\s*(?:和|与|及|以及|跟|同|或|或者|、|,|/|比|vs\.?|versus)\s*$")
_PRE = RelationType.PREREQUISITE_OF
_ASKING = re.compile(r"什么是|是什么|什么叫|简述|介绍|的|[\W_]+")  # a title without its asking
# a title that introduces its concept: "什么是GRU", "说说GloVe", "LeNet-5 · 模型介绍"
_INTRO = re.compile(r"什么是|是什么|什么叫|说说|谈谈|简述|简介|介绍|概述|概念|定义|"
                    r"基本结构|基本原理|基本思想|基本概念")
_ASIDE = re.compile(r"[（(][^）)]*[）)]")  # a remark in brackets: "（批标准化）", "(第3题)"
_TAG = re.compile(r"【[^】]*】|\[[^\]]*\]")  # a label before a title: 【BERT】, [55]
# coordinators and the words that only ask ("X 有什么作用", "X 的基本思想")
_AND = re.compile(r"以及|[与和及跟、]|有什么|有哪些|是怎样|是什么样|怎么样|作用|原理|思想|意义|"
                  r"目的|概念|定义|含义|基本|主要")
PLAIN = 2  # characters a teaching title may say besides its concepts' names ("X 思想", "X 原理")
_CJK = re.compile(r"[\u4e00-\u9fff]")
TEACHES = 4  # characters of its own an answer needs to be a step (not a citation or links)
_CITED = re.compile(r"^\s*(?:>|!\[|\[[^\]]*\]\([^)]*\)\s*$|https?://\S+\s*$)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|https?://\S+")
_NUMBERING = re.compile(r"^[\s\d.、)）(（]+|\W+$")


def ancestors_map(relations: Iterable[Relation]) -> dict[str, set[str]]:
    """Concept -> every concept learnt before it (prerequisites and IS_A parents), transitively."""
    graph = nx.DiGraph()
    for rel in relations:
        if rel.type is _PRE:
            graph.add_edge(rel.src, rel.dst)
        elif rel.type is RelationType.IS_A:
            graph.add_edge(rel.dst, rel.src)
    return {n: nx.ancestors(graph, n) for n in graph}


def question_topics(question: Question, found: list[Located], mentions: list[Mention],
                    ancestors: dict[str, set[str]]) -> list[str]:
    """The concepts a question is about, in title order."""
    title_end = len(question.title)
    in_title = [f for f in found if f.start < title_end]
    topics: list[str] = []
    for loc in in_title:
        if loc.concept in topics:
            continue
        specific = [o for o in in_title
                    if o.concept != loc.concept and loc.concept in ancestors.get(o.concept, ())]
        if any(not _coordinated(question.title, loc, o) for o in specific):
            continue
        topics.append(loc.concept)
    if not topics and mentions:
        topics = [mentions[0].concept_id]
    return topics


def _coordinated(title: str, a: Located, b: Located) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return bool(_COORDINATED.match(normalize(title[first.end:second.start])))


def is_question(question: Question) -> bool:
    """False for a title that asks nothing (references, a summary, a placeholder): the same
    test the reader applies to headings (read_titles.non_question).

    >>> is_question(Question("a", "参考文献", "")), is_question(Question("b", "什么是RNN", ""))
    (False, True)
    """
    return not non_question(question.title)


def asking_ids(questions: Iterable[Question]) -> set[str]:
    """The ids of the questions that ask something (`is_question`)."""
    return {q.id for q in questions if is_question(q)}


def link_reason(a: str, f: str, names: dict[str, str], kinds: set[tuple[str, str, str]]) -> str:
    """Why a question on concept a comes before one on f, in plain Chinese."""
    na, nf = spaced(names.get(a, a)), spaced(names.get(f, f))
    if ("IS_A", f, a) in kinds:
        return say(f"{nf}是{na}的一种，先弄懂{na}")
    if ("ADDRESSES", f, a) in kinds:
        return say(f"{nf}用来解决{na}，先弄懂{na}")
    if ("PART_OF", a, f) in kinds:
        return say(f"{na}是{nf}的组成部分，先弄懂{na}")
    return say(f"先弄懂{na}，才能理解{nf.rstrip()}")


def level_reason(f: str, low: int, high: int, names: dict[str, str]) -> str:
    """Why an easier question on the same concept comes first."""
    nf = spaced(names.get(f, f))
    first = f"{nf}是什么" if low == 0 else f"{nf}的{LEVEL_WORDS[low]}"
    return say(f"先弄懂{first}，再看它的{LEVEL_WORDS[high] if high > low else '细节'}")


def question_prerequisites(questions: list[Question], mentions: dict[str, list[Mention]],
                           concept_relations: list[Relation], concepts: Mapping[str, Concept],
                           generic: Iterable[str] = (), asking: Container[str] | None = None,
                           ) -> tuple[list[Relation], list[str]]:
    """Question -> question prerequisites, acyclic; (edges, dropped).

    mentions: question id -> its mentions (their focus flags place it); concepts: by id (their
    names word the reasons and tell a title that is just a concept's name); generic: concepts
    too broad to be needed by anything (机器学习, 矩阵): never a link's source; asking: the ids
    of the questions that ask (`asking_ids`), when the caller has them already.
    """
    names = {cid: c.name for cid, c in concepts.items()}
    ask = asking_ids(questions) if asking is None else asking
    by_id = {q.id: q for q in questions if q.id in ask}
    teaching = {q: _teaches(by_id[q]) for q in by_id}
    skip = set(generic)
    weight: dict[tuple[str, str], float] = {}
    focus: dict[str, list[str]] = {}
    about: dict[str, list[str]] = defaultdict(list)  # concept -> questions whose title asks it
    for qid in sorted(by_id):
        ms = [m for m in mentions.get(qid, []) if m.focus and m.concept_id not in skip]
        ms.sort(key=lambda m: (-m.weight, m.concept_id))
        focus[qid] = [m.concept_id for m in ms]
        weight.update(((qid, m.concept_id), m.weight) for m in ms)
        for m in ms:
            if m.in_title and teaching[qid]:
                about[m.concept_id].append(qid)

    @cache
    def intro(q: str, c: str) -> bool:
        """q introduces c: a 是什么 question about c alone that asks what it is, or whose
        title is just its name ("什么是GRU", "说说GloVe", "共现矩阵")."""
        title = by_id[q].title
        return (focus[q] == [c] and by_id[q].level is Level.DEFINITION
                and (bool(_INTRO.search(title)) and len(rest(q, _INTRO.sub("", title))) <= PLAIN
                     or _named(title, known(c))))

    def plain(q: str) -> bool:
        """q asks about its concepts themselves ("Boosting思想", "Sigmoid 与 tanh"), not a
        detail of them ("LSTM的复杂度？", "池化层反向传播是什么样的？")."""
        return len(rest(q, by_id[q].title)) <= PLAIN

    @cache
    def rest(q: str, title: str) -> str:
        """What the title says besides the names of the concepts it names (_residue)."""
        forms = sorted((x for c in titled[q] for x in known(c)), key=len, reverse=True)
        return _residue(title, forms)

    titled = {q: {m.concept_id for m in mentions.get(q, ()) if m.in_title} for q in by_id}

    @cache
    def known(c: str) -> list[str]:
        """c's names without asking words, longest first."""
        concept = concepts.get(c)
        words = [concept.name, concept.zh, *concept.aliases] if concept else [c]
        forms = {_ASKING.sub("", x.lower()) for x in words}
        return sorted((x for x in forms if x), key=len, reverse=True)

    def rank(c: str) -> Callable[[str], tuple]:
        return lambda q: (len(focus[q]), int(by_id[q].level), not intro(q, c),
                          len(_NUMBERING.sub("", by_id[q].title)), -weight[q, c], q)

    for c, qids in about.items():
        qids.sort(key=rank(c))

    def _best(ranked: list[str], c: str) -> list[str]:
        """The best of questions ranked best first, with its twin asked in other words
        ("什么是dropout" and "dropout是什么？", "什么是RNN" and "什么是循环神经网络(RNN)?"; not
        "监督学习" and "监督学习有哪些步骤": both introduce c or neither), at most TWINS."""
        if not ranked:
            return []
        first = _ASKING.sub("", by_id[ranked[0]].title.lower())

        def twin(q: str) -> bool:
            words = _ASKING.sub("", by_id[q].title.lower())
            return words == first or (focus[q] == focus[ranked[0]]
                                      and by_id[q].level == by_id[ranked[0]].level
                                      and intro(q, c) == intro(ranked[0], c)
                                      and rest(q, by_id[q].title)
                                      == rest(ranked[0], by_id[ranked[0]].title))

        return [q for q in ranked[:TWINS] if twin(q)]

    def _central(q: str, a: str) -> bool:
        """q teaches a: about a alone, or a definition of a with its coordinates (什么是过拟合和
        欠拟合); not "为什么Tanh比Sigmoid快", which needs Sigmoid already."""
        return focus[q] == [a] or (by_id[q].level is Level.DEFINITION and a in focus[q])
    strong = [r for r in concept_relations if r.type is _PRE and r.confidence >= LINK_FLOOR]
    preds: dict[str, list[Relation]] = defaultdict(list)
    for rel in strong:
        preds[rel.dst].append(rel)
    kinds = {(r.type.value, r.src, r.dst) for r in concept_relations}
    graph = nx.DiGraph()
    graph.add_nodes_from(by_id)
    chinese = {q: bool(_CJK.search(by_id[q].title)) for q in by_id}
    # an English sentence in a Chinese bank is a translation, never a step of a Chinese question
    # (a bare name such as "Word2Vec" is no translation)
    english = {q: in_english(by_id[q].title) for q in by_id}
    # the same question asked twice (in two files, "【演变史】elmo 存在问题?" and "Elmo 存在的问题
    # 是什么？") is no step of itself
    asked = {q: _ASKING.sub("", _TAG.sub("", by_id[q].title).lower()) for q in by_id}
    added = iter(range(1 << 62))  # insertion order: among equals the latest goes first

    def add(src: str, dst: str, confidence: float, reason: str, heading: bool = False) -> None:
        old = graph.get_edge_data(src, dst)
        if (src != dst and (old is None or old["confidence"] < confidence)
                and teaching[src] and asked[src] != asked[dst]
                and not (chinese[dst] and english[src])):
            graph.add_edge(src, dst, confidence=confidence, via=reason, order=next(added),
                           heading=heading)

    needed: dict[str, list[tuple[str, float]]] = {}
    # concepts some question teaches (a 是什么 or 原理 question about it): only those are needed
    # (a prerequisite no question teaches makes no step)
    teachable = {a for a, qs in about.items()
                 if any(_central(q, a) and int(by_id[q].level) <= BASIC for q in qs)}
    # about[c] (best first) filtered by a test and by script, once per key; only the first
    # TWINS + 1 of a list matter (_best reads TWINS of them, one may be the question itself)
    firsts: dict[tuple[str, str, int, bool], list[str]] = {}

    def among(test: str, c: str, cap: int, script: bool) -> list[str]:
        key = (test, c, cap, script)
        if key not in firsts:
            tests = {"below": lambda q: int(by_id[q].level) < cap and focus[q] == [c],
                     "intro": lambda q: intro(q, c),
                     "central": lambda q: (_central(q, c) and int(by_id[q].level) <= cap
                                           and plain(q))}
            admit = tests[test]
            firsts[key] = [q for q in about[c] if admit(q) and not (script and english[q])]
        return firsts[key][:TWINS + 1]

    said = {q: {m.concept_id for m in mentions.get(q, ())} for q in by_id}
    for qid in sorted(by_id):
        level = int(by_id[qid].level)
        script = chinese[qid]  # a Chinese question reads Chinese ones
        for f in focus[qid]:
            # the best question of the most basic level below this one: "什么是LSTM" before
            # "LSTM和GRU的区别", not every 原理 question on LSTM too (below level 1: level 0)
            basics = _best(among("below", f, min(level, 1), script), f)
            for src in basics:
                add(src, qid, SAME_TOPIC_CONFIDENCE, level_reason(f, 0, level, names))
            if level == 0 and not intro(qid, f):  # "什么是LSTM" before "LSTM的门"
                basics = _best(among("intro", f, 0, script), f)
                for src in basics:
                    add(src, qid, SAME_TOPIC_CONFIDENCE, level_reason(f, 0, 0, names))
            # what f needs comes before its basic question, not before this one, except
            # the kind f belongs to ("GBDT 是 Boosting 的一种")
            kinds_only = any(q != qid for q in basics)
            if f not in needed:
                needed[f] = _needed(f, preds, teachable, skip)
            for a, confidence in needed[f]:
                if a in focus[qid] or (kinds_only and ("IS_A", f, a) not in kinds):
                    continue
                if (a not in said[qid] and len(by_id[qid].answer) >= SAYS_NEEDS
                        and not _kind_link(a, f, kinds)):
                    continue  # a long answer that never names a does not need it
                ranked = [q for q in among("central", a, min(level, BASIC), script) if q != qid]
                for src in _best(ranked, a):
                    add(src, qid, confidence, link_reason(a, f, names, kinds))
    for a, b, f in sections.openers(by_id, focus, mentions, intro):
        add(a, b, SAME_TOPIC_CONFIDENCE,
            say(f"本节先讲{spaced(names.get(f, f))}是什么，先读这道题"))
    for a, b, same in sections.siblings(by_id, focus, intro, plain):
        shared = next(c for c in focus[b] if c in focus[a])
        where = "同一节" if same else "同一篇"
        add(a, b, SAME_TOPIC_CONFIDENCE,
            say(f"{where}前面先讲{spaced(names.get(shared, shared))}，先读它"))
    for a, b in sections.parents(by_id, focus, mentions, intro):
        add(a, b, SAME_TOPIC_CONFIDENCE, "这道题在它的标题之下，是它的细节，先读它", heading=True)
    depth = _depths(strong)

    def order(qid: str) -> tuple[int, int, str]:
        return (max((depth.get(t, 0) for t in focus[qid]), default=0),
                int(by_id[qid].level), qid)

    dropped = _break_cycles(graph, by_id, order)
    relations = []
    for src, dst in sorted(graph.edges):
        data = graph.edges[src, dst]
        relations.append(Relation(_PRE, src, dst, round(data["confidence"], 3), Origin.INFERRED,
                                  [Evidence(dst, data["via"])]))
    return relations, dropped


def _kind_link(a: str, f: str, kinds: set[tuple[str, str, str]]) -> bool:
    """f is a kind of a, solves a or has a as a part: a link learners need even unnamed."""
    return bool({("IS_A", f, a), ("ADDRESSES", f, a), ("PART_OF", a, f)} & kinds)


def _needed(f: str, preds: dict[str, list[Relation]], teachable: set[str],
            skip: set[str]) -> list[tuple[str, float]]:
    """(a, confidence) for each direct prerequisite a of concept f that a question teaches;
    generic concepts are never needed."""
    return [(rel.src, rel.confidence) for rel in sorted(preds.get(f, ()), key=lambda r: r.src)
            if rel.src != f and rel.src in teachable and rel.src not in skip]


def _named(title: str, forms: list[str]) -> bool:
    """The title is nothing but names of one concept ("随机梯度下降", "整流线性单元 ReLU",
    "Batch Normalization（批标准化）"); forms: its names without asking words, longest first.

    >>> _named("整流线性单元 ReLU", ["整流线性单元", "relu"]), _named("ReLU 的拓展", ["relu"])
    (True, False)
    """
    rest = _without(title, forms)
    return rest != _ASKING.sub("", title.lower()) and not rest.strip("0123456789")


def _without(title: str, forms: list[str]) -> str:
    rest = _ASKING.sub("", title.lower())
    for form in forms:
        rest = rest.replace(form, "")
    return rest


def _residue(title: str, forms: list[str]) -> str:
    """What a title says besides the given names, asking words, numbers, coordinators and
    remarks in brackets.

    >>> _residue("Sigmoid 与 tanh", ["sigmoid", "tanh"]), _residue("LSTM的复杂度？", ["lstm"])
    ('', '复杂度')
    >>> _residue("池化层有什么作用？", ["池化层", "池化"])
    ''
    """
    return _AND.sub("", _without(_ASIDE.sub("", title), forms)).strip("0123456789")


def _teaches(q: Question) -> bool:
    """The answer says something of its own, not only a citation, links or images.

    >>> _teaches(Question("a", "LSTM 相关问题", "> Understanding LSTM Networks - colah's blog"))
    False
    """
    own = (line for line in q.answer.splitlines() if not _CITED.match(line))
    return sum(len(_LINK.sub("", line).strip()) for line in own) >= TEACHES


SAYS_NEEDS = 200  # answer length from which a question names the concepts it needs
def _depths(concept_prereqs: list[Relation]) -> dict[str, int]:
    """Concept -> length of its longest prerequisite chain (roots are 0)."""
    return depths(nx.DiGraph((r.src, r.dst) for r in concept_prereqs))


def _break_cycles(graph: nx.DiGraph, by_id: dict[str, Question],
                  order: Callable[[str], tuple[int, int, str]]) -> list[str]:
    """Make the graph a DAG in two passes: inside each strongly connected component, drop the
    edges that go backwards in `order` (deepest topic, then level) but a sub-question's edge
    from the heading above it; then, where cycles remain, the edges that go backwards in the
    files (those heading edges go forwards, so none of them)."""
    dropped: list[str] = []
    _drop_backwards(graph, by_id, order, dropped, spare_headings=True)
    _drop_backwards(graph, by_id, lambda q: (*sections.where(by_id[q]), q), dropped,
                    spare_headings=False)
    return dropped


def _drop_backwards(graph: nx.DiGraph, by_id: dict[str, Question], order: Callable[[str], tuple],
                    dropped: list[str], spare_headings: bool) -> None:
    # components and edges in a fixed order: the report lists drops the same way every run
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) < 2:
            continue
        rank = {q: i for i, q in enumerate(sorted(component, key=order))}
        for src, dst in sorted(graph.subgraph(component).edges):
            data = graph.edges[src, dst]
            if rank[src] > rank[dst] and not (spare_headings and data["heading"]):
                graph.remove_edge(src, dst)
                dropped.append(f"PREREQUISITE_OF {by_id[src].title!r} -> {by_id[dst].title!r} "
                               f"({data['via']}): would close a cycle")
