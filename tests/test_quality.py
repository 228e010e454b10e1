"""Ingest quality against the gold set (tests/gold/gold.yaml): concepts and prerequisites.

Concept precision/recall are micro-averaged over the gold questions (optional concepts count
neither way). Prerequisite recall: the share of gold pairs the built graph orders (a path from
the first to the second); prerequisite precision: of the built graph's direct edges between
gold nodes that the gold judges (the pair or its reverse follows from the gold pairs, or it is a
listed "not" pair), the share that agrees. Run with -s to see the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
import yaml

from zhitu.data import QUESTIONS_DIR
from zhitu.graph.model import GraphData, RelationType
from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.ingest.pipeline import ingest
from zhitu.ingest.read import question_id
from zhitu.text.normalize import normalize

GOLD = Path(__file__).parent / "gold" / "gold.yaml"
SAMPLE = Path(__file__).parent / "gold" / "sample.txt"  # a copy of the user's sample bank
# floors (precision, recall): the sample as the issue asks; the bank's long answers name about
# nine concepts each, some only through paraphrases no lexicon lists. Measured when written:
# sample 0.968 / 0.958, bank 0.938 / 0.942, prerequisites 1.0 / 1.0 and 1.0 / 0.962; after the
# lexicon review sample 0.979 / 0.968 and bank 0.979 / 0.989, so the bank floor rose to 0.95.
FLOORS = {"sample": (0.9, 0.95), "bank": (0.95, 0.95)}
# question recall 0.962 -> 0.885 when chains stopped linking over a concept no question teaches
# (注意力机制 → 交叉注意力 → Transformer): on four public banks nobody here wrote such links were
# judged wrong 10 times in 11 (docs/QUALITY.md, fifth round); our own bank's gold flatters them
PREREQ_FLOORS = {"concepts": (0.9, 0.9), "questions": (0.95, 0.85)}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _resolve(entry: str, lexicon: Lexicon) -> str | None:
    if entry in lexicon.concepts:
        return entry
    owners = lexicon.surfaces.get(normalize(entry), [])
    return owners[0] if len(owners) == 1 else None


@pytest.fixture(scope="module")
def gold() -> dict:
    return yaml.safe_load(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def graph(lexicon: Lexicon) -> GraphData:
    data, _ = ingest([SAMPLE, QUESTIONS_DIR], lexicon=lexicon)
    return data


def _concept_scores(gold: dict, graph: GraphData,
                    lexicon: Lexicon) -> tuple[dict[str, Score], dict[str, list[str]]]:
    found: dict[str, set[str]] = {}
    for m in graph.mentions:
        found.setdefault(m.question_id, set()).add(m.concept_id)
    scores: dict[str, Score] = {"sample": Score(), "bank": Score()}
    notes: dict[str, list[str]] = {"sample": [], "bank": []}
    for item in gold["questions"]:
        qid = question_id(item["title"])
        assert qid in graph.questions, f"gold question not ingested: {item['title']}"
        required = {_resolve(c, lexicon) for c in item.get("required", [])} - {None}
        optional = {_resolve(c, lexicon) for c in item.get("optional", [])} - {None}
        got = found.get(qid, set())
        score = scores[item["source"]]
        score.tp += len(got & required)
        score.fp += len(got - required - optional)
        score.fn += len(required - got)
        missing, extra = sorted(required - got), sorted(got - required - optional)
        if missing or extra:
            notes[item["source"]].append(f"{item['title'][:30]}: missing {missing} extra {extra}")
    return scores, notes


def _prerequisite_score(graph: nx.DiGraph, pairs: list[list[str]], negatives: list[list[str]]
                        ) -> tuple[float, float, list[str]]:
    gold = nx.DiGraph(pairs)
    closure = nx.transitive_closure_dag(gold)
    nodes = set(gold)
    recall_hits = [p for p in pairs if p[0] in graph and p[1] in graph and nx.has_path(graph, *p)]
    agree = disagree = 0
    notes = [f"not ordered: {a} -> {b}" for a, b in pairs if [a, b] not in recall_hits]
    wrong = {tuple(p) for p in negatives}
    for a, b in graph.edges:
        if a not in nodes or b not in nodes:
            continue
        if closure.has_edge(a, b):
            agree += 1
        elif closure.has_edge(b, a) or (a, b) in wrong:
            disagree += 1
            notes.append(f"contradicts the gold: {a} -> {b}")
    for a, b in negatives:
        if a in graph and b in graph and nx.has_path(graph, a, b):
            disagree += 1
            notes.append(f"a 'not' pair is ordered: {a} -> {b}")
    precision = agree / (agree + disagree) if agree + disagree else 1.0
    return precision, len(recall_hits) / len(pairs), notes


def _prereq_graph(data: GraphData, questions: bool) -> nx.DiGraph:
    graph = nx.DiGraph()
    for r in data.relations:
        if r.type is RelationType.PREREQUISITE_OF and (r.src in data.questions) == questions:
            graph.add_edge(r.src, r.dst)
    return graph


@pytest.mark.parametrize("source", ["sample", "bank"])
def test_concept_precision_and_recall(source: str, gold: dict, graph: GraphData,
                                      lexicon: Lexicon) -> None:
    scores, notes = _concept_scores(gold, graph, lexicon)
    s = scores[source]
    print(f"\nconcepts [{source}]: precision {s.precision:.3f} recall {s.recall:.3f} "
          f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")
    print("\n".join(notes[source]))
    low_p, low_r = FLOORS[source]
    assert s.precision >= low_p and s.recall >= low_r, notes[source]


def test_concept_prerequisites(gold: dict, graph: GraphData) -> None:
    pairs = gold["prerequisites"]["concepts"]
    precision, recall, notes = _prerequisite_score(
        _prereq_graph(graph, questions=False), pairs, gold["prerequisites"]["not"]["concepts"])
    print(f"\nconcept prerequisites: precision {precision:.3f} recall {recall:.3f}")
    print("\n".join(notes))
    low_p, low_r = PREREQ_FLOORS["concepts"]
    assert precision >= low_p and recall >= low_r, notes


def test_question_prerequisites(gold: dict, graph: GraphData) -> None:
    def ids(pairs: list[list[str]]) -> list[list[str]]:
        return [[question_id(a), question_id(b)] for a, b in pairs]

    titles = {q.id: q.title for q in graph.questions.values()}
    precision, recall, notes = _prerequisite_score(
        _prereq_graph(graph, questions=True), ids(gold["prerequisites"]["questions"]),
        ids(gold["prerequisites"]["not"]["questions"]))
    for qid, title in titles.items():
        notes = [n.replace(qid, title[:24]) for n in notes]
    print(f"\nquestion prerequisites: precision {precision:.3f} recall {recall:.3f}")
    print("\n".join(notes))
    low_p, low_r = PREREQ_FLOORS["questions"]
    assert precision >= low_p and recall >= low_r, notes
