"""Question topics and question-level PREREQUISITE_OF, derived from concepts and levels.

A question's topics are the concepts its title mentions, without a title concept that is only
context for a more specific one ("神经网络激活函数" is about 激活函数: 神经网络 is a curated
ancestor of it and the two are not coordinated by 和/与/比…); a title without concepts falls back
to the heaviest mention.

q1 comes before q2 when a topic of q1 is a prerequisite concept of a topic of q2 (the nearest
prerequisite concepts that have questions, so a chain skips concepts nobody asks about), or when
they share a topic and q1 has a lower level. Only concept prerequisites of confidence >= LINK_FLOOR
order questions, and a question never precedes one of a lower level through a concept link (to
ask "什么是CNN" one needs to know what pooling is, not how max and average pooling differ).
Nothing is quadratic in the number of questions: between two concepts only the best few
questions of the prerequisite concept (its lowest level; then fewest topics, shortest title)
link to the questions of the dependent one, and within a topic the best question of each level
links to the questions of the next level. Cycles (possible through
questions with several topics) are broken by dropping the weakest edge of each strongly
connected component; the result is transitively reduced (networkx.transitive_reduction).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable

import networkx as nx

from graph.model import Evidence, Mention, Origin, Question, Relation, RelationType
from ingest.lexicon import normalize
from ingest.mentions import Located

SAME_TOPIC_CONFIDENCE = 0.7
LINK_FLOOR = 0.5  # least confidence of a concept prerequisite that orders questions
SOURCES_PER_LINK = 3  # questions of the prerequisite concept linked to each dependent question
_COORDINATED = re.compile(r"^\s*(?:和|与|及|以及|跟|同|或|或者|、|,|/|比|vs\.?|versus)\s*$")
_PRE = RelationType.PREREQUISITE_OF


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


def _links(concept_prereqs: list[Relation], has_questions: set[str],
           names: dict[str, str]) -> list[tuple[str, str, float, str]]:
    """(a, b, confidence, via) for each nearest prerequisite a of b that has questions."""
    preds: dict[str, list[Relation]] = defaultdict(list)
    for rel in concept_prereqs:
        preds[rel.dst].append(rel)
    out = []
    for b in sorted(has_questions):
        queue = deque([(b, 1.0, [b])])
        seen = {b}
        while queue:
            node, confidence, path = queue.popleft()
            for rel in preds.get(node, ()):
                a = rel.src
                if a in seen:
                    continue
                seen.add(a)
                conf, route = min(confidence, rel.confidence), [a, *path]
                if a in has_questions:
                    out.append((a, b, conf, " → ".join(names.get(c, c) for c in route)))
                else:
                    queue.append((a, conf, route))
    return out


def question_prerequisites(questions: list[Question], topics: dict[str, list[str]],
                           concept_prereqs: list[Relation],
                           names: dict[str, str]) -> tuple[list[Relation], list[str]]:
    """Question -> question prerequisites, acyclic and transitively reduced; (edges, dropped)."""
    by_id = {q.id: q for q in questions}

    def rank(qid: str) -> tuple[int, int, int, str]:
        q = by_id[qid]
        return (int(q.level), len(topics[qid]), len(q.title), qid)

    by_topic: dict[str, list[str]] = defaultdict(list)
    for qid in sorted(by_id):
        for t in topics.get(qid, []):
            by_topic[t].append(qid)
    for qids in by_topic.values():
        qids.sort(key=rank)
    graph = nx.DiGraph()
    graph.add_nodes_from(by_id)

    def add(src: str, dst: str, confidence: float, via: str) -> None:
        old = graph.get_edge_data(src, dst)
        if src != dst and (old is None or old["confidence"] < confidence):
            graph.add_edge(src, dst, confidence=confidence, via=via, order=graph.number_of_edges())

    strong = [r for r in concept_prereqs if r.confidence >= LINK_FLOOR]
    for a, b, confidence, via in _links(strong, set(by_topic), names):
        sources = [q for q in by_topic[a] if b not in topics[q]]
        sources = [q for q in sources if by_id[q].level == by_id[sources[0]].level][
            :SOURCES_PER_LINK] if sources else []
        for qid in by_topic[b]:
            if a in topics[qid]:
                continue
            for src in sources:
                if by_id[src].level <= by_id[qid].level:
                    add(src, qid, confidence, via)
    for t, qids in by_topic.items():
        groups: dict[int, list[str]] = defaultdict(list)
        for qid in qids:
            groups[int(by_id[qid].level)].append(qid)
        levels = sorted(groups)
        for low, high in zip(levels, levels[1:], strict=False):
            for qid in groups[high]:
                add(groups[low][0], qid, SAME_TOPIC_CONFIDENCE, names.get(t, t))
    dropped = _break_cycles(graph, by_id)
    reduced = nx.transitive_reduction(graph)
    relations = []
    for src, dst in sorted(reduced.edges):
        data = graph.edges[src, dst]
        relations.append(Relation(_PRE, src, dst, round(data["confidence"], 3), Origin.INFERRED,
                                  [Evidence(dst, data["via"])]))
    return relations, dropped


def _break_cycles(graph: nx.DiGraph, by_id: dict[str, Question]) -> list[str]:
    """Drop the weakest (then latest) edge of every cycle until the graph is a DAG."""
    dropped = []
    while True:
        loops = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
        if not loops:
            return dropped
        for component in loops:
            edges = graph.subgraph(component).edges(data=True)
            src, dst, data = min(edges, key=lambda e: (e[2]["confidence"], -e[2]["order"]))
            graph.remove_edge(src, dst)
            dropped.append(f"PREREQUISITE_OF {by_id[src].title!r} -> {by_id[dst].title!r} "
                           f"({data['via']}): would close a cycle")
